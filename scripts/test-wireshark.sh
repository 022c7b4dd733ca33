#!/usr/bin/env bash
# Builds qftp with warnings as errors and runs the whole test suite against other
# Wireshark versions, each inside a Debian chroot made from Debian's archive.
#
# Usage: scripts/test-wireshark.sh [--setup-only | --build-only] VERSION...
#   VERSION: 4.0 (bookworm), 4.4 (trixie), 4.6 (sid), or a Debian suite name.
#   --setup-only: make the chroots and install the dependencies, build nothing.
#   --build-only: build with warnings as errors, run no tests.
#   QFTP_WS_CTEST_ARGS: extra ctest arguments (e.g. "-R dissector") for a partial run.
#
# Each chroot is made once with `debootstrap --variant=minbase` and kept under
# $QFTP_WS_CACHE (default /var/tmp/qftp-ws/<suite>); the dependencies come from
# scripts/install-deps.sh run inside it. The tree is copied in (tracked and new
# files, no build output), built there with -DQFTP_WERROR=ON and tested with
# ctest; tshark runs there as an unprivileged user like it does here.
#
# Exit status: 0 every version built and passed, or was skipped because its archive
# cannot be reached (said loudly; QFTP_WS_REQUIRE=1 makes a skip a failure);
# 1 a build or a test failed; 2 usage error. Needs root (chroot, mount).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
cache=${QFTP_WS_CACHE:-/var/tmp/qftp-ws}
mirror=${QFTP_WS_MIRROR:-http://deb.debian.org/debian}
jobs=${QFTP_WS_JOBS:-$(nproc)}

usage() {
    sed -n '5,8s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

setup_only=0
build_only=0
versions=()
for a in "$@"; do
    case $a in
    --setup-only) setup_only=1 ;;
    --build-only) build_only=1 ;;
    -h | --help) usage ;;
    -*) echo "test-wireshark.sh: unknown option $a" >&2 && usage ;;
    *) versions+=("$a") ;;
    esac
done
[ ${#versions[@]} -gt 0 ] || usage

if [ "$(id -u)" -ne 0 ]; then
    exec sudo --preserve-env=QFTP_WS_CACHE,QFTP_WS_MIRROR,QFTP_WS_JOBS,QFTP_WS_REQUIRE,QFTP_WS_CTEST_ARGS "$0" "$@"
fi

suite_of() {
    case $1 in
    4.0 | bookworm) echo bookworm ;;
    4.4 | trixie) echo trixie ;;
    4.6 | sid | unstable) echo sid ;;
    [0-9]*) return 1 ;;
    *) echo "$1" ;;
    esac
}

log() { printf '[test-wireshark %s] %s\n' "$(date +%T)" "$*"; }

loud() {
    local bar=========================================================================
    printf '%s\n%s\n%s\n' "$bar" "$*" "$bar" >&2
}

# The archive answers for this suite (one small request; no chroot needed).
reachable() {
    local url="$mirror/dists/$1/InRelease"
    if command -v curl >/dev/null; then
        curl -fsS -o /dev/null --max-time 30 "$url" 2>/dev/null
    else
        /usr/bin/python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=30)' \
            "$url" 2>/dev/null
    fi
}

mounted=()
unmount_all() {
    local i
    for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
        umount -R "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
    done
    mounted=()
}
trap unmount_all EXIT
trap 'unmount_all; exit 130' INT TERM

mount_into() { # root
    local r=$1
    mountpoint -q "$r/proc" || { mount -t proc proc "$r/proc" && mounted+=("$r/proc"); }
    mountpoint -q "$r/dev" || { mount --rbind /dev "$r/dev" && mount --make-rslave "$r/dev" &&
        mounted+=("$r/dev"); }
}

# In the chroot: the environment of a fresh login, Debian's python first.
in_root() { # root command...
    local r=$1
    shift
    chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@"
}

# A copy of the tree inside the chroot: tracked and new files, no build output.
copy_tree() { # root
    local dst=$1/root/qftp-src
    rm -rf "$dst"
    mkdir -p "$dst"
    if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
            (cd "$src" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$dst" -xf -
    else
        tar -C "$src" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$dst" -xf -
    fi
}

# Makes the chroot when it is missing. 0 ready, 1 failed, 3 archive unreachable.
ensure_root() { # suite root
    local s=$1 r=$2
    if [ -x "$r/usr/bin/apt-get" ]; then
        :
    else
        reachable "$s" || return 3
        log "$s: debootstrap --variant=minbase into $r (about 6 minutes)"
        rm -rf "$r.new"
        mkdir -p "$(dirname "$r")"
        if ! debootstrap --variant=minbase "$s" "$r.new" "$mirror" >"$r.debootstrap.log" 2>&1; then
            tail -20 "$r.debootstrap.log" >&2
            reachable "$s" || return 3
            return 1
        fi
        rm -rf "$r"
        mv "$r.new" "$r"
    fi
    # sid's Release file can be past its Valid-Until between two dinstalls.
    case $s in sid | unstable)
        echo 'Acquire::Check-Valid-Until "false";' >"$r/etc/apt/apt.conf.d/99qftp-valid-until" ;;
    esac
    cp -L /etc/resolv.conf "$r/etc/resolv.conf" 2>/dev/null || true
    return 0
}

ws_version() { # root
    in_root "$1" dpkg-query -W -f='${Version}' libwireshark-dev 2>/dev/null | sed 's/-.*//'
}

results=()
failed=0
skipped=0

run_one() { # version
    local v=$1 s r t0 rc
    if ! s=$(suite_of "$v"); then
        loud "test-wireshark: no Debian suite carries Wireshark $v (4.0 bookworm, 4.4 trixie, 4.6 sid); see docs/wireshark.md to build for it by hand"
        results+=("$v: FAILED (unknown version)")
        failed=1
        return
    fi
    r=$cache/$s
    t0=$SECONDS
    mkdir -p "$cache"
    exec 9>"$cache/$s.lock"
    flock 9
    rc=0
    ensure_root "$s" "$r" || rc=$?
    if [ $rc -eq 3 ]; then
        loud "SKIPPED Wireshark $v: Debian's archive ($mirror, suite $s) cannot be reached and there is no cached chroot at $r"
        results+=("$v ($s): SKIPPED, archive unreachable")
        skipped=1
        exec 9>&-
        return
    elif [ $rc -ne 0 ]; then
        loud "FAILED Wireshark $v: debootstrap $s failed (log: $r.debootstrap.log)"
        results+=("$v ($s): FAILED making the chroot")
        failed=1
        exec 9>&-
        return
    fi
    mount_into "$r"
    copy_tree "$r"
    if ! in_root "$r" /root/qftp-src/scripts/install-deps.sh --check >/dev/null 2>&1 && ! reachable "$s"; then
        loud "SKIPPED Wireshark $v: the chroot $r lacks dependencies and Debian's archive ($mirror) cannot be reached"
        results+=("$v ($s): SKIPPED, archive unreachable")
        skipped=1
        unmount_all
        exec 9>&-
        return
    fi
    log "$s: dependencies (log: $r.deps.log)"
    if ! in_root "$r" /root/qftp-src/scripts/install-deps.sh >"$r.deps.log" 2>&1; then
        tail -30 "$r.deps.log" >&2
        loud "FAILED Wireshark $v: installing the dependencies in $r failed"
        results+=("$v ($s): FAILED installing dependencies")
        failed=1
        unmount_all
        exec 9>&-
        return
    fi
    local wv
    wv=$(ws_version "$r")
    case $v in [0-9]*.[0-9]*) [ "${wv%.*}" = "$v" ] ||
        loud "NOTE: $s now carries Wireshark $wv, not $v: testing $wv" ;; esac
    if [ $setup_only -eq 1 ]; then
        results+=("$v ($s, Wireshark $wv): ready in $((SECONDS - t0)) s")
        unmount_all
        exec 9>&-
        return
    fi
    # The build folder stays between runs (outside the copied tree): an incremental build.
    local what="build with warnings as errors, then the suite"
    local tests='cd /root/qftp-build && ctest --output-on-failure -j"$JOBS" $CTEST_ARGS'
    [ $build_only -eq 1 ] && tests=true && what="build with warnings as errors"
    log "$s: Wireshark $wv: $what"
    if in_root "$r" JOBS="$jobs" CTEST_ARGS="${QFTP_WS_CTEST_ARGS:-}" bash -c \
        "cd /root/qftp-src && QFTP_BUILD_DIR=/root/qftp-build scripts/build.sh && $tests"; then
        results+=("$v ($s, Wireshark $wv): PASSED in $((SECONDS - t0)) s")
    else
        loud "FAILED Wireshark $wv ($s): build or tests (tree in $r/root/qftp-src, build in $r/root/qftp-build)"
        results+=("$v ($s, Wireshark $wv): FAILED")
        failed=1
    fi
    unmount_all
    exec 9>&-
}

for v in "${versions[@]}"; do
    run_one "$v"
done

echo "test-wireshark summary:"
printf '  %s\n' "${results[@]}"
if [ $skipped -eq 1 ]; then
    loud "test-wireshark: some versions were SKIPPED (archive unreachable): not tested"
    [ "${QFTP_WS_REQUIRE:-0}" = 1 ] && failed=1
fi
exit $failed
