#!/usr/bin/env bash
# Installs what building, testing and the demo need on a Debian machine, as root. Idempotent and quiet when
# everything is already there, so the Quick start commands can always call it.
set -euo pipefail

packages=(
  squashfs-tools   # mksquashfs / unsquashfs: oracles for our images
  squashfuse       # a FUSE anchor for benchmarks
  fuse3            # fusermount3, for mounting without root
  nginx            # a real HTTP server for mirrors
  fio              # read benchmarks
  attr             # getfattr / setfattr
  util-linux       # mount, losetup
  curl
  socat
  dbus
  polkitd
  libglib2.0-bin   # gdbus: waits for polkit on the test's private system bus
  systemd          # busctl, systemd-analyze, systemd-socket-activate in the tests (systemd need not run)
  systemd-container # systemd-nspawn: packaging/check-nspawn.sh boots real systemd as PID 1
  debootstrap      # the Debian 12 root it boots (cached under /var/tmp/distrid-ci/nspawn-root)
  strace           # SyscallFilterTests: the unit's seccomp deny list as EPERM injection
  lintian          # packaging/check-deb.sh lints the .deb
  python3          # bench helpers and the tests' LISTEN_FDS launcher
  zstd
  xz-utils
  dpkg-dev
  apt-utils        # apt-ftparchive: the import-apt tests and bench build a Debian-format archive
  gnupg            # gpg: signs that archive with a throwaway key
  gpgv             # verifies an apt archive's Release signature (repo import-apt)
  debian-archive-keyring  # import-apt's default keyring
  bsdextrautils    # column, for the benchmark tables
  clang            # links the Native AOT publishes of distrid and districtl (build-deb.sh, test.sh, bench use_shipped_builds)
  zlib1g-dev       # ditto
  patchelf         # import-deb relocates ELF interpreters and RUNPATHs into /ro
  gcc              # the relocation tests build a tiny shared library in two versions
  packagekit-tools # unmodified pkcon for the PackageKit tests; it depends on packagekit, whose packagekitd is only
                   # D-Bus activated: the tests' private bus has no activation files, so it never starts there
  bsdutils         # script: answers pkcon's prompt through a terminal
  appstream        # appstreamcli: validates our AppStream catalog and reads it the way software centers do
  gnome-software   # GNOME Software 43 itself, driven headless by the AppStream/PackageKit test
  xvfb             # ... under Xvfb
  xauth
  dbus-x11
  imagemagick      # import: the screenshot of our application page (docs/gnome-software-distrid.png)
  xdotool          # clicks Install
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v dotnet >/dev/null; then
  echo "prerequisites: the .NET 10 SDK (dotnet) is not on PATH; install it first" >&2
  exit 1
fi

# The kernel's squashfs and FUSE drivers are what users meet; load them if they are modules.
modprobe squashfs 2>/dev/null || true
modprobe fuse 2>/dev/null || true
modprobe loop 2>/dev/null || true
