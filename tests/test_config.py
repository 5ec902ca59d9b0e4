"""sheetsync.toml: the documented keys work; unknown keys and wrong types name the key and file."""

from __future__ import annotations

import pytest

from sheetsync.config import DEFAULT_TABS, find_config, read_config_file, resolve_source
from sheetsync.errors import ConfigError
from sheetsync.model import Outcome

ISSUE_EXAMPLE = """
[source]
path = "pipeline.xlsx"
deals_tab = "Deals"
[columns]
id = "opportunity_id"
owner = "sales_agent"
stage = "deal_stage"
amount = "close_value"
close_date = "close_date"
created = "engage_date"
[[stages]]
name = "Prospecting"
probability = 0.1
[[stages]]
name = "Engaging"
probability = "40%"
[[stages]]
name = "Won"
outcome = "won"
"""


def write(tmp_path, text, name="sheetsync.toml"):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_documented_keys_work_as_written(tmp_path):
    cfg = read_config_file(write(tmp_path, ISSUE_EXAMPLE))
    assert cfg.source.deals_tab == "Deals"
    assert cfg.columns["owner"] == "sales_agent"
    assert [(s.name, s.index, s.probability, s.outcome) for s in cfg.stages] == [
        ("Prospecting", 0, 0.1, Outcome.OPEN),
        ("Engaging", 1, 0.4, Outcome.OPEN),
        ("Won", 2, None, Outcome.WON),
    ]
    assert resolve_source(cfg, None) == str(tmp_path / "pipeline.xlsx")
    assert cfg.tabs == DEFAULT_TABS


def test_unknown_key_names_key_and_file(tmp_path):
    p = write(tmp_path, '[source]\npath = "x.xlsx"\ndeal_tab = "Deals"\n')
    with pytest.raises(ConfigError) as e:
        read_config_file(p)
    assert "deal_tab" in str(e.value) and str(p) in str(e.value)
    assert "deals_tab" in e.value.hint


def test_unknown_section_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="'colums'"):
        read_config_file(write(tmp_path, "[colums]\nid = 'x'\n"))


def test_wrong_type_names_key(tmp_path):
    with pytest.raises(ConfigError, match=r"\[source\] header_row: must be a whole number"):
        read_config_file(write(tmp_path, '[source]\nheader_row = "four"\n'))


def test_unknown_canonical_field_in_columns(tmp_path):
    with pytest.raises(ConfigError, match="unknown field 'budget'"):
        read_config_file(write(tmp_path, '[columns]\nbudget = "Est. Budget"\n'))


def test_bad_stage_probability_and_outcome(tmp_path):
    with pytest.raises(ConfigError, match="probability"):
        read_config_file(write(tmp_path, '[[stages]]\nname = "A"\nprobability = "lots"\n'))
    with pytest.raises(ConfigError, match="outcome"):
        read_config_file(write(tmp_path, '[[stages]]\nname = "A"\noutcome = "closed"\n'))


def test_duplicate_stage_names_rejected(tmp_path):
    with pytest.raises(ConfigError, match="listed twice"):
        read_config_file(write(tmp_path, '[[stages]]\nname = "Won"\n[[stages]]\nname = "won"\n'))


def test_invalid_toml_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config_file(write(tmp_path, "[source\n"))


def test_bad_tab_name_rejected(tmp_path):
    with pytest.raises(ConfigError, match="not a valid tab name"):
        read_config_file(write(tmp_path, '[tabs]\nsummary = "a/b"\n'))


def test_config_found_beside_workbook_before_cwd(tmp_path, monkeypatch):
    book_dir = tmp_path / "team"
    book_dir.mkdir()
    beside = write(book_dir, "")
    write(tmp_path, "")
    monkeypatch.chdir(tmp_path)
    assert find_config(None, str(book_dir / "pipeline.xlsx")) == beside
    assert find_config(None, str(tmp_path / "other" / "p.xlsx")) == tmp_path / "sheetsync.toml"
    assert find_config("explicit.toml", str(book_dir / "p.xlsx")).name == "explicit.toml"


def test_no_source_anywhere_says_what_to_do(tmp_path):
    from sheetsync.config import Config

    with pytest.raises(ConfigError, match="no source given"):
        resolve_source(Config(), None)


def test_team_section_reads_locale_currency_and_timezone(tmp_path):
    from sheetsync.config import config_from_dict

    cfg = config_from_dict(
        {"team": {"locale": "de-DE", "currency": "eur", "timezone": "Europe/Berlin"}}
    )
    assert cfg.team.locale == "de_DE"
    assert cfg.team.currency == "EUR"
    assert cfg.team.tzinfo is not None and cfg.team.tzinfo.key == "Europe/Berlin"
    assert config_from_dict({}).team.tzinfo is None  # unset: the machine's own zone
    assert config_from_dict({"team": {"locale": "th_TH"}}).team.default_currency == "THB"
    assert config_from_dict({}).team.output_locale == "en_US"


@pytest.mark.parametrize(
    "team, message",
    [
        ({"locale": "xx_QQ"}, "not a locale"),
        ({"currency": "EURO"}, "ISO 4217"),
        ({"timezone": "Mars/Olympus"}, "IANA time zone"),
        ({"language": "de"}, "unknown key 'language'"),
    ],
)
def test_team_section_refuses_what_it_cannot_use(team, message):
    from sheetsync.config import config_from_dict
    from sheetsync.errors import ConfigError

    with pytest.raises(ConfigError) as exc:
        config_from_dict({"team": team})
    assert message in str(exc.value) + (exc.value.hint or "")
