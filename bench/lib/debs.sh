# Real Debian closures for the benchmarks, cached in one directory (the layout install-, wan- and import-bench share):
# CACHE/closure-NAME.txt, the Depends/Pre-Depends closure of NAME (bench/lib/deb_closure.py), CACHE/debs/, their .debs
# (apt-get download, from the machine's apt sources; needs the network once), and signed distrid mirrors of them.
# Sourced after common.sh.

DEB_CACHE=""
# deb_for NAME: the cached .deb of NAME (file names are NAME_VERSION_ARCH.deb).
deb_for() { local f; for f in "$DEB_CACHE/debs/$1"_*.deb; do [ -f "$f" ] && { echo "$f"; return; }; done; return 1; }

# fetch_closures CACHE NAME...: resolves the closure of each NAME (once: CACHE/closure-NAME.txt), downloads the .debs
# of their union that CACHE/debs lacks, and sets CLOSURE_DEBS to the union's .debs (one per package, in name order);
# dies when one is still missing. deb_for finds the .debs of CACHE afterwards.
fetch_closures() {
  DEB_CACHE=$1
  shift
  local t n deb union missing=()
  mkdir -p "$DEB_CACHE/debs"
  for t; do
    if [ ! -s "$DEB_CACHE/closure-$t.txt" ]; then
      log "resolving the Depends/Pre-Depends closure of $t"
      "$BENCH_PYTHON" "$BENCH_DIR/lib/deb_closure.py" "$t" >"$DEB_CACHE/closure-$t.tmp" 2>"$DEB_CACHE/closure-$t.virtual"
      mv "$DEB_CACHE/closure-$t.tmp" "$DEB_CACHE/closure-$t.txt"
    fi
  done
  mapfile -t union < <(for t; do cat "$DEB_CACHE/closure-$t.txt"; done | sort -u)
  for n in "${union[@]}"; do deb_for "$n" >/dev/null || missing+=("$n"); done
  if ((${#missing[@]})); then
    log "apt-get download: ${#missing[@]} packages"
    # apt's sandbox user cannot write into a root-only directory; download as root (nothing runs).
    (cd "$DEB_CACHE/debs" && apt-get -q -o APT::Sandbox::User=root download "${missing[@]}" >/dev/null)
  fi
  CLOSURE_DEBS=()
  for n in "${union[@]}"; do
    deb=$(deb_for "$n") || die "$(basename "$0" .sh): no .deb for $n in $DEB_CACHE/debs"
    CLOSURE_DEBS+=("$deb")
  done
}

# signed_mirror MIRROR DEB...: a distrid mirror of .debs of DEB_CACHE in MIRROR: repo/ (import-deb --no-relocate,
# signed by MIRROR/key with repo build --key), trusted/bench.pub, and debs.txt, the .debs it holds. It keeps every .deb
# earlier runs put in it, so that runs with other packages reuse it, and is built again when one of DEB... is not in it.
signed_mirror() {
  local mirror=$1 needed all_debs f
  shift
  needed=$(printf '%s\n' "${@##*/}" | sort -u)
  if [ -s "$mirror/repo/index.json" ] && [ -z "$(comm -23 <(echo "$needed") <(sort -u "$mirror/debs.txt" 2>/dev/null))" ]; then
    return 0
  fi
  mapfile -t all_debs < <({ echo "$needed"; cat "$mirror/debs.txt" 2>/dev/null || true; } | sort -u \
    | while read -r f; do [ -f "$DEB_CACHE/debs/$f" ] && echo "$DEB_CACHE/debs/$f"; done)
  log "building the distrid mirror: import-deb of ${#all_debs[@]} .debs, keygen, repo build --key"
  rm -rf "$mirror"
  mkdir -p "$mirror/repo/pkg" "$mirror/trusted"
  districtl import-deb --no-relocate "${all_debs[@]}" -o "$mirror/repo/pkg" >"$mirror/import.log" 2>&1 || { cat "$mirror/import.log" >&2; die "import-deb failed"; }
  districtl keygen "$mirror/key" >/dev/null
  districtl repo build "$mirror/repo" --key "$mirror/key" >/dev/null
  cp "$mirror/key.pub" "$mirror/trusted/bench.pub"
  printf '%s\n' "${all_debs[@]##*/}" >"$mirror/debs.txt"
}
