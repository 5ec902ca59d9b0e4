"""The one home of what every backend does with an owned tab (sheetsync.sources.owned)."""

from __future__ import annotations

import pytest

from sheetsync.errors import ConfigError
from sheetsync.model import CellRef, quote_tab
from sheetsync.outsheet import OutCell, OutSheet
from sheetsync.sources import owned
from sheetsync.sources.newbook import excel_tab_problem as new_book_problem

EMOJI = "\U0001f600"


@pytest.mark.parametrize(
    ("tab", "shown"),
    [
        ("Deals", "Deals!C14"),
        ("Deals.2026", "Deals.2026!C14"),
        ("My Deals", "'My Deals'!C14"),
        ("It's", "'It''s'!C14"),
        ("2026", "'2026'!C14"),
        ("AB12", "'AB12'!C14"),
        ("RC", "'RC'!C14"),
        ("R1C1", "'R1C1'!C14"),
        ("R2C", "'R2C'!C14"),
        ("C", "'C'!C14"),
        ("RCA", "RCA!C14"),
    ],
)
def test_a_message_quotes_a_tab_by_the_same_rule_the_links_use(tab: str, shown: str):
    assert str(CellRef(tab, 14, 3)) == shown


def test_chart_references_quote_every_tab():
    assert quote_tab("Deals", always=True) == "'Deals'"
    assert quote_tab("It's", always=True) == "'It''s'"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("x" * 32, "is longer than the 31 characters Excel allows"),
        ("Q1/Q2", "contains one of [ ] : * ? / \\ which Excel does not allow"),
        ("'Deals", "starts or ends with an apostrophe, which Excel does not allow"),
        ("Deals\x07", "contains control characters"),
        ("x" * 31, None),
        ("History", None),
    ],
)
def test_excel_tab_names_follow_excels_rules(name: str, problem: str | None):
    assert owned.excel_tab_problem(name) == problem


def test_a_new_workbook_also_refuses_the_name_excel_keeps_for_itself():
    assert new_book_problem("history") == "it is History, a name Excel keeps for itself"
    assert new_book_problem("x" * 32) == "it is longer than the 31 characters Excel allows"
    assert new_book_problem("Deals") is None


@pytest.mark.parametrize(
    ("name", "ok"),
    [("Q1/Q2 [draft]", True), ("x" * 100, True), ("x" * 101, False), ("", False), ("a\nb", False)],
)
def test_google_tab_names_follow_googles_rules(name: str, ok: bool):
    assert (owned.google_tab_problem(name) is None) is ok


def test_the_backends_refuse_the_same_bad_tab_lists_the_same_way():
    two = [OutSheet("Checks", "checks", []), OutSheet("checks", "metrics", [])]
    for problem in (owned.excel_tab_problem, owned.google_tab_problem):
        with pytest.raises(ConfigError, match="both named 'checks'"):
            owned.check_outsheets(two, set(), problem)
        with pytest.raises(ValueError, match="both written and removed"):
            owned.check_outsheets(two[:1], {"checks"}, problem)
        with pytest.raises(ValueError, match="same kind"):
            owned.check_outsheets([two[0], OutSheet("Other", "checks", [])], set(), problem)
    with pytest.raises(ConfigError, match=r"tab name 'a\[1\]' contains one of"):
        owned.check_outsheets([OutSheet("a[1]", "k", [])], set(), owned.excel_tab_problem)
    owned.check_outsheets([OutSheet("a[1]", "k", [])], set(), owned.google_tab_problem)


def test_cell_lookup_gives_plain_values_and_none_outside_the_rows():
    out = OutSheet("T", "t", [["a", OutCell(5, style="money")], ["b"]])
    assert owned.cell_at(out, 1, 2) == 5
    assert owned.cell_at(out, 2, 1) == "b"
    assert owned.cell_at(out, 2, 2) is None
    assert owned.cell_at(out, 3, 1) is None
    assert owned.cell_at(out, 0, 1) is None


def test_both_cell_limits_count_utf16_units_and_keep_emoji_whole():
    assert owned.cut_utf16(EMOJI * 30_000, owned.GOOGLE_MAX_CELL_TEXT) == EMOJI * 25_000
    assert owned.cut_utf16("x" + EMOJI * 20_000, owned.EXCEL_MAX_CELL_TEXT) == "x" + EMOJI * 16_383
