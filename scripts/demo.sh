#!/usr/bin/env bash
# The README's main job: installs what is missing, builds, decodes the sample captures
# under captures/ with `qftp show`, shows them through tshark with the qftp plugin, then
# runs a live session through the built-in simulator against a real FTP server on
# 127.0.0.1, decodes its recording and replays it (the firmware QA job) against a fresh
# simulator and against one with a firmware regression.
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

# tshark ignores plugin folders when run as root: run it as nobody with a readable copy
# of the plugin (docs/wireshark.md).
plugin=build/dissector/plugins/4.0/epan/qftp.so
if [ -f "$plugin" ] && command -v tshark >/dev/null; then
    dir=$(mktemp -d)
    trap 'rm -rf "$dir"' EXIT
    mkdir -p "$dir/plugins/4.0/epan" "$dir/caps"
    cp "$plugin" "$dir/plugins/4.0/epan/"
    cp captures/*.pcap "$dir/caps/"
    chmod -R a+rX "$dir"
    run_tshark() {
        if [ "$(id -u)" -eq 0 ]; then
            setpriv --reuid=65534 --regid=65534 --clear-groups \
                env HOME="$dir" WIRESHARK_PLUGIN_DIR="$dir/plugins" tshark "$@"
        else
            WIRESHARK_PLUGIN_DIR="$dir/plugins" tshark "$@"
        fi
    }
    for cap in "$dir"/caps/*.pcap; do
        echo "================================================================================"
        echo "tshark with the qftp plugin: $(basename "$cap")"
        (cd "$dir" && run_tshark -r "$cap" -2) || status=$?
    done
fi

echo "================================================================================"
echo "A live session: qftp sim (BG96) against pyftpdlib on 127.0.0.1, recorded, replayed"
echo "against a fresh simulator and one with a regression, then decoded"
live=$(mktemp -d)
python3 simulator/tools/demo_session.py build/qftp "$live/live.pcap" || status=$?
[ -f "$live/live.pcap" ] && { build/qftp show "$live/live.pcap" || status=$?; }
rm -rf "$live"
exit $status
