#!/usr/bin/env python3
"""What one install asked of the mirror, from nginx's timing log (bench/lib/nginx.sh): counts that load does not
change. Prints one line: requests, connections (each cost the client a handshake), index_requests, and
index_to_image_ms: from the index request's arrival to the first image request's arrival at nginx. An image request
sent after the index's answer arrives at least one round trip after the index request (two on a new connection); one
sent beside it, on a new connection, one round trip (its handshake) after.

    wan_requests.py TIMING_LOG PREFIX      (PREFIX: the mirror's path, e.g. /repo/)
"""
import sys


def main() -> None:
    log, prefix = sys.argv[1], sys.argv[2]
    requests = []
    for line in open(log):
        fields = line.split()
        if len(fields) < 7 or not fields[6].startswith(prefix):
            continue
        end, duration, connection = float(fields[0]), float(fields[1]), fields[2]
        requests.append((end - duration, end, connection, fields[6][len(prefix):]))
    index = [r for r in requests if r[3].startswith("index.json") and not r[3].endswith(".sig")]
    images = [r for r in requests if r[3].startswith("pkg/")]
    to_image = "-"
    if index and images:
        to_image = "%.0f" % ((min(r[0] for r in images) - min(index)[0]) * 1000)
    print(len(requests), len({r[2] for r in requests}), len(index), to_image)


if __name__ == "__main__":
    main()
