#!/usr/bin/env bash
# Builds the API reference site (docfx.json) into artifacts/docs/site: the API pages from the three libraries' XML
# documentation, plus README.md, CHANGELOG.md and docs/diagnostics. Warnings are errors, so a broken link, a missing
# page or a bad cross-reference fails. Usage: tools/build-docs.sh   (then open artifacts/docs/site/index.html)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
# docfx reads the built assemblies and their XML docs (bin/Release/net10.0), so build them first.
for p in src/ConvNetGen.Images src/ConvNetGen.Keras; do
  dotnet build "$p/$(basename "$p").csproj" -c Release -nologo -v q
done
rm -rf artifacts/docs
dotnet docfx docfx.json --warningsAsErrors
