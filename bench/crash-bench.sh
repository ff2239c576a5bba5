#!/usr/bin/env bash
# Crash safety at scale: the suite's SIGKILL test with more trials (default 100). Each trial kills the daemon at a
# random moment of install, update or gc against a real nginx mirror, restarts it, checks that the current generation
# is whole and verified and that nothing temporary shows under /ro, and retries the command.
set -euo pipefail
cd "$(dirname "$0")/.."
trials=${1:-100}
[ "$trials" = --quick ] && trials=10 # bench/run-all.sh
dotnet build tests/Distrid.Tests -c Release --verbosity quiet -nologo >/dev/null
start=$(date +%s)
DISTRID_CRASH_TRIALS=$trials CI=true dotnet test tests/Distrid.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~CrashSafetyTests" --logger "console;verbosity=minimal"
echo "crash trials: $trials, inconsistent: 0 (the test fails on the first inconsistent one), $(( $(date +%s) - start )) s"
