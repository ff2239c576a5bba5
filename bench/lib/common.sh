# Shared helpers of the bench/*.sh scripts: paths, the build, timing, medians, cache dropping, cleanup, tables.
# Sourced, not run. Everything here is bash and coreutils/awk, plus /usr/bin/python3 for two small helpers.

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH_REPO=$(cd "$BENCH_DIR/.." && pwd)
BENCH_PYTHON=${BENCH_PYTHON:-$(command -v /usr/bin/python3 || command -v python3)}
# Overridable, e.g. to measure a `dotnet publish -p:PublishReadyToRun=true` build of the same sources.
[ -n "${DISTRID_DLL:-}${DISTRICTL_DLL:-}" ] && BENCH_USER_DLLS=1
DISTRID_DLL=${DISTRID_DLL:-$BENCH_REPO/src/Distrid/bin/Release/net10.0/distrid.dll}
DISTRICTL_DLL=${DISTRICTL_DLL:-$BENCH_REPO/src/districtl/bin/Release/net10.0/districtl.dll}

die() { echo "$*" >&2; exit 1; }
# bench_help: a bench's --help, the comment at the head of the script.
bench_help() { sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; }
log() { echo "[$(date -u +%H:%M:%S)] $*" >&2; }

require_root() { [ "$(id -u)" = 0 ] || die "$(basename "$0"): needs root (mounts, drop_caches)"; }
require_cmds() { local c; for c; do command -v "$c" >/dev/null || die "missing command: $c (scripts/prerequisites.sh installs it)"; done; }

# Builds the Release binaries when they are missing, or always with BENCH_BUILD=1.
ensure_build() {
  if [ "${BENCH_BUILD:-0}" = 1 ] || [ ! -f "$DISTRID_DLL" ] || [ ! -f "$DISTRICTL_DLL" ]; then
    log "building Release"
    dotnet build "$BENCH_REPO/Distrid.sln" -c Release --verbosity quiet -nologo >/dev/null
  fi
}
# DISTRICTL_EXE, when set (use_shipped_builds sets it), is a native districtl run instead of the DLL.
districtl() { if [ -n "${DISTRICTL_EXE:-}" ]; then "$DISTRICTL_EXE" "$@"; else dotnet "$DISTRICTL_DLL" "$@"; fi; }

# use_shipped_builds: points DISTRID_DLL at the daemon as packaging/build-deb.sh ships it (Native AOT, an executable;
# DISTRID_AOT=0: self-contained composite ReadyToRun), DISTRICTL_DLL at a ReadyToRun districtl and DISTRICTL_EXE at the Native AOT districtl
# the package ships, with districtl-tools beside it (DISTRICTL_AOT=0, or no clang: the ReadyToRun DLL instead),
# publishing again when src/ changed since the last publish (stamp: the tree of src/ at HEAD and the diff of the work
# tree; each takes about 3 minutes). Skipped when DISTRID_DLL or DISTRICTL_DLL was set.
use_shipped_builds() {
  [ -n "${BENCH_USER_DLLS:-}" ] && return 0
  # The ReadyToRun daemon (DISTRID_AOT=0) has a directory of its own: comparing the two builds publishes each once.
  local out="$BENCH_REPO/bench/.publish" stamp project
  [ "${DISTRID_AOT:-1}" = 1 ] || out+=-r2r
  stamp=$( (git -C "$BENCH_REPO" rev-parse HEAD:src; git -C "$BENCH_REPO" diff HEAD -- src) | sha256sum | cut -c1-16)
  if [ "$(cat "$out/stamp" 2>/dev/null)" != "$stamp" ]; then
    log "publishing distrid (Native AOT, or with DISTRID_AOT=0 composite ReadyToRun) and districtl (ReadyToRun and Native AOT)"
    rm -rf "$out"
    # The daemon as the package ships it: Native AOT (DISTRID_AOT=0: self-contained, one composite ReadyToRun image
    # of the runtime and the program, what the package shipped before).
    # Its intermediate files stay out of src/Distrid/obj: a later plain `dotnet publish` (same RID) would otherwise
    # take the published assembly as up to date (a composite's component aborts at start).
    if [ "${DISTRID_AOT:-1}" = 1 ]; then
      dotnet publish "$BENCH_REPO/src/Distrid" -c Release -r linux-x64 -p:DistridNativeAot=true \
        -p:IntermediateOutputPath="$out/obj/Distrid/" -o "$out/Distrid" --verbosity quiet -nologo >/dev/null
    else
      dotnet publish "$BENCH_REPO/src/Distrid" -c Release -r linux-x64 --self-contained true -p:PublishReadyToRun=true \
        -p:PublishReadyToRunComposite=true -p:IntermediateOutputPath="$out/obj/Distrid/" -o "$out/Distrid" \
        --verbosity quiet -nologo >/dev/null
    fi
    dotnet publish "$BENCH_REPO/src/districtl" -c Release -r linux-x64 --self-contained false -p:PublishReadyToRun=true \
      -o "$out/districtl" --verbosity quiet -nologo >/dev/null
    # As the package ships them: the thin districtl (daemon verbs) and, beside it, districtl-tools (offline verbs),
    # which it execs for pack, repo build...
    if dotnet publish "$BENCH_REPO/src/districtl" -c Release -r linux-x64 -p:DistrictlNativeAot=true -p:DistrictlFlavor=thin \
      -o "$out/districtl-aot" --verbosity quiet -nologo >/dev/null &&
      dotnet publish "$BENCH_REPO/src/districtl" -c Release -r linux-x64 -p:DistrictlNativeAot=true -p:DistrictlFlavor=tools \
        -o "$out/districtl-tools" --verbosity quiet -nologo >/dev/null; then
      cp "$out/districtl-tools/districtl" "$out/districtl-aot/districtl-tools"
    else
      rm -f "$out/districtl-aot/districtl"
      log "no Native AOT districtl (clang missing?)"
    fi
    echo "$stamp" >"$out/stamp"
  fi
  DISTRID_DLL=$out/Distrid/distrid
  DISTRID_BUILD="Native AOT"
  [ "${DISTRID_AOT:-1}" = 1 ] || DISTRID_BUILD="composite ReadyToRun"
  DISTRICTL_DLL=$out/districtl/districtl.dll
  if [ "${DISTRICTL_AOT:-1}" = 1 ] && [ -x "$out/districtl-aot/districtl" ]; then
    DISTRICTL_EXE=$out/districtl-aot/districtl
  fi
}

# now: the wall clock in seconds. Timed code reads $EPOCHREALTIME itself, not $(now): bash's own clock starts no
# process, while `date` in a command substitution put 1-3 ms of fork and exec into every figure (more after
# drop_caches), around a command that may itself take 10 ms. LC_NUMERIC=C keeps its decimal point a point.
export LC_NUMERIC=C
now() { echo "$EPOCHREALTIME"; }
# elapsed START: seconds since START (a `now` value), 3 decimals.
elapsed() {
  local t1=$EPOCHREALTIME
  awk -v a="$1" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}
# time_cmd CMD...: runs CMD with output discarded and prints its wall time in seconds.
time_cmd() {
  local t0=$EPOCHREALTIME
  "$@" >/dev/null
  elapsed "$t0"
}
# median: the median of the numbers on stdin (mean of the middle two for an even count).
median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit }
    m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    s = sprintf("%.3f", m); if (s ~ /\./) sub(/\.?0+$/, "", s); print s }'
}
# ratio A B: A/B with 2 decimals, "-" when either is missing.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'; }

drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }

# Cleanup: scripts register commands with on_exit; they run in reverse order from the EXIT trap, errors ignored.
BENCH_CLEANUP=()
on_exit() { BENCH_CLEANUP+=("$*"); }
run_cleanup() {
  local i
  for ((i = ${#BENCH_CLEANUP[@]} - 1; i >= 0; i--)); do eval "${BENCH_CLEANUP[i]}" >/dev/null 2>&1 || true; done
}
trap run_cleanup EXIT
trap 'exit 130' INT TERM

# Work directory under /var/tmp (a disk, like a real store; /tmp may be tmpfs), removed on exit unless BENCH_KEEP=1.
make_workdir() {
  BENCH_WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/distrid-bench.XXXXXX")
  [ "${BENCH_KEEP:-0}" = 1 ] || on_exit "rm -rf '$BENCH_WORK'"
}

# unmount_quietly DIR: unmounts DIR if something is mounted there (lazily if busy).
unmount_quietly() { mountpoint -q "$1" 2>/dev/null && { umount "$1" 2>/dev/null || umount -l "$1"; }; return 0; }

# Machine facts for the report header.
machine_info() {
  local config
  echo "machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), kernel $(uname -r), $(awk '/MemTotal/ { printf "%.1f GiB RAM", $2 / 1048576 }' /proc/meminfo)"
  if [ -r /proc/config.gz ]; then config=$(zcat /proc/config.gz); elif [ -r "/boot/config-$(uname -r)" ]; then config=$(cat "/boot/config-$(uname -r)"); fi
  if [ -n "${config:-}" ]; then
    echo "kernel squashfs: $(echo "$config" | grep -E '^CONFIG_SQUASHFS_(DECOMP_|FILE_|CHOICE_)[A-Z_]*=y' | sed 's/^CONFIG_SQUASHFS_//; s/=y$//' | tr '\n' ' ')"
  else
    echo "kernel squashfs: decompressor mode unknown (no /proc/config.gz or /boot/config)"
  fi
}

# print_table HEADER_LINE ROWS...: aligns tab-separated columns.
print_table() { printf '%s\n' "$@" | column -t -s $'\t'; }

# bench_record KEY VALUE: when BENCH_RESULTS names a file (bench/run-all.sh sets it), appends "KEY<TAB>VALUE" to it:
# the figures run-all compares with the ones recorded in docs/PERFORMANCE.md. A missing value ("-", "nan") is skipped.
bench_record() {
  [ -n "${BENCH_RESULTS:-}" ] || return 0
  case ${2:-} in "" | - | nan) return 0 ;; esac
  printf '%s\t%s\n' "$1" "$2" >>"$BENCH_RESULTS"
}
