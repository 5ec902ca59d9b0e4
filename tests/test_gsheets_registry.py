"""Which backend a source string opens, and the Google Sheets URL forms."""

from __future__ import annotations

from pathlib import Path

import pytest

from sheetsync.config import Config, config_from_dict
from sheetsync.errors import ConfigError
from sheetsync.sources.excel import ExcelSource
from sheetsync.sources.gsheets import GoogleSettings, GoogleSheetsSource
from sheetsync.sources.registry import is_google_sheet, open_source, parse_sheet_id

ID = "1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms"


@pytest.mark.parametrize(
    "source",
    [
        f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0",
        f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=123456",
        f"https://docs.google.com/spreadsheets/d/{ID}",
        f"https://docs.google.com/spreadsheets/d/{ID}/",
        f"https://docs.google.com/spreadsheets/d/{ID}/edit",
        f"https://docs.google.com/spreadsheets/d/{ID}/edit?usp=sharing",
        f"https://docs.google.com/spreadsheets/d/{ID}/edit?usp=sharing#gid=0",
        f"https://docs.google.com/spreadsheets/u/0/d/{ID}/edit",
        f"https://docs.google.com/spreadsheets/d/{ID}/view",
        f"  https://docs.google.com/spreadsheets/d/{ID}/edit  ",
        f"gsheet:{ID}",
        f"GSHEET:{ID}",
    ],
)
def test_sheet_ids_are_found_in_every_usual_form(source):
    assert is_google_sheet(source)
    assert parse_sheet_id(source) == ID


@pytest.mark.parametrize(
    "source",
    ["pipeline.xlsx", "/tmp/pipeline.xlsx", "https://example.com/pipeline.xlsx", "C:\\deals.xlsx"],
)
def test_other_sources_are_not_google_sheets(source):
    assert not is_google_sheet(source)
    assert parse_sheet_id(source) is None


def test_malformed_google_addresses():
    assert parse_sheet_id("https://docs.google.com/spreadsheets/") is None
    assert parse_sheet_id("gsheet:") is None
    assert parse_sheet_id("gsheet:has spaces in it") is None
    with pytest.raises(ConfigError) as err:
        open_source("https://docs.google.com/document/d/abc", Config())
    assert "gsheet:<id>" in err.value.hint


def test_open_source_picks_the_backend():
    src = open_source(f"https://docs.google.com/spreadsheets/d/{ID}/edit#gid=0", Config())
    assert isinstance(src, GoogleSheetsSource)
    assert src.spreadsheet_id == ID
    assert src.name.endswith("#gid=0")
    assert src.read_tabs is None
    xl = open_source("sample_workbooks/team_pipeline.xlsx", Config())
    assert isinstance(xl, ExcelSource) and xl.path == Path("sample_workbooks/team_pipeline.xlsx")


def test_a_pinned_deals_tab_limits_the_values_read():
    cfg = config_from_dict({"source": {"deals_tab": "Deals", "quotas_tab": "Targets"}})
    src = open_source(f"gsheet:{ID}", cfg)
    assert src.read_tabs == ("Deals", "Stages", "Targets")


def test_google_settings_from_config():
    cfg = config_from_dict({"google": {"deadline": 30, "timeout": 5.5}})
    s = GoogleSettings.from_config(cfg)
    assert (s.deadline, s.timeout, s.credentials) == (30.0, 5.5, "")
    assert s.policy().deadline == 30.0
    with pytest.raises(ConfigError) as err:
        GoogleSettings.from_config(config_from_dict({"google": {"dedline": 3}}))
    assert "dedline" in err.value.message and "deadline" in err.value.hint
    with pytest.raises(ConfigError):
        GoogleSettings.from_config(config_from_dict({"google": {"timeout": "fast"}}))
    with pytest.raises(ConfigError):
        GoogleSettings.from_config(config_from_dict({"google": {"deadline": 0}}))
    assert GoogleSettings() == GoogleSettings.from_config(Config())


def test_the_request_budget_stays_under_googles_limit():
    assert GoogleSettings().max_request_bytes == 8_000_000
    s = GoogleSettings.from_config(config_from_dict({"google": {"max_request_bytes": 2_000_000}}))
    assert s.max_request_bytes == 2_000_000
    for bad in (10_485_761, 999_999):
        with pytest.raises(ConfigError) as err:
            GoogleSettings.from_config(config_from_dict({"google": {"max_request_bytes": bad}}))
        assert "max_request_bytes" in err.value.message and "10485760" in err.value.message
