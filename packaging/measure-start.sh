#!/usr/bin/env bash
# Daemon start to READY=1 and idle RSS for three ways to ship distrid, on an empty store and on a store with
# 100 installed packages. One command, unattended, as root (it mounts FUSE under a temp dir):
#
#   packaging/measure-start.sh [RUNS]          (default 7 starts per variant and store; prints a Markdown table)
#
# Variants: framework-dependent JIT, framework-dependent ReadyToRun, self-contained ReadyToRun. Each is a
# `dotnet publish` into packaging/out/measure/<variant> (kept between runs with DISTRID_REUSE_PUBLISH=1).
# Starts are interleaved round-robin, so background load hits every variant alike. READY=1 is the daemon's own
# sd_notify datagram (packaging/notify-run.py); CPU time is the daemon's utime+stime at READY=1 (robust against
# load, unlike wall time); idle RSS is VmRSS 2 s after READY=1.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
runs=${1:-7}
out="$here/out/measure"
variants=(fd-jit fd-r2r sc-r2r)
[ "$(id -u)" = 0 ] || { echo "measure-start: needs root (FUSE mount)" >&2; exit 2; }

publish() {
  local variant=$1 sc=false r2r=false
  case "$variant" in
  fd-jit) ;;
  fd-r2r) r2r=true ;;
  sc-r2r) sc=true r2r=true ;;
  esac
  if [ "${DISTRID_REUSE_PUBLISH:-0}" = 1 ] && [ -x "$out/$variant/distrid" ]; then return; fi
  rm -rf "$out/$variant"
  echo "measure-start: publishing $variant" >&2
  dotnet publish "$repo/src/Distrid/Distrid.csproj" -c Release -r linux-x64 --self-contained "$sc" \
    -p:PublishReadyToRun="$r2r" -o "$out/$variant" -v quiet -nologo >&2
}
for v in "${variants[@]}"; do publish "$v"; done
if [ "${DISTRID_REUSE_PUBLISH:-0}" != 1 ] || [ ! -x "$out/districtl/districtl" ]; then
  dotnet publish "$repo/src/districtl/districtl.csproj" -c Release -r linux-x64 --self-contained false \
    -p:PublishReadyToRun=true -o "$out/districtl" -v quiet -nologo >&2
fi
districtl="$out/districtl/districtl"

work=$(mktemp -d /tmp/distrid-measure.XXXXXX)
http_pid=
cleanup() {
  # Never fail here: the script's status is decided before the trap runs (a killed server's wait says 143).
  if [ -n "$http_pid" ]; then kill "$http_pid" 2>/dev/null || true; wait "$http_pid" 2>/dev/null || true; fi
  for m in "$work"/ro-*; do if mountpoint -q "$m" 2>/dev/null; then umount -l "$m" || true; fi; done
  rm -rf "$work"
}
trap cleanup EXIT

# --- a store with 100 installed packages, installed through a real mirror once ----------------------------------
echo "measure-start: building a mirror of 100 packages and installing them" >&2
mkdir -p "$work/repo/pkg" "$work/trusted"
names=()
for i in $(seq -w 1 100); do
  t="$work/tree/p$i"
  mkdir -p "$t/bin" "$t/lib" "$t/share/doc/p$i"
  printf '#!/bin/sh\necho p%s\n' "$i" >"$t/bin/p$i"
  chmod 0755 "$t/bin/p$i"
  head -c 200000 /dev/urandom >"$t/lib/libp$i.so.1"
  seq 1 2000 >"$t/share/doc/p$i/README"
  "$districtl" pack "$t" --name "p$i" --version 1.0 --revision 1 -o "$work/repo/pkg" >/dev/null
  names+=("p$i")
done
"$districtl" keygen "$work/key" >/dev/null
"$districtl" repo build "$work/repo" --key "$work/key" >/dev/null
cp "$work/key.pub" "$work/trusted/m.pub"
python3 - "$work" "$work/http.port" <<'PY' &
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
open(sys.argv[2], "w").write(str(server.server_address[1]))
server.serve_forever()
PY
http_pid=$!
for _ in $(seq 100); do [ -s "$work/http.port" ] && break; sleep 0.05; done
echo '{}' >"$work/empty.json"
mkdir -p "$work/ro-full"
DISTRID_SOCKET="$work/full.sock" python3 "$here/notify-run.py" --log "$work/install.log" \
  --then "DISTRID_SOCKET=$work/full.sock $districtl install ${names[*]} >/dev/null" \
  -- "$out/sc-r2r/distrid" --config "$work/empty.json" --store "$work/store-full" --state "$work/state-full" \
  --mountpoint "$work/ro-full" --socket "$work/full.sock" --repo "http://127.0.0.1:$(cat "$work/http.port")/repo/" \
  --trusted-keys "$work/trusted" --dbus none >/dev/null
kill "$http_pid"; wait "$http_pid" 2>/dev/null || true; http_pid=

# --- the measured starts ---------------------------------------------------------------------------------------
results="$work/results"
: >"$results"
for store in empty full; do
  for run in $(seq "$runs"); do
    for v in "${variants[@]}"; do
      mkdir -p "$work/ro-$v"
      if [ "$store" = empty ]; then rm -rf "$work/store-empty" "$work/state-empty"; fi
      line=$(python3 "$here/notify-run.py" --idle 2 -- "$out/$v/distrid" --config "$work/empty.json" \
        --store "$work/store-$store" --state "$work/state-$store" --mountpoint "$work/ro-$v" \
        --socket "$work/$v.sock" --trusted-keys "$work/trusted" --dbus none)
      echo "$store $v $line" >>"$results"
      echo "measure-start: $store $v run $run: $(echo "$line" | cut -c1-60)" >&2
    done
  done
done

python3 - "$results" "$runs" "$out" <<'PY'
import json, os, statistics, subprocess, sys
rows = {}
for line in open(sys.argv[1]):
    store, variant, doc = line.split(" ", 2)
    d = json.loads(doc)
    rows.setdefault((store, variant), []).append(d)
def size(v):
    return int(subprocess.run(["du", "-sk", os.path.join(sys.argv[3], v)], capture_output=True, text=True).stdout.split()[0]) // 1024
names = {"fd-jit": "framework-dependent, JIT", "fd-r2r": "framework-dependent, ReadyToRun", "sc-r2r": "self-contained, ReadyToRun"}
print(f"| variant | on disk | store | start to READY=1, median (min-max) of {sys.argv[2]} | CPU time until READY=1, median | idle RSS, median |")
print("|---|---:|---|---:|---:|---:|")
for (store, variant), ds in sorted(rows.items(), key=lambda kv: (kv[0][0], list(names).index(kv[0][1]))):
    ready = [d["ready_ms"] for d in ds]
    rss = [d["rss_kib"] / 1024 for d in ds]
    cpu = [d["cpu_ms"] for d in ds]
    store_name = "empty" if store == "empty" else "100 packages"
    print(f"| {names[variant]} | {size(variant)} MiB | {store_name} | {statistics.median(ready):.0f} ms ({min(ready):.0f}-{max(ready):.0f}) | {statistics.median(cpu):.0f} ms | {statistics.median(rss):.1f} MiB |")
PY
