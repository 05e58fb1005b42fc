#!/usr/bin/env bash
# Builds (once) a minimal Debian root with PowerDNS Authoritative for the end-to-end tests and
# prints its path. Cached under ${THUNDERSTREAM_E2E_CACHE:-/var/cache/thunderstream-e2e}, keyed by
# the suite and the package list, outside any checkout; concurrent callers wait for one build.
# Usage: pdns-root.sh [SUITE]   (default trixie: PowerDNS 4.9; bookworm: 4.7)
set -euo pipefail
suite="${1:-trixie}"
packages="pdns-server,pdns-backend-lmdb,bind9-dnsutils"
cache="${THUNDERSTREAM_E2E_CACHE:-/var/cache/thunderstream-e2e}"
key="$(printf '%s %s' "$suite" "$packages" | sha256sum | cut -c1-12)"
root="$cache/$suite-$key"

if [ -x "$root/usr/sbin/pdns_server" ]; then
  echo "$root"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "pdns-root.sh: building $root needs root (debootstrap, chroot)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >&2
fi
mkdir -p "$cache"
exec 9>"$cache/.lock"
flock 9
if [ ! -x "$root/usr/sbin/pdns_server" ]; then
  rm -rf "$root.tmp"
  echo "pdns-root.sh: debootstrap $suite with $packages into $root" >&2
  debootstrap --variant=minbase --include="$packages" "$suite" "$root.tmp" >&2 \
    || { tail -n 30 "$root.tmp/debootstrap/debootstrap.log" >&2 2>/dev/null || true; exit 1; }
  # The packaged service is never started in the root: the tests run pdns_server themselves.
  rm -f "$root.tmp/etc/powerdns/pdns.d/"*.conf 2>/dev/null || true
  mv "$root.tmp" "$root"
fi
echo "$root"
