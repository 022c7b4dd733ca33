#!/usr/bin/env bash
# Regenerates the screenshots of docs/wireshark.md: Wireshark's Qt GUI under Xvfb, as an
# unprivileged user, with the built plugin and the QFTP colouring profile.
#
# Usage: scripts/make-screenshot.sh [--chroot VERSION]
#   --chroot VERSION (4.4, 4.6, a suite; see scripts/test-wireshark.sh): in that Debian
#   chroot, with that Wireshark: the chroot made and this tree copied there
#   (test-wireshark.sh --setup-only), the GUI packages installed and the plugin built
#   there, the pictures copied back into docs/.
#   Without it: here, with this machine's Wireshark and build (QFTP_BUILD_DIR, build/).
# Needs: wireshark (the Qt GUI) xvfb xdotool imagemagick (installed by --chroot, else by hand).
#
# Pictures: docs/wireshark-screenshot.png (BG96 manual 3.7: the end of a download, the
# OK in the frame that holds it, the links and times), docs/wireshark-usb.png (an EC25
# over USB with its enumeration: one session per port, DIAG/NMEA/QMI left alone).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD

if [ "${1:-}" = --chroot ]; then
    v=${2:?--chroot needs a version}
    [ "$(id -u)" -eq 0 ] || exec sudo "$0" "$@"
    # the chroot with its dependencies and this tree (test-wireshark.sh), then the plugin
    scripts/test-wireshark.sh --setup-only "$v"
    case $v in 4.0) s=bookworm ;; 4.4) s=trixie ;; 4.6) s=sid ;; *) s=$v ;; esac
    r=${QFTP_WS_CACHE:-/var/tmp/qftp-ws}/$s
    trap 'umount -R "$r/dev" 2>/dev/null || true; umount "$r/proc" 2>/dev/null || true' EXIT
    mountpoint -q "$r/proc" || mount -t proc proc "$r/proc"
    mountpoint -q "$r/dev" || { mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev"; }
    # "wireshark" is the Qt GUI from Debian 13 on (wireshark-qt is gone in sid); on 12 it
    # pulls wireshark-qt
    chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
        bash -c 'apt-get install -y -q --no-install-recommends wireshark xvfb xdotool \
                 imagemagick fonts-dejavu-core >/dev/null &&
                 cmake -S /root/qftp-src -B /root/qftp-build -DQFTP_WERROR=ON >/dev/null &&
                 cmake --build /root/qftp-build --target qftp_plugin -j2 >/dev/null'
    chroot "$r" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 \
        QFTP_BUILD_DIR=/root/qftp-build /root/qftp-src/scripts/make-screenshot.sh
    cp "$r/root/qftp-src/docs/wireshark-screenshot.png" "$r/root/qftp-src/docs/wireshark-usb.png" \
        "$src/docs/"
    echo "docs/wireshark-screenshot.png, docs/wireshark-usb.png written (Wireshark of $s)"
    exit 0
fi

build=$(cd "${QFTP_BUILD_DIR:-build}" && pwd)
so=$(ls "$build"/dissector/plugins/*/epan/qftp.so | head -1)
ver=$(basename "$(dirname "$(dirname "$so")")")
d=$(mktemp -d)
xvfb=
ws=
cleanup() {
    [ -n "$ws" ] && kill "$ws" 2>/dev/null || true
    [ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null || true
    rm -rf "$d"
}
trap cleanup EXIT
mkdir -p "$d/plugins/$ver/epan" "$d/home/.config/wireshark/profiles/QFTP"
cp "$so" "$d/plugins/$ver/epan/"
cp dissector/profile/colorfilters "$d/home/.config/wireshark/profiles/QFTP/"
cp captures/manual-bg96-3.7-3.8-download-logout.pcap "$d/bg96.pcap"
PYTHONPATH=dissector/testlib /usr/bin/python3 - "$d/usb.pcap" <<'EOF'
import sys
import usbcap as U
c = U.Usbmon(1)
c.enumerate(5, "EC25")
at_out, at_in = U.ports("EC25")[2]
m_out, m_in = U.ports("EC25")[3]
c.bulk_out(5, at_out, b'AT+QFTPOPEN="ftp.example.org",21\r')
c.bulk_in(5, at_in, b"\r\nOK\r\n")
c.bulk_out(5, 0x01, bytes.fromhex("4b12340001020304057d5e207e"))
c.bulk_in(5, 0x82, b"$GPGGA,000000.00,,,,,0,00,99.99,,,,,,*60\r\n")
c.bulk_in(5, at_in, b"\r\n+QFTPOPEN: 0,0\r\n")
c.bulk_out(5, m_out, b"ATI\r")
c.bulk_in(5, m_in, b"\r\nQuectel\r\nEC25\r\n\r\nOK\r\n")
c.bulk_out(5, at_out, b'AT+QFTPGET="notes.txt","COM:"\r')
c.bulk_in(5, at_in, b"\r\nCONNECT\r\n")
c.bulk_in(5, at_in, b"hello from the EC25\r\n")
c.bulk_in(5, at_in, b"\r\nOK\r\n")
c.bulk_in(5, at_in, b"\r\n+QFTPGET: 0,21\r\n")
U.write_pcap(sys.argv[1], 220, c.frames)
EOF
# window geometry, and the QFTP profile with the colouring rules
printf 'gui.geometry_main_x: 0\ngui.geometry_main_y: 0\ngui.geometry_main_width: 1400\ngui.geometry_main_height: 900\n' \
    >"$d/home/.config/wireshark/recent_common"
chmod -R a+rX "$d"
chown -R 65534:65534 "$d/home"
chmod 700 "$d/home"
export DISPLAY=:97
Xvfb :97 -screen 0 1400x900x24 >/dev/null 2>&1 &
xvfb=$!
sleep 3

shot() { # capture frame out.png
    setpriv --reuid=65534 --regid=65534 --clear-groups env -i DISPLAY=:97 HOME="$d/home" \
        XDG_RUNTIME_DIR="$d/home" WIRESHARK_PLUGIN_DIR="$d/plugins" PATH=/usr/bin:/bin \
        wireshark -C QFTP -r "$1" -g "$2" >/dev/null 2>&1 &
    ws=$!
    local w=
    for _ in $(seq 60); do
        w=$(xdotool search --name "Wireshark" 2>/dev/null | tail -1 || true)
        [ -n "$w" ] && break
        sleep 1
    done
    sleep 8
    xdotool windowsize "$w" 1400 900 windowmove "$w" 0 0 2>/dev/null || true
    sleep 2
    # the selected frame's qftp tree expanded: a click on the first line of the details
    # pane, End (the last top-level item: qftp's), Shift+Right (Expand Subtrees)
    xdotool mousemove 150 495 click 1 2>/dev/null || true
    sleep 1
    xdotool key End 2>/dev/null || true
    sleep 1
    xdotool key shift+Right 2>/dev/null || true
    sleep 1
    xdotool mousemove 1300 880 2>/dev/null || true
    sleep 2
    import -window root "$3"
    kill "$ws" 2>/dev/null || true
    wait "$ws" 2>/dev/null || true
    ws=
}
shot "$d/bg96.pcap" 26 docs/wireshark-screenshot.png
shot "$d/usb.pcap" 13 docs/wireshark-usb.png
echo "docs/wireshark-screenshot.png, docs/wireshark-usb.png written (Wireshark $ver)"
