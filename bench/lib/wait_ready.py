#!/usr/bin/env python3
"""Waits for a distrid daemon to serve, and says when: prints two numbers, the seconds from START (an epoch time
taken just before the daemon was launched) until the JSON-RPC `status` call answered, and until the mount's root
listed at least COUNT package directories (names containing '-amd64-').

usage: wait_ready.py SOCKET MOUNTPOINT COUNT START [TIMEOUT]
"""
import json
import os
import socket
import sys
import time


def status_answers(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.settimeout(5)
        s.connect(path)
        f = s.makefile("rw")
        f.write(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "status"}) + "\n")
        f.flush()
        answer = json.loads(f.readline())
        s.close()
        return "result" in answer
    except (OSError, ValueError):
        return False


def main():
    sock, mnt, count, start = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    deadline = time.time() + (float(sys.argv[5]) if len(sys.argv) > 5 else 120)
    while not status_answers(sock):
        if time.time() > deadline:
            print("wait_ready: status never answered", file=sys.stderr)
            return 1
        time.sleep(0.01)
    status_at = time.time() - start
    while True:
        try:
            listed = sum(1 for n in os.listdir(mnt) if "-amd64-" in n)
        except OSError:
            listed = -1
        if listed >= count:
            break
        if time.time() > deadline:
            print("wait_ready: %d of %d listed" % (listed, count), file=sys.stderr)
            return 1
        time.sleep(0.01)
    print("%.3f %.3f" % (status_at, time.time() - start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
