#!/usr/bin/env bash
# Generates the benchmark reference tree deterministically (seeded): 100 dirs x 100 files, sizes log-uniform
# 180 B .. 32 KiB, 25% incompressible, the rest text-like; plus 4 x 64 MiB files (one text-like, three mixed).
#
#   bench/gen-tree.sh OUTDIR [--small] [--dirs N] [--files N] [--big N] [--big-mib N] [--seed N]
#
# --small is a quick-run scale (10 x 20 files, 4 x 4 MiB). OUTDIR must not exist. Same arguments, same bytes.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"

if (($# < 1)) || [[ $1 == -* ]]; then
  [[ ${1:-} == -h || ${1:-} == --help ]] && { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0; }
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
out=$1
shift
args=()
while (($#)); do
  case $1 in
    --small) args+=(--dirs 10 --files 20 --big-mib 4) ;;
    --dirs | --files | --big | --big-mib | --seed) args+=("$1" "$2"); shift ;;
    *) die "gen-tree: unknown option $1" ;;
  esac
  shift
done
"$BENCH_PYTHON" "$here/lib/gen_tree.py" "$out" "${args[@]}"
echo "gen-tree: $(find "$out" -type f | wc -l) files, $(du -sh --apparent-size "$out" | cut -f1) in $out" >&2
