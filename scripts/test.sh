#!/usr/bin/env bash
# The whole test suite: prerequisites, restore, build (warnings are errors), every test project.
# Integration tests use the real kernel (loop and FUSE mounts), squashfs-tools, nginx and D-Bus; they need root.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/prerequisites.sh
dotnet restore Distrid.sln --verbosity quiet
dotnet build Distrid.sln -c Release --no-restore --verbosity quiet -nologo
# The shipped client's two flavours (src/districtl/districtl.csproj, DistrictlFlavor): their own code paths compile
# only there, and the tests run the full one.
for flavour in thin tools; do
  dotnet build src/districtl -c Release -p:DistrictlFlavor=$flavour --verbosity quiet -nologo
done
dotnet format Distrid.sln --verify-no-changes --no-restore --verbosity quiet

results=$(mktemp -d)
# The tests get a temporary directory of their own (TMPDIR of the test hosts and everything they start), so that the
# check below sees exactly what this run left behind. 1777 like /tmp: some tests run programs as nobody.
scratch=$(mktemp -d /tmp/distrid-suite-XXXXXX)
chmod 1777 "$scratch"
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Distrid.sln -c Release --no-build --verbosity quiet -nologo -e TMPDIR="$scratch" \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" || status=$?

# Once more, the tests that start a daemon, against the daemon the .deb ships: Native AOT (src/Distrid/Distrid.csproj,
# DistridNativeAot). What the trimmer left out or the runtime cannot make without a JIT fails here, not on a user's
# machine. Its intermediate files stay out of src/Distrid/obj, which the Release build above owns.
aot=$(mktemp -d)
trap 'rm -rf "$results" "$aot"' EXIT
dotnet publish src/Distrid -c Release -r linux-x64 -p:DistridNativeAot=true -p:IntermediateOutputPath="$aot/obj/" \
  -o "$aot/out" --verbosity quiet -nologo
daemon_tests=$(printf 'FullyQualifiedName~Distrid.Tests.%s.|' Admin AppStream Client DBus Daemon FileSystem JsonRpc PackageKit \
  Progress Relocation Repository Systemd Transactions Updates)
DISTRID_DAEMON="$aot/out/distrid" dotnet test tests/Distrid.Tests -c Release --no-build --verbosity quiet -nologo \
  -e TMPDIR="$scratch" --filter "${daemon_tests%|}" --logger "console;verbosity=normal" \
  --logger "trx;LogFileName=native-aot-daemon.trx" --results-directory "$results" || status=$?

# Every test unmounts and removes what it made. Anything still mounted or present in the scratch directory is named,
# cleaned up (lazy unmount, deepest first), and fails the run. Not ours, and not counted: the .NET runtime's
# diagnostic pipes and sockets (left by daemons killed on purpose), NuGet's scratch directory (the nspawn check builds
# the .deb with dotnet publish) and the test host's own empty scratch directory.
mounts=$(awk -v prefix="$scratch/" 'index($5, prefix) == 1 { print $5 }' /proc/self/mountinfo | sort -ru)
leftovers=$(find "$scratch" -mindepth 1 -maxdepth 1 -regextype posix-extended ! -name 'clr-debug-pipe-*' \
  ! -name 'dotnet-diagnostic-*' ! -name 'NuGetScratch*' ! \( -type d -empty -regex '.*/[A-Za-z0-9]{6}' \) -printf '%f\n' | sort)
if [ -n "$mounts" ] || [ -n "$leftovers" ]; then
  echo "the tests left this behind (removed now):" >&2
  [ -z "$mounts" ] || sed 's/^/  mounted: /' <<<"$mounts" >&2
  [ -z "$leftovers" ] || sed 's/^/  left: /' <<<"$leftovers" >&2
  status=1
fi
for _ in 1 2 3 4 5 6 7 8; do # a mount point may hold stacked mounts: one umount each
  [ -n "$mounts" ] || break
  while read -r mount; do umount -l "$mount" || true; done <<<"$mounts"
  mounts=$(awk -v prefix="$scratch/" 'index($5, prefix) == 1 { print $5 }' /proc/self/mountinfo | sort -ru)
done
rm -rf "$scratch" || echo "could not remove $scratch" >&2

# One closing line over all test projects, counted from the TRX reports.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  # The Counters' notExecuted stays 0 for skipped tests: count their results instead.
  n=$({ grep -o '<UnitTestResult [^>]*outcome="NotExecuted"' "$trx" || true; } | wc -l)
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${n:-0}))
done
# Each test of one outcome (NotExecuted, Failed) as "name<TAB>first line of its message", the Native AOT pass's
# marked as such.
results_of() {
  for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    local pass=""
    [ "$(basename "$trx")" != native-aot-daemon.trx ] || pass=" (Native AOT daemon)"
    awk -v outcome="outcome=\"$1\"" -v pass="$pass" '
      /<UnitTestResult / { name = ""; if (index($0, outcome)) { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11) pass } }
      name != "" && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); print name "\t" reason; name = "" }
      name != "" && /<\/UnitTestResult>/ { print name "\t(no message)"; name = "" }
    ' "$trx" | sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
  done | sort
}
# What the run did not test, and why: each skipped test with the reason it gave (Requirements names what is missing),
# then how many were skipped for each reason.
if ((skipped > 0)); then
  skips=$(results_of NotExecuted)
  echo "skipped tests:"
  awk -F '\t' '{ print "  " $1 ": " $2 }' <<<"$skips"
  echo "skipped, by reason:"
  cut -f2 <<<"$skips" | sort | uniq -c | sort -rn | sed 's/^ */  /'
fi
# What failed, at the end of a long log where it shows.
if ((failed > 0)); then
  echo "failed tests:"
  results_of Failed | awk -F '\t' '{ print "  " $1 ": " $2 }'
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0)); then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
