#!/usr/bin/env bash
# Regenerates the pictures of docs/wireshark.md's live capture section with Wireshark's Qt
# window under Xvfb, as an unprivileged user with the built plugin and qftp-extcap in
# that user's personal extcap folder:
#   docs/wireshark-extcap-interfaces.png  the welcome page's interface list
#   docs/wireshark-extcap-live.png        a capture on qftp-sim while a BG96 session runs
#                                         against a real FTP server (pyftpdlib)
# Needs: apt-get install wireshark-qt xvfb x11-apps imagemagick xdotool; a build in build/.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
d=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$d"
}
trap cleanup EXIT
chmod 755 "$d"

so=$(ls build/dissector/plugins/*/epan/qftp.so | tail -1)
ver=$(basename "$(dirname "$(dirname "$so")")")
mkdir -p "$d/plugins/$ver/epan" "$d/home/.config/wireshark" "$d/host"
cp "$so" "$d/plugins/$ver/epan/"
personal=$(env -i PATH="$PATH" HOME="$d/home" cmake -P build/extcap/extcap-folders.cmake 2>&1 |
    sed -n 's/^personal=//p')
mkdir -p "$personal"
cp build/extcap/qftp-extcap "$personal/"
printf 'gui.geometry_main_x: 0\ngui.geometry_main_y: 0\ngui.geometry_main_width: 1400\ngui.geometry_main_height: 900\n' \
    >"$d/home/.config/wireshark/recent_common"
# the live capture's panes: the packet list above the tree, no bytes
printf 'gui.byte_view_show: FALSE\ngui.geometry_main_upper_pane: 420\n' >"$d/home/.config/wireshark/recent"
chmod -R a+rX "$d"
chown -R 65534:65534 "$d/home" "$d/host"

n=99
while [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1400x900x24 >/dev/null 2>&1 &
pids+=($!)

as_user() {
    setpriv --reuid=65534 --regid=65534 --clear-groups env -i DISPLAY="$DISPLAY" HOME="$d/home" \
        XDG_RUNTIME_DIR="$d/home" WIRESHARK_PLUGIN_DIR="$d/plugins" PATH=/usr/bin:/bin "$@"
}

# Waits (bounded) for a window of this process and puts it at the screen's corner.
window_of() {
    local pid=$1 w="" i
    for i in $(seq 240); do
        w=$(xdotool search --onlyvisible --pid "$pid" --name 'Wireshark' 2>/dev/null | head -1) || true
        [ -n "$w" ] && break
        sleep 0.5
    done
    [ -n "$w" ] || { echo "make-extcap-screenshots: no Wireshark window" >&2; exit 1; }
    xdotool windowsize "$w" 1400 900 windowmove "$w" 0 0
    echo "$w"
}

# Waits (bounded) until the process has used no CPU and had no child other than dumpcap
# for 3 s in a row: Wireshark has finished asking the extcap programs, loading, drawing.
settle() {
    local pid=$1 last="" same=0 now i
    for i in $(seq 180); do
        now=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null) || return 0
        now="$now $(ps -o comm= --ppid "$pid" | grep -vc '^dumpcap$' || true)" # extcap programs
        if [ "$now" = "$last" ] && [ "${now#* }" = 0 ]; then same=$((same + 1)); else same=0; fi
        [ $same -ge 3 ] && return 0
        last=$now
        sleep 1
    done
}

# 1. The interface list: Wireshark's welcome page.
as_user wireshark >/dev/null 2>&1 &
ws=$!
pids+=($ws)
window_of $ws >/dev/null
settle $ws
xdotool mousemove 1399 899
import -window root docs/wireshark-extcap-interfaces.png
kill $ws
wait $ws 2>/dev/null || true

# 2. A live capture on qftp-sim: a BG96 session with a real FTP server.
/usr/bin/python3 simulator/tools/ftpd.py --root "$d/ftp" >"$d/ftpd.out" 2>&1 &
pids+=($!)
mkdir -p "$d/ftp"
printf 'Hello from the FTP server\r\n' >"$d/ftp/hello.txt"
for i in $(seq 100); do grep -q '^PORT' "$d/ftpd.out" && break; sleep 0.1; done
port=$(sed -n 's/^PORT //p' "$d/ftpd.out")
tree_y=557 # the third line of the tree (Frame, EXPORTED_PDU, Quectel FTP AT commands)
as_user wireshark -k -i qftp-sim -o "extcap.qftp_sim.host:$d/host/ttyQ" >/dev/null 2>&1 &
ws=$!
pids+=($ws)
w=$(window_of $ws)
for i in $(seq 240); do [ -L "$d/host/ttyQ" ] && break; sleep 0.5; done
/usr/bin/python3 - "$d/host/ttyQ" "$port" <<'PY'
import sys
sys.path.insert(0, "simulator/tools")
from simclient import OK, PtyLink
link = PtyLink(sys.argv[1])
for c in ["ATE0", 'AT+QICSGP=1,1,"UNINET","","",1', "AT+QIACT=1", 'AT+QFTPCFG="contextid",1',
          'AT+QFTPCFG="account","test","test"', 'AT+QFTPCFG="transmode",1']:
    assert link.at(c).endswith(OK), c
link.cmd(f'AT+QFTPOPEN="127.0.0.1",{sys.argv[2]}')
link.expect(b"+QFTPOPEN: 0,0\r\n", 60)
link.cmd('AT+QFTPGET="hello.txt","COM:"')
link.expect(b"+QFTPGET: 0,27\r\n", 60)
link.cmd('AT+QFTPSIZE="missing.txt"')
link.expect(b"+QFTPSIZE: 627,550\r\n", 60)
PY
# Select the download's command: its number from Wireshark's own capture file (once the
# session's last frame is in it), Go to Packet (Ctrl+G), then open its qftp subtree.
cap=$(ls -t /tmp/wireshark_qftp*.pcapng | head -1)
for i in $(seq 120); do
    as_user tshark -r "$cap" -Y 'qftp.urc == "+QFTPSIZE"' 2>/dev/null | grep -q . && break
    sleep 0.5
done
sleep 2 # the window shows what the file holds
n=$(as_user tshark -r "$cap" -Y 'qftp.cmd == "+QFTPGET"' -T fields -e frame.number | head -1)
xdotool mousemove 600 160 click 1 # focus the packet list
sleep 1
xdotool key ctrl+g
sleep 1
xdotool type --delay 50 "$n"
xdotool key Return
sleep 2
xdotool mousemove 300 "$tree_y" click 1
sleep 1
xdotool key shift+Right
sleep 1
xdotool mousemove 1399 899
sleep 1
import -window root docs/wireshark-extcap-live.png
echo "docs/wireshark-extcap-interfaces.png and docs/wireshark-extcap-live.png written"
