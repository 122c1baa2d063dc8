#!/usr/bin/env bash
# Builds (or reuses) what the arm64 tests run, under out/arm64/, and prints KEY=PATH lines on stdout.
#   scripts/arm64-assets.sh binary   the linux-arm64 NativeAOT appliance, published once per source hash
#   scripts/arm64-assets.sh vm       that binary plus Debian's arm64 kernel, busybox and a base initramfs
# Needs scripts/ensure-deps.sh aot (clang, the cross packages, qemu, multiarch arm64 libraries).
# Safe to run concurrently: one run at a time builds, the others wait and reuse its result.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-vm}
case "$what" in binary|vm) ;; *) echo "arm64-assets: unknown target '$what' (expected binary or vm)" >&2; exit 2 ;; esac

# Debian's arm64 kernel ABI: pinned here, and only here. When the archive no longer serves it (Debian moves it on
# with kernel updates), the script takes the current one from linux-image-arm64's dependency and says so.
kernel_abi=6.1.0-57
# Libraries the appliance loads with dlopen (LibraryImport) besides its ELF dependencies; their own dependencies
# are found from their ELF headers. libgpiod serves the "libgpiod" driver.
dlopen_libs=(libsqlite3.so.0 libgpiod.so.2)
multiarch_dirs=(/usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)

root=out/arm64
mkdir -p "$root"
exec 9>"$root/.lock"
flock 9

log() { echo "arm64-assets: $*" >&2; }

# The binary and the initramfs: keyed by a hash of everything that goes into them.
source_hash() {
  { find src boards -type d \( -name bin -o -name obj \) -prune -o -type f -print
    ls Directory.Build.props Directory.Packages.props global.json scripts/publish-aot.sh scripts/arm64-assets.sh 2>/dev/null
  } | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16
}
hash=$(source_hash)
bin_dir=$root/appliance-$hash
if [ ! -x "$bin_dir/appliance" ]; then
  log "publishing linux-arm64 for source hash $hash"
  start=$(date +%s)
  rm -rf "$bin_dir.tmp"
  scripts/publish-aot.sh linux-arm64 "$bin_dir.tmp" >&2
  mv "$bin_dir.tmp" "$bin_dir"
  log "published in $(( $(date +%s) - start )) s"
  # Keep only this build (and its initramfs): the cache holds one entry per kind, not one per commit.
  find "$root" -maxdepth 1 \( -name 'appliance-*' -o -name 'initramfs-*' \) ! -name "appliance-$hash" ! -name "initramfs-$hash.cpio.gz" \
    -exec rm -rf {} +
fi
echo "BINARY=$PWD/$bin_dir/appliance"
[ "$what" = binary ] && exit 0

# Packages are fetched with apt-get download (no root, no install): busybox-static:arm64 cannot always be installed
# beside the host's own busybox, and the kernel is only needed as a file.
download() { # PACKAGE DIR
  (cd "$2" && apt-get download -q "$1" >&2)
}

kernel_dir=$root/kernel-$kernel_abi
if [ ! -f "$kernel_dir/vmlinuz" ]; then
  mkdir -p "$kernel_dir.tmp"
  if ! download "linux-image-$kernel_abi-arm64:arm64" "$kernel_dir.tmp"; then
    current=$(apt-cache depends linux-image-arm64:arm64 | sed -n 's/.*Depends: linux-image-\([0-9.]*-[0-9]*\)-arm64.*/\1/p' | head -1)
    [ -n "$current" ] || { log "cannot find Debian's arm64 kernel (apt-get update, and dpkg --add-architecture arm64?)"; exit 3; }
    log "kernel ABI $kernel_abi is no longer served; using $current (update kernel_abi in $0)"
    kernel_abi=$current
    kernel_dir=$root/kernel-$kernel_abi
    download "linux-image-$kernel_abi-arm64:arm64" "$kernel_dir.tmp"
  fi
  if [ ! -f "$kernel_dir/vmlinuz" ]; then
    # Only the kernel image: the modules are not needed (PL061, PL011 and the initramfs support are built in).
    dpkg-deb --fsys-tarfile "$kernel_dir.tmp"/linux-image-*.deb | tar -x -C "$kernel_dir.tmp" --wildcards './boot/vmlinuz-*'
    mkdir -p "$kernel_dir"
    mv "$kernel_dir.tmp"/boot/vmlinuz-* "$kernel_dir/vmlinuz"
  fi
  rm -rf "$kernel_dir.tmp"
fi
echo "KERNEL=$PWD/$kernel_dir/vmlinuz"
echo "KERNEL_ABI=$kernel_abi"

busybox=$root/busybox/busybox
if [ ! -x "$busybox" ]; then
  rm -rf "$root/busybox.tmp" && mkdir -p "$root/busybox.tmp"
  download busybox-static:arm64 "$root/busybox.tmp"
  dpkg-deb -x "$root"/busybox.tmp/busybox-static_*.deb "$root/busybox.tmp/x"
  mkdir -p "$root/busybox"
  mv "$root/busybox.tmp/x/bin/busybox" "$busybox"
  rm -rf "$root/busybox.tmp"
fi

# A library's path in the multiarch directories.
find_lib() {
  for d in "${multiarch_dirs[@]}"; do [ -e "$d/$1" ] && { echo "$d/$1"; return; }; done
  log "arm64 library $1 is missing: run scripts/ensure-deps.sh aot"; exit 3
}
needed() { aarch64-linux-gnu-readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }

initramfs=$root/initramfs-$hash.cpio.gz
if [ ! -f "$initramfs" ]; then
  stage=$(mktemp -d)
  trap 'rm -rf "$stage"' EXIT
  mkdir -p "$stage"/{bin,dev,etc,proc,sys,tmp,run,root,lib/aarch64-linux-gnu,appliance}
  cp "$busybox" "$stage/bin/busybox"
  cp "$bin_dir/appliance" "$stage/appliance/appliance"
  cp -r "$bin_dir/boards" "$stage/appliance/boards"
  # The closure of the binary's and the dlopen'd libraries' ELF dependencies.
  queue=("${dlopen_libs[@]}" $(needed "$bin_dir/appliance"))
  declare -A seen=()
  while [ ${#queue[@]} -gt 0 ]; do
    lib=${queue[0]}; queue=("${queue[@]:1}")
    [ -n "${seen[$lib]:-}" ] && continue
    seen[$lib]=1
    path=$(find_lib "$lib")
    cp -L "$path" "$stage/lib/aarch64-linux-gnu/$lib"
    queue+=($(needed "$path"))
  done
  ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$stage/lib/ld-linux-aarch64.so.1"
  cat >"$stage/init" <<'INIT'
#!/bin/busybox sh
# Base init of the arm64 test VM: mounts the kernel file systems, runs /test/run.sh (added by the test as a second
# cpio archive), prints its exit status and powers off.
/bin/busybox --install -s /bin
export PATH=/bin:/appliance LD_LIBRARY_PATH=/lib/aarch64-linux-gnu HOME=/tmp
mount -t proc proc /proc; mount -t sysfs sys /sys; mount -t devtmpfs dev /dev; mount -t tmpfs tmp /tmp; mount -t tmpfs run /run
ip link set lo up
# What every real system has: a host name (the appliance's default Node) and a user database (.NET asks for the user).
hostname arm64vm
echo "root:x:0:0:root:/root:/bin/sh" >/etc/passwd; echo "root:x:0:" >/etc/group
echo "@@ BOOTED $(uname -r) $(uname -m)"
if [ -x /test/run.sh ]; then /test/run.sh; echo "@@ EXIT $?"; else echo "@@ EXIT 127 (no /test/run.sh)"; fi
poweroff -f
INIT
  chmod +x "$stage/init"
  (cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$initramfs.tmp"
  # A test appends its own uncompressed cpio archive; the kernel finds it only at a 4-byte boundary (zeros skip).
  truncate -s %4 "$initramfs.tmp"
  mv "$initramfs.tmp" "$initramfs"
  log "initramfs $(du -h "$initramfs" | cut -f1) with $(ls "$stage/lib/aarch64-linux-gnu" | tr '\n' ' ')"
fi
echo "INITRAMFS=$PWD/$initramfs"
