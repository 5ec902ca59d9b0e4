"""How drafts greet a contact: Salutation cell, titles, family-name-first names, fallbacks."""

from __future__ import annotations

import pytest
from test_drafts import at, body, deal, draft, only, parsed, pipeline, settings

from sheetsync.drafts.names import given_name, greeting


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Jane Doe", ("Jane", False)),
        ("Dr. Anna Weber", ("Dr. Weber", True)),
        ("Herr Dr. Weber", ("Herr Dr. Weber", True)),
        ("Herr Weber", ("Herr Weber", True)),
        ("Frau Anna Weber", ("Frau Weber", True)),
        ("Prof. Dr. Klaus Richter", ("Prof. Dr. Richter", True)),
        ("Mme Claire Dubois", ("Mme Dubois", True)),
        ("Sra. María López García", ("Sra. López", True)),  # the first surname
        ("Mr. John Smith", ("Mr. Smith", True)),
        ("Müller, Zoë", ("Zoë", False)),  # family, given
        ("นายสมชาย ใจดี", ("คุณสมชาย", True)),  # Thai: คุณ + the given name
        ("นางสาวสมหญิง รักดี", ("คุณสมหญิง", True)),
        ("สมชาย ใจดี", ("คุณสมชาย", True)),
        ("TANAKA Hiroshi", ("TANAKA Hiroshi", True)),  # family name first: never "Hi TANAKA"
        ("田中 太郎", ("田中 太郎", True)),
        ("王伟", ("王伟", True)),
        ("jane.doe@acme.com", None),
        ("Dr.", None),
        ("J. Smith", None),
        ("", None),
        (None, None),
    ],
)
def test_the_greeting_comes_from_the_name_with_titles_handled(name, expected):
    assert greeting(name) == expected


@pytest.mark.parametrize(
    ("name", "salutation", "expected"),
    [
        ("Anna Weber", "Frau", ("Frau Weber", True)),  # a bare title: with the family name
        ("Anna Weber", "Dr. Weber", ("Dr. Weber", True)),  # a name: as written
        ("Somchai Jaidee", "Khun Somchai", ("Khun Somchai", True)),
        ("Somchai Jaidee", "สมชาย", ("คุณสมชาย", True)),
        ("Dr. Anna Weber", "Anna", ("Anna", False)),  # the rep knows her as Anna
        ("jane.doe@acme.com", "Jane", ("Jane", False)),
        ("Anna Weber", "  ", ("Anna", False)),  # blank cell: the name decides
    ],
)
def test_a_salutation_cell_wins_over_the_name(name, salutation, expected):
    assert greeting(name, salutation) == expected


def test_the_given_name_is_never_a_title_or_an_address():
    assert given_name("Dr. Anna Weber") is None  # formal: no first name to use
    assert given_name("Jane Doe") == "Jane"
    assert given_name("jane.doe@acme.com") is None


def _first_line(name, **raw):
    d = deal("G", next_appointment=at(1, 10), contact_name=name)
    d.raw = {**d.raw, **raw}
    run = draft(pipeline(d), s=settings(kinds=("appointment-reminder",)))
    return body(parsed(only(run, "appointment-reminder").message)).splitlines()[0]


@pytest.mark.parametrize(
    ("name", "raw", "line"),
    [
        ("Jane Doe", {}, "Hi Jane,"),
        ("Dr. Anna Weber", {}, "Dear Dr. Weber,"),
        ("Herr Weber", {}, "Dear Herr Weber,"),
        ("jane.doe@acme.com", {}, "Hello,"),
        (None, {}, "Hello,"),
        ("TANAKA Hiroshi", {}, "Dear TANAKA Hiroshi,"),
        ("Anna Weber", {"salutation": "Frau"}, "Dear Frau Weber,"),
    ],
)
def test_drafts_greet_like_a_rep_would(name, raw, line):
    assert _first_line(name, **raw) == line
