#!/usr/bin/env bash
# Importing whole closures from an apt archive: `districtl repo import-apt` of the closures of real programs from a
# local Debian-format archive on nginx (127.0.0.1), against the obvious script that turns the same .debs into
# images with `dpkg-deb -x` and `mksquashfs -comp zstd`, one package per job, 2 jobs at a time.
#
#   bench/import-bench.sh [--packages qemu-system-x86,python3,git,ack,curl] [--cache DIR] [--jit]
#
# Prepares (cached under --cache, default /var/tmp/distrid-ci, BENCH_CACHE overrides; the layout install-bench uses):
# the Depends/Pre-Depends closure of each package (bench/lib/deb_closure.py) and its .debs (apt-get download, from
# the machine's apt sources; needs the network once). Then, untimed, a signed archive of exactly those .debs
# (apt-ftparchive packages, contents and release; a throwaway gpg key in the work directory) served by nginx.
# Timed, one run each, after `sync; echo 3 > drop_caches`:
#   import-apt         from nothing: verify InRelease and Packages, resolve, download (loopback) and verify every
#                      .deb, build the images (no --key: the script does not index or sign either)
#   import-apt again   the same command on the same archive: nothing changed, so nothing is rebuilt
#   script -P2         dpkg-deb -x + mksquashfs -comp zstd per .deb, 2 in parallel (this machine has 2 CPUs)
# and the store size (images) against the .debs' size. Prints the ratios against issue 11's goals (import-apt at
# most 0.5x the script; the re-run under 1 s). Needs root. BENCH_KEEP=1 keeps the work directory. districtl runs as
# shipped (Native AOT, bench/.publish, as install-bench); --jit runs the plain Release build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/debs.sh"
. "$here/lib/nginx.sh"

packages="qemu-system-x86,python3,git,ack,curl" cache=${BENCH_CACHE:-/var/tmp/distrid-ci} jit=0
while (($#)); do
  case $1 in
    --packages) packages=$2; shift ;;
    --cache) cache=$2; shift ;;
    --jit) jit=1 ;;
    --quick) packages=ack ;; # bench/run-all.sh: the small closure only
    -h | --help) bench_help; exit 0 ;;
    *) die "import-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a targets <<<"$packages"

require_root
require_cmds apt-get apt-cache apt-ftparchive gpg gpgv dpkg-deb mksquashfs nginx column xz gzip
ensure_build
[ "$jit" = 1 ] || use_shipped_builds
make_workdir
W=$BENCH_WORK

# --- preparation (cached) -------------------------------------------------------------------------------------------
# The archive also holds dash's closure: nothing declares /bin/sh, so import-apt finds its provider through the
# archive's Contents index and adds it (the script's images get no such help; they are not relocated either).
archived=("${targets[@]}" dash)
fetch_closures "$cache" "${archived[@]}"
debs=("${CLOSURE_DEBS[@]}")
deb_bytes=$(du -cb "${debs[@]}" | tail -1 | cut -f1)

# --- the archive (untimed) ------------------------------------------------------------------------------------------
log "building a signed archive of ${#debs[@]} .debs"
A=$W/archive
mkdir -p "$A/pool/main" "$A/dists/bench/main/binary-amd64"
cp "${debs[@]}" "$A/pool/main/"
export GNUPGHOME=$W/gnupg
mkdir -m 700 "$GNUPGHOME"
on_exit "gpgconf --kill all"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' --quick-gen-key "import-bench <bench@test.invalid>" ed25519 sign 1d
gpg --batch --output "$W/keyring.gpg" --export
(
  cd "$A"
  apt-ftparchive packages pool >dists/bench/main/binary-amd64/Packages
  xz -k dists/bench/main/binary-amd64/Packages
  apt-ftparchive contents pool | gzip -n >dists/bench/main/Contents-amd64.gz
  apt-ftparchive -o APT::FTPArchive::Release::Suite=bench -o APT::FTPArchive::Release::Components=main \
    -o APT::FTPArchive::Release::Architectures=amd64 release dists/bench >"$W/Release"
  mv "$W/Release" dists/bench/Release
  gpg --batch --yes --clearsign -o dists/bench/InRelease dists/bench/Release
)
nginx_start "$A" "$W/nginx"

# --- timed ----------------------------------------------------------------------------------------------------------
import() { districtl repo import-apt --source "http://127.0.0.1:$NGINX_PORT/" --suite bench --keyring "$W/keyring.gpg" \
  "${targets[@]}" -o "$W/repo" --cache "$W/debcache"; }
drop_caches
log "import-apt (${targets[*]})"
t_import=$(time_cmd import)
drop_caches
log "import-apt again (nothing changed)"
t_again=$(time_cmd import)

script_one() { # DEB OUT: what a person would write
  local d
  d=$(mktemp -d "$2/x.XXXXXX")
  dpkg-deb -x "$1" "$d"
  mksquashfs "$d" "$2/$(basename "$1" .deb).squashfs" -comp zstd -noappend -quiet -no-progress >/dev/null
  rm -rf "$d"
}
export -f script_one
mkdir -p "$W/script"
drop_caches
log "script: dpkg-deb -x + mksquashfs -comp zstd, 2 in parallel"
t_script=$(time_cmd bash -c 'printf "%s\0" "${@:2}" | xargs -0 -P2 -I{} bash -c "script_one \"\$1\" \"\$2\"" _ {} "$1"' _ "$W/script" "${debs[@]}")

images=$(find "$W/repo/pkg" -name '*.squashfs' | wc -l)
store_bytes=$(du -cb "$W/repo/pkg/"*.squashfs | tail -1 | cut -f1)
script_bytes=$(du -cb "$W/script/"*.squashfs | tail -1 | cut -f1)

machine_info
echo "closure of ${targets[*]}: ${#debs[@]} .debs, $((deb_bytes / 1048576)) MiB; import-apt built $images images"
bench_record "import.over_script" "$(ratio "$t_import" "$t_script")"
print_table \
  $'contender\tseconds\tratio to script\tgoal' \
  "import-apt"$'\t'"$t_import"$'\t'"$(ratio "$t_import" "$t_script")"$'\t'"<= 0.5" \
  "import-apt again"$'\t'"$t_again"$'\t'"-"$'\t'"< 1 s" \
  "script -P2"$'\t'"$t_script"$'\t'"1.00"$'\t'"-"
print_table \
  $'bytes\tMiB\tratio to .debs' \
  ".debs"$'\t'"$((deb_bytes / 1048576))"$'\t'"1.00" \
  "import-apt images"$'\t'"$((store_bytes / 1048576))"$'\t'"$(ratio "$store_bytes" "$deb_bytes")" \
  "script images"$'\t'"$((script_bytes / 1048576))"$'\t'"$(ratio "$script_bytes" "$deb_bytes")"
