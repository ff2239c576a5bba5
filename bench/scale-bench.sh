#!/usr/bin/env bash
# Daemon start-up against store size: distrid on a store of 1,000 and then 10,000 small package images, each with
# its own bin/, lib/ and share/doc/ entries (so the exchange trees hold 10,000 entries too).
#
#   bench/scale-bench.sh [--runs N] [--counts 1000,10000] [--jit | --plain] [--quick]
#
# For each count it times, from launching the daemon until `status` answers and until `ls` of the mount root lists
# every package: the first start (empty state directory, no manifest cache, page cache dropped), a second start
# with the manifests cached in the state directory and the page cache warm, and one with cached manifests but a
# dropped page cache (a cold boot); and the CPU time the daemon used until then. Also the daemon's VmRSS after
# listing the root, and after listing /ro/bin and stat-ing its entries. Medians of N runs (default 5); ratios
# against issue 14's goals: 10,000 images ready in at most 0.5 s with manifests cached and 1.0 s with a cold page
# cache, RSS at most 100 MB.
# The daemon runs as shipped, a ReadyToRun publish of the current sources (bench/.publish); --jit runs the plain
# Release build; --plain runs what a developer's `dotnet publish -c Release` gives (framework-dependent, ReadyToRun
# per assembly; bench/.publish-plain). Each run also counts the methods the JIT compiled until a cached start was
# ready (one more, untimed start with DOTNET_JitStdOutFile): unlike the times, that count does not move with the
# machine's load. --quick: three runs of 10,000 images only (one run moved 0.29-0.39 s between run-all runs). Needs root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/distrid.sh"

runs=5 counts="1000,10000" jit=0 plain=0
goal_ready_s=0.5 goal_cold_s=1.0 goal_rss_mb=100
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --counts) counts=$2; shift ;;
    --jit) jit=1 ;;
    --plain) plain=1 ;;
    --quick) runs=3 counts=10000 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "scale-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a sizes <<<"$counts"

require_root
require_cmds mksquashfs mountpoint column
ensure_build
# use_plain_publish: DISTRID_DLL becomes a plain `dotnet publish -c Release` of the current sources, in src/*/obj as
# a developer's (published again when src/ changed; the shipped build's publish keeps its intermediate files apart).
use_plain_publish() {
  local out="$BENCH_REPO/bench/.publish-plain" stamp
  stamp=$( (git -C "$BENCH_REPO" rev-parse HEAD:src; git -C "$BENCH_REPO" diff HEAD -- src) | sha256sum | cut -c1-16)
  if [ "$(cat "$out/stamp" 2>/dev/null)" != "$stamp" ]; then
    log "publishing distrid as a developer does (dotnet publish -c Release)"
    rm -rf "$out"
    dotnet publish "$BENCH_REPO/src/Distrid" -c Release -o "$out/Distrid" --verbosity quiet -nologo >/dev/null
    echo "$stamp" >"$out/stamp"
  fi
  DISTRID_DLL=$out/Distrid/distrid.dll
}
if [ "$plain" = 1 ]; then
  [ -n "${BENCH_USER_DLLS:-}" ] || use_plain_publish
elif [ "$jit" = 0 ]; then
  use_shipped_builds
fi
make_workdir
W=$BENCH_WORK

log "one template image"
placeholder=pQXPKGNAMEQX
t=$W/template
mkdir -p "$t/bin" "$t/lib" "$t/share/doc/$placeholder"
printf '#!/bin/sh\necho %s\n' "$placeholder" >"$t/bin/$placeholder"
chmod 755 "$t/bin/$placeholder"
head -c 3000 /dev/zero | tr '\0' 'x' >"$t/lib/lib$placeholder.so"
echo "the documentation of $placeholder" >"$t/share/doc/$placeholder/README"
SOURCE_DATE_EPOCH=1700000000 mksquashfs "$t" "$W/template.squashfs" -noI -noD -noF -noX -all-root -noappend \
  -quiet -no-progress >/dev/null

declare -A res=()
t_start=$(now)
for n in "${sizes[@]}"; do
  store=$W/store-$n state=$W/state-$n mnt=$W/mnt-$n sock=$W/run-$n/distrid.sock
  mkdir -p "$W/run-$n" "$mnt"
  on_exit "unmount_quietly '$mnt'"
  on_exit "distrid_stop"
  log "a store of $n images"
  "$BENCH_PYTHON" "$here/lib/make_store.py" "$W/template.squashfs" "$placeholder" "$store" "$n"
  for ((r = 1; r <= runs; r++)); do
    log "$n images, run $r of $runs"
    rm -rf "$state"
    drop_caches
    distrid_start "$store" "$state" "$mnt" "$sock" "$n"
    read -r st ls <<<"$DISTRID_READY"
    res[$n/first_status]+="$st " res[$n/first_ls]+="$ls " res[$n/first_cpu]+="$(distrid_cpu_s) "
    res[$n/rss_root]+="$(distrid_rss_mib) "
    bins=$(find "$mnt/bin/" -mindepth 1 -maxdepth 1 -printf x | wc -c)
    [ "$bins" = "$n" ] || die "scale-bench: /ro/bin lists $bins entries, expected $n"
    find "$mnt/bin/" "$mnt/share/doc/" -mindepth 1 -maxdepth 1 -printf '%s\n' >/dev/null
    res[$n/rss_bin]+="$(distrid_rss_mib) "
    distrid_stop

    distrid_start "$store" "$state" "$mnt" "$sock" "$n"
    read -r st ls <<<"$DISTRID_READY"
    res[$n/warm_status]+="$st " res[$n/warm_ls]+="$ls " res[$n/warm_cpu]+="$(distrid_cpu_s) "
    res[$n/rss_cached]+="$(distrid_rss_mib) "
    distrid_stop

    drop_caches
    distrid_start "$store" "$state" "$mnt" "$sock" "$n"
    read -r st ls <<<"$DISTRID_READY"
    res[$n/cold_status]+="$st " res[$n/cold_ls]+="$ls "
    distrid_stop

    # Untimed: the methods the JIT compiled until a cached start was ready (the file grows as it compiles).
    rm -f "$W/jitted.txt"
    DISTRID_ENV="${DISTRID_ENV:+$DISTRID_ENV }DOTNET_JitStdOutFile=$W/jitted.txt DOTNET_JitDisasmSummary=1" \
      distrid_start "$store" "$state" "$mnt" "$sock" "$n"
    res[$n/jitted]+="$(grep -c 'JIT compiled' "$W/jitted.txt" 2>/dev/null || echo 0) "
    distrid_stop
  done
  manifests=$(find "$state/manifests" -type f | wc -l)
  res[$n/manifest_files]=$manifests
  res[$n/manifest_bytes]=$(du -sk "$state/manifests" | cut -f1)
  rm -rf "$store"
done

med() { tr ' ' '\n' <<<"${res[$1]:-}" | grep . | median; }
echo
echo "scale-bench: medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), measuring took $(elapsed "$t_start") s"
machine_info
echo "distrid: $(dotnet --version 2>/dev/null | sed 's/^/.NET SDK /'), image template $(stat -c %s "$W/template.squashfs") bytes"
rows=($'measure\timages\tvalue\tgoal\tvalue/goal')
for n in "${sizes[@]}"; do
  goal="-" cold_goal="-"
  [ "$n" = 10000 ] && goal=$goal_ready_s cold_goal=$goal_cold_s
  rows+=("first start, status answers (s)"$'\t'"$n"$'\t'"$(med "$n/first_status")"$'\t-\t-')
  rows+=("first start, root listed (s)"$'\t'"$n"$'\t'"$(med "$n/first_ls")"$'\t-\t-')
  rows+=("cached manifests, status answers (s)"$'\t'"$n"$'\t'"$(med "$n/warm_status")"$'\t-\t-')
  rows+=("cached manifests, root listed (s)"$'\t'"$n"$'\t'"$(med "$n/warm_ls")"$'\t'"$goal"$'\t'"$(ratio "$(med "$n/warm_ls")" "$goal")")
  rows+=("first start, daemon CPU time until listed (s)"$'\t'"$n"$'\t'"$(med "$n/first_cpu")"$'\t-\t-')
  rows+=("cached manifests, daemon CPU time until listed (s)"$'\t'"$n"$'\t'"$(med "$n/warm_cpu")"$'\t-\t-')
  rows+=("cached manifests, cold page cache, listed (s)"$'\t'"$n"$'\t'"$(med "$n/cold_ls")"$'\t'"$cold_goal"$'\t'"$(ratio "$(med "$n/cold_ls")" "$cold_goal")")
  rows+=("cached manifests, methods JIT-compiled until listed"$'\t'"$n"$'\t'"$(med "$n/jitted")"$'\t-\t-')
  rows+=("VmRSS after listing the root, first start (MiB)"$'\t'"$n"$'\t'"$(med "$n/rss_root")"$'\t'"$goal_rss_mb"$'\t'"$(ratio "$(med "$n/rss_root")" "$goal_rss_mb")")
  rows+=("VmRSS after listing root and /ro/bin (MiB)"$'\t'"$n"$'\t'"$(med "$n/rss_bin")"$'\t'"$goal_rss_mb"$'\t'"$(ratio "$(med "$n/rss_bin")" "$goal_rss_mb")")
  rows+=("VmRSS after listing the root, cached start (MiB)"$'\t'"$n"$'\t'"$(med "$n/rss_cached")"$'\t'"$goal_rss_mb"$'\t'"$(ratio "$(med "$n/rss_cached")" "$goal_rss_mb")")
  rows+=("manifest cache: files / KiB"$'\t'"$n"$'\t'"${res[$n/manifest_files]} / ${res[$n/manifest_bytes]}"$'\t-\t-')
done
print_table "${rows[@]}"
for n in "${sizes[@]}"; do
  bench_record "scale.cached_ready_s.$n" "$(med "$n/warm_ls")"
  bench_record "scale.cold_cache_ready_s.$n" "$(med "$n/cold_ls")"
  bench_record "scale.cached_rss_mib.$n" "$(med "$n/rss_cached")"
  bench_record "scale.cached_jitted_methods.$n" "$(med "$n/jitted")"
done
echo "(value/goal above 1 misses the goal; times run from launching the daemon and include .NET start-up)"
