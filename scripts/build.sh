#!/usr/bin/env bash
# Configures and builds qftp into build/ (or $QFTP_BUILD_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${QFTP_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=${QFTP_BUILD_TYPE:-RelWithDebInfo} -DQFTP_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
