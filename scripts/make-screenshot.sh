#!/usr/bin/env bash
# Regenerates docs/wireshark-screenshot.png: Wireshark's Qt window under Xvfb, as an
# unprivileged user with the built plugin, showing the end of a download of BG96 3.7.
# Needs: apt-get install wireshark-qt xvfb x11-apps imagemagick xdotool
set -euo pipefail
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'pkill -f "wireshark -r $d" || true; kill $xvfb 2>/dev/null || true; rm -rf "$d"' EXIT
mkdir -p "$d/plugins/4.0/epan" "$d/home/.config/wireshark"
cp build/dissector/plugins/4.0/epan/qftp.so "$d/plugins/4.0/epan/"
cp captures/manual-bg96-3.7-3.8-download-logout.pcap "$d/cap.pcap"
printf 'gui.geometry_main_x: 0\ngui.geometry_main_y: 0\ngui.geometry_main_width: 1400\ngui.geometry_main_height: 900\n' \
    > "$d/home/.config/wireshark/recent_common"
chmod -R a+rX "$d"; chown -R 65534:65534 "$d/home"; chmod 700 "$d/home"
export DISPLAY=:99
Xvfb :99 -screen 0 1400x900x24 >/dev/null 2>&1 & xvfb=$!
sleep 2
setpriv --reuid=65534 --regid=65534 --clear-groups env -i DISPLAY=:99 HOME="$d/home" \
    XDG_RUNTIME_DIR="$d/home" WIRESHARK_PLUGIN_DIR="$d/plugins" PATH=/usr/bin:/bin \
    wireshark -r "$d/cap.pcap" -g 27 >/dev/null 2>&1 &
sleep 14
w=$(xdotool search --name Wireshark | head -1)
xdotool windowsize "$w" 1400 900 windowmove "$w" 0 0
sleep 1
xdotool mousemove 160 530 click 1; sleep 1
xdotool key ctrl+Left; sleep 1
xdotool mousemove 160 530 click 1; sleep 1
xdotool key shift+Right; sleep 1
xdotool mousemove 700 300; sleep 1
import -window root docs/wireshark-screenshot.png
echo "docs/wireshark-screenshot.png written"
