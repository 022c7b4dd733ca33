#!/usr/bin/env bash
# Builds the libFuzzer harnesses with clang (ASan + UBSan) in BUILD and runs them.
#   run.sh bounded BUILD SEEDS [HARNESS...]   each harness a fixed number of inputs (ctest)
#   run.sh long SECONDS BUILD SEEDS [HARNESS...]   each harness SECONDS (bench/fuzz.sh)
#   run.sh build BUILD SEEDS [HARNESS...]     only builds them (the suite's fixture, so the
#                                             bounded runs can go in parallel)
#   QFTP_FUZZ_BUILT=1 run.sh bounded ...      runs without building (after run.sh build)
# A crash stops the run with its input in BUILD/crashes/<harness>/: copy it to
# tests/fuzz/regress/<harness>/ and the normal suite replays it from then on.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
mode=$1; shift
secs=0
if [ "$mode" = long ]; then secs=$1; shift; fi
build=$1 seeds=$2; shift 2
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=(session import capture cmdline rules)

# inputs per harness in the bounded run: each about as long on this kind of machine
declare -A runs=([session]=2000 [import]=1500 [capture]=3000 [cmdline]=10000 [rules]=3000)

if ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){(void)d;(void)n;return 0;}' |
     clang -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
    echo "clang with libFuzzer is not installed (scripts/install-deps.sh installs it)" >&2
    exit 77
fi
if [ "${QFTP_FUZZ_BUILT:-0}" != 1 ]; then
    if [ ! -f "$build/CMakeCache.txt" ]; then
        cmake -S "$src" -B "$build" -DCMAKE_C_COMPILER=clang -DQFTP_FUZZ=ON \
            -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    fi
    cmake --build "$build" -j"$(nproc)" --target "${harnesses[@]/#/fuzz_}" >/dev/null
fi
[ "$mode" = build ] && exit 0

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
status=0
for h in "${harnesses[@]}"; do
    # the bounded run starts from the seeds alone every time (the same work on every run);
    # the long one grows build/fuzz/corpus/
    corpus="$build/corpus/$h"
    [ "$mode" = long ] || { corpus="$build/corpus-bounded/$h"; rm -rf "$corpus"; }
    crashes="$build/crashes/$h"
    mkdir -p "$corpus" "$crashes"
    # libFuzzer adds what it finds to the first folder; seeds and regressions stay as they are
    dirs=("$corpus" "$seeds/$h")
    [ -d "$src/tests/fuzz/regress/$h" ] && dirs+=("$src/tests/fuzz/regress/$h")
    args=(-seed=1 -timeout=30 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1
          "-artifact_prefix=$crashes/" "${dirs[@]}")
    if [ "$mode" = long ]; then
        args=(-max_total_time="$secs" "${args[@]}")
    else
        args=(-runs="${runs[$h]}" "${args[@]}")
    fi
    start=$(date +%s)
    if "$build/tests/fuzz/fuzz_$h" "${args[@]}" >"$build/$h.log" 2>&1; then
        echo "fuzz_$h: $(grep -ao 'stat::number_of_executed_units: [0-9]*' "$build/$h.log" |
            grep -o '[0-9]*$') inputs, $(($(date +%s) - start)) s, no crash"
    else
        echo "fuzz_$h: FAILED (log: $build/$h.log; inputs: $crashes/)" >&2
        grep -aE "ERROR|runtime error|SUMMARY" "$build/$h.log" | head -5 >&2
        status=1
    fi
done
exit $status
