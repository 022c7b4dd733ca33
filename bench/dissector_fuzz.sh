#!/usr/bin/env bash
# Long fuzz run of the Wireshark plugin: the test suite's fuzz test with many more
# corrupted copies per capture. Build with sanitizers first for the full value:
#   cmake -S . -B build-asan -DQFTP_SANITIZE=ON && cmake --build build-asan
#   QFTP_BIN=build-asan/qftp bench/dissector_fuzz.sh 500
set -euo pipefail
cd "$(dirname "$0")/.."
QFTP_FUZZ_COUNT=${1:-500} QFTP_BIN=${QFTP_BIN:-build/qftp} QFTP_SRCDIR=$PWD \
    python3 tests/e2e/test_dissector_fuzz.py
