"""A synced workbook opens in LibreOffice: headless conversion to PDF succeeds."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from sheetsync import jobs

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def test_synced_sample_converts_to_pdf_with_libreoffice(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip(
            "LibreOffice is not installed: sudo apt-get install libreoffice-calc (make test does this as root)"
        )
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(ROOT / "sample_workbooks" / "team_pipeline.xlsx", book)
    jobs.sync(str(book), as_of=dt.date(2026, 11, 26))
    profile = tmp_path / "lo-profile"
    out = subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    pdf = tmp_path / "team_pipeline.pdf"
    assert out.returncode == 0, out.stderr
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), out.stdout + out.stderr
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "Pipeline summary" in text
        assert "Quota progress" in text  # the chart title is drawn
        assert "Northwind Robotics" in text  # the user's own tab is still there


def test_the_summary_tab_is_drawn_to_a_png_from_its_own_page(tmp_path):
    from sheetsync.render import RenderUnavailable, find_tools, page_png, tab_page, workbook_pdf

    try:
        tools = find_tools()
    except RenderUnavailable as exc:
        pytest.skip(f"{exc.message}: {exc.hint}")
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copyfile(ROOT / "sample_workbooks" / "team_pipeline.xlsx", book)
    jobs.sync(str(book), as_of=dt.date(2026, 11, 26))
    work = tmp_path / "render"
    work.mkdir()
    pdf = workbook_pdf(book, work, tools=tools)
    page = tab_page(book, "sheetsync Summary", pdf)
    assert page == 6  # five team tabs come first
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert text.startswith("Written by sheetsync")  # the banner every owned tab has
        assert "Pipeline summary — as of 2026-11-26" in text
    png = page_png(pdf, page, tmp_path / "summary.png", width=1200, tools=tools)
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    assert width == 1200 and 300 < height < 1200
    top = page_png(pdf, page, tmp_path / "top.png", width=1200, top=0.25, tools=tools)
    assert int.from_bytes(top.read_bytes()[20:24], "big") == pytest.approx(height * 0.25, abs=2)


def test_without_libreoffice_the_demo_says_how_to_get_the_picture(tmp_path, monkeypatch, capsys):
    import importlib.util

    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr("sheetsync.render._SOFFICE_FALLBACKS", ())
    spec = importlib.util.spec_from_file_location("render_tab", ROOT / "scripts" / "render_tab.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    book = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
    assert script.main([str(book), "sheetsync Summary", str(tmp_path / "s.png")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("No picture of the tab: LibreOffice and pdftoppm not installed.\n")
    assert "sudo apt-get install libreoffice-calc poppler-utils" in out
    assert not (tmp_path / "s.png").exists()
