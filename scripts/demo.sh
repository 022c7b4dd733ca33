#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, and decodes the sample
# captures under captures/ with `qftp show`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh >/dev/null
status=0
for cap in captures/*.pcap; do
    echo "================================================================================"
    build/qftp show "$cap" || status=$?
    echo
done
exit $status
