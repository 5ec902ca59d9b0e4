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
