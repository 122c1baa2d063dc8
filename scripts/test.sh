#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds with zero warnings, builds (or reuses) the linux-arm64
# binary and the arm64 VM's kernel and initramfs, runs every test project, lists skipped tests with their reasons,
# and ends with the line "N passed, N failed[, N skipped]". The full log is kept in out/test/test.log.
# Exit status is non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh test || { status=$?; echo "test: scripts/ensure-deps.sh test failed (exit $status)" >&2; exit $status; }

# The log stays with the build output, for reading after a failure: out/test/test.log (the last run).
mkdir -p out/test
log=out/test/test.log
: >"$log"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

echo "== build" >&2
if ! dotnet build Appliance.sln -c Debug -nologo -clp:ErrorsOnly >"$log" 2>&1; then
  cat "$log"
  echo "build failed (log: $log)"
  echo "0 passed, 1 failed"
  exit 1
fi

# The arm64 tests (tests/Integration/Arm64) run the linux-arm64 NativeAOT binary under qemu-user and in an arm64 VM.
# Publishing it takes a minute or more, so it happens here, once per source hash (cached under out/arm64/).
echo "== arm64 binary, kernel and initramfs" >&2
start=$(date +%s)
if ! scripts/arm64-assets.sh vm >out/test/arm64-assets.log 2>&1; then
  cat out/test/arm64-assets.log >&2
  echo "arm64 assets failed (log: out/test/arm64-assets.log): the arm64 tests will fail" >&2
fi
echo "   ($(( $(date +%s) - start )) s)" >&2

echo "== test" >&2
dotnet test Appliance.sln -c Debug --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" \
  | grep -E --line-buffered '^ +Failed |^Test Run|Error Message|^ +(Total tests|Passed|Failed|Skipped):' >&2
status=${PIPESTATUS[0]}

# Each test assembly ends with a block "Total tests: N / Passed: N / Failed: N / Skipped: N".
sum() { grep -E "^ +$1: [0-9]+ *\$" "$log" | awk '{s+=$2} END {print s+0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
if [ "$failed" -gt 0 ]; then
  echo "== failures" >&2
  grep -E -A 30 '^ +Failed [A-Za-z]' "$log" | grep -v -E '^ +Passed ' >&2
fi
if [ "$skipped" -gt 0 ]; then
  # xUnit prints "[xUnit.net TIME]     NAME [SKIP]" and, on the next line, the reason the test gave.
  echo "== skipped" >&2
  awk '/\[SKIP\]$/ { sub(/^\[xUnit\.net [^]]*\] +/, ""); sub(/ \[SKIP\]$/, ""); name = $0; getline;
                     sub(/^\[xUnit\.net [^]]*\] +/, ""); print "  " name ": " $0 }' "$log" >&2
fi
echo "test: full log in $log" >&2
line="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
if [ "$status" -ne 0 ] || [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
