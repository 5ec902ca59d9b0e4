"""Every HTML draft looked at in a real browser: Debian's headless Chromium.

Parsing HTML says nothing about what a reader sees.  Here each HTML template
of each template set (the built-in English one in ``templates/`` and every
language folder beside it, ``templates/<lang>/``, found at run time so a new
set is tested without touching this file) is rendered with its sample
contexts (:func:`sheetsync.drafts.context.sample_contexts`), and so is every
HTML draft of one night of the bundled sample workbook; each page is loaded
in Chromium at a phone's width (375 px) and a desktop's (1024 px), and:

* nothing overflows sideways: ``scrollWidth`` ≤ the viewport's width (a
  mail client on a phone would scroll or cut the line);
* every piece of text in the markup, and the names the context gives (the
  greeting, the sender, the deals), is in the rendered ``innerText``
  (nothing hidden, nothing lost to the charset);
* Thai text inside an English template is shaped: the font Chromium used
  for it is a Thai font (``CSS.getPlatformFontsForNode``, checked against
  ``fc-list :lang=th``), its combining vowels and tone marks take no width
  of their own (``ที่`` is as wide as ``ท``; as tofu boxes it is three boxes
  wide), and the screenshot of the line has ink about as wide as the text.

Chromium is driven over the DevTools protocol on a pipe
(``--remote-debugging-pipe``: JSON messages ending in NUL on fds 3 and 4),
with the standard library only; one browser serves every page.  Pages are
loaded as ``data:text/html;charset=utf-8`` URLs, the way a mail client reads
the HTML part (its charset comes from the MIME header, not the markup).

The PNGs are written for a person to look at: ``build/renders/<lang>/<kind>.png``
(1024 px wide; ``<kind>@375.png`` at a phone's width),
``build/renders/sample/<draft>.png`` for the sample workbook's drafts and
``build/renders/en/thai-in-english.png``.  ``build/`` is git-ignored.

Chromium missing: as root, ``tests/services/setup.sh`` installs it (and the
Thai fonts); otherwise the test is skipped and says how to install it.
"""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import datetime as dt
import fcntl
import functools
import inspect
import json
import os
import re
import select
import shutil
import struct
import subprocess
import tempfile
import time
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.drafts import DraftSettings, Ledger, prepare_drafts
from sheetsync.drafts.context import sample_contexts
from sheetsync.drafts.templates import TemplateSet, render_file
from sheetsync.followups import compute_followups

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "templates"
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
RENDERS = ROOT / "build" / "renders"
SETUP = ROOT / "tests" / "services" / "setup.sh"
WIDTHS = (375, 1024)
T = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.UTC)

THAI = re.compile("[\u0e00-\u0e7f]")

#: A Thai name, company and sentence, put into an English template's context.
THAI_GREETING = "คุณสมชาย"
THAI_COMPANY = "บริษัท ไทยโรโบติกส์ จำกัด"


# --------------------------------------------------------------------------- chromium


def _chromium() -> str | None:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None and Path("/usr/bin/chromium").exists():
        found = "/usr/bin/chromium"
    return found


def _need_chromium() -> str:
    """The browser's path; as root, installed first when missing (the test set-up)."""
    path = _chromium()
    if path is None and os.geteuid() == 0:
        subprocess.run(["bash", str(SETUP)], check=False, timeout=900)
        path = _chromium()
        assert path is not None, "tests/services/setup.sh ran as root but chromium is still missing"
    if path is None:
        pytest.skip(
            "Debian's Chromium is not installed and this is not root: "
            "sudo apt-get install chromium fonts-thai-tlwg (or run tests/services/setup.sh as root)"
        )
    return path


class Browser:
    """One headless Chromium and one page, spoken to over the DevTools pipe."""

    def __init__(self, path: str, profile: str, env: dict[str, str] | None = None) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # fds 3 and 4 in the child: --remote-debugging-pipe reads 3 and writes 4.
        # Copied above 10 first, so dup2 cannot clobber one with the other.
        keep_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD, 10)
        keep_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD, 10)

        def child_fds() -> None:
            os.dup2(keep_r, 3)
            os.dup2(keep_w, 4)

        self.proc = subprocess.Popen(
            [
                path,
                "--headless",
                "--no-sandbox",  # root in a container: no user namespaces for the sandbox
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--force-device-scale-factor=1",
                "--font-render-hinting=none",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=child_fds,  # noqa: PLW1509 - only dup2, before exec
            pass_fds=(3, 4),
            env={**os.environ, **(env or {})},
        )
        for fd in (to_browser_r, from_browser_w, keep_r, keep_w):
            os.close(fd)
        self._buf = b""
        self._id = 0
        self._events: list[dict[str, Any]] = []
        self._shown: str | None = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Page", "Runtime", "DOM", "CSS"):
            self.call(f"{domain}.enable", session=True)

    # -- the protocol ----------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self._to_browser, data) :]

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buf:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer over the DevTools pipe")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError(f"Chromium closed the DevTools pipe (exit {self.proc.poll()})")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(
        self, method: str, params: dict[str, Any] | None = None, *, session: bool = False
    ) -> dict[str, Any]:
        self._id += 1
        msg: dict[str, Any] = {"id": self._id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = self.session
        self._send(msg)
        deadline = time.monotonic() + 30
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(self, event: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while True:
            for i, e in enumerate(self._events):
                if e.get("method") == event:
                    del self._events[: i + 1]
                    return
            self._events.append(self._receive(deadline))

    # -- pages -------------------------------------------------------------------

    def load(self, html: str, width: int) -> None:
        """Show ``html`` in a ``width``-pixel-wide viewport, as a mail client reads a part.

        The page already shown is only laid out again at the new width (no reload).
        """
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": False},
            session=True,
        )
        if html == self._shown:
            return
        self._shown = html
        self._events.clear()
        url = "data:text/html;charset=utf-8;base64," + base64.b64encode(html.encode()).decode()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_for("Page.loadEventFired")

    def js(self, expression: str) -> Any:
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=True,
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression[:60]}…: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, clip: dict[str, float] | None = None) -> bytes:
        params: dict[str, Any] = {"format": "png", "captureBeyondViewport": True}
        if clip is not None:
            params["clip"] = {**clip, "scale": 1}
        return base64.b64decode(self.call("Page.captureScreenshot", params, session=True)["data"])

    def fonts_for(self, selector: str) -> list[dict[str, Any]]:
        """The platform fonts Chromium drew an element's text with, and their glyph counts."""
        root = self.call("DOM.getDocument", {"depth": 0}, session=True)["root"]["nodeId"]
        node = self.call("DOM.querySelector", {"nodeId": root, "selector": selector}, session=True)[
            "nodeId"
        ]
        assert node, f"no {selector} in the page"
        return self.call("CSS.getPlatformFontsForNode", {"nodeId": node}, session=True)["fonts"]

    def close(self) -> None:
        try:
            self._send({"id": self._id + 1, "method": "Browser.close", "params": {}})
            self.proc.wait(timeout=10)
        except Exception:  # noqa: BLE001 - whatever state it is in, it goes
            self.proc.kill()
            self.proc.wait(timeout=10)
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)


@contextlib.contextmanager
def chromium(env: dict[str, str] | None = None) -> Iterator[Browser]:
    path = _need_chromium()
    with tempfile.TemporaryDirectory(prefix="sheetsync-chromium-") as profile:
        b = Browser(path, profile, env)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as b:
        yield b


#: A fontconfig that knows only DejaVu (no Thai glyphs): Thai becomes tofu boxes.
_NO_THAI_FONTS = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir><cachedir>{cache}</cachedir></fontconfig>
"""


# --------------------------------------------------------------------------- what to render


def template_sets() -> dict[str, Path]:
    """Language → folder: ``en`` for ``templates/``, and each ``templates/<lang>/`` with HTML."""
    sets: dict[str, Path] = {}
    if any(TEMPLATES.glob("*.html.j2")):
        sets["en"] = TEMPLATES
    for sub in sorted(p for p in TEMPLATES.iterdir() if p.is_dir()):
        if any(sub.glob("*.html.j2")):
            sets[sub.name] = sub
    return sets


def locale_of(lang: str) -> str:
    """A folder's name as a Babel locale: ``th`` → ``th_TH`` (CLDR's likely territory)."""
    from babel import Locale, UnknownLocaleError
    from babel.core import get_global

    if lang == "en":
        return "en_US"
    try:
        loc = Locale.parse(lang)
    except (ValueError, TypeError, UnknownLocaleError):
        return "en_US"
    if loc.territory:
        return str(loc)
    likely = get_global("likely_subtags").get(loc.language)  # th → th_Thai_TH
    return f"{loc.language}_{likely.split('_')[-1]}" if likely else str(loc)


def kinds_in(folder: Path) -> list[str]:
    return sorted(p.name.removesuffix(".html.j2") for p in folder.glob("*.html.j2"))


def template_set(lang: str, folder: Path) -> TemplateSet:
    """The set a draft in ``lang`` is rendered with, for a team writing in that language.

    Where :class:`TemplateSet` picks language sets itself (``for_language``),
    exactly as a drafts run does; else the language folder shadowing the
    built-ins, as a ``templates_dir`` would.
    """
    s = DraftSettings(locale=locale_of(lang), timezone="Asia/Bangkok")
    root = TemplateSet(s)
    if folder == TEMPLATES:
        return root
    if hasattr(root, "for_language"):
        return root.for_language(lang)
    return TemplateSet(dataclasses.replace(s, templates_dir=str(folder)))


def contexts(kind: str, ts: TemplateSet, lang: str) -> list[dict[str, Any]]:
    """The preflight's sample contexts of ``kind`` for the set (in its language when it takes one)."""
    if len(inspect.signature(sample_contexts).parameters) >= 3:
        return sample_contexts(kind, ts.settings, getattr(ts, "language", None) or lang)  # type: ignore[call-arg]
    return sample_contexts(kind, ts.settings)


PAGES = [(lang, kind) for lang, folder in template_sets().items() for kind in kinds_in(folder)]


# --------------------------------------------------------------------------- checks


class _Text(HTMLParser):
    """The text pieces of a page's body, as the markup has them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pieces: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("head", "style", "script", "title"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and not self._skip:
            self.pieces.append(text)


def text_pieces(html: str) -> list[str]:
    parser = _Text()
    parser.feed(html)
    return parser.pieces


def context_names(ctx: dict[str, Any]) -> list[str]:
    """The names a reader must see: the greeting and the sender, or the rep and the deals."""
    if ctx["kind"] == "rep-digest":  # to the rep: by first name, then each deal
        return [ctx["owner"]["first_name"]] + [d["company"] or d["deal"] for d in ctx["deals"]]
    names = [ctx["sender"]["name"], ctx["contact"]["greeting_name"]]
    return [n for n in names if n]


_LAYOUT = """(() => {
  const vw = window.innerWidth, doc = document.documentElement;
  const wide = [...document.body.querySelectorAll('*')]
    .filter(e => e.getBoundingClientRect().right > vw + 0.5)
    .map(e => e.tagName + ': ' + (e.innerText || '').slice(0, 60));
  return {vw, scroll: Math.max(doc.scrollWidth, document.body.scrollWidth),
          text: document.body.innerText, wide};
})()"""


def check_page(b: Browser, html: str, expected: list[str], width: int, what: str) -> None:
    b.load(html, width)
    got = b.js(_LAYOUT)
    assert got["vw"] == width, got["vw"]
    assert got["scroll"] <= width, f"{what} at {width}px: {got['scroll']}px wide; {got['wide']}"
    shown = " ".join(got["text"].split())
    missing = [t for t in expected if " ".join(t.split()) not in shown]
    assert not missing, f"{what} at {width}px: not shown: {missing}"
    if THAI.search(shown):  # Thai on the page: drawn in a Thai font, not boxes
        assert b.js(_MARK_THAI), what
        used = [f["familyName"] for f in b.fonts_for("[data-thai]") if f["glyphCount"] > 0]
        assert set(used) & thai_families(), f"{what}: Thai text drawn with {used}"


#: Marks the first element whose own text is Thai (fonts are reported per element).
_MARK_THAI = """(() => {
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (/[\u0e00-\u0e7f]/.test(n.nodeValue)) { n.parentElement.setAttribute('data-thai', '1'); return true; }
  }
  return false;
})()"""


def save_png(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


# --------------------------------------------------------------------------- png


def png_gray(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and rows of gray bytes of an 8-bit RGB(A) PNG (stdlib only, PNG spec §9)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    height = channels = 0
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, color = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and color in (2, 6), (depth, color)
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            up = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 0xFF
            elif f == 2:
                line[i] = (line[i] + up) & 0xFF
            elif f == 3:
                line[i] = (line[i] + (a + up) // 2) & 0xFF
            elif f == 4:
                p = a + up - c
                pa, pb, pc = abs(p - a), abs(p - up), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (up if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xFF
        rows.append(bytes(min(line[x * channels : x * channels + 3]) for x in range(width)))
        prev = line
    return width, height, rows


def ink_box(data: bytes, threshold: int = 160) -> tuple[int, int, int, int, int] | None:
    """(left, right, top, bottom, dark pixels) of the ink in a screenshot, None when blank."""
    width, _, rows = png_gray(data)
    dark = [(x, y) for y, row in enumerate(rows) for x in range(width) if row[x] < threshold]
    if not dark:
        return None
    xs, ys = [x for x, _ in dark], [y for _, y in dark]
    return min(xs), max(xs), min(ys), max(ys), len(dark)


@functools.cache
def thai_families() -> frozenset[str]:
    """The font families fontconfig says cover Thai (``fc-list :lang=th``)."""
    if not shutil.which("fc-list"):
        return frozenset()
    out = subprocess.run(
        ["fc-list", ":lang=th", "family"], capture_output=True, text=True, check=False
    ).stdout
    return frozenset(n.strip() for line in out.splitlines() for n in line.split(",") if n.strip())


# --------------------------------------------------------------------------- the tests


def test_without_chromium_and_root_the_test_is_skipped_saying_how_to_install(monkeypatch):
    import test_render_html as me

    monkeypatch.setattr(me, "_chromium", lambda: None)
    monkeypatch.setattr(me.os, "geteuid", lambda: 1000)
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium fonts-thai-tlwg"):
        _need_chromium()


def test_template_sets_are_found_in_the_templates_folder():
    sets = template_sets()
    assert "en" in sets and sets["en"] == TEMPLATES
    assert {"appointment_reminder", "follow_up", "trial_offer", "rep_digest"} <= set(
        kinds_in(TEMPLATES)
    )
    assert locale_of("en") == "en_US" and locale_of("th") == "th_TH"
    assert locale_of("pt_BR") == "pt_BR" and locale_of("de") == "de_DE"


@pytest.mark.parametrize(("lang", "kind"), PAGES, ids=[f"{lang}-{kind}" for lang, kind in PAGES])
def test_each_html_template_lays_out_in_chromium(browser, lang, kind):
    ts = template_set(lang, template_sets()[lang])
    for n, ctx in enumerate(contexts(kind, ts, lang)):
        html = render_file(ts, f"{kind}.html.j2", ctx)
        expected = text_pieces(html) + context_names(ctx)
        assert expected, f"{lang}/{kind}: no text at all"
        for width in WIDTHS:
            check_page(browser, html, expected, width, f"{lang}/{kind} sample {n}")
            if n == 0:
                suffix = "" if width == 1024 else f"@{width}"
                save_png(browser.screenshot(), RENDERS / lang / f"{kind}{suffix}.png")


def test_the_layout_check_sees_overflow_and_hidden_text(browser):
    wide = (
        '<html><body><p>Hi Jo,</p><table width="600"><tr><td>a row</td></tr></table></body></html>'
    )
    check_page(browser, wide, ["Hi Jo,", "a row"], 1024, "wide table")  # fits at 1024
    with pytest.raises(AssertionError, match="at 375px: 6[0-9][0-9]px wide"):
        check_page(browser, wide, ["Hi Jo,"], 375, "wide table")
    hidden = '<html><body><p>Hi Jo,</p><p style="display: none">the offer</p></body></html>'
    with pytest.raises(AssertionError, match="not shown: \\['the offer'\\]"):
        check_page(browser, hidden, text_pieces(hidden), 1024, "hidden text")


def test_the_sample_workbook_drafts_lay_out_in_chromium(browser):
    checked, metrics = jobs.metrics(str(SAMPLE), as_of=T)
    pipeline = checked.pipeline
    run = prepare_drafts(
        pipeline,
        metrics,
        compute_followups(pipeline, T),
        T,
        DraftSettings(),
        Ledger(),
        dry_run=True,
        now=NOW,
    )
    htmls = [d for d in run.drafts if d.html]
    assert {d.kind for d in htmls} >= {"appointment-reminder", "follow-up", "rep-digest"}
    for d in htmls:
        assert d.html is not None
        for width in WIDTHS:
            check_page(browser, d.html, text_pieces(d.html), width, d.file_name)
        save_png(browser.screenshot(), RENDERS / "sample" / f"{Path(d.file_name).stem}.png")


_MEASURE = """(() => {
  const el = document.querySelector('#thai-probe');
  const rect = e => { const r = e.getBoundingClientRect();
    return {x: r.x, y: r.y, width: r.width, height: r.height}; };
  const box = s => { const e = document.createElement('span'); e.textContent = s;
    el.appendChild(e); const w = e.getBoundingClientRect().width; e.remove(); return w; };
  const r = document.createRange(); r.selectNodeContents(document.querySelector('#thai-line'));
  return {base: box('ท'), marked: box('ที่'), three: box('ทาง'), line: rect(r),
          base_box: rect(document.querySelector('#thai-base')),
          marked_box: rect(document.querySelector('#thai-marked'))};
})()"""


def _thai_page() -> str:
    """An English reminder for a Thai prospect, with a large Thai probe line under it."""
    ts = template_set("en", TEMPLATES)
    ctx = contexts("appointment_reminder", ts, "en")[0]
    ctx["contact"] = {
        **ctx["contact"],
        "greeting_name": THAI_GREETING,
        "greeting": f"Hi {THAI_GREETING},",
        "formal": False,
    }
    ctx["deal"] = {**ctx["deal"], "company": THAI_COMPANY}
    ctx["appointment"] = {**ctx["appointment"], "place": f"{THAI_COMPANY}, ถนนสุขุมวิท กรุงเทพฯ"}
    html = render_file(ts, "appointment_reminder.html.j2", ctx)
    assert THAI_GREETING in html
    # A probe line in the template's own font stack, at a size where marks are countable.
    probe = (
        '<p id="thai-probe" style="font-size: 40px; white-space: nowrap;">'
        '<span id="thai-line">ที่นี่ สวัสดีครับ</span> '
        '<span id="thai-base">ท</span> <span id="thai-marked">ที่</span></p>'
    )
    return html.replace("</body>", probe + "\n</body>")


def _thai_figures(b: Browser, name: str) -> dict[str, Any]:
    """How the loaded Thai page came out: fonts used, advances, and the ink of the probe line."""
    m = b.js(_MEASURE)
    families = thai_families()
    used = b.fonts_for("#thai-probe")
    m["thai_fonts"] = [f["familyName"] for f in used if f["familyName"] in families]
    m["fonts"] = used
    png = b.screenshot(m["line"])
    save_png(png, RENDERS / "en" / f"{name}.png")
    m["ink"] = ink_box(png)
    m["base_ink"] = ink_box(b.screenshot(m["base_box"]))
    m["marked_ink"] = ink_box(b.screenshot(m["marked_box"]))
    return m


def _shaped(m: dict[str, Any]) -> list[str]:
    """What is wrong with the Thai figures (empty: shaped)."""
    wrong = []
    if not m["thai_fonts"]:
        wrong.append(f"drawn with {[f['familyName'] for f in m['fonts']]}, no Thai font")
    if not m["base"] > 10:
        wrong.append(f"ท is {m['base']:.1f}px wide at 40px")
    # shaped: the vowel ◌ี and the tone mark ◌่ sit on ท and take no width of their own
    if not m["marked"] < 1.25 * m["base"]:
        wrong.append(f"ที่ is {m['marked']:.1f}px wide, ท {m['base']:.1f}px: marks not combined")
    if not m["three"] > 2 * m["base"]:
        wrong.append(f"ทาง is {m['three']:.1f}px, not three glyphs wide")
    line, ink = m["line"], m["ink"]
    if ink is None:
        wrong.append("the probe line's screenshot is blank")
    else:  # the ink spans most of the text's box: glyphs drawn, not a few dots
        left, right, _, _, dark = ink
        if not 0.6 * line["width"] <= right - left + 1 <= line["width"] + 2:
            wrong.append(f"ink {right - left + 1}px wide for a {line['width']:.0f}px line")
        if not dark > 0.05 * line["width"] * line["height"]:
            wrong.append(f"only {dark} dark pixels")
    # ...and in the picture the marks stand above ท: ที่ has taller ink than ท
    # (as tofu, each is one box of the same height)
    base, marked = m["base_ink"], m["marked_ink"]
    if base is None or marked is None:
        wrong.append("ท or ที่ drew no ink")
    elif not marked[3] - marked[2] > 1.25 * (base[3] - base[2]):
        wrong.append(
            f"ที่ ink is {marked[3] - marked[2] + 1}px tall, ท {base[3] - base[2] + 1}px: no marks above"
        )
    return wrong


def test_thai_in_an_english_template_is_shaped(browser):
    html = _thai_page()
    for width in WIDTHS:
        check_page(browser, html, [THAI_GREETING, "ถนนสุขุมวิท", "สวัสดีครับ"], width, "en+thai")
    save_png(browser.screenshot(), RENDERS / "en" / "thai-in-english.png")
    assert thai_families(), (
        "no Thai font: apt-get install fonts-thai-tlwg (tests/services/setup.sh)"
    )
    m = _thai_figures(browser, "thai-line")
    assert _shaped(m) == [], m


def test_the_thai_check_fails_on_tofu(tmp_path):
    """The same page in a Chromium that has no Thai font: the checks must see the boxes."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(_NO_THAI_FONTS.format(cache=tmp_path / "cache"))
    with chromium({"FONTCONFIG_FILE": str(conf)}) as tofu:
        tofu.load(_thai_page(), 1024)
        m = _thai_figures(tofu, "thai-line-tofu")
    wrong = _shaped(m)
    assert any("no Thai font" in w for w in wrong), m
    assert any("no marks above" in w for w in wrong), m
