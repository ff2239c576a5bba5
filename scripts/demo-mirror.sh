#!/usr/bin/env bash
# Real Debian packages through a real mirror: apt-get download a small closure (hello; ack and its Perl library),
# import the .debs with `districtl import-deb`, sign a repository, serve it with nginx on 127.0.0.1, start distrid
# on a fresh store, install, run the programs from /ro/bin, list, update to a new revision and roll back. Needs root
# (FUSE mount) and network access for apt-get download.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh
demo_begin mirror-demo

echo "== apt-get download: hello, ack, libfile-next-perl"
mkdir -p "$work/debs"
# apt's sandbox user cannot write into a root-only temp dir; download as root instead (no code runs).
(cd "$work/debs" && apt-get -q -o APT::Sandbox::User=root download hello ack libfile-next-perl)
ls -l "$work/debs"

echo "== districtl import-deb --no-relocate (not a complete closure: dependencies outside the set, such as libc6 and perl, are reported and left out; scripts/demo-relocated.sh imports a complete one)"
districtl import-deb --no-relocate "$work"/debs/*.deb -o "$work/repo/pkg"

echo "== a signed repository"
districtl keygen "$work/key"
districtl repo build "$work/repo" --key "$work/key"
mkdir -p "$work/trusted"
cp "$work/key.pub" "$work/trusted/demo.pub"

echo "== nginx serves $work on 127.0.0.1"
serve_mirror "$work" "$work/nginx"
curl -fsS -o /dev/null "http://127.0.0.1:$NGINX_PORT/repo/index.json" && echo "mirror: http://127.0.0.1:$NGINX_PORT/repo/"

echo "== distrid with the mirror, a fresh store, state and mountpoint"
start_distrid --repo "http://127.0.0.1:$NGINX_PORT/repo/" --trusted-keys "$work/trusted"

echo "== districtl install hello"
districtl install hello
"$work/ro/bin/hello"

echo "== districtl install ack (pulls libfile-next-perl through the imported dependency)"
districtl install ack
PERL5LIB="$work/ro/share/perl5" "$work/ro/bin/ack" --version | head -1
printf 'needle in a haystack\n' >"$work/haystack.txt"
PERL5LIB="$work/ro/share/perl5" "$work/ro/bin/ack" --noenv needle "$work/haystack.txt"

echo "== districtl list / generations"
districtl list
districtl generations
ls "$work/ro/bin"

echo "== the mirror publishes revision 2 of hello (the same .deb imported again), re-signed"
districtl import-deb --no-relocate "$work"/debs/hello_*.deb --revision 2 -o "$work/repo/pkg"
districtl repo build "$work/repo" --key "$work/key"

echo "== districtl update: hello moves to revision 2, revision 1 stays readable under /ro/<fullname>/"
districtl update
readlink "$work/ro/bin/hello"
case "$(readlink "$work/ro/bin/hello")" in *hello-amd64-*-2/*) ;; *) echo "update did not switch /ro/bin/hello to revision 2" >&2; exit 1 ;; esac
"$work/ro/bin/hello"
ls -d "$work"/ro/hello-amd64-*

echo "== districtl rollback: hello back at revision 1"
districtl rollback
readlink "$work/ro/bin/hello"
case "$(readlink "$work/ro/bin/hello")" in *hello-amd64-*-1/*) ;; *) echo "rollback did not bring back revision 1" >&2; exit 1 ;; esac

echo "== districtl rollback 2: the generation with hello alone; ack and its library leave /ro/bin"
districtl rollback 2
districtl generations
ls "$work/ro/bin"
if [ -e "$work/ro/bin/ack" ]; then echo "ack is still in /ro/bin after rollback" >&2; exit 1; fi
"$work/ro/bin/hello"

stop_distrid
echo "== distrid stopped cleanly; the mirror demo passed"
