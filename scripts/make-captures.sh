#!/usr/bin/env bash
# Regenerates captures/sim-*.pcap: real sessions recorded from `qftp sim` against a
# local FTP server (pyftpdlib), covering every FTP command of both dialects and each
# failure class. Review the result with `git diff --stat captures/` and `qftp show`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
rm -f captures/sim-*.pcap
python3 simulator/tools/sim_sessions.py "${QFTP_BUILD_DIR:-build}/qftp" captures
