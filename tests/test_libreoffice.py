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
