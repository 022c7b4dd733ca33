#!/usr/bin/env bash
# Long fuzz run of the Wireshark plugin: the test suite's fuzz test with many more
# corrupted copies per capture (default 500; the suite runs 4), read with the plugin's
# ASan/UBSan copy that the build makes in <build>/asan.
#   scripts/build.sh && bench/dissector_fuzz.sh 500
set -euo pipefail
cd "$(dirname "$0")/.."
QFTP_FUZZ_COUNT=${1:-500} QFTP_BIN=${QFTP_BIN:-${QFTP_BUILD_DIR:-build}/qftp} QFTP_SRCDIR=$PWD \
    python3 tests/e2e/test_dissector_fuzz.py
