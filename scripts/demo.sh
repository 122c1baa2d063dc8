#!/usr/bin/env bash
# The main job, for a first look: the appliance with one emulated VM running the demo scenario, events stored in
# .state/journal.db (SQLite), mirrored to a local mosquitto broker, and the simulated LEDs and relay shown live in
# the terminal dashboard. Ctrl+C stops it cleanly.
#   scripts/demo.sh [extra appliance run options]
# Installs what is missing first (Debian packages via apt-get; NuGet packages via restore), then works offline.
set -euo pipefail
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
  cat > "$state/mosquitto.conf" <<CONF
listener 1883 127.0.0.1
allow_anonymous true
persistence false
log_dest file $state/mosquitto.log
CONF
  mosquitto -c "$state/mosquitto.conf" & broker_pid=$!
  for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/1883) 2>/dev/null && break; sleep 0.1; done
  echo "demo: started mosquitto on 127.0.0.1:1883 (log: $state/mosquitto.log)" >&2
fi

echo "demo: building the appliance (Release)..." >&2
dotnet build src/Appliance/Appliance.csproj -c Release -nologo -v quiet -clp:ErrorsOnly
echo "demo: journal $state/journal.db; watch MQTT with: mosquitto_sub -h 127.0.0.1 -t 'appliance/#' -v" >&2
src/Appliance/bin/Release/net10.0/appliance run --config config/demo.json "$@"
