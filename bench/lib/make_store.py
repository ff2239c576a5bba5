#!/usr/bin/env python3
"""Fills a store with COUNT distinct small package images cheaply, from one template image.

The template is made by mksquashfs with uncompressed metadata and data (-noI -noD -noF -noX), so the placeholder
name (12 bytes) appears verbatim in its directory table and file contents; every copy replaces it with a
different 12-byte name pkgNNNNNNNNN. Each package directory holds one entry, so the sort order of directory
entries stays valid, and every image contributes its own bin/, lib/ and share/doc/ entries to the exchange trees.

usage: make_store.py TEMPLATE PLACEHOLDER STOREDIR COUNT
"""
import os
import sys


def main():
    template, placeholder, store, count = sys.argv[1], sys.argv[2].encode(), sys.argv[3], int(sys.argv[4])
    data = open(template, "rb").read()
    if data.count(placeholder) == 0 or len(placeholder) != 12:
        print("make_store: the placeholder must be 12 bytes and occur in the template", file=sys.stderr)
        return 1
    os.makedirs(store, exist_ok=True)
    for i in range(count):
        name = b"pkg%09d" % i
        with open(os.path.join(store, "%s-amd64-1-1.squashfs" % name.decode()), "wb") as f:
            f.write(data.replace(placeholder, name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
