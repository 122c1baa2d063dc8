#!/usr/bin/env bash
# The main job, for a first look: the appliance with one emulated VM running the demo scenario, events stored in
# .state/journal.db (SQLite), mirrored to a local mosquitto broker, and the simulated LEDs and relay shown live in
# the terminal dashboard. Ctrl+C stops it cleanly.
#   scripts/demo.sh [extra appliance run options]
# Installs what is missing first (Debian packages via apt-get; NuGet packages via restore), then works offline.
# In another terminal, from anywhere in the repository, `appliance status`, `appliance top` and `appliance events`
# find this demo by its .state folder (docs/cli.md); no environment variables needed.
set -euo pipefail
trap 'echo "demo: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
scripts/ensure-deps.sh demo

state="$PWD/.state"
mkdir -p "$state/run"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export APPLIANCE__STATEDIRECTORY="$state" APPLIANCE__RUNTIMEDIRECTORY="$state/run"

broker_pid=""
cleanup() { [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null || true; }
trap cleanup EXIT
if (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
  echo "demo: using the MQTT broker already listening on 127.0.0.1:1883" >&2
else
  # mosquitto logs to stderr, which this shell writes to the log file: started as root, mosquitto drops to its own
  # user and could not open a log file in this folder itself.
  cat > "$state/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
log_dest stderr
CONF
  mosquitto -c "$state/mosquitto.conf" 2>>"$state/mosquitto.log" & broker_pid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.1; done
  if ! (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null; then
    echo "demo: mosquitto did not start listening on 127.0.0.1:1883; its log, $state/mosquitto.log, ends with:" >&2
    tail -n 5 "$state/mosquitto.log" >&2 || true
    exit 1
  fi
  echo "demo: started mosquitto on 127.0.0.1:1883 (log: $state/mosquitto.log)" >&2
fi

# Build only when a source is newer than the last Release build: a build after scripts/publish-aot.sh (which restores
# for a runtime identifier) would otherwise recompile every project.
binary=src/Appliance/bin/Release/net10.0/appliance
if [ ! -x "$binary" ] || [ -n "$(find src boards config -newer "$binary" \( -name '*.cs' -o -name '*.csproj' -o -name '*.json' -o -name '*.props' \) -not -path '*/obj/*' -not -path '*/bin/*' | head -n 1)" ] \
   || [ Directory.Build.props -nt "$binary" ] || [ Directory.Packages.props -nt "$binary" ]; then
  if [ -x "$binary" ]; then
    echo "demo: sources changed; building the appliance (Release)..." >&2
  else
    echo "demo: building the appliance (Release); the first build takes a minute or two..." >&2
  fi
  build_log="$state/build.log"
  if ! dotnet build src/Appliance/Appliance.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >"$build_log" 2>&1; then
    cat "$build_log" >&2
    echo "demo: the build failed (full output above, also in $build_log)" >&2
    exit 1
  fi
fi
echo "demo: journal $state/journal.db; watch MQTT with: mosquitto_sub -h 127.0.0.1 -t 'appliance/#' -v" >&2
echo "demo: in another terminal: $binary status | top | events --type watchdog" >&2
"$binary" run --config config/demo.json "$@"
