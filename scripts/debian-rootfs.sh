#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem tarball,
# making it with debootstrap the first time (about 30 s and 200 MB from
# Debian's archive) and keeping it in a cache directory shared with the
# benchmarks, so tests and benches build it once per machine.
#   usage: scripts/debian-rootfs.sh
set -euo pipefail
cache=${BERTH_DEBIAN_CACHE:-/var/cache/berth-bench}
tar_path=$cache/debian-bookworm-minbase-rootfs.tar
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one maker at a time; the others wait and reuse its tar
if [ ! -s "$tar_path" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed: apt-get install debootstrap" >&2; exit 1; }
  work=$(mktemp -d "$cache/build-XXXXXX")
  trap 'umount -R "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
  debootstrap --variant=minbase bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  # Sorted with numeric owners so the same rootfs always gives the same tar.
  tar --sort=name --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$tar_path"
fi
echo "$tar_path"
