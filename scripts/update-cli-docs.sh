#!/usr/bin/env bash
# Rewrites the exit-status table of docs/cli.md from the built tool's registrations
# (qftp --generate-exit-status); tests/e2e/test_cli.py fails while the two differ.
set -euo pipefail
cd "$(dirname "$0")/.."
qftp=${QFTP_BIN:-${QFTP_BUILD_DIR:-build}/qftp}
python3 - "$qftp" docs/cli.md <<'PY'
import subprocess, sys
qftp, path = sys.argv[1], sys.argv[2]
table = subprocess.run([qftp, "--generate-exit-status"], check=True, capture_output=True, text=True).stdout
doc = open(path).read()
begin = doc.index("<!-- exit-status:")
begin = doc.index("\n", begin) + 1
end = doc.index("<!-- end exit-status -->")
open(path, "w").write(doc[:begin] + table + doc[end:])
PY
echo "docs/cli.md: exit-status table updated"
