#!/usr/bin/env bash
# districtl's own cost: `districtl --help` (start-up only), `districtl status` (start-up, connect, one JSON-RPC
# round trip; the daemon answers in a few ms) against a running daemon with an empty store, and the same `status`
# with the page cache dropped before each run ("status_cold"), N runs each (default 20), interleaved so every
# contender sees the same load. Prints median and min wall times in ms.
#
#   bench/client-startup-bench.sh [RUNS | --quick]   (--quick: 10 runs)
#   BASE_REF=main bench/client-startup-bench.sh   # also a ReadyToRun publish of districtl from that git ref
#   AOT_ONE=1 bench/client-startup-bench.sh       # also every verb in one Native AOT executable (before issue 14's thin client)
#
# Contenders: the current sources' districtl as ReadyToRun (framework-dependent, `dotnet districtl.dll`) and as
# Native AOT (what packaging/build-deb.sh ships: the thin districtl, districtl-tools beside it), plus BASE_REF's
# ReadyToRun build and the single Native AOT executable when asked for. Needs root (the
# daemon mounts /ro), clang (scripts/prerequisites.sh) for the AOT publish.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/distrid.sh"
require_root
runs=${1:-20}
[ "$runs" = --quick ] && runs=10

use_shipped_builds
[ -n "${DISTRICTL_EXE:-}" ] || die "no Native AOT districtl was published (is clang installed?)"
make_workdir
W=$BENCH_WORK
declare -A cmd=([r2r]="dotnet $DISTRICTL_DLL" [aot]="$DISTRICTL_EXE")
order=(r2r aot)
if [ -n "${BASE_REF:-}" ]; then
  log "publishing districtl from $BASE_REF"
  mkdir -p "$W/base-src"
  git -C "$BENCH_REPO" archive "$BASE_REF" | tar -x -C "$W/base-src"
  dotnet publish "$W/base-src/src/districtl" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
    -o "$W/base" --verbosity quiet -nologo >/dev/null
  cmd[base]="dotnet $W/base/districtl.dll"
  order=(base "${order[@]}")
fi
if [ "${AOT_ONE:-0}" = 1 ]; then
  log "publishing districtl with every verb as one Native AOT executable"
  dotnet publish "$BENCH_REPO/src/districtl" -c Release -r linux-x64 -p:DistrictlNativeAot=true -p:DistrictlFlavor=full \
    -o "$W/aot-one" --verbosity quiet -nologo >/dev/null
  cmd[aot-one]="$W/aot-one/districtl"
  order=(aot-one "${order[@]}")
fi

sock=$W/run/distrid.sock
mkdir -p "$W/run" "$W/store"
on_exit "distrid_stop"
on_exit "unmount_quietly '$W/mnt'"
distrid_start "$W/store" "$W/state" "$W/mnt" "$sock" 0

# timed CMD...: wall seconds of CMD, output discarded; a failing run stops the bench instead of timing an error.
timed() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null || die "failed: $*"
  elapsed "$t0"
}

declare -A times
for c in "${order[@]}"; do
  # One untimed run each: the page cache holds every contender's files before timing starts.
  ${cmd[$c]} --socket "$sock" status >/dev/null
done
for ((i = 0; i < runs; i++)); do
  for c in "${order[@]}"; do
    times[help/$c]+=" $(timed ${cmd[$c]} --help)"
    times[status/$c]+=" $(timed ${cmd[$c]} --socket "$sock" status)"
  done
done
for ((i = 0; i < runs; i++)); do
  for c in "${order[@]}"; do
    drop_caches
    times[status_cold/$c]+=" $(timed ${cmd[$c]} --socket "$sock" status)"
  done
done

rows=("test	contender	median ms	min ms")
for t in help status status_cold; do
  for c in "${order[@]}"; do
    med=$(tr ' ' '\n' <<<"${times[$t/$c]}" | grep . | median)
    min=$(tr ' ' '\n' <<<"${times[$t/$c]}" | grep . | sort -g | head -1)
    bench_record "client.${t}_ms.$c" "$(awk -v v="$med" 'BEGIN { printf "%.1f", v * 1000 }')"
    rows+=("$t	$c	$(awk -v v="$med" 'BEGIN { printf "%.1f", v * 1000 }')	$(awk -v v="$min" 'BEGIN { printf "%.1f", v * 1000 }')")
  done
done
machine_info
echo "runs: $runs each, interleaved; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
print_table "${rows[@]}"
