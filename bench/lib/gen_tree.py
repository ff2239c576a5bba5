#!/usr/bin/env python3
"""Writes the benchmark reference tree, deterministically from a seed.

DIRS directories of FILES files each, sizes log-uniform between 180 B and 32 KiB, a quarter of them incompressible
(random bytes) and the rest text-like (words drawn from a fixed vocabulary, so they compress about like source
code and man pages do); plus BIG files of BIG_MIB MiB: one text-like, the others mixed 128 KiB chunks of text and
random data (25/50/75 % random). The same arguments always give byte-identical trees.
"""
import argparse
import math
import os
import random
import sys

CHUNK = 128 * 1024


def vocabulary(rng):
    letters = "etaoinshrdlucmfwypvbgkqjxz"
    weights = [12, 9, 8, 8, 7, 7, 6, 6, 6, 4, 4, 3, 3, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    words = set()
    while len(words) < 4000:
        n = rng.choice([2, 3, 3, 4, 4, 5, 5, 6, 7, 8, 9, 11])
        words.add("".join(rng.choices(letters, weights, k=n)))
    words = sorted(words)
    return words + ["int", "return", "the", "if", "for", "static", "void", "{", "}", "(", ")", ";", "=", "//"]


def text_pool(rng, size):
    """A pool of text-like bytes that every text file slices, so generation stays fast for 256 MiB."""
    words = vocabulary(rng)
    out = []
    total = 0
    line = []
    while total < size:
        line.append(rng.choice(words))
        if rng.random() < 0.1:
            s = " " * (4 * rng.randint(0, 3)) + " ".join(line) + "\n"
            out.append(s)
            total += len(s)
            line = []
    return "".join(out).encode()[:size]


def text_bytes(rng, pool, n):
    parts = []
    while n > 0:
        take = min(n, rng.randint(4096, 64 * 1024))
        start = rng.randrange(0, len(pool) - take)
        parts.append(pool[start:start + take])
        n -= take
    return b"".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--big", type=int, default=4)
    ap.add_argument("--big-mib", type=int, default=64)
    ap.add_argument("--seed", type=int, default=20261125)
    a = ap.parse_args()

    rng = random.Random(a.seed)
    pool = text_pool(rng, 8 * 1024 * 1024)
    lo, hi = math.log(180), math.log(32 * 1024)
    os.makedirs(a.out, exist_ok=False)
    for d in range(a.dirs):
        dpath = os.path.join(a.out, "d%03d" % d)
        os.mkdir(dpath)
        for f in range(a.files):
            size = int(round(math.exp(rng.uniform(lo, hi))))
            if rng.random() < 0.25:
                data, ext = rng.randbytes(size), ".bin"
            else:
                data, ext = text_bytes(rng, pool, size), ".txt"
            with open(os.path.join(dpath, "f%03d%s" % (f, ext)), "wb") as fh:
                fh.write(data)
    if a.big:
        bpath = os.path.join(a.out, "big")
        os.mkdir(bpath)
        for i in range(a.big):
            random_share = 0.0 if i == 0 else (0.25, 0.5, 0.75)[(i - 1) % 3]
            name = "text.dat" if i == 0 else "mixed%d-%02d.dat" % (i, int(random_share * 100))
            with open(os.path.join(bpath, name), "wb") as fh:
                for _ in range(a.big_mib * 1024 * 1024 // CHUNK):
                    if rng.random() < random_share:
                        fh.write(rng.randbytes(CHUNK))
                    else:
                        fh.write(text_bytes(rng, pool, CHUNK))
    os.utime(a.out, (1700000000, 1700000000))
    for root, dirs, files in os.walk(a.out):
        for n in dirs + files:
            os.utime(os.path.join(root, n), (1700000000, 1700000000))
    return 0


if __name__ == "__main__":
    sys.exit(main())
