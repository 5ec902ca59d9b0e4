"""The owned tabs' money follows ``[team]``: the currency's symbol where the locale puts it.

An Excel or Google Sheets format code always writes ``,`` and ``.`` (each
reader's spreadsheet shows its own separators), so what the team's locale
decides is the symbol and its place, from CLDR's currency pattern.
"""

from __future__ import annotations

import datetime as dt
import shutil
import zipfile
from pathlib import Path

import pytest

from sheetsync import jobs
from sheetsync.config import config_from_dict, excel_currency_format

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "team_pipeline.xlsx"


@pytest.mark.parametrize(
    "locale,currency,code",
    [
        ("en_US", "USD", '"$"#,##0.00'),  # the old default, unchanged
        ("de_DE", "EUR", '#,##0.00 "€"'),
        ("fr_FR", "EUR", '#,##0.00 "€"'),
        ("pt_BR", "BRL", '"R$" #,##0.00'),
        ("th_TH", "THB", '"฿"#,##0.00'),
        ("ja_JP", "JPY", '"￥"#,##0'),  # no minor unit
        ("en_GB", "GBP", '"£"#,##0.00'),
    ],
)
def test_money_format_of_the_owned_tabs_comes_from_cldr(locale, currency, code):
    assert excel_currency_format(locale, currency) == code


def test_team_locale_sets_the_tabs_money_format_unless_sync_says_otherwise():
    cfg = config_from_dict({"team": {"locale": "de_DE"}})
    assert cfg.sections["sync"]["currency_format"] == '#,##0.00 "€"'
    cfg = config_from_dict({"team": {"locale": "de_DE"}, "sync": {"currency_format": "0.00"}})
    assert cfg.sections["sync"]["currency_format"] == "0.00"
    assert "sync" not in config_from_dict({}).sections  # no [team]: the "$" default


def synced_styles(folder: Path, team: str) -> str:
    folder.mkdir()
    book = folder / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, book)
    conf = folder / "sheetsync.toml"
    conf.write_text(team, encoding="utf-8")
    jobs.sync(str(book), config=conf, as_of=dt.date(2026, 11, 26))
    with zipfile.ZipFile(book) as zf:
        return zf.read("xl/styles.xml").decode("utf-8")


def test_a_german_team_s_workbook_shows_euros(tmp_path):
    plain = synced_styles(tmp_path / "us", "")
    assert 'formatCode="&quot;$&quot;#,##0.00"' in plain
    german = synced_styles(tmp_path / "de", '[team]\nlocale = "de_DE"\ncurrency = "EUR"\n')
    assert 'formatCode="#,##0.00 &quot;€&quot;"' in german
    assert "&quot;$&quot;#,##0.00" not in german


# --------------------------------------------------------------------------- dates and percents

from sheetsync.sources.gsheets_write import _CellWriter as GoogleCells  # noqa: E402
from sheetsync.sources.owned import (  # noqa: E402
    ISO_DATE,
    ISO_DATETIME,
    OwnedFormats,
    excel_date_code,
    formats_for_locale,
)

GOLDEN = Path(__file__).resolve().parent / "golden" / "tabs"


@pytest.mark.parametrize(
    "locale,date,datetime_,percent",
    [
        ("en_US", "m/d/yyyy", "m/d/yyyy, h:mm AM/PM", "0.0%"),
        ("en_GB", "dd/mm/yyyy", "dd/mm/yyyy, hh:mm", "0.0%"),
        ("de_DE", "dd.mm.yyyy", "dd.mm.yyyy, hh:mm", "0.0 %"),
        ("fr_FR", "dd/mm/yyyy", "dd/mm/yyyy hh:mm", "0.0 %"),
        ("es_ES", "d/m/yyyy", "d/m/yyyy, h:mm", "0.0 %"),
        ("pt_BR", "dd/mm/yyyy", "dd/mm/yyyy hh:mm", "0.0%"),
        # the Buddhist calendar prefix opens the code: yyyy is then the Buddhist-era year
        ("th_TH", "[$-107041E]d/m/yyyy", '[$-107041E]d/m/yyyy hh:mm" น."', "0.0%"),
    ],
)
def test_owned_tab_dates_follow_the_locale_s_short_cldr_patterns(locale, date, datetime_, percent):
    got = formats_for_locale(locale, "C")
    assert got == OwnedFormats(currency="C", date=date, datetime=datetime_, percent=percent)


def test_cldr_patterns_become_excel_codes_with_full_years_and_quoted_words():
    assert excel_date_code("M/d/yy") == "m/d/yyyy"
    assert excel_date_code("h:mm\u202fa") == "h:mm AM/PM"
    assert excel_date_code("d 'de' MMMM 'de' y") == 'd" de "mmmm" de "yyyy'
    assert excel_date_code("EEEE d. MMMM y") == "dddd d. mmmm yyyy"
    assert excel_date_code("d/M/yy", buddhist=True) == "[$-107041E]d/m/yyyy"
    with pytest.raises(ValueError, match="no Excel code"):
        excel_date_code("G y")  # an era Excel cannot write: refused, not dropped


def test_without_a_team_locale_the_tabs_keep_iso_dates():
    assert formats_for_locale(None, '"$"#,##0.00') == OwnedFormats()
    assert (OwnedFormats().date, OwnedFormats().datetime) == (ISO_DATE, ISO_DATETIME)


def test_sync_date_format_overrides_the_locale_s_date():
    got = formats_for_locale("de_DE", "C", "d mmm yyyy")
    assert (got.date, got.datetime, got.percent) == ("d mmm yyyy", "d mmm yyyy, hh:mm", "0.0 %")
    assert formats_for_locale(None, "C", "dd/mm/yyyy").date == "dd/mm/yyyy"
    cfg = config_from_dict({"sync": {"date_format": "d mmm yyyy"}})
    assert cfg.sections["sync"]["date_format"] == "d mmm yyyy"


def test_google_sheets_has_no_buddhist_year_so_thai_tabs_get_iso_dates_there():
    thai = formats_for_locale("th_TH", "C")
    cells = GoogleCells({}, thai)
    assert cells.fmt("date", "date") == {"numberFormat": {"type": "DATE", "pattern": ISO_DATE}}
    assert cells.fmt(None, "datetime")["numberFormat"]["pattern"] == ISO_DATETIME
    german = GoogleCells({}, formats_for_locale("de_DE", "C"))
    assert german.fmt("date", "date")["numberFormat"]["pattern"] == "dd.mm.yyyy"
    assert german.fmt("percent", "number")["numberFormat"]["pattern"] == "0.0 %"


def owned_number_formats(book: Path) -> dict[str, list[str]]:
    """Each owned tab's distinct number formats, as the golden files list them."""
    import openpyxl

    wb = openpyxl.load_workbook(book)
    out: dict[str, list[str]] = {}
    for ws in wb.worksheets:
        if not ws.title.startswith("sheetsync "):
            continue
        codes = {
            c.number_format
            for row in ws.iter_rows()
            for c in row
            if getattr(c, "number_format", "General") != "General"
        }
        out[ws.title] = sorted(codes)
    return out


def synced_book(folder: Path, team: str) -> Path:
    folder.mkdir()
    book = folder / "team_pipeline.xlsx"
    shutil.copyfile(SAMPLE, book)
    (folder / "sheetsync.toml").write_text(team, encoding="utf-8")
    jobs.sync(str(book), config=folder / "sheetsync.toml", as_of=dt.date(2026, 11, 26))
    return book


@pytest.mark.parametrize("locale", ["en_US-default", "de_DE", "th_TH"])
def test_owned_tabs_number_formats_match_the_golden_file(tmp_path, locale):
    import json
    import os

    team = "" if locale.endswith("default") else f'[team]\nlocale = "{locale}"\n'
    got = owned_number_formats(synced_book(tmp_path / "b", team))
    golden = GOLDEN / f"number_formats_{locale}.json"
    text = json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        golden.write_text(text, encoding="utf-8")
    assert golden.read_text(encoding="utf-8") == text


@pytest.mark.slow
def test_libreoffice_shows_a_thai_team_s_2026_dates_as_buddhist_year_2569(tmp_path):
    import csv
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed: sudo apt-get install libreoffice-calc")
    book = synced_book(tmp_path / "th", '[team]\nlocale = "th_TH"\n')
    import openpyxl

    sheet_no = openpyxl.load_workbook(book).sheetnames.index("sheetsync Follow-ups") + 1
    # CSV filter tokens: comma, quote, UTF-8, from row 1, -, -, -, -, "as shown", …, sheet number
    filt = f"csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,{sheet_no}"
    out = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--norestore",
         "--convert-to", filt, "--outdir", str(tmp_path / "csv"), str(book)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    (shown,) = (tmp_path / "csv").glob("*.csv")
    rows = list(csv.reader(shown.open(encoding="utf-8")))
    due = rows[1].index("Due")
    dates = [r[due] for r in rows[2:] if len(r) > due and r[due]]
    assert dates and all(d.endswith("/2569") for d in dates), dates[:5]
    assert "26/11/2569" in dates  # 26 November 2026 = 2569 BE
