#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
cd "${QFTP_BUILD_DIR:-build}"
ctest --output-on-failure -j"$(nproc)"
