"""The HTML report rendered by a real browser: headless Chromium (Debian's `chromium`)
takes a screenshot of the page offline, and the picture must show what the page holds:
not blank, the verdict box's colour at the top, the timeline's bars (green: succeeded,
red: failed) drawn from the inline SVG.

One Chromium run (about 10 s): the suite's time stays modest. scripts/make-report-screenshot.sh
takes the screenshot of docs/report.md with the same flags (scripts/chromium-flags)."""
import os
import shutil
import subprocess
import sys
import tempfile

from qftptest import case, done, run, src

WIDTH, HEIGHT = 1280, 2400


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        p = shutil.which(name)
        if p:
            return p
    raise AssertionError("no chromium: scripts/install-deps.sh installs Debian's chromium")


def flags():
    with open(src("scripts", "chromium-flags")) as f:
        return [l.strip() for l in f if l.strip() and not l.startswith("#")]


def screenshot(html, png, profile):
    # a fresh profile; no network is needed or allowed to matter (the page is a file)
    cmd = [chromium(), *flags(), f"--user-data-dir={profile}", f"--window-size={WIDTH},{HEIGHT}",
           f"--screenshot={png}", "file://" + html]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out, err = p.communicate(timeout=180)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, 9)  # its own process group: only what this test started
        p.communicate()
        raise AssertionError("chromium did not finish within 180 s")
    assert p.returncode == 0 and os.path.exists(png), err.decode(errors="replace")[-2000:]


def analyse(png):
    """Run by Debian's /usr/bin/python3 (python3-pil, scripts/install-deps.sh): `python3` on
    PATH may be another one. Raises on a picture that does not show the report."""
    from PIL import Image

    im = Image.open(png).convert("RGB")
    assert im.size == (WIDTH, HEIGHT), im.size
    px = im.load()
    w, h = im.size
    # not blank: many colours, a good share of the page not white
    colours = im.getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50, len(colours or [])
    white = sum(n for n, c in colours if c == (255, 255, 255))
    assert white < 0.97 * w * h, f"{white / (w * h):.3f} of the page is white"
    # the verdict box (a failure: light red, #fdecec) near the top
    top = {px[x, y] for x in range(0, w, 4) for y in range(60, 320, 4)}
    assert any(abs(r - 0xfd) < 6 and abs(g - 0xec) < 6 and abs(b - 0xec) < 6 for r, g, b in top), \
        "no verdict box colour at the top"

    # the timeline's bars: green (#3a9a4a) and red (#d23b3b), each more than a few pixels
    def has(colour):
        cr, cg, cb = colour
        return any(abs(r - cr) < 8 and abs(g - cg) < 8 and abs(b - cb) < 8
                   for n, (r, g, b) in colours if n > 20)
    assert has((0x3a, 0x9a, 0x4a)), "no green bar"
    assert has((0xd2, 0x3b, 0x3b)), "no red bar"


def rendered():
    with tempfile.TemporaryDirectory() as d:
        html = os.path.join(d, "report.html")
        p = run("report", src("tests", "logs", "import", "qcom-bg96.log"), "-o", html)
        assert p.returncode == 1, p.stderr
        png = os.path.join(d, "report.png")
        screenshot(html, png, os.path.join(d, "profile"))
        a = subprocess.run(["/usr/bin/python3", __file__, "--analyse", png], capture_output=True)
        assert a.returncode == 0, (a.stdout + a.stderr).decode(errors="replace")[-2000:]


if len(sys.argv) == 3 and sys.argv[1] == "--analyse":
    analyse(sys.argv[2])
    sys.exit(0)
case("headless Chromium renders the HTML report (not blank, verdict and timeline drawn)", rendered)
done()
