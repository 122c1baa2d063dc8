#!/usr/bin/env bash
# Installs the Debian packages Appliance needs, if any are missing. Idempotent; quiet when all are present.
#   scripts/ensure-deps.sh demo   what the demo needs (broker and its clients, SQLite; the MQTT client is managed code)
#   scripts/ensure-deps.sh aot    cross-compiling NativeAOT to linux-arm64 and running arm64 builds here: clang and
#                                 Debian's aarch64 cross packages, qemu-user-static, qemu-system-arm, the arm64 runtime
#                                 libraries through multiarch (dpkg --add-architecture arm64), cpio for the VM test
#   scripts/ensure-deps.sh test   what the test suite needs: demo + aot + real x86 QEMU, a C compiler, Go and go-qemu,
#                                 systemd-analyze, ...
# As root it runs apt-get; otherwise it uses sudo when that works without a password prompt in CI,
# or asks for one on a terminal. When it cannot install, it prints exactly what to install and exits 3.
set -euo pipefail
trap 'echo "ensure-deps: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
profile=${1:-demo}
demo_pkgs=(mosquitto mosquitto-clients libsqlite3-0 sqlite3)
# The arm64 libraries the appliance loads at run time (for qemu-user and the arm64 VM test): one list, here.
# libgpiod2 serves the "libgpiod" GPIO driver.
arm64_runtime_pkgs=(libc6:arm64 libsqlite3-0:arm64 libgpiod2:arm64)
aot_pkgs=(clang llvm binutils-aarch64-linux-gnu gcc-aarch64-linux-gnu libc6-dev-arm64-cross
  qemu-user-static qemu-system-arm cpio "${arm64_runtime_pkgs[@]}")
# Go and go-qemu (Go sources under /usr/share/gocode): a QMP client library Debian packages, which the integration
# tests run against real QEMU and against the emulator.
go_qmp_pkgs=(golang-go golang-github-digitalocean-go-qemu-dev)
test_pkgs=("${demo_pkgs[@]}" "${aot_pkgs[@]}" qemu-system-x86 qemu-utils socat openssl gcc libc6-dev linux-libc-dev systemd procps gnuplot-nox tmux prometheus
  "${go_qmp_pkgs[@]}")
case "$profile" in
  demo) pkgs=("${demo_pkgs[@]}") ;;
  aot) pkgs=("${aot_pkgs[@]}") ;;
  test) pkgs=("${test_pkgs[@]}") ;;
  *) echo "ensure-deps: unknown profile '$profile' (expected demo, aot or test)" >&2; exit 2 ;;
esac
needs_arm64=false
[[ " ${pkgs[*]} " == *":arm64 "* ]] && needs_arm64=true

if ! command -v dotnet >/dev/null 2>&1; then
  echo "ensure-deps: the .NET 10 SDK is not on PATH. Install it (https://learn.microsoft.com/dotnet/core/install/linux-debian), then run this again." >&2
  exit 3
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
arch_missing=false
if $needs_arm64 && ! dpkg --print-foreign-architectures | grep -qx arm64; then arch_missing=true; fi
[ ${#missing[@]} -eq 0 ] && ! $arch_missing && exit 0

echo "ensure-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
  sudo=(sudo)
else
  echo "ensure-deps: missing Debian packages and no way to install them as $(id -un)." >&2
  $arch_missing && echo "ensure-deps: run as root:  dpkg --add-architecture arm64" >&2
  echo "ensure-deps: run as root:  apt-get update && apt-get install -y ${missing[*]}" >&2
  exit 3
fi
export DEBIAN_FRONTEND=noninteractive
# Multiarch: arm64 runtime libraries install beside the host's (/usr/lib/aarch64-linux-gnu). Installing them can
# upgrade shared host packages (libssl3 once) so both architectures carry the same version.
if $arch_missing; then "${sudo[@]}" dpkg --add-architecture arm64; fi
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a system-wide broker when it installs mosquitto under systemd; the demo and the tests run their own.
echo "ensure-deps: installed ${missing[*]}" >&2
