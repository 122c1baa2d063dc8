#!/usr/bin/env bash
# Installs the Debian packages Appliance needs, if any are missing. Idempotent; quiet when all are present.
#   scripts/ensure-deps.sh demo   what the demo needs (broker, client library, SQLite)
#   scripts/ensure-deps.sh test   what the test suite needs (adds real QEMU, a C compiler, systemd-analyze, ...)
# As root it runs apt-get; otherwise it uses sudo when that works without a password prompt in CI,
# or asks for one on a terminal. When it cannot install, it prints exactly what to install and exits 3.
set -euo pipefail
profile=${1:-demo}
demo_pkgs=(mosquitto mosquitto-clients libmosquitto1 libsqlite3-0 sqlite3)
test_pkgs=("${demo_pkgs[@]}" qemu-system-x86 qemu-utils socat openssl gcc libc6-dev linux-libc-dev systemd procps prometheus)
case "$profile" in
  demo) pkgs=("${demo_pkgs[@]}") ;;
  test) pkgs=("${test_pkgs[@]}") ;;
  *) echo "ensure-deps: unknown profile '$profile' (expected demo or test)" >&2; exit 2 ;;
esac

if ! command -v dotnet >/dev/null 2>&1; then
  echo "ensure-deps: the .NET 10 SDK is not on PATH. Install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then run this again." >&2
  exit 3
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "ensure-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  sudo=(sudo)
else
  echo "ensure-deps: missing Debian packages and no way to install them as $(id -un)." >&2
  echo "ensure-deps: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a system-wide broker when it installs mosquitto under systemd; the demo and the tests run their own.
echo "ensure-deps: installed ${missing[*]}" >&2
