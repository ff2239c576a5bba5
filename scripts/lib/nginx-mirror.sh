# Serving a directory as a static mirror with nginx on 127.0.0.1: the one implementation that the demos (serve_mirror,
# below) and the benchmarks (bench/lib/nginx.sh) use. Sourced. Needs bash and nginx, nothing from bench/.

NGINX_PID=""
NGINX_PORT=""

# port_answers PORT: whether something accepts connections on 127.0.0.1:PORT.
port_answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# nginx_launch ROOT RUNDIR CONNECTIONS [HTTP_DIRECTIVES]: writes RUNDIR/nginx.conf, which serves ROOT on a free high
# port with one worker of CONNECTIONS connections (HTTP_DIRECTIVES: more lines for its http block, e.g. access logs),
# and starts nginx in the background; sets NGINX_PORT and NGINX_PID (the caller stops it). nginx_answering waits for it.
nginx_launch() {
  local root=$1 run=$2 connections=$3 directives=${4:-}
  mkdir -p "$run/tmp"
  # A random high port that nothing answers on yet.
  while :; do NGINX_PORT=$((20000 + RANDOM % 40000)); port_answers "$NGINX_PORT" || break; done
  cat >"$run/nginx.conf" <<CONF
user root root;
daemon off;
worker_processes 1;
pid $run/nginx.pid;
error_log $run/error.log warn;
events { worker_connections $connections; }
http {
    default_type application/octet-stream;
$directives
    client_body_temp_path $run/tmp/body;
    proxy_temp_path $run/tmp/proxy;
    fastcgi_temp_path $run/tmp/fastcgi;
    uwsgi_temp_path $run/tmp/uwsgi;
    scgi_temp_path $run/tmp/scgi;
    server { listen 127.0.0.1:$NGINX_PORT; root $root; location / { } }
}
CONF
  nginx -p "$run" -c "$run/nginx.conf" -e "$run/error.log" &
  NGINX_PID=$!
}

# nginx_answering RUNDIR: returns once the nginx of nginx_launch answers (at most 10 s); otherwise says so and fails.
nginx_answering() {
  local i
  for i in $(seq 200); do port_answers "$NGINX_PORT" && return 0; sleep 0.05; done
  echo "nginx did not start (see $1/error.log)" >&2
  return 1
}

# serve_mirror ROOT RUNDIR: for the demos: serves ROOT (no access log) and returns once the port answers.
serve_mirror() {
  nginx_launch "$1" "$2" 64 "    access_log off;"
  nginx_answering "$2"
}
