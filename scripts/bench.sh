#!/usr/bin/env bash
# Benchmarks of the appliance: throughput, latency, start-up and footprint, journal, emulator scale, micro-benchmarks.
#   scripts/bench.sh [--quick|--smoke] [--scenario all|throughput|latency|event-latency|startup|journal|emulator|micro|journal-detail|drain|qmp-framing] [--no-report]
# Writes each scenario's current table into docs/benchmarks.md (replacing the previous one) and appends the run to
# docs/benchmarks-history.md; redraws docs/benchmarks/*.png (see docs/benchmarks.md).
# --quick finishes in under 3 minutes on a 2-core machine; the full run takes about 15; --smoke runs tiny sizes
# (the test suite uses it) and writes no report.
# Environment: APPLIANCE_AOT_DIR (default out/aot/linux-x64) holds the NativeAOT binary the start-up scenario compares;
# BENCH_CONFIGURATION (default Release) builds the harness.
set -euo pipefail
trap 'echo "bench: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
export BENCH_COMMAND="scripts/bench.sh $*"
export APPLIANCE_AOT_DIR=${APPLIANCE_AOT_DIR:-out/aot/linux-x64}
mode=full
scenario=all
prev=""
for arg in "$@"; do
  case "$arg" in --quick) mode=quick ;; --smoke) mode=smoke ;; esac
  [ "$prev" = "--scenario" ] && scenario=$arg
  prev=$arg
done
# The start-up scenario compares the NativeAOT binary with the JIT build. The full run republishes it; the quick run
# publishes only when it is missing or older than the sources; the smoke run never does. A failed publish is
# reported, and the scenario then notes NativeAOT as skipped.
if [ "$scenario" = all ] || [ "$scenario" = startup ]; then
  aot="$APPLIANCE_AOT_DIR/appliance"
  publish=false
  if [ "$mode" = full ]; then
    publish=true
  elif [ ! -x "$aot" ]; then
    [ "$mode" = quick ] && publish=true
    echo "bench: no NativeAOT binary at $aot yet" >&2
  elif [ -n "$(find src \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -newer "$aot" | head -n 1)" ]; then
    [ "$mode" = quick ] && publish=true
    echo "bench: the NativeAOT binary $aot is older than the sources" >&2
  fi
  if [ "$publish" = true ]; then
    echo "bench: publishing the NativeAOT binary (a few minutes; log: out/bench/publish-aot.log)" >&2
    mkdir -p out/bench
    scripts/publish-aot.sh linux-x64 "$APPLIANCE_AOT_DIR" >out/bench/publish-aot.log 2>&1 \
      || echo "bench: NativeAOT publish failed (log: out/bench/publish-aot.log); start-up figures cover the JIT build only" >&2
  elif [ "$mode" = smoke ]; then
    echo "bench: --smoke does not publish NativeAOT; start-up covers the JIT build (and NativeAOT only if current)" >&2
  fi
fi
echo "bench: building and running the harness (${BENCH_CONFIGURATION:-Release})" >&2
exec dotnet run -c "${BENCH_CONFIGURATION:-Release}" --project bench/Appliance.Bench -- "$@"
