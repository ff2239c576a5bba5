#!/usr/bin/env bash
# Real software that stands on its own: the Depends closure of curl (a compiled program with shared libraries) and
# ack (a perl program), plus dash for /bin/sh, downloaded from the machine's apt archive, imported and relocated
# with `districtl import-deb` (ELF interpreters and RUNPATHs, shebangs and links all point into /ro; perl gets a
# wrapper), published as a signed repository on nginx (127.0.0.1), installed by distrid, and run in a root that
# holds nothing but /ro and /bin/sh -> /ro/bin/sh. Needs root (FUSE mount, unshare, chroot).
#
# TODO(import-apt): once `districtl repo import-apt` lands, replace the apt-get download + import-deb + repo build
# steps below with one `districtl repo import-apt --source <the machine's archive> --suite <suite> curl ack dash
# -o "$work/repo" --key "$work/key"` (it resolves the closure and what Scan reports missing by itself).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/prerequisites.sh
echo "== building"
dotnet build Distrid.sln -c Release --verbosity quiet -nologo >/dev/null
districtl() { dotnet src/districtl/bin/Release/net10.0/districtl.dll "$@"; }
# exec: the background job's PID is then the daemon itself, so SIGTERM reaches it.
distrid() { exec dotnet src/Distrid/bin/Release/net10.0/distrid.dll "$@"; }

work=$(mktemp -d /tmp/distrid-relocated-demo.XXXXXX)
chmod 755 "$work"
daemon=""
nginx_pid=""
cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  umount -l "$work/ro" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

echo "== the Depends/Pre-Depends closure of curl, ack and dash (dash: the /bin/sh nothing declares)"
mapfile -t closure < <(python3 bench/lib/deb_closure.py curl ack dash 2>/dev/null)
echo "${#closure[@]} packages: ${closure[*]}"
mkdir -p "$work/debs"
# apt's sandbox user cannot write into a root-only temp dir; download as root instead (no code runs).
(cd "$work/debs" && apt-get -q -o APT::Sandbox::User=root download "${closure[@]}" >/dev/null)
du -sh "$work/debs"

echo "== districtl import-deb: the closure is complete, so every package is relocated into /ro"
districtl import-deb "$work"/debs/*.deb -o "$work/repo/pkg" 2> >(grep -v 'share/doc' >&2)

echo "== a signed repository, served by nginx on 127.0.0.1"
districtl keygen "$work/key"
districtl repo build "$work/repo" --key "$work/key"
mkdir -p "$work/trusted"
cp "$work/key.pub" "$work/trusted/demo.pub"
while :; do port=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; done
mkdir -p "$work/nginx/tmp"
cat >"$work/nginx/nginx.conf" <<CONF
user root root;
daemon off;
worker_processes 1;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections 64; }
http {
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $work/nginx/tmp/body;
    proxy_temp_path $work/nginx/tmp/proxy;
    fastcgi_temp_path $work/nginx/tmp/fastcgi;
    uwsgi_temp_path $work/nginx/tmp/uwsgi;
    scgi_temp_path $work/nginx/tmp/scgi;
    server { listen 127.0.0.1:$port; root $work; location / { } }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -e "$work/nginx/error.log" &
nginx_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

echo "== distrid with the mirror; districtl install curl ack dash"
mkdir -p "$work/ro"
echo '{}' >"$work/distrid.json"
export DISTRID_SOCKET="$work/distrid.sock"
distrid --config "$work/distrid.json" --store "$work/store" --state "$work/state" --mountpoint "$work/ro" \
  --socket "$DISTRID_SOCKET" --repo "http://127.0.0.1:$port/repo/" --trusted-keys "$work/trusted" 2>"$work/distrid.log" &
daemon=$!
for _ in $(seq 300); do [ -S "$DISTRID_SOCKET" ] && break; sleep 0.1; done
[ -S "$DISTRID_SOCKET" ] || { cat "$work/distrid.log"; exit 1; }
districtl install curl ack dash
ack_dir=$(cd "$work/ro" && echo ack-amd64-*)
echo "relocated: $(readelf -lW "$work/ro/bin/curl" | grep -o 'interpreter: [^]]*')"
echo "           $(readelf -dW "$work/ro/bin/curl" | grep -o 'runpath: .*')"
echo "           /ro/bin/ack: $(head -1 "$work/ro/$ack_dir/bin/ack") wrapper, exec $(grep -o "exec '[^']*'" "$work/ro/$ack_dir/bin/ack")"

echo "== a root holding only /ro and /bin/sh -> /ro/bin/sh"
root="$work/root"
mkdir -p "$root/ro" "$root/bin"
ln -s /ro/bin/sh "$root/bin/sh"
find "$root" | sed "s|^$root|  root|"
in_root() { unshare --mount --propagation private sh -c 'mount --bind "$1" "$2/ro" && shift 2 && exec env -i PATH=/ro/bin /usr/sbin/chroot "$0" "$@"' "$root" "$work/ro" "$root" "$@"; }

echo "== curl (compiled, with shared libraries) fetches the mirror's index over http from 127.0.0.1"
in_root /ro/bin/curl --version | head -1
in_root /ro/bin/curl -sS "http://127.0.0.1:$port/repo/index.json" | head -c 120; echo " ..."
echo "== ack (perl, with a module from another package) finds a pattern"
in_root /ro/bin/ack --nocolor 'Andy Lester' "/ro/$ack_dir/share/perl5/App/Ack.pm" | head -2
echo "== /bin/sh is the closure's dash"
in_root /bin/sh -c 'echo "hello from $0 in a root holding: $(echo /*)"'
echo "== the relocated closure ran from /ro alone"
