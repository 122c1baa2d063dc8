#!/usr/bin/env bash
# Publishes the trimmed NativeAOT `appliance` binary (net10.0).
#   scripts/publish-aot.sh [RID] [OUTDIR] [dotnet publish options...]
# RID is linux-x64 (default) or linux-arm64; OUTDIR defaults to out/aot/RID.
# Cross-compiling to linux-arm64 needs clang and Debian's aarch64 cross packages: scripts/ensure-deps.sh aot.
set -euo pipefail
trap 'echo "publish-aot: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
rid=${1:-linux-x64}
out=${2:-out/aot/$rid}
case "$rid" in
  linux-x64|linux-arm64) ;;
  *) echo "publish-aot: unknown RID '$rid' (expected linux-x64 or linux-arm64)" >&2; exit 2 ;;
esac
if [ "$rid" = linux-arm64 ] && [ "$(uname -m)" != aarch64 ] && ! command -v clang >/dev/null 2>&1; then
  echo "publish-aot: cross-compiling to linux-arm64 needs clang on PATH: run scripts/ensure-deps.sh aot" >&2
  exit 3
fi
echo "publishing NativeAOT appliance for $rid into $out" >&2
dotnet publish src/Appliance/Appliance.csproj -c Release -r "$rid" -p:PublishAot=true -o "$out" -nologo "${@:3}"
ls -l "$out/appliance" >&2
