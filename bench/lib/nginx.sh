# Serving a directory with nginx on 127.0.0.1 for a benchmark (a static mirror). Sourced after common.sh.
# nginx_start ROOT RUNDIR: serves ROOT on a free high port with one worker, access log in RUNDIR/access.log
# (URL, status and body bytes per request) and RUNDIR/timing.log (per request: end time, duration, connection serial
# number and request number on it, status, bytes, URL: how many connections and which requests waited on which);
# sets NGINX_PORT and NGINX_PID and registers the stop with on_exit.

NGINX_PID=""
NGINX_PORT=""
nginx_start() {
  local root=$1 run=$2 port i
  mkdir -p "$run/tmp"
  # A random high port that nothing answers on yet.
  while :; do port=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; done
  cat >"$run/nginx.conf" <<CONF
user root root;
daemon off;
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000;
    log_format bench '\$request_uri \$status \$body_bytes_sent';
    log_format timing '\$msec \$request_time \$connection \$connection_requests \$status \$body_bytes_sent \$request_uri';
    access_log $run/access.log bench;
    access_log $run/timing.log timing;
    client_body_temp_path $run/tmp/body;
    proxy_temp_path $run/tmp/proxy;
    fastcgi_temp_path $run/tmp/fastcgi;
    uwsgi_temp_path $run/tmp/uwsgi;
    scgi_temp_path $run/tmp/scgi;
    server { listen 127.0.0.1:$port; root $root; location / { } }
}
CONF
  nginx -p "$run" -c "$run/nginx.conf" -e "$run/error.log" &
  NGINX_PID=$!
  on_exit "nginx_stop"
  for i in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || die "nginx did not start (see $run/error.log)"
  NGINX_PORT=$port
}
nginx_stop() {
  [ -n "$NGINX_PID" ] || return 0
  kill -TERM "$NGINX_PID" 2>/dev/null || true
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
}
