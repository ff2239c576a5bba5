#!/usr/bin/env bash
# Round trip of the built package on this machine, as root (no systemd as PID 1 needed):
#   lintian clean; dpkg -i; every file of the package present and unmodified (dpkg --verify); the postinst's
#   work (tmpfiles, enablement links); systemd-analyze verify of the installed units; --help of both installed
#   programs; the installed daemon, under the unit's capability bounding set, mounts a temp /ro, installs a
#   package from a signed mirror (built with the installed districtl), serves it and answers the scheduled-update
#   service's command; SIGTERM stops it cleanly; dpkg -r leaves only the conffile and state; dpkg -P leaves the
#   file system as before the install. The scheduled-update units (installed, not enabled; enabled by hand, then
#   purged) and the shell completions: check_timer_and_completions. Then, next to
#   Debian's packagekit, both install orders and a purge in a chroot (check_packagekit_coexistence below; needs the
#   Debian root of packaging/nspawn/root.sh, i.e. debootstrap, and apt-get download of packagekit, both cached).
#
#   packaging/check-deb.sh [DEB]        (default: the newest packaging/out/distrid_*_amd64.deb)
# Refuses to run if distrid is already installed (it would purge a real installation).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
deb=${1:-$(ls -t "$here"/out/distrid_*_amd64.deb 2>/dev/null | head -1)}
[ -n "$deb" ] && [ -f "$deb" ] || { echo "check-deb: no .deb (run packaging/build-deb.sh)" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "check-deb: needs root (dpkg -i)" >&2; exit 2; }
if dpkg-query -W -f='${Status}' distrid 2>/dev/null | grep -q 'installed\|config-files'; then
  echo "check-deb: distrid is already installed here; refusing to install/purge over it" >&2
  exit 2
fi
for tool in lintian systemd-analyze setpriv python3 dpkg-deb; do
  command -v "$tool" >/dev/null || { echo "check-deb: needs $tool" >&2; exit 2; }
done

work=$(mktemp -d /tmp/distrid-checkdeb.XXXXXX)
installed=0
http_pid=
step() { echo "== $*"; }
fail() { echo "check-deb: FAIL: $*" >&2; exit 1; }
cleanup() {
  # Never fail here: the script's status is decided before the trap runs (a killed server's wait says 143).
  if [ -n "$http_pid" ]; then kill "$http_pid" 2>/dev/null || true; wait "$http_pid" 2>/dev/null || true; fi
  if mountpoint -q "$work/ro" 2>/dev/null; then umount -l "$work/ro"; fi
  if [ "$installed" = 1 ]; then dpkg -P distrid >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# --- scheduled-update units and shell completions (issue 13) ---------------------------------------------------
# One function for the three moments of the round trip, so that the checks stay together:
#   installed: both units and both completions are there; the timer is NOT enabled (off by default) and verifies
#              clean; the bash completion completes verbs and the update options; the admin then enables the timer,
#              as the docs say, which purge must undo.
#   removed:   dpkg -r took the units and completions away and masked the timer until purge.
#   purged:    no unit, completion, enablement link or mask is left (the snapshot diff below checks the rest).
timer_units="/lib/systemd/system/distrid-update.timer /lib/systemd/system/distrid-update.service"
completions="/usr/share/bash-completion/completions/districtl /usr/share/zsh/vendor-completions/_districtl"
timer_link=/etc/systemd/system/timers.target.wants/distrid-update.timer
timer_mask=/etc/systemd/system/distrid-update.timer
check_timer_and_completions() {
  local path words
  case "$1" in
  installed)
    for path in $timer_units $completions; do [ -f "$path" ] || fail "$path missing after install"; done
    [ -e "$timer_link" ] || [ -L "$timer_link" ] && fail "the package enabled distrid-update.timer (it must be off by default)"
    verify=$(systemd-analyze verify --man=no $timer_units 2>&1) || true
    [ -z "$verify" ] || fail "systemd-analyze verify of the update units: $verify"
    grep -qx 'ExecStart=/usr/bin/districtl update --scheduled' /lib/systemd/system/distrid-update.service ||
      fail "distrid-update.service does not run 'districtl update --scheduled'"
    /usr/bin/districtl update --help | grep -q -- --scheduled || fail "the installed districtl has no update --scheduled"
    # The installed bash completion, loaded as bash-completion would, completes verbs and update's options.
    words=$(bash -c 'source /usr/share/bash-completion/completions/districtl
      COMP_WORDS=(districtl up); COMP_CWORD=1; _districtl; echo "${COMPREPLY[*]}"
      COMP_WORDS=(districtl update --); COMP_CWORD=2; _districtl; echo "${COMPREPLY[*]}"')
    case "$words" in *update*--download-only*--apply-downloaded*--scheduled*) ;; *) fail "bash completion offers: $words" ;; esac
    if command -v zsh >/dev/null; then zsh -n /usr/share/zsh/vendor-completions/_districtl || fail "the zsh completion does not parse"; fi
    # What an admin does to turn scheduled updates on (systemd need not run: enable only writes the link).
    systemctl enable distrid-update.timer >/dev/null 2>&1 || fail "systemctl enable distrid-update.timer"
    [ -L "$timer_link" ] || fail "systemctl enable made no $timer_link"
    ;;
  removed)
    for path in $timer_units $completions; do [ -e "$path" ] && fail "$path still there after dpkg -r"; done
    [ "$(readlink "$timer_mask" 2>/dev/null)" = /dev/null ] || fail "dpkg -r did not mask distrid-update.timer until purge"
    ;;
  purged)
    for path in $timer_units $completions "$timer_link" "$timer_mask"; do
      [ -e "$path" ] || [ -L "$path" ] && fail "$path left after dpkg -P"
    done
    ;;
  esac
  return 0
}

# What the package may touch. dpkg's own bookkeeping files change content, never come or go, except
# /var/lib/dpkg/info/distrid.*, which must go on purge like everything else.
snapshot() {
  find /usr /etc /var/lib /roimg /ro /run/distrid -xdev 2>/dev/null |
    grep -Ev '^/var/lib/(dpkg/(status|status-old|available|lock.*|triggers/.*|diversions|statoverride)|apt/|ucf/)' |
    LC_ALL=C sort >"$1" || true
}

step "lintian $(basename "$deb")"
lintian --fail-on error,warning --tag-display-limit 0 "$deb" | tee "$work/lintian.txt"

step "snapshot before install"
# An empty /ro that something else left (the test suite's EmptyRoot.RunOnHostAsync mounts over it in private
# namespaces) is removed by the purge, as dpkg removes its own empty directories: without it first, the comparison
# below failed on the first run after a test run.
if [ -d /ro ] && ! mountpoint -q /ro && [ -z "$(ls -A /ro)" ]; then rmdir /ro; fi
snapshot "$work/before"

step "dpkg -i"
installed=1
dpkg -i "$deb"
dpkg --verify distrid || fail "dpkg --verify: installed files differ from the package"
while IFS= read -r path; do
  [ -e "$path" ] || [ -L "$path" ] || fail "$path listed by dpkg -L but missing"
done < <(dpkg -L distrid | grep '^/') # not its "package diverts others to:" lines
for path in /usr/lib/distrid/distrid /usr/lib/distrid/districtl /lib/systemd/system/distrid.service \
  /lib/systemd/system/distrid.socket /usr/lib/tmpfiles.d/distrid.conf \
  /usr/share/dbus-1/system.d/org.distrid.Distrid1.conf /usr/share/dbus-1/system-services/org.distrid.Distrid1.service \
  /usr/share/polkit-1/actions/org.distrid.distrid1.policy /usr/share/doc/distrid/examples/49-distrid-example.rules \
  /etc/distri/distrid.json /etc/distri/trusted.d /usr/share/man/man8/distrid.8.gz \
  /usr/share/bash-completion/completions/districtl /usr/share/zsh/vendor-completions/_districtl; do
  [ -e "$path" ] || fail "$path missing after install"
done
grep -qx /etc/distri/distrid.json /var/lib/dpkg/info/distrid.conffiles || fail "distrid.json is not a conffile"
bash -n /usr/share/bash-completion/completions/districtl || fail "the bash completion does not parse"

step "scheduled-update units and completions installed; the timer is off until an admin enables it"
check_timer_and_completions installed

step "postinst: tmpfiles and enablement"
for dir in /run/distrid /var/lib/distrid /roimg; do [ -d "$dir" ] || fail "postinst did not create $dir"; done
[ -L /etc/systemd/system/multi-user.target.wants/distrid.service ] || fail "distrid.service not enabled"
[ -L /etc/systemd/system/sockets.target.wants/distrid.socket ] || fail "distrid.socket not enabled"

step "systemd-analyze verify (installed units, real root)"
verify=$(systemd-analyze verify --man=no /lib/systemd/system/distrid.service /lib/systemd/system/distrid.socket 2>&1) || true
[ -z "$verify" ] || fail "systemd-analyze verify: $verify"

step "installed programs run"
/usr/bin/districtl --help >/dev/null
# The Native AOT package ships districtl (daemon verbs) and districtl-tools (offline verbs, which districtl execs with
# its command line); a ReadyToRun one (DISTRICTL_AOT=0) districtl.dll with every verb. Either way the offline verbs
# answer as districtl (their use below builds the mirror).
if [ ! -e /usr/lib/distrid/districtl.dll ]; then
  [ -x /usr/lib/distrid/districtl-tools ] || fail "/usr/lib/distrid/districtl-tools missing beside the Native AOT districtl"
  missing=$(DISTRICTL_TOOLS=/nonexistent/districtl-tools /usr/bin/districtl --json pack --help 2>&1) &&
    fail "districtl pack succeeded without its tool"
  [ "$(printf '%s\n' "$missing" | wc -l)" = 1 ] && [[ "$missing" == *"cannot run /nonexistent/districtl-tools"* ]] ||
    fail "districtl pack without its tool said: $missing"
fi
/usr/bin/districtl pack --help | grep -q '^  districtl pack <DIR> \[options\]$' || fail "districtl pack --help: $(/usr/bin/districtl pack --help 2>&1)"
/usr/bin/districtl --socket /nonexistent.sock repo build --help | grep -q -- '--zstd-level' || fail "districtl repo build --help has no --zstd-level"
/usr/bin/districtl --help | grep -q '^  import-deb <DEB>  ' || fail "districtl --help does not list import-deb"
/usr/sbin/distrid --help >/dev/null
man -l /usr/share/man/man8/distrid.8.gz >/dev/null 2>&1 || true

step "a signed mirror built with the installed districtl"
mkdir -p "$work/tree/bin" "$work/repo/pkg" "$work/trusted" "$work/ro"
printf '#!/bin/sh\necho hello from the distrid package\n' >"$work/tree/bin/hello"
chmod 0755 "$work/tree/bin/hello"
/usr/bin/districtl pack "$work/tree" --name hello --version 1.0 --revision 1 -o "$work/repo/pkg" >/dev/null
/usr/bin/districtl keygen "$work/key" >/dev/null
/usr/bin/districtl repo build "$work/repo" --key "$work/key" >/dev/null
cp "$work/key.pub" "$work/trusted/check.pub"
port_file="$work/http.port"
python3 - "$work" "$port_file" <<'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
handler = functools.partial(Quiet, directory=sys.argv[1])
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
http_pid=$!
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
port=$(cat "$port_file")

step "the installed daemon under the unit's bounding set (CAP_SYS_ADMIN only, no new privileges)"
# The shipped config file must parse; flags point everything at the temp directory; no system bus here.
sock="$work/distrid.sock"
export DISTRID_SOCKET="$sock"
python3 "$here/notify-run.py" --log "$work/distrid.log" \
  --then "/usr/bin/districtl status >/dev/null" \
  --then "/usr/bin/districtl install hello" \
  --then "test \"\$('$work/ro/bin/hello')\" = 'hello from the distrid package'" \
  --then "/usr/bin/districtl --json list | grep -q hello-amd64-1.0-1" \
  --then "$(sed -n 's/^ExecStart=//p' /lib/systemd/system/distrid-update.service) | grep -q 'scheduled update: up to date'" \
  -- setpriv --bounding-set -all,+sys_admin --inh-caps -all --no-new-privs \
  /usr/sbin/distrid --config /etc/distri/distrid.json --store "$work/store" --state "$work/state" \
  --mountpoint "$work/ro" --socket "$sock" --repo "http://127.0.0.1:$port/repo/" --trusted-keys "$work/trusted" \
  --dbus none || { cat "$work/distrid.log" >&2; fail "the installed daemon did not serve"; }
mountpoint -q "$work/ro" && fail "$work/ro still mounted after SIGTERM"

step "dpkg -r keeps only the conffile and state"
dpkg -r distrid
[ -e /usr/lib/distrid/distrid ] && fail "program still there after dpkg -r"
[ -e /etc/distri/distrid.json ] || fail "conffile removed by dpkg -r (only purge may)"
check_timer_and_completions removed
snapshot "$work/removed"
echo "left after remove:"
LC_ALL=C comm -13 "$work/before" "$work/removed" | sed 's/^/  /'

step "dpkg -P leaves nothing behind"
dpkg -P distrid
installed=0
check_timer_and_completions purged
snapshot "$work/after"
LC_ALL=C comm -3 "$work/before" "$work/after" >"$work/diff" || true
# Another engineer's apt-get on this machine may add files meanwhile: a path another package owns is not ours.
leftover=()
while IFS= read -r line; do
  path=${line#"${line%%/*}"}
  if owner=$(dpkg -S "$path" 2>/dev/null) && [ -n "$owner" ]; then continue; fi
  leftover+=("$line")
done <"$work/diff"
if ((${#leftover[@]})); then
  printf '  %s\n' "${leftover[@]}" >&2
  fail "the file system differs from before the install"
fi
# --- Next to Debian's packagekit -----------------------------------------------------------------------------------
# Both install orders, each followed by a purge of distrid, in a chroot of a throw-away overlay over the Debian 12 root
# of check-nspawn.sh (packaging/nspawn/root.sh, cached), so this machine's own packagekit is never touched. Debian's
# packagekit .deb comes from the machine's apt source (apt-get download, cached under $cache/packagekit-deb); its
# library dependencies are not in that root and not needed for file-level checks (dpkg --force-depends). Checked:
# distrid's preinst diverts packagekit's D-Bus activation file and packagekit.service to *.distrib whichever comes
# first, distrid's own activation file (starting distrid.service) takes the name, and purging distrid puts
# packagekit's files back byte-identical (dpkg --verify) with no diversion left.
check_packagekit_coexistence() (
  local deb=$1 cache=${DISTRID_CI_CACHE:-/var/tmp/distrid-ci}
  local activation=/usr/share/dbus-1/system-services/org.freedesktop.PackageKit.service
  local unit=/lib/systemd/system/packagekit.service
  local root pkdeb run m
  root=$("$here/nspawn/root.sh") || fail "packagekit coexistence: no Debian root (packaging/nspawn/root.sh)"
  pkdeb=$(ls "$cache"/packagekit-deb/packagekit_*_amd64.deb 2>/dev/null | head -1 || true)
  if [ -z "$pkdeb" ]; then
    mkdir -p "$cache/packagekit-deb"
    (cd "$cache/packagekit-deb" && apt-get download packagekit >/dev/null 2>&1) || fail "apt-get download packagekit failed"
    pkdeb=$(ls "$cache"/packagekit-deb/packagekit_*_amd64.deb | head -1)
  fi
  run=$(mktemp -d "$cache/pk-coexist.XXXXXX")
  m=$run/merged
  mkdir -p "$run/upper" "$run/work" "$m"
  trap 'umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; rm -rf "$run"' EXIT
  mount -t overlay overlay -o "lowerdir=$root,upperdir=$run/upper,workdir=$run/work" "$m"
  cp "$deb" "$m/var/tmp/distrid.deb"
  cp "$pkdeb" "$m/var/tmp/packagekit.deb"
  in_root() { chroot "$m" env DEBIAN_FRONTEND=noninteractive PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@" >>"$run/dpkg.log" 2>&1 ||
    { tail -20 "$run/dpkg.log" >&2; fail "in the Debian root: $*"; }; }
  diverter() { chroot "$m" dpkg-divert --listpackage "$1"; }
  diverted() {
    [ "$(diverter "$activation")" = distrid ] && [ "$(diverter "$unit")" = distrid ] || fail "$1: packagekit's files are not diverted by distrid"
    grep -qx 'SystemdService=distrid.service' "$m$activation" || fail "$1: $activation is not distrid's"
    [ ! -e "$m$unit" ] || fail "$1: packagekit.service is still visible to systemd"
  }
  restored() {
    [ -z "$(diverter "$activation")$(diverter "$unit")" ] || fail "$1: a diversion is left after purging distrid"
    grep -qx 'Exec=/usr/libexec/packagekitd' "$m$activation" || fail "$1: packagekit's activation file is not back"
    [ -f "$m$unit" ] && [ ! -e "$m$activation.distrib" ] && [ ! -e "$m$unit.distrib" ] || fail "$1: packagekit.service is not back"
    [ -z "$(chroot "$m" dpkg --verify packagekit)" ] || fail "$1: packagekit's files differ from its package after distrid's purge"
  }

  step "packagekit, then distrid (chroot)"
  in_root dpkg -i --force-depends /var/tmp/packagekit.deb
  in_root dpkg -i /var/tmp/distrid.deb
  diverted "packagekit first"
  grep -qx 'Exec=/usr/libexec/packagekitd' "$m$activation.distrib" || fail "packagekit's activation file was not kept aside"
  in_root dpkg -P distrid
  restored "packagekit first"

  step "distrid, then packagekit (chroot)"
  in_root dpkg -P packagekit
  in_root dpkg -i /var/tmp/distrid.deb
  diverted "distrid first, alone"
  in_root dpkg -i --force-depends /var/tmp/packagekit.deb
  diverted "distrid first, then packagekit"
  [ -f "$m$unit.distrib" ] && grep -qx 'Exec=/usr/libexec/packagekitd' "$m$activation.distrib" ||
    fail "packagekit installed after distrid did not unpack aside"
  in_root dpkg -P distrid
  restored "distrid first"
)

check_packagekit_coexistence "$deb"
echo "check-deb: OK ($(basename "$deb"))"
