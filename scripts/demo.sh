#!/usr/bin/env bash
# The Quick start demo, end to end on an embedded sample: pack package images with our SquashFS writer, check one
# with the kernel's squashfs driver and unpack it again, start distrid on a store of those packages and run a
# program from the /ro exchange directory; then scripts/demo-mirror.sh: real Debian packages imported into a signed
# mirror served by nginx, installed with progress, run from /ro/bin, rolled back; then scripts/demo-relocated.sh: the
# closure of curl and ack imported and relocated, installed, and run in a root that holds only /ro and /bin/sh. Needs root (loop and FUSE mounts).
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh
demo_begin demo

echo "== a sample tree: a program, a man page, a symlink, a 3 MiB file"
sample="$work/sample"
mkdir -p "$sample/bin" "$sample/share/man/man1" "$sample/share/hello"
cat >"$sample/bin/hello" <<'SCRIPT'
#!/bin/sh
echo "hello from $(readlink -f "$0")"
SCRIPT
chmod 755 "$sample/bin/hello"
echo ".TH HELLO 1" >"$sample/share/man/man1/hello.1"
ln -s hello "$sample/bin/hi"
head -c 3M /dev/urandom >"$sample/share/hello/data.bin"

echo "== districtl pack (zstd)"
districtl pack "$sample" --name hello --version 1.0 --revision 1 --summary "says hello" -o "$work/store"
sed -i 's/echo "hello/echo "hello (revision 2)/' "$sample/bin/hello"
districtl pack "$sample" --name hello --version 1.0 --revision 2 --summary "says hello" -o "$work/store"

echo "== the kernel mounts our image"
mkdir -p "$work/kernel"
mount -t squashfs -o loop,ro "$work/store/hello-amd64-1.0-1.squashfs" "$work/kernel"
ls -l "$work/kernel/bin"
cmp "$sample/share/hello/data.bin" "$work/kernel/share/hello/data.bin" && echo "data.bin: identical"
umount "$work/kernel"

echo "== districtl unpack"
districtl unpack "$work/store/hello-amd64-1.0-2.squashfs" "$work/unpacked"
diff -r "$sample" "$work/unpacked" && echo "unpacked tree: identical to the source"

echo "== distrid serves the store under /ro"
start_distrid
districtl status
districtl list
ls -l "$work/ro" "$work/ro/bin"
"$work/ro/bin/hello"
"$work/ro/hello-amd64-1.0-1/bin/hello"

stop_distrid
echo "== distrid stopped cleanly"

echo "== the main job: real Debian packages -> a signed mirror on nginx -> install, update... (scripts/demo-mirror.sh)"
scripts/demo-mirror.sh
echo "== real closures relocated to run from /ro alone: import, install, run in a root holding only /ro and /bin/sh (scripts/demo-relocated.sh)"
scripts/demo-relocated.sh
echo "== the demo passed"
