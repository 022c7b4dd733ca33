#!/usr/bin/env python3
"""Where the default suite's wall time goes: runs every ctest test of a build directory
(or those matching -R), each alone by default, and prints per test its wall time, its CPU
time (user + system of the test and every process it waited for) and their difference
(waiting: guard times, timeouts, servers, or the run queue of a loaded machine), then the
totals and what `ctest -jN` can reach with them:

  - the lower bound: max(longest test, sum of wall times / N);
  - the schedule ctest follows on a clean checkout (descending COST, the declaration
    order among equal costs; fixtures' setup tests first), simulated with the measured
    times, and the tests on its critical path (the slot that ends last).

An idle machine's wall time is close to the CPU time for a test that computes and close
to its waits for one that waits; on a loaded machine the CPU seconds stay meaningful
(plus some percent), the waiting does not. Run it with `nice -n 10` on a shared machine.

Usage: bench/suite_profile.py [--build build] [-R REGEX] [-j N] [--sim-j 2] [--json]
"""
import argparse
import heapq
import json
import os
import re
import subprocess
import sys
import tempfile
import time


def tests_of(build, regex):
    out = subprocess.run(["ctest", "--show-only=json-v1"], cwd=build, check=True,
                         capture_output=True, text=True).stdout
    tests = []
    for i, t in enumerate(json.loads(out)["tests"]):
        if regex and not re.search(regex, t["name"]):
            continue
        props = {p["name"]: p["value"] for p in t.get("properties", [])}
        tests.append({
            "name": t["name"], "order": i, "command": t["command"],
            "env": props.get("ENVIRONMENT", []), "cwd": props.get("WORKING_DIRECTORY", build),
            "cost": float(props.get("COST", 0) or 0),
            "setup": props.get("FIXTURES_SETUP", []), "requires": props.get("FIXTURES_REQUIRED", []),
            "skip_rc": props.get("SKIP_RETURN_CODE"), "timeout": float(props.get("TIMEOUT", 1500)),
        })
    return tests


def start(t):
    env = dict(os.environ)
    for kv in t["env"]:
        k, _, v = kv.partition("=")
        env[k] = v
    t["t0"] = time.monotonic()
    t["out"] = tempfile.TemporaryFile()
    t["proc"] = subprocess.Popen(t["command"], cwd=t["cwd"], env=env, stdout=t["out"],
                                 stderr=subprocess.STDOUT, start_new_session=True)


def run_all(tests, jobs):
    """Runs the tests, at most `jobs` at a time, setup tests of a fixture before its users."""
    pending = sorted(tests, key=lambda t: (not t["setup"], t["order"]))
    running = {}
    done_fixtures = set()
    while pending or running:
        for t in list(pending):
            if len(running) >= jobs:
                break
            if any(f not in done_fixtures and any(f in u["setup"] for u in tests)
                   for f in t["requires"]):
                continue
            pending.remove(t)
            start(t)
            running[t["proc"].pid] = t
        if not running:
            break
        pid, status, ru = os.wait4(-1, 0)
        t = running.pop(pid, None)
        if t is None:
            continue
        t["wall"] = time.monotonic() - t["t0"]
        t["cpu"] = ru.ru_utime + ru.ru_stime
        t["rc"] = os.waitstatus_to_exitcode(status)
        done_fixtures.update(t["setup"])
        t["out"].seek(0)
        out = t["out"].read().decode(errors="replace")
        t["out"].close()
        if t["rc"] != 0 and str(t["rc"]) != str(t["skip_rc"]):
            print(f"--- {t['name']} failed (exit {t['rc']}), the end of its output:\n"
                  f"{out[-3000:]}", file=sys.stderr, flush=True)
        print(f"  {t['name']:40} {t['wall']:7.2f} s wall {t['cpu']:7.2f} s cpu rc={t['rc']}",
              file=sys.stderr, flush=True)


def simulate(tests, jobs):
    """ctest -jN on a clean checkout: descending COST (stable), setup tests before the
    tests that need them. Returns the makespan and the tests of the slot that ends last."""
    order = sorted(tests, key=lambda t: (-t["cost"], t["order"]))
    setups = {f: t for t in tests for f in t["setup"]}
    end = {}
    slots = [(0.0, i, []) for i in range(jobs)]
    heapq.heapify(slots)
    pending = list(order)
    clock_free = []
    while pending:
        free_at, i, chain = heapq.heappop(slots)
        pick = None
        for t in pending:
            deps = [setups[f]["name"] for f in t["requires"] if f in setups]
            if all(d in end and end[d] <= free_at for d in deps):
                pick = t
                break
        if pick is None:  # wait for the earliest setup still running
            later = min(e for e in end.values() if e > free_at)
            heapq.heappush(slots, (later, i, chain))
            continue
        pending.remove(pick)
        end[pick["name"]] = free_at + pick["wall"]
        heapq.heappush(slots, (end[pick["name"]], i, chain + [pick["name"]]))
        clock_free.append(free_at)
    last = max(slots)
    return last[0], last[2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(os.path.dirname(__file__), "..", "build"))
    ap.add_argument("-R", dest="regex")
    ap.add_argument("-j", dest="jobs", type=int, default=1, help="tests run at once (1: each alone)")
    ap.add_argument("--sim-j", type=int, default=2, help="the ctest -j to simulate")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    tests = tests_of(build, a.regex)
    t0 = time.monotonic()
    load0 = os.getloadavg()[0]
    run_all(tests, a.jobs)
    elapsed = time.monotonic() - t0
    if a.json:
        json.dump([{k: t[k] for k in ("name", "wall", "cpu", "rc", "cost")} for t in tests],
                  sys.stdout, indent=1)
        return 0
    print(f"{'test':40} {'wall s':>7} {'cpu s':>7} {'wait s':>7} {'COST':>6}")
    for t in sorted(tests, key=lambda t: -t["wall"]):
        bad = "" if t["rc"] == 0 or str(t["rc"]) == str(t["skip_rc"]) else f"  FAILED rc={t['rc']}"
        print(f"{t['name']:40} {t['wall']:7.2f} {t['cpu']:7.2f} {t['wall'] - t['cpu']:7.2f} "
              f"{t['cost']:6.0f}{bad}")
    walls = sum(t["wall"] for t in tests)
    cpus = sum(t["cpu"] for t in tests)
    longest = max(tests, key=lambda t: t["wall"])
    print(f"\n{len(tests)} tests, run {a.jobs} at a time in {elapsed:.1f} s "
          f"(load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end)")
    print(f"sum of wall times {walls:.1f} s, of CPU times {cpus:.1f} s")
    j = a.sim_j
    bound = max(longest["wall"], walls / j)
    span, chain = simulate(tests, j)
    print(f"ctest -j{j}: at least {bound:.1f} s (longest test {longest['name']} "
          f"{longest['wall']:.1f} s, sum / {j} {walls / j:.1f} s); by COST order {span:.1f} s")
    print(f"  the slot that ends last: {' -> '.join(chain)}")
    return 0 if all(t["rc"] == 0 or str(t["rc"]) == str(t["skip_rc"]) for t in tests) else 1


if __name__ == "__main__":
    sys.exit(main())
