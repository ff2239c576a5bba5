# Serving a directory as a static mirror with nginx on 127.0.0.1, for the demos. Sourced.
# serve_mirror ROOT RUNDIR: serves ROOT on a free high port with one worker; sets `port` and `nginx_pid` (the caller
# stops it) and returns once the port answers.
serve_mirror() {
  local root=$1 run=$2
  # A random high port that nothing answers on yet.
  while :; do port=$((20000 + RANDOM % 40000)); (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || break; done
  mkdir -p "$run/tmp"
  cat >"$run/nginx.conf" <<CONF
user root root;
daemon off;
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log warn;
events { worker_connections 64; }
http {
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path $run/tmp/body;
    proxy_temp_path $run/tmp/proxy;
    fastcgi_temp_path $run/tmp/fastcgi;
    uwsgi_temp_path $run/tmp/uwsgi;
    scgi_temp_path $run/tmp/scgi;
    server { listen 127.0.0.1:$port; root $root; location / { } }
}
CONF
  nginx -p "$run" -c "$run/nginx.conf" -e "$run/error.log" &
  nginx_pid=$!
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0; sleep 0.1; done
  echo "nginx did not start (see $run/error.log)" >&2
  return 1
}
