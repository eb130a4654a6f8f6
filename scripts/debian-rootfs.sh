#!/usr/bin/env bash
# Prints the path of a Debian bookworm minbase root filesystem tarball,
# making it with debootstrap the first time (about 30 s and 200 MB from
# Debian's archive) and keeping it in a cache directory shared with the
# benchmarks, so tests and benches build it once per machine. Like Docker's
# own debian images it carries the apt and dpkg settings for containers:
# dpkg without fsync (a failed build step's layer is thrown away anyway), no
# .deb kept after an install, no translations, no daemon started by a
# package's postinst. The tar's name carries a version: bump it when the
# rootfs changes, or machines with an older cache keep the older rootfs.
#   usage: scripts/debian-rootfs.sh
set -euo pipefail
cache=${BERTH_DEBIAN_CACHE:-/var/cache/berth-bench}
tar_path=$cache/debian-bookworm-minbase-rootfs-v2.tar

# The settings of Docker's debian images (moby's contrib/mkimage/debootstrap).
container_settings() {
  local root=$1
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  echo 'force-unsafe-io' >"$root/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  local clean='"rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"'
  {
    echo "DPkg::Post-Invoke { $clean; };"
    echo "APT::Update::Post-Invoke { $clean; };"
    echo 'Dir::Cache::pkgcache ""; Dir::Cache::srcpkgcache "";'
  } >"$root/etc/apt/apt.conf.d/docker-clean"
  echo 'Acquire::Languages "none";' >"$root/etc/apt/apt.conf.d/docker-no-languages"
  echo 'Acquire::GzipIndexes "true"; Acquire::CompressionTypes::Order:: "gz";' >"$root/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$root/etc/apt/apt.conf.d/docker-autoremove-suggests"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
}

mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9 # one maker at a time; the others wait and reuse its tar
if [ ! -s "$tar_path" ]; then
  command -v debootstrap >/dev/null || { echo "debootstrap is not installed: apt-get install debootstrap" >&2; exit 1; }
  work=$(mktemp -d "$cache/build-XXXXXX")
  trap 'umount -R "$work/rootfs/proc" 2>/dev/null || true; rm -rf "$work"' EXIT
  debootstrap --variant=minbase bookworm "$work/rootfs" >"$work/debootstrap.log" 2>&1 || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  container_settings "$work/rootfs"
  # Sorted with numeric owners so the same rootfs always gives the same tar.
  tar --sort=name --numeric-owner --xattrs -C "$work/rootfs" -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$tar_path"
fi
echo "$tar_path"
