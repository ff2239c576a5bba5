# Starting and stopping one distrid daemon for a benchmark. Sourced after common.sh.
# distrid_start STORE STATE MOUNTPOINT SOCKET COUNT [DAEMON_ARG...]: launches the daemon (with the extra arguments,
# e.g. --repo URL --trusted-keys DIR), waits until `status` answers and the mount root lists COUNT package
# directories; sets DISTRID_PID and DISTRID_READY ("status_s listed_s"). DISTRID_ENV="VAR=value ..." starts the
# daemon with those variables (runtime knobs such as DOTNET_TieredPGO=0, for comparing configurations);
# DISTRID_CONFIG_JSON is its configuration file's content (default {}), e.g. {"downloadParallelism": 8}.

DISTRID_PID=""
distrid_start() {
  local store=$1 state=$2 mnt=$3 sock=$4 count=$5 config t0
  shift 5
  config=$(dirname "$sock")/distrid.json
  echo "${DISTRID_CONFIG_JSON:-{\}}" >"$config"
  mkdir -p "$state" "$mnt"
  t0=$(now)
  # DISTRID_DLL is an assembly run by `dotnet`, or a self-contained executable (what the .deb ships).
  local launcher=(dotnet "$DISTRID_DLL")
  [[ $DISTRID_DLL == *.dll ]] || launcher=("$DISTRID_DLL")
  ${DISTRID_ENV:+env $DISTRID_ENV} "${launcher[@]}" --config "$config" --store "$store" --state "$state" --mountpoint "$mnt" --socket "$sock" "$@" \
    >>"$(dirname "$sock")/distrid.log" 2>&1 &
  DISTRID_PID=$!
  if ! DISTRID_READY=$("$BENCH_PYTHON" "$BENCH_DIR/lib/wait_ready.py" "$sock" "$mnt" "$count" "$t0" 180); then
    tail -20 "$(dirname "$sock")/distrid.log" >&2
    die "distrid did not become ready"
  fi
}
# distrid_fresh DIR SOCKET [DAEMON_ARG...]: stops the daemon, then starts one as distrid_start does on an empty store,
# state and mountpoint (DIR/store, DIR/state, DIR/mnt) holding no package yet. The caller registers distrid_stop and
# the unmount of DIR/mnt with on_exit.
distrid_fresh() {
  local dir=$1 sock=$2
  shift 2
  distrid_stop
  unmount_quietly "$dir/mnt"
  rm -rf "$dir/store" "$dir/state" "$dir/mnt"
  mkdir -p "$dir/store" "$dir/state" "$dir/mnt"
  distrid_start "$dir/store" "$dir/state" "$dir/mnt" "$sock" 0 "$@"
}
distrid_stop() {
  [ -n "$DISTRID_PID" ] || return 0
  kill -TERM "$DISTRID_PID" 2>/dev/null || true
  wait "$DISTRID_PID" 2>/dev/null || true
  DISTRID_PID=""
}
# distrid_rss_mib: the daemon's resident set (VmRSS) in MiB.
distrid_rss_mib() { awk '/^VmRSS:/ { printf "%.0f\n", $2 / 1024 }' "/proc/$DISTRID_PID/status"; }
# distrid_wait_idle: waits (at most 10 s) until the daemon used no CPU time for 0.3 s: its start-up work (index
# refresh, the runtime compiling hot methods in the background) is over, as for a daemon that has run since boot.
distrid_wait_idle() {
  local before after i
  for ((i = 0; i < 30; i++)); do
    before=$(distrid_cpu_s)
    sleep 0.3
    after=$(distrid_cpu_s)
    [ "$before" = "$after" ] && return 0
  done
}
# distrid_cpu_s: CPU seconds (user + system) the daemon has used so far; unlike wall time, it hardly moves when
# other work competes for the CPUs.
distrid_cpu_s() {
  sed 's/^.*) //' "/proc/$DISTRID_PID/stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($12 + $13) / hz }'
}
