"""The column fast paths of reading give exactly the answers of the cell-by-cell readers.

Each fast path (a text column stripped in one map, an address column matched
cell by cell before the full parser, a date column kept as read when every
cell lies in the plausible years) must agree with the reading it shortcuts,
value for value and problem for problem, on any mix of cells.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync import parse as P
from sheetsync import pipeline as PL
from sheetsync.column_read import read_date_column
from sheetsync.config import config_from_dict

CFG = config_from_dict({})

addresses = st.one_of(
    st.emails(),
    st.sampled_from(
        [
            " Ann@Example.COM ",
            "a@b.co; c@d.org",
            "Ann <ann@example.com>",
            "mailto:x@y.com",
            "Bcc: x@y.com",
            "not an address",
            "",
            "   ",
            "\u00a0",
        ]
    ),
)
cells = st.one_of(
    st.none(),
    st.text(max_size=20),
    addresses,
    st.integers(),
    st.floats(allow_nan=False),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300)
@given(st.lists(addresses, max_size=30), st.lists(cells, max_size=5))
def test_the_address_column_reads_as_the_cell_parser_does(plain: list[Any], odd: list[Any]):
    for values in (plain, plain + odd, odd + plain):
        assert PL._email_converter(values, CFG, False) == PL._convert(
            values, P.parse_emails, PL._fast_blank
        )


@settings(max_examples=300)
@given(st.lists(st.text(max_size=12), max_size=30), st.lists(cells, max_size=5))
def test_the_text_column_reads_as_the_cell_parser_does(texts: list[Any], odd: list[Any]):
    for values in (texts, texts + odd, odd + texts):
        assert PL._text_converter(values, CFG, False) == PL._convert(
            values, P.parse_text, PL._fast_text
        )


def _slow_date_column(raw, **kw):
    """The same reading with the fast path's shortcut unavailable (a column that says no)."""
    from sheetsync import column_read as C

    real = C._all_within
    C._all_within = lambda *a: False
    try:
        return read_date_column(raw, **kw)
    finally:
        C._all_within = real


AS_OF = dt.date(2026, 11, 26)
days = st.one_of(
    st.none(),
    st.just(""),
    st.dates(min_value=dt.date(1960, 1, 1), max_value=dt.date(2060, 12, 31)),
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    st.datetimes(min_value=dt.datetime(1960, 1, 1), max_value=dt.datetime(2060, 12, 31)),
    st.sampled_from(["2026-11-26", "26/11/69", "15.12.2026", "not a date", "2569-01-05"]),
)


@settings(max_examples=300)
@given(st.lists(days, max_size=25), st.sampled_from([None, "gregorian", "buddhist"]))
def test_the_date_column_reads_as_it_does_cell_by_cell(raw: list[Any], calendar):
    kw = dict(
        make_parser=lambda order: PL._date_parser(P.parse_date, False, None)(order),
        order="auto",
        calendar=calendar,
        as_of=AS_OF,
        what="close date",
    )
    fast, slow = read_date_column(raw, **kw), _slow_date_column(raw, **kw)
    assert (fast.values, fast.issues, fast.note) == (slow.values, slow.issues, slow.note)


def test_a_column_of_plausible_dates_takes_the_fast_path():
    from sheetsync import column_read as C

    raw = [dt.date(2026, 1, d) for d in range(1, 29)] + [None, ""]
    parsed = list(raw[:-1]) + [None]
    assert C._all_within(parsed, dt.date(1986, 1, 1), dt.date(2041, 12, 31))
    assert not C._all_within(
        [dt.date(2026, 1, 1), dt.datetime(2026, 1, 2)], dt.date(1986, 1, 1), dt.date(2041, 12, 31)
    )
    assert not C._all_within([dt.date(2062, 1, 1)], dt.date(1986, 1, 1), dt.date(2041, 12, 31))
