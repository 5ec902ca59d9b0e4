"""Issue 9's rule: every cell is read to what a person means, or is a finding at its cell.

Column by column: amounts in any locale's notation (decided per column,
asked only when the column cannot tell), currencies kept and never added
together, probabilities per column, opt-outs failing closed, dates in other
languages and the Buddhist era, rows that are not deals, status columns,
the deals tab chosen by evidence, and ``sheetsync init``.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from builders import make_workbook
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync import jobs
from sheetsync.cli import cli
from sheetsync.column_read import (
    infer_date_order,
    opt_out_value,
    read_opt_out_column,
    read_probability_column,
)
from sheetsync.config import config_from_dict
from sheetsync.errors import ConfigError
from sheetsync.model import Outcome
from sheetsync.money import Rate, read_amount_column
from sheetsync.outcomes import from_booleans, outcome_word
from sheetsync.parse import parse_date
from sheetsync.validate import CODES
from sheetsync.vocab.words import WORDS

T = dt.date(2026, 11, 26)


def amounts(cells: list[Any], **kw: Any):
    return read_amount_column(cells, **kw)


def codes_at(col) -> dict[int, str]:
    return {i.index: i.code for i in col.issues}


# --------------------------------------------------------------------------- amounts


def test_a_column_of_twelve_point_five_hundred_alone_is_asked_not_guessed():
    col = amounts(["12.500", "3.000", "150.000"])
    assert col.values == [None, None, None]
    assert codes_at(col) == {0: "ambiguous-number", 1: "ambiguous-number", 2: "ambiguous-number"}
    assert "[team]" in col.issues[0].hint and "decimal_comma" in col.issues[0].hint


def test_one_cell_that_reads_one_way_settles_the_whole_column():
    col = amounts(["12.500", "3.000", "1.200,50"])
    assert col.values == [12500.0, 3000.0, 1200.5]
    assert col.convention == "comma" and col.settled == 2
    col = amounts(["12.500", "3.25"])
    assert col.values == [12.5, 3.25]


def test_the_team_locale_decides_when_set():
    assert amounts(["12.500"], locale="de_DE").values == [12500.0]
    assert amounts(["12.500"], locale="en_US").values == [12.5]
    assert amounts(["1 234,50"], locale="fr_FR").values == [1234.5]
    assert amounts(["1'234.50"], locale="de_CH").values == [1234.5]
    assert amounts(["R$ 1.500,00"], locale="pt_BR").values == [1500.0]


def test_a_cell_against_the_column_convention_is_a_finding_naming_the_setting():
    col = amounts(["1.200,50", "7.250,00", "8.100,00", "1,234.5"])
    assert col.values[:3] == [1200.5, 7250.0, 8100.0]
    assert codes_at(col) == {3: "bad-amount"}
    assert "decimal comma" in col.issues[0].message


def test_money_with_its_currency_cannot_have_more_decimals_than_the_currency():
    # $5,000 is never 5.000 dollars; 12.500 € is never 12.5 written with three decimals
    assert amounts(["$5,000"]).values == [5000.0]
    assert amounts(["12.500 €", "3.000 €"]).values == [12500.0, 3000.0]


@pytest.mark.parametrize(
    "text, value, currency",
    [
        ("1,5 Mio. €", 1_500_000.0, "EUR"),
        ("1.2 million", 1_200_000.0, None),
        ("1.2 ล้าน", 1_200_000.0, None),
        ("1,500,000 บาท", 1_500_000.0, "THB"),
        ("๑,๕๐๐ บาท", 1500.0, "THB"),
        ("USD 1,000", 1000.0, "USD"),
        ("5 TEUR", 5000.0, "EUR"),
        ("2 lakh", 200_000.0, None),
        ("(€1,200)", -1200.0, "EUR"),
    ],
)
def test_written_amounts_of_many_countries(text, value, currency):
    col = amounts([text])
    assert col.values == [value], col.issues
    assert col.currencies == [currency]


def test_thai_digits_are_read_the_way_thai_writes_numbers():
    # ๑๒๐,๐๐๐ is only ever written by a Thai hand, and Thai groups with a comma
    # (CLDR th, numbering system thai): 120,000, not a question and never 120
    col = amounts(["๑๒๐,๐๐๐", "๔๕,๐๐๐", "๖๐,๐๐๐"])
    assert col.values == [120000.0, 45000.0, 60000.0]
    assert col.issues == [] and col.convention == "dot"
    # the same numbers in ASCII digits still cannot tell, and are asked
    assert codes_at(amounts(["120,000", "45,000"])) == {
        0: "ambiguous-number",
        1: "ambiguous-number",
    }


def test_three_currencies_are_never_added_together():
    col = amounts(["$5,000", "€5,000", "£5,000"])
    assert col.values == [5000.0, None, None]
    assert codes_at(col) == {1: "mixed-currency", 2: "mixed-currency"}
    assert col.team_currency == "USD"  # most common; ties: the first


def test_a_rate_converts_and_is_recorded():
    rates = {"EUR": Rate("EUR", 1.1, "sheetsync.toml [[rates]]")}
    col = amounts(["$5,000", "€5,000"], rates=rates)
    assert col.values == [5000.0, pytest.approx(5500.0)]
    assert col.written == [5000.0, 5000.0]
    assert [(r.currency, r.count, r.written_total) for r in col.rates_used] == [("EUR", 1, 5000.0)]


def test_the_team_currency_wins_over_the_most_common():
    col = amounts(["$5,000", "$6,000", "€5,000"], team_currency="EUR")
    assert codes_at(col) == {0: "mixed-currency", 1: "mixed-currency"}


def test_an_ambiguous_symbol_needs_the_team_currency():
    assert codes_at(amounts(["12 500 kr"])) == {0: "unknown-currency"}
    assert amounts(["12 500 kr"], team_currency="SEK").values == [12500.0]


def test_a_currency_column_gives_bare_amounts_their_currency():
    col = amounts([5000.0, "5000"], currency_column=["EUR", "USD"], team_currency="USD")
    assert codes_at(col) == {0: "mixed-currency"}
    col = amounts(["$5,000"], currency_column=["EUR"])
    assert codes_at(col) == {0: "currency-conflict"}


# --- the property: read right, or a finding at that cell --------------------------


def _render(value: Decimal, style: str, grouped: bool, currency: str | None) -> str:
    whole, frac = f"{value:.2f}".split(".")
    if grouped:
        parts = []
        while len(whole) > 3:
            parts.insert(0, whole[-3:])
            whole = whole[:-3]
        parts.insert(0, whole)
        sep = "," if style == "dot" else "."
        whole = sep.join(parts)
    mark = "." if style == "dot" else ","
    text = whole if frac == "00" and grouped else f"{whole}{mark}{frac}"
    if currency == "$":
        return f"${text}"
    if currency == "€":
        return f"{text} €"
    return text


cells = st.tuples(
    st.decimals(min_value=0, max_value=10_000_000, places=2, allow_nan=False),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    style=st.sampled_from(["dot", "comma"]),
    currency=st.sampled_from([None, "$", "€"]),
    column=st.lists(cells, min_size=1, max_size=12),
    noise=st.lists(st.sampled_from(["about 20k", "tbc soon", "12..5", "1,2,3"]), max_size=2),
)
def test_every_amount_is_read_as_meant_or_is_a_finding_at_its_cell(style, currency, column, noise):
    """Written in one notation per column, each amount reads as written or is reported."""
    meant = [v for v, _g in column]
    written = [_render(v, style, g, currency) for v, g in column] + list(noise)
    col = amounts(written)
    flagged = codes_at(col)
    for i, text in enumerate(written):
        if i in flagged:
            assert flagged[i] in CODES
            assert next(x.hint for x in col.issues if x.index == i)
            assert col.values[i] is None, f"{text!r} is flagged but still counted"
            continue
        assert i < len(meant), f"garbage {text!r} was read as {col.values[i]}"
        assert col.values[i] == pytest.approx(float(meant[i]), abs=0.005), (text, col.values[i])


# --------------------------------------------------------------------------- probabilities


def test_a_column_with_a_value_above_one_counts_in_percent():
    col = read_probability_column([1, 50, 80])
    assert col.values == [0.01, 0.5, 0.8]
    col = read_probability_column([1, 0.5, 0.8])
    assert col.values == [1.0, 0.5, 0.8]


def test_a_header_saying_percent_decides_too():
    assert read_probability_column([1, 0, 1], "Probability (%)").values == [0.01, 0.0, 0.01]
    # percent-formatted cells come as fractions: 40 % is 0.4 even under a % header
    assert read_probability_column([0.4, 0.25], "Probability (%)").values == [0.4, 0.25]


def test_a_fraction_in_a_percent_column_is_asked():
    col = read_probability_column([50, 0.5, "40%"])
    assert col.values == [0.5, None, 0.4]
    assert [c for _i, c, _m, _h in col.issues] == ["ambiguous-probability"]


# --------------------------------------------------------------------------- opt-outs


@pytest.mark.parametrize("lang", sorted(WORDS))
def test_every_opt_out_word_blocks_email_and_every_clear_no_lets_it_through(lang):
    words = WORDS[lang]
    for w in words.may_email + words.no:
        assert opt_out_value(w) == (False, True), (lang, w)
    for w in words.yes:
        assert opt_out_value(w)[0] is True, (lang, w)
    for w in words.opt_out:
        blocks, _plain = opt_out_value(w)
        assert blocks is True, (lang, w)


def test_anything_unclear_in_do_not_email_blocks_and_is_reported():
    col = read_opt_out_column(["Unsubscribed", "do not email!", "no", "", "x", "??"])
    assert col.values == [True, True, False, False, True, True]
    assert [i for i, code, _m, _h in col.issues if code == "opt-out-assumed"] == [0, 1, 5]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "text, day",
    [
        ("26. Dezember 2026", dt.date(2026, 12, 26)),
        ("26 de diciembre de 2026", dt.date(2026, 12, 26)),
        ("26 déc. 2026", dt.date(2026, 12, 26)),
        ("26 de dezembro de 2026", dt.date(2026, 12, 26)),
        ("26 ธันวาคม พ.ศ. 2569", dt.date(2026, 12, 26)),
        ("Freitag, 27. November 2026", dt.date(2026, 11, 27)),
        ("1er décembre 2026", dt.date(2026, 12, 1)),
    ],
)
def test_dates_in_the_teams_languages(text, day):
    assert parse_date(text).value == day


def test_the_date_order_is_settled_by_the_column():
    assert infer_date_order(["01.11.2026", "15.12.2026"]) == ("dmy", "15.12.2026")
    assert infer_date_order(["01/11/2026", "12/15/2026"]) == ("mdy", "12/15/2026")
    assert infer_date_order(["15.12.2026"])[0] == "auto"  # nothing depends on it


def _pipeline_tab(rows: list[list[Any]]) -> dict[str, list[list[Any]]]:
    return {"Deals": rows}


def _check(tmp_path: Path, tabs, cfg: dict | None = None, name="p.xlsx"):
    path = make_workbook(tmp_path / name, tabs)
    return jobs.check(str(path), as_of=T, cfg=config_from_dict(cfg or {}))


def _codes(checked) -> set[tuple[str, str | None]]:
    return {(f.code, f.cell) for f in checked.report.findings}


def test_buddhist_era_dates_are_read_and_stay_in_the_quarter(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount", "Close Date"]
    checked = _check(
        tmp_path,
        _pipeline_tab(
            [
                header,
                ["A", "Proposal", "Som", 1000, "26/12/2569"],
                ["B", "Proposal", "Som", 1000, "๑๕/๑๒/๒๕๖๙"],
                ["C", "Won", "Som", 500, "01/11/2569"],
            ]
        ),
    )
    assert [d.close_date for d in checked.pipeline.deals] == [
        dt.date(2026, 12, 26),
        dt.date(2026, 12, 15),
        dt.date(2026, 11, 1),
    ]
    assert any("Buddhist" in n for n in checked.report.notes)


def test_an_implausible_date_is_a_finding_and_left_out(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount", "Close Date"]
    checked = _check(
        tmp_path,
        _pipeline_tab([header, ["A", "Proposal", "Ann", 1000, dt.date(2096, 12, 1)]]),
    )
    assert ("implausible-date", "Deals!E2") in _codes(checked)
    assert checked.pipeline.deals[0].close_date is None
    assert ("missing-close-date", "Deals!E2") not in _codes(checked)


def _thai_dates(cells: list[Any], calendar: str | None = None):
    from sheetsync.column_read import read_date_column

    def make(order: str):
        return lambda v: parse_date(v, date_order="dmy", locale="th_TH")

    return read_date_column(cells, make, calendar=calendar, as_of=T, what="close date:")


def test_two_digit_years_follow_the_buddhist_era_years_of_their_column():
    col = _thai_dates(["3 พ.ย. 69", "26/12/69", "20/11/2569", "21/11/2569"])
    assert col.values == [
        dt.date(2026, 11, 3),
        dt.date(2026, 12, 26),
        dt.date(2026, 11, 20),
        dt.date(2026, 11, 21),
    ]
    assert col.issues == []
    assert "two-digit years as Buddhist-era years" in col.note


def test_two_digit_years_are_buddhist_era_when_the_calendar_setting_says_so():
    col = _thai_dates(["3 พ.ย. 69", "26/12/69"], calendar="buddhist")
    assert col.values == [dt.date(2026, 11, 3), dt.date(2026, 12, 26)]
    assert col.issues == []


def test_a_column_of_two_digit_years_alone_is_asked_naming_the_calendar_setting():
    col = _thai_dates(["3 พ.ย. 69", "26/12/69"])
    assert col.values == [None, None]
    assert [(i, code) for i, code, _, _ in col.issues] == [
        (0, "ambiguous-year"),
        (1, "ambiguous-year"),
    ]
    _, _, message, hint = col.issues[0]
    assert "2069" in message and "2026-11-03" in message
    assert 'calendar = "buddhist"' in hint and "[parse]" in hint


def test_a_two_digit_year_that_is_plausible_in_the_common_era_keeps_its_reading():
    col = _thai_dates(["26/11/26"])
    assert col.values == [dt.date(2026, 11, 26)] and col.issues == []


def test_a_gregorian_setting_keeps_two_digit_years_common_era():
    col = _thai_dates(["3 พ.ย. 69"], calendar="gregorian")
    assert col.values == [None]
    assert [code for _, code, _, _ in col.issues] == ["implausible-date"]


def test_a_two_digit_year_implausible_in_its_buddhist_column_is_asked_not_moved():
    # 26 = 2526 BE = 1983 is too old; 2026 fits but the column is Buddhist-era
    col = _thai_dates(["26/11/26", "20/11/2569", "21/11/2569"])
    assert col.values[0] is None
    assert [(i, code) for i, code, _, _ in col.issues] == [(0, "ambiguous-year")]


def test_a_two_digit_leap_day_with_no_buddhist_era_reading_keeps_its_only_one():
    # 2528 BE (1985) has no 29 February: only 2028 remains
    col = _thai_dates(["29/02/28", "20/11/2569", "21/11/2569"])
    assert col.values[0] == dt.date(2028, 2, 29)
    assert col.issues == []


def test_two_digit_years_are_a_finding_code_sheetsync_documents():
    assert "ambiguous-year" in CODES


# --------------------------------------------------------------------------- outcomes


@pytest.mark.parametrize(
    "text, outcome",
    [
        ("Closed Won", Outcome.WON),
        ("Won - Signed", Outcome.WON),
        ("Gewonnen", Outcome.WON),
        ("Perdu", Outcome.LOST),
        ("ปิดการขายได้", Outcome.WON),
        ("In Progress", Outcome.OPEN),
        ("Closed", None),
        ("Wonderful", None),
    ],
)
def test_outcome_words(text, outcome):
    assert outcome_word(text) is outcome


def test_salesforce_won_and_closed_columns_together():
    assert from_booleans([("won", "not won", True), ("closed", "open", True)]) is Outcome.WON
    assert from_booleans([("won", "not won", False), ("closed", "open", True)]) is Outcome.LOST
    assert from_booleans([("won", "not won", False), ("closed", "open", False)]) is Outcome.OPEN
    assert from_booleans([("won", "not won", False)]) is None


def test_a_status_column_decides_and_the_stage_is_where_it_ended(tmp_path):
    header = ["Deal - Title", "Deal - Value", "Deal - Stage", "Deal - Status", "Deal - Owner"]
    checked = _check(
        tmp_path,
        _pipeline_tab(
            [
                header,
                ["A", 1000, "Proposal Made", "won", "Ana"],
                ["B", 2000, "Negotiations Started", "lost", "Ana"],
                ["C", 3000, "Proposal Made", "open", "Ana"],
            ]
        ),
    )
    deals = checked.pipeline.deals
    assert [d.status for d in deals] == [Outcome.WON, Outcome.LOST, Outcome.OPEN]
    assert deals[1].lost_stage == "Negotiations Started"
    assert "Pipedrive" in checked.pipeline.reading["stages"]


def test_stage_names_that_say_the_outcome_need_no_outcome_column(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount"]
    checked = _check(
        tmp_path,
        {
            "Deals": [header, ["A", "Closed Won", "Ann", 10], ["B", "Prospect", "Ann", 10]],
            "Stages": [["Stage", "Probability"], ["Prospect", "10%"], ["Closed Won", "100%"]],
        },
    )
    assert [d.status for d in checked.pipeline.deals] == [Outcome.WON, Outcome.OPEN]


# --------------------------------------------------------------------------- rows and tabs


def test_totals_titles_separators_and_report_lines_are_not_deals(tmp_path):
    header = ["Opportunity Name", "Stage", "Opportunity Owner", "Amount"]
    checked = _check(
        tmp_path,
        _pipeline_tab(
            [
                header,
                ["East region"],
                ["A", "Proposal", "Ann", 1000],
                ["-----"],
                ["Total SA robot cell", "Proposal", "Ann", 500],  # a customer named Total
                ["Total", None, None, 1500],
                [],
                ["Confidential Information - Do Not Distribute"],
            ]
        ),
    )
    assert [d.deal for d in checked.pipeline.deals] == ["A", "Total SA robot cell"]
    kinds = {s["kind"]: s["rows"] for s in checked.report.skipped}
    assert kinds == {"total": [6], "report-line": [8], "section-title": [2], "separator": [4]}
    assert checked.report.valid


def test_a_cover_tab_never_beats_the_pipeline(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount"]
    rows = [header] + [[f"D{i}", "Proposal", "Ann", 1000 + i] for i in range(30)]
    checked = _check(tmp_path, {"Cover": [["Owner", "Stage"], ["Ana", "Q4"]], "Pipeline": rows})
    assert checked.pipeline.deals_tab == "Pipeline"


def test_two_look_alike_pipelines_stop_with_both_names(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount"]
    rows = [header] + [[f"D{i}", "Proposal", "Ann", 1000 + i] for i in range(30)]
    with pytest.raises(ConfigError) as exc:
        _check(tmp_path, {"Pipeline": rows, "Pipeline (old)": rows})
    assert "'Pipeline'" in exc.value.message and "'Pipeline (old)'" in exc.value.message
    assert "deals_tab" in exc.value.hint


def test_many_unknown_stages_advise_init_once(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount"]
    rows = [header] + [[f"D{i}", f"Phase {i % 3}", "Ann", 100] for i in range(9)]
    checked = _check(tmp_path, _pipeline_tab(rows))
    notes = [n for n in checked.report.notes if "sheetsync init" in n]
    assert len(notes) == 1 and "9 deals" in notes[0]


def test_a_crm_default_stage_list_is_recognised(tmp_path):
    header = ["Deal Name", "Deal Stage", "Deal owner", "Amount"]
    rows = [
        header,
        ["A", "appointmentscheduled", "Ann", 100],
        ["B", "Contract Sent", "Ann", 100],
        ["C", "closedwon", "Ann", 100],
    ]
    checked = _check(tmp_path, _pipeline_tab(rows))
    assert "HubSpot" in checked.pipeline.reading["stages"]
    assert checked.pipeline.deals[2].status is Outcome.WON
    assert checked.report.valid


# --------------------------------------------------------------------------- init


def test_init_writes_a_proposal_that_reads_back_and_never_overwrites(tmp_path):
    header = ["Verkaufschance", "Firma", "Phase", "Betrag", "Abschlussdatum", "Verantwortlich"]
    path = make_workbook(
        tmp_path / "de.xlsx",
        {
            "Chancen": [
                header,
                ["Lager", "Müller", "Angebot", "12.500", "15.12.2026", "Anna"],
                ["Zelle", "Bauer", "Gewonnen", "7.250,50", "01.11.2026", "Anna"],
                ["Rad", "Klein", "Kalibrierung", "1.000", "02.12.2026", "Ben"],
            ]
        },
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    toml = tmp_path / "sheetsync.toml"
    data = tomllib.loads(toml.read_text())
    cfg = config_from_dict(data)
    assert cfg.team.locale == "de_DE"
    assert cfg.columns["amount"] == "Betrag"
    assert [s.name for s in cfg.stages] == ["Angebot", "Gewonnen", "Lost"]
    assert "'Kalibrierung': 1 deal" in toml.read_text()
    again = runner.invoke(cli, ["init", str(path)])
    assert again.exit_code == 2 and "never overwrites" in again.output
    # the proposal reads the sheet the same way check then does
    checked = jobs.check(str(path), as_of=T)
    assert [d.amount for d in checked.pipeline.deals] == [12500.0, 7250.5, 1000.0]
    assert [d.close_date for d in checked.pipeline.deals][1] == dt.date(2026, 11, 1)


def test_init_says_it_could_not_tell_the_calendar_of_two_digit_years_nor_a_builtin_currency(
    tmp_path,
):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Owner", "Stage", "Amount", "Close Date"])
    ws.append(["A", "Ann", "Won", 5000, "3 พ.ย. 69"])
    ws.cell(2, 4).number_format = '"$"#,##0.00_);("$"#,##0.00)'
    path = tmp_path / "p.xlsx"
    wb.save(path)
    result = CliRunner().invoke(cli, ["init", str(path)])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "sheetsync.toml").read_text()
    assert '# calendar = "buddhist"' in text and "two-digit years" in text
    assert "built-in currency format" in text
    tomllib.loads(text)  # still a valid file


def test_a_quotas_tab_named_in_the_teams_language_is_read(tmp_path):
    tabs = {
        "Deals": [
            ["Deal", "Stage", "Owner", "Amount", "Close Date"],
            ["A", "Won", "Ann", 1000, dt.date(2026, 11, 2)],
        ],
        "Quoten": [["Verkäufer", "Zeitraum", "Soll"], ["Ann", "2026-Q4", 5000]],
    }
    checked = _check(tmp_path, tabs)
    assert [(q.owner, q.amount) for q in checked.pipeline.quotas] == [("Ann", 5000.0)]
    # a tab of that name that is no quotas tab is left alone, and a configured name wins
    tabs["Quoten"] = [["Notizen"], ["nichts"]]
    assert _check(tmp_path, tabs, name="q.xlsx").pipeline.quotas == []
    tabs["Quoten"] = [["Verkäufer", "Zeitraum", "Soll"], ["Ann", "2026-Q4", 5000]]
    other = _check(tmp_path, tabs, {"source": {"quotas_tab": "Ziele 2026"}}, name="r.xlsx")
    assert other.pipeline.quotas == []


def test_check_json_carries_notes_and_skipped_rows(tmp_path):
    header = ["Deal", "Stage", "Owner", "Amount"]
    path = make_workbook(
        tmp_path / "p.xlsx",
        {
            "Deals": [
                header,
                ["A", "Proposal", "Ann", "12.500"],
                ["B", "Proposal", "Ann", "1,5"],
                ["Total", None, None, 2],
            ]
        },
    )
    out = CliRunner().invoke(cli, ["check", str(path), "--format", "json", "--as-of", "2026-11-26"])
    data = json.loads(out.output)
    assert data["skipped_rows"][0]["kind"] == "total"
    assert any("decimal comma" in n for n in data["notes"])


def test_the_summary_tab_says_which_rates_converted_amounts(tmp_path):
    import openpyxl

    header = ["Deal", "Stage", "Owner", "Amount", "Close Date"]
    path = make_workbook(
        tmp_path / "p.xlsx",
        {
            "Deals": [
                header,
                ["A", "Won", "Ann", "$5,000", "2026-11-20"],
                ["B", "Won", "Ann", "€2,000", "2026-11-21"],
                ["C", "Won", "Ann", "€1,000", "2026-11-22"],
            ]
        },
    )
    cfg = config_from_dict(
        {"team": {"currency": "USD"}, "rates": [{"currency": "EUR", "rate": 1.1}]}
    )
    done = jobs.sync(str(path), as_of=T, cfg=cfg)
    assert done.metrics.to_dict()["team"]["won"] == pytest.approx(5000 + 3000 * 1.1)
    rows = [
        [c.value for c in r] for r in openpyxl.load_workbook(path)["sheetsync Summary"].iter_rows()
    ]
    amounts_in = next(r for r in rows if r[0] == "Amounts in")
    assert amounts_in[1] == "USD"
    rate = next(r for r in rows if r[0] == "Rate EUR")
    assert rate[1] == 1.1
    assert "1 EUR = 1.1 USD" in rate[2] and "2 amounts converted" in rate[2]
    assert "3,000.00 EUR as written" in rate[2]


def test_the_summary_tab_has_no_rate_lines_for_one_currency(tmp_path):
    import openpyxl

    path = make_workbook(
        tmp_path / "p.xlsx",
        {"Deals": [["Deal", "Stage", "Owner", "Amount"], ["A", "Won", "Ann", 5000]]},
    )
    jobs.sync(str(path), as_of=T, cfg=config_from_dict({}))
    rows = [
        [c.value for c in r] for r in openpyxl.load_workbook(path)["sheetsync Summary"].iter_rows()
    ]
    assert not any(r and r[0] in ("Amounts in", "Rate EUR") for r in rows)


# --------------------------------------------------------------------------- currency number formats


@pytest.mark.parametrize(
    "code, currency",
    [
        ("[$$-409]#,##0.00", "USD"),
        ("#,##0.00 [$€-407]", "EUR"),
        ("[$£-809]#,##0.00", "GBP"),
        ('"$"#,##0.00', "USD"),
        ('#,##0.00\\ "€"', "EUR"),
        ('"R$" #,##0.00', "BRL"),
        ("[$฿-41E]#,##0.00", "THB"),
        ("[$EUR] #,##0.00", "EUR"),
        ("#,##0.00", None),
        ("0%", None),
        ("[Red]#,##0;[Blue]-#,##0", None),
        ("[$-409]mmm d, yyyy", None),
    ],
)
def test_the_currency_a_number_format_shows(code, currency):
    from sheetsync.sources.xlsx_cells import format_currency

    assert format_currency(code) == currency


def test_numbers_formatted_as_three_currencies_are_never_added_together(tmp_path):
    # the cells hold 5000 each, shown as $5,000.00, 5.000,00 € and £5,000.00
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Owner", "Stage", "Amount"])
    for name, owner, fmt in [
        ("A", "Ann", "[$$-409]#,##0.00"),
        ("B", "Ann", "#,##0.00 [$€-407]"),
        ("C", "Bob", "[$£-809]#,##0.00"),
    ]:
        ws.append([name, owner, "Won", 5000])
        ws.cell(ws.max_row, 4).number_format = fmt
    path = tmp_path / "p.xlsx"
    wb.save(path)
    checked = jobs.check(str(path), as_of=T)
    assert [d.amount for d in checked.pipeline.deals] == [5000.0, None, None]
    assert [d.currency for d in checked.pipeline.deals] == ["USD", "EUR", "GBP"]
    assert {(f.code, f.cell) for f in checked.report.findings} == {
        ("mixed-currency", "Deals!D3"),
        ("mixed-currency", "Deals!D4"),
    }


def _builtin_book(tmp_path, fmt: str, toml: str = "") -> str:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Owner", "Stage", "Amount"])
    for name, amount in [("A", 5000), ("B", 2500.5)]:
        ws.append([name, "Ann", "Won", amount])
        ws.cell(ws.max_row, 4).number_format = fmt
    path = tmp_path / "p.xlsx"
    wb.save(path)
    if toml:
        (tmp_path / "sheetsync.toml").write_text(toml, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "fmt",
    [
        '"$"#,##0_);("$"#,##0)',  # 5
        '"$"#,##0_);[Red]("$"#,##0)',  # 6
        '"$"#,##0.00_);("$"#,##0.00)',  # 7
        '"$"#,##0.00_);[Red]("$"#,##0.00)',  # 8
    ],
)
def test_excel_builtin_currency_formats_ask_for_the_team_currency(tmp_path, fmt):
    checked = jobs.check(_builtin_book(tmp_path, fmt), as_of=T)
    assert [d.amount for d in checked.pipeline.deals] == [None, None]
    found = [f for f in checked.report.findings]
    assert {(f.code, f.cell) for f in found} == {
        ("unnamed-currency", "Deals!D2"),
        ("unnamed-currency", "Deals!D3"),
    }
    assert all("[team]" in f.hint and "currency" in f.hint for f in found)


def test_a_team_currency_lets_builtin_currency_formats_be_read(tmp_path):
    book = _builtin_book(tmp_path, '"$"#,##0.00_);("$"#,##0.00)', '[team]\ncurrency = "EUR"\n')
    checked = jobs.check(book, as_of=T)
    assert [d.amount for d in checked.pipeline.deals] == [5000.0, 2500.5]
    assert checked.report.findings == [] and checked.pipeline.currency == "EUR"


def test_a_format_naming_its_currency_is_not_asked(tmp_path):
    checked = jobs.check(_builtin_book(tmp_path, "[$$-409]#,##0.00"), as_of=T)
    assert [d.amount for d in checked.pipeline.deals] == [5000.0, 2500.5]
    assert "unnamed-currency" not in {f.code for f in checked.report.findings}


def test_a_numfmt_redefining_a_builtin_id_is_its_own_format():
    import io
    import zipfile

    from sheetsync.sources.xlsx_cells import _currency_styles

    def styles(body: str) -> dict[int, str]:
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("xl/styles.xml", body)
        with zipfile.ZipFile(buf) as zf:
            return _currency_styles(zf)

    xfs = '<cellXfs><xf numFmtId="0"/><xf numFmtId="7"/><xf numFmtId="5"/></cellXfs>'
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    assert styles(f"<styleSheet {ns}>{xfs}</styleSheet>") == {1: "", 2: ""}
    redefined = f'<numFmts><numFmt numFmtId="7" formatCode="#,##0.00 [$€-407]"/></numFmts>{xfs}'
    assert styles(f"<styleSheet {ns}>{redefined}</styleSheet>") == {1: "EUR", 2: ""}


def test_a_scaled_header_multiplies_its_column_and_says_so_once(tmp_path):
    book = _pipeline_tab(
        [
            ["Deal", "Stage", "Owner", "Betrag (Tsd. €)", "Close Date"],
            ["A", "Won", "Ann", 12.5, dt.date(2026, 11, 2)],
            ["B", "Won", "Ann", "7,25", dt.date(2026, 11, 3)],
        ]
    )
    checked = _check(tmp_path, book)
    assert [d.amount for d in checked.pipeline.deals] == [12_500.0, 7_250.0]
    assert [d.currency for d in checked.pipeline.deals] == ["EUR", "EUR"]
    said = [n for n in checked.report.notes if "multiplied by 1,000" in n]
    assert len(said) == 1 and "Deals!D1" in said[0] and "Tsd. €" in said[0]


def test_a_cell_with_its_own_multiplier_under_a_scaled_header_is_asked(tmp_path):
    book = _pipeline_tab(
        [
            ["Deal", "Stage", "Owner", "Amount ($k)", "Close Date"],
            ["A", "Won", "Ann", 12, dt.date(2026, 11, 2)],
            ["B", "Won", "Ann", "1.2M", dt.date(2026, 11, 3)],
        ]
    )
    checked = _check(tmp_path, book)
    assert [d.amount for d in checked.pipeline.deals] == [12_000.0, None]
    assert _codes(checked) == {("multiplier-conflict", "Deals!D3")}


def test_currency_styled_cells_are_found_in_any_attribute_order():
    from sheetsync.sources.xlsx_cells import styled_cells

    usual = b'<sheetData><row r="2"><c r="D2" s="1"><v>5</v></c><c r="E2" s="2"><v>1</v></c></row></sheetData>'
    odd = b'<sheetData><row r="2" s="1" customFormat="1"><c s="1" r="D2"><v>5</v></c></row></sheetData>'
    assert styled_cells(usual, {1: "EUR"}) == {(2, 4): "EUR"}
    assert styled_cells(odd, {1: "EUR"}) == {(2, 4): "EUR"}


def test_a_header_repeated_above_each_group_is_not_a_deal(tmp_path):
    # a monday.com board export writes each group's title and the column headers again
    header = ["Deal", "Owner", "Stage", "Deal Value"]
    rows = [
        ["Active deals"],
        header,
        ["Crane", "Ann", "Proposal", 10000],
        [],
        ["Closed deals"],
        header,
        ["Forklift", "Ann", "Won", 4000],
    ]
    path = make_workbook(tmp_path / "p.xlsx", {"Deals": rows})
    checked = jobs.check(str(path), as_of=T)
    assert [d.row for d in checked.pipeline.deals] == [3, 7]
    assert checked.report.findings == []
    assert {s["kind"]: s["rows"] for s in checked.report.skipped} == {
        "section-title": [5],
        "repeated-header": [6],
    }


def test_a_deals_tab_without_a_close_date_column_says_why_no_quota_number_moves(tmp_path):
    rows = [
        ["Deal", "Owner", "Stage", "Amount", "Datum"],
        ["Crane", "Ann", "Won", 4000, "03.11.2026"],
    ]
    path = make_workbook(tmp_path / "p.xlsx", {"Deals": rows})
    checked = jobs.check(str(path), as_of=T)
    (note,) = [n for n in checked.report.notes if n.startswith("close date:")]
    assert "no won deal counts toward a quota period" in note and "[columns] close_date" in note
    # with the column, nothing is said
    rows[0][4] = "Close Date"
    path = make_workbook(tmp_path / "q.xlsx", {"Deals": rows})
    notes = jobs.check(str(path), as_of=T).report.notes
    assert not [n for n in notes if "is read as the close date" in n]
