"""What a Wireshark user sees (issue 13), through sharkd, the engine the GUI drives (one
first pass, then each frame, column and statistic asked for as the GUI asks): the
Source and Destination columns, the Info column (commands as typed, outcomes in words,
complete frames), command lines with non-ASCII bytes, the dialect labels before the
dialect is known, statistics, Export Objects. Runs on every Wireshark version of the
matrix (scripts/test-wireshark.sh)."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done, src  # noqa: E402
import qftp_ws as W  # noqa: E402

t = W.Tshark()
TX, RX = W.TX, W.RX


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def cap(name, frames):
    p = os.path.join(t.tmp, name)
    W.write_capture(p, frames)
    return p


# Every capture of these tests in one file (one session each): one sharkd session and a
# few tshark runs for all of them.
bg_frames, F = W.bg96_session()
gsm_frames, G = W.gsm_session()
lower = W.Builder()
lower.add(TX, b"at+qftpstat;+qftplen\r")
lower.add(RX, b"\r\n+QFTPSTAT: 0,1\r\n\r\n+QFTPLEN: 0,10\r\n\r\nOK\r\n")
# A command line holding bytes that are not ASCII: a UTF-8 ellipsis pasted by a customer,
# a Latin-1 e.
nonascii = W.Builder()
nonascii.add(TX, b'AT+QFTPPUT="r\xe2\x80\xa6port.txt","COM:",0,5\r')
nonascii.add(RX, b"\r\nCONNECT\r\n")
nonascii.add(TX, b"hello")
nonascii.add(RX, b"\r\nOK\r\n")
nonascii.add(RX, b"\r\n+QFTPPUT: 0,5\r\n")
nonascii.add(TX, b'AT+QFTPDEL="caf\xe9.txt"\r')
nonascii.add(RX, b"\r\nOK\r\n")
nonascii.add(RX, b"\r\n+QFTPDEL: 0,0\r\n")
# +QFTPSTAT before anything tells the dialect; BG96 2.17 answers 0,4 (closed), then a
# command of BG96 2.1 only.
dialect = W.Builder()
dialect.add(TX, b"AT+QFTPSTAT\r")
dialect.add(RX, b"\r\n+QFTPSTAT: 0,4\r\n\r\nOK\r\n")
dialect.add(TX, b'AT+QFTPCFG="contextid",1\r')
dialect.add(RX, b"\r\nOK\r\n")
MAN37 = t.file(src("captures", "manual-bg96-3.7-3.8-download-logout.pcap"))
MAN44 = t.file(src("captures", "manual-gsm-4.4-resume-4.5-close.pcap"))
PARTS = {"bg": cap("bg96.pcap", bg_frames), "gsm": cap("gsm.pcap", gsm_frames),
         "lower": cap("lower.pcap", lower.frames), "nonascii": cap("nonascii.pcap", nonascii.frames),
         "dialect": cap("dialect.pcap", dialect.frames), "man37": MAN37, "man44": MAN44}
M = W.Merged(t, list(PARTS.values()) + W.sample_captures(t), "gui.pcapng")
IDX = {k: i for i, k in enumerate(PARTS)}
GUI = {}


def gui():
    """What the GUI shows of the merged file: the packet list, Export Objects, the trees
    of a few frames (one sharkd session)."""
    if not GUI:
        with t.sharkd_session(M.path) as sk:
            GUI["cols"] = sk.columns()
            GUI["eo"] = sk.request("tap", {"tap0": "eo:qftp"})["taps"][0]["objects"]
            GUI["tree1"] = {k: sk.tree(at("dialect", 1)) for k in ("dialect",)}
            for k in ("bg", "man37"):
                sk.load(PARTS[k])
                GUI["stats", k] = sk.request("tap", {"tap0": "stat:qftp"})["taps"][0]["stats"]
    return GUI


def at(part, n):
    """Frame n of capture `part` in the merged file."""
    return M.bases[IDX[part]] + n


def cols(part):
    c = gui()["cols"]
    base = M.bases[IDX[part]]
    end = M.bases[IDX[part] + 1] if IDX[part] + 1 < len(M.bases) else M.total
    return {n - base: c[n] for n in range(base + 1, end + 1)}


FIELDS = ["qftp.cmd", "qftp.file_name", "qftp.line", "_ws.malformed", "qftp.urc",
          "qftp.response_in", "qftp.done_in", "qftp.cmd.summary", "qftp.dialect"]
TWO = {}


def two(part):
    if not TWO:
        per = M.split_rows(t.fields(M.path, FIELDS), t.fields_of_type("FT_FRAMENUM"))
        TWO.update({k: per[i] for k, i in IDX.items()})
    return TWO[part]


def test_source_destination():
    c = cols("bg")
    eq((c[F["open"]]["Source"], c[F["open"]]["Destination"]), ("host", "module"), "command")
    eq((c[F["open_ok"]]["Source"], c[F["open_ok"]]["Destination"]), ("module", "host"), "result")
    for n, row in c.items():
        assert row["Source"] in ("host", "module") and row["Destination"] != row["Source"], (n, row)


def test_info_as_typed():
    c = cols("bg")
    # the command as the host typed it, then its final result
    eq(c[F["cfg"]]["Info"], 'AT+QFTPCFG="account","test","secret" \u2192 OK', "cfg")
    eq(c[F["open"]]["Info"], 'AT+QFTPOPEN="quectel.3322.org",21 \u2192 OK', "open")
    eq(c[F["close"]]["Info"], "AT+QFTPCLOSE \u2192 OK", "close")
    eq(cols("lower")[1]["Info"], "at+qftpstat;+qftplen \u2192 OK", "lower case and chained, as typed")


def test_outcomes_in_words():
    c = cols("bg")
    eq(c[F["open_urc"]]["Info"], "+QFTPOPEN: 0,0 success", "success URC")  # BG96 chapter 5: 0
    assert c[F["size_urc"]]["Info"].startswith("+QFTPSIZE: 627,550 requested action not taken"), \
        c[F["size_urc"]]
    eq(cols("gsm")[G["open_urc"]]["Info"], "+QFTPOPEN:0 success", "GSM success URC")


def test_complete_frames():
    """A frame that holds a complete \\r\\nOK\\r\\n (after a download, which the module's
    parser can only tell from the payload when the URC follows) shows the OK, and the
    links point at it; no frame says a line continues unless one does."""
    assert "OK (AT+QFTPGET)" in cols("bg")[F["get_data2"]]["Info"], cols("bg")[F["get_data2"]]
    eq(cols("man37")[26]["Info"], "Data mode ends (urc, 1000 bytes); OK (AT+QFTPGET)",
       "BG96 3.7 frame 26")
    eq(two("man37")[23]["qftp.response_in"], ["26"], "the command's response: the frame with the OK")
    for n, row in gui()["cols"].items():
        assert "(line continues)" not in row["Info"], (os.path.basename(M.paths[M.which(n)[0]]), n, row)


def test_non_ascii_command():
    """A command line holding bytes that are not ASCII is decoded like any other, its
    bytes shown escaped, never a Malformed Packet."""
    r = two("nonascii")
    for n in r:
        eq(r[n]["_ws.malformed"], [], f"frame {n} not malformed")
    eq(r[1]["qftp.cmd"], ["+QFTPPUT"], "command")
    eq(r[1]["qftp.file_name"], ["r\\xe2\\x80\\xa6port.txt"], "file name, bytes escaped")
    eq(r[6]["qftp.file_name"], ["caf\\xe9.txt"], "Latin-1 byte escaped")
    eq(r[8]["qftp.urc"], ["+QFTPDEL"], "decoding goes on")
    eq(cols("nonascii")[1]["Info"], 'AT+QFTPPUT="r\\xe2\\x80\\xa6port.txt","COM:",0,5 \u2192 OK',
       "Info")


def test_dialect_labels():
    """+QFTPSTAT exists in both manuals with different words. Sent before anything told
    the dialect, it is labelled by the dialect found later in a two-pass view (the GUI
    after loading, tshark -2), and with both wordings in a single pass."""
    r = two("dialect")
    eq(r[1]["qftp.dialect"], ["2"], "two passes: bg96 from the start")
    eq(r[1]["qftp.cmd.summary"], ["Get the Status of FTP(S) Server"], "two passes: BG96 2.17 words")
    tree = t.run("-r", PARTS["dialect"], "-V", "-O", "qftp").stdout.decode()
    first = tree.split("Frame 2:")[0]
    assert "[Dialect: unknown (0)]" in first, first
    assert "Query status of FTP service" in first and "Get the Status of FTP(S) Server" in first, first
    assert "the dialect is not known yet" in first, first
    # names, not numbers: BG96 2.17 <ftpstat> 4 is "the FTP(S) server is closed"
    assert "Value: 4 (CLOSED)" in tree.split("Frame 2:")[1], tree
    text = "\n".join(l for node in gui()["tree1"]["dialect"] if node.get("f") == "qftp"
                     for l in W.sharkd_text(node))
    assert "Get the Status of FTP(S) Server (bg96 manual 2.17)" in text, text
    assert "Query status" not in text, text


def test_export_objects():
    """Export Objects as the GUI lists it: the hostname column names the FTP server of
    the open, the content type follows the file name, and the pieces of a resumed
    transfer are named as parts of one file (GSM manual 4.4, BG96 <startpos>)."""
    def objs(part):
        lo, hi = at(part, 0), at(part, 0) + len(cols(part))
        return [o for o in gui()["eo"] if lo < o["pkt"] <= hi]

    o = objs("man44")
    eq([x["filename"] for x in o],
       ["sscom.ini [bytes 0-1586]", "sscom.ini [bytes 1587-3586]", "sscom.ini [bytes 1587-3586]"],
       "GSM 4.4: upload in two parts, download from the resuming point")
    eq({x["hostname"] for x in o}, {"quectel.3322.org"}, "hostname from AT+QFTPOPEN")
    eq({x["type"] for x in o}, {"text/plain"}, "content type of .ini")
    eq([x["len"] for x in o], [1587, 2000, 2000], "sizes")
    names = [x["filename"] for x in objs("man37")]
    # BG96 3.7: test.txt downloaded from <startpos> 0 and 500, 500 bytes each
    assert "test.txt [bytes 0-499]" in names and "test.txt [bytes 500-999]" in names, names
    b = objs("bg")
    eq([(x["filename"], x["hostname"], x["type"]) for x in b],
       [("test.txt", "quectel.3322.org", "text/plain"), ("up.txt", "quectel.3322.org", "text/plain")],
       "BG96 session")


def stat_nodes(nodes, path=()):
    """{path of names: count} of a stats tree."""
    out = {}
    for n in nodes:
        p = path + (n["name"],)
        out[p] = n["count"]
        out.update(stat_nodes(n.get("sub", []), p))
    return out


def test_statistics():
    """Statistics > QFTP > Commands and results: each command's outcomes under it, the
    FTP reply codes, and no node for what the capture does not hold."""
    s = stat_nodes(gui()["stats", "bg"])
    cmds = "Commands and their outcomes"
    eq(s[(cmds, "AT+QFTPOPEN")], 2, "two opens")
    eq(s[(cmds, "AT+QFTPOPEN", "success")], 1, "open: success")  # +QFTPOPEN: 0,0
    # the failures as the core words them for qftp show too (qftp_txn_describe)
    eq(s[(cmds, "AT+QFTPOPEN", "+CME ERROR 603 (FTP(S) server busy)")], 1, "open: 603")  # BG96 ch. 5
    size = [k for k in s if k[:2] == (cmds, "AT+QFTPSIZE") and len(k) == 3]
    assert len(size) == 1 and size[0][2].startswith("+QFTPSIZE 627,550 (requested action not taken"), size
    eq(s[(cmds, "AT+QFTPCLOSE", "no completion URC by the end of the capture")], 1, "close: no URC")
    eq(s[("FTP reply codes", "550 requested action not taken: file unavailable")], 1, "RFC 959 550")
    eq(s[("+CME ERROR codes", "603 FTP(S) server busy")], 2, "603 twice")
    eq(s[(cmds,)], 10, "commands counted once each")
    m = stat_nodes(gui()["stats", "man37"])
    assert not any(k[0] == "+CME ERROR codes" for k in m), m  # none in BG96 3.7
    assert not any(k[0] == "FTP reply codes" for k in m), m


def test_expert_info():
    """Expert Info speaks Wireshark's language: every entry has a summary of its own (the
    dialog groups by it; none is just "Note" or "Warning"), generated from the core's
    table of entries, and no message points to a command-line option."""
    entries = {l.split("\t")[2]: l.split("\t")[1] for l in t._field_list()
               if l.startswith("F\t") and l.split("\t")[2].startswith("qftp.expert.")}
    assert len(entries) >= 15, entries
    for name, summary in entries.items():
        assert summary not in ("Note", "Warning", "Error", "Info"), (name, summary)
    out = t.run("-r", M.path, "-2", "-q", "-z", "expert").stdout.decode()
    assert "redact" not in out, out[:3000]
    assert "FTP password sent in clear" in out, out[:3000]


def hexcolour(rule):
    """'#rrggbb' of a colorfilters rule's background (16-bit r,g,b)."""
    r, g, b = (int(x) >> 8 for x in rule.split("@")[3][1:].split("]")[0].split(","))
    return f"#{r:02x}{g:02x}{b:02x}"


def test_colouring_rules():
    """The shipped colouring rules (profile QFTP, dissector/profile/colorfilters): they
    compile on this version and colour errors, busy, data mode, missing results."""
    rules = {}
    with open(src("dissector", "profile", "colorfilters")) as fh:
        for line in fh:
            if line.startswith("@"):
                rules[line.split("@")[1]] = hexcolour(line)
    prof = os.path.join(t.home, ".config", "wireshark", "profiles", "QFTP")
    os.makedirs(prof, exist_ok=True)
    with open(os.path.join(prof, "colorfilters"), "w") as fh:
        fh.write(open(src("dissector", "profile", "colorfilters")).read())
    for d in (os.path.join(t.home, ".config"), os.path.join(t.home, ".config", "wireshark"),
              os.path.join(t.home, ".config", "wireshark", "profiles"), prof):
        os.chmod(d, 0o777)
    p = t.run("-r", PARTS["bg"], "-2", "-C", "QFTP", "--color", "-T", "psml")
    err = p.stderr.decode()
    assert "olor" not in err and "filter" not in err, err  # every rule compiles
    bg = {}
    for chunk in p.stdout.decode().split("<packet ")[1:]:
        n = int(chunk.split("<section>")[1].split("<")[0])
        bg[n] = chunk.split("background='")[1].split("'")[0]
    eq(bg[F["cwd_err"]], rules["QFTP busy"], "+CME ERROR: 603 (BG96: server busy)")
    eq(bg[F["size_urc"]], rules["QFTP error"], "+QFTPSIZE: 627,550")
    eq(bg[F["unknown"] + 1], rules["QFTP error"], "ERROR")
    eq(bg[F["get_data1"]], rules["QFTP data mode"], "download payload")
    eq(bg[F["put_data"]], rules["QFTP data mode"], "upload payload")
    eq(bg[F["close"]], rules["QFTP no result"], "AT+QFTPCLOSE without its URC")
    eq(bg[F["open"]], rules["QFTP"], "an ordinary command")


case("Source and Destination columns: host and module", test_source_destination)
case("Info: commands as typed (case, chained), final result after them", test_info_as_typed)
case("Info: completion URCs in words, success too", test_outcomes_in_words)
case("complete frames: OK shown where its bytes are, no false 'continues'", test_complete_frames)
case("non-ASCII command line decoded, bytes escaped, not Malformed", test_non_ascii_command)
case("dialect labels before detection: two-pass by the dialect found, one pass both",
     test_dialect_labels)
case("Expert Info: an own summary per entry, no command-line hints", test_expert_info)
case("colouring rules: compile, colour errors, busy, data mode, missing results",
     test_colouring_rules)
case("Statistics: outcomes per command, FTP reply codes, no empty nodes", test_statistics)
case("Export Objects: server hostname, content type, parts of resumed transfers", test_export_objects)
t.cleanup()
done()
