#!/usr/bin/python3
# Reads FILE in 1 MiB blocks (with a pause between blocks, so the read spans a daemon restart), hashes it, and
# watches /proc/self/mountinfo every few milliseconds from a second thread: a moment in which MOUNTPOINT is not in
# the mount table counts as a gap. Writes "progress BYTES" lines to PROGRESS while reading, and at the end one line
#   sha256=<hex> bytes=<n> gaps=<count> polls=<count> error=<none|message>
# to stdout. A read failing with ENOTCONN (the connection gone) or EIO is reported in error=. Exits 0 when it
# could read to the end.
import hashlib, os, sys, threading, time

path, mountpoint, progress_path, pause_ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
state = {"gaps": 0, "polls": 0, "done": False}

def mounted():
    with open("/proc/self/mountinfo") as f:
        return any(line.split()[4] == mountpoint for line in f)

def watch():
    while not state["done"]:
        state["polls"] += 1
        if not mounted():
            state["gaps"] += 1
        time.sleep(0.002)

watcher = threading.Thread(target=watch, daemon=True)
watcher.start()
digest, total, error = hashlib.sha256(), 0, "none"
try:
    with open(path, "rb", buffering=0) as f, open(progress_path, "w") as progress:
        while True:
            block = f.read(1 << 20)
            if not block:
                break
            digest.update(block)
            total += len(block)
            progress.write("progress %d\n" % total)
            progress.flush()
            time.sleep(pause_ms / 1000)
except OSError as e:
    error = "%s:%s" % (e.errno, e.strerror)
state["done"] = True
watcher.join()
print("sha256=%s bytes=%d gaps=%d polls=%d error=%s" % (digest.hexdigest(), total, state["gaps"], state["polls"], error))
sys.exit(0 if error == "none" else 1)
