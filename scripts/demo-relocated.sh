#!/usr/bin/env bash
# Real software that stands on its own: `districtl repo import-apt` reads the machine's apt archive itself (InRelease
# verified against Debian's archive keyring, Packages and every .deb by their hashes), resolves the closure of curl (a
# compiled program with shared libraries) and ack (a perl program) plus what they use without declaring it (the
# provider of /bin/sh), relocates it (ELF interpreters and RUNPATHs, shebangs and links all point into /ro; perl gets
# a wrapper) into a signed repository served by nginx on 127.0.0.1; distrid installs it, and it runs in a root that
# holds nothing but /ro and /bin/sh -> /ro/bin/sh. Needs root (FUSE mount, unshare, chroot). Downloaded .debs are kept
# in /var/tmp/distrid-ci/demo-debs, so a second run fetches only the archive's index.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=lib/demo.sh
source scripts/lib/demo.sh
demo_begin relocated-demo

source=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$source" ] || source=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
echo "== districtl repo import-apt --source $source --suite $suite curl ack (closure, verified, relocated, signed)"
districtl keygen "$work/key"
districtl repo import-apt --source "$source" --suite "$suite" curl ack -o "$work/repo" --key "$work/key" \
  --cache /var/tmp/distrid-ci/demo-debs | tail -3
mkdir -p "$work/trusted"
cp "$work/key.pub" "$work/trusted/demo.pub"
serve_mirror "$work" "$work/nginx"

echo "== distrid with the mirror; districtl install curl ack dash"
start_distrid --repo "http://127.0.0.1:$NGINX_PORT/repo/" --trusted-keys "$work/trusted"
districtl install curl ack dash
ack_dir=$(cd "$work/ro" && echo ack-amd64-*)
# curl itself is wrapped (it sets SASL_PATH for its closure's SASL modules); the ELF file is what the wrapper runs.
curl_elf=$(grep -o "exec '[^']*'" "$work/ro/bin/curl" | sed "s|exec '/ro/||; s|'$||" || true)
curl_elf="$work/ro/${curl_elf:-bin/curl}"
echo "relocated: $(readelf -lW "$curl_elf" | grep -o 'interpreter: [^]]*')"
echo "           $(readelf -dW "$curl_elf" | grep -o 'runpath: .*')"
echo "           /ro/bin/ack: $(head -1 "$work/ro/$ack_dir/bin/ack") wrapper, exec $(grep -o "exec '[^']*'" "$work/ro/$ack_dir/bin/ack")"

echo "== a root holding only /ro and /bin/sh -> /ro/bin/sh"
root="$work/root"
mkdir -p "$root/ro" "$root/bin"
ln -s /ro/bin/sh "$root/bin/sh"
find "$root" | sed "s|^$root|  root|"
in_root() { unshare --mount --propagation private sh -c 'mount --bind "$1" "$2/ro" && shift 2 && exec env -i PATH=/ro/bin /usr/sbin/chroot "$0" "$@"' "$root" "$work/ro" "$root" "$@"; }

echo "== curl (compiled, with shared libraries) fetches the mirror's index over http from 127.0.0.1"
in_root /ro/bin/curl --version | head -1
in_root /ro/bin/curl -sS "http://127.0.0.1:$NGINX_PORT/repo/index.json" | head -c 120; echo " ..."
echo "== ack (perl, with a module from another package) finds a pattern"
in_root /ro/bin/ack --nocolor 'Andy Lester' "/ro/$ack_dir/share/perl5/App/Ack.pm" | head -2
echo "== /bin/sh is the closure's dash"
in_root /bin/sh -c 'echo "hello from $0 in a root holding: $(echo /*)"'
echo "== the relocated closure ran from /ro alone"
