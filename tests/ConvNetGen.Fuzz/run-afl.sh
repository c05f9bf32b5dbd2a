#!/usr/bin/env bash
# Fuzzes one target with AFL++ for a bounded time, then prints what it did (not part of CI).
#   tests/ConvNetGen.Fuzz/run-afl.sh TARGET SECONDS      TARGET: idx | gzip | safetensors
# Needs afl-fuzz (Debian: apt-get install afl++) and the repository's tool manifest (dotnet tool restore).
# Work goes to ${AFL_WORK:-/tmp/convnetgen-afl}/TARGET: the instrumented build in bin/, AFL's output in out/.
set -euo pipefail
if [ $# -ne 2 ]; then echo "usage: $0 idx|gzip|safetensors SECONDS" >&2; exit 2; fi
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
seeds=$here/seeds/$target
[ -d "$seeds" ] || { echo "no seed corpus $seeds" >&2; exit 2; }
work=${AFL_WORK:-/tmp/convnetgen-afl}/$target
rm -rf "$work" && mkdir -p "$work"

# A separate published copy is instrumented, so the normal build output stays untouched.
(cd "$here/../.." && dotnet tool restore >/dev/null)
dotnet publish "$here/ConvNetGen.Fuzz.csproj" -c Release -o "$work/bin" -nologo -v quiet
(cd "$here/../.." && dotnet tool run sharpfuzz "$work/bin/ConvNetGen.dll")

# SharpFuzz's binaries are .NET assemblies, not AFL-compiled executables.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
# AFL's peak_rss_mb misses the .NET target (a fork server that lives the whole run), so sample its VmHWM instead.
echo 0 > "$work/target-peak-kb"
(
  while sleep 2; do
    for pid in $(pgrep -f "ConvNetGen.Fuzz.dll $target" || true); do
      kb=$(awk '/VmHWM/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$kb" ] && [ "$kb" -gt "$(cat "$work/target-peak-kb")" ] && echo "$kb" > "$work/target-peak-kb"
    done
  done
) &
sampler=$!
trap 'kill $sampler 2>/dev/null || true' EXIT
# One input at most 64 KiB: enough for every format's structure, small enough to keep executions fast.
/usr/bin/time -v -o "$work/time.txt" \
  afl-fuzz -V "$seconds" -i "$seeds" -o "$work/out" -t 10000 -m none -G 65536 -- dotnet "$work/bin/ConvNetGen.Fuzz.dll" "$target" \
  > "$work/afl.log" 2>&1 || { tail -30 "$work/afl.log"; exit 1; }

stats=$work/out/default/fuzzer_stats
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
echo "target:        $target"
echo "run time:      $(field run_time) s"
echo "inputs tried:  $(field execs_done) ($(field execs_per_sec)/s)"
echo "corpus:        $(field corpus_count) inputs, $(field bitmap_cvg) coverage"
echo "crashes:       $(field saved_crashes)   (in $work/out/default/crashes)"
echo "hangs:         $(field saved_hangs)   (in $work/out/default/hangs)"
echo "peak RSS:      target $(cat "$work/target-peak-kb") KB, afl-fuzz $(awk -F': ' '/Maximum resident/ { print $2 }' "$work/time.txt") KB"
echo "replay:        dotnet $work/bin/ConvNetGen.Fuzz.dll replay $target $work/out/default/crashes/id*"
