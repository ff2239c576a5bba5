#!/usr/bin/python3
"""Runs a daemon the way systemd's Type=notify does, measures it, stops it.

  notify-run.py [--idle SECONDS] [--then CMD]... [--log FILE] -- DAEMON ARGS...

Binds a NOTIFY_SOCKET datagram socket, starts DAEMON with it, and waits for READY=1 (no polling: the daemon's
own readiness signal, like systemd). Then runs each --then command (a shell line; a failing one fails the run),
waits --idle seconds (--log FILE keeps its stderr), reads the daemon's resident memory, sends SIGTERM (systemd's stop) and waits for the exit.
Prints one JSON line: {"ready_ms": ..., "cpu_ms": (daemon CPU time at READY=1), "rss_kib": ..., "exit": ..., "notifications": [...]}.
Exit status 0 only if READY=1 came, every --then command succeeded and the daemon exited 0 on SIGTERM.
Used by packaging/check-deb.sh and packaging/measure-start.sh.
"""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time


def cpu_time_ms(pid: int):
    """User + system CPU time of the process so far: unlike wall time, it hardly moves with the machine's load."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def main() -> int:
    args = sys.argv[1:]
    idle, then, log = 0.0, [], None
    while args and args[0] != "--":
        flag = args.pop(0)
        if flag == "--idle":
            idle = float(args.pop(0))
        elif flag == "--then":
            then.append(args.pop(0))
        elif flag == "--log":
            log = args.pop(0)
        else:
            print(f"notify-run: unknown flag {flag}", file=sys.stderr)
            return 2
    command = args[1:]
    if not command:
        print("notify-run: no daemon command after --", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="distrid-notify-") as tmp:
        path = os.path.join(tmp, "notify.sock")
        notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        notify.bind(path)
        env = dict(os.environ, NOTIFY_SOCKET=path)
        stderr = open(log, "wb") if log else subprocess.DEVNULL
        started = time.monotonic()
        daemon = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        notes, ready_ms, cpu_ms, failed = [], None, None, None
        notify.settimeout(0.5)
        deadline = started + 120
        while ready_ms is None and time.monotonic() < deadline:
            try:
                data = notify.recv(4096).decode()
            except socket.timeout:
                if daemon.poll() is not None:
                    failed = f"daemon exited with {daemon.returncode} before READY=1"
                    break
                continue
            notes.append(data)
            if "READY=1" in data.split("\n"):
                ready_ms = (time.monotonic() - started) * 1000
                cpu_ms = cpu_time_ms(daemon.pid)
        if ready_ms is None and failed is None:
            failed = "no READY=1 within 120 s"

        rss = None
        if failed is None:
            for line in then:
                result = subprocess.run(line, shell=True)
                if result.returncode != 0:
                    failed = f"'{line}' exited with {result.returncode}"
                    break
            if failed is None:
                time.sleep(idle)
                with open(f"/proc/{daemon.pid}/status") as status:
                    for row in status:
                        if row.startswith("VmRSS:"):
                            rss = int(row.split()[1])

        if daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon.kill()
                daemon.wait()
                failed = failed or "daemon did not exit within 60 s of SIGTERM"
        if failed is None and daemon.returncode != 0:
            failed = f"daemon exited with {daemon.returncode} after SIGTERM"

        print(json.dumps({"ready_ms": ready_ms, "cpu_ms": cpu_ms, "rss_kib": rss, "exit": daemon.returncode,
                          "notifications": notes, "error": failed}))
        if failed:
            print(f"notify-run: {failed}", file=sys.stderr)
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())
