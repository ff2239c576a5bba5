#!/usr/bin/env bash
# Image making and unpacking on the reference tree (bench/gen-tree.sh): `districtl pack` against mksquashfs, with
# zstd (mksquashfs's default level, 15) and with gzip, mksquashfs given -processors 2; and, when this build's
# districtl has `unpack`, `districtl unpack` against `unsquashfs -d` on the same mksquashfs image.
#
#   bench/pack-bench.sh [--runs N] [--small] [--tree DIR] [--quick]
#
# The tree is read once first, so every run starts with it in the page cache; each timing includes a final sync
# of the written image. mksquashfs and districtl pack alternate run by run. Prints medians of N runs (default 3) of
# the wall time and of the CPU time (user + system, which competing load moves less), and the time, CPU and size
# ratios against mksquashfs / unsquashfs (above 1: slower or bigger). --quick: one run on the --small tree. Root is
# not needed.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

runs=3 small=0 tree=""
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --small) small=1 ;;
    --quick) small=1 runs=1 ;;
    --tree) tree=$2; shift ;;
    -h | --help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "pack-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done

require_cmds mksquashfs unsquashfs column
ensure_build
make_workdir
W=$BENCH_WORK
if [ -z "$tree" ]; then
  tree=$W/tree
  if ((small)); then "$here/gen-tree.sh" "$tree" --small; else "$here/gen-tree.sh" "$tree"; fi
fi
files=$(find "$tree" -type f | wc -l)
find "$tree" -type f -print0 | xargs -0 cat >/dev/null

has_unpack=0
districtl --help 2>/dev/null | grep -qE '^\s+unpack\b' && has_unpack=1

declare -A res=() cpu=() size=()
# measure KEY CMD...: runs CMD (output discarded, errors shown) and appends its wall time to res[KEY] and its CPU
# time, user + system of it and its children, to cpu[KEY].
measure() {
  local key=$1 TIMEFORMAT='%R %U %S' t
  shift
  t=$({ time "$@" >/dev/null 2>&3; } 3>&2 2>&1)
  res[$key]+="$(awk '{ print $1 }' <<<"$t") "
  cpu[$key]+="$(awk '{ printf "%.3f", $2 + $3 }' <<<"$t") "
}
pack_districtl() {
  rm -rf "$W/out"
  districtl pack "$tree" --name bench --version 1 --revision 1 --compression "$1" -o "$W/out" >/dev/null
  sync
}
pack_mksquashfs() {
  mksquashfs "$tree" "$W/mk-$1.squashfs" -comp "$1" -processors 2 -noappend -quiet -no-progress >/dev/null
  sync
}
unpack_districtl() { districtl unpack "$W/mk-zstd.squashfs" "$W/un" >/dev/null; sync; }
unpack_unsquashfs() { unsquashfs -q -n -d "$W/un" "$W/mk-zstd.squashfs" >/dev/null; sync; }
# measure_unpack TOOL: the last unpack's 10,000 files are removed (and the removal written back) before the clock
# starts, not inside the time of the next tool.
measure_unpack() {
  rm -rf "$W/un"
  sync
  measure "un/$1" "unpack_$1"
}

t_start=$(now) load_start=$(cut -d' ' -f1 /proc/loadavg)
for ((r = 1; r <= runs; r++)); do
  for comp in zstd gzip; do
    log "run $r of $runs: $comp"
    measure "mk/$comp" pack_mksquashfs "$comp"
    size[mk/$comp]=$(stat -c %s "$W/mk-$comp.squashfs")
    measure "ds/$comp" pack_districtl "$comp"
    size[ds/$comp]=$(stat -c %s "$W/out/bench-amd64-1-1.squashfs")
    if ((r == 1)); then
      listed=$(unsquashfs -lls "$W/out/bench-amd64-1-1.squashfs" | grep -c '^-')
      [ "$listed" = "$files" ] || die "pack-bench: unsquashfs lists $listed files in our $comp image, the tree has $files"
    fi
  done
  if ((has_unpack)); then
    log "run $r of $runs: unpack"
    # In turns, so that neither tool always writes right after the other one's writeback.
    if ((r % 2)); then measure_unpack unsquashfs; measure_unpack districtl; else measure_unpack districtl; fi
    ((r > 1)) || diff -r -q "$tree" "$W/un" >/dev/null || die "pack-bench: districtl unpack did not give the tree back"
    ((r % 2)) || measure_unpack unsquashfs
  fi
done

med() { tr ' ' '\n' <<<"${res[$1]:-}" | grep . | median; }
medcpu() { tr ' ' '\n' <<<"${cpu[$1]:-}" | grep . | median; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }
echo
echo "pack-bench: $files files, $(du -sh --apparent-size "$tree" | cut -f1) tree, medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), measuring took $(elapsed "$t_start") s, load average $load_start at the start, $(cut -d' ' -f1 /proc/loadavg) at the end"
machine_info
echo "mksquashfs: $(mksquashfs -version 2>&1 | head -1)"
rows=($'compression\tmksquashfs (s)\tdistrictl pack (s)\ttime ratio\tmksquashfs CPU (s)\tdistrictl pack CPU (s)\tCPU ratio\tmksquashfs (MiB)\tdistrictl pack (MiB)\tsize ratio')
for comp in zstd gzip; do
  rows+=("$comp"$'\t'"$(med "mk/$comp")"$'\t'"$(med "ds/$comp")"$'\t'"$(ratio "$(med "ds/$comp")" "$(med "mk/$comp")")"$'\t'"$(medcpu "mk/$comp")"$'\t'"$(medcpu "ds/$comp")"$'\t'"$(ratio "$(medcpu "ds/$comp")" "$(medcpu "mk/$comp")")"$'\t'"$(mib "${size[mk/$comp]}")"$'\t'"$(mib "${size[ds/$comp]}")"$'\t'"$(ratio "${size[ds/$comp]}" "${size[mk/$comp]}")")
done
print_table "${rows[@]}"
# The small tree's figures (--small, --quick) are kept apart from the full tree's: its fixed costs weigh more.
tree_kind=""
if ((small)); then tree_kind=.small; fi
for comp in zstd gzip; do
  bench_record "pack${tree_kind}.time_ratio.$comp" "$(ratio "$(med "ds/$comp")" "$(med "mk/$comp")")"
  bench_record "pack${tree_kind}.cpu_ratio.$comp" "$(ratio "$(medcpu "ds/$comp")" "$(medcpu "mk/$comp")")"
  bench_record "pack${tree_kind}.size_ratio.$comp" "$(ratio "${size[ds/$comp]}" "${size[mk/$comp]}")"
done
echo "(ratios are districtl / mksquashfs: above 1 is slower or bigger)"
echo
if ((has_unpack)); then
  print_table $'unpack (mksquashfs zstd image)\tunsquashfs -d (s)\tdistrictl unpack (s)\ttime ratio\tunsquashfs CPU (s)\tdistrictl unpack CPU (s)\tCPU ratio' \
    "zstd"$'\t'"$(med un/unsquashfs)"$'\t'"$(med un/districtl)"$'\t'"$(ratio "$(med un/districtl)" "$(med un/unsquashfs)")"$'\t'"$(medcpu un/unsquashfs)"$'\t'"$(medcpu un/districtl)"$'\t'"$(ratio "$(medcpu un/districtl)" "$(medcpu un/unsquashfs)")"
  bench_record "unpack${tree_kind}.time_ratio.zstd" "$(ratio "$(med un/districtl)" "$(med un/unsquashfs)")"
else
  echo "unpack: not available in this build"
fi
