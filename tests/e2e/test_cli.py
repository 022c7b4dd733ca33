"""Command-line behaviour: usage errors, colour, NO_COLOR, --redact, JSON contract."""
import json
import os
import tempfile

from qftptest import case, done, run, src

LOG = src("tests", "logs", "manual-bg96-3.1-login.log")


def usage_errors():
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2
    assert run("show").returncode == 2
    assert run("import", LOG).returncode == 2  # no -w
    assert run("show", "--dialect", "xyz", LOG).returncode == 2
    assert run("--help").returncode == 0


def colour():
    plain = run("show", LOG, check=True).stdout
    assert b"\x1b[" not in plain, "colour on a pipe"
    col = run("show", "--color", "always", LOG, check=True).stdout
    assert b"\x1b[" in col
    p = run("show", LOG, env={"NO_COLOR": "1"}, check=True).stdout
    assert b"\x1b[" not in p


def redact():
    p = run("show", "--json", "--redact", LOG, check=True)
    doc = json.loads(p.stdout)
    lines = [t["line"] for t in doc["transactions"]]
    acct = [l for l in lines if "account" in l]
    assert acct and all('"test","****"' in l for l in acct), acct
    with tempfile.TemporaryDirectory() as d:
        cap = os.path.join(d, "r.pcap")
        run("import", "--redact", LOG, "-w", cap, check=True)
        raw = open(cap, "rb").read()
        assert b'"account","test","****"' in raw and b'"account","test","test"' not in raw


def contract():
    """Values checked against BG96 manual 3.1: the login flow."""
    doc = json.loads(run("show", "--json", LOG, check=True).stdout)
    assert doc["dialect"] == "bg96"
    t = [x for x in doc["transactions"] if x["command"] == "+QFTPOPEN"][0]
    assert t["type"] == "write" and t["params"] == ['"quectel.3322.org"', "21"]
    assert t["final"] == "OK" and t["urc"] == "+QFTPOPEN: 0,0"
    # BG96 2.2: "+QFTPOPEN: <err>,<protocol_error>", 0 = no reply code: no value
    assert t["err"] == 0 and t["value"] is None and t["protocol_error"] is None
    assert t["connect"] is False and t["data_len"] is None and t["cme_error"] is None
    assert t["t_final"] >= t["t_sent"] and t["t_done"] >= t["t_final"]
    assert isinstance(t["notes"], list)
    for k in ("index", "line", "command", "type", "params", "final", "cme_error", "connect",
              "data_len", "urc", "err", "protocol_error", "value", "t_sent", "t_final", "t_done"):
        assert k in t, k
    assert isinstance(doc["unsolicited"], list)


case("usage errors", usage_errors)
case("colour and NO_COLOR", colour)
case("--redact", redact)
case("JSON contract on BG96 3.1", contract)
done()
