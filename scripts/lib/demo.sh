# What every demo (scripts/demo*.sh) does around its story: prerequisites, the build, the districtl and distrid
# commands, a work directory cleaned up at exit, and starting and stopping distrid. Sourced from the repository's root.
# shellcheck source=nginx-mirror.sh
source scripts/lib/nginx-mirror.sh

# demo_begin NAME: installs the prerequisites, builds, and makes the work directory `work`
# (/tmp/distrid-NAME.XXXXXX, readable by nginx's worker); at exit the daemon and nginx are stopped, whatever is still
# mounted below `work` is unmounted, and `work` is removed.
demo_begin() {
  scripts/prerequisites.sh
  echo "== building"
  dotnet build Distrid.sln -c Release --verbosity quiet -nologo >/dev/null
  work=$(mktemp -d "/tmp/distrid-$1.XXXXXX")
  chmod 755 "$work"
  trap demo_cleanup EXIT
}
demo_cleanup() {
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null
  findmnt -rn -o TARGET | { grep "^$work/" || true; } | sort -r | while read -r mounted; do umount -l "$mounted" || true; done
  rm -rf "$work"
}
districtl() { dotnet src/districtl/bin/Release/net10.0/districtl.dll "$@"; }
# exec: the background job's PID is then the daemon itself, so SIGTERM reaches it.
distrid() { exec dotnet src/Distrid/bin/Release/net10.0/distrid.dll "$@"; }

# start_distrid [DAEMON_ARG...]: distrid on a fresh store, state and mountpoint `work`/ro (plus the arguments, e.g.
# --repo URL --trusted-keys DIR), its socket in DISTRID_SOCKET; returns once the socket is there, or shows the log and
# exits.
daemon=""
start_distrid() {
  mkdir -p "$work/ro"
  echo '{}' >"$work/distrid.json"
  export DISTRID_SOCKET="$work/distrid.sock"
  distrid --config "$work/distrid.json" --store "$work/store" --state "$work/state" --mountpoint "$work/ro" \
    --socket "$DISTRID_SOCKET" "$@" 2>"$work/distrid.log" &
  daemon=$!
  for _ in $(seq 300); do [ -S "$DISTRID_SOCKET" ] && break; sleep 0.1; done
  [ -S "$DISTRID_SOCKET" ] || { cat "$work/distrid.log"; exit 1; }
}
# stop_distrid: SIGTERM, and waits for the daemon's exit (its status is the script's under set -e).
stop_distrid() {
  kill -TERM "$daemon"
  wait "$daemon"
  daemon=""
}
