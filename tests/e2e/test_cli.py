"""Command-line behaviour: usage errors, help, suggestions, standard input and output,
man pages, bash completion, exit-status table, colour, NO_COLOR, --redact, JSON contract."""
import json
import os
import re
import shutil
import subprocess
import tempfile

from qftptest import QFTP, case, done, run, src

LOG = src("tests", "logs", "manual-bg96-3.1-login.log")
CAP = src("captures", "manual-gsm-4.1-open.pcap")
BUILD = os.path.dirname(os.path.abspath(QFTP))


def commands():
    """The commands `qftp --help` lists, one per line under "Commands:"."""
    out = run("--help", check=True).stdout.decode()
    block = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    names = [l.split()[0] for l in block.splitlines() if l.startswith("  ") and not l.startswith("   ")]
    assert names[-1] == "help", names
    return names[:-1]


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
    # BG96 2.2: "+QFTPOPEN: <err>,<protocol_error>": no value; protocol_error 0 (chapter 6:
    # "If it is 0, it is invalid": no reply code), as the manual names the field (issue 11)
    assert t["err"] == 0 and t["value"] is None and t["protocol_error"] == 0
    assert t["connect"] is False and t["data_len"] is None and t["cme_error"] is None
    assert t["t_final"] >= t["t_sent"] and t["t_done"] >= t["t_final"]
    assert isinstance(t["notes"], list)
    for k in ("index", "line", "command", "type", "params", "final", "cme_error", "connect",
              "data_len", "urc", "err", "protocol_error", "value", "t_sent", "t_final", "t_done"):
        assert k in t, k
    assert isinstance(doc["unsolicited"], list)




def top_level_help():
    p = run("--help", check=True)
    out = p.stdout.decode()
    assert out.startswith("Usage:\n  qftp [OPTION...] COMMAND [ARG...]\n"), out[:200]
    names = commands()
    for c in ("show", "import", "replay", "record", "sim"):
        assert c in names, (c, names)
    # an example per user: support, Wireshark, QA, simulator
    ex = out.split("\nExamples:\n", 1)[1]
    for who, cmd in (("Support:", "qftp show"), ("Wireshark:", "qftp import"),
                     ("Firmware QA:", "qftp replay"), ("Simulator:", "qftp sim")):
        assert re.search(re.escape(who) + r".*\n    " + re.escape(cmd), ex), (who, ex)
    assert run("help", check=True).stdout == p.stdout
    assert run("-h", check=True).stdout == p.stdout
    for v in ("-V", "--version"):
        q = run(v, check=True)
        assert re.fullmatch(rb"qftp \d+\.\d+\.\d+\n", q.stdout), q.stdout


def help_cmd_is_cmd_help():
    for c in commands():
        a = run("help", c, check=True)
        b = run(c, "--help", check=True)
        assert a.stdout == b.stdout and a.stdout.startswith(f"Usage:\n  qftp {c} ".encode()), c
        assert run(c, "-h", check=True).stdout == a.stdout
        full = run(c, "--help-all", check=True).stdout.decode()
        # every option has a description: no option line ends right after its name
        for line in full.splitlines():
            if line.startswith("  -"):
                assert re.match(r"  -\S.*\S  +\S", line) or len(line) > 30, (c, line)
        assert "Exit status:" in full and "Examples:" in full, c


def suggestions():
    cases = [
        (["replay", CAP, "--devcie", "/dev/ttyUSB2"], "qftp replay: unknown option --devcie; did you mean --device?"),
        (["show", "--jsno", LOG], "qftp show: unknown option --jsno; did you mean --json?"),
        (["show", "-json", LOG], "qftp show: unknown option -json; did you mean --json?"),
        (["import", LOG, "--writ", "x.pcap"], "qftp import: unknown option --writ; did you mean --write?"),
        (["sim", "--dialet", "gsm"], "qftp sim: unknown option --dialet; did you mean --dialect?"),
        (["record", "--lisen", "x"], "qftp record: unknown option --lisen; did you mean --listen?"),
        (["show", "--dialect", "bg69", LOG], "qftp show: --dialect bg69: expected auto, gsm or bg96; did you mean bg96?"),
        (["sohw", LOG], "qftp: unknown command 'sohw'; did you mean 'show'?"),
        (["replya"], "qftp: unknown command 'replya'; did you mean 'replay'?"),
        (["help", "improt"], "qftp: unknown command 'improt'; did you mean 'import'?"),
        (["--verison"], "qftp: unknown option --verison; did you mean --version?"),
    ]
    for args, first in cases:
        p = run(*args)
        lines = p.stderr.decode().splitlines()
        assert p.returncode == 2, (args, p.returncode, p.stderr)
        assert lines[0] == first, (args, lines)
        assert len(lines) == 2 and lines[1].startswith("Try 'qftp") and "--help" in lines[1], (args, lines)
        assert p.stdout == b"", args
    # hints for the usual slips
    p = run("replay", CAP, "--device", "127.0.0.1:5555")
    assert p.returncode == 2 and b"write tcp:127.0.0.1:5555" in p.stderr.splitlines()[0], p.stderr
    p = run("import", CAP, "-w", "-")
    assert p.returncode == 2 and p.stdout == b"", p.stdout[:40]
    assert b"already a capture" in p.stderr and b"qftp show" in p.stderr, p.stderr
    with tempfile.TemporaryDirectory() as d:
        # a text log is a golden too: imported on the fly, as qftp import would (issue 17)
        p = run("replay", "--dry-run", LOG)
        assert p.returncode == 0 and b" steps" in p.stdout.splitlines()[0], (p.stdout, p.stderr)
        p = run("import", CAP, "-w", os.path.join(d, "x.pcap"))
        assert p.returncode == 2 and not os.path.exists(os.path.join(d, "x.pcap"))


def standard_input():
    log = open(LOG, "rb").read()
    cap = open(CAP, "rb").read()
    # show: a log and a capture through a pipe, same transcript as from the file
    for data, path in ((log, LOG), (cap, CAP)):
        want = run("show", "--json", path, check=True).stdout
        got = run("show", "--json", "-", input_bytes=data, check=True).stdout
        assert got == want, path
        t_file = run("show", path, check=True).stdout.split(b"\n", 1)
        t_pipe = run("show", "-", input_bytes=data, check=True).stdout.split(b"\n", 1)
        assert t_pipe[0].startswith(b"standard input: ") and t_pipe[1] == t_file[1], path
    # a pipe that cannot seek, for real (subprocess input= is one too; this is a FIFO)
    with tempfile.TemporaryDirectory() as d:
        fifo = os.path.join(d, "fifo")
        os.mkfifo(fifo)
        writer = subprocess.Popen(["sh", "-c", f"cat {CAP} > {fifo}"])
        got = run("show", "--json", fifo, check=True).stdout
        writer.wait()
        assert got == run("show", "--json", CAP, check=True).stdout
        # import: log on stdin, capture on stdout, read back by show from stdin
        p = run("import", "-", "-w", "-", input_bytes=log, check=True)
        assert p.stdout[:4] in (b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\x3c\x4d"), p.stdout[:4]
        out = os.path.join(d, "f.pcap")
        run("import", LOG, "-w", out, check=True)
        assert p.stdout == open(out, "rb").read()
        a = run("show", "--json", "-", input_bytes=p.stdout, check=True).stdout
        assert a == run("show", "--json", out, check=True).stdout
        # replay --dry-run: the plan of a capture on stdin
        a = run("replay", "--dry-run", "-", input_bytes=cap, check=True).stdout.split(b"\n", 1)
        b = run("replay", "--dry-run", CAP, check=True).stdout.split(b"\n", 1)
        assert a[0].startswith(b"-: ") and a[1] == b[1] and len(b[1]) > 20, (a, b)
        # empty and damaged input on stdin: clear errors
        p = run("show", "-", input_bytes=cap[:30])
        assert p.returncode == 2 and p.stderr.startswith(b"qftp show: -: "), p.stderr
        p = run("replay", "--dry-run", "-", "-")
        assert p.returncode == 2 and b"once" in p.stderr


def streamed_captures():
    """sim --capture - and replay --record -: the capture on stdout, the rest on stderr."""
    import sys
    sys.path.insert(0, src("simulator", "tools"))
    from simclient import FtpServer
    with tempfile.TemporaryDirectory() as d, FtpServer() as srv:
        pty = os.path.join(d, "ttyQ")
        sim_out = open(os.path.join(d, "sim.pcap"), "wb")
        sim = subprocess.Popen([QFTP, "sim", "--dialect", "gsm", "--pty", pty, "--capture", "-"],
                               stdout=sim_out, stderr=subprocess.PIPE)
        try:
            assert b"listening on pty" in sim.stderr.readline()  # on stderr: stdout is the capture
            p = run("replay", CAP, "--device", pty, "--rules", src("tests", "replay", "manual-server.rules"),
                    "-D", f"port={srv.port}", "--ignore-echo", "--record", "-")
            assert p.returncode == 0, p.stderr.decode()
            # the report went to stderr, all of it: stdout is nothing but the capture
            assert re.search(rb"\d+ checks: \d+ passed, 0 failed", p.stderr), p.stderr
            assert b"recording: -" in p.stderr, p.stderr
            live = json.loads(run("show", "--json", "-", input_bytes=p.stdout, check=True).stdout)
            assert [t["command"] for t in live["transactions"]][:2] == ["+QIFGCNT", "+QICSGP"], live
        finally:
            sim.terminate()
            assert sim.wait(10) == 0
            sim.stderr.close()
            sim_out.close()
        # what the simulator streamed is the same session, seen from the module's side
        got = json.loads(run("show", "--json", os.path.join(d, "sim.pcap"), check=True).stdout)
        assert [t["command"] for t in got["transactions"]] == [t["command"] for t in live["transactions"]]


def man_pages():
    pages = ["qftp"] + [f"qftp-{c}" for c in commands()]
    with tempfile.TemporaryDirectory() as d:
        run("--generate-man", d, check=True)
        assert sorted(os.listdir(d)) == sorted(p + ".1" for p in pages), os.listdir(d)
        for page in pages:
            path = os.path.join(d, page + ".1")
            # the build wrote the same pages (generated at build time from the tool)
            built = os.path.join(BUILD, "man", page + ".1")
            assert open(built).read() == open(path).read(), f"{built} is stale"
            for width in ("60", "80"):  # 80 last: its text is checked below
                env = dict(os.environ, MANWIDTH=width, LC_ALL="C.UTF-8")
                r = subprocess.run(["man", "--warnings", "-l", path], capture_output=True, env=env,
                                   timeout=60)
                assert r.returncode == 0 and r.stderr == b"", (page, width, r.stderr.decode())
            text = r.stdout.decode()
            for sec in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "SEE ALSO"):
                assert re.search(r"^" + sec + r"$", text, re.M), (page, sec)
            if page == "qftp":
                continue
            # every option of --help-all is in the page, and the exit statuses too
            full = run(page[5:], "--help-all", check=True).stdout.decode()
            for opt in re.findall(r"^  (?:-\w, )?(--[\w-]+)", full, re.M):
                assert opt in text.replace("\u2010", "-"), (page, opt)
            codes = re.findall(r"^  (\d)   ", full.split("Exit status:")[1], re.M)
            # (the indentation is the formatter's: 7 columns with groff 1.22, 5 with 1.24)
            man_codes = re.findall(r"^ +(\d) +\S", text.split("EXIT STATUS")[1].split("SEE ALSO")[0], re.M)
            assert codes and codes == man_codes, (page, codes, man_codes)


def completion():
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "qftp.bash")
        with open(script, "wb") as f:
            f.write(run("--generate-completion", "bash", check=True).stdout)
        assert open(script).read() == open(os.path.join(BUILD, "completion", "qftp")).read()
        work = os.path.join(d, "work")
        os.mkdir(work)
        for name in ("a.log", "b.pcap", "sub"):
            if name == "sub":
                os.mkdir(os.path.join(work, name))
            else:
                open(os.path.join(work, name), "w").close()

        def comp(*words):
            words = list(words)
            arr = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
            prog = (f"source {script}; COMP_WORDS=({arr}); COMP_CWORD={len(words) - 1}; "
                    "_qftp; printf '%s\\n' \"${COMPREPLY[@]}\"")
            r = subprocess.run(["bash", "--norc", "--noprofile", "-c", prog], capture_output=True,
                               cwd=work, timeout=60)
            assert r.returncode == 0, r.stderr
            return sorted(x for x in r.stdout.decode().split("\n") if x)

        assert comp("qftp", "") == sorted(commands() + ["help"])
        assert comp("qftp", "im") == ["import"]
        assert comp("qftp", "-") == ["--help", "--version", "-V", "-h"]
        assert comp("qftp", "help", "re") == ["record", "replay", "report"]
        assert comp("qftp", "show", "--dialect", "") == ["auto", "bg96", "gsm"]
        assert comp("qftp", "show", "--format", "t") == ["timestamped"]
        assert comp("qftp", "show", "--format", "=", "so") == ["socat"]
        assert comp("qftp", "show", "--format=i") == ["--format=interceptty"]
        assert comp("qftp", "sim", "--dialect", "") == ["bg96", "gsm"]
        assert comp("qftp", "replay", "--flow", "") == ["none", "rtscts", "xonxoff"]
        assert comp("qftp", "show", "--js") == ["--json"]
        assert "--help-serial" in comp("qftp", "replay", "--")
        assert comp("qftp", "show", "") == ["a.log", "b.pcap", "sub"]
        assert comp("qftp", "show", "--json", "b") == ["b.pcap"]
        assert comp("qftp", "import", "a.log", "-w", "") == ["a.log", "b.pcap", "sub"]
        assert comp("qftp", "sim", "--ufs", "") == ["sub"]
        assert "tcp:" in comp("qftp", "replay", "--device", "")
        assert comp("qftp", "record", "--linger", "") == []
        assert comp("qftp", "sim", "--d") == ["--dialect"]


def installed():
    """cmake --install puts the man pages and the completion beside the binary."""
    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, DESTDIR=d)
        r = subprocess.run(["cmake", "--install", BUILD, "--prefix", "/usr", "--component", "Unspecified"],
                           capture_output=True, env=env, timeout=120)
        assert r.returncode == 0, r.stderr.decode() + r.stdout.decode()
        for c in ["qftp"] + [f"qftp-{c}" for c in commands()]:
            assert os.path.isfile(os.path.join(d, "usr/share/man/man1", c + ".1")), c
        assert os.path.isfile(os.path.join(d, "usr/share/bash-completion/completions/qftp"))
        assert os.access(os.path.join(d, "usr/bin/qftp"), os.X_OK)


def exit_status_table():
    doc = open(src("docs", "cli.md")).read()
    table = doc.split("<!-- exit-status:", 1)[1].split("\n", 1)[1].split("<!-- end exit-status -->")[0]
    want = run("--generate-exit-status", check=True).stdout.decode()
    assert table == want, "docs/cli.md's exit-status table is stale: run scripts/update-cli-docs.sh"
    for c in commands():
        assert f"| `qftp {c}` | 0 |" in table, c


case("usage errors", usage_errors)
case("qftp --help: commands and an example per user; -V", top_level_help)
case("qftp help CMD prints exactly qftp CMD --help", help_cmd_is_cmd_help)
case("a mistyped option or command names the closest real one; hints", suggestions)
case("- is standard input (show, import, replay), -w - standard output", standard_input)
case("sim --capture - and replay --record - stream the capture on stdout", streamed_captures)
case("man pages: one per command, rendered by man --warnings without warnings", man_pages)
case("bash completion: commands, options, values, files", completion)
case("cmake --install installs the man pages and the completion", installed)
case("docs/cli.md's exit-status table is the tool's", exit_status_table)
case("colour and NO_COLOR", colour)
case("--redact", redact)
case("JSON contract on BG96 3.1", contract)
done()
