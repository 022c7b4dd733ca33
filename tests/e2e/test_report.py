"""`qftp report` and `qftp show --failures` end to end.

- The verdict of every sample log and capture, as golden text (tests/golden/report/). The
  goldens are reviewed files, each checked against the manuals and the traffic of its
  input: regenerate them only with `python3 tests/e2e/test_report.py --update` and read the
  diff before committing.
- The named cases of issue 12, with the facts a person reading the log states (written
  here by hand from the manuals and the logs, independent of the goldens): the busy 603
  while a close runs, the PDP context deactivated before a 609, a restart in the middle of
  a transfer, a trimmed download, a wrong file name next to the listing.
- Formats (text, Markdown, HTML) and how -o picks them, exit statuses, redaction.
- The HTML's structure (html.parser), its SVG (xmllint), no external resource.
The page rendered by Chromium is test_report_render.py.
"""
import glob
import html.parser
import os
import re
import subprocess
import sys
import tempfile

from qftptest import case, check_golden, done, run, src

UPDATE = "--update" in sys.argv


def inputs():
    return (sorted(glob.glob(src("tests", "logs", "*.log")))
            + sorted(glob.glob(src("tests", "logs", "import", "*.log")))
            + sorted(glob.glob(src("tests", "logs", "import", "*.csv")))
            + sorted(glob.glob(src("tests", "logs", "import", "*.jsonl")))
            + sorted(glob.glob(src("tests", "logs", "report", "*.log")))
            + sorted(glob.glob(src("captures", "*.pcap"))))


def golden_path(path):
    rel = os.path.relpath(path, src())
    group = {"tests/logs": "logs", "tests/logs/import": "import", "tests/logs/report": "report",
             "captures": "captures"}[os.path.dirname(rel)]
    return src("tests", "golden", "report", group, os.path.basename(path) + ".txt")


def report(*args):
    return run("report", "--color", "never", *args)


def verdict_of(text):
    """The verdict section of a text report."""
    m = re.search(r"^VERDICT: .*?(?=^FAILURES IN CONTEXT$|^STATISTICS)", text, re.S | re.M)
    assert m, "no verdict section:\n" + text[:2000]
    return m.group(0).rstrip("\n") + "\n"


def golden(path):
    p = report(path)
    out = p.stdout.decode()
    got = f"exit {p.returncode}\n" + (verdict_of(out) if p.stdout else p.stderr.decode())
    check_golden(golden_path(path), got, UPDATE, "test_report.py --update")

def text_of(path, *args):
    p = report(*args, path)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


# ---- the named cases, facts from the manuals and the logs ----------------------------------------

def busy_and_pdp():
    # qcom-bg96.log: AT+QFTPCLOSE -> OK, the open 412 ms later gets +CME ERROR: 603 (BG96
    # chapter 5: FTP(S) server busy) before +QFTPCLOSE: 0,0 arrives (2.18: the close reports
    # later); the open retried after it succeeds. The download to UFS gets +QFTPGET: 609,0
    # (timeout) 90 s after OK; 15 s into it the network deactivated PDP context 1; the
    # reactivation fails with 561 (TCP/IP manual: open PDP context failed), +CEREG: 0,2 is
    # "not registered, searching" (27.007 10.1.22), +CSQ: 5 is -103 dBm (27.007 8.5).
    rc, out, _ = text_of(src("tests", "logs", "import", "qcom-bg96.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "VERDICT: 2 failures: 1 not recovered, 1 recovered by a retry (3 failed commands in all)" in v, v
    lines = v.splitlines()
    first = next(i for i, l in enumerate(lines) if l.lstrip().startswith("1. "))
    assert "Download of app.bin to UFS:app.bin failed at 09:14:17.602 (#4)" in lines[first], v
    assert "timeout error (+QFTPGET: 609,0)" in lines[first], v
    assert "During it: the network deactivated PDP context 1" in lines[first + 1], v
    assert "+QIURC: \"pdpdeact\",1 at 09:13:02.771, 15.1 s after the command" in lines[first + 1], v
    assert "Then: activation of PDP context 1 (#7) was refused: open PDP context failed (+CME ERROR: 561)" in v, v
    assert "not registered, searching" in v and "+CEREG: 0,2" in v, v
    assert "signal -103 dBm" in v, v
    assert "Login to ftp.example.com:21 was refused at 09:12:40.533 (#2): FTP(S) server busy (+CME ERROR: 603)" in v, v
    assert "Before it: logout (#1) was still running: sent 412 ms before, its outcome came 472 ms after" in v, v
    assert "Recovered: #3 did the same with success." in v, v


def restart_mid_transfer():
    # restart-bg96.log: AT+QFTPGET to UFS -> OK; POWERED DOWN 27.5 s later, RDY: the
    # +QFTPGET URC never comes.
    rc, out, _ = text_of(src("tests", "logs", "import", "restart-bg96.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "Download of big.bin to UFS:big.bin got no outcome at 16:40:31.550 (#2): OK, but no +QFTPGET URC: POWERED DOWN came first" in v, v
    assert "During it: the module powered down" in v, v
    assert "Afterwards: the module started (again)" in v and "(RDY at 16:40:36.904)" in v, v


def trimmed_download():
    # plain-elided-bg96.log: "..." stands for the rest of readme.txt; the log holds 30 bytes
    # ("line one of the file\nline two\n"), +QFTPGET: 0,379 reports 379 (BG96 2.6
    # <transferlen>).
    rc, out, _ = text_of(src("tests", "logs", "import", "plain-elided-bg96.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "VERDICT: 1 failure\n" in v, v
    assert "Download of readme.txt is incomplete (#2): the log holds 30 of the 379 bytes the module reported (+QFTPGET: 0,379): trimmed or lost." in v, v


def wrong_name():
    # The case: app_v2.1.bin asked for, the server holds app_v2.1.0.bin; the 550
    # (BG96 4.4: the file may not exist). The listing after the failure shows the name.
    rc, out, _ = text_of(src("tests", "logs", "report", "wrong-name-listing-after-bg96.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "Download of app_v2.1.bin failed at 10:15:05.611 (#4)" in v, v
    assert "(+QFTPGET: 627,550)" in v, v
    assert "Afterwards: the listing (#5, 3 names) holds app_v2.1.0.bin, app_v2.0.bin, not app_v2.1.bin" in v, v
    # the listing itself is in the report, next to the failure
    ctx = out.split("FAILURES IN CONTEXT", 1)[1].split("STATISTICS", 1)[0]
    assert "| -rw-r--r--    1 ftp      ftp        184320 Nov 30 08:02 app_v2.1.0.bin" in ctx, ctx
    # the PuTTY log of tests/logs/import: the listing came before the download
    rc, out, _ = text_of(src("tests", "logs", "import", "putty-bg96.log"))
    assert "Before it: the listing (#2, 2 names) holds app_v2.1.0.bin, not app_v2.1.bin." in verdict_of(out), out


def server_closed_gsm():
    # GSM 4.5: an idle session gets +QFTPERROR:-421 then -6 (closed by the server); the next
    # AT+QFTPGET answers ERROR; after a new AT+QFTPOPEN the same download succeeds (57 bytes:
    # two lines with CR LF).
    rc, out, _ = text_of(src("tests", "logs", "report", "server-closed-gsm.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "VERDICT: 1 failure, recovered by a retry" in v, v
    assert "Download of today.txt was refused at 11:06:10.003 (#5)" in v, v
    assert "the FTP server can't support service (+QFTPERROR:-421 at 11:05:02.950)" in v, v
    assert "FTP session closed by the FTP server (+QFTPERROR:-6 at 11:05:03.120)" in v, v
    assert "Recovered: #8 did the same with success." in v, v
    assert "1 silence longer than rsptimeout." in v, v


def no_outcome_vs_unfinished():
    # no-urc-bg96.log: AT+QFTPCWD -> OK and no +QFTPCWD URC in the 130 s the log goes on
    # (BG96 2.3: within <timeout>, 90 s by default); the AT+QFTPPWD at the very end has no
    # outcome because the log ends: not a failure.
    rc, out, _ = text_of(src("tests", "logs", "report", "no-urc-bg96.log"))
    assert rc == 1
    v = verdict_of(out)
    assert "Change to folder /logs got no outcome at 12:00:02.004 (#2): OK, but no +QFTPCWD URC within rsptimeout (1 min 30 s)." in v, v
    assert "1 command without an outcome: the log ends (or holds no answer) first." in v, v


def upload_short():
    # upload-short-bg96.log: 27 bytes sent through COM: ("t,kwh\n1,0.51\n2,0.49\n3,0.55\n"
    # as the log's lines), +QFTPPUT: 0,12 reports 12 (BG96 2.5 <transferlen>).
    rc, out, _ = text_of(src("tests", "logs", "report", "upload-short-bg96.log"))
    assert rc == 1
    assert "Upload of meter.csv is incomplete at 13:00:03.400 (#1): the host sent 27 bytes, the module reported 12 (+QFTPPUT: 0,12)." in verdict_of(out), out


def nothing_failed():
    for name in ("manual-bg96-3.5-listings", "manual-gsm-4.4-resume-4.5-close"):
        rc, out, _ = text_of(src("tests", "logs", name + ".log"))
        assert rc == 0, out
        assert verdict_of(out).startswith("VERDICT: nothing failed ("), out
    rc, out, _ = text_of(src("captures", "sim-bg96-commands.pcap"))
    assert rc == 0 and "VERDICT: nothing failed (36 commands, every one with its outcome)" in out, out


def busy_capture():
    # sim-bg96-data-connection.pcap: +CME ERROR: 615 (open data connection failed), then the
    # next FTP command gets 603 (device-quirks.md: until AT+QFTPCLOSE).
    rc, out, _ = text_of(src("captures", "sim-bg96-data-connection.pcap"))
    v = verdict_of(out)
    assert rc == 1
    assert "the data connection of #9 could not be opened (615): the module answers 603 to every FTP command until AT+QFTPCLOSE" in v, v


# ---- formats, exit statuses, redaction ---------------------------------------------------------

QCOM = src("tests", "logs", "import", "qcom-bg96.log")
SECRET_LOG = src("tests", "logs", "report", "wrong-name-listing-after-bg96.log")


def formats_from_extension():
    with tempfile.TemporaryDirectory() as d:
        for name, head in (("r.html", "<!DOCTYPE html>"), ("r.htm", "<!DOCTYPE html>"),
                           ("r.md", "## qftp report: `"), ("r.markdown", "## qftp report: `"),
                           ("r.txt", "qftp report: "), ("R.HTML", "<!DOCTYPE html>")):
            out = os.path.join(d, name)
            p = report(QCOM, "-o", out)
            assert p.returncode == 1, p.stderr
            assert p.stdout == b"", "-o writes nothing to standard output"
            assert open(out).read().startswith(head), name
            assert oct(os.stat(out).st_mode & 0o777) != "0o600", "a report is as readable as any new file"
        # --format beats the extension; an unknown extension needs --format
        out = os.path.join(d, "x.report")
        p = report(QCOM, "-o", out)
        assert p.returncode == 2 and b"--format" in p.stderr and not os.path.exists(out), p.stderr
        p = report(QCOM, "-o", out, "--format", "md")
        assert p.returncode == 1 and open(out).read().startswith("## qftp report")
        # nothing but the report is left in the folder
        assert sorted(os.listdir(d)) == sorted(["r.html", "r.htm", "r.md", "r.markdown", "r.txt",
                                               "R.HTML", "x.report"]), os.listdir(d)
    p = report(QCOM)
    assert p.stdout.decode().startswith("qftp report: "), "text by default"
    p = report("--format", "pdf", QCOM)
    assert p.returncode == 2 and b"html" in p.stderr
    # the log's layout is --input-format here (--format is the report's)
    p = report("--format", "md", "--input-format", "timestamped", QCOM)
    assert p.returncode == 1 and p.stdout.startswith(b"## qftp report")
    p = report("--input-format", "teraterm", QCOM)
    assert p.returncode == 2 and b"--input-format teraterm: expected auto, plain" in p.stderr, p.stderr


def markdown():
    p = report("--format", "md", QCOM)
    md = p.stdout.decode()
    assert p.returncode == 1
    assert "\n### Verdict: 2 failures: 1 not recovered, 1 recovered by a retry" in md, md
    assert "\n1. **Download of app.bin to UFS:app.bin failed at 09:14:17.602 (#4)" in md, md
    assert "\n### Failures in context\n" in md and "\n```text\n" in md
    assert md.count("```") % 2 == 0, "code fences closed"
    # response times per command from the log's times: the two opens answered in 3 ms
    # (+CME ERROR: 603 at 40.533 for 40.530) and 1.597 s (+QFTPOPEN: 0,0 at 44.907 for 43.310)
    assert "| command | ok | failed | no outcome | p50 | p90 | p99 | max |" in md
    assert "| `AT+QFTPOPEN` | 1 | 1 | 0 | 3 ms | 1.60 s | 1.60 s | 1.60 s |" in md, md
    assert "TRANSCRIPT" not in md and "#5   AT+QIACT?" not in md, "no whole transcript in a ticket"


def exit_statuses():
    rc, out, err = text_of(src("tests", "logs", "manual-bg96-3.1-login.log"))
    assert rc == 0
    rc, out, err = text_of(src("tests", "logs", "nonexistent.log"))
    assert rc == 2 and out == "" and "nonexistent.log" in err
    rc, out, err = text_of(src("tests", "logs", "import", "bad-not-at-traffic.log"))
    assert rc == 2 and "no AT command" in err, err
    with tempfile.TemporaryDirectory() as d:
        # a capture cut in the middle of a frame: reported up to there, status 2
        data = open(src("captures", "sim-bg96-no-such-file.pcap"), "rb").read()
        cut = os.path.join(d, "cut.pcap")
        open(cut, "wb").write(data[: len(data) * 2 // 3])
        rc, out, err = text_of(cut)
        assert rc == 2 and "reported up to there" in err, err
        assert "VERDICT:" in out and "The input is damaged" not in out
        assert "the input is damaged" in out, out
        # -o into a folder that does not exist: status 2, nothing written
        rc, out, err = text_of(QCOM, "-o", os.path.join(d, "no", "r.html"))
        assert rc == 2 and "cannot write" in err, err
    rc, out, err = text_of(QCOM, "--gap", "0")
    assert rc == 2 and "--gap" in err


def redaction():
    # the whole transcript (text, HTML) holds AT+QFTPCFG="account",...; Markdown holds only
    # the failures, so it never shows the line, masked or not
    for fmt in ("text", "md", "html"):
        p = report("--format", fmt, SECRET_LOG)
        assert b"S3cret!pw" not in p.stdout, fmt
        assert b"passwords masked" in p.stdout, fmt
        if fmt != "md":
            assert b'"fwuser","****"' in p.stdout or b"&quot;fwuser&quot;,&quot;****&quot;" in p.stdout, fmt
        p = report("--format", fmt, "--no-redact", SECRET_LOG)
        assert (b"S3cret!pw" in p.stdout) == (fmt != "md"), fmt
        assert b"NOT masked" in p.stdout, fmt


# ---- HTML structure --------------------------------------------------------------------------------

VOID = {"meta", "br", "hr", "img", "input", "link", "col", "wbr", "source", "area", "base"}


class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.ids, self.errors, self.tags = [], set(), [], []
        self.hrefs, self.svg = [], 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a, [t for t, _ in self.stack]))
        if "id" in a:
            if a["id"] in self.ids:
                self.errors.append(f"duplicate id {a['id']}")
            self.ids.add(a["id"])
        for k in ("href", "src", "xlink:href"):
            if k in a:
                self.hrefs.append(a[k])
        if tag == "svg":
            self.svg += 1
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs), [t for t, _ in self.stack]))

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1][0] != tag:
            self.errors.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def html_structure():
    p = report("--format", "html", QCOM)
    page = p.stdout.decode()
    assert page.startswith("<!DOCTYPE html>\n<html lang=\"en\">")
    parser = Page()
    parser.feed(page)
    parser.close()
    assert not parser.errors, parser.errors[:5]
    assert not parser.stack, f"unclosed: {parser.stack[:5]}"
    for sec in ("verdict", "failures", "timeline", "stats", "transcript"):
        assert sec in parser.ids, sec
    # the order: verdict first, the transcript last
    assert page.index('id="verdict"') < page.index('id="failures"') < page.index('id="timeline"') \
        < page.index('id="stats"') < page.index('id="transcript"')
    # the transcript folded; each transaction has its anchor there
    det = [t for t in parser.tags if t[0] == "details"]
    assert len(det) == 1 and "section" in det[0][2]
    for i in range(1, 10):
        assert f"t{i}" in parser.ids, i
    # links go to anchors of the page, nothing is fetched
    assert parser.hrefs and all(h.startswith("#") and h[1:] in parser.ids for h in parser.hrefs), parser.hrefs
    assert "<script" not in page and "<link" not in page and "@import" not in page and "url(http" not in page
    assert not re.search(r"(?:src|href)\s*=\s*\"(?:https?:)?//", page)
    assert parser.svg == 1


def svg_valid():
    p = report("--format", "html", QCOM)
    page = p.stdout.decode()
    svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
    with tempfile.TemporaryDirectory() as d:
        f = os.path.join(d, "timeline.svg")
        open(f, "w").write('<?xml version="1.0" encoding="UTF-8"?>\n' + svg)
        x = subprocess.run(["xmllint", "--noout", f], capture_output=True)
        assert x.returncode == 0, x.stderr.decode()
        # its structure: the SVG namespace, one bar (a <g> with a <title>) per command
        x = subprocess.run(["xmllint", "--xpath",
                            "count(//*[local-name()='g'][*[local-name()='title'] and "
                            "*[local-name()='rect' and @rx]])", f], capture_output=True)
        assert x.returncode == 0 and x.stdout.strip() == b"9", (x.stdout, x.stderr)
        x = subprocess.run(["xmllint", "--xpath", "namespace-uri(/*)", f], capture_output=True)
        assert x.stdout.strip() == b"http://www.w3.org/2000/svg", x.stdout
    # failures are marked: the 603, the 609 and the 561 (three crosses); the pdpdeact line
    assert svg.count('stroke="#8a0f0f"') == 3, svg.count('stroke="#8a0f0f"')
    assert "+QIURC: &quot;pdpdeact&quot;,1" in svg
    # every number in the drawing is finite and inside the picture
    for v in re.findall(r' (?:x|y|width|height|x1|x2|y1|y2|cx|cy)="([^"]+)"', svg):
        f = float(v)
        assert 0 <= f <= 1000, v


def svg_hostile_bytes():
    # bytes that are not UTF-8 and control characters in a log stay well-formed XML
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "bad.log")
        with open(log, "wb") as f:
            f.write(b"AT+QFTPGET=\"\xff\xfe<&>\x01.bin\",\"COM:\"\r\n+CME ERROR: 627\r\n"
                    b"AT+QFTPCWD=\"]]>\"\r\nOK\r\n\r\n+QFTPCWD: 0,0\r\n")
        p = report("--format", "html", log)
        page = p.stdout.decode()
        svg = re.search(r"<svg .*?</svg>", page, re.S).group(0)
        f = os.path.join(d, "t.svg")
        open(f, "w").write(svg)
        x = subprocess.run(["xmllint", "--noout", f], capture_output=True)
        assert x.returncode == 0, x.stderr.decode()
        parser = Page()
        parser.feed(page)
        assert not parser.errors and not parser.stack, parser.errors


def bounded_lists():
    # A log of made-up commands (line noise, a script gone wrong) names thousands of them and
    # thousands of codes: the statistics keep REP_CMDS_MAX - 1 = 63 rows and one "(others)",
    # the lists name 40 codes and count the rest, codes past 1024 are counted together, and
    # the timeline draws at most 20000 + 20000 commands (cli/report.h).
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "many.log")
        with open(log, "w") as f:
            for k in range(1, 1101):
                f.write(f"AT+XQ{k}\r\n+CME ERROR: {k}\r\n")
        rc, out, _ = text_of(log)
        assert rc == 1
        stats = out[out.index("STATISTICS"):out.index("TRANSCRIPT")]
        rows = re.findall(r"^  (\+XQ\d+|\(others\)) +(\d+) +(\d+) ", stats, re.M)
        assert [r[0] for r in rows] == [f"+XQ{k}" for k in range(1, 64)] + ["(others)"], rows
        assert rows[-1][1:] == ("0", str(1100 - 63)), rows[-1]
        assert "(others): the commands after the first 63 named, together" in stats
        listed = re.findall(r"^ +1 x \+CME ERROR \d+", stats, re.M)
        assert len(listed) == 40, len(listed)
        assert ("and 984 more codes (984 failures); 76 failures of codes past the first 1024"
                in stats), stats[-800:]
        assert "; 76 failures of codes past the first 1024." in verdict_of(out)
        p = report("--format", "md", log)
        assert "| (others) | 0 | 1037 |" in p.stdout.decode()
        p = report("--format", "html", log)
        page = p.stdout.decode()
        assert "<tr><td>(others)</td>" in page and "<li>and 984 more codes" in page
        # the timeline: 40100 failed commands, 40000 drawn
        with open(log, "w") as f:
            f.write("AT+QFTPCWD=\"/x\"\r\n+CME ERROR: 601\r\n" * 40100)
        p = report("--format", "html", log)
        page = p.stdout.decode()
        assert "<p>100 failed commands after the first 40000 commands drawn are not drawn.</p>" in page
        drawn = re.findall(r"<title>#(\d+)", page)
        assert len(drawn) == 40000 and drawn[-1] == "40000", (len(drawn), drawn[-1:])


def session_notes():
    # Notes of no transaction reach the transcript in their place: a command line over the
    # parser's 65536-byte cap (docs/limits.md) and the OK that then has no command waiting
    # for it (V.250: a result code answers a command line). A log whose only command line
    # was over the cap says why it holds no command.
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "long.log")
        with open(log, "w") as f:
            f.write("AT" + ";+QFTPSTAT" * 8000 + "\r\nOK\r\n")
        rc, out, err = text_of(log)
        assert rc == 2, rc
        transcript = out[out.index("TRANSCRIPT"):]
        i = transcript.index("warn: host line of 80002 bytes is longer than the 65536-byte cap")
        assert i < transcript.index("warn: final result OK with no command waiting for it")
        assert ("no AT command in the input (a host line longer than the line cap was skipped: "
                "see the transcript)") in err, err


# ---- show --failures, show --json -------------------------------------------------------------------

def show_failures():
    p = run("show", "--failures", "--color", "never", QCOM)
    out = p.stdout.decode()
    assert p.returncode == 0
    shown = re.findall(r"^#(\d+) ", out, re.M)
    assert shown == ["2", "4", "7"], shown
    assert "Before it: logout (#1) was still running" in out
    assert "During it: the network deactivated PDP context 1" in out
    assert "\nUnsolicited\n" not in out
    # the summary counts a trimmed download as a failure
    p = run("show", "--color", "never", src("tests", "logs", "import", "plain-elided-bg96.log"))
    assert "commands: 4 (3 succeeded, 1 failed, 0 without an outcome)" in p.stdout.decode(), p.stdout.decode()
    p = run("show", "--failures", "--color", "never", src("tests", "logs", "manual-bg96-3.1-login.log"))
    assert "No failure." in p.stdout.decode() and not re.search(r"^#\d", p.stdout.decode(), re.M)


def show_json():
    import json
    d = json.loads(run("show", "--json", QCOM).stdout)
    t = d["transactions"]
    assert [x["ok"] for x in t] == [True, False, True, False, True, True, False, True, True]
    assert t[3]["description"] == "download of app.bin to UFS:app.bin"
    assert t[3]["verdict"] == "failed" and t[3]["outcome"] == "timeout error (+QFTPGET: 609,0)"
    # the log has dates: absolute times, as the log gives them
    assert t[3]["time_sent"] == "2026-11-30T09:12:47.650000"
    assert t[3]["time_final"] == "2026-11-30T09:12:47.654000"
    assert t[3]["time_done"] == "2026-11-30T09:14:17.602000"
    c = t[3]["causes"][0]
    assert c["kind"] == "context" and c["when"] == "during" and c["context"] == "pdp_deactivated"
    assert c["time"] == "2026-11-30T09:13:02.771000" and c["line"] == '+QIURC: "pdpdeact",1'
    assert t[1]["causes"][0]["kind"] == "busy" and t[1]["causes"][0]["index"] == 1
    assert t[0]["causes"] == [] and t[0]["outcome"] == "success"
    v = d["verdict"]
    assert v["ok"] is False and v["failed"] == 3 and v["unfinished"] == 0
    assert [(f["index"], f["recovered_by"], f["follows"]) for f in v["failures"]] == [(2, 3, None), (4, None, None), (7, None, 4)]
    # a log without times: no absolute time
    d = json.loads(run("show", "--json", src("tests", "logs", "import", "plain-elided-bg96.log")).stdout)
    assert all(x["time_sent"] is None for x in d["transactions"])
    assert d["transactions"][1]["verdict"] == "incomplete" and d["transactions"][1]["ok"] is False
    # --failures with --json: only the failed transactions
    d = json.loads(run("show", "--json", "--failures", QCOM).stdout)
    assert [x["index"] for x in d["transactions"]] == [2, 4, 7]


def lazy_words_match(paths):
    """show's transcript computes a command's words only when a failure's chain names it
    (the verdict's failure_words_only); --json computes them for every transaction. The
    chains must read the same: each cause's text of --json is in the --failures transcript."""
    import json
    checked = 0
    for path in paths:
        p = run("show", "--json", "--failures", path)
        if not p.stdout.strip():
            continue  # nothing decodes (the inputs that say so)
        d = json.loads(p.stdout)
        text = run("show", "--failures", "--color", "never", path).stdout.decode()
        flat = " ".join(text.split())
        for t in d["transactions"]:
            for c in t["causes"]:
                words = " ".join(c["text"].split())
                assert words in flat, (path, t["index"], words)
                checked += c["kind"] in ("busy", "closed")
    assert checked >= 5, checked  # chains that name an earlier command by its words


for path in inputs():
    case(f"verdict {os.path.relpath(path, src())}", golden, path)
if not UPDATE:
    case("busy 603 and PDP deactivation before 609 (qcom-bg96.log)", busy_and_pdp)
    case("restart in the middle of a transfer", restart_mid_transfer)
    case("trimmed download", trimmed_download)
    case("wrong file name next to the listing", wrong_name)
    case("GSM: the server closed the session", server_closed_gsm)
    case("no outcome within rsptimeout vs the log ending", no_outcome_vs_unfinished)
    case("short upload", upload_short)
    case("615 then 603 (capture)", busy_capture)
    case("nothing failed", nothing_failed)
    case("-o picks the format from the extension; --format", formats_from_extension)
    case("Markdown for tickets", markdown)
    case("exit statuses", exit_statuses)
    case("credentials masked unless --no-redact", redaction)
    case("show's chains name earlier commands as --json does (words computed when named)",
         lazy_words_match, inputs())
    case("HTML structure, nothing external", html_structure)
    case("SVG timeline well-formed (xmllint)", svg_valid)
    case("hostile bytes stay well-formed", svg_hostile_bytes)
    case("thousands of commands and codes: bounded lists", bounded_lists)
    case("notes of no transaction in the transcript", session_notes)
    case("show --failures", show_failures)
    case("show --json: description, verdict, outcome, times, causes", show_json)
done()
