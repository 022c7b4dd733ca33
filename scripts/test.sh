#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, runs the whole suite,
# then the Wireshark matrix (scripts/test-wireshark.sh): the Debian package of this
# build tested in a pristine chroot, and the whole suite built and run again against
# Wireshark 4.4 (Debian 13) and 4.6 (sid) in chroots. QFTP_TEST_WIRESHARK=0 skips the
# matrix for a quick local run (CI runs it).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
rc=0
# ctest -j twice the cores (QFTP_TEST_JOBS to change it): most e2e tests mostly wait (guard
# times, FTP servers); tests/CMakeLists.txt orders the long ones first
(cd "${QFTP_BUILD_DIR:-build}" &&
    ctest --output-on-failure -j"${QFTP_TEST_JOBS:-$((2 * $(nproc)))}") || rc=$?
if [ "${QFTP_TEST_WIRESHARK:-1}" != 0 ]; then
    scripts/test-wireshark.sh host 4.4 4.6 || rc=1
else
    echo "test.sh: QFTP_TEST_WIRESHARK=0: the Wireshark 4.4/4.6 matrix and the package test were NOT run" >&2
fi
exit $rc
