#!/bin/sh
# The run step of tests/lava/qftp-sim-replay.yaml, inside a LAVA test shell: a local FTP
# server (pyftpdlib), `qftp sim` as the board, and `qftp replay --lava` of one golden, so
# each step becomes a lava-test-case result. QFTP_SRC: the source tree; QFTP_BIN: qftp.
set -eu
src=${QFTP_SRC:?QFTP_SRC: the qftp source tree}
qftp=${QFTP_BIN:-$src/build/qftp}
golden=${QFTP_GOLDEN:-$src/captures/manual-gsm-4.1-open.pcap}
work=$(mktemp -d)
ftpd=
sim=
cleanup() {
    [ -n "$sim" ] && kill "$sim" 2>/dev/null
    [ -n "$ftpd" ] && kill "$ftpd" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
/usr/bin/python3 "$src/simulator/tools/ftpd.py" --root "$work" >"$work/ftpd.out" 2>&1 &
ftpd=$!
case $golden in *-gsm-*) dialect=gsm ;; *) dialect=bg96 ;; esac
"$qftp" sim --dialect "$dialect" --listen 127.0.0.1:0 >"$work/sim.out" 2>&1 &
sim=$!
i=0
while :; do
    fport=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$work/ftpd.out")
    sport=$(sed -n 's/^qftp sim: listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/sim.out")
    [ -n "$fport" ] && [ -n "$sport" ] && break
    i=$((i + 1))
    if [ $i -gt 300 ]; then
        echo "the FTP server or the simulator did not start" >&2
        cat "$work/ftpd.out" "$work/sim.out" >&2
        exit 1
    fi
    sleep 0.1
done
# the verdict is in the test cases, not in this step's status
"$qftp" replay "$golden" --device "tcp:127.0.0.1:$sport" -D "port=$fport" \
    --rules "$src/tests/replay/manual-server.rules" --ignore-echo --lava || true
