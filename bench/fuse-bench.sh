#!/usr/bin/env bash
# Read performance of the /ro FUSE server against the kernel's squashfs driver, squashfuse and squashfuse_ll, all
# reading one and the same zstd image (made by mksquashfs) of the reference tree (bench/gen-tree.sh).
#
#   bench/fuse-bench.sh [--runs N] [--small] [--tree DIR] [--randread-seconds S] [--mounts kernel,squashfuse,...]
#                       [--tests cat_cold,stat_cold,pcat_cold,seq_cold,rand_cold] [--no-warm] [--image IMG] [--quick]
#                       [--jit]
#
# Cold runs drop the page cache (sync; echo 3 > drop_caches) and remount, which restarts the FUSE servers, before
# every measurement; warm runs repeat on a mount whose caches are full. Random 4K reads run for
# --randread-seconds (default 5). Prints medians of N runs (default 5) and their ratio to the kernel mount (for
# times lower is better, for IOPS higher is better), then the daemon's FUSE request counts by opcode over one cold
# and N warm passes. --tests and --no-warm shorten a run while iterating; --image reuses a mksquashfs image of
# --tree made by an earlier run. --quick (for bench/run-all): three runs of every cold test on the kernel and distrid,
# 2 s of random reads, no warm pass. The daemon runs as shipped (Native AOT, bench/.publish, as install-bench); --jit
# runs the plain Release build. Needs root. BENCH_KEEP=1 keeps the work directory.
#
# Mount kinds: kernel, squashfuse, squashfuse_ll, distrid (requests through /dev/fuse reads: fuseIoUring false) and
# distrid-uring (FUSE over io_uring: fuse.enable_uring is set to Y while that daemon mounts, then put back, since the
# connection keeps what INIT negotiated). The request counts then also show how many went through the rings.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/distrid.sh"

runs=5 small=0 tree="" rand_s=5 mounts="kernel,squashfuse,squashfuse_ll,distrid"
tests_opt="cat_cold,stat_cold,pcat_cold,seq_cold,rand_cold" warm=1 image="" jit=0
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --small) small=1 ;;
    --quick) small=1 runs=3 mounts="kernel,distrid" rand_s=2 warm=0 ;; # bench/run-all.sh: three runs on the --small tree
    --tree) tree=$2; shift ;;
    --randread-seconds) rand_s=$2; shift ;;
    --mounts) mounts=$2; shift ;;
    --tests) tests_opt=$2; shift ;;
    --no-warm) warm=0 ;;
    --image) image=$2; shift ;;
    --jit) jit=1 ;;
    -h | --help) bench_help; exit 0 ;;
    *) die "fuse-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a kinds <<<"$mounts"

require_root
require_cmds mksquashfs squashfuse squashfuse_ll fio mountpoint column
ensure_build
[ "$jit" = 1 ] || use_shipped_builds
make_workdir
W=$BENCH_WORK
mkdir -p "$W/mnt" "$W/run" "$W/store"

if [ -z "$tree" ]; then
  tree=$W/tree
  if ((small)); then "$here/gen-tree.sh" "$tree" --small; else "$here/gen-tree.sh" "$tree"; fi
fi
[ -f "$tree/big/text.dat" ] && [ -f "$tree/big/mixed2-50.dat" ] || die "fuse-bench: $tree is not a gen-tree.sh tree"

img=$W/bench.squashfs
if [ -n "$image" ]; then
  [ -n "$tree" ] || die "fuse-bench: --image needs the --tree it was made from"
  cp --reflink=auto "$image" "$img"
else
  log "mksquashfs -comp zstd"
  mksquashfs "$tree" "$img" -comp zstd -noappend -quiet -no-progress >/dev/null
fi
ln "$img" "$W/store/bench-amd64-1-1.squashfs"

# --- the four mounts -------------------------------------------------------------------------------------------
declare -A server_pid=()
root_of() { if [[ $1 == distrid* ]]; then echo "$W/mnt/$1/bench-amd64-1-1"; else echo "$W/mnt/$1"; fi; }
uring_param=/sys/module/fuse/parameters/enable_uring
# distrid_with_uring MOUNTPOINT: starts the daemon with io_uring asked for and the kernel allowing it, only for INIT.
distrid_with_uring() {
  echo Y >"$uring_param"
  DISTRID_CONFIG_JSON='{"fuseIoUring": true}' distrid_start "$W/store" "$W/state-uring" "$1" "$W/run/distrid.sock" 1
  echo "$uring_before" >"$uring_param"
  grep -q "requests through io_uring" "$W/run/distrid.log" || die "fuse-bench: distrid-uring did not negotiate io_uring"
}
wait_mounted() {
  local i
  for i in $(seq 1000); do mountpoint -q "$1" && return 0; sleep 0.01; done
  die "fuse-bench: $1 did not mount"
}
mount_up() {
  local kind=$1 mnt=$W/mnt/$1
  mkdir -p "$mnt"
  case $kind in
    kernel) mount -t squashfs -o loop,ro "$img" "$mnt" ;;
    squashfuse | squashfuse_ll)
      "$kind" -f "$img" "$mnt" 2>>"$W/run/$kind.log" &
      server_pid[$kind]=$!
      wait_mounted "$mnt" ;;
    distrid) DISTRID_CONFIG_JSON='{"fuseIoUring": false}' distrid_start "$W/store" "$W/state" "$mnt" "$W/run/distrid.sock" 1 ;;
    distrid-uring) : >"$W/run/distrid.log"; distrid_with_uring "$mnt" ;;
    *) die "fuse-bench: unknown mount kind $kind" ;;
  esac
}
mount_down() {
  local kind=$1 mnt=$W/mnt/$1
  case $kind in
    distrid | distrid-uring) distrid_stop ;;
    *) unmount_quietly "$mnt"
       if [ -n "${server_pid[$kind]:-}" ]; then wait "${server_pid[$kind]}" 2>/dev/null || true; server_pid[$kind]=""; fi ;;
  esac
  unmount_quietly "$mnt"
}
for k in "${kinds[@]}"; do on_exit "unmount_quietly '$W/mnt/$k'"; done
if [[ " ${kinds[*]} " == *" distrid-uring "* ]]; then
  [ -w "$uring_param" ] || die "fuse-bench: $uring_param is missing (this kernel has no FUSE over io_uring)"
  uring_before=$(cat "$uring_param")
  on_exit "echo '$uring_before' >'$uring_param'"
fi
on_exit "distrid_stop"
cold_mount() { mount_down "$1"; drop_caches; mount_up "$1"; }

# --- the tests: each prints one number ---------------------------------------------------------------------------
cat_all() { find "$1" -type f -print0 | xargs -0 cat >/dev/null; }
stat_all() { find "$1" -type f -print0 | xargs -0 stat >/dev/null; }
cat_small_p4() { find "$1" -path "$1/big" -prune -o -type f -print0 | xargs -0 -P4 -n 100 cat >/dev/null; }
fio_json() { fio --output-format=json --readonly --ioengine=psync --name=b "$@"; }
json_get() { "$BENCH_PYTHON" -c 'import json,sys; print(eval(sys.argv[1], {}, {"j": json.load(sys.stdin)}))' "$1"; }
seq_1m() {
  fio_json --filename="$1/big/text.dat" --rw=read --bs=1M | json_get '"%.3f" % (j["jobs"][0]["read"]["runtime"] / 1000)'
}
rand_4k() {
  fio_json --filename="$1/big/mixed2-50.dat" --rw=randread --bs=4k --time_based --runtime="$rand_s" \
    | json_get '"%.0f" % j["jobs"][0]["read"]["iops"]'
}

declare -A results=()
record() { results[$1/$2]+="$3 "; }
sanity() {
  local k want got
  want=$(find "$tree" -type f | wc -l)
  for k in "${kinds[@]}"; do
    mount_up "$k"
    got=$(find "$(root_of "$k")" -type f | wc -l)
    [ "$got" = "$want" ] || die "fuse-bench: $k shows $got files, the tree has $want"
    cmp -s "$tree/d000/f001.txt" "$(root_of "$k")/d000/f001.txt" || die "fuse-bench: $k reads different bytes"
    mount_down "$k"
  done
}

log "checking every mount shows the tree ($(find "$tree" -type f | wc -l) files)"
sanity
declare -A label=(
  [cat_cold]="cat all files, cold (s)" [cat_warm]="cat all files, warm (s)" [stat_cold]="stat walk, cold (s)"
  [seq_cold]="fio seq 1M, 64 MiB text, cold (s)" [rand_cold]="fio randread 4k, ${rand_s}s, cold (IOPS)"
  [pcat_cold]="cat small files -P4, cold (s)")
IFS=, read -r -a tests <<<"$tests_opt"
t_start=$(now)
for ((r = 1; r <= runs; r++)); do
  log "cold run $r of $runs"
  for t in "${tests[@]}"; do
    for k in "${kinds[@]}"; do
      cold_mount "$k"
      root=$(root_of "$k")
      case $t in
        cat_cold) v=$(time_cmd cat_all "$root") ;;
        stat_cold) v=$(time_cmd stat_all "$root") ;;
        pcat_cold) v=$(time_cmd cat_small_p4 "$root") ;;
        seq_cold) v=$(seq_1m "$root") ;;
        rand_cold) v=$(rand_4k "$root") ;;
      esac
      record "$t" "$k" "$v"
    done
  done
done

log "warm runs"
opcodes=""
kinds_warm=("${kinds[@]}")
((warm)) || kinds_warm=()
for k in "${kinds_warm[@]}"; do
  cold_mount "$k"
  root=$(root_of "$k")
  cat_all "$root"
  if [[ $k == distrid* ]]; then
    districtl --socket "$W/run/distrid.sock" --json status >"$W/run/status-cold-$k.json"
  fi
  for ((r = 1; r <= runs; r++)); do record cat_warm "$k" "$(time_cmd cat_all "$root")"; done
  if [[ $k == distrid* ]]; then
    districtl --socket "$W/run/distrid.sock" --json status >"$W/run/status-warm-$k.json"
    opcodes+=$'\n'"$k:"$'\n'$("$BENCH_PYTHON" - "$runs" "$W/run/status-cold-$k.json" "$W/run/status-warm-$k.json" <<'PY'
import json, sys
docs = [json.load(open(p)) for p in sys.argv[2:]]
def fuse(d):
    return d.get("fuse") or d.get("Fuse") or {}
def ops(d):
    f = fuse(d)
    ops = dict(f.get("byOpcode") or f.get("ByOpcode") or {})
    ops["(through io_uring)"] = f.get("ringRequests", 0)
    return ops
a, b = ops(docs[0]), ops(docs[-1])
print("opcode\tafter 1 cold pass\tadded by %s warm passes" % sys.argv[1])
for name in sorted(set(a) | set(b), key=lambda n: -b.get(n, 0)):
    print("%s\t%s\t%s" % (name, a.get(name, 0), b.get(name, 0) - a.get(name, 0)))
PY
)
  fi
  mount_down "$k"
done

# --- the report ---------------------------------------------------------------------------------------------------
echo
echo "fuse-bench: $(find "$tree" -type f | wc -l) files, $(du -sh --apparent-size "$tree" | cut -f1) tree, image $(du -h --apparent-size "$img" | cut -f1) (mksquashfs -comp zstd), medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), measuring took $(elapsed "$t_start") s"
machine_info
echo "daemon: ${DISTRID_BUILD:-$DISTRID_DLL}"
header="test"
for k in "${kinds[@]}"; do header+=$'\t'"$k"; done
for k in "${kinds[@]}"; do [ "$k" = kernel ] || header+=$'\t'"$k/kernel"; done
[[ " ${kinds[*]} " == *" squashfuse_ll "* && " ${kinds[*]} " == *" distrid "* ]] && header+=$'\t'"distrid/squashfuse_ll"
both=0
[[ " ${kinds[*]} " == *" distrid "* && " ${kinds[*]} " == *" distrid-uring "* ]] && both=1 && header+=$'\t'"distrid-uring/distrid"
rows=("$header")
# The small tree's figures (--small, --quick) are kept apart from the full tree's: its fixed costs weigh more.
tree_kind=""
if ((small)); then tree_kind=.small; fi
for t in cat_cold cat_warm stat_cold pcat_cold seq_cold rand_cold; do
  [ -n "${results[$t/${kinds[0]}]:-}" ] || continue # not run (--tests, --no-warm)
  declare -A med=()
  row="${label[$t]}"
  for k in "${kinds[@]}"; do
    med[$k]=$(tr ' ' '\n' <<<"${results[$t/$k]:-}" | grep . | median)
    row+=$'\t'"${med[$k]}"
  done
  for k in "${kinds[@]}"; do [ "$k" = kernel ] || row+=$'\t'"$(ratio "${med[$k]}" "${med[kernel]:-}")"; done
  [[ " ${kinds[*]} " == *" squashfuse_ll "* && " ${kinds[*]} " == *" distrid "* ]] && row+=$'\t'"$(ratio "${med[distrid]}" "${med[squashfuse_ll]}")"
  ((both)) && row+=$'\t'"$(ratio "${med[distrid-uring]}" "${med[distrid]}")"
  rows+=("$row")
  [ -n "${med[distrid]:-}" ] && bench_record "fuse${tree_kind}.distrid_over_kernel.$t" "$(ratio "${med[distrid]}" "${med[kernel]:-}")"
  unset med
done
print_table "${rows[@]}"
echo "(ratios: time ratios above 1 are slower than the anchor; the IOPS ratio above 1 is faster)"
if [ -n "$opcodes" ]; then
  echo
  echo "distrid FUSE requests (districtl --json status, fuse.byOpcode and fuse.ringRequests):"
  print_table "$opcodes"
fi
