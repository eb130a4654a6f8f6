#!/usr/bin/env bash
# Prints the path of a docker compose v2 binary to test berth against, as a
# real peer: Debian 13's docker-compose 2.26.1 package (a static Go binary,
# so it runs on Debian 12). Bookworm only has docker-compose 1.29, and Docker
# Hub and GitHub are out of reach; Debian's archive is not. The .deb is
# pinned by its SHA-256 and unpacked (never installed) into a cache directory
# shared with the benchmarks.
#   usage: scripts/compose-v2.sh
set -euo pipefail
version=2.26.1-4
sha256=47681197cb2b1ab88206b42a1a92fc75f50d9530a6322d03494a473eed0408ea
mirror=${BERTH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
cache=${BERTH_DEBIAN_CACHE:-/var/cache/berth-bench}
bin=$cache/compose-v2-$version/docker-compose
mkdir -p "$cache"
exec 9>"$cache/.compose-v2.lock"
flock 9 # one fetcher at a time; the others wait and reuse its binary
if [ ! -x "$bin" ]; then
  work=$(mktemp -d "$cache/fetch-XXXXXX")
  trap 'rm -rf "$work"' EXIT
  deb=$work/docker-compose.deb
  curl -fsS --retry 3 -o "$deb" "$mirror/pool/main/d/docker-compose/docker-compose_${version}_amd64.deb"
  echo "$sha256  $deb" | sha256sum -c --quiet - || { echo "docker-compose_$version.deb: checksum mismatch" >&2; exit 1; }
  dpkg-deb -x "$deb" "$work/root"
  mkdir -p "$(dirname "$bin")"
  mv "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$bin.tmp"
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
