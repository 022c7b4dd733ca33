#!/usr/bin/env bash
# Installs what qftp needs to build and test on Debian 12, with apt-get, if missing.
# Usage: scripts/install-deps.sh [--check]   (as root, or with sudo available)
#   --check: install nothing; exit 1 when something is missing.
set -euo pipefail

# libFuzzer's runtime of the suite's default clang (14 on Debian 12, 19 on 13, ...); the
# Wireshark matrix runs this script in newer suites (scripts/test-wireshark.sh)
clang_rt() {
    local v
    v=$(apt-cache depends clang 2>/dev/null | sed -n 's/^ *Depends: clang-\([0-9][0-9]*\)$/\1/p' | head -1)
    echo "libclang-rt-${v:-14}-dev"
}

pkgs=(build-essential cmake pkg-config libglib2.0-dev libpcap-dev python3
      tshark wireshark-common wireshark-dev
      libcurl4-openssl-dev python3-pyftpdlib python3-openssl openssl libxml2-utils socat
      chromium python3-pil  # the HTML report rendered (tests/e2e/test_report_render.py)
      man-db debootstrap    # debootstrap: the Wireshark matrix (scripts/test-wireshark.sh)
      file                  # cpack -G DEB: CPackDeb's shlibdeps step needs file(1)
      clang "$(clang_rt)")  # the libFuzzer harnesses of tests/fuzz

missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "${1:-}" = --check ]; then
    echo "missing: ${missing[*]}" >&2
    exit 1
fi

SUDO=
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
