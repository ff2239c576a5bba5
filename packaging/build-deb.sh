#!/usr/bin/env bash
# Builds packaging/out/distrid_<version>_amd64.deb from this checkout, without debhelper:
#   dotnet publish of distrid as one Native AOT executable (no runtime beside it: no JIT, no ReadyToRun fix-ups at
#   run time; about 40 MB of RSS idle instead of about 100), and of districtl as two Native AOT executables (it starts in ~10 ms instead of ~130 ms: every `districtl install` pays that): districtl with
#   the daemon verbs, and districtl-tools with the offline verbs (pack, repo build...), which districtl hands them to
#   (src/districtl/districtl.csproj, DistrictlFlavor), into one directory, a staging tree with the systemd units, tmpfiles, D-Bus and polkit files, docs and man pages,
#   DEBIAN/ with control (Depends computed), conffiles and maintainer scripts, then dpkg-deb --root-owner-group.
#
#   packaging/build-deb.sh                 # default: Native AOT daemon and client
#   DISTRID_AOT=0 packaging/build-deb.sh   # the daemon self-contained, composite ReadyToRun (see packaging/README.md)
#   DISTRID_PUBLISH=framework packaging/build-deb.sh   # framework-dependent (needs dotnet-runtime-10.0)
#   DISTRID_VERSION=0.2.0-1 packaging/build-deb.sh
#   DISTRICTL_AOT=0 packaging/build-deb.sh   # districtl (every verb) as ReadyToRun managed code beside the daemon (no clang)
# Needs: the .NET 10 SDK, dpkg-dev (dpkg-shlibdeps), clang and zlib1g-dev (Native AOT links); man-db
# is not needed (pages are gzipped as written).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
version=${DISTRID_VERSION:-$(cat "$here/VERSION")}
publish=${DISTRID_PUBLISH:-self-contained}
districtl_aot=${DISTRICTL_AOT:-1}
distrid_aot=${DISTRID_AOT:-1}
arch=amd64
rid=linux-x64
out="$here/out"
work="$out/build"
stage="$work/root"
libdir=usr/lib/distrid

# DISTRID_REUSE_PUBLISH=1 keeps the last dotnet publish output (iterating on the staging tree only).
if [ "${DISTRID_REUSE_PUBLISH:-0}" = 1 ] && [ -d "$work/publish" ]; then
  rm -rf "$stage"
else
  rm -rf "$work"
fi
mkdir -p "$stage" "$out"

case "$publish" in
self-contained) sc=true ;;
framework) sc=false distrid_aot=0 ;;
*) echo "build-deb: DISTRID_PUBLISH must be self-contained or framework" >&2; exit 2 ;;
esac

# --- 1. Publish both programs, then merge them into one directory -------------------------------------------
# Each program is published on its own (two apphosts, two deps.json/runtimeconfig.json); they share the runtime
# and the libraries, so one directory holds both and the runtime is shipped once.
for project in Distrid districtl; do
  [ "${DISTRID_REUSE_PUBLISH:-0}" = 1 ] && [ -e "$work/publish/$project" ] && continue
  if [ "$project" = districtl ] && [ "$districtl_aot" = 1 ]; then
    # Native files that need no runtime: the same in self-contained and framework packages. districtl (thin: the
    # daemon verbs) is what every `districtl install` starts, so it holds nothing else: half the size, starting in
    # half the time; it execs districtl-tools (the offline verbs only) for pack, repo build...
    for flavor in thin tools; do
      echo "build-deb: publishing districtl, $flavor (Native AOT)" >&2
      dest=$work/publish/districtl
      [ $flavor = tools ] && dest=$work/publish/districtl-tools
      dotnet publish "$repo/src/districtl/districtl.csproj" -c Release -r "$rid" -p:DistrictlNativeAot=true \
        -p:DistrictlFlavor=$flavor -o "$dest" -v quiet -nologo >&2
    done
    continue
  fi
  if [ "$project" = Distrid ] && [ "$distrid_aot" = 1 ]; then
    echo "build-deb: publishing distrid (Native AOT)" >&2
    # Intermediate files out of src/Distrid/obj, which a plain build or publish of the same RID owns.
    dotnet publish "$repo/src/Distrid/Distrid.csproj" -c Release -r "$rid" -p:DistridNativeAot=true \
      -p:IntermediateOutputPath="$work/obj/Distrid/" -o "$work/publish/Distrid" -v quiet -nologo >&2
    continue
  fi
  # A self-contained daemon beside a native districtl owns the runtime alone: one composite ReadyToRun image of the
  # runtime and the daemon then precompiles the generic code over the runtime's types too (bench/install-bench.sh:
  # installs about a quarter faster than with separately compiled assemblies, which JIT it at first use). A
  # ReadyToRun districtl shares the runtime files with the daemon, so both keep the framework's own images.
  composite=false
  [ "$project" = Distrid ] && [ "$sc" = true ] && [ "$districtl_aot" = 1 ] && composite=true
  echo "build-deb: publishing $project ($publish, ReadyToRun$([ $composite = true ] && echo ", composite"))" >&2
  # A composite build keeps its intermediate files out of src/<project>/obj: a later plain `dotnet publish` (same
  # RID) would otherwise take the composite's component assembly as up to date, and that daemon aborts at start.
  intermediate=()
  [ $composite = true ] && intermediate=(-p:IntermediateOutputPath="$work/obj/$project/")
  dotnet publish "$repo/src/$project/$project.csproj" -c Release -r "$rid" --self-contained "$sc" \
    -p:PublishReadyToRun=true -p:PublishReadyToRunComposite=$composite -p:DebugType=portable "${intermediate[@]}" \
    -o "$work/publish/$project" -v quiet -nologo >&2
done

mkdir -p "$stage/$libdir"
if [ "$districtl_aot" = 1 ]; then
  # Only the executables: their .dbg symbols and the XML docs are not for a running system.
  install -m 0755 "$work/publish/districtl/districtl" "$stage/$libdir/districtl"
  install -m 0755 "$work/publish/districtl-tools/districtl" "$stage/$libdir/districtl-tools"
else
  cp -a "$work/publish/districtl/." "$stage/$libdir/"
fi
# The daemon's copy wins. A file both programs ship must be byte-identical, except our own shared assemblies,
# which ReadyToRun compiles once per program (same IL; a few bytes of R2R header differ). A Native AOT daemon is
# the one executable (its .dbg symbols, .pdb and XML docs are not for a running system).
daemon_files=("$work/publish/Distrid/"*)
[ "$distrid_aot" = 1 ] && daemon_files=("$work/publish/Distrid/distrid")
for f in "${daemon_files[@]}"; do
  name=$(basename "$f")
  if [ -e "$stage/$libdir/$name" ] && ! cmp -s "$f" "$stage/$libdir/$name"; then
    case "$name" in
    Distri.Core.dll | Distri.Core.pdb | Distrid.Protocol.dll | Distrid.Protocol.pdb) ;;
    *) echo "build-deb: $name differs between distrid and districtl; cannot share one directory" >&2; exit 1 ;;
    esac
  fi
  cp -a "$f" "$stage/$libdir/"
done
# XML API docs are for compilers, not for a running system. The LTTng trace provider is optional (the runtime
# loads it only if liblttng-ust is there) and would pull liblttng-ust1 in for nothing.
rm -f "$stage/$libdir/"*.xml "$stage/$libdir/libcoreclrtraceptprovider.so"
chmod 0644 "$stage/$libdir/"*
chmod 0755 "$stage/$libdir/distrid" "$stage/$libdir/districtl"
[ -e "$stage/$libdir/districtl-tools" ] && chmod 0755 "$stage/$libdir/districtl-tools"
[ -e "$stage/$libdir/createdump" ] && chmod 0755 "$stage/$libdir/createdump"

# --- 2. The system files ---------------------------------------------------------------------------------------
install -d "$stage/usr/sbin" "$stage/usr/bin"
# The apphost resolves its own symlink (realpath of /proc/self/exe), so it finds its libraries in $libdir.
ln -s ../lib/distrid/distrid "$stage/usr/sbin/distrid"
ln -s ../lib/distrid/districtl "$stage/usr/bin/districtl"

install -D -m 0644 "$repo/units/distrid.service" "$stage/lib/systemd/system/distrid.service"
# A JIT (ReadyToRun) daemon makes the code it generates executable: MemoryDenyWriteExecute= would stop it at start.
[ "$distrid_aot" = 1 ] || sed -i '/^MemoryDenyWriteExecute=/d' "$stage/lib/systemd/system/distrid.service"
install -D -m 0644 "$repo/units/distrid.socket" "$stage/lib/systemd/system/distrid.socket"
# Scheduled updates: shipped, never enabled by the maintainer scripts (systemctl enable --now distrid-update.timer).
install -D -m 0644 "$repo/units/distrid-update.timer" "$stage/lib/systemd/system/distrid-update.timer"
install -D -m 0644 "$repo/units/distrid-update.service" "$stage/lib/systemd/system/distrid-update.service"
install -D -m 0644 "$repo/units/distrid-tmpfiles.conf" "$stage/usr/lib/tmpfiles.d/distrid.conf"
install -D -m 0644 "$repo/dbus/org.distrid.Distrid1.conf" "$stage/usr/share/dbus-1/system.d/org.distrid.Distrid1.conf"
install -D -m 0644 "$repo/dbus/org.distrid.Distrid1.service" \
  "$stage/usr/share/dbus-1/system-services/org.distrid.Distrid1.service"
install -D -m 0644 "$repo/polkit/org.distrid.distrid1.policy" "$stage/usr/share/polkit-1/actions/org.distrid.distrid1.policy"
# The PackageKit service (distrid --packagekit): names of our own, beside packagekit's files for the same bus name.
install -D -m 0644 "$repo/dbus/org.distrid.PackageKit.conf" "$stage/usr/share/dbus-1/system.d/org.distrid.PackageKit.conf"
install -D -m 0644 "$repo/polkit/org.distrid.packagekit.policy" "$stage/usr/share/polkit-1/actions/org.distrid.packagekit.policy"
# Its bus activation starts distrid.service; packagekit's file of the same name is diverted by preinst.
install -D -m 0644 "$repo/dbus/org.freedesktop.PackageKit.service" \
  "$stage/usr/share/dbus-1/system-services/org.freedesktop.PackageKit.service"
install -D -m 0644 "$here/distrid.json" "$stage/etc/distri/distrid.json"
install -d -m 0755 "$stage/etc/distri/trusted.d"

doc="$stage/usr/share/doc/distrid"
install -D -m 0644 "$repo/polkit/49-distrid-example.rules" "$doc/examples/49-distrid-example.rules"
install -m 0644 "$here/debian/copyright" "$doc/copyright"
install -m 0644 "$repo/README.md" "$doc/README.md"
install -m 0644 "$repo/docs/API.md" "$doc/API.md"
gzip -9n -c "$here/debian/changelog" >"$doc/changelog.Debian.gz"
# An override for a file this build does not ship (districtl-tools with DISTRICTL_AOT=0, the runtime's compression
# shim in a framework-dependent package) is itself a lintian warning (mismatched-override): those lines are left out.
install -d "$stage/usr/share/lintian/overrides"
# Likewise the embedded zlib of a file that embeds none (the ReadyToRun daemon's apphost, DISTRID_AOT=0).
while IFS= read -r line; do
  if [[ $line =~ \[(usr/[^]:\ ]+) ]] && [ ! -e "$stage/${BASH_REMATCH[1]}" ]; then continue; fi
  if [[ $line == *"embedded-library zlib ["* ]] && ! grep -qa ' inflate [0-9.]* Copyright' "$stage/${BASH_REMATCH[1]}"; then continue; fi
  printf '%s\n' "$line"
done <"$here/debian/lintian-overrides" >"$stage/usr/share/lintian/overrides/distrid"
chmod 0644 "$stage/usr/share/lintian/overrides/distrid"
install -d "$stage/usr/share/man/man8" "$stage/usr/share/man/man1"
gzip -9n -c "$here/man/distrid.8" >"$stage/usr/share/man/man8/distrid.8.gz"
gzip -9n -c "$here/man/districtl.1" >"$stage/usr/share/man/man1/districtl.1.gz"
install -D -m 0644 "$here/completions/districtl.bash" "$stage/usr/share/bash-completion/completions/districtl"
install -D -m 0644 "$here/completions/_districtl" "$stage/usr/share/zsh/vendor-completions/_districtl"
chmod 0644 "$doc/changelog.Debian.gz" "$stage/usr/share/man/man8/distrid.8.gz" "$stage/usr/share/man/man1/districtl.1.gz"

# --- 3. DEBIAN/ ------------------------------------------------------------------------------------------------
# Depends: what the ELF files link (dpkg-shlibdeps), plus the libraries the managed code dlopens by name, which no
# ELF header shows: zlib, liblzma, liblz4, libzstd (Distri.Core/Interop: SquashFS and .deb decompression) and
# OpenSSL (System.Net.Security for https mirrors). Invariant globalization: no libicu.
elf=()
while IFS= read -r -d '' f; do
  if head -c 4 "$f" | grep -q $'\x7fELF'; then elf+=("$f"); fi
done < <(find "$stage/$libdir" -type f -print0)
shl="$work/shlibdeps"
mkdir -p "$shl/debian" "$stage/DEBIAN"
printf 'Source: distrid\n\nPackage: distrid\nArchitecture: %s\n' "$arch" >"$shl/debian/control"
# -l: the runtime's private libraries (libmscordaccore.so...) are found beside their users ($ORIGIN).
shlibs=$(cd "$shl" && dpkg-shlibdeps -O --warnings=0 -l"$stage/$libdir" "${elf[@]}" 2>"$work/shlibdeps.log" |
  sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || { cat "$work/shlibdeps.log" >&2; echo "build-deb: dpkg-shlibdeps failed" >&2; exit 1; }
dlopened="zlib1g (>= 1:1.2.0), liblzma5 (>= 5.2.0), liblz4-1 (>= 0.0~r130), libzstd1 (>= 1.5.0), libssl3"
depends="$shlibs, $dlopened"
if [ "$publish" = framework ]; then
  # Microsoft's repository (packages.microsoft.com) package; Debian 12 itself has no .NET runtime.
  depends="$depends, dotnet-runtime-10.0"
fi

installed_size=$(du -sk --apparent-size "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: distrid
Version: $version
Architecture: $arch
Maintainer: Distrid developers <distrid@example.org>
Installed-Size: $installed_size
Depends: $depends
Recommends: ca-certificates, dbus, polkitd, fuse3
Section: admin
Priority: optional
Homepage: https://github.com/distrid/distrid
Description: package manager serving immutable SquashFS images under /ro
 Distrid installs every package as one immutable SquashFS image. The daemon,
 distrid, shows all images under /ro with its own FUSE server, merges their
 bin/, lib/, share/ into /ro/bin, /ro/lib, ..., and commits every change as
 one atomic generation with rollback. Nothing is unpacked and no package runs
 code at install time.
 .
 This package contains the daemon with its systemd units (socket activation,
 watchdog, fd store), D-Bus and polkit files, and the districtl client.
EOF
echo "/etc/distri/distrid.json" >"$stage/DEBIAN/conffiles"
install -m 0755 "$here/debian/preinst" "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$stage/DEBIAN/"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum | sed 's|  \./|  |') \
  >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/md5sums"

deb="$out/distrid_${version}_${arch}.deb"
dpkg-deb --build --root-owner-group -Zxz "$stage" "$deb" >&2
echo "$deb"
