#!/usr/bin/env bash
# Publishes the trimmed NativeAOT `appliance` binary.
#   scripts/publish-aot.sh [RID] [OUTDIR]      RID defaults to linux-x64
# Builds, tests and runs use net10.0. Where the NuGet feed lacks the net10.0 NativeAOT runtime pack
# (Microsoft.NETCore.App.Runtime.NativeAOT.<rid>), set AOT_TFM=net9.0 to compile with the .NET 9 ILCompiler.
# With the full feed: AOT_TFM=net10.0 scripts/publish-aot.sh linux-arm64  (cross-compiling needs the
# arm64 sysroot: apt-get install gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu, see docs/publishing.md).
set -euo pipefail
trap 'echo "publish-aot: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."
rid=${1:-linux-x64}
out=${2:-out/aot/$rid}
tfm=${AOT_TFM:-}
if [ -z "$tfm" ]; then
  # Use net10.0 when its NativeAOT pack can be had, else the net9.0 toolchain (see PLATFORM notes in docs/publishing.md).
  tfm=net9.0
  if ls "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/microsoft.netcore.app.runtime.nativeaot.$rid/10.* >/dev/null 2>&1; then tfm=net10.0; fi
fi
echo "publishing NativeAOT appliance for $rid with $tfm into $out" >&2
dotnet publish src/Appliance/Appliance.csproj -c Release -r "$rid" -p:PublishAot=true -p:AotTfm="$tfm" \
  -o "$out" -nologo "${@:3}"
ls -l "$out/appliance" >&2
