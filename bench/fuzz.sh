#!/usr/bin/env bash
# The fuzzing regime run long: every harness of tests/fuzz/ under libFuzzer with ASan and
# UBSan for SECONDS each (default 600), starting from the seeds (captures/, tests/logs/,
# tests/replay/) and the regression inputs, keeping what it finds in build/fuzz/corpus/.
# A crash leaves its input in build/fuzz/crashes/<harness>/: fix it, then copy the input to
# tests/fuzz/regress/<harness>/ so the normal suite replays it.
#   bench/fuzz.sh [SECONDS] [HARNESS...]      (harnesses: session import capture cmdline rules)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
[ $# -gt 0 ] && shift
build=${QFTP_BUILD_DIR:-build}
python3 tests/fuzz/seeds.py "$build/fuzz-seeds" >/dev/null
exec tests/fuzz/run.sh long "$secs" "$build/fuzz" "$build/fuzz-seeds" "$@"
