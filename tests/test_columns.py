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
