#!/usr/bin/env bash
# The whole test suite: prerequisites, restore, build (warnings are errors), every test project.
# Integration tests use the real kernel (loop and FUSE mounts), squashfs-tools, nginx and D-Bus; they need root.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/prerequisites.sh
dotnet restore Distrid.sln --verbosity quiet
dotnet build Distrid.sln -c Release --no-restore --verbosity quiet -nologo
dotnet format Distrid.sln --verify-no-changes --no-restore --verbosity quiet

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test Distrid.sln -c Release --no-build --verbosity quiet -nologo \
  --logger "console;verbosity=normal" --logger "trx" --results-directory "$results" || status=$?

# One closing line over all test projects, counted from the TRX reports.
passed=0 failed=0 skipped=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  n=$(sed -n 's/.* notExecuted="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})) failed=$((failed + ${f:-0})) skipped=$((skipped + ${n:-0}))
done
# What the run did not test, and why: each skipped test with the reason it gave (Requirements names what is missing),
# then how many were skipped for each reason.
if ((skipped > 0)); then
  skips=$(for trx in "$results"/*.trx; do
    [ -e "$trx" ] || continue
    awk '
      /<UnitTestResult / { name = ""; if (/outcome="NotExecuted"/) { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11) } }
      name != "" && /<Message>/ { reason = $0; sub(/.*<Message>/, "", reason); sub(/<\/Message>.*/, "", reason); print name "\t" reason; name = "" }
      name != "" && /<\/UnitTestResult>/ { print name "\t(no reason given)"; name = "" }
    ' "$trx" | sed 's/&quot;/"/g; s/&apos;/'"'"'/g; s/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g'
  done | sort)
  echo "skipped tests:"
  awk -F '\t' '{ print "  " $1 ": " $2 }' <<<"$skips"
  echo "skipped, by reason:"
  cut -f2 <<<"$skips" | sort | uniq -c | sort -rn | sed 's/^ */  /'
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
if ((passed == 0)); then
  echo "no test ran" >&2
  exit 1
fi
exit "$status"
