#!/usr/bin/env bash
# Cold start of big real programs: the same Debian programs run from /ro (imported with their closures by
# `districtl repo import-apt`, installed through the daemon, run in a root that holds only /ro) and from ext4
# (installed by dpkg in a debootstrap chroot), in one run, cold (page cache dropped) and warm.
#
#   bench/coldstart-bench.sh [--runs N] [--quick] [--programs numpy,numpy-nopyc,qemu,libreoffice,firefox] [--jit]
#
# Programs (what is timed, from exec to exit):
#   numpy        python3 -c 'import numpy'                                            (python3-numpy)
#   numpy-nopyc  the same with PYTHONDONTWRITEBYTECODE=1 PYTHONPYCACHEPREFIX=/nonexistent: no bytecode on either side,
#                Python compiles every module each time (without DONTWRITE, the first run wrote its .pyc under
#                /nonexistent in the writable root and every later run read them from there, on both sides)
#   qemu         qemu-system-x86_64 -machine pc -S -display none -monitor stdio, to its prompt ("quit" on stdin)
#   libreoffice  libreoffice --headless --convert-to pdf of a small text document     (libreoffice-writer-nogui)
#   firefox      firefox-esr --headless --screenshot of a local file page              (firefox-esr)
# Default: numpy,numpy-nopyc,qemu. --quick: three runs of each (for bench/run-all; one run of a 0.1 s start moved
# its ratios by 30-40 % between two run-all runs).
#
# Cached, rebuilt only when the program list changes (BENCH_COLDSTART_CACHE, default /var/tmp/distrid-ci/coldstart):
#   debs/ and repo/   import-apt's .deb cache and the signed repository it writes (a re-run with an unchanged archive
#                     reads nothing again); key.*  the signing key
#   /var/tmp/distrid-ci/coldstart-chroot  debootstrap --variant=minbase of the machine's suite with the programs'
#                     packages (apt-get install in it when the list grows), on the same ext4 disk as the store
# Per run and program, interleaved: ext4 cold (drop_caches, run), ext4 warm (run again); then /ro cold, /ro warm. A
# cold /ro run: the daemon restarted without --repo (so no index refresh runs after its start) and ready (status
# answers, the mount lists every package), then warmed on packages of neither program (every file of grep's, sed's
# and coreutils' own images read twice, /ro/bin's links read: the read path's code is paged in and its hot methods
# tiered up, as in a daemon that has served since boot; that code stays mapped through drop_caches like the kernel's
# own), idle (no CPU time used for 0.3 s, so the background compilation is over), then drop_caches: its
# block caches are empty like the kernel's, and the program's images are opened for the first time by the program.
# Both roots get /proc, /dev and an empty /tmp in a private mount namespace and `env -i` with PATH and HOME=/tmp;
# the /ro root has nothing else but /ro, /etc/{passwd,group} and /bin/sh -> /ro/bin/sh. Prints medians, the ratio
# /ro / ext4 against the goal (<= 1.05 cold, equal warm), and the load average. A second table runs the same programs
# from /ro with FUSE passthrough (fusePassthrough: true): its cache is filled once before the runs (steady state),
# and the very first cold start of each program with an empty cache is reported beside it. Needs root and the network (the
# machine's Debian archive) for the first run. Daemon as shipped (Native AOT, like install-bench); --jit
# runs the plain Release build. BENCH_KEEP=1 keeps the work directory.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib/common.sh"
. "$here/lib/distrid.sh"
. "$here/lib/nginx.sh"

runs=5 programs="numpy,numpy-nopyc,qemu" jit=0
cache=${BENCH_COLDSTART_CACHE:-/var/tmp/distrid-ci/coldstart}
chroot_dir=${BENCH_COLDSTART_CHROOT:-/var/tmp/distrid-ci/coldstart-chroot}
while (($#)); do
  case $1 in
    --runs) runs=$2; shift ;;
    --quick) runs=3 programs="numpy,numpy-nopyc,qemu" ;;
    --programs) programs=$2; shift ;;
    --jit) jit=1 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "coldstart-bench: unknown option $1 (try --help)" ;;
  esac
  shift
done
IFS=, read -r -a progs <<<"$programs"

# name -> Debian packages to import and install; the command (argv, run inside the root, PATH decides which binary).
declare -A packages=(
  [numpy]="python3-numpy"
  [numpy-nopyc]="python3-numpy"
  [qemu]="qemu-system-x86"
  [libreoffice]="libreoffice-writer-nogui"
  [firefox]="firefox-esr"
)
command_of() {
  case $1 in
    numpy) echo "python3 -c 'import numpy'" ;;
    numpy-nopyc) echo "PYTHONDONTWRITEBYTECODE=1 PYTHONPYCACHEPREFIX=/nonexistent python3 -c 'import numpy'" ;;
    qemu) echo "qemu-system-x86_64 -machine pc -S -display none -monitor stdio </tmp/quit" ;;
    libreoffice) echo "libreoffice --headless --convert-to pdf --outdir /tmp/out /tmp/doc.txt" ;;
    firefox) echo "firefox-esr --headless --screenshot /tmp/out/shot.png file:///tmp/page.html" ;;
  esac
}
# What a successful run leaves on stdout/in /tmp/out (checked once per root before timing).
check_of() {
  case $1 in
    numpy | numpy-nopyc) echo "python3 -c 'import numpy; print(numpy.__version__)'" ;;
    qemu) echo "qemu-system-x86_64 -machine pc -S -display none -monitor stdio </tmp/quit" ;;
    libreoffice) echo "libreoffice --headless --convert-to pdf --outdir /tmp/out /tmp/doc.txt >/dev/null && head -c 5 /tmp/out/doc.pdf" ;;
    firefox) echo "firefox-esr --headless --screenshot /tmp/out/shot.png file:///tmp/page.html >/dev/null 2>&1; head -c 4 /tmp/out/shot.png | tail -c 3" ;;
  esac
}
debs=()
declare -A seen_deb=()
for p in "${progs[@]}"; do
  [ -n "${packages[$p]:-}" ] || die "coldstart-bench: unknown program $p (numpy, numpy-nopyc, qemu, libreoffice, firefox)"
  read -r -a more <<<"${packages[$p]}"
  for d in "${more[@]}"; do [ -n "${seen_deb[$d]:-}" ] || { seen_deb[$d]=1; debs+=("$d"); }; done
done

require_root
require_cmds debootstrap nginx unshare chroot mountpoint column
ensure_build
[ "$jit" = 1 ] || use_shipped_builds
make_workdir
W=$BENCH_WORK
mkdir -p "$cache" "$W/run"
source_url=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
[ -n "$source_url" ] || source_url=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list)
suite=$(. /etc/os-release && echo "$VERSION_CODENAME")
t_start=$(now)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# --- preparation (cached) -------------------------------------------------------------------------------------------
# ext4: a debootstrap chroot with the programs installed by dpkg (apt-get), extended when the list grows.
wanted=$(printf '%s\n' "${debs[@]}" | sort -u)
if [ ! -x "$chroot_dir/usr/bin/apt-get" ]; then
  log "debootstrap $suite into $chroot_dir (once)"
  rm -rf "$chroot_dir.tmp"
  debootstrap --variant=minbase --include="$(echo "$wanted" | paste -sd,)" "$suite" "$chroot_dir.tmp" "$source_url" \
    >"$cache/debootstrap.log" 2>&1 || { tail -5 "$cache/debootstrap.log" >&2; die "coldstart-bench: debootstrap failed"; }
  mv "$chroot_dir.tmp" "$chroot_dir"
fi
missing=$(for d in $wanted; do chroot "$chroot_dir" dpkg-query -W -f='${Status}\n' "$d" 2>/dev/null | grep -q '^install ok installed' || echo "$d"; done)
if [ -n "$missing" ]; then
  log "apt-get install in the chroot: $(echo $missing)"
  # shellcheck disable=SC2086
  unshare --mount --propagation private sh -c 'mount -t proc proc "$0/proc" && exec chroot "$0" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive sh -c "apt-get -q update && apt-get -q -y install --no-install-recommends $*"' \
    "$chroot_dir" $missing >"$cache/apt-install.log" 2>&1 || { tail -5 "$cache/apt-install.log" >&2; die "coldstart-bench: apt-get install failed"; }
fi

# /ro: the same packages from the same archive, imported with their closures (import-apt keeps what did not change).
[ -f "$cache/key.key" ] || districtl keygen "$cache/key" >/dev/null
# Debian's Essential packages are in every dpkg root without being declared; launcher scripts (libreoffice's) use
# them, so the /ro side gets the same: the shell, coreutils, grep and sed.
essential=(dash coreutils grep sed)
log "districtl repo import-apt ${debs[*]} ${essential[*]}"
districtl repo import-apt --source "$source_url" --suite "$suite" "${debs[@]}" "${essential[@]}" -o "$cache/repo" --key "$cache/key" \
  --cache "$cache/debs" --zstd-level 3 >"$W/run/import.log" 2>&1 || { tail -5 "$W/run/import.log" >&2; die "coldstart-bench: import-apt failed"; }
mkdir -p "$W/trusted"
cp "$cache/key.pub" "$W/trusted/coldstart.pub"
nginx_start "$cache" "$W/run/nginx"

daemon_args=(--repo "http://127.0.0.1:$NGINX_PORT/repo/" --trusted-keys "$W/trusted")
distrid_start "$W/store" "$W/state" "$W/ro" "$W/run/distrid.sock" 0 "${daemon_args[@]}"
on_exit distrid_stop
on_exit "umount -l '$W/ro'"
export DISTRID_SOCKET=$W/run/distrid.sock
log "districtl install ${debs[*]} ${essential[*]}"
districtl install "${debs[@]}" "${essential[@]}" >"$W/run/install.log" 2>&1 || { tail -5 "$W/run/install.log" >&2; die "coldstart-bench: install failed"; }
images=$(find "$W/store" -maxdepth 1 -name '*.squashfs' | wc -l)

# --- the two roots ----------------------------------------------------------------------------------------------------
ro_root=$W/roroot
mkdir -p "$ro_root"/{ro,proc,dev,tmp,etc,bin}
cp /etc/passwd /etc/group "$ro_root/etc/"
ln -s /ro/bin/sh "$ro_root/bin/sh"
mkdir -p "$chroot_dir/tmp"
rm -rf "$chroot_dir/nonexistent" # .pyc an earlier version of numpy-nopyc let Python write there
# Inputs, the same in both roots' /tmp (a tmpfs per run, so nothing of it is on either disk).
make_inputs() {
  local t=$1
  mkdir -p "$t/out"
  echo quit >"$t/quit"
  printf 'Cold start\n\nA small document for the cold-start benchmark.\n' >"$t/doc.txt"
  printf '<!doctype html><title>cold start</title><h1>Cold start</h1><p>A local page.</p>\n' >"$t/page.html"
}
inputs=$W/inputs
mkdir -p "$inputs"
make_inputs "$inputs"
# in_root KIND SCRIPT: runs SCRIPT with sh in the root (ext4: the chroot's /bin/sh; ro: /ro/bin/sh) and prints
# nothing but its stdout.
in_root() {
  local kind=$1 script=$2 root path mounts
  if [ "$kind" = ext4 ]; then
    root=$chroot_dir path=/usr/local/bin:/usr/bin:/bin mounts=""
  else
    root=$ro_root path=/ro/bin mounts="mount --bind '$W/ro' '$root/ro' &&"
  fi
  unshare --mount --propagation private sh -c "$mounts mount -t proc proc '$root/proc' && mount --rbind /dev '$root/dev' && mount -t tmpfs tmpfs '$root/tmp' && cp -r '$inputs'/. '$root/tmp/' && exec env -i PATH=$path HOME=/tmp $(command -v chroot) '$root' /bin/sh -c \"\$0\"" "$script"
}
# time_in_root KIND PROGRAM: wall seconds of the program's command in the root (its output discarded).
time_in_root() {
  local t0=$EPOCHREALTIME
  in_root "$1" "$(command_of "$2") >/dev/null 2>&1" || die "coldstart-bench: $2 failed in the $1 root"
  elapsed "$t0"
}
# restart_daemon [ro|pt [empty]]: pt serves with FUSE passthrough from its cache of decompressed files (in the state
# directory, so it survives restarts); "empty" deletes that cache first.
restart_daemon() {
  distrid_stop
  umount -l "$W/ro" 2>/dev/null || true
  [ "${2:-}" != empty ] || rm -rf "$W/state/passthrough-cache"
  local config='{}'
  [ "${1:-ro}" != pt ] || config='{"fusePassthrough": true}'
  DISTRID_CONFIG_JSON=$config distrid_start "$W/store" "$W/state" "$W/ro" "$W/run/distrid.sock" "$images" --trusted-keys "$W/trusted"
  # Warm-up on packages of neither program, twice, so that the read path's methods pass the runtime's tiering
  # threshold and their optimised code is compiled before the program runs (distrid_wait_idle waits for that
  # background compilation): a daemon that has served since boot is past that point.
  for _ in 1 2; do
    find "$W"/ro/grep-*/ "$W"/ro/sed-*/ "$W"/ro/coreutils-*/ -type f -exec cat {} + >/dev/null
    find "$W"/ro/bin/ -type l -exec readlink {} + >/dev/null
  done
  distrid_wait_idle
}

for p in "${progs[@]}"; do
  for kind in ext4 ro; do
    out=$(in_root "$kind" "$(check_of "$p")" 2>&1 | tail -3) || true
    case $p in
      numpy | numpy-nopyc) [[ $(echo "$out" | tail -1) =~ ^[0-9]+\.[0-9]+ ]] ;;
      qemu) echo "$out" | grep -q 'QEMU .* monitor' ;;
      libreoffice) [ "$(echo "$out" | tail -1)" = "%PDF-" ] ;;
      firefox) [ "$(echo "$out" | tail -1)" = "PNG" ] ;;
    esac || die "coldstart-bench: $p does not work in the $kind root: $(echo "$out" | tail -1)"
    out=$(echo "$out" | tail -1)
    log "$p works in the $kind root"
  done
done

# --- measuring --------------------------------------------------------------------------------------------------------
declare -A times=()
# Passthrough (pt): first the very first cold start of each program with an empty cache, then one start of every
# program to fill the cache (the daemon idle afterwards: its writer is done); the runs below measure the steady state.
for p in "${progs[@]}"; do
  restart_daemon pt empty
  drop_caches
  times[$p,pt,first]="$(time_in_root ro "$p")"
  distrid_wait_idle
done
restart_daemon pt
for p in "${progs[@]}"; do time_in_root ro "$p" >/dev/null; done
distrid_wait_idle
pt_files=$(find "$W/state/passthrough-cache" -type f ! -name '.*' | wc -l)
pt_mib=$(du -sm "$W/state/passthrough-cache" | cut -f1)
for ((r = 1; r <= runs; r++)); do
  log "run $r of $runs"
  for p in "${progs[@]}"; do
    drop_caches
    times[$p,ext4,cold]+="$(time_in_root ext4 "$p") "
    times[$p,ext4,warm]+="$(time_in_root ext4 "$p") "
    restart_daemon
    drop_caches
    times[$p,ro,cold]+="$(time_in_root ro "$p") "
    times[$p,ro,warm]+="$(time_in_root ro "$p") "
    restart_daemon pt
    drop_caches
    times[$p,pt,cold]+="$(time_in_root ro "$p") "
    times[$p,pt,warm]+="$(time_in_root ro "$p") "
  done
done

# --- report -------------------------------------------------------------------------------------------------------
med() { printf '%s\n' ${times[$1]} | median; }
echo
echo "coldstart-bench: medians of $runs runs, $(date -u +%Y-%m-%dT%H:%MZ), $images images installed, measuring took $(elapsed "$t_start") s"
machine_info
echo "load average before: $load_before, after: $(cut -d' ' -f1-3 /proc/loadavg)"
rows=($'program\text4 cold (s)\t/ro cold (s)\t/ro / ext4 cold (goal <= 1.05)\text4 warm (s)\t/ro warm (s)\t/ro / ext4 warm (goal 1.00)\truns (ro cold)')
for p in "${progs[@]}"; do
  ec=$(med "$p,ext4,cold") rc=$(med "$p,ro,cold") ew=$(med "$p,ext4,warm") rw=$(med "$p,ro,warm")
  rows+=("$p"$'\t'"$ec"$'\t'"$rc"$'\t'"$(ratio "$rc" "$ec")"$'\t'"$ew"$'\t'"$rw"$'\t'"$(ratio "$rw" "$ew")"$'\t'"${times[$p,ro,cold]}")
  bench_record "coldstart.ro_over_ext4.cold.$p" "$(ratio "$rc" "$ec")"
  bench_record "coldstart.ro_over_ext4.warm.$p" "$(ratio "$rw" "$ew")"
done
print_table "${rows[@]}"
echo
echo "with FUSE passthrough (fusePassthrough: true), the cache in its steady state ($pt_files files, $pt_mib MiB, filled by one start of each program); first cold: the very first start, cache empty"
rows=($'program\text4 cold (s)\t/ro+pt cold (s)\t/ro+pt / ext4 cold (goal <= 1.05)\text4 warm (s)\t/ro+pt warm (s)\t/ro+pt / ext4 warm (goal 1.00)\tfirst cold, empty cache (s)\t/ro+pt / /ro cold')
for p in "${progs[@]}"; do
  ec=$(med "$p,ext4,cold") pc=$(med "$p,pt,cold") ew=$(med "$p,ext4,warm") pw=$(med "$p,pt,warm") rc=$(med "$p,ro,cold")
  rows+=("$p"$'\t'"$ec"$'\t'"$pc"$'\t'"$(ratio "$pc" "$ec")"$'\t'"$ew"$'\t'"$pw"$'\t'"$(ratio "$pw" "$ew")"$'\t'"${times[$p,pt,first]}"$'\t'"$(ratio "$pc" "$rc")")
  bench_record "coldstart.passthrough_over_ext4.cold.$p" "$(ratio "$pc" "$ec")"
done
print_table "${rows[@]}"
