#!/usr/bin/env bash
# Makes (or reuses) the Debian 12 root that check-nspawn.sh boots with systemd as PID 1, as root.
# Cached at $DISTRID_NSPAWN_ROOT (default /var/tmp/distrid-ci/nspawn-root); rebuilt only when the package list
# below changes (its hash is kept in the root). The packages are what the checks use plus the .deb's Depends, which
# `dpkg -i` does not fetch. debootstrap reads the machine's own apt source (no other mirror).
set -euo pipefail

root=${DISTRID_NSPAWN_ROOT:-/var/tmp/distrid-ci/nspawn-root}
include=systemd,systemd-sysv,dbus,polkitd,pkexec,libpam-systemd,fuse3,nginx-light,curl,procps,iproute2,sudo,\
ca-certificates,squashfs-tools,man-db,python3-minimal,util-linux,\
zlib1g,liblzma5,liblz4-1,libzstd1,libssl3,libstdc++6,libgcc-s1

key=$(printf '%s\n' "$include" | sha256sum | cut -c1-16)
if [ -f "$root/.distrid-root-key" ] && [ "$(cat "$root/.distrid-root-key")" = "$key" ]; then
  echo "$root"
  exit 0
fi

mirror=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
[ -n "$mirror" ] || { echo "root.sh: no apt source found on this machine" >&2; exit 1; }

rm -rf "$root" "$root.new"
mkdir -p "$(dirname "$root")"
start=$(date +%s)
debootstrap --variant=minbase --include="$include" bookworm "$root.new" "$mirror" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; echo "root.sh: debootstrap failed (log: $root.log)" >&2; exit 1; }
# The checks run commands as these two users: a plain one and a sudo member.
chroot "$root.new" useradd -m -s /bin/sh plain
chroot "$root.new" useradd -m -s /bin/sh -G sudo admin
echo distrid-ci >"$root.new/etc/hostname"
# apt inside uses only what dpkg -i brings; no network in the container.
rm -f "$root.new/etc/apt/sources.list" "$root.new"/etc/apt/sources.list.d/*
printf '%s\n' "$key" >"$root.new/.distrid-root-key"
mv "$root.new" "$root"
echo "root.sh: debootstrap took $(($(date +%s) - start)) s" >&2
echo "$root"
