"""Formulas a script wrote and never calculated: computed exactly, or a finding at the cell.

Pins :mod:`sheetsync.formulas` (the evaluator and the total-row test),
:mod:`sheetsync.sources.xlsx_cells` (what an xlsx tab says beyond its
values, read from files written by openpyxl and xlsxwriter the way users'
scripts write them) and how the pipeline uses both (issue 9, item 8).
"""

from __future__ import annotations

import json

import openpyxl
import pytest
import xlsxwriter
from click.testing import CliRunner
from openpyxl.worksheet.table import Table

from sheetsync.cli import cli
from sheetsync.formulas import evaluate, excel_round, is_total_formula, translator
from sheetsync.model import Grid
from sheetsync.sources.excel import ExcelSource

HEADERS = ["Deal", "Owner", "Stage", "Amount", "Qty", "Unit price", "Close date"]


def _grid(rows, **kw) -> Grid:
    return Grid("Deals", [list(r) for r in rows], **kw)


# --------------------------------------------------------------------------- the evaluator


@pytest.mark.parametrize(
    ("formula", "expected"),
    [
        ("1+2*3", 7.0),
        ("(1+2)*3", 9.0),
        ("-2^2", 4.0),  # Excel: negation binds tighter than ^
        ("2^3^2", 64.0),  # Excel: ^ is left-associative
        ("20%*500", 100.0),
        ("1.5E3", 1500.0),
        ("ROUND(2.675,2)", 2.68),  # Python's round gives 2.67
        ("ROUND(-2.5,0)", -3.0),  # half away from zero
        ("ROUND(1234.5,-2)", 1200.0),
        ("ABS(-3)", 3.0),
        ("=4/8", 0.5),
    ],
)
def test_evaluator_follows_excel_arithmetic(formula, expected):
    assert evaluate(formula, _grid([[]]), 1, 1) == pytest.approx(expected, abs=0)


def test_evaluator_reads_same_tab_cells_and_treats_empty_as_zero():
    g = _grid([["", 10, 100, ""], ["", 2, "", ""]])
    assert evaluate("B1*C1", g, 1, 4) == 1000.0
    assert evaluate("B2*C2", g, 2, 4) == 0.0  # an empty cell is 0 in arithmetic
    assert evaluate("SUM(B1:B2)", g, 1, 4) == 12.0
    assert evaluate("AVERAGE(B1:B2)", g, 1, 4) == 6.0
    assert evaluate("MAX(B1:C2)", g, 1, 4) == 100.0
    assert evaluate("COUNT(B1:C2)", g, 1, 4) == 3.0


@pytest.mark.parametrize(
    "formula",
    [
        "VLOOKUP(A1,Other!A:B,2,0)",  # unknown function
        "Other!B1*2",  # another tab
        "A1*2",  # text in arithmetic
        "B1/0",  # #DIV/0!
        "AVERAGE(D1:D2)",  # average of no numbers is #DIV/0!
        "B1&C1",  # text operator
        "IF(B1>1,1,0)",  # not evaluated
        "",
    ],
)
def test_evaluator_refuses_what_it_cannot_compute_exactly(formula):
    g = _grid([["text", 10, 100, ""], ["", 2, "", ""]])
    assert evaluate(formula, g, 1, 5) is None


def test_evaluator_follows_uncalculated_cells_and_refuses_a_cycle():
    g = _grid(
        [[10, "", "", ""]],
        formulas={(1, 2): "A1*2", (1, 3): "B1+1", (1, 4): "D1+1"},
        uncached=frozenset({(1, 2), (1, 3), (1, 4)}),
    )
    assert evaluate("C1*10", g, 1, 5) == 210.0
    assert evaluate("D1", g, 1, 5) is None  # D1 refers to itself


def test_evaluator_refuses_a_reference_to_an_error_cell():
    g = _grid([[1, ""]], errors={(1, 2): "#N/A"})
    assert evaluate("A1+B1", g, 1, 3) is None
    assert evaluate("SUM(A1:B1)", g, 1, 3) is None


def test_excel_round_keeps_fifteen_significant_digits():
    assert excel_round(1.005, 2) == 1.01
    assert excel_round(0.285, 2) == 0.29


# --------------------------------------------------------------------------- total rows


@pytest.mark.parametrize(
    "formula",
    [
        "SUM(C2:C40)",
        "SUM(C:C)",
        "SUM(C2:C9,C12:C20)",
        "SUBTOTAL(109,C2:C40)",
        "AGGREGATE(9,5,C2:C40)",
        "SUBTOTAL(109,[Amount])",
        "SUM(Deals[Amount])",
        'SUMIF(H2:H40,"Won",C2:C40)',
        'SUMIFS(C2:C40,H2:H40,"Won")',
    ],
)
def test_a_sum_over_one_column_is_a_total(formula):
    assert is_total_formula(formula, 3)


@pytest.mark.parametrize(
    "formula",
    [
        "SUM(C5)",
        "SUM(D5:F5)",
        "E5*F5",
        "SUMIFS(Lines!D:D,Lines!A:A,A5)",  # a deal's amount from its line items
        "SUMIF(A:A,A5,C:C)",  # keyed on the row
        "SUM(D2:D40)",  # another column than the amount's
    ],
)
def test_a_deals_own_formula_is_not_a_total(formula):
    assert not is_total_formula(formula, 3)


def test_a_shared_formula_moves_like_excel_fills_down():
    move = translator("E2*$F$2+G$1")
    assert move is not None
    assert move(3, 0) == "E5*$F$2+G$1"
    assert move(0, 1) == "F2*$F$2+H$1"


# --------------------------------------------------------------------------- files as scripts write them


def _openpyxl_book(path, *, totals=False):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(HEADERS)
    ws.append(["Crane", "ann", "Proposal", "=E2*F2", 10, 100, "2026-12-20"])
    ws.append(["Forklift", "bob", "Won", 5000, 1, 1, "2026-11-20"])
    ws.append(["Racking", "bob", "Proposal", "=VLOOKUP(A4,Prices!A:B,2,0)", 1, 1, "2026-12-20"])
    if totals:
        ws.append(["Total", None, None, "=SUBTOTAL(109,D2:D4)", None, None, None])
        t = Table(displayName="Pipeline", ref="A1:G5")
        t.totalsRowCount = 1
        ws.add_table(t)
    wb.save(path)
    return path


def _xlsxwriter_book(path):
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Deals")
    ws.write_row(0, 0, HEADERS)
    ws.write_row(1, 0, ["Crane", "ann", "Proposal"])
    ws.write_formula(1, 3, "=E2*F2")  # xlsxwriter writes <v>0</v> and fullCalcOnLoad
    ws.write_row(1, 4, [10, 100, "2026-12-20"])
    ws.write_row(2, 0, ["Forklift", "bob", "Won", 5000, 1, 1, "2026-11-20"])
    ws.write_row(3, 0, ["Racking", "bob", "Proposal"])
    ws.write_formula(3, 3, "=1/0")
    ws.write_row(3, 4, [1, 1, "2026-12-20"])
    wb.close()
    return path


def test_openpyxl_formulas_have_no_cached_value_and_are_found(tmp_path):
    src = ExcelSource(_openpyxl_book(tmp_path / "book.xlsx", totals=True))
    grid = src.read("Deals")
    assert grid.formulas[(2, 4)] == "E2*F2"
    assert (2, 4) in grid.uncached and (4, 4) in grid.uncached
    (table,) = grid.tables
    assert (table.name, table.totals_row, list(table.data_rows)) == ("Pipeline", 5, [2, 3, 4])


def test_xlsxwriters_placeholder_zero_is_not_a_calculated_value(tmp_path):
    src = ExcelSource(_xlsxwriter_book(tmp_path / "book.xlsx"))
    grid = src.read("Deals")
    assert (2, 4) in grid.uncached


def _check_json(path, *args):
    result = CliRunner().invoke(
        cli, ["check", str(path), "--as-of", "2026-12-01", "--format", "json", *args]
    )
    return result.exit_code, json.loads(result.stdout)


def _codes(report):
    return {
        (f["code"], f"{f['tab']}!{f['cell']}" if f.get("cell") else f["tab"])
        for f in report["findings"]
    }


def test_a_simple_uncalculated_formula_is_computed_and_said_once(tmp_path):
    code, report = _check_json(_openpyxl_book(tmp_path / "book.xlsx"))
    found = {f["code"]: f for f in report["findings"]}
    # D2 (=E2*F2) is computed: no missing amount for it
    assert not any(f["code"] == "missing-amount" for f in report["findings"])
    assert "formulas" in json.dumps(report.get("notes", report))
    # D4 (a lookup in another tab) cannot be computed: an error at its cell
    f = found["formula-not-calculated"]
    assert (f["tab"], f["row"], f["column"]) == ("Deals", 4, "D")
    assert "VLOOKUP" in f["message"] and "save" in f["hint"]
    assert code == 1


def test_the_computed_amount_counts_in_the_metrics(tmp_path):
    path = _openpyxl_book(tmp_path / "book.xlsx")
    result = CliRunner().invoke(
        cli, ["metrics", str(path), "--as-of", "2026-12-01", "--format", "json"]
    )
    owners = {o["owner"]: o for o in json.loads(result.stdout)["owners"]}
    # Crane: 10 x 100, never calculated in the file; Racking (a lookup) is unknown
    assert owners["ann"]["open_amount"] == 1000.0
    assert owners["bob"]["open_amount"] == 0.0


def test_an_excel_error_result_is_a_finding_not_a_blank(tmp_path):
    code, report = _check_json(_xlsxwriter_book(tmp_path / "book.xlsx"))
    by_code = {f["code"]: f for f in report["findings"]}
    assert "formula-error" not in by_code or by_code["formula-error"]["row"] == 4
    # =1/0 was never calculated either: it is refused, never read as 0 or blank
    assert {"formula-not-calculated", "formula-error"} & set(by_code)
    assert not any(f["code"] == "missing-amount" and f["row"] == 4 for f in report["findings"])
    assert code == 1


def test_a_table_total_row_with_a_subtotal_formula_is_not_a_deal(tmp_path):
    code, report = _check_json(_openpyxl_book(tmp_path / "book.xlsx", totals=True))
    assert not any(f.get("row") == 5 for f in report["findings"])
    assert report["skipped_rows"], report


def test_an_unlabelled_subtotal_row_never_calculated_is_named_not_dropped(tmp_path):
    # a script wrote =SUBTOTAL(9,D2:D3) under Ann's deals with no label: the row
    # holds no value yet, but it is a subtotal, said with the rows that are not deals
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Deals"
    ws.append(["Deal", "Owner", "Stage", "Amount"])
    ws.append(["Crane", "ann", "Proposal", 1000])
    ws.append(["Forklift", "ann", "Won", 5000])
    ws.append([None, None, None, "=SUBTOTAL(9,D2:D3)"])
    ws.append(["Racking", "bob", "Proposal", 2000])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    code, report = _check_json(path)
    assert [s["rows"] for s in report["skipped_rows"]] == [[4]], report["skipped_rows"]
    assert not any(f.get("row") == 4 for f in report["findings"])
    assert code == 0
