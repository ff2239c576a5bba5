#!/usr/bin/env bash
# The package under real systemd, as root: boots a Debian 12 root with systemd 252 as PID 1 (systemd-nspawn --boot),
# installs the .deb from packaging/build-deb.sh with dpkg -i and checks, inside:
#   dpkg -i prints no "Could not execute systemctl"; systemd-analyze verify of the installed units; both units active
#   and /ro mounted after dpkg -i and again after a reboot; READY time (exec to READY=1, from systemd's timestamps);
#   socket activation after `systemctl stop distrid.service`; D-Bus: busctl call of Status, and bus activation;
#   `systemctl restart` and `systemctl kill -s SIGKILL` while a reader is in the middle of a ~200 MB file (served by
#   an nginx mirror inside the container and installed with districtl): the bytes read match, /ro never leaves the
#   mount table, the connection is the same one; a stop followed by a start while the reader runs keeps /ro; a stop
#   with nothing after it waits for the reader, then unmounts; polkit refuses a plain user and permits a member of
#   sudo under the shipped example rule; `systemctl start distrid-update.service` applies an update (policy "apply")
#   and history says "via timer"; `apt remove` and `dpkg -P` leave nothing.
#
#   packaging/check-nspawn.sh [DEB]
# Without DEB the package is built once per content of what goes into it (src/, units/, polkit/, dbus/, the
# packaging files, the build files) and cached as $cache/deb/distrid-<hash>.deb. The root is cached by packaging/nspawn/root.sh. Each run boots an
# overlay over the cached root (its changes are thrown away), powers off, removes its cgroups and unmounts all.
# Needs: debootstrap, systemd-container (systemd-nspawn), overlayfs, /dev/fuse. Prints "check-nspawn: OK" at the end.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
cache=${DISTRID_CI_CACHE:-/var/tmp/distrid-ci}
[ "$(id -u)" = 0 ] || { echo "check-nspawn: needs root" >&2; exit 2; }
for tool in systemd-nspawn debootstrap nsenter sha256sum; do
  command -v "$tool" >/dev/null || { echo "check-nspawn: needs $tool (scripts/prerequisites.sh)" >&2; exit 2; }
done
# shellcheck source=nspawn/container.sh
source "$here/nspawn/container.sh"

started=$(date +%s)
step() { echo "== [$(($(date +%s) - started)) s] $*"; }
fail() {
  echo "check-nspawn: FAIL: $*" >&2
  if [ -n "${container_pid:-}" ]; then
    in_container journalctl -u distrid.service -u distrid.socket --no-pager -n 60 -o short-monotonic >&2 || true
  fi
  exit 1
}

# --- the package -------------------------------------------------------------------------------------------------
deb=${1:-}
if [ -z "$deb" ]; then
  # Everything build-deb.sh puts into the package (the checks themselves are not part of it).
  key=$(cd "$repo" && find src units polkit dbus packaging/build-deb.sh packaging/debian packaging/distrid.json \
    packaging/man packaging/VERSION README.md docs/API.md Directory.Build.props Directory.Packages.props global.json \
    -type f ! -path '*/bin/*' ! -path '*/obj/*' 2>/dev/null | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
  deb="$cache/deb/distrid-$key.deb"
  if [ ! -f "$deb" ]; then
    step "building the package (no cached .deb for this source, $key)"
    "$here/build-deb.sh" >"$cache/build-deb.log" 2>&1 || { tail -30 "$cache/build-deb.log" >&2; fail "build-deb.sh failed"; }
    mkdir -p "$cache/deb"
    rm -f "$cache"/deb/distrid-*.deb
    cp "$(ls -t "$here"/out/distrid_*_amd64.deb | head -1)" "$deb.tmp"
    mv "$deb.tmp" "$deb"
  else
    step "cached package $deb"
  fi
fi
[ -f "$deb" ] || fail "no package at $deb"

# --- the root, an overlay over it, the boot ----------------------------------------------------------------------
step "root"
root=$("$here/nspawn/root.sh")
run=$(mktemp -d "$cache/nspawn-run.XXXXXX")
mkdir -p "$run/upper" "$run/work" "$run/merged"
name=distrid-ci-$$
cleanup() {
  container_poweroff
  if mountpoint -q "$run/merged"; then umount "$run/merged" || umount -l "$run/merged"; fi
  rm -rf "$run"
}
trap cleanup EXIT
mount -t overlay overlay -o "lowerdir=$root,upperdir=$run/upper,workdir=$run/work" "$run/merged"
install -m 0644 "$deb" "$run/merged/var/tmp/distrid.deb"
install -m 0755 "$here/nspawn/reader.py" "$run/merged/usr/local/bin/distrid-ci-reader"

# The mirror: a signed repository with one ~200 MB package (random bytes), made with the package's own districtl on
# the host and cached (packing and compressing 200 MB takes minutes on a busy 2-core machine). The
# container's nginx serves it read-only from /var/www/html/repo.
# Keyed by the sources of the package format and of districtl, not by the .deb: a daemon change keeps the mirror.
mirror_key=$(cd "$repo" && find src/Distri.Core src/districtl Directory.Packages.props -type f ! -path '*/bin/*' \
  ! -path '*/obj/*' | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -c1-16)
mirror="$cache/nspawn-mirror/$mirror_key"
if [ ! -f "$mirror/done" ]; then
  step "building the mirror with the package's districtl (cached as $mirror)"
  rm -rf "$cache/nspawn-mirror"
  mkdir -p "$mirror/deb" "$mirror/tree/share/big" "$mirror/repo/pkg"
  dpkg-deb -x "$deb" "$mirror/deb"
  districtl="$mirror/deb/usr/lib/distrid/districtl"
  head -c 200000000 /dev/urandom >"$mirror/tree/share/big/data"
  sha256sum "$mirror/tree/share/big/data" | cut -d' ' -f1 >"$mirror/sha256"
  "$districtl" pack "$mirror/tree" --name big --version 1 --revision 1 -o "$mirror/repo/pkg" >/dev/null
  "$districtl" keygen "$mirror/key" >/dev/null
  "$districtl" repo build "$mirror/repo" --key "$mirror/key" >/dev/null
  rm -rf "$mirror/tree" "$mirror/deb" "$mirror/key.key"
  touch "$mirror/done"
fi
expected=$(cat "$mirror/sha256")
install -D -m 0644 "$mirror/key.pub" "$run/merged/var/tmp/ci.pub"

boot() {
  local t0 state
  t0=$(date +%s.%N)
  container_boot "$run/merged" "$name" "$run" --bind-ro="$mirror/repo:/var/www/html/repo" || fail "no container"
  state=$(container_wait_booted) || fail "the container did not finish booting (state $state): $(tail -20 "$run/console.log")"
  echo "booted in $(awk "BEGIN { printf \"%.1f\", $(date +%s.%N) - $t0 }") s: $state"
  if [ "$state" != running ]; then
    in_container systemctl --failed --no-pager >&2 || true
  fi
}

step "boot"
boot

# What the package may leave: compared before dpkg -i and after dpkg -P (dpkg's and apt's own bookkeeping aside).
snapshot() {
  in_container sh -c 'find /usr /etc /lib /var/lib /var/cache/distrid /roimg /ro /run/distrid -xdev 2>/dev/null' |
    grep -Ev '^/var/lib/(dpkg/(status|status-old|available|lock.*|triggers/.*|diversions|statoverride)|apt/|systemd/(timers|random-seed|catalog)|polkit-1/|man-db/)' |
    grep -Ev '^/etc/(ld\.so\.cache|machine-id)$' | LC_ALL=C sort >"$1" || true
}
snapshot "$run/before"

# journal_has PATTERN: the daemon's journal of this boot has a line with PATTERN (no grep -q in a pipe: with
# pipefail, journalctl's SIGPIPE would fail it).
journal_has() {
  local log
  log=$(in_container journalctl -u distrid.service -b --no-pager -o cat)
  grep -qF -- "$1" <<<"$log"
}
is_active() { in_container systemctl is-active "$@" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
# The daemon answers its socket and the bus a moment before READY=1, so a caller may return while the unit is still
# "activating": wait (at most 30 s) for "active".
wait_active() {
  local i
  for i in $(seq 300); do
    [ "$(is_active distrid.service)" = active ] && return 0
    sleep 0.1
  done
  return 1
}
ro_fstype() { in_container findmnt -n -o FSTYPE /ro 2>/dev/null || true; }
ro_device() { in_container findmnt -n -o MAJ:MIN /ro 2>/dev/null || true; }
# Exec to READY=1 of the running daemon: ActiveEnter (READY=1 received) minus ExecMainStart (exec), from systemd.
ready_ms() {
  local exec active
  exec=$(in_container systemctl show -P ExecMainStartTimestampMonotonic distrid.service)
  active=$(in_container systemctl show -P ActiveEnterTimestampMonotonic distrid.service)
  echo $(((active - exec) / 1000))
}

step "dpkg -i"
out=$(in_container dpkg -i /var/tmp/distrid.deb 2>&1) || { echo "$out" >&2; fail "dpkg -i failed"; }
echo "$out" | tail -3
if echo "$out" | grep -q "Could not execute systemctl"; then echo "$out" >&2; fail "dpkg -i printed 'Could not execute systemctl'"; fi
[ "$(is_active distrid.socket distrid.service)" = "active active" ] || fail "units not active after dpkg -i: $(is_active distrid.socket distrid.service)"
[ "$(ro_fstype)" = fuse.distrid ] || fail "/ro not mounted after dpkg -i"
echo "READY after dpkg -i: $(ready_ms) ms after exec"

step "systemd-analyze verify and security (installed units, no drop-in)"
[ -z "$(in_container sh -c 'ls /etc/systemd/system/distrid.service.d /run/systemd/system/distrid.service.d 2>/dev/null')" ] || fail "a drop-in exists"
verify=$(in_container systemd-analyze verify distrid.service distrid.socket 2>&1) || true
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"
in_container systemd-analyze security distrid.service --no-pager | tail -1

step "reboot: both units active after boot, /ro mounted"
container_poweroff
boot
[ "$(is_active distrid.socket distrid.service)" = "active active" ] || fail "units not active after boot: $(is_active distrid.socket distrid.service)"
[ "$(ro_fstype)" = fuse.distrid ] || fail "/ro not mounted after boot"
echo "READY at boot: $(ready_ms) ms after exec"

step "D-Bus: Status, then bus activation"
in_container busctl call org.distrid.Distrid1 /org/distrid/Distrid1 org.distrid.Distrid1.Manager Status >/dev/null ||
  fail "busctl call Status"
in_container systemctl stop distrid.service
[ "$(is_active distrid.service)" = inactive ] || fail "distrid.service still active after stop"
in_container findmnt /ro >/dev/null && fail "/ro still mounted after a stop with nothing after it"
in_container busctl call org.distrid.Distrid1 /org/distrid/Distrid1 org.distrid.Distrid1.Manager Status >/dev/null ||
  fail "Status did not activate the daemon over D-Bus"
wait_active || fail "bus activation did not start distrid.service ($(is_active distrid.service))"

step "socket activation after systemctl stop distrid.service"
in_container systemctl stop distrid.service
[ "$(is_active distrid.socket distrid.service)" = "active inactive" ] || fail "after stop: $(is_active distrid.socket distrid.service)"
in_container districtl status >/dev/null || fail "districtl status through the socket"
wait_active || fail "the socket did not start distrid.service ($(is_active distrid.service))"
[ "$(ro_fstype)" = fuse.distrid ] || fail "/ro not mounted after socket activation"

step "install the ~200 MB package from the mirror inside the container"
in_container sh -ec '
  install -m 0644 /var/tmp/ci.pub /etc/distri/trusted.d/ci.pub
  sed -i "s|\"repos\": \[\]|\"repos\": [\"http://127.0.0.1/repo/\"]|" /etc/distri/distrid.json
  grep -q 127.0.0.1/repo /etc/distri/distrid.json' || fail "configuring the mirror"
in_container systemctl restart distrid.service
in_container districtl install big >/dev/null || fail "districtl install big"
file=$(in_container sh -c 'ls -d /ro/big-*/share/big/data' | head -1)
[ -n "$file" ] || fail "the big file is not under /ro"

# reader NAME PAUSE_MS: starts a reader of the big file inside the container; waits until it has read 20 MB.
reader() {
  local tag=$1 pause=$2 i
  in_container sh -c "exec /usr/local/bin/distrid-ci-reader '$file' /ro /var/tmp/$tag.progress $pause >/var/tmp/$tag.result 2>&1" &
  reader_pid=$!
  for i in $(seq 600); do
    [ "$(in_container sh -c "tail -1 /var/tmp/$tag.progress 2>/dev/null | cut -d' ' -f2")" -ge 20000000 ] 2>/dev/null && return 0
    kill -0 "$reader_pid" 2>/dev/null || break
    sleep 0.1
  done
  fail "the reader ($tag) did not get going: $(in_container cat /var/tmp/$tag.result)"
}
# reader_check NAME: the reader finished with the right bytes and /ro never left the mount table.
reader_check() {
  local tag=$1 result
  wait "$reader_pid" || true
  result=$(in_container cat /var/tmp/"$tag".result)
  echo "$tag reader: $result"
  case "$result" in *"sha256=$expected bytes=200000000 gaps=0 "*"error=none"*) ;; *) fail "$tag: reader got $result (expected sha256=$expected, no gaps)" ;; esac
}

step "systemctl restart under a reader of the big file"
device=$(ro_device)
reader restart 15
in_container systemctl restart distrid.service
echo "READY after restart: $(ready_ms) ms after exec"
reader_check restart
[ "$(ro_device)" = "$device" ] || fail "/ro is another connection after the restart ($device -> $(ro_device))"
journal_has "a start follows: left /ro mounted" || fail "the daemon did not hand over"
journal_has "resumed the FUSE connection" || fail "the successor did not resume"

step "systemctl kill -s SIGKILL under a reader of the big file"
# The steps above started the unit several times within seconds; systemd's start rate limit (5 starts in 10 s by
# default) would refuse the restart after the kill with start-limit-hit, which is systemd's policy, not what this
# step tests. An admin's separate actions are seconds or minutes apart: reset the counter as time would.
in_container systemctl reset-failed distrid.service distrid.socket || true
reader kill 15
in_container systemctl kill -s SIGKILL distrid.service
restarted=""
for _ in $(seq 300); do
  if [ "$(is_active distrid.service)" = active ] && [ "$(in_container systemctl show -P NRestarts distrid.service)" -ge 1 ]; then
    restarted=yes
    break
  fi
  sleep 0.1
done
[ -n "$restarted" ] || fail "distrid.service did not come back after SIGKILL ($(is_active distrid.service))"
reader_check kill
[ "$(ro_device)" = "$device" ] || fail "/ro is another connection after SIGKILL"

step "stop, then start, while the reader runs: /ro stays"
in_container systemctl reset-failed distrid.service distrid.socket || true
reader stopstart 30
in_container systemctl stop --no-block distrid.service
for _ in $(seq 100); do
  case "$(in_container systemctl show -P StatusText distrid.service)" in *"waiting for"*) break ;; esac
  sleep 0.1
done
case "$(in_container systemctl show -P StatusText distrid.service)" in *"waiting for"*) ;; *) fail "the stop did not wait for the reader" ;; esac
in_container systemctl start distrid.service
reader_check stopstart
[ "$(ro_device)" = "$device" ] || fail "/ro is another connection after stop+start"

step "stop with nothing after it waits for the reader, then unmounts"
in_container systemctl reset-failed distrid.service distrid.socket || true
reader stopwait 2
in_container systemctl stop distrid.service
# Had the stop unmounted under it, the reader would have failed with ENOTCONN or EIO.
reader_check stopwait
journal_has "stopping while /ro is in use" ||
  fail "the stop did not say it waited for the reader"
in_container findmnt /ro >/dev/null && fail "/ro still mounted after the stop"
in_container systemctl start distrid.service

step "polkit: a plain user is refused, a sudo member may (shipped example rule)"
in_container install -m 0644 /usr/share/doc/distrid/examples/49-distrid-example.rules /etc/polkit-1/rules.d/49-distrid.rules
in_container systemctl restart polkit.service
if out=$(in_container runuser -u plain -- districtl gc 2>&1); then fail "a plain user may gc: $out"; fi
echo "plain: $out"
out=$(in_container runuser -u admin -- districtl gc 2>&1) || fail "a sudo member may not gc: $out"
echo "admin (sudo): ok"
in_container rm -f /etc/polkit-1/rules.d/49-distrid.rules
if out=$(in_container runuser -u admin -- districtl gc 2>&1); then fail "without the rule a sudo member may gc without a password: $out"; fi

# --- distrid-update.service under real systemd (issue 13) -------------------------------------------------------
# The scheduled update as the timer starts it, sandbox and all: a small repository made inside the container with
# the installed districtl (the 200 MB mirror has nothing newer), served by the same nginx, policy "apply".
step "distrid-update.service: one scheduled run applies an update, history says timer"
in_container sh -ec '
  mkdir -p /var/tmp/upd/tree/bin /var/www/html/upd/pkg
  printf "#!/bin/sh\necho upd 1\n" >/var/tmp/upd/tree/bin/upd
  chmod 0755 /var/tmp/upd/tree/bin/upd
  districtl pack /var/tmp/upd/tree --name upd --version 1 --revision 1 -o /var/www/html/upd/pkg >/dev/null
  districtl keygen /var/tmp/upd/key >/dev/null
  districtl repo build /var/www/html/upd --key /var/tmp/upd/key >/dev/null
  install -m 0644 /var/tmp/upd/key.pub /etc/distri/trusted.d/upd.pub
  sed -i "s|http://127.0.0.1/repo/|http://127.0.0.1/upd/|; s|\"mode\": \"download-only\"|\"mode\": \"apply\"|" /etc/distri/distrid.json
  grep -q "\"mode\": \"apply\"" /etc/distri/distrid.json' || fail "preparing the update repository"
in_container systemctl reset-failed distrid.service distrid.socket || true
in_container systemctl restart distrid.service
in_container districtl install upd >/dev/null || fail "districtl install upd"
before=$(in_container readlink /var/lib/distrid/current)
in_container sh -ec '
  printf "#!/bin/sh\necho upd 2\n" >/var/tmp/upd/tree/bin/upd
  districtl pack /var/tmp/upd/tree --name upd --version 1 --revision 2 -o /var/www/html/upd/pkg >/dev/null
  districtl repo build /var/www/html/upd --key /var/tmp/upd/key >/dev/null' || fail "publishing upd revision 2"
# A oneshot unit: start returns when the run is over, and fails if it did.
in_container systemctl start distrid-update.service || fail "systemctl start distrid-update.service failed: $(in_container journalctl -u distrid-update.service -b --no-pager -o cat | tail -5)"
[ "$(in_container systemctl show -P Result distrid-update.service)" = success ] || fail "distrid-update.service: $(in_container systemctl show -P Result distrid-update.service)"
[ "$(in_container /ro/bin/upd)" = "upd 2" ] || fail "the scheduled run did not apply upd 2: $(in_container /ro/bin/upd)"
[ "$(in_container readlink /var/lib/distrid/current)" != "$before" ] || fail "the scheduled run committed no generation"
run_log=$(in_container journalctl -u distrid-update.service -b --no-pager -o cat)
grep -qF "scheduled update: applied" <<<"$run_log" || fail "the unit's journal lacks the outcome: $run_log"
history=$(in_container districtl history)
grep -qF "via timer	update --apply-downloaded	committed" <<<"$history" || fail "history does not show the timer's apply: $history"
echo "$(grep -F 'scheduled update' <<<"$run_log" | tail -1)"
in_container sh -c 'rm -rf /var/tmp/upd /var/www/html/upd /etc/distri/trusted.d/upd.pub'

step "apt remove, then dpkg -P: nothing left"
in_container sh -c 'rm -f /var/tmp/*.progress /var/tmp/*.result /var/tmp/ci.pub /etc/distri/trusted.d/ci.pub'
in_container env DEBIAN_FRONTEND=noninteractive apt-get remove -y -q distrid >/dev/null || fail "apt remove"
[ "$(is_active distrid.socket distrid.service)" = "inactive inactive" ] || fail "units still active after apt remove"
in_container findmnt /ro >/dev/null && fail "/ro still mounted after apt remove"
in_container dpkg -P distrid >/dev/null || fail "dpkg -P"
snapshot "$run/after"
LC_ALL=C comm -3 "$run/before" "$run/after" >"$run/diff" || true
if [ -s "$run/diff" ]; then cat "$run/diff" >&2; fail "the container differs from before dpkg -i"; fi

step "power off"
container_poweroff
echo "check-nspawn: OK ($(basename "$deb"), $(($(date +%s) - started)) s)"
