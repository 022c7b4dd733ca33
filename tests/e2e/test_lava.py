"""A real LAVA dispatcher (lava-run, with lava-lxc-mocker: the test shell runs on this
host) runs tests/lava/qftp-sim-replay-job.yaml, whose test shell starts an FTP server and
`qftp sim` and runs `qftp replay --lava`; LAVA must record every step's result. Skipped,
loudly, where lava-run is not installed (scripts/install-deps.sh does not install LAVA)."""
import os
import re
import shutil
import subprocess
import sys
import tempfile

from qftptest import QFTP, case, done, src


def lava_results():
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, QFTP_SRC=src(), QFTP_BIN=QFTP)
        # lava-run puts the test shell's overlay under /lava-<job id> on this host
        job_id = str(900000 + os.getpid() % 99999)
        p = subprocess.run(["lava-run", "--job-id", job_id, "--output-dir", os.path.join(d, "out"),
                            "--device", src("tests", "lava", "lxc-device.yaml"),
                            src("tests", "lava", "qftp-sim-replay-job.yaml")],
                           capture_output=True, text=True, env=env, timeout=300, cwd=d)
        shutil.rmtree(f"/lava-{job_id}", ignore_errors=True)
        results = {}
        for line in (p.stdout + p.stderr).splitlines():
            if '"lvl": "results"' not in line:
                continue
            case_ = re.search(r'"case": "([^"]*)"', line).group(1)
            results[case_] = re.search(r'"result": "([a-z]*)"', line).group(1)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-2000:]
        return results


def recorded_per_step():
    r = lava_results()
    steps = {k: v for k, v in r.items() if k.startswith("manual-gsm-4.1-open.pcap-")}
    # manual 4.1: five commands and the unsolicited URCs, each a test case LAVA kept
    assert len(steps) == 6, r
    assert all(v == "pass" for v in steps.values()), steps
    assert "manual-gsm-4.1-open.pcap-005-AT+QFTPOPEN__127.0.0.1_," in "".join(steps), steps
    assert r.get("job") == "pass", r


if shutil.which("lava-run") is None:
    sys.stderr.write("test_lava: SKIPPED: lava-run is not installed (apt-get install "
                     "--no-install-recommends lava-dispatcher lava-lxc-mocker)\n")
    print("ok 1 a real lava-run records every step of qftp replay --lava # SKIP lava-run is not installed")
    print("1..1")
    sys.exit(77)  # ctest: Skipped (SKIP_RETURN_CODE), never a silent pass
case("a real lava-run records every step of qftp replay --lava", recorded_per_step)
done()
