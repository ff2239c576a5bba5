# Serving a directory with nginx on 127.0.0.1 for a benchmark (a static mirror), on the nginx the demos use
# (scripts/lib/nginx-mirror.sh). Sourced after common.sh.
# nginx_start ROOT RUNDIR: serves ROOT on a free high port with one worker, access log in RUNDIR/access.log
# (URL, status and body bytes per request) and RUNDIR/timing.log (per request: end time, duration, connection serial
# number and request number on it, status, bytes, URL: how many connections and which requests waited on which);
# sets NGINX_PORT and NGINX_PID and registers the stop with on_exit.

# shellcheck source=../../scripts/lib/nginx-mirror.sh
. "$BENCH_REPO/scripts/lib/nginx-mirror.sh"

nginx_start() {
  local root=$1 run=$2
  nginx_launch "$root" "$run" 256 "    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000;
    log_format bench '\$request_uri \$status \$body_bytes_sent';
    log_format timing '\$msec \$request_time \$connection \$connection_requests \$status \$body_bytes_sent \$request_uri';
    access_log $run/access.log bench;
    access_log $run/timing.log timing;"
  on_exit "nginx_stop"
  nginx_answering "$run" || exit 1
}
nginx_stop() {
  [ -n "$NGINX_PID" ] || return 0
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}
