#!/usr/bin/env bash
# The bench as a regression guard: runs every benchmark of bench/ in its quick form, one after the other, and prints
# one table of each figure against the last one recorded in docs/PERFORMANCE.md (the block between
# <!-- bench-baseline --> and <!-- /bench-baseline -->), flagging those worse by more than the tolerance.
#
#   bench/run-all.sh [--only scale,pack,...] [--skip install,import,...] [--tolerance 0.25] [--keep-going]
#
# Benches, in order: scale pack client fuse install import crash wan coldstart (wan-bench.sh and coldstart-bench.sh
# when present; a missing script is skipped with a line). Each writes its figures with bench_record (lib/common.sh)
# to one results file; its own output goes to a log beside it (the path is printed). Exit status: 0 when no figure
# regressed beyond the tolerance, 1 when one did, 2 when a bench failed (and --keep-going was not given, the rest
# are not run). Ratios are now / recorded for figures where lower is better and recorded / now where higher is
# better, so above 1 is always worse. Needs root (most benches mount); the quick forms take about 10 minutes here.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

all=(scale pack client fuse install import crash wan coldstart)
only="" skip="" tolerance=0.25 keep_going=0
while (($#)); do
  case $1 in
    --only) only=$2; shift ;;
    --skip) skip=$2; shift ;;
    --tolerance) tolerance=$2; shift ;;
    --keep-going) keep_going=1 ;;
    -h | --help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "run-all: unknown option $1 (try --help)" ;;
  esac
  shift
done

declare -A script=(
  [scale]="scale-bench.sh --quick" [pack]="pack-bench.sh --quick" [client]="client-startup-bench.sh --quick"
  [fuse]="fuse-bench.sh --quick" [install]="install-bench.sh --quick" [import]="import-bench.sh --quick"
  [crash]="crash-bench.sh --quick" [wan]="wan-bench.sh --quick" [coldstart]="coldstart-bench.sh --quick"
)
selected() { [[ -z $only || ",$only," == *",$1,"* ]] && [[ ",$skip," != *",$1,"* ]]; }

baseline_file=$BENCH_REPO/docs/PERFORMANCE.md
# The recorded figures: rows "| metric | value | lower/higher | ..." between the two markers.
declare -A recorded=() better=()
while IFS=$'\t' read -r metric value direction; do
  recorded[$metric]=$value better[$metric]=$direction
done < <(awk -F'|' '/<!-- bench-baseline -->/ { on = 1; next } /<!-- \/bench-baseline -->/ { on = 0 }
  on && NF > 4 && $2 !~ /metric|---/ { gsub(/[ `]/, "", $2); gsub(/[ ,]/, "", $3); gsub(/ /, "", $4); print $2 "\t" $3 "\t" $4 }' "$baseline_file")
((${#recorded[@]})) || die "run-all: no <!-- bench-baseline --> block in $baseline_file"

out=$(mktemp -d "${BENCH_TMP:-/var/tmp}/distrid-run-all.XXXXXX")
export BENCH_RESULTS=$out/results.tsv
: >"$BENCH_RESULTS"
failed=()
t_start=$(now)
for b in "${all[@]}"; do
  selected "$b" || continue
  read -r file args <<<"${script[$b]}"
  if [ ! -x "$here/$file" ] && [ ! -f "$here/$file" ]; then
    echo "run-all: $b: bench/$file is not in this tree, skipped"
    continue
  fi
  log "run-all: $b (bench/$file $args), output in $out/$b.log"
  if ! bash "$here/$file" $args >"$out/$b.log" 2>&1; then
    echo "run-all: $b FAILED (bench/$file $args); last lines of $out/$b.log:"
    tail -5 "$out/$b.log" | sed 's/^/    /'
    failed+=("$b")
    ((keep_going)) || break
  fi
done

echo
echo "run-all: $(date -u +%Y-%m-%dT%H:%MZ), $(elapsed "$t_start") s, load average $(cut -d' ' -f1-3 /proc/loadavg), logs in $out"
rows=($'figure\trecorded\tnow\tnow vs recorded\tverdict')
regressions=0
declare -A seen=()
while IFS=$'\t' read -r metric value; do
  seen[$metric]=1
  base=${recorded[$metric]:-}
  if [ -z "$base" ]; then
    rows+=("$metric"$'\t-\t'"$value"$'\t-\tnot recorded')
    continue
  fi
  if [ "${better[$metric]}" = higher ]; then r=$(ratio "$base" "$value"); else r=$(ratio "$value" "$base"); fi
  verdict=ok
  if [ "$r" != - ] && awk -v r="$r" -v t="$tolerance" 'BEGIN { exit !(r > 1 + t) }'; then
    verdict="REGRESSION (> $tolerance)"
    regressions=$((regressions + 1))
  fi
  rows+=("$metric"$'\t'"$base"$'\t'"$value"$'\t'"$r"$'\t'"$verdict")
done <"$BENCH_RESULTS"
for metric in "${!recorded[@]}"; do
  b=${metric%%.*}
  [ "$b" = unpack ] && b=pack
  if [ -z "${seen[$metric]:-}" ] && selected "$b" 2>/dev/null; then rows+=("$metric"$'\t'"${recorded[$metric]}"$'\t-\t-\tnot measured'); fi
done
print_table "${rows[@]}"
echo "(now vs recorded above 1 is worse: now / recorded where lower is better, recorded / now where higher is better)"
((${#failed[@]} == 0)) || { echo "failed: ${failed[*]}"; exit 2; }
((regressions == 0)) || exit 1
