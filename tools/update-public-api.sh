#!/usr/bin/env bash
# Rewrites PublicAPI.Unshipped.txt of the runtime libraries (src/*) to match their public API, from the
# PublicApiAnalyzers' own diagnostics, whose messages quote each entry exactly as the file must hold it:
#   RS0016 (public but not listed)  -> the entry is added;
#   RS0017 (listed but gone)        -> removed from Unshipped, or marked *REMOVED* when it was shipped.
# Generated code (the VGG models in ConvNetGen.Keras) is covered too, since the build sees it. Merge-conflict markers
# in an Unshipped file are dropped, keeping both sides (the stale side then goes as RS0017). Entries are sorted, so
# re-runs and merges give the same file. Ends by building with warnings as errors: non-zero if anything is left.
# Usage: tools/update-public-api.sh   (from anywhere; review the diff before committing: it is the API change)
set -euo pipefail
cd "$(dirname "$0")/.."

projects=(src/ConvNetGen src/ConvNetGen.Images src/ConvNetGen.Keras)   # dependency order: ConvNetGen first
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# Header first, then the entries sorted and unique; conflict markers and blank lines dropped.
normalize() {
  local file=$1
  [ -f "$file" ] || : >"$file"
  { echo '#nullable enable'
    grep -v -E '^(#nullable enable|<<<<<<<( |$)|=======$|>>>>>>>( |$)|\|\|\|\|\|\|\|( |$))' "$file" |
      grep -v '^[[:space:]]*$' | LC_ALL=C sort -u || true
  } >"$file.tmp"
  mv "$file.tmp" "$file"
}

# The entries a build log reports for one rule, one a line ("warning RS0016: Symbol '<entry>' is not part of ...").
entries() { { grep -oP "warning $1: Symbol '\\K.*(?=' $2)" "$log" || true; } | LC_ALL=C sort -u; }

for p in "${projects[@]}"; do
  name=$(basename "$p")
  shipped="$p/PublicAPI.Shipped.txt"
  unshipped="$p/PublicAPI.Unshipped.txt"
  [ -f "$shipped" ] || echo '#nullable enable' >"$shipped"
  normalize "$unshipped"

  # Compile afresh (so every diagnostic is reported again), with warnings not fatal; the companions use the
  # ConvNetGen just built.
  deps=()
  [ "$p" = "${projects[0]}" ] || deps=(--no-dependencies)
  dotnet build "$p/$name.csproj" -c Release --no-incremental "${deps[@]}" -nologo -p:TreatWarningsAsErrors=false >"$log" 2>&1 || true
  if grep -q -E ': error [A-Z]+[0-9]+' "$log"; then
    grep -E ': error [A-Z]+[0-9]+' "$log" | sort -u >&2
    echo "update-public-api: $p does not build; fix that first" >&2
    exit 1
  fi

  entries RS0017 'is part of the declared API' | while IFS= read -r entry; do
    if grep -qxF -- "$entry" "$unshipped"; then
      grep -vxF -- "$entry" "$unshipped" >"$unshipped.tmp" || true
      mv "$unshipped.tmp" "$unshipped"
    elif grep -qxF -- "$entry" "$shipped"; then
      echo "*REMOVED*$entry" >>"$unshipped"   # a break of shipped API: it shows in review
    fi
  done
  entries RS0016 'is not part of the declared public API' >>"$unshipped"
  normalize "$unshipped"
done

# Check: the libraries now build with warnings as errors (no RS0016/RS0017/RS0036/RS0037 left).
for p in src/ConvNetGen.Images src/ConvNetGen.Keras; do
  if ! dotnet build "$p/$(basename "$p").csproj" -c Release -nologo >"$log" 2>&1; then
    grep -E ': (error|warning) ' "$log" | sort -u >&2
    echo "update-public-api: $p still fails to build (see above)" >&2
    exit 1
  fi
done
git --no-pager diff --stat -- 'src/*/PublicAPI.*.txt' || true
echo "update-public-api: done; review the diff of src/*/PublicAPI.Unshipped.txt: it is the public API change"
