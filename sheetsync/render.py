"""A picture of one tab of a workbook, drawn by LibreOffice.

Why LibreOffice: it is the spreadsheet program a Linux machine can install
in one line, it opens the workbook the way a person would (charts, number
formats, column widths), and it runs headless.  The workbook is converted to
PDF with Calc's ``SinglePageSheets`` export option (LibreOffice 7.4+: every
sheet becomes exactly one page, as large as its content), and the tab's page
is rasterised with poppler's ``pdftoppm``.

LibreOffice runs with a private, throwaway profile
(``-env:UserInstallation``), so a LibreOffice the user has open is neither
disturbed nor handed the job.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import EXIT_SOURCE, SheetsyncError, SourceError

#: Where LibreOffice lives when it is not on PATH (macOS installs an app bundle).
_SOFFICE_FALLBACKS = (
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    "/opt/libreoffice/program/soffice",
)
_PDF_OPTIONS = 'pdf:calc_pdf_Export:{"SinglePageSheets":{"type":"boolean","value":"true"}}'
INSTALL_HINT = (
    "install LibreOffice and poppler: sudo apt-get install libreoffice-calc poppler-utils "
    "(Debian/Ubuntu), sudo dnf install libreoffice-calc poppler-utils (Fedora), "
    "brew install --cask libreoffice && brew install poppler (macOS)"
)


class RenderUnavailable(SheetsyncError):
    """LibreOffice or pdftoppm is not installed: nothing can be drawn."""

    exit_code = EXIT_SOURCE


@dataclass(frozen=True, slots=True)
class Tools:
    soffice: str
    pdftoppm: str


def find_tools() -> Tools:
    """LibreOffice's ``soffice`` and poppler's ``pdftoppm``, or :class:`RenderUnavailable`."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        soffice = next((p for p in _SOFFICE_FALLBACKS if os.access(p, os.X_OK)), None)
    pdftoppm = shutil.which("pdftoppm")
    missing = [n for n, v in (("LibreOffice", soffice), ("pdftoppm", pdftoppm)) if v is None]
    if missing:
        raise RenderUnavailable(f"{' and '.join(missing)} not installed", hint=INSTALL_HINT)
    assert soffice is not None and pdftoppm is not None
    return Tools(soffice, pdftoppm)


def _page_count(pdf: bytes) -> int:
    """Pages of a PDF LibreOffice wrote (its page objects are plain, not in object streams)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def render_tab(
    workbook: str | Path,
    tab: str,
    png: str | Path,
    *,
    width: int = 1600,
    top: float | None = None,
    timeout: float = 240,
) -> Path:
    """Draw ``tab`` of ``workbook`` (``.xlsx``) into ``png``, ``width`` pixels wide.

    ``top`` (a fraction 0..1) keeps only the top part of the tab's page (a
    README picture of the first tables and charts).  Raises
    :class:`RenderUnavailable` when the tools are missing and
    :class:`~sheetsync.errors.SourceError` when the conversion fails.
    """
    tools = find_tools()
    workbook = Path(workbook)
    with tempfile.TemporaryDirectory(prefix="sheetsync-render-") as tmp:
        pdf = workbook_pdf(workbook, Path(tmp), tools=tools, timeout=timeout)
        page = tab_page(workbook, tab, pdf)
        return page_png(pdf, page, png, width=width, top=top, tools=tools, timeout=timeout)


def workbook_pdf(
    workbook: Path, folder: Path, *, tools: Tools | None = None, timeout: float = 240
) -> Path:
    """The workbook as a PDF in ``folder``, one page per tab (hidden tabs included)."""
    tools = tools or find_tools()
    src = folder / "book.xlsx"
    shutil.copyfile(workbook, src)
    try:
        out = subprocess.run(
            [
                tools.soffice,
                f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                "--headless",
                "--norestore",
                "--convert-to",
                _PDF_OPTIONS,
                "--outdir",
                str(folder),
                str(src),
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        raise SourceError(
            f"{workbook}: LibreOffice did not finish within {timeout:.0f} s",
            hint="run it again; a first start of LibreOffice can be slow",
        ) from None
    pdf = folder / "book.pdf"
    if out.returncode != 0 or not pdf.exists():
        detail = (out.stderr or out.stdout).strip().splitlines()
        raise SourceError(
            f"{workbook}: LibreOffice could not convert the workbook"
            + (f" ({detail[-1]})" if detail else ""),
            hint="open it in LibreOffice to see what it says",
        )
    return pdf


def tab_page(workbook: Path, tab: str, pdf: Path) -> int:
    """The 1-based page of ``tab`` in the PDF :func:`workbook_pdf` made of ``workbook``.

    With SinglePageSheets every tab, hidden ones included, is one page, in
    tab order; a PDF with another page count cannot be matched to tabs.
    """
    from .sources.xlsx import read_workbook_info

    names = [s.name for s in read_workbook_info(workbook).sheets]
    if tab not in names:
        raise SourceError(f"{workbook}: no tab named {tab!r} to draw (tabs: {', '.join(names)})")
    pages = _page_count(pdf.read_bytes())
    if pages != len(names):
        raise SourceError(
            f"{workbook}: LibreOffice drew {pages} pages for {len(names)} tabs, so the "
            f"page of {tab!r} is not known",
            hint="LibreOffice 7.4 or newer is needed (its SinglePageSheets PDF option)",
        )
    return names.index(tab) + 1


def page_png(
    pdf: Path,
    page: int,
    png: str | Path,
    *,
    width: int = 1600,
    top: float | None = None,
    tools: Tools | None = None,
    timeout: float = 240,
) -> Path:
    """Rasterise one page of ``pdf`` into ``png`` with pdftoppm."""
    tools = tools or find_tools()
    png = Path(png)
    args = [tools.pdftoppm, "-f", str(page), "-l", str(page), "-png", "-singlefile"]
    args += ["-scale-to-x", str(width), "-scale-to-y", "-1"]
    if top is not None:
        args += ["-H", str(_cropped_height(pdf, page, width, top))]
    stem = pdf.with_name(f"page{page}")
    done = subprocess.run(
        [*args, str(pdf), str(stem)], capture_output=True, text=True, timeout=timeout
    )
    made = stem.with_suffix(".png")
    if done.returncode != 0 or not made.exists():
        raise SourceError(f"{pdf}: pdftoppm could not draw page {page} ({done.stderr.strip()})")
    png.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(made), png)
    return png


def _cropped_height(pdf: Path, page: int, width: int, top: float) -> int:
    """Pixels of the page's top ``top`` share, at the scale that makes it ``width`` wide."""
    boxes = _media_boxes(pdf.read_bytes())
    if len(boxes) < page:
        return width  # cannot tell: a square is a fair guess
    w, h = boxes[page - 1]
    return max(1, round(h * width / w * top))


def _media_boxes(pdf: bytes) -> list[tuple[float, float]]:
    """Each page's size in points, in page order (LibreOffice writes one MediaBox a page)."""
    out = []
    for m in re.finditer(rb"/Type\s*/Page(?![s\w])([^>]*)>>", pdf):
        box = re.search(
            rb"/MediaBox\s*\[\s*([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)\s+([-\d.]+)", m.group(1)
        )
        if box:
            x0, y0, x1, y1 = (float(v) for v in box.groups())
            out.append((x1 - x0, y1 - y0))
    return out
