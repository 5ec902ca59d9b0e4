"""Header mapping: configuration first, then synonyms; header rows below titles."""

from __future__ import annotations

from sheetsync.columns import SYNONYMS, find_header_row, map_headers, normalize_header


def test_headers_match_ignoring_case_spacing_and_punctuation():
    hm = map_headers(["DEAL STAGE", "est_budget", " Sales  Rep ", "Next Meeting", "Deal #"], 1)
    assert hm.fields == {"stage": 1, "amount": 2, "owner": 3, "next_appointment": 4, "id": 5}


def test_configured_mapping_wins_over_synonyms():
    hm = map_headers(
        ["Stage", "deal_stage", "sales_agent"], 1, {"stage": "deal_stage", "owner": "sales_agent"}
    )
    assert hm.fields["stage"] == 2
    assert hm.fields["owner"] == 3
    assert 1 in hm.unmapped


def test_more_specific_synonym_wins_and_is_not_a_duplicate():
    hm = map_headers(["Status", "Deal Stage", "Owner"], 1)
    assert hm.fields["stage"] == 2
    assert hm.duplicates == []


def test_same_header_twice_is_recorded_as_duplicate():
    hm = map_headers(["Stage", "Owner", "Amount", "Amount"], 1)
    assert hm.fields["amount"] == 3
    assert hm.duplicates == [("amount", 4, 3)]


def test_header_row_found_below_title_rows():
    rows = [
        ["Northwind pipeline", "", ""],
        ["updated daily", "", ""],
        ["", "", ""],
        ["Deal", "Deal Stage", "Sales Rep"],
        ["Acme", "Lead", "Ann"],
    ]
    hm = find_header_row(rows)
    assert hm is not None and hm.row == 4
    assert hm.fields == {"deal": 1, "stage": 2, "owner": 3}


def test_no_header_row_without_required_fields():
    assert find_header_row([["Deal", "Amount"], ["x", 1]]) is None


def test_forced_header_row():
    rows = [["Stage", "Owner"], ["Stage", "Owner", "Amount"]]
    assert find_header_row(rows, header_row=2).fields == {"stage": 1, "owner": 2, "amount": 3}


def test_every_synonym_maps_to_its_own_field():
    for field, headers in SYNONYMS.items():
        for h in headers:
            hm = map_headers([h], 1)
            assert hm.fields.get(field) == 1, (field, h, normalize_header(h))


def test_a_header_naming_its_currency_or_percent_still_maps_to_its_field():
    from sheetsync.columns import header_qualifier

    hm = map_headers(
        ["Deal", "Owner", "Stage", "Amount (EUR)", "Wahrscheinlichkeit in %", "Valor em R$"], 1
    )
    assert hm.fields["amount"] == 4 and hm.fields["probability"] == 5
    assert header_qualifier("Amount (EUR)") == ("Amount", "EUR")
    assert header_qualifier("Montant en €") == ("Montant", "EUR")
    assert header_qualifier("มูลค่า (บาท)") == ("มูลค่า", "THB")
    assert header_qualifier("Probability (%)") == ("Probability", "%")
    # a unit that is no currency (thousands, net) is not a currency unit: a
    # multiplier maps only with its factor (header_scale), anything else not at all
    assert header_qualifier("Betrag (Tsd. €)") == ("Betrag (Tsd. €)", None)
    assert header_scale("Amount (thousands)") == ("Amount", 1_000, None)
    assert "amount" not in map_headers(["Owner", "Stage", "Amount (net)"], 1).fields


def test_the_currency_in_the_amount_header_is_the_currency_of_its_amounts(tmp_path):
    import datetime as dt

    from builders import make_workbook

    from sheetsync import jobs

    rows = [
        ["Deal", "Owner", "Stage", "Amount (USD)"],
        ["Crane", "Ann", "Won", 5000],
        ["Lift", "Bob", "Won", "€2,000"],
    ]
    path = make_workbook(tmp_path / "p.xlsx", {"Deals": rows})
    checked = jobs.check(str(path), as_of=dt.date(2026, 11, 26))
    assert [d.amount for d in checked.pipeline.deals] == [5000.0, None]
    (f,) = checked.report.findings
    assert (f.code, f.cell) == ("currency-conflict", "Deals!D3")
    assert "the header 'Amount (USD)' says USD" in f.message


# --------------------------------------------------------------------------- headers naming a multiplier

import pytest  # noqa: E402

from sheetsync.columns import header_scale  # noqa: E402


@pytest.mark.parametrize(
    "header, base, factor, currency",
    [
        ("Betrag (Tsd. €)", "Betrag", 1_000, "EUR"),
        ("Amount ($k)", "Amount", 1_000, "USD"),
        ("Valor (mil R$)", "Valor", 1_000, "BRL"),
        ("Amount (in thousands)", "Amount", 1_000, None),
        ("Amount in thousands", "Amount", 1_000, None),
        ("มูลค่า (ล้านบาท)", "มูลค่า", 1_000_000, "THB"),
        ("Umsatz (TEUR)", "Umsatz", 1_000, "EUR"),
        ("Revenue ($'000)", "Revenue", 1_000, "USD"),
        ("Importe (miles €)", "Importe", 1_000, "EUR"),
        ("Amount (M)", "Amount", 1_000_000, None),
    ],
)
def test_a_header_naming_a_multiplier_gives_its_factor_and_currency(header, base, factor, currency):
    assert header_scale(header) == (base, factor, currency)


@pytest.mark.parametrize(
    "header", ["Amount", "Amount (EUR)", "Amount (net)", "Amount (kr k)", "Probability (%)"]
)
def test_a_header_naming_no_multiplier_has_no_scale(header):
    assert header_scale(header) is None


def test_a_scaled_amount_header_maps_to_the_amount_and_only_the_amount():
    hm = map_headers(["Deal", "Owner", "Stage", "Betrag (Tsd. €)", "Probability (k)"], 1)
    assert hm.fields.get("amount") == 4
    assert "probability" not in hm.fields
