#!/usr/bin/env bash
# Installing real software: `districtl install` of a closure of real Debian packages (imported with import-deb and
# served by nginx on 127.0.0.1) against copying the same bytes from the same server, and against `dpkg-deb -x` of
# the same .debs.
#
#   bench/install-bench.sh [--runs N] [--packages ack,qemu-system-x86] [--cache DIR] [--no-parallel-dpkg] [--jit]
#
# Prepares once and caches under --cache (default /var/tmp/distrid-install-bench-cache, BENCH_CACHE overrides):
# the Depends/Pre-Depends closure of each package (bench/lib/deb_closure.py), its .debs (apt-get download), and a
# signed mirror of all of them and of every .deb earlier runs needed (districtl import-deb, keygen, repo build --key);
# BENCH_REBUILD=1 rebuilds the mirror.
# One untimed install per package on a fresh daemon records (nginx access log) which files the daemon fetches.
# Then per run (default 3), per package, every contender starts after `sync; echo 3 > drop_caches`:
#   distrid        a fresh daemon (new store, state, mountpoint; started, ready and idle before the clock: its
#                  start-up work, the index refresh and the runtime's background compilation, is over, as for a
#                  daemon running since boot) runs `districtl install PKG`; timed is that command, from the
#                  client's start to its exit
#   copy           curl --parallel (as many connections as the daemon's downloads) of exactly the files the daemon
#                  fetched (checked against nginx's log in the first run) to disk, then fsync of each file and the dir
#   dpkg-deb -x    of the closure's .debs, one after the other, into an empty root (no fsync, like dpkg-deb -x)
#   ... +fsync     the same followed by an fsync of every extracted file (dpkg itself fsyncs each file it unpacks)
#   dpkg-deb -x -P2  two at a time (this machine has 2 CPUs), no fsync
# Prints medians, the ratios against the goals of issue 4 and bytes/throughput. Needs root and, for the first run,
# network access for apt-get download. BENCH_KEEP=1 keeps the work directory. Daemon and client run as shipped:
# the daemon and districtl as Native AOT (DISTRID_AOT=0: the daemon self-contained with one composite ReadyToRun
# image), published from the current sources (bench/.publish, redone when src/ changes); --jit runs the plain Release builds instead, and
# DISTRID_DLL / DISTRICTL_DLL point at any other build.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/debs.sh"
. "$here/lib/distrid.sh"
. "$here/lib/nginx.sh"

runs=3 packages="ack,qemu-system-x86" cache=${BENCH_CACHE:-/var/tmp/distrid-install-bench-cache} pdpkg=1 jit=0
parallel=4 # RepositoryClientOptions.DownloadParallelism, the daemon's default
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --packages) packages=$2; shift ;;
    --cache) cache=$2; shift ;;
    --no-parallel-dpkg) pdpkg=0 ;;
    --quick) runs=1 packages=ack pdpkg=0 ;; # bench/run-all.sh: one run of the small closure
    --jit) jit=1 ;;
    -h | --help) bench_help; exit 0 ;;
    *) die "install-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a targets <<<"$packages"

require_root
require_cmds apt-get apt-cache dpkg-deb nginx curl column mountpoint
ensure_build
[ "$jit" = 1 ] || use_shipped_builds
make_workdir
W=$BENCH_WORK
mkdir -p "$W/run"

# --- preparation (cached) -------------------------------------------------------------------------------------------
fetch_closures "$cache" "${targets[@]}"
mirror=$cache/mirror
[ "${BENCH_REBUILD:-0}" = 1 ] && rm -rf "$mirror"
signed_mirror "$mirror" "${CLOSURE_DEBS[@]}"

log "nginx on 127.0.0.1 serving $mirror/repo"
nginx_start "$mirror/repo" "$W/nginx"
url=http://127.0.0.1:$NGINX_PORT
curl -fsS -o /dev/null "$url/index.json" || die "install-bench: the mirror does not serve index.json"

# --- the contenders ---------------------------------------------------------------------------------------------------
sock=$W/run/distrid.sock
daemon_args=(--repo "$url/" --trusted-keys "$mirror/trusted")
on_exit "distrid_stop"
on_exit "unmount_quietly '$W/mnt'"
fresh_daemon() { distrid_fresh "$W" "$sock" "${daemon_args[@]}"; }
install_cmd() { districtl --socket "$sock" install "$1"; }

# transfer_list PKG: what the daemon downloads for PKG, as nginx logged it during one untimed install on a fresh
# daemon: "URL<TAB>bytes sent<TAB>image bytes" per file (URL relative to the mirror; image bytes from the index).
reset_access_log() { : >"$W/nginx/access.log"; kill -USR1 "$NGINX_PID"; sleep 0.2; }
transfer_list() {
  fresh_daemon
  reset_access_log
  install_cmd "$1" >/dev/null
  distrid_stop
  sleep 0.2 # nginx writes its log line after the response
  "$BENCH_PYTHON" - "$W/nginx/access.log" "$mirror/repo/index.json" <<'PY'
import json, sys
index = {p["fullName"]: p for p in json.load(open(sys.argv[2]))["packages"]}
seen = {}
for line in open(sys.argv[1]):
    uri, status, sent = line.split()
    if status == "200" and uri.startswith("/pkg/"):
        seen[uri[1:]] = int(sent)
for uri, sent in sorted(seen.items()):
    name = uri[len("pkg/"):].split(".squashfs")[0]
    print("%s\t%d\t%d" % (uri, sent, index[name]["size"]))
PY
}

declare -A xfer_files=() xfer_bytes=() image_bytes=() deb_bytes=() deb_count=() file_count=()
for t in "${targets[@]}"; do
  transfer_list "$t" >"$W/run/xfer-$t.tsv"
  [ -s "$W/run/xfer-$t.tsv" ] || die "install-bench: install $t downloaded nothing (see $W/nginx/access.log)"
  xfer_files[$t]=$(wc -l <"$W/run/xfer-$t.tsv")
  xfer_bytes[$t]=$(awk -F'\t' '{ s += $2 } END { print s }' "$W/run/xfer-$t.tsv")
  image_bytes[$t]=$(awk -F'\t' '{ s += $3 } END { print s }' "$W/run/xfer-$t.tsv")
  mapfile -t debs < <(while read -r n; do deb_for "$n"; done <"$cache/closure-$t.txt")
  printf '%s\n' "${debs[@]}" >"$W/run/debs-$t.txt"
  deb_count[$t]=${#debs[@]}
  deb_bytes[$t]=$(du -cb "${debs[@]}" | tail -1 | cut -f1)
  # curl -K config: one url/output pair per transferred file.
  awk -F'\t' -v u="$url" -v d="$W/copy" '{ n = $1; sub(/^pkg\//, "", n); printf "url = \"%s/%s\"\noutput = \"%s/%s\"\n", u, $1, d, n }' \
    "$W/run/xfer-$t.tsv" >"$W/run/curl-$t.cfg"
done

copy_plain() {
  curl -fsS --no-progress-meter --parallel --parallel-max "$parallel" -K "$W/run/curl-$1.cfg"
  sync "$W/copy"/* "$W/copy"
}
dpkg_serial() { while read -r d; do dpkg-deb -x "$d" "$W/root"; done <"$W/run/debs-$1.txt"; }
dpkg_serial_fsync() { dpkg_serial "$1"; find "$W/root" -type f -print0 | xargs -0 -r sync; sync "$W/root"; }
dpkg_p2() { xargs -P 2 -I{} dpkg-deb -x {} "$W/root" <"$W/run/debs-$1.txt"; }

contenders=(distrid copy dpkg dpkg_fsync)
((pdpkg)) && contenders+=(dpkg_p2)
declare -A label=(
  [distrid]="districtl install" [copy]="copy (curl --parallel $parallel, fsync)"
  [dpkg]="dpkg-deb -x, serial"
  [dpkg_fsync]="dpkg-deb -x, serial, + fsync" [dpkg_p2]="dpkg-deb -x, -P 2")
declare -A results=()
record() { results[$1/$2]+="$3 "; }
check_install() {
  local t=$1 got
  got=$(find "$W/mnt" -mindepth 1 -maxdepth 1 -name '*-amd64-*' | wc -l)
  [ "$got" = "${xfer_files[$t]}" ] || die "install-bench: /ro shows $got packages after install $t, expected ${xfer_files[$t]}"
  ls "$W/mnt/bin" | grep -q "^${t%%-*}" || die "install-bench: nothing for $t in /ro/bin"
}
check_transfers() {
  # The daemon's requests, as nginx logged them, must be exactly the copy's file list.
  local t=$1
  sleep 0.2 # nginx writes its log line after the response
  awk '$2 == 200 && $1 ~ /^\/pkg\// { sub(/^\//, "", $1); print $1 }' "$W/nginx/access.log" | sort >"$W/run/got-$t.txt"
  cut -f1 "$W/run/xfer-$t.tsv" | sort | cmp -s - "$W/run/got-$t.txt" \
    || die "install-bench: distrid fetched other files than the copy list for $t (see $W/run/got-$t.txt)"
}

t_start=$(now)
for ((r = 1; r <= runs; r++)); do
  for t in "${targets[@]}"; do
    log "run $r of $runs: $t"
    for c in "${contenders[@]}"; do
      rm -rf "$W/copy" "$W/root"
      mkdir -p "$W/copy" "$W/root"
      case $c in
        distrid)
          drop_caches
          fresh_daemon
          distrid_wait_idle
          reset_access_log
          v=$(time_cmd install_cmd "$t")
          check_install "$t"
          ((r > 1)) || check_transfers "$t"
          # The daemon's own account: resolve (index), download, commit, publish (seconds).
          phases=$(grep -h "$t: generation" "$W/run/distrid.log" | tail -1 \
            | sed -n 's/.*resolve \([0-9.]*\) s;.* in \([0-9.]*\) s; commit \([0-9.]*\) s; publish \([0-9.]*\) s.*/\1 \2 \3 \4/p')
          if [ -n "$phases" ]; then
            read -r p_resolve p_fetch p_commit p_publish <<<"$phases"
            record "$t" phase_resolve "$p_resolve"; record "$t" phase_fetch "$p_fetch"
            record "$t" phase_commit "$p_commit"; record "$t" phase_publish "$p_publish"
          fi
          distrid_stop ;;
        copy) drop_caches; v=$(time_cmd copy_plain "$t") ;;
        dpkg) drop_caches; v=$(time_cmd dpkg_serial "$t") ;;
        dpkg_fsync) drop_caches; v=$(time_cmd dpkg_serial_fsync "$t") ;;
        dpkg_p2) drop_caches; v=$(time_cmd dpkg_p2 "$t") ;;
      esac
      record "$t" "$c" "$v"
    done
  done
done
# The client's own start-up and one round trip, for reading the distrid figure (not subtracted anywhere).
client_s=$( (fresh_daemon; for _ in 1 2 3; do time_cmd districtl --socket "$sock" status; done; distrid_stop) | median)

# --- the report ---------------------------------------------------------------------------------------------------------
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s + 0 == 0) print "-"; else printf "%.0f", b / 1e6 / s }'; }
echo
echo "install-bench: medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), measuring took $(elapsed "$t_start") s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
machine_info
echo "mirror: nginx on 127.0.0.1 ($url), $mirror/repo; the daemon downloads $parallel at once"
for t in "${targets[@]}"; do
  echo
  echo "$t: ${deb_count[$t]} .debs ($(mib "${deb_bytes[$t]}") MiB); distrid fetches ${xfer_files[$t]} files, $(mib "${xfer_bytes[$t]}") MiB ($(grep -c '\.zst' "$W/run/xfer-$t.tsv") as .zst), writing $(mib "${image_bytes[$t]}") MiB of images"
  declare -A med=()
  for c in "${contenders[@]}"; do med[$c]=$(tr ' ' '\n' <<<"${results[$t/$c]:-}" | { grep . || true; } | median); done
  rows=("contender"$'\t'"time (s)"$'\t'"distrid / this"$'\t'"MB/s transferred"$'\t'"MB/s written")
  for c in "${contenders[@]}"; do
    [ -n "${results[$t/$c]:-}" ] || continue
    case $c in
      distrid) written=${image_bytes[$t]} ;;
      copy) written=${xfer_bytes[$t]} ;;
      *) written=- ;;
    esac
    case $c in
      dpkg*) moved=${deb_bytes[$t]} ;;
      *) moved=${xfer_bytes[$t]} ;;
    esac
    rows+=("${label[$c]}"$'\t'"${med[$c]}"$'\t'"$(ratio "${med[distrid]}" "${med[$c]}")"$'\t'"$(mbps "$moved" "${med[$c]}")"$'\t'"$([ "$written" = - ] && echo - || mbps "$written" "${med[$c]}")")
  done
  print_table "${rows[@]}"
  bench_record "install.over_copy.$t" "$(ratio "${med[distrid]}" "${med[copy]}")"
  echo "goals: install / copy = $(ratio "${med[distrid]}" "${med[copy]}") (issue 4: <= 1.5 done, <= 1.1 goal);" \
    "dpkg-deb -x / install = $(ratio "${med[dpkg]}" "${med[distrid]}") (>= 5 done, >= 20 goal)"
  daemon_med() { tr ' ' '\n' <<<"${results[$t/phase_$1]:-}" | { grep . || true; } | median; }
  echo "inside the daemon (medians, s): resolve with index fetch $(daemon_med resolve), download $(daemon_med fetch)," \
    "commit $(daemon_med commit), publish to /ro $(daemon_med publish); the rest of the install time is districtl and the RPC"
  echo "all runs: $(for c in "${contenders[@]}"; do [ -z "${results[$t/$c]:-}" ] || printf '%s=[%s] ' "$c" "${results[$t/$c]% }"; done)"
  unset med
done
echo
echo "districtl start-up + one status round trip: ${client_s} s (included in every districtl install time)"
echo "(dpkg MB/s is of .deb bytes read; 'distrid / this' below 1 means distrid is faster)"
