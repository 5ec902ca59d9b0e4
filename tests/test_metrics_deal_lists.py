"""The metrics' deal lists are counted without being made, and read as the lists they were."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetsync import jobs
from sheetsync.metrics import activity, compute_metrics
from sheetsync.metrics.facts import DealRef, DealRefs

SAMPLE = Path(__file__).resolve().parents[1] / "sample_workbooks" / "team_pipeline.xlsx"
AS_OF = dt.date(2026, 11, 26)
LISTS = ("overdue", "stale", "no_next_step", "undated")


@pytest.fixture(scope="module")
def pipeline():
    return jobs.check(str(SAMPLE), as_of=AS_OF).pipeline


def test_counting_a_deal_list_makes_none_of_its_refs(pipeline, monkeypatch):
    made: list[str] = []
    real = activity._ref

    def counting(d, extra):
        made.append(d.key)
        return real(d, extra)

    monkeypatch.setattr(activity, "_ref", counting)
    m = compute_metrics(pipeline, AS_OF)
    sizes = {name: len(getattr(m, name)) for name in LISTS}
    assert sum(sizes.values()) > 10  # the sample has deals in every list
    assert made == []
    first = m.overdue[0]
    assert made == [first.key]
    assert m.overdue[0] is first  # made once


def test_a_lazy_deal_list_equals_the_list_the_rule_gives(pipeline):
    m = compute_metrics(pipeline, AS_OF)
    eager = {
        "overdue": activity.overdue_deals(pipeline, AS_OF),
        "stale": activity.stale_deals(pipeline, AS_OF),
        "no_next_step": activity.no_next_step_deals(pipeline, AS_OF),
        "undated": activity.undated_deals(pipeline),
    }
    for name, want in eager.items():
        got = getattr(m, name)
        assert isinstance(got, DealRefs) and isinstance(want, list)
        assert got == want and list(got) == want, name
        assert got[-1] == want[-1] and got[1:3] == want[1:3]
        assert [r.to_dict() for r in got] == [r.to_dict() for r in want]
    with pytest.raises(IndexError):
        m.undated[len(m.undated)]


def test_deal_refs_compare_by_content():
    a = DealRef("k", "Deal", "Ana", "Proposal", 10.0, 5, {"x": 1})
    refs = DealRefs([1, 2], lambda n: DealRef(f"k{n}", "D", None, None, None, n))
    assert refs == [
        DealRef("k1", "D", None, None, None, 1),
        DealRef("k2", "D", None, None, None, 2),
    ]
    assert refs != [a] and refs != [] and DealRefs([], lambda n: a) == []
