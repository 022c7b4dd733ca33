#!/usr/bin/env bash
# Regenerates docs/report-screenshot.png: the HTML report of a customer's QCOM log
# (tests/logs/import/qcom-bg96.log: a close still running when the open is refused with
# 603, the PDP context deactivated before a 609) as headless Chromium draws it, with the
# flags of scripts/chromium-flags. Needs the build (scripts/build.sh), chromium and
# python3-pil (scripts/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
qftp=${QFTP_BIN:-${QFTP_BUILD_DIR:-build}/qftp}
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
status=0
"$qftp" report tests/logs/import/qcom-bg96.log -o "$d/report.html" || status=$?
[ "$status" -eq 1 ] || { echo "qftp report exited $status (1 expected: the log has failures)" >&2; exit 1; }
mapfile -t flags < <(grep -v '^#' scripts/chromium-flags | sed '/^$/d')
chromium "${flags[@]}" --user-data-dir="$d/profile" --window-size=1280,2280 \
    --screenshot="$d/shot.png" "file://$d/report.html" >/dev/null 2>&1
# 256 colours: a third of the size, no visible loss on a page of flat colours
/usr/bin/python3 - "$d/shot.png" docs/report-screenshot.png <<'PY'
import sys
from PIL import Image
Image.open(sys.argv[1]).convert("RGB").quantize(256).save(sys.argv[2], optimize=True)
PY
echo "docs/report-screenshot.png written"
