"""Cell parsers: examples for every rule, plus properties that must hold for any input."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.parse import (
    Parsed,
    excel_serial_to_datetime,
    is_blank,
    parse_amount,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_emails,
    parse_probability,
    parse_text,
)

NBSP = "\u00a0"
THIN = "\u2009"
D = dt.date
DT = dt.datetime


def ok(result: Parsed) -> Any:
    """The value of a successful parse (fails the test on an error)."""
    assert result.error is None, result.error
    return result.value


def err(result: Parsed) -> str:
    """The message of a failed parse (fails the test on success)."""
    assert result.error is not None, f"expected an error, got {result.value!r}"
    assert result.value is None
    return result.error


# --------------------------------------------------------------------------- Parsed / blank


def test_parsed_default_is_blank_and_ok() -> None:
    p = Parsed()
    assert p.blank and p.ok


def test_parsed_with_value_is_ok_not_blank() -> None:
    p = Parsed(3.0)
    assert p.ok and not p.blank


def test_parsed_with_error_is_neither_ok_nor_blank() -> None:
    p = Parsed(error="nope")
    assert not p.ok and not p.blank


def test_parsed_is_frozen() -> None:
    with pytest.raises(AttributeError):
        Parsed().value = 1  # type: ignore[misc]


@pytest.mark.parametrize("raw", [None, "", " ", "\t\n", NBSP, f" {NBSP}{THIN} ", "\u200b"])
def test_is_blank_for_empty_and_whitespace_only_cells(raw: Any) -> None:
    assert is_blank(raw)


@pytest.mark.parametrize("raw", ["a", " 0 ", 0, 0.0, False, D(2026, 1, 1), "-", "n/a"])
def test_is_blank_false_for_anything_visible(raw: Any) -> None:
    assert not is_blank(raw)


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Acme", "Acme"),
        ("  Acme Corp  ", "Acme Corp"),
        (f"{NBSP}Acme{NBSP}", "Acme"),
        ("\ufeffAcme\u200b", "Acme"),
        (12, "12"),
        (12.0, "12"),
        (-3.0, "-3"),
        (12.5, "12.5"),
        (4155551234.0, "4155551234"),
        (True, "TRUE"),
        (False, "FALSE"),
        (D(2026, 11, 26), "2026-11-26"),
        (DT(2026, 11, 26), "2026-11-26"),
        (DT(2026, 11, 26, 14, 30), "2026-11-26 14:30"),
        (DT(2026, 11, 26, 14, 30, 15), "2026-11-26 14:30:15"),
        (dt.time(14, 30), "14:30"),
        (dt.timedelta(hours=5), "5:00:00"),
        ("n/a", "n/a"),
    ],
)
def test_parse_text_strips_and_prints_values_as_people_see_them(raw: Any, expected: str) -> None:
    assert ok(parse_text(raw)) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", NBSP])
def test_parse_text_blank_cells_are_blank(raw: Any) -> None:
    assert parse_text(raw).blank


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf])
def test_parse_text_rejects_nan_and_infinity(raw: float) -> None:
    assert err(parse_text(raw)).startswith("not text:")


# --------------------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (12500, 12500.0),
        (12500.5, 12500.5),
        (-3, -3.0),
        ("12500", 12500.0),
        ("-12.5", -12.5),
        ("+7", 7.0),
        (".5", 0.5),
        ("1e5", 100000.0),
        ("$12,500", 12500.0),
        ("$ 12,500.00", 12500.0),
        ("12.5k", 12500.0),
        ("12.5K", 12500.0),
        ("$12.5k", 12500.0),
        ("12.5k€", 12500.0),
        ("1.2m", 1_200_000.0),
        ("1.2M", 1_200_000.0),
        ("1.2mm", 1_200_000.0),
        ("1.2MM", 1_200_000.0),
        ("2bn", 2e9),
        ("(1,200)", -1200.0),
        ("($1,200)", -1200.0),
        ("$(1,200)", -1200.0),
        ("(1,200) USD", -1200.0),
        ("-1,200", -1200.0),
        ("−1,200", -1200.0),
        ("1,200-", -1200.0),
        ("-$1,200", -1200.0),
        ("$-1,200", -1200.0),
        ("1,200", 1200.0),
        ("1,200.50", 1200.5),
        ("1,234,567.89", 1234567.89),
        ("1.200", 1.2),
        ("€1,200", 1200.0),
        ("£1,200", 1200.0),
        ("¥1200", 1200.0),
        ("₹12,34,567", 1234567.0),
        ("1,00,000", 100000.0),
        ("CHF 1'000.50", 1000.5),
        ("USD 1,200", 1200.0),
        ("1,200 usd", 1200.0),
        ("1200 EUR", 1200.0),
        ("gbp1200", 1200.0),
        ("kr 12", 12.0),
        ("12 kr", 12.0),
        ("US$ 5", 5.0),
        ("1 000", 1000.0),
        (f"1{NBSP}000", 1000.0),
        (f"1{THIN}000", 1000.0),
        ("1\u202f000", 1000.0),
        ("1'000", 1000.0),
        ("1’000’000", 1_000_000.0),
        (f"{NBSP}$12,500{NBSP}", 12500.0),
        ("-0", 0.0),
    ],
)
def test_parse_amount_reads_numbers_and_written_amounts(raw: Any, expected: float) -> None:
    assert ok(parse_amount(raw)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("€ 1.200,50", 1200.5),
        (f"€{NBSP}1.200,50", 1200.5),
        ("1,5", 1.5),
        ("1.200", 1200.0),
        ("1.200.000", 1_200_000.0),
        ("1 200,50 €", 1200.5),
        ("(1.200,50)", -1200.5),
        ("1.200,50-", -1200.5),
        ("12,5k", 12500.0),
        ("1200", 1200.0),
        ("1'000,5", 1000.5),
        (1200.5, 1200.5),
    ],
)
def test_parse_amount_with_decimal_comma(raw: Any, expected: float) -> None:
    assert ok(parse_amount(raw, decimal_comma=True)) == pytest.approx(expected)


@pytest.mark.parametrize("raw", ["1.200,50", "€ 1.200,50", "12,5", "1,50", "1.200.000", "12,5k"])
def test_parse_amount_decimal_comma_values_name_the_setting_when_it_is_off(raw: str) -> None:
    message = err(parse_amount(raw))
    assert message.startswith(f"not an amount: '{raw}'")
    assert "decimal_comma = true" in message
    assert "[parse]" in message


@pytest.mark.parametrize("raw", ["1,200.50", "1.5", "12.5k"])
def test_parse_amount_decimal_point_values_name_the_setting_when_decimal_comma_is_on(
    raw: str,
) -> None:
    assert "decimal_comma = false" in err(parse_amount(raw, decimal_comma=True))


def test_parse_amount_same_text_reads_differently_per_convention() -> None:
    assert ok(parse_amount("1.200")) == 1.2
    assert ok(parse_amount("1.200", decimal_comma=True)) == 1200.0
    assert ok(parse_amount("1,200")) == 1200.0
    assert ok(parse_amount("1,200", decimal_comma=True)) == 1.2


@pytest.mark.parametrize(
    "raw",
    ["n/a", "N/A", "na", "-", "—", "–", "tbd", "TBD", "?", "unknown", "Unknown", "", "  ", NBSP],
)
def test_parse_amount_dont_know_words_are_blank(raw: str) -> None:
    assert parse_amount(raw).blank
    assert parse_amount(raw, decimal_comma=True).blank


def test_parse_amount_none_is_blank() -> None:
    assert parse_amount(None).blank


@pytest.mark.parametrize(
    "raw",
    [
        "abc",
        "$",
        "1,20,0",
        "1,2,3",
        "12,34,56",
        "1,000 000",
        "1  000",
        "--5",
        "-(5)",
        "(5",
        "5)",
        "$5 USD",
        "5%",
        "1_000",
        "nan",
        "inf",
        "Infinity",
        "12 apples",
        "=SUM(A1:A3)",
        "#DIV/0!",
        "1e999",
        "9" * 400,
        "x" * 300,
    ],
)
def test_parse_amount_rejects_garbage_with_a_quoted_message(raw: str) -> None:
    message = err(parse_amount(raw))
    assert message.startswith("not an amount: '")


@pytest.mark.parametrize(
    "raw", [True, False, math.nan, math.inf, -math.inf, 10**400, D(2026, 1, 1)]
)
def test_parse_amount_rejects_non_amount_cell_types(raw: Any) -> None:
    assert err(parse_amount(raw)).startswith("not an amount:")


def test_parse_amount_message_quotes_and_truncates_long_values() -> None:
    message = err(parse_amount("not a number " * 20))
    quoted = message.removeprefix("not an amount: ")
    assert quoted.startswith("'not a number") and quoted.endswith("…'")
    assert len(quoted) <= 45


def test_parse_amount_message_escapes_control_characters() -> None:
    assert err(parse_amount("1\n2")) == r"not an amount: '1\n2'"


# --------------------------------------------------------------------------- probabilities


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("40%", 0.4),
        ("40 %", 0.4),
        (f"40{NBSP}%", 0.4),
        ("25 %", 0.25),
        ("0.4", 0.4),
        (".4", 0.4),
        ("40", 0.4),
        ("1", 1.0),
        ("0", 0.0),
        ("100", 1.0),
        ("100%", 1.0),
        ("0%", 0.0),
        ("0.5%", 0.005),
        ("12,5 %", 0.125),
        ("0,25", 0.25),
        ("33.3%", 0.333),
        ("+50%", 0.5),
        (0.4, 0.4),
        (40, 0.4),
        (1, 1.0),
        (0, 0.0),
        (100, 1.0),
        (1.5, 0.015),
    ],
)
def test_parse_probability_reads_fractions_and_percents(raw: Any, expected: float) -> None:
    assert ok(parse_probability(raw)) == pytest.approx(expected)


def test_parse_probability_percent_text_rounds_once() -> None:
    assert ok(parse_probability("33.3%")) == 0.333


@pytest.mark.parametrize("raw", ["150%", "101", "-5%", "-0.1", 150, 100.5, -1, 10**400])
def test_parse_probability_outside_zero_to_hundred_percent_is_an_error(raw: Any) -> None:
    message = err(parse_probability(raw))
    assert message.startswith("probability must be between 0% and 100%: ")


def test_parse_probability_range_message_quotes_the_value() -> None:
    assert err(parse_probability("150%")) == "probability must be between 0% and 100%: '150%'"


@pytest.mark.parametrize("raw", ["abc", "40%%", "%", "high", "4 0", True, math.nan, D(2026, 1, 1)])
def test_parse_probability_rejects_non_probabilities(raw: Any) -> None:
    assert err(parse_probability(raw)).startswith("not a probability:")


@pytest.mark.parametrize("raw", [None, "", "n/a", "-", "—", "tbd", "?", "unknown"])
def test_parse_probability_dont_know_words_are_blank(raw: Any) -> None:
    assert parse_probability(raw).blank


# --------------------------------------------------------------------------- excel serials


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, DT(1900, 1, 1)),
        (2, DT(1900, 1, 2)),
        (59, DT(1900, 2, 28)),
        (61, DT(1900, 3, 1)),
        (45351, DT(2024, 2, 29)),
        (46352, DT(2026, 11, 26)),
        (46352.5, DT(2026, 11, 26, 12)),
        (46352 + (14 * 60 + 30) / 1440, DT(2026, 11, 26, 14, 30)),
        (2958465, DT(9999, 12, 31)),
    ],
)
def test_excel_serial_1900_system_counts_the_fake_leap_day(serial: float, expected: DT) -> None:
    assert excel_serial_to_datetime(serial) == expected


@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (0, DT(1904, 1, 1)),
        (1, DT(1904, 1, 2)),
        (46352 - 1462, DT(2026, 11, 26)),
        (2958465 - 1462, DT(9999, 12, 31)),
    ],
)
def test_excel_serial_1904_system_counts_from_1904(serial: float, expected: DT) -> None:
    assert excel_serial_to_datetime(serial, epoch1904=True) == expected


@pytest.mark.parametrize(
    "serial", [60, 60.5, 0, 0.5, -1, 2958466, math.nan, math.inf, -math.inf, 10**400]
)
def test_excel_serial_outside_1900_range_or_fake_leap_day_is_none(serial: float) -> None:
    assert excel_serial_to_datetime(serial) is None


@pytest.mark.parametrize("serial", [-1, 2958465 - 1461, math.nan])
def test_excel_serial_outside_1904_range_is_none(serial: float) -> None:
    assert excel_serial_to_datetime(serial, epoch1904=True) is None


def test_excel_serial_rounds_float_noise_to_the_millisecond() -> None:
    serial = 46352.604166666664  # 14:30 as Excel stores it
    assert excel_serial_to_datetime(serial) == DT(2026, 11, 26, 14, 30)


def test_excel_serial_fraction_rounding_up_to_midnight_moves_to_next_day() -> None:
    assert excel_serial_to_datetime(46352.99999999999) == DT(2026, 11, 27)


def test_excel_serial_of_wrong_type_is_none() -> None:
    assert excel_serial_to_datetime("46352") is None  # type: ignore[arg-type]
    assert excel_serial_to_datetime(True) is None


# --------------------------------------------------------------------------- dates

NOV26 = D(2026, 11, 26)


@pytest.mark.parametrize(
    "raw",
    [
        NOV26,
        DT(2026, 11, 26, 14, 30),
        46352,
        46352.75,
        "46352",
        "2026-11-26",
        "2026-11-26T14:30",
        "2026-11-26 14:30:00",
        "2026-11-26T14:30:00Z",
        "2026-11-26T14:30:00+01:00",
        "2026/11/26",
        "2026.11.26",
        "2026-11-26",
        "20261126",
        "26 Nov 2026",
        "26 nov 2026",
        "26 NOVEMBER 2026",
        "Nov 26, 2026",
        "November 26 2026",
        "november 26, 2026",
        "26-Nov-2026",
        "26-Nov-26",
        "26th November 2026",
        "26th of November 2026",
        "26. November 2026",
        "Nov. 26, 2026",
        "2026-Nov-26",
        "Thu 26 Nov 2026",
        "Thursday, 26 November 2026",
        "Thu, 26 Nov 2026 14:30:00 +0000",
        "26/11/2026",
        "11/26/2026",
        "26.11.2026",
        "26-11-2026",
        "26/11/26",
        f"{NBSP}26 Nov 2026{NBSP}",
    ],
)
def test_parse_date_reads_every_supported_form(raw: Any) -> None:
    assert ok(parse_date(raw)) == NOV26


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("03/04/2026", "dmy", D(2026, 4, 3)),
        ("03/04/2026", "mdy", D(2026, 3, 4)),
        ("03.04.2026", "DMY", D(2026, 4, 3)),
        ("26/11/2026", "dmy", NOV26),
        ("11/26/2026", "mdy", NOV26),
        ("03/03/2026", "auto", D(2026, 3, 3)),
        ("13/04/2026", "auto", D(2026, 4, 13)),
        ("04/13/2026", "auto", D(2026, 4, 13)),
        ("2026-03-04", "mdy", D(2026, 3, 4)),
        ("4 Mar 2026", "mdy", D(2026, 3, 4)),
    ],
)
def test_parse_date_numeric_order_follows_date_order(raw: str, order: str, expected: D) -> None:
    assert ok(parse_date(raw, date_order=order)) == expected


def test_parse_date_ambiguous_day_month_in_auto_mode_names_the_setting() -> None:
    message = err(parse_date("03/04/2026"))
    assert message.startswith("ambiguous date: '03/04/2026'")
    assert 'date_order = "dmy" or "mdy"' in message
    assert "[parse]" in message
    assert "3 Apr 2026" in message and "4 Mar 2026" in message


@pytest.mark.parametrize(
    ("raw", "order"),
    [("26/11/2026", "mdy"), ("11/26/2026", "dmy"), ("13/13/2026", "auto"), ("0/0/2026", "auto")],
)
def test_parse_date_impossible_month_is_an_error(raw: str, order: str) -> None:
    assert "there is no month" in err(parse_date(raw, date_order=order))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1/1/70", D(1970, 1, 1)),
        ("1/1/99", D(1999, 1, 1)),
        ("1/1/00", D(2000, 1, 1)),
        ("1/1/69", D(2069, 1, 1)),
        ("5 Jun 26", D(2026, 6, 5)),
    ],
)
def test_parse_date_two_digit_years_pivot_at_1970(raw: str, expected: D) -> None:
    assert ok(parse_date(raw)) == expected


def test_parse_date_leap_day_in_leap_year() -> None:
    assert ok(parse_date("29/02/2024")) == D(2024, 2, 29)
    assert ok(parse_date("2024-02-29")) == D(2024, 2, 29)
    assert ok(parse_date(45351)) == D(2024, 2, 29)


@pytest.mark.parametrize(
    "raw", ["29/02/2026", "31/02/2026", "2026-02-30", "31 Apr 2026", "2026-04-31"]
)
def test_parse_date_invalid_calendar_dates_are_errors(raw: str) -> None:
    assert "has no day" in err(parse_date(raw))


def test_parse_date_serial_60_is_excels_fake_leap_day() -> None:
    assert "29 February 1900" in err(parse_date(60))
    assert ok(parse_date(59)) == D(1900, 2, 28)
    assert ok(parse_date(61)) == D(1900, 3, 1)


def test_parse_date_1904_epoch() -> None:
    assert ok(parse_date(0, epoch1904=True)) == D(1904, 1, 1)
    assert ok(parse_date(60, epoch1904=True)) == D(1904, 3, 1)
    assert ok(parse_date(46352 - 1462, epoch1904=True)) == NOV26
    assert ok(parse_date(str(46352 - 1462), epoch1904=True)) == NOV26


@pytest.mark.parametrize("raw", [0, -1, 2958466, 10**12, "9999999"])
def test_parse_date_serial_out_of_range_is_an_error(raw: Any) -> None:
    assert err(parse_date(raw)).startswith("not a date:")


@pytest.mark.parametrize(
    "raw",
    [
        "2026",
        "26.11",
        "26 Nov",
        "Nov 2026",
        "soon",
        "next week",
        "26 Foo 2026",
        "2026-11",
        "2026-11-26 nonsense",
        "26//11//2026",
        "26/11-2026",
        "Q4 2026",
        True,
        math.nan,
        math.inf,
        dt.timedelta(days=3),
    ],
)
def test_parse_date_rejects_non_dates(raw: Any) -> None:
    assert err(parse_date(raw)).startswith("not a date:")


def test_parse_date_weekday_that_does_not_match_the_date_is_an_error() -> None:
    assert "is a Thursday" in err(parse_date("Mon 26 Nov 2026"))


@pytest.mark.parametrize("raw", [dt.time(14, 30), "14:30", "2:30 PM", 0.5])
def test_parse_date_time_without_date_is_an_error(raw: Any) -> None:
    assert "without a date" in err(parse_date(raw))


@pytest.mark.parametrize("raw", [None, "", " ", "n/a", "tbd", "TBD", "-", "?", "unknown"])
def test_parse_date_blank_and_dont_know_words_are_blank(raw: Any) -> None:
    assert parse_date(raw).blank
    assert parse_datetime(raw).blank


def test_parse_date_unknown_date_order_is_an_error_not_an_exception() -> None:
    assert "date_order" in err(parse_date("26/11/2026", date_order="ymd"))


def test_parse_date_time_part_is_validated_even_though_dropped() -> None:
    assert err(parse_date("2026-11-26 25:00")).startswith("not a date:")


def test_parse_date_drops_timezone_of_aware_datetime_keeping_the_written_day() -> None:
    aware = DT(2026, 11, 26, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert ok(parse_date(aware)) == NOV26


# --------------------------------------------------------------------------- datetimes


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (DT(2026, 11, 26, 14, 30), DT(2026, 11, 26, 14, 30)),
        (NOV26, DT(2026, 11, 26)),
        ("2026-11-26", DT(2026, 11, 26)),
        ("26 Nov 2026", DT(2026, 11, 26)),
        ("2026-11-26T14:30", DT(2026, 11, 26, 14, 30)),
        ("2026-11-26 14:30", DT(2026, 11, 26, 14, 30)),
        ("2026-11-26 14:30:15", DT(2026, 11, 26, 14, 30, 15)),
        ("2026-11-26T14:30:15.250", DT(2026, 11, 26, 14, 30, 15, 250000)),
        ("26/11/2026 14:30", DT(2026, 11, 26, 14, 30)),
        ("26.11.2026, 14:30", DT(2026, 11, 26, 14, 30)),
        ("26.11.2026 14.30", DT(2026, 11, 26, 14, 30)),
        ("26 Nov 2026 2:30 PM", DT(2026, 11, 26, 14, 30)),
        ("26 Nov 2026 2:30pm", DT(2026, 11, 26, 14, 30)),
        ("Nov 26, 2026 2:30 p.m.", DT(2026, 11, 26, 14, 30)),
        ("Nov 26, 2026 at 2pm", DT(2026, 11, 26, 14)),
        ("Nov 26, 2026 12:15 AM", DT(2026, 11, 26, 0, 15)),
        ("Nov 26, 2026 12:15 PM", DT(2026, 11, 26, 12, 15)),
        ("2026-11-26T14:30Z", DT(2026, 11, 26, 14, 30)),
        ("2026-11-26T14:30:00+01:00", DT(2026, 11, 26, 14, 30)),
        ("2026-11-26T14:30:00-0500", DT(2026, 11, 26, 14, 30)),
        ("2026-11-26 14:30 UTC", DT(2026, 11, 26, 14, 30)),
        ("Thu, 26 Nov 2026 14:30:00 +0000", DT(2026, 11, 26, 14, 30)),
        (46352.5, DT(2026, 11, 26, 12)),
        ("46352.5", DT(2026, 11, 26, 12)),
        (46352, DT(2026, 11, 26)),
    ],
)
def test_parse_datetime_reads_date_and_time(raw: Any, expected: DT) -> None:
    value = ok(parse_datetime(raw))
    assert value == expected
    assert type(value) is DT and value.tzinfo is None


def test_parse_datetime_drops_offset_of_aware_datetime_keeping_wall_time() -> None:
    aware = DT(2026, 11, 26, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert ok(parse_datetime(aware)) == DT(2026, 11, 26, 14, 30)


@pytest.mark.parametrize("raw", [dt.time(14, 30), "14:30", "2:30 PM", "9am", 0.25])
def test_parse_datetime_time_alone_is_an_error(raw: Any) -> None:
    message = err(parse_datetime(raw))
    assert message.startswith("not a date and time:") and "without a date" in message


@pytest.mark.parametrize(
    "raw",
    [
        "2026-11-26 25:00",
        "2026-11-26 14:60",
        "2026-11-26 13:00 PM",
        "2026-11-26 0:30 am",
        "2026-11-26 14",
        "2026-11-26 14:30 EST",
        "26 Nov 2026 at noon",
    ],
)
def test_parse_datetime_rejects_bad_times(raw: str) -> None:
    assert err(parse_datetime(raw)).startswith("not a date and time:")


def test_parse_datetime_ambiguous_numeric_date_names_the_setting() -> None:
    assert 'date_order = "dmy"' in err(parse_datetime("03/04/2026 10:00"))
    assert ok(parse_datetime("03/04/2026 10:00", date_order="dmy")) == DT(2026, 4, 3, 10)


def test_parse_datetime_1904_epoch() -> None:
    assert ok(parse_datetime(46352.5 - 1462, epoch1904=True)) == DT(2026, 11, 26, 12)


# --------------------------------------------------------------------------- booleans


@pytest.mark.parametrize(
    "raw",
    [
        True,
        1,
        1.0,
        "yes",
        "YES",
        "Yes",
        "y",
        "Y",
        "true",
        "TRUE",
        "x",
        "X",
        "✓",
        "✔",
        "✔️",
        "1",
        "on",
        "On",
        " yes ",
    ],
)
def test_parse_bool_true_words_and_ticks(raw: Any) -> None:
    assert ok(parse_bool(raw)) is True


@pytest.mark.parametrize(
    "raw", [False, 0, 0.0, "no", "NO", "n", "N", "false", "False", "✗", "✘", "0", "off", "OFF"]
)
def test_parse_bool_false_words_and_crosses(raw: Any) -> None:
    assert ok(parse_bool(raw)) is False


@pytest.mark.parametrize("raw", [None, "", "  ", NBSP])
def test_parse_bool_blank_is_blank(raw: Any) -> None:
    assert parse_bool(raw).blank


@pytest.mark.parametrize(
    "raw", ["maybe", "n/a", "-", "yess", "2", 2, -1, 0.5, math.nan, D(2026, 1, 1), "tru"]
)
def test_parse_bool_anything_else_is_an_error(raw: Any) -> None:
    assert err(parse_bool(raw)).startswith("not yes/no:")


def test_parse_bool_message_quotes_the_value() -> None:
    assert err(parse_bool("maybe")) == "not yes/no: 'maybe'"


# --------------------------------------------------------------------------- emails


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a@b.co", ("a@b.co",)),
        ("  jo@example.com  ", ("jo@example.com",)),
        ("Jo.Smith@Example.COM", ("Jo.Smith@example.com",)),
        ("a@b.co, c@d.org", ("a@b.co", "c@d.org")),
        ("a@b.co; c@d.org", ("a@b.co", "c@d.org")),
        ("a@b.co\nc@d.org", ("a@b.co", "c@d.org")),
        ("a@b.co\r\nc@d.org", ("a@b.co", "c@d.org")),
        ("a@b.co c@d.org", ("a@b.co", "c@d.org")),
        ("a@b.co,,; c@d.org;", ("a@b.co", "c@d.org")),
        ("Jo Smith <jo@x.com>", ("jo@x.com",)),
        ('"Smith, Jo" <jo@x.com>, Al <al@y.org>', ("jo@x.com", "al@y.org")),
        ("<jo@x.com>", ("jo@x.com",)),
        ("jo@x.com <jo@x.com>", ("jo@x.com",)),
        ("Jo <jo@x.com>, al@y.org", ("jo@x.com", "al@y.org")),
        ("a@b.co, A@B.CO, a@b.co", ("a@b.co", "A@b.co")),
        ("a@b.co, a@B.co", ("a@b.co",)),
        ("mailto:a@b.co", ("a@b.co",)),
        ("first.last+tag@sub.example.co.uk", ("first.last+tag@sub.example.co.uk",)),
        ("o'brien@example.ie", ("o'brien@example.ie",)),
        ("user@bücher.de", ("user@bücher.de",)),
        ("user@例え.jp", ("user@例え.jp",)),
        ("user@example.xn--p1ai", ("user@example.xn--p1ai",)),
        ("x@my-host.io", ("x@my-host.io",)),
    ],
)
def test_parse_emails_returns_bare_addresses_in_order_deduplicated(
    raw: str, expected: tuple[str, ...]
) -> None:
    assert ok(parse_emails(raw)) == expected


@pytest.mark.parametrize(
    ("raw", "bad"),
    [
        ("x", "x"),
        ("a@b", "a@b"),
        ("a@b.c", "a@b.c"),
        ("a@@b.com", "a@@b.com"),
        ("@b.com", "@b.com"),
        ("a@", "a@"),
        ("a..b@c.com", "a..b@c.com"),
        (".a@c.com", ".a@c.com"),
        ("a.@c.com", "a.@c.com"),
        ("a@-b.com", "a@-b.com"),
        ("a@b-.com", "a@b-.com"),
        ("a@b..com", "a@b..com"),
        ("a@b.com.", "a@b.com."),
        ("a@b.c0m", "a@b.c0m"),
        ("a@[1.2.3.4]", "a@[1.2.3.4]"),
        ("a(b)@c.com", "a(b)@c.com"),
        ("a@b.com, nope", "nope"),
        ("Jo Smith jo@x.com", "Jo"),
        ("<a@b.com", "<a@b.com"),
        ("a@b.com>", "a@b.com>"),
        ("a\x00b@c.com", "a\\x00b@c.com"),
    ],
)
def test_parse_emails_invalid_element_is_named_in_the_error(raw: str, bad: str) -> None:
    assert err(parse_emails(raw)) == f"not an email address: '{bad}'"


@pytest.mark.parametrize(
    "raw",
    [
        "a@b.com\nBcc: x@y.com",
        "a@b.com\r\nBcc: x@y.com",
        "a@b.com\rBcc:x@y.com",
        "a@b.com%0ABcc:x@y.com",
        "<a@b.com\nBcc: x@y.com>",
        '"Jo\r\nBcc: x@y.com" <a@b.com>',
        "a@b.com\u2028Bcc: x@y.com",
    ],
)
def test_parse_emails_newline_injected_headers_never_pass(raw: str) -> None:
    result = parse_emails(raw)
    assert result.error is not None
    assert result.error.startswith("not an email address:")


@pytest.mark.parametrize("raw", [None, "", "  ", "\n", NBSP])
def test_parse_emails_blank_is_blank(raw: Any) -> None:
    assert parse_emails(raw).blank


def test_parse_emails_only_separators_is_blank() -> None:
    assert parse_emails(" ,; \n").blank


@pytest.mark.parametrize("raw", [5, 1.5, True, D(2026, 1, 1)])
def test_parse_emails_non_text_cells_are_errors(raw: Any) -> None:
    assert err(parse_emails(raw)).startswith("not an email address:")


# --------------------------------------------------------------------------- properties

PARSERS = [
    parse_text,
    parse_amount,
    lambda raw: parse_amount(raw, decimal_comma=True),
    parse_probability,
    parse_date,
    lambda raw: parse_date(raw, date_order="dmy", epoch1904=True),
    parse_datetime,
    lambda raw: parse_datetime(raw, date_order="mdy"),
    parse_bool,
    parse_emails,
]

any_cell = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet="0123456789.,-+ $€()%kKmM/:'\u00a0\u2009@<>\"\n;xT", max_size=30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.UTC)),
    st.times(),
    st.timedeltas(),
)


@settings(max_examples=400)
@given(any_cell)
def test_no_parser_ever_raises(raw: Any) -> None:
    for parse in PARSERS:
        result = parse(raw)
        assert isinstance(result, Parsed)
        assert result.value is None or result.error is None
        if result.error is not None:
            assert result.error and len(result.error) < 400


@given(st.one_of(st.floats(), st.integers(), st.text(), st.none()))
def test_is_blank_never_raises_and_is_consistent_with_parse_text(raw: Any) -> None:
    assert is_blank(raw) == (raw is None or (isinstance(raw, str) and parse_text(raw).blank))


@given(any_cell)
def test_parsed_values_have_the_right_type_when_ok(raw: Any) -> None:
    expectations: list[tuple[Parsed, type | tuple[type, ...]]] = [
        (parse_text(raw), str),
        (parse_amount(raw), float),
        (parse_amount(raw, decimal_comma=True), float),
        (parse_probability(raw), float),
        (parse_bool(raw), bool),
        (parse_emails(raw), tuple),
        (parse_datetime(raw), DT),
    ]
    for result, kind in expectations:
        if result.ok and not result.blank:
            assert isinstance(result.value, kind)
    date = parse_date(raw)
    if date.ok and not date.blank:
        assert type(date.value) is D
    moment = parse_datetime(raw)
    if moment.ok and not moment.blank:
        assert moment.value.tzinfo is None


@given(any_cell)
def test_ok_amounts_are_finite(raw: Any) -> None:
    for result in (parse_amount(raw), parse_amount(raw, decimal_comma=True)):
        if result.ok and not result.blank:
            assert math.isfinite(result.value)


@given(any_cell)
def test_ok_probabilities_are_between_zero_and_one(raw: Any) -> None:
    result = parse_probability(raw)
    if result.ok and not result.blank:
        assert 0.0 <= result.value <= 1.0


@given(st.text())
def test_ok_text_is_stripped_and_non_empty(raw: str) -> None:
    result = parse_text(raw)
    if not result.blank:
        assert result.value == result.value.strip() and result.value


@given(st.text())
def test_ok_emails_are_single_at_addresses_without_whitespace_or_controls(raw: str) -> None:
    result = parse_emails(raw)
    if result.ok and not result.blank:
        assert result.value
        for address in result.value:
            assert address.count("@") == 1
            assert not any(c.isspace() or ord(c) < 32 for c in address)
            assert ":" not in address.split("@")[1]


sane_amounts = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(sane_amounts)
def test_amount_round_trips_through_formatted_text(x: float) -> None:
    text = f"{x:,.2f}"
    assert ok(parse_amount(text)) == pytest.approx(round(x, 2), abs=0.006)


@given(sane_amounts)
def test_amount_round_trips_with_currency_and_accounting_negatives(x: float) -> None:
    text = f"${abs(x):,.2f}"
    if x < 0:
        text = f"({text})"
    assert ok(parse_amount(text)) == pytest.approx(round(x, 2), abs=0.006)


@given(sane_amounts)
def test_amount_round_trips_in_decimal_comma_convention(x: float) -> None:
    text = f"{x:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")
    assert ok(parse_amount(f"€ {text}", decimal_comma=True)) == pytest.approx(
        round(x, 2), abs=0.006
    )


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_amount_numbers_pass_through_unchanged(x: float) -> None:
    assert ok(parse_amount(x)) == x


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_probability_percent_text_round_trips(p: float) -> None:
    assert ok(parse_probability(f"{p:.4f}%")) == pytest.approx(round(p, 4) / 100)


@given(st.dates())
def test_date_round_trips_through_iso_text(d: D) -> None:
    assert ok(parse_date(d.isoformat())) == d


@given(st.dates(min_value=D(1000, 1, 1)))
def test_date_round_trips_through_month_name_text(d: D) -> None:
    assert ok(parse_date(f"{d.day} {d:%b} {d.year}")) == d
    assert ok(parse_date(f"{d:%B} {d.day}, {d.year}")) == d


@given(st.dates(min_value=D(1000, 1, 1)))
def test_date_round_trips_through_numeric_text_with_explicit_order(d: D) -> None:
    assert ok(parse_date(f"{d.day:02}/{d.month:02}/{d.year}", date_order="dmy")) == d
    assert ok(parse_date(f"{d.month}/{d.day}/{d.year}", date_order="mdy")) == d


@given(st.dates(min_value=D(1900, 3, 1)))
def test_date_round_trips_through_excel_serial(d: D) -> None:
    serial = (d - D(1899, 12, 30)).days
    assert ok(parse_date(serial)) == d
    if d >= D(1904, 1, 1):
        assert ok(parse_date(serial - 1462, epoch1904=True)) == d


@given(st.datetimes(min_value=DT(1900, 3, 1), max_value=DT(9999, 12, 30)))
def test_datetime_round_trips_through_excel_serial_to_the_millisecond(moment: DT) -> None:
    serial = (moment - DT(1899, 12, 30)) / dt.timedelta(days=1)
    got = ok(parse_datetime(serial))
    assert abs(got - moment) <= dt.timedelta(milliseconds=1)


@given(st.datetimes())
def test_datetime_round_trips_through_iso_text(moment: DT) -> None:
    assert ok(parse_datetime(moment.isoformat())) == moment
    assert ok(parse_datetime(moment.isoformat(" "))) == moment


@given(st.datetimes(timezones=st.just(dt.timezone(dt.timedelta(hours=-5)))))
def test_datetime_offsets_in_text_are_dropped_keeping_wall_time(moment: DT) -> None:
    assert ok(parse_datetime(moment.isoformat())) == moment.replace(tzinfo=None)


@given(st.emails())
def test_generated_email_addresses_are_accepted_with_domain_lowercased(address: str) -> None:
    local, domain = address.rsplit("@", 1)
    assert ok(parse_emails(address)) == (f"{local}@{domain.lower()}",)


@given(st.lists(st.emails(), min_size=1, max_size=5), st.sampled_from([", ", ";", "\n", " "]))
def test_email_lists_keep_order_without_duplicates(addresses: list[str], sep: str) -> None:
    expected = tuple(
        dict.fromkeys(a.rsplit("@", 1)[0] + "@" + a.rsplit("@", 1)[1].lower() for a in addresses)
    )
    assert ok(parse_emails(sep.join(addresses))) == expected


@given(st.booleans())
def test_bool_round_trips_through_its_text(b: bool) -> None:
    assert ok(parse_bool(ok(parse_text(b)))) is b
