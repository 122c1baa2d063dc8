#!/usr/bin/env bash
# Benchmarks of the appliance: throughput, latency, start-up and footprint, journal, emulator scale, micro-benchmarks.
#   scripts/bench.sh [--quick] [--scenario all|throughput|latency|startup|journal|emulator|micro|journal-detail] [--no-report]
# Appends a section per scenario to docs/benchmarks.md and redraws docs/benchmarks/*.png (see docs/benchmarks.md).
# --quick finishes in under 3 minutes on a 2-core machine; the full run takes about 15.
set -euo pipefail
cd "$(dirname "$0")/.."
export BENCH_COMMAND="scripts/bench.sh $*"
quick=false
scenario=all
prev=""
for arg in "$@"; do
  [ "$arg" = "--quick" ] && quick=true
  [ "$prev" = "--scenario" ] && scenario=$arg
  prev=$arg
done
# The start-up scenario compares the NativeAOT binary with the JIT build. The full run republishes it; the quick run
# publishes only when it is missing or older than the sources. A failed publish is reported, and the scenario then notes NativeAOT as skipped.
if [ "$scenario" = all ] || [ "$scenario" = startup ]; then
  newest_source=$(find src \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -newer out/aot/linux-x64/appliance 2>/dev/null | head -n 1 || true)
  if [ "$quick" = false ] || [ ! -x out/aot/linux-x64/appliance ] || [ -n "$newest_source" ]; then
    scripts/publish-aot.sh >/tmp/appliance-bench-aot.log 2>&1 \
      || echo "bench: NativeAOT publish failed (log: /tmp/appliance-bench-aot.log); start-up figures cover the JIT build only" >&2
  fi
fi
exec dotnet run -c Release --project bench/Appliance.Bench -- "$@"
