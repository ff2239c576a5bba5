#!/usr/bin/env bash
# Installing over a network that looks like the internet: `districtl install` of real closures from an nginx mirror
# behind bench/LinkShaper (127.0.0.1 only: a one-way delay each way, a round trip per new connection, one rate shared
# by all connections), against the physical limit of the link, a single-stream curl of the same bytes, and
# `apt-get install` of the same .debs from a local archive behind the same nginx and shaper, in one run.
#
#   bench/wan-bench.sh [--quick] [--packages ack,qemu-system-x86] [--links 100mbit/40ms,1gbit/10ms] [--runs N]
#                      [--no-apt] [--cache DIR] [--jit]
#
# --quick: ack on 100mbit/40ms, one run, no apt (for bench/run-all); its last line is "wan-bench quick: ...".
# Prepares once, cached under --cache (default /var/tmp/distrid-ci, BENCH_CACHE overrides, the layout install-bench
# and import-bench use): each package's Depends/Pre-Depends closure and .debs (apt-get download), a signed distrid
# mirror of them (import-deb --no-relocate, repo build --key; wan-mirror/), an apt archive of the same .debs
# (apt-ftparchive; wan-apt/) and a minimal Debian root (debootstrap --variant=minbase; wan-chroot/, copied per run).
# One untimed install on an unshaped link records (nginx's log) what the daemon fetches. Then per link, per run, per
# package, each after `sync; echo 3 > drop_caches`:
#   limit        the bytes that must cross the link (each image in its smaller form, .zst or plain) over the rate,
#                plus the round trips nothing can avoid: the handshake and one request
#   distrid      a fresh daemon, started and idle before the clock, runs `districtl install PKG` (timed: the command)
#   curl         one curl, one connection, the daemon's files one after the other (keep-alive), then fsync
#   apt-get      `apt-get install PKG` in a fresh copy of the Debian root whose sources name only the local archive
#                (its `apt-get update` untimed): apt downloads what the root lacks and dpkg unpacks and configures it
# Prints medians and ratios against the limit; issue 14's goal is distrid <= 1.1x the limit on both links. Per package
# it also prints the daemon's phases (resolve, download and when it started, commit, publish), the time outside them
# (client start, connection, JSON-RPC), the daemon's CPU time, `districtl status` alone, and from nginx's timing log
# the requests and connections of the install and the time from the index request to the first image request.
# DISTRID_CONFIG_JSON sets the daemon's configuration (e.g. {"downloadParallelism": 8}) for comparing settings.
# Needs root; the network once (apt-get download, debootstrap). Daemon and client run as the .deb ships them (Native
# AOT; DISTRID_AOT=0: the composite ReadyToRun daemon; see install-bench); --jit runs the Release builds; DISTRID_DLL and
# DISTRICTL_EXE name other builds (e.g. to alternate two builds run by run). BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/debs.sh"
. "$here/lib/distrid.sh"
. "$here/lib/nginx.sh"

packages="ack,qemu-system-x86" links="100mbit/40ms,1gbit/10ms" runs=1 apt=1 jit=0 quick=0
cache=${BENCH_CACHE:-/var/tmp/distrid-ci}
while (($#)); do
  case $1 in
    --quick) quick=1 packages=ack links=100mbit/40ms runs=1 apt=0 ;;
    --packages) packages=$2; shift ;;
    --links) links=$2; shift ;;
    --runs) runs=$2; shift ;;
    --no-apt) apt=0 ;;
    --cache) cache=$2; shift ;;
    --jit) jit=1 ;;
    -h | --help) bench_help; exit 0 ;;
    *) die "wan-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a targets <<<"$packages"
IFS=, read -r -a link_list <<<"$links"

require_root
require_cmds apt-get apt-cache apt-ftparchive dpkg-deb nginx curl column chroot
((apt == 0)) || require_cmds debootstrap
ensure_build
[ "$jit" = 1 ] || use_shipped_builds
SHAPER_DLL=$BENCH_DIR/LinkShaper/bin/Release/net10.0/LinkShaper.dll
[ -f "$SHAPER_DLL" ] || dotnet build "$BENCH_DIR/LinkShaper" -c Release --verbosity quiet -nologo >/dev/null
make_workdir
W=$BENCH_WORK
mkdir -p "$W/run" "$W/www"

# --- preparation (cached) -------------------------------------------------------------------------------------------
fetch_closures "$cache" "${targets[@]}"
needed=$(printf '%s\n' "${CLOSURE_DEBS[@]##*/}" | sort -u)

# The distrid mirror and the apt archive hold every .deb earlier runs needed, rebuilt when one is missing.
mirror=$cache/wan-mirror
signed_mirror "$mirror" "${CLOSURE_DEBS[@]}"
archive=$cache/wan-apt
if [ ! -s "$archive/Packages" ] || [ -n "$(comm -23 <(echo "$needed") <(sort -u "$archive/debs.txt" 2>/dev/null))" ]; then
  log "building the apt archive"
  rm -rf "$archive"
  mkdir -p "$archive"
  { echo "$needed"; cat "$mirror/debs.txt"; } | sort -u | while read -r f; do
    [ -f "$cache/debs/$f" ] && cp "$cache/debs/$f" "$archive/"
  done
  (cd "$archive" && apt-ftparchive packages . >Packages && ls ./*.deb | sed 's|^\./||' >debs.txt)
fi
chroot_base=$cache/wan-chroot
if ((apt)) && [ ! -x "$chroot_base/usr/bin/apt-get" ]; then
  suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
  source_url=$(grep -rhoE '^(URIs:|deb) *https?://[^ ]+/debian/?' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -1 | grep -oE 'https?://[^ ]+')
  log "debootstrap --variant=minbase $suite into $chroot_base (once)"
  rm -rf "$chroot_base.tmp"
  debootstrap --variant=minbase "$suite" "$chroot_base.tmp" "$source_url" >"$cache/wan-chroot.log" 2>&1 || die "debootstrap failed (see $cache/wan-chroot.log)"
  mv "$chroot_base.tmp" "$chroot_base"
fi

ln -s "$mirror/repo" "$W/www/repo"
ln -s "$archive" "$W/www/apt"
log "nginx on 127.0.0.1 serving the distrid mirror (/repo) and the apt archive (/apt)"
nginx_start "$W/www" "$W/nginx"
direct=http://127.0.0.1:$NGINX_PORT
curl -fsS -o /dev/null "$direct/repo/index.json" || die "wan-bench: the mirror does not serve index.json"

# --- the link -----------------------------------------------------------------------------------------------------------
SHAPER_PID=""
# shaper_usage: the link's account since the last call (SIGUSR1 makes the shaper print one "usage ..." line).
shaper_usage() {
  local before i
  before=$(grep -c '^usage ' "$W/run/shaper.log" || true)
  kill -USR1 "$SHAPER_PID"
  for ((i = 0; i < 200; i++)); do
    [ "$(grep -c '^usage ' "$W/run/shaper.log" || true)" -gt "$before" ] && break
    sleep 0.01
  done
  grep '^usage ' "$W/run/shaper.log" | tail -1
}
shaper_stop() { [ -z "$SHAPER_PID" ] || { kill -TERM "$SHAPER_PID" 2>/dev/null; wait "$SHAPER_PID" 2>/dev/null || true; SHAPER_PID=""; }; }
on_exit shaper_stop
# shaper_start RATE RTT: a shaped link in front of nginx; sets SHAPED to its base URL.
shaper_start() {
  rm -f "$W/run/shaper.ready"
  dotnet "$SHAPER_DLL" --target "$NGINX_PORT" --rate "$1" --rtt "$2" --ready-file "$W/run/shaper.ready" >>"$W/run/shaper.log" 2>&1 &
  SHAPER_PID=$!
  local i
  for ((i = 0; i < 600; i++)); do [ -s "$W/run/shaper.ready" ] && break; sleep 0.05; done
  [ -s "$W/run/shaper.ready" ] || die "wan-bench: the link shaper did not start (see $W/run/shaper.log)"
  SHAPED=http://127.0.0.1:$(cat "$W/run/shaper.ready")
}

# --- the contenders ---------------------------------------------------------------------------------------------------
sock=$W/run/distrid.sock
on_exit "distrid_stop"
on_exit "unmount_quietly '$W/mnt'"
# fresh_daemon URL: a fresh daemon whose mirror is URL/repo/.
fresh_daemon() { distrid_fresh "$W" "$sock" --repo "$1/repo/" --trusted-keys "$mirror/trusted"; }
reset_access_log() { : >"$W/nginx/access.log"; : >"$W/nginx/timing.log"; kill -USR1 "$NGINX_PID"; sleep 0.2; }
# logged_bytes PREFIX: bytes nginx sent for successful requests under PREFIX since the last reset.
logged_bytes() { sleep 0.2; awk -v p="$1" '$2 ~ /^20[06]$/ && index($1, p) == 1 { s += $3 } END { print s + 0 }' "$W/nginx/access.log"; }

# What the daemon fetches for each package (unshaped, untimed): URL, bytes sent; and the bytes of the limit (each
# fetched image in its smaller form).
declare -A xfer_bytes=() limit_bytes=() xfer_files=()
for t in "${targets[@]}"; do
  fresh_daemon "$direct"
  distrid_wait_idle
  reset_access_log
  districtl --socket "$sock" install "$t" >/dev/null
  distrid_stop
  sleep 0.2
  awk '$2 == 200 && $1 ~ /^\/repo\/pkg\// { print $1 "\t" $3 }' "$W/nginx/access.log" | sort -u >"$W/run/xfer-$t.tsv"
  [ -s "$W/run/xfer-$t.tsv" ] || die "wan-bench: install $t downloaded nothing"
  xfer_files[$t]=$(wc -l <"$W/run/xfer-$t.tsv")
  xfer_bytes[$t]=$(awk -F'\t' '{ s += $2 } END { print s }' "$W/run/xfer-$t.tsv")
  limit_bytes[$t]=$("$BENCH_PYTHON" - "$W/run/xfer-$t.tsv" "$mirror/repo/index.json" <<'PY'
import json, sys
index = {p["fullName"]: p for p in json.load(open(sys.argv[2]))["packages"]}
total = 0
for line in open(sys.argv[1]):
    name = line.split("\t")[0][len("/repo/pkg/"):].split(".squashfs")[0]
    p = index[name]
    total += min(p["size"], p.get("zst", {}).get("size", p["size"]))
print(total)
PY
)
  awk -F'\t' '{ printf "url = \"BASE%s\"\noutput = \"COPY/%d\"\n", $1, NR }' "$W/run/xfer-$t.tsv" >"$W/run/curl-$t.cfg.in"
done

install_distrid() {
  districtl --socket "$sock" install "$1" >/dev/null
}
copy_single() {
  sed "s|BASE|$SHAPED|; s|COPY|$W/copy|" "$W/run/curl-$1.cfg.in" >"$W/run/curl.cfg"
  curl -fsS --no-progress-meter -K "$W/run/curl.cfg"
  sync "$W/copy"/* "$W/copy"
}
# prepare_chroot: a fresh copy of the Debian root whose apt knows only the local archive behind the shaper.
prepare_chroot() {
  local root=$W/chroot
  unmount_quietly "$root/proc"
  rm -rf "$root"
  cp -a "$chroot_base" "$root"
  rm -f "$root/etc/apt/sources.list.d/"*
  echo "deb [trusted=yes] $SHAPED/apt ./" >"$root/etc/apt/sources.list"
  printf 'Acquire::Languages "none";\nAPT::Install-Recommends "false";\n' >"$root/etc/apt/apt.conf.d/90wan-bench"
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  chroot "$root" apt-get -q update >"$W/run/apt-update.log" 2>&1 || { cat "$W/run/apt-update.log" >&2; die "wan-bench: apt-get update in the chroot failed"; }
}
on_exit "unmount_quietly '$W/chroot/proc'"
install_apt() {
  chroot "$W/chroot" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$1" >"$W/run/apt-install.log" 2>&1 \
    || { tail -20 "$W/run/apt-install.log" >&2; die "wan-bench: apt-get install $1 failed"; }
}

declare -A results=() apt_bytes=()
record() { results[$1]+="$2 "; }
t_start=$(now)
for link in "${link_list[@]}"; do
  rate=${link%/*} rtt=${link#*/}
  shaper_start "$rate" "$rtt"
  for ((r = 1; r <= runs; r++)); do
    for t in "${targets[@]}"; do
      log "$link, run $r of $runs: $t"
      drop_caches
      fresh_daemon "$SHAPED"
      distrid_wait_idle
      reset_access_log
      cpu0=$(distrid_cpu_s)
      shaper_usage >/dev/null
      t0=$EPOCHREALTIME
      install_distrid "$t"
      t1=$EPOCHREALTIME
      wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
      record "$link/$t/distrid" "$wall"
      # The link's own account (bench/LinkShaper): when its first and last response bytes went, and how long it stood
      # idle between them. lead + span + tail = the install; span - idle = its bytes at the rate.
      read -r u_first u_last u_idle < <(shaper_usage | sed -n 's/.*down: [0-9]* bytes span [0-9.]* ms from \([0-9.]*\) to \([0-9.]*\) idle \([0-9.]*\) ms.*/\1 \2 \3/p')
      if [ -n "${u_idle:-}" ]; then
        record "$link/$t/lead" "$(awk -v a="$t0" -v b="$u_first" 'BEGIN { printf "%.3f", b - a }')"
        record "$link/$t/idle" "$(awk -v i="$u_idle" 'BEGIN { printf "%.3f", i / 1000 }')"
        record "$link/$t/tail" "$(awk -v a="$u_last" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')"
      fi
      # The daemon's CPU time for the install: unlike wall time, it hardly moves with the machine's load.
      record "$link/$t/cpu" "$(awk -v a="$cpu0" -v b="$(distrid_cpu_s)" 'BEGIN { printf "%.2f", b - a }')"
      # The daemon's own account of the install: resolve (to the plan on the fresh index), download (from its first
      # request, which may start beside the index's conditional GET, to the last verified image), commit, publish, total.
      line=$(grep -h "install $t: generation" "$W/run/distrid.log" | tail -1)
      phases=$(sed -n 's/.*resolve \([0-9.]*\) s;.* in \([0-9.]*\) s; commit \([0-9.]*\) s; publish \([0-9.]*\) s.*/\1 \2 \3 \4/p' <<<"$line")
      if [ -n "$phases" ]; then
        read -r p_resolve p_fetch p_commit p_publish <<<"$phases"
        p_total=$(sed -n 's/.*; total \([0-9.]*\) s.*/\1/p' <<<"$line")
        # Builds before the early download logged no total: their phases ran one after the other.
        [ -n "$p_total" ] || p_total=$(awk -v a="$p_resolve" -v b="$p_fetch" -v c="$p_commit" -v d="$p_publish" 'BEGIN { printf "%.3f", a + b + c + d }')
        record "$link/$t/resolve" "$p_resolve"; record "$link/$t/fetch" "$p_fetch"
        record "$link/$t/commit" "$p_commit"; record "$link/$t/publish" "$p_publish"
        record "$link/$t/start" "$(sed -n 's/.*bytes, from \([0-9.]*\) s.*/\1/p' <<<"$line")"
        # What the daemon's account leaves out: the client's start, its connection and JSON-RPC, the answer's way back.
        record "$link/$t/outside" "$(awk -v w="$wall" -v t="$p_total" 'BEGIN { printf "%.3f", w - t }')"
      fi
      # The client alone (warm): start, connect, one JSON-RPC round trip.
      record "$link/$t/status" "$(time_cmd districtl --socket "$sock" status)"
      sleep 0.2 # nginx writes a request's log line after its response
      read -r q_requests q_connections q_index q_to_image < <("$BENCH_PYTHON" "$here/lib/wan_requests.py" "$W/nginx/timing.log" /repo/)
      record "$link/$t/requests" "$q_requests"; record "$link/$t/connections" "$q_connections"
      record "$link/$t/index_requests" "$q_index"; record "$link/$t/index_to_image" "$q_to_image"
      record "$link/$t/early" "$(sed -n "s/.*(\([0-9]*\) beside the index's check).*/\1/p" <<<"$line")"
      [ "$(find "$W/mnt" -mindepth 1 -maxdepth 1 -name '*-amd64-*' | wc -l)" = "${xfer_files[$t]}" ] \
        || die "wan-bench: /ro does not show the ${xfer_files[$t]} packages of $t"
      distrid_stop

      rm -rf "$W/copy"
      mkdir -p "$W/copy"
      drop_caches
      record "$link/$t/curl" "$(time_cmd copy_single "$t")"

      if ((apt)); then
        prepare_chroot
        drop_caches
        reset_access_log
        record "$link/$t/apt" "$(time_cmd install_apt "$t")"
        apt_bytes[$t]=$(logged_bytes /apt/)
        unmount_quietly "$W/chroot/proc"
        rm -rf "$W/chroot"
      fi
    done
  done
  shaper_stop
done

# --- the report ---------------------------------------------------------------------------------------------------------
mb() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1e6 }'; }
# limit_s BYTES RATE RTT: bytes over the rate plus two round trips (handshake, request), in seconds.
limit_s() { awk -v b="$1" -v r="$(rate_bps "$2")" -v t="$(rtt_s "$3")" 'BEGIN { printf "%.3f", b * 8 / r + 2 * t }'; }
rate_bps() { awk -v s="$1" 'BEGIN { n = s + 0; u = tolower(s); m = u ~ /gbit/ ? 1e9 : u ~ /mbit/ ? 1e6 : u ~ /kbit/ ? 1e3 : 1; print n * m }'; }
rtt_s() { awk -v s="$1" 'BEGIN { n = s + 0; print (s ~ /ms$/) ? n / 1000 : (s ~ /s$/) ? n : n / 1000 }'; }
med() { tr ' ' '\n' <<<"${results[$1]:-}" | { grep -vx -e - -e '' || true; } | median | sed "s/^nan$/-/"; }

echo
echo "wan-bench: medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), measuring took $(elapsed "$t_start") s, load average $(cut -d' ' -f1-3 /proc/loadavg)"
machine_info
echo "mirror: nginx on 127.0.0.1 behind bench/LinkShaper; daemon configuration: ${DISTRID_CONFIG_JSON:-{\}}"
if [ -n "${BENCH_USER_DLLS:-}" ]; then
  echo "builds: DISTRID_DLL=$DISTRID_DLL, districtl ${DISTRICTL_EXE:-$DISTRICTL_DLL}"
elif [ "$jit" = 1 ]; then
  echo "builds: Release (JIT) daemon and client (--jit)"
else
  echo "builds: as the .deb ships them: $DISTRID_BUILD daemon, $([ -n "${DISTRICTL_EXE:-}" ] && echo "Native AOT" || echo ReadyToRun) districtl"
fi
quick_line=""
for link in "${link_list[@]}"; do
  rate=${link%/*} rtt=${link#*/}
  echo
  echo "link $rate, RTT $rtt"
  rows=("package"$'\t'"fetched MB"$'\t'"limit s"$'\t'"distrid s"$'\t'"x limit"$'\t'"its download s"$'\t'"x limit"$'\t'"curl 1 stream s"$'\t'"x limit"$'\t'"apt-get s"$'\t'"x limit"$'\t'"apt MB"$'\t'"apt x own limit")
  for t in "${targets[@]}"; do
    lim=$(limit_s "${limit_bytes[$t]}" "$rate" "$rtt")
    d=$(med "$link/$t/distrid") c=$(med "$link/$t/curl")
    a=- ab=- aown=-
    if ((apt)); then
      a=$(med "$link/$t/apt") ab=$(mb "${apt_bytes[$t]}")
      aown=$(ratio "$a" "$(limit_s "${apt_bytes[$t]}" "$rate" "$rtt")")
    fi
    f=$(med "$link/$t/fetch")
    rows+=("$t (${xfer_files[$t]} images)"$'\t'"$(mb "${xfer_bytes[$t]}")"$'\t'"$lim"$'\t'"$d"$'\t'"$(ratio "$d" "$lim")"$'\t'"$f"$'\t'"$(ratio "$f" "$lim")"$'\t'"$c"$'\t'"$(ratio "$c" "$lim")"$'\t'"$a"$'\t'"$([ "$a" = - ] && echo - || ratio "$a" "$lim")"$'\t'"$ab"$'\t'"$aown")
    quick_line+="$t $link install/limit $(ratio "$d" "$lim") download/limit $(ratio "$f" "$lim") curl/limit $(ratio "$c" "$lim"); "
    bench_record "wan.install_over_limit.${rate}_${rtt}.$t" "$(ratio "$d" "$lim")"
  done
  print_table "${rows[@]}"
  for t in "${targets[@]}"; do
    echo "  $t inside the daemon (s): resolve with the index's conditional GET $(med "$link/$t/resolve"), download $(med "$link/$t/fetch") from $(med "$link/$t/start")," \
      "commit $(med "$link/$t/commit"), publish to /ro $(med "$link/$t/publish"); outside it (client start, RPC) $(med "$link/$t/outside"); daemon CPU $(med "$link/$t/cpu")"
    echo "  $t on the wire: $(med "$link/$t/requests") requests ($(med "$link/$t/index_requests") for the index) on $(med "$link/$t/connections") connections;" \
      "images requested beside the index's check $(med "$link/$t/early"); index request to first image request at nginx $(med "$link/$t/index_to_image") ms (RTT $rtt);" \
      "districtl status (client start, connect, one call) $(med "$link/$t/status") s"
    echo "  $t on the link (s): first response byte $(med "$link/$t/lead") after the command started, the link idle $(med "$link/$t/idle")" \
      "between its first and last byte, the command ended $(med "$link/$t/tail") after the last byte"
  done
done
echo
echo "limit: the fetched images in their smaller form (.zst or plain) over the rate + 2 RTT (handshake, request);" \
  "distrid's time also holds its client's start, the index's conditional GET and the commit; apt-get's holds dpkg"
echo "all runs: $(for k in "${!results[@]}"; do printf '%s=[%s] ' "$k" "${results[$k]% }"; done | tr ' ' '\n' | sort | tr '\n' ' ')"
((quick == 0)) || echo "wan-bench quick: ${quick_line%; }"
