# Sourced by check-nspawn.sh (bash): boot a root with systemd as PID 1 under systemd-nspawn on a host whose own
# PID 1 need not be systemd, run commands inside, power it off and leave nothing behind.
#   container_boot ROOT NAME LOGDIR [NSPAWN-ARG...]  -> sets container_pid (the container's PID 1) and nspawn_pid
#   in_container CMD...                -> runs CMD inside (all namespaces of PID 1), clean environment
#   container_poweroff                 -> systemctl poweroff inside, waits, removes the cgroups it made
# Recipe: /work/shared/reference/systemd-nspawn.md (what each option is for is said where it is used).

container_name=
container_pid=
nspawn_pid=
container_cgroups=()

container_boot() {
  local root=$1 name=$2 logdir=$3
  shift 3
  container_name=$name
  container_cgroups=()
  # The container's systemd needs a cgroup subtree of its own: move the launching shell into a new cgroup in every
  # mounted hierarchy nspawn cares about (v1 name=systemd and the v2 unified one, or just v2 on a pure v2 host).
  local hierarchy
  for hierarchy in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
    if [ -e "$hierarchy/cgroup.procs" ] && { [ "$hierarchy" != /sys/fs/cgroup ] || [ -e /sys/fs/cgroup/cgroup.controllers ]; }; then
      mkdir -p "$hierarchy/$name"
      container_cgroups+=("$hierarchy/$name")
    fi
  done
  (
    for cg in "${container_cgroups[@]}"; do echo "$BASHPID" >"$cg/cgroup.procs"; done
    # --register=no: no machined on this host. --keep-unit: no scope unit either. --private-network: the container
    # sees only its own loopback (the checks' mirror lives there). /dev/fuse for the daemon; all capabilities so
    # the unit's own CapabilityBoundingSet= is what limits the daemon, as on a real machine.
    exec systemd-nspawn -D "$root" --boot --machine="$name" --register=no --keep-unit --private-network \
      --bind=/dev/fuse --capability=all --console=read-only "$@" </dev/null >"$logdir/console.log" 2>&1
  ) &
  nspawn_pid=$!
  # The container's PID 1: the child of nspawn in a PID namespace of its own (its /proc/PID/root reads "/" from
  # here, since it pivoted inside its own mount namespace).
  local i child
  container_pid=
  for i in $(seq 600); do
    for child in $(cat /proc/"$nspawn_pid"/task/*/children 2>/dev/null); do
      # ...and already systemd: before its exec, nspawn's own helper children have other names.
      if [ "$(readlink /proc/"$child"/ns/pid 2>/dev/null)" != "$(readlink /proc/self/ns/pid)" ] &&
        [ "$(cat /proc/"$child"/comm 2>/dev/null)" = systemd ]; then container_pid=$child; fi
    done
    [ -n "$container_pid" ] && break
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$container_pid" ] || { cat "$logdir/console.log" >&2; echo "container: nspawn did not start a PID 1" >&2; return 1; }
}

in_container() {
  nsenter -t "$container_pid" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"
}

# Waits until systemd inside has finished booting (running or degraded); prints the state.
container_wait_booted() {
  local state i
  for i in $(seq 1200); do
    state=$(in_container systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) echo "$state"; return 0 ;; esac
    kill -0 "$nspawn_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "${state:-unknown}"
  return 1
}

container_poweroff() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    in_container systemctl poweroff >/dev/null 2>&1 || true
    local i
    for i in $(seq 600); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$nspawn_pid" 2>/dev/null; then
      echo "container: no power-off within 60 s; killing nspawn" >&2
      kill -KILL "$nspawn_pid" 2>/dev/null || true
    fi
    wait "$nspawn_pid" 2>/dev/null || true
  fi
  nspawn_pid=
  # Deepest first: nspawn and the container's systemd made subdirectories below ours. After a forced kill the
  # container's processes may take a moment to go: kill what is left and retry for up to 10 s.
  local cg dir try
  for cg in "${container_cgroups[@]}"; do
    for try in $(seq 100); do
      [ -d "$cg" ] || break
      cat $(find "$cg" -name cgroup.procs) 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
      while IFS= read -r dir; do rmdir "$dir" 2>/dev/null || true; done < <(find "$cg" -depth -type d)
      [ -d "$cg" ] && sleep 0.1
    done
    [ -d "$cg" ] && echo "container: could not remove $cg" >&2
  done
  container_cgroups=()
}
