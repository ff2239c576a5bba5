#!/usr/bin/env python3
"""The Depends/Pre-Depends closure of Debian packages, as apt on this machine knows them.

usage: deb_closure.py PACKAGE...

Prints one real package name per line on stdout (sorted), and on stderr one line per virtual package met and what
it was mapped to. Per dependency group ("a | b | <virtual>") the first alternative that is a real package is taken;
a virtual package is mapped to its first provider that is already in the closure, else to its first provider;
a virtual package nobody provides is dropped (reported). Recommends, Suggests and the rest are not followed,
because what a package needs to run is Depends/Pre-Depends. Runs `apt-cache depends` once per breadth-first level.
"""
import subprocess
import sys

FLAGS = ["--no-recommends", "--no-suggests", "--no-conflicts", "--no-breaks", "--no-replaces", "--no-enhances"]


def parse(text):
    """apt-cache depends output -> {package: [group, ...]}, a group being [(name, [providers] or None), ...]."""
    graph, pkg, group = {}, None, []
    for line in text.splitlines():
        if not line.startswith(" "):
            pkg = line.strip()
            graph[pkg] = []
            group = []
            continue
        stripped = line.strip()
        if ":" in stripped and (stripped.split(":", 1)[0] in ("Depends", "PreDepends", "|Depends", "|PreDepends")):
            kind, name = stripped.split(":", 1)
            name = name.strip().split(":")[0] if not name.strip().startswith("<") else name.strip()
            group.append([name, None])
            if not kind.startswith("|"):
                graph[pkg].append(group)
                group = []
        elif line.startswith("    ") and graph.get(pkg):
            # A provider of the virtual package on the previous dependency line.
            last = graph[pkg][-1][-1] if not group else group[-1]
            if last[0].startswith("<"):
                last[1] = (last[1] or []) + [stripped.split(":")[0]]
    return graph


def depends(names):
    out = subprocess.run(["apt-cache", "depends", *FLAGS, *names], capture_output=True, text=True, check=True).stdout
    return parse(out)


def main():
    roots = sys.argv[1:]
    if not roots:
        print(__doc__, file=sys.stderr)
        return 2
    closure, frontier, virtuals = set(), list(roots), {}
    while frontier:
        level = sorted(set(frontier) - closure)
        frontier = []
        if not level:
            break
        closure.update(level)
        for groups in depends(level).values():
            for group in groups:
                chosen = None
                for name, providers in group:
                    if not name.startswith("<"):
                        chosen = name
                        break
                if chosen is None:
                    name, providers = group[0]
                    providers = providers or []
                    inside = [p for p in providers if p in closure]
                    chosen = (inside or providers or [None])[0]
                    virtuals.setdefault(name, chosen)
                if chosen is not None and chosen not in closure:
                    frontier.append(chosen)
    for name, chosen in sorted(virtuals.items()):
        print("virtual %s -> %s" % (name, chosen or "dropped (no provider)"), file=sys.stderr)
    print("\n".join(sorted(closure)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
