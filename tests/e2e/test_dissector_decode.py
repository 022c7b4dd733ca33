"""The Wireshark plugin with real tshark: decoded values checked against the manuals,
links, expert info, Info column, random access, export objects, statistics, and
agreement with `qftp show --json` on every capture under captures/ and tests/.
Captures that can be read together are merged into one pcapng file (one interface,
hence one session, each; qftp_ws.Merged): tshark's start-up is what costs."""
import json
import os
import random
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "dissector", "testlib"))

from qftptest import case, done, run  # noqa: E402
import qftp_ws as W  # noqa: E402

t = W.Tshark()
bg_frames, F = W.bg96_session()
BG = os.path.join(t.tmp, "bg96.pcap")
W.write_capture(BG, bg_frames)
gsm_frames, G = W.gsm_session()
GSM = os.path.join(t.tmp, "gsm.pcap")
W.write_capture(GSM, gsm_frames)
NODIR = os.path.join(t.tmp, "bg96_nodir.pcap")
W.write_capture(NODIR, bg_frames, with_dir=False)

FIELDS = ["qftp.cmd", "qftp.cmd.type", "qftp.param", "qftp.final", "qftp.cme_error", "qftp.urc",
          "qftp.err", "qftp.protocol_error", "qftp.value", "qftp.data.len", "qftp.response_in",
          "qftp.request_in", "qftp.done_in", "qftp.dialect", "qftp.state", "qftp.hostname",
          "qftp.port", "qftp.file_name", "qftp.local_name", "qftp.listing.line",
          "qftp.continued_in", "qftp.cmd.known", "_ws.col.Info", "_ws.expert.message",
          "qftp.time", "qftp.done_time"]


def eq(a, b, what=""):
    if a != b:
        raise AssertionError(f"{what}: {a!r} != {b!r}")


def test_registered():
    listing = t._field_list()
    assert any(l.split("\t")[2:3] == ["qftp"] for l in listing if l.startswith("P\t")), "qftp not registered"
    fields = "\n".join(listing) + "\n"
    for f in ("qftp.cmd", "qftp.cmd.type", "qftp.param", "qftp.final", "qftp.cme_error",
              "qftp.urc", "qftp.err", "qftp.protocol_error", "qftp.value", "qftp.data",
              "qftp.data.len", "qftp.response_in", "qftp.request_in", "qftp.done_in",
              "qftp.time", "qftp.done_time", "qftp.dialect", "qftp.state", "qftp.hostname",
              "qftp.port", "qftp.file_name", "qftp.local_name"):
        assert f"\t{f}\t" in fields, f"field {f} missing"
    # the contract's types
    types = {l.split("\t")[2]: l.split("\t")[3] for l in listing
             if l.startswith("F\t") and "\tqftp." in l}
    for f, ty in (("qftp.cmd", "FT_STRING"), ("qftp.cmd.type", "FT_UINT8"),
                  ("qftp.cme_error", "FT_UINT32"), ("qftp.err", "FT_INT32"),
                  ("qftp.protocol_error", "FT_UINT16"), ("qftp.data", "FT_BYTES"),
                  ("qftp.data.len", "FT_UINT32"), ("qftp.response_in", "FT_FRAMENUM"),
                  ("qftp.time", "FT_RELATIVE_TIME"), ("qftp.dialect", "FT_UINT8"),
                  ("qftp.state", "FT_UINT8")):
        eq(types.get(f), ty, f)


R = {}
# The BG96 session, the same without direction tags, and the GSM session: one run.
SESSIONS = None


def sessions():
    global SESSIONS
    if SESSIONS is None:
        m = W.Merged(t, [t.file(BG), t.file(NODIR), t.file(GSM)], "sessions.pcapng")
        fl = FIELDS + ["qftp.direction"]
        SESSIONS = m.split_rows(t.fields(m.path, fl), t.fields_of_type("FT_FRAMENUM"))
    return SESSIONS


def rows():
    if not R:
        R.update(sessions()[0])
    return R


def test_bg96_commands():
    r = rows()
    f = r[F["open"]]
    eq(f["qftp.cmd"], ["+QFTPOPEN"], "cmd")
    eq(f["qftp.cmd.type"], ["3"], "write form")  # qftp_cmd_type WRITE
    eq(f["qftp.hostname"], ["quectel.3322.org"], "hostname")  # BG96 2.2 <hostname>
    eq(f["qftp.port"], ["21"], "port")
    eq(f["qftp.param"], ['"quectel.3322.org"', "21"], "raw params")
    eq(f["qftp.response_in"], [str(F["open_ok"])], "response_in")
    eq(f["qftp.done_in"], [str(F["open_urc"])], "done_in")
    g = r[F["get"]]
    eq(g["qftp.file_name"], ["test.txt"], "file_name")
    eq(g["qftp.local_name"], ["COM:"], "local_name")  # BG96 2.6 <local_name>


def test_bg96_results():
    r = rows()
    s = r[F["size_urc"]]
    eq(s["qftp.urc"], ["+QFTPSIZE"], "urc")
    eq(s["qftp.err"], ["627"], "err")  # BG96 chapter 5: 627 Requested action not taken
    eq(s["qftp.protocol_error"], ["550"], "protocol_error")  # chapter 6: 550
    eq(s["qftp.request_in"], [str(F["size"])], "request_in")
    info = s["_ws.col.Info"][0]
    # the core's words (qftp_txn_describe), as qftp show gives them
    assert "+QFTPSIZE: 627,550 requested action not taken - FTP 550" in info, info
    assert any("550" in m for m in s["_ws.expert.message"]), s["_ws.expert.message"]
    c = r[F["cwd_err"]]
    eq(c["qftp.final"], ["+CME ERROR"], "final")
    eq(c["qftp.cme_error"], ["603"], "cme")  # 603 FTP(S) server busy
    eq(r[F["open_ok"]]["qftp.final"], ["OK"], "OK")
    eq(r[F["open_urc"]]["qftp.err"], ["0"], "success err")


def test_info_column():
    r = rows()
    # the command as typed, then its final result
    eq(r[F["get"]]["_ws.col.Info"], ['AT+QFTPGET="test.txt","COM:" \u2192 OK'], "info")
    eq(r[F["cwd"]]["_ws.col.Info"], ['AT+QFTPCWD="/" \u2192 +CME ERROR: 603'], "info")


def test_split_urc_reassembled():
    r = rows()
    eq(r[F["size_ok"]]["qftp.continued_in"], [str(F["size_urc"])], "continued_in")
    eq(r[F["size_ok"]]["qftp.final"], ["OK"], "final before the split")


def test_data_mode():
    r = rows()
    lens = [int(x) for n in (F["get_data1"], F["get_data2"]) for x in r[n]["qftp.data.len"]]
    # the file holds "OK" and a "+QFTPGET: 0,99" that must not end the transfer
    eq(sum(lens), len(W.BG96_FILE), "download bytes")
    eq(r[F["get_urc"]]["qftp.value"], [str(len(W.BG96_FILE))], "URC count")
    eq(r[F["put_data"]]["qftp.data.len"], [str(len(W.BG96_UPLOAD))], "upload bytes")
    lines = r[F["list_data"]]["qftp.listing.line"]
    eq(len(lines), 2, "listing lines")
    assert lines[1].startswith("-rw-r--r--"), lines


def test_expert():
    r = rows()
    msgs = lambda n: " | ".join(r[n]["_ws.expert.message"])  # noqa: E731
    assert "70000" in msgs(F["badport"]), msgs(F["badport"])  # BG96 2.2 <port> 1-65535
    eq(r[F["unknown"]]["qftp.cmd.known"], ["0"], "unknown command")
    assert "Unknown command" in msgs(F["unknown"]), msgs(F["unknown"])
    assert "in clear" in msgs(F["cfg"]), msgs(F["cfg"])
    assert "+QFTPCLOSE" in msgs(F["close"]) and "end" in msgs(F["close"]), msgs(F["close"])


def test_no_direction():
    r = sessions()[1]
    eq(r[F["open"]]["qftp.cmd"], ["+QFTPOPEN"], "command without direction")
    eq(r[F["open"]]["qftp.direction"], ["0"], "host side guessed")
    eq(r[F["open_ok"]]["qftp.final"], ["OK"], "response without direction")
    eq(r[F["size_urc"]]["qftp.urc"], ["+QFTPSIZE"], "URC without direction")


def test_gsm_dialect():
    r = sessions()[2]
    eq(r[G["open_urc"]]["qftp.dialect"], ["1"], "gsm dialect")  # no space, one value
    eq(r[G["open_urc"]]["qftp.urc"], ["+QFTPOPEN"], "urc")
    eq(r[G["open_urc"]]["qftp.err"], ["0"], "gsm success")
    eq(r[G["get_urc"]]["qftp.value"], [str(len(W.GSM_FILE))], "gsm dwSize")
    e = r[G["error421"]]
    eq(e["qftp.urc"], ["+QFTPERROR"], "unsolicited URC")
    eq(e["qftp.err"], ["-421"], "GSM chapter 3 code")


def tree_by_frame(text):
    frames, cur = {}, None
    for line in text.splitlines():
        if line.startswith("Frame ") and ": " in line:
            cur = int(line.split()[1].rstrip(":"))
            frames[cur] = []
        if cur is not None:
            frames[cur].append(line)
    return {k: "\n".join(v) for k, v in frames.items()}


def test_random_access():
    """Random access as in the GUI: sharkd dissects each frame alone, in a shuffled
    order (the first of them also finishes the sessions), and every frame's tree equals
    the one of tshark's full two-pass run."""
    m = W.Merged(t, [t.file(BG), t.file(GSM)], "random.pcapng")
    full = {}
    for c in re.split(r"(?m)^(?=Frame \d+: )", t.run("-r", m.path, "-2", "-V", "-O", "qftp").stdout.decode()):
        if c.startswith("Frame "):
            n = int(c.split()[1].rstrip(":"))
            full[n] = c[c.index("Quectel FTP AT commands"):].rstrip("\n") if "Quectel FTP" in c else ""
    eq(len(full), m.total, "frames in the full run")
    order = list(full)
    random.Random(13).shuffle(order)
    trees = t.sharkd(m.path, order)
    for n in order:
        got = "\n".join(l for node in trees[n] if node.get("f") == "qftp" for l in W.sharkd_text(node))
        i, local = m.which(n)
        eq(got, full[n], f"{os.path.basename(m.paths[i])} frame {local} dissected alone")


def test_single_pass():
    """One pass shows what two passes show but for the forward links and what needs the
    end. An item the parser releases only with a later frame (the OK that may close a
    download, bytes that could have started it) belongs to the frame holding its bytes;
    a single pass has printed that frame already and shows the item in the later frame
    instead: per field the values in frame order are the same, data lengths add up the
    same."""
    back = ["qftp.cmd", "qftp.param", "qftp.final", "qftp.cme_error", "qftp.urc", "qftp.err",
            "qftp.protocol_error", "qftp.value"]
    one = t.fields(t.file(BG), back + ["qftp.data.len"], two_pass=False)
    two = rows()
    eq(sorted(one), sorted(two), "frames")
    for f in back:
        eq([v for n in sorted(one) for v in one[n][f]], [v for n in sorted(two) for v in two[n][f]],
           f"{f}, one pass vs two passes")
    eq(sum(int(v) for n in one for v in one[n]["qftp.data.len"]),
       sum(int(v) for n in two for v in two[n]["qftp.data.len"]), "data bytes")
    moved = [n for n in sorted(two) if one[n]["qftp.final"] != two[n]["qftp.final"]]
    # BG96 3.7: the download's OK is in the frame with the last payload, not the URC's
    eq(two[F["get_data2"]]["qftp.final"], ["OK"], "OK shown in the frame that holds it")
    eq(moved, [F["get_data2"], F["get_urc"], F["list_data"], F["list_data"] + 1], "frames that differ")


STATS = {}


def stats_run():
    """Export objects, the stats tree and the SRT table of the BG96 session: one run."""
    if not STATS:
        d = t.outdir("eo")
        out = t.run("-r", t.file(BG), "-q", "--export-objects", f"qftp,{d}", "-z", "qftp,tree",
                    "-z", "qftp,srt").stdout.decode()
        STATS.update(dir=d, out=out)
    return STATS


def test_export_objects():
    d = stats_run()["dir"]
    with open(os.path.join(d, "test.txt"), "rb") as fh:
        eq(fh.read(), W.BG96_FILE, "downloaded file")
    with open(os.path.join(d, "up.txt"), "rb") as fh:
        eq(fh.read(), W.BG96_UPLOAD, "uploaded file")
    assert not any(n.startswith("QFTPLIST") for n in os.listdir(d)), os.listdir(d)


def test_stats():
    out = stats_run()["out"]
    assert "AT+QFTPOPEN" in out and "+CME ERROR" in out, out
    line = [l for l in out.splitlines() if "AT+QFTPOPEN" in l][0]
    eq(line.split()[1], "2", "AT+QFTPOPEN count")
    srt = out[out.index("SRT") if "SRT" in out else 0:]
    assert "+QFTPGET" in srt, srt


def show_json(cap):
    p = run("show", "--json", cap)
    if p.returncode != 0:
        raise AssertionError(f"qftp show --json {cap}: {p.stderr.decode(errors='replace')}")
    return json.loads(p.stdout)


def shown_in(r, x, link, seen_in, field, want):
    """The frame the plugin shows a transaction's final result (URC) in: its link from the
    command's frame. qftp show numbers the frame in which the session saw it; the plugin
    shows it in the frame that holds its bytes, which is that frame or an earlier one
    (the parser releases a download's closing OK only when what follows arrives)."""
    fs = r[x["frame_sent"]]
    cands = [int(v) for v in fs[link]] + [x["frame_sent"]]
    for f in cands:
        if f <= seen_in and f in r and want in r[f][field]:
            return r[f]
    raise AssertionError(f"#{x['index']} {x['line']}: {want} not in any of frames {cands} "
                         f"(qftp show: frame {seen_in})")


def test_agrees_with_show():
    caps = W.sample_captures(t)
    m = W.Merged(t, caps, "samples.pcapng")
    per = m.split_rows(t.fields(m.path, FIELDS), t.fields_of_type("FT_FRAMENUM"))
    for cap, r in zip(caps, per):
        js = show_json(cap)
        name = os.path.basename(cap)
        for x in js["transactions"]:
            where = f"{name} #{x['index']} {x['line']}"
            fs = r[x["frame_sent"]]
            if x["command"]:
                assert x["command"] in fs["qftp.cmd"], f"{where}: {fs['qftp.cmd']}"
            if x["frame_final"] and x["final"]:
                ff = shown_in(r, x, "qftp.response_in", x["frame_final"], "qftp.final", x["final"])
                if isinstance(x["cme_error"], int):
                    assert str(x["cme_error"]) in ff["qftp.cme_error"], where
            if x["frame_done"] and x["urc"]:
                fd = shown_in(r, x, "qftp.done_in", x["frame_done"], "qftp.urc", x["command"])
                if x["err"] is not None:
                    assert str(x["err"]) in fd["qftp.err"], f"{where}: err {fd['qftp.err']}"
                if x["protocol_error"] is not None:
                    assert str(x["protocol_error"]) in fd["qftp.protocol_error"], where
                if x["value"] is not None:
                    assert str(x["value"]) in fd["qftp.value"], f"{where}: {fd['qftp.value']}"
        if js.get("dialect"):
            last = r[max(r)]
            want = {"gsm": "1", "bg96": "2"}[js["dialect"]]
            eq(last["qftp.dialect"], [want], f"{name} dialect")


case("plugin registered with the contract's fields", test_registered)
case("BG96 commands and parameters (manual 2.2, 2.6)", test_bg96_commands)
case("BG96 results and codes (manual chapters 5, 6)", test_bg96_results)
case("Info column summaries", test_info_column)
case("URC split across frames is reassembled", test_split_urc_reassembled)
case("data mode: download with OK/URC look-alikes, upload, listing", test_data_mode)
case("expert info: range, unknown, clear text, no result", test_expert)
case("capture without direction", test_no_direction)
case("GSM dialect (GSM manual chapters 2-4)", test_gsm_dialect)
case("random access (sharkd, shuffled) equals the full run", test_random_access)
case("single pass equals two passes but for forward links", test_single_pass)
case("export objects: files equal the bytes transferred", test_export_objects)
case("statistics: -z qftp,tree and qftp,srt", test_stats)
case("values agree with qftp show --json on every capture", test_agrees_with_show)
t.cleanup()
done()
