#!/usr/bin/env bash
# Builds qftp with warnings as errors and runs the whole test suite against other
# Wireshark versions, each inside a Debian chroot made from Debian's archive, then
# tests the Debian package: it installs with apt-get into a pristine chroot of the
# same suite, and tshark there, as root, decodes a sample capture with it.
#
# Usage: scripts/test-wireshark.sh [--setup-only | --build-only | --no-package] VERSION...
#   VERSION: 4.0 (bookworm), 4.4 (trixie), 4.6 (sid), a Debian suite name, or "host":
#            only the package test, of this machine's build ($QFTP_BUILD_DIR, default
#            build/), in a pristine chroot of this machine's Debian suite.
#   --setup-only: make the chroots and install the dependencies, build nothing.
#   --build-only: build with warnings as errors, run no tests.
#   --no-package: the suite only.
#   QFTP_WS_CTEST_ARGS: extra ctest arguments (e.g. "-R dissector") for a partial run.
#
# Chroots live under $QFTP_WS_CACHE (default /var/tmp/qftp-ws): <suite>.base is the
# pristine result of `debootstrap --variant=minbase` (made once, never changed), <suite>
# the build chroot copied from it, with the dependencies of scripts/install-deps.sh.
# The tree is copied into /root/qftp-src (tracked and new files, no build output) and
# built in /root/qftp-build, kept between runs; tshark runs as an unprivileged user there
# as it does here. Missing bases are bootstrapped in parallel first (about 6 minutes).
#
# Exit status: 0 every version built and passed, or was skipped because its archive
# cannot be reached (said loudly; QFTP_WS_REQUIRE=1 makes a skip a failure);
# 1 a build, a test or the package failed; 2 usage error. Needs root (chroot, mount).
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
cache=${QFTP_WS_CACHE:-/var/tmp/qftp-ws}
mirror=${QFTP_WS_MIRROR:-http://deb.debian.org/debian}
jobs=${QFTP_WS_JOBS:-$(nproc)}
host_build=$(cd "${QFTP_BUILD_DIR:-build}" 2>/dev/null && pwd || echo "$src/build")

usage() {
    sed -n '7,16s/^# \{0,1\}//p' "$0" >&2
    exit 2
}

mode=all
package=1
versions=()
for a in "$@"; do
    case $a in
    --setup-only) mode=setup ;;
    --build-only) mode=build ;;
    --no-package) package=0 ;;
    -h | --help) usage ;;
    -*) echo "test-wireshark.sh: unknown option $a" >&2 && usage ;;
    *) versions+=("$a") ;;
    esac
done
[ ${#versions[@]} -gt 0 ] || usage

if [ "$(id -u)" -ne 0 ]; then
    exec sudo --preserve-env=QFTP_WS_CACHE,QFTP_WS_MIRROR,QFTP_WS_JOBS,QFTP_WS_REQUIRE,QFTP_WS_CTEST_ARGS,QFTP_BUILD_DIR \
        "$0" "$@"
fi

host_suite() { . /etc/os-release && echo "${VERSION_CODENAME:-unknown}"; }

suite_of() {
    case $1 in
    4.0 | bookworm) echo bookworm ;;
    4.4 | trixie) echo trixie ;;
    4.6 | sid | unstable) echo sid ;;
    host) host_suite ;;
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
in_root() { # root [VAR=value...] command...
    local r=$1
    shift
    chroot "$r" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive TERM=dumb "$@"
}

# A copy of the tree inside the chroot: tracked and new files, no build output. The build
# folder is kept between runs (an incremental build), so a file whose content changed gets
# the time of the copy and an unchanged one keeps its time: a tree copied with its own
# older times (another branch, a rebase) left objects of another tree in the build
# (measured: a stale record.c.o, undefined qftp_cmd_record at link).
copy_tree() { # root
    local dst=$1/root/qftp-src new=$1/root/qftp-src.new f
    rm -rf "$new"
    mkdir -p "$new" "$dst"
    if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
        git -C "$src" ls-files -z --cached --others --exclude-standard |
            (cd "$src" && tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -C "$new" -xf -
    else
        tar -C "$src" --exclude=./build --exclude='./build-*' -cf - . | tar -C "$new" -xf -
    fi
    /usr/bin/python3 - "$new" "$dst" <<'EOF'
import filecmp, os, shutil, sys
new, dst = sys.argv[1:]
for d, _, files in os.walk(new):
    for f in files:
        a = os.path.join(d, f)
        b = os.path.join(dst, os.path.relpath(a, new))
        if os.path.islink(a) or not os.path.isfile(b) or not filecmp.cmp(a, b, shallow=False):
            os.makedirs(os.path.dirname(b), exist_ok=True)
            if os.path.lexists(b):
                os.remove(b)
            shutil.copy2(a, b, follow_symlinks=False)
            if not os.path.islink(b):
                os.utime(b)  # the time of the copy: newer than any object built before
for d, _, files in os.walk(dst):
    for f in files:
        b = os.path.join(d, f)
        if not os.path.lexists(os.path.join(new, os.path.relpath(b, dst))):
            os.remove(b)
EOF
    rm -rf "$new"
}

# What every chroot needs before apt-get runs in it.
prepare_root() { # suite root
    # sid's Release file can be past its Valid-Until between two dinstalls.
    case $1 in sid | unstable)
        echo 'Acquire::Check-Valid-Until "false";' >"$2/etc/apt/apt.conf.d/99qftp-valid-until" ;;
    esac
    cp -L /etc/resolv.conf "$2/etc/resolv.conf" 2>/dev/null || true
}

# The pristine minbase chroot of a suite. 0 ready, 1 failed, 3 archive unreachable.
ensure_base() { # suite
    local s=$1 b=$cache/$1.base
    [ -x "$b/usr/bin/apt-get" ] && return 0
    reachable "$s" || return 3
    log "$s: debootstrap --variant=minbase into $b (about 6 minutes)"
    rm -rf "$b.new"
    mkdir -p "$cache"
    if ! debootstrap --variant=minbase "$s" "$b.new" "$mirror" >"$b.debootstrap.log" 2>&1; then
        tail -20 "$b.debootstrap.log" >&2
        reachable "$s" || return 3
        return 1
    fi
    rm -rf "$b"
    mv "$b.new" "$b"
}

# The build chroot: a copy of the base. Same codes as ensure_base.
ensure_root() { # suite
    local s=$1 r=$cache/$1 rc=0
    if [ ! -x "$r/usr/bin/apt-get" ]; then
        ensure_base "$s" || return $?
        log "$s: build chroot $r from $cache/$s.base"
        rm -rf "$r"
        cp -a "$cache/$s.base" "$r"
    fi
    prepare_root "$s" "$r"
    return $rc
}

ws_version() { # root
    in_root "$1" dpkg-query -W -f='${Version}' libwireshark-dev 2>/dev/null | sed 's/-.*//'
}

results=()
failed=0
skipped=0

# A fresh root for the package test: the base under an overlay (its own copy where
# overlayfs is not available), removed afterwards.
pkg_root=
pkg_upper=
fresh_root() { # suite
    local b=$cache/$1.base
    pkg_upper=$(mktemp -d "$cache/$1.pkg.XXXXXX")
    pkg_root=$pkg_upper/root
    mkdir -p "$pkg_root" "$pkg_upper/upper" "$pkg_upper/work"
    if mount -t overlay overlay -o "lowerdir=$b,upperdir=$pkg_upper/upper,workdir=$pkg_upper/work" \
        "$pkg_root" 2>/dev/null; then
        mounted+=("$pkg_root")
    else
        rm -rf "$pkg_root"
        cp -a "$b" "$pkg_root"
    fi
    prepare_root "$1" "$pkg_root"
}

# The package test: apt-get install ./qftp_*.deb into a pristine chroot, then as root
# `tshark -G plugins` lists it, `tshark -D` the capture interfaces of qftp-extcap, and
# tshark decodes a sample capture with it; the package
# holds every file `cmake --install` installs (man pages and docs included).
package_test() { # suite deb installed-list
    local s=$1 deb=$2 list=$3
    fresh_root "$s"
    mount_into "$pkg_root"
    cp "$deb" "$pkg_root/root/"
    cp "$src/captures/manual-bg96-3.6-upload.pcap" "$pkg_root/root/sample.pcap"
    local base
    base=$(basename "$deb")
    log "$s: apt-get install ./$base into a pristine $s chroot"
    if ! in_root "$pkg_root" bash -c "apt-get -q update && apt-get install -y -q /root/$base" \
        >"$cache/$s.package.log" 2>&1; then
        tail -30 "$cache/$s.package.log" >&2
        echo "apt-get install ./$base failed (log: $cache/$s.package.log)" >&2
        return 1
    fi
    local ok=0 out
    in_root "$pkg_root" dpkg-query -L qftp | sort >"$cache/$s.package.files"
    while read -r f; do
        [ -n "$f" ] || continue
        grep -qxF "$f" "$cache/$s.package.files" || { echo "not in the package: $f" >&2 && ok=1; }
    done <"$list"
    in_root "$pkg_root" tshark -G plugins | grep -q 'qftp\.so' ||
        { echo "root's tshark does not list qftp.so (tshark -G plugins)" >&2 && ok=1; }
    # the capture interfaces of qftp-extcap, from Wireshark's system extcap folder
    out=$(in_root "$pkg_root" tshark -D 2>&1) || true
    grep -q '^[0-9]*\. qftp-relay ' <<<"$out" && grep -q '^[0-9]*\. qftp-sim ' <<<"$out" ||
        { echo "root's tshark -D does not list qftp-relay and qftp-sim:" >&2 && head -20 <<<"$out" >&2 && ok=1; }
    out=$(in_root "$pkg_root" tshark -r /root/sample.pcap -2 -Y qftp.urc -T fields -e qftp.urc -e qftp.err 2>&1) || true
    # BG96 manual 3.6: the upload completes with +QFTPPUT: 0,<length>
    if ! grep -q "^+QFTPPUT	0$" <<<"$out"; then
        echo "root's tshark did not decode the sample with the packaged plugin:" >&2
        head -20 <<<"$out" >&2
        ok=1
    fi
    in_root "$pkg_root" qftp show /root/sample.pcap >/dev/null ||
        { echo "the packaged qftp cannot show the sample" >&2 && ok=1; }
    # The simulator opens libcurl at its start: the package's dependencies must bring it.
    # It serves until stopped (timeout's 124); one that cannot load libcurl exits at once.
    local rc=0
    out=$(in_root "$pkg_root" timeout 10 qftp sim --dialect bg96 --pty /tmp/qftp-sim 2>&1) || rc=$?
    if [ $rc -ne 124 ] || ! grep -q '^qftp sim: listening on pty' <<<"$out"; then
        echo "the packaged qftp sim did not start (exit $rc):" >&2
        head -5 <<<"$out" >&2
        ok=1
    fi
    return $ok
}

finish_pkg_root() {
    unmount_all
    [ -n "$pkg_upper" ] && rm -rf "$pkg_upper"
    pkg_root=
    pkg_upper=
}

run_host_package() {
    local s t0=$SECONDS rc=0
    s=$(host_suite)
    ensure_base "$s" || rc=$?
    if [ $rc -eq 3 ]; then
        loud "SKIPPED package test of this machine's build: Debian's archive ($mirror, suite $s) cannot be reached"
        results+=("host ($s): package SKIPPED, archive unreachable")
        skipped=1
        return
    elif [ $rc -ne 0 ]; then
        results+=("host ($s): FAILED making the base chroot")
        failed=1
        return
    fi
    log "host: cpack -G DEB in $host_build"
    rm -f "$host_build"/qftp_*.deb
    local list
    list=$(mktemp)
    if ! (cd "$host_build" && cpack -G DEB >"$cache/host.cpack.log" 2>&1 &&
        rm -rf _list && DESTDIR="$host_build/_list" cmake --install . --prefix /usr >/dev/null &&
        (cd _list && find . ! -type d | sed 's|^\.||') >"$list" && rm -rf _list); then
        tail -20 "$cache/host.cpack.log" >&2
        results+=("host ($s): FAILED making the package")
        failed=1
        return
    fi
    if package_test "$s" "$(ls "$host_build"/qftp_*.deb | head -1)" "$list"; then
        results+=("host ($s): package PASSED in $((SECONDS - t0)) s")
    else
        loud "FAILED package test of this machine's build ($s)"
        results+=("host ($s): package FAILED")
        failed=1
    fi
    rm -f "$list"
    finish_pkg_root
}

run_one() { # version
    local v=$1 s r t0 rc
    if [ "$v" = host ]; then
        run_host_package
        return
    fi
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
    ensure_root "$s" || rc=$?
    if [ $rc -eq 3 ]; then
        loud "SKIPPED Wireshark $v: Debian's archive ($mirror, suite $s) cannot be reached and there is no cached chroot at $r"
        results+=("$v ($s): SKIPPED, archive unreachable")
        skipped=1
        exec 9>&-
        return
    elif [ $rc -ne 0 ]; then
        loud "FAILED Wireshark $v: debootstrap $s failed (log: $cache/$s.base.debootstrap.log)"
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
    log "$s: dependencies (log: $cache/$s.deps.log)"
    if ! in_root "$r" /root/qftp-src/scripts/install-deps.sh >"$cache/$s.deps.log" 2>&1; then
        tail -30 "$cache/$s.deps.log" >&2
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
    if [ $mode = setup ]; then
        results+=("$v ($s, Wireshark $wv): ready in $((SECONDS - t0)) s")
        unmount_all
        exec 9>&-
        return
    fi
    # The build folder stays between runs (outside the copied tree): an incremental build.
    local what="build with warnings as errors, then the suite"
    local tests='cd /root/qftp-build && ctest --output-on-failure -j"$JOBS" $CTEST_ARGS'
    [ $mode = build ] && tests=true && what="build with warnings as errors"
    log "$s: Wireshark $wv: $what"
    if ! in_root "$r" JOBS="$jobs" CTEST_ARGS="${QFTP_WS_CTEST_ARGS:-}" bash -c \
        "cd /root/qftp-src && QFTP_BUILD_DIR=/root/qftp-build scripts/build.sh && $tests"; then
        loud "FAILED Wireshark $wv ($s): build or tests (tree in $r/root/qftp-src, build in $r/root/qftp-build)"
        results+=("$v ($s, Wireshark $wv): FAILED")
        failed=1
        unmount_all
        exec 9>&-
        return
    fi
    local verdict="PASSED"
    if [ $mode = all ] && [ $package -eq 1 ]; then
        log "$s: cpack -G DEB"
        if ! in_root "$r" bash -c 'cd /root/qftp-build && rm -f qftp_*.deb && cpack -G DEB >cpack.log 2>&1 &&
                rm -rf /tmp/qftp-list && DESTDIR=/tmp/qftp-list cmake --install . --prefix /usr >/dev/null &&
                cd /tmp/qftp-list && find . ! -type d | sed "s|^\.||" >/root/qftp-build/installed.list'; then
            tail -20 "$r/root/qftp-build/cpack.log" >&2
            verdict="FAILED (making the package)"
        else
            unmount_all
            local brc=0
            ensure_base "$s" || brc=$?
            if [ $brc -ne 0 ]; then
                verdict="PASSED, package not tested (no base chroot: archive unreachable)"
                [ $brc -eq 3 ] || verdict="FAILED (making the base chroot)"
            elif ! package_test "$s" "$(ls "$r"/root/qftp-build/qftp_*.deb | head -1)" \
                "$r/root/qftp-build/installed.list"; then
                verdict="FAILED (package test)"
            else
                verdict="PASSED, package PASSED"
            fi
            finish_pkg_root
        fi
    fi
    case $verdict in
    FAILED*)
        loud "Wireshark $wv ($s): $verdict"
        failed=1
        ;;
    esac
    results+=("$v ($s, Wireshark $wv): $verdict in $((SECONDS - t0)) s")
    unmount_all
    exec 9>&-
}

main() {
    # Bases that are missing are bootstrapped side by side first: debootstrap waits on the
    # network and the disk more than on the CPU.
    if [ $mode = all ] || [ $mode = setup ]; then
        pids=()
        for v in "${versions[@]}"; do
            s=$(suite_of "$v") || continue
            if [ ! -x "$cache/$s.base/usr/bin/apt-get" ] &&
                { [ "$v" = host ] || [ $package -eq 1 ] || [ ! -x "$cache/$s/usr/bin/apt-get" ]; }; then
                (ensure_base "$s" || true) &
                pids+=($!)
            fi
        done
        for p in "${pids[@]}"; do wait "$p" || true; done
    fi

    for v in "${versions[@]}"; do
        run_one "$v"
    done

    echo "test-wireshark summary:"
    printf '  %s\n' "${results[@]}"
    if [ $skipped -eq 1 ]; then
        loud "test-wireshark: some versions were SKIPPED (archive unreachable): not tested"
        [ "${QFTP_WS_REQUIRE:-0}" = 1 ] && failed=1
    fi
    return $failed
}

# All of the above is read before anything long runs: editing this file while it runs
# does not change what the running copy does.
main
exit $?
