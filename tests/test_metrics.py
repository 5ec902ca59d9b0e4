"""Pin every metric against hand-computed examples (the arithmetic is in the comments).

As-of date T = 2026-11-15 throughout, so P = 2026-Q4 = 2026-10-01 .. 2026-12-31
(92 days) and the win-rate window is (2025-11-15, 2026-11-15].
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.config import Config
from sheetsync.errors import ConfigError
from sheetsync.history import History, record, stage_history_for_metrics, summarize
from sheetsync.metrics import (
    ADVICE,
    MetricsSettings,
    Period,
    appointment_stage,
    average_deal_size,
    coaching_signals,
    compute_metrics,
    compute_win_rate,
    furthest_index,
    no_next_step_deals,
    open_stage_counts,
    overdue_deals,
    owner_key,
    period_bounds,
    presentation_stages,
    qualification_stage,
    quiet_since,
    quota_for,
    quota_progress,
    reached_counts,
    rot_days_for,
    sales_cycle_days,
    sales_velocity,
    stage_mix,
    stale_deals,
    undated_deals,
)
from sheetsync.model import Deal, Outcome, Pipeline, Quota, Stage

T = dt.date(2026, 11, 15)
Q4 = Period(dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026-Q4")

# HubSpot's default pipeline: appointment = "Appointment Scheduled" (index 0, by name),
# qualification = "Qualified to Buy" (index 1), presentation = "Presentation Scheduled".
HUBSPOT = [
    Stage("Appointment Scheduled", 0, 0.2),
    Stage("Qualified to Buy", 1, 0.4),
    Stage("Presentation Scheduled", 2, 0.6),
    Stage("Decision Maker Bought-In", 3, 0.8),
    Stage("Contract Sent", 4, 0.9),
    Stage("Closed Won", 5, 1.0, Outcome.WON),
    Stage("Closed Lost", 6, 0.0, Outcome.LOST),
]

# A pipeline whose appointment stage is the second one, so "reached the
# appointment" differs from "is in the sheet".
LEAD_FIRST = [
    Stage("Lead", 0, 0.1),
    Stage("Meeting booked", 1, 0.3),
    Stage("Proposal", 2, 0.6),
    Stage("Won", 3, 1.0, Outcome.WON),
    Stage("Lost", 4, 0.0, Outcome.LOST),
]


def ago(n: int) -> dt.date:
    """The date ``n`` days before T (negative: after)."""
    return T - dt.timedelta(days=n)


def deal(
    key: str,
    stage: str,
    *,
    owner: str | None = "Ana",
    amount: float | None = 1000.0,
    stages: list[Stage] = HUBSPOT,
    **fields: Any,
) -> Deal:
    st = next((s for s in stages if s.name == stage), None)
    return Deal(
        row=0,
        key=key,
        deal=f"Deal {key}",
        owner=owner,
        stage=stage,
        stage_index=st.index if st else None,
        status=st.outcome if st else Outcome.OPEN,
        amount=amount,
        **fields,
    )


def pipeline(
    *deals: Deal, stages: list[Stage] = HUBSPOT, quotas: tuple[Quota, ...] = ()
) -> Pipeline:
    for i, d in enumerate(deals):
        d.row = i + 2  # header in row 1
    return Pipeline(
        source="test.xlsx",
        deals_tab="Deals",
        deals=list(deals),
        stages=list(stages),
        quotas=list(quotas),
    )


def signal_codes(signals, owner: str | None = None) -> list[str]:
    return [s.code for s in signals if s.owner == owner]


def only(signals, code: str, owner: str | None = None):
    found = [s for s in signals if s.code == code and s.owner == owner]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- settings and periods


def test_default_settings_are_the_documented_ones():
    s = MetricsSettings()
    assert (s.period, s.win_rate_window_days, s.default_rot_days) == ("quarter", 365, 14)
    assert s.late_stage_probability == 0.6
    assert (s.top_empty_min_late, s.top_empty_max_early) == (3, 0)
    assert (s.bottom_empty_min_early, s.bottom_empty_max_late) == (5, 1)
    assert (s.closing_min_appointments, s.closing_max_conversion) == (5, 0.2)
    assert (s.big_deal_share, s.big_deal_max_deals, s.big_deal_min_open) == (0.5, 5, 3)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"period": "week"},
        {"win_rate_window_days": 0},
        {"default_rot_days": -1},
        {"late_stage_probability": 1.5},
        {"big_deal_share": -0.1},
    ],
)
def test_invalid_settings_raise_a_config_error(kwargs):
    with pytest.raises(ConfigError):
        MetricsSettings(**kwargs)


def test_period_bounds_quarter_month_and_year_contain_the_as_of_date():
    assert period_bounds(T) == (dt.date(2026, 10, 1), dt.date(2026, 12, 31), "2026-Q4")
    assert period_bounds(T, "month") == (dt.date(2026, 11, 1), dt.date(2026, 11, 30), "2026-11")
    assert period_bounds(T, "year") == (dt.date(2026, 1, 1), dt.date(2026, 12, 31), "2026")
    # quarter edges and a leap February
    assert period_bounds(dt.date(2026, 3, 31)) == (
        dt.date(2026, 1, 1),
        dt.date(2026, 3, 31),
        "2026-Q1",
    )
    assert period_bounds(dt.date(2026, 4, 1))[2] == "2026-Q2"
    assert period_bounds(dt.date(2028, 2, 10), "month")[1] == dt.date(2028, 2, 29)


def test_period_bounds_rejects_an_unknown_period():
    with pytest.raises(ConfigError):
        period_bounds(T, "fortnight")


# --------------------------------------------------------------------------- quota_for


def q(owner: str, start: dt.date, end: dt.date, amount: float) -> Quota:
    return Quota(owner, start, end, amount)


def test_quota_for_uses_the_quota_whose_period_is_exactly_p():
    quotas = [
        q("Ana", dt.date(2026, 10, 1), dt.date(2026, 12, 31), 10000),
        q("Ana", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 99999),  # ignored: exact one wins
        q("Ben", dt.date(2026, 10, 1), dt.date(2026, 12, 31), 7000),
    ]
    assert quota_for(quotas, "Ana", Q4.start, Q4.end) == 10000


def test_quota_for_sums_two_quotas_for_exactly_p():
    quotas = [q("Ana", Q4.start, Q4.end, 6000), q("Ana", Q4.start, Q4.end, 4000)]
    assert quota_for(quotas, "Ana", Q4.start, Q4.end) == 10000  # 6000 + 4000


def test_quota_for_prorates_a_yearly_quota_by_days():
    quotas = [q("Ben", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 36500)]
    # 36500 × 92 days of Q4 / 365 days of 2026 = 9200
    assert quota_for(quotas, "Ben", Q4.start, Q4.end) == pytest.approx(9200)
    # for November alone: 36500 × 30 / 365 = 3000
    assert quota_for(quotas, "Ben", dt.date(2026, 11, 1), dt.date(2026, 11, 30)) == pytest.approx(
        3000
    )


def test_quota_for_prorates_the_shortest_quota_containing_p():
    quotas = [
        q("Ben", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 100000),
        q("Ben", dt.date(2026, 7, 1), dt.date(2026, 12, 31), 18400),  # H2: 184 days
    ]
    # 18400 × 92 / 184 = 9200
    assert quota_for(quotas, "Ben", Q4.start, Q4.end) == pytest.approx(9200)


def test_quota_for_sums_monthly_quotas_inside_p():
    quotas = [
        q("Cy", dt.date(2026, 10, 1), dt.date(2026, 10, 31), 1000),
        q("Cy", dt.date(2026, 11, 1), dt.date(2026, 11, 30), 2000),
        q("Cy", dt.date(2026, 12, 1), dt.date(2026, 12, 31), 3000),
        q("Cy", dt.date(2027, 1, 1), dt.date(2027, 1, 31), 9000),  # outside P
        q("Cy", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 50000),  # inside ones win
    ]
    assert quota_for(quotas, "Cy", Q4.start, Q4.end) == 6000  # 1000 + 2000 + 3000


def test_quota_for_ignores_partly_overlapping_and_other_owners_quotas():
    quotas = [
        q("Ana", dt.date(2026, 11, 1), dt.date(2027, 1, 31), 5000),  # straddles P
        q("Ana", dt.date(2026, 12, 31), dt.date(2026, 10, 1), 5000),  # end before start
        q("Ben", Q4.start, Q4.end, 7000),
    ]
    assert quota_for(quotas, "Ana", Q4.start, Q4.end) is None
    assert quota_for([], "Ana", Q4.start, Q4.end) is None


def test_quota_for_matches_owner_names_ignoring_case_and_spacing():
    quotas = [q("  ana   MARIA ", Q4.start, Q4.end, 1234)]
    assert quota_for(quotas, "Ana Maria", Q4.start, Q4.end) == 1234


# --------------------------------------------------------------------------- quota progress


def quota_scenario() -> Pipeline:
    return pipeline(
        # Ana (quota 10000 for Q4)
        deal("a-won-in", "Closed Won", amount=3000, close_date=dt.date(2026, 10, 20)),
        deal("a-won-later", "Closed Won", amount=1000, close_date=dt.date(2026, 11, 20)),
        deal("a-won-before", "Closed Won", amount=500, close_date=dt.date(2026, 9, 30)),
        deal("a-contract", "Contract Sent", amount=4000, close_date=dt.date(2026, 12, 10)),
        deal(
            "a-present",
            "Presentation Scheduled",
            amount=2000,
            probability=0.25,
            close_date=dt.date(2026, 11, 30),
        ),
        deal("a-next-q", "Qualified to Buy", amount=1000, close_date=dt.date(2027, 1, 15)),
        deal("a-undated", "Appointment Scheduled", amount=800),
        deal("a-lost", "Closed Lost", amount=1000, close_date=dt.date(2026, 6, 1)),
        deal("a-overdue", "Qualified to Buy", amount=500, close_date=dt.date(2026, 10, 5)),
        # Ben (yearly quota 36500 → 9200 for Q4)
        deal("b-won", "Closed Won", owner="Ben", amount=10000, close_date=dt.date(2026, 11, 1)),
        deal(
            "b-open",
            "Decision Maker Bought-In",
            owner="Ben",
            amount=5000,
            close_date=dt.date(2026, 12, 1),
        ),
        # Carl (no quota)
        deal(
            "c-open",
            "Appointment Scheduled",
            owner="Carl",
            amount=1000,
            close_date=dt.date(2026, 12, 15),
        ),
        # no owner: counts for the team only
        deal("n-won", "Closed Won", owner=None, amount=2000, close_date=dt.date(2026, 10, 10)),
        quotas=(
            q("Ana", Q4.start, Q4.end, 10000),
            q("Ben", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 36500),
            q("Dana", Q4.start, Q4.end, 5000),  # a quota, no deals
            q("Eve", dt.date(2026, 7, 1), dt.date(2026, 9, 30), 5000),  # Q3 only: not listed
        ),
    )


def test_quota_progress_per_owner_pins_won_open_expected_and_ratios():
    m = compute_metrics(quota_scenario(), T)
    owners = {o["owner"]: o for o in m.to_dict()["owners"]}
    assert list(owners) == ["Ana", "Ben", "Carl", "Dana"]  # sorted, Eve has no Q4 quota
    # Ana: won = 3000 (a-won-later is after T, a-won-before before P)
    #   open = 4000 + 2000 + 500 (a-overdue is in P) = 6500; a-next-q outside P, a-undated apart
    #   expected = 4000×0.9 + 2000×0.25 (own probability) + 500×0.4 = 3600 + 500 + 200 = 4300
    #   to_generate = 10000 − 3000 − 4300 = 2700; attainment = 3000/10000 = 0.3
    #   coverage = 6500 / (10000 − 3000) = 0.928571… → 0.9286
    #   win rate: won a-won-in, a-won-before; lost a-lost; a-won-later is after T → 2/3
    #   needed coverage = 1 / (2/3) = 1.5
    assert owners["Ana"] == {
        "owner": "Ana",
        "quota": 10000.0,
        "won": 3000.0,
        "open_amount": 6500.0,
        "expected": 4300.0,
        "to_generate": 2700.0,
        "attainment": 0.3,
        "coverage": 0.9286,
        "needed_coverage": 1.5,
        "win_rate": 0.6667,
        "open_count": 3,
        "undated_count": 1,
        "net_gap": None,
    }
    # Ben: quota 36500 × 92/365 = 9200; won 10000; open 5000; expected 5000×0.8 = 4000
    #   to_generate = max(0, 9200 − 10000 − 4000) = 0; attainment = 10000/9200 = 1.086956… → 1.087
    #   coverage: max(9200 − 10000, 0) = 0 → None; win rate 1/1 = 1 → needed 1
    assert owners["Ben"] == {
        "owner": "Ben",
        "quota": 9200.0,
        "won": 10000.0,
        "open_amount": 5000.0,
        "expected": 4000.0,
        "to_generate": 0.0,
        "attainment": 1.087,
        "coverage": None,
        "needed_coverage": 1.0,
        "win_rate": 1.0,
        "open_count": 1,
        "undated_count": 0,
        "net_gap": None,
    }
    # Carl: no quota → quota, to_generate, attainment, coverage None; no closed deals → no rate
    #   open = 1000, expected = 1000 × 0.2 = 200
    assert owners["Carl"] == {
        "owner": "Carl",
        "quota": None,
        "won": 0.0,
        "open_amount": 1000.0,
        "expected": 200.0,
        "to_generate": None,
        "attainment": None,
        "coverage": None,
        "needed_coverage": None,
        "win_rate": None,
        "open_count": 1,
        "undated_count": 0,
        "net_gap": None,
    }
    # Dana: quota 5000, nothing else: to_generate 5000, attainment 0, coverage 0 / 5000 = 0
    assert owners["Dana"]["quota"] == 5000.0
    assert owners["Dana"]["to_generate"] == 5000.0
    assert owners["Dana"]["attainment"] == 0.0
    assert owners["Dana"]["coverage"] == 0.0
    assert owners["Dana"]["win_rate"] is None


def test_quota_progress_for_the_team_sums_owner_quotas_and_counts_every_deal():
    m = compute_metrics(quota_scenario(), T)
    # quota = 10000 + 9200 + 5000 = 24200 (Carl none)
    # won = 3000 + 10000 + 2000 (no owner) = 15000
    # open = 6500 + 5000 + 1000 = 12500; expected = 4300 + 4000 + 200 = 8500
    # to_generate = Σ the reps' own gaps = Ana 2700 + Ben 0 + Dana 5000 (Carl has no quota)
    #   = 7700: Ben's surplus (he is 4800 ahead) does not hide Dana's gap
    # net_gap = 24200 − 15000 − 8500 = 700; attainment = 15000/24200 = 0.619834… → 0.6198
    # coverage = 12500 / (24200 − 15000) = 12500/9200 = 1.358695… → 1.3587
    # win rate: won a-won-in, a-won-before, b-won, n-won; lost a-lost → 4/5 = 0.8 → needed 1.25
    assert m.to_dict()["team"] == {
        "owner": None,
        "quota": 24200.0,
        "won": 15000.0,
        "open_amount": 12500.0,
        "expected": 8500.0,
        "to_generate": 7700.0,
        "attainment": 0.6198,
        "coverage": 1.3587,
        "needed_coverage": 1.25,
        "win_rate": 0.8,
        "open_count": 5,
        "undated_count": 1,
        "net_gap": 700.0,
    }


def test_quota_progress_with_no_quotas_has_no_team_quota():
    m = compute_metrics(pipeline(deal("x", "Contract Sent", close_date=dt.date(2026, 12, 1))), T)
    assert m.team.quota is None
    assert m.team.to_generate is None and m.team.coverage is None
    assert m.team.open_amount == 1000.0  # still shown


def test_quota_progress_helper_counts_deals_without_amount_as_zero():
    p = pipeline(
        deal("no-amount", "Contract Sent", amount=None, close_date=dt.date(2026, 12, 1)),
        deal("with", "Contract Sent", amount=1000, close_date=dt.date(2026, 12, 1)),
    )
    qp = quota_progress(p, p.deals, owner="Ana", quota=2000, period=Q4, as_of=T, win_rate=0.25)
    # open = 0 + 1000; expected = 1000 × 0.9 = 900; to_generate = 2000 − 0 − 900 = 1100
    # coverage = 1000 / 2000 = 0.5; needed = 1 / 0.25 = 4
    assert (qp.open_count, qp.open_amount, qp.expected) == (2, 1000.0, 900.0)
    assert (qp.to_generate, qp.coverage, qp.needed_coverage) == (1100.0, 0.5, 4.0)


def test_quota_progress_with_a_zero_quota_has_no_attainment_or_coverage():
    p = pipeline(deal("x", "Closed Won", close_date=dt.date(2026, 10, 2)))
    qp = quota_progress(p, p.deals, owner="Ana", quota=0.0, period=Q4, as_of=T, win_rate=0.0)
    assert qp.attainment is None and qp.coverage is None
    assert qp.to_generate == 0.0  # max(0, 0 − 1000 − 0)
    assert qp.needed_coverage is None  # win rate 0


def test_quota_progress_uses_the_month_period_when_configured():
    p = pipeline(
        deal("oct", "Closed Won", amount=700, close_date=dt.date(2026, 10, 20)),
        deal("nov", "Closed Won", amount=300, close_date=dt.date(2026, 11, 2)),
        quotas=(q("Ana", dt.date(2026, 1, 1), dt.date(2026, 12, 31), 36500),),
    )
    m = compute_metrics(p, T, MetricsSettings(period="month"))
    assert m.to_dict()["period"] == {"start": "2026-11-01", "end": "2026-11-30", "label": "2026-11"}
    # quota 36500 × 30/365 = 3000; won in November = 300; attainment 0.1
    assert (m.owners[0].quota, m.owners[0].won) == (pytest.approx(3000), 300.0)
    assert m.owners[0].attainment == pytest.approx(0.1)


def test_owner_blocks_merge_spellings_and_use_the_first_deals_spelling():
    p = pipeline(
        deal("1", "Contract Sent", owner="ana  maria", close_date=dt.date(2026, 12, 1)),
        deal("2", "Contract Sent", owner="Ana Maria", close_date=dt.date(2026, 12, 1)),
        deal("3", "Contract Sent", owner="   "),  # blank owner: team only
        quotas=(q("ANA MARIA", Q4.start, Q4.end, 4000),),
    )
    m = compute_metrics(p, T)
    assert [(o.owner, o.quota, o.open_count) for o in m.owners] == [("ana maria", 4000, 2)]
    assert m.team.undated_count == 1  # deal 3 has no close date


# --------------------------------------------------------------------------- stage mix


def test_stage_mix_lists_open_stages_in_order_with_count_amount_and_weighted():
    p = pipeline(
        deal("a1", "Appointment Scheduled", amount=1000),  # 1000 × 0.2 = 200
        deal("a2", "Appointment Scheduled", amount=500, probability=0.5),  # 500 × 0.5 = 250
        deal("p1", "Presentation Scheduled", amount=None),  # no amount: 0
        deal("c1", "Contract Sent", amount=2000),  # 2000 × 0.9 = 1800
        deal("w", "Closed Won", amount=9999),  # closed: not in the mix
        deal("l", "Closed Lost", amount=9999),
        deal("?", "Mystery stage", amount=9999),  # unknown stage: left out
    )
    assert [s.to_dict() for s in stage_mix(p)] == [
        {"name": "Appointment Scheduled", "count": 2, "amount": 1500.0, "weighted": 450.0},
        {"name": "Qualified to Buy", "count": 0, "amount": 0.0, "weighted": 0.0},
        {"name": "Presentation Scheduled", "count": 1, "amount": 0.0, "weighted": 0.0},
        {"name": "Decision Maker Bought-In", "count": 0, "amount": 0.0, "weighted": 0.0},
        {"name": "Contract Sent", "count": 1, "amount": 2000.0, "weighted": 1800.0},
    ]
    assert compute_metrics(p, T).stages == stage_mix(p)


def test_open_stage_counts_are_the_stage_mix_counts_of_each_group():
    p = pipeline(
        deal("a1", "Appointment Scheduled", owner="Ana"),
        deal("a2", "Contract Sent", owner="ana "),
        deal("b1", "Appointment Scheduled", owner="Bo"),
        deal("b2", "Closed Won", owner="Bo"),  # closed: not counted
        deal("n1", "Qualified to Buy", owner=None),
        deal("?", "Mystery stage", owner="Cy"),  # unknown stage: Cy gets no entry
    )
    counts = open_stage_counts(p, lambda d: owner_key(d.owner))
    assert set(counts) == {"ana", "bo", None}
    for key, row in counts.items():
        group = [d for d in p.deals if owner_key(d.owner) == key]
        assert row == [s.count for s in stage_mix(p, group)]
    assert counts["ana"] == [1, 0, 0, 0, 1]


def test_metrics_to_dict_without_deal_lists_is_the_same_dict_less_those_lists():
    p = pipeline(
        deal("o", "Contract Sent", close_date=ago(3)),  # overdue
        deal("u", "Appointment Scheduled"),  # undated
    )
    m = compute_metrics(p, T)
    full = m.to_dict()
    short = m.to_dict(deal_lists=False)
    lists = ("overdue", "stale", "no_next_step", "undated")
    assert full["overdue"] and full["undated"]
    assert list(short) == [k for k in full if k not in lists]  # same keys, same order
    assert short == {k: v for k, v in full.items() if k not in lists}


# --------------------------------------------------------------------------- reached


def reach_deals() -> list[Deal]:
    return [
        deal("open-appt", "Appointment Scheduled"),
        deal("open-pres", "Presentation Scheduled"),
        deal("won", "Closed Won"),
        deal("lost-nowhere", "Closed Lost"),
        deal("lost-qual", "Closed Lost", lost_stage="qualified  TO buy"),  # matched loosely
    ]


def test_reached_counts_without_history_uses_lost_stage_or_the_first_stage():
    p = pipeline(*reach_deals())
    # furthest index: open-appt 0, open-pres 2, won ∞, lost-nowhere 0 (first stage), lost-qual 1
    # reached: Appt 5; Qual (pres, won, lost-qual) 3; Pres (pres, won) 2; DM 1; Contract 1; Won 1
    # conversion: 3/5 = 0.6; 2/3 = 0.6667; 1/2 = 0.5; 1/1; 1/1; last None
    assert [r.to_dict() for r in reached_counts(p)] == [
        {"name": "Appointment Scheduled", "reached": 5, "conversion": 0.6},
        {"name": "Qualified to Buy", "reached": 3, "conversion": 0.6667},
        {"name": "Presentation Scheduled", "reached": 2, "conversion": 0.5},
        {"name": "Decision Maker Bought-In", "reached": 1, "conversion": 1.0},
        {"name": "Contract Sent", "reached": 1, "conversion": 1.0},
        {"name": "Closed Won", "reached": 1, "conversion": None},
    ]


def test_reached_counts_takes_the_furthest_stage_from_history():
    p = pipeline(*reach_deals())
    history = {
        "lost-nowhere": (None, "Presentation Scheduled"),  # lost after the presentation
        "open-appt": (None, "Decision Maker Bought-In"),  # went back to the appointment
        "lost-qual": (None, "Appointment Scheduled"),  # the lost_stage column is further
    }
    # furthest: open-appt 3, open-pres 2, won ∞, lost-nowhere 2, lost-qual 1
    # reached: Appt 5; Qual 5; Pres (appt, pres, won, nowhere) 4; DM (appt, won) 2; Contract 1; Won 1
    # conversion: 5/5 = 1; 4/5 = 0.8; 2/4 = 0.5; 1/2 = 0.5; 1/1 = 1; None
    got = [(r.reached, r.conversion) for r in reached_counts(p, history=history)]
    assert got == [(5, 1.0), (5, 0.8), (4, 0.5), (2, 0.5), (1, 1.0), (1, None)]
    assert [r.reached for r in compute_metrics(p, T, history=history).reached] == [5, 5, 4, 2, 1, 1]


def test_reached_counts_ignores_a_lost_stage_naming_a_closed_or_unknown_stage():
    p = pipeline(
        deal("l1", "Closed Lost", lost_stage="Closed Lost"),
        deal("l2", "Closed Lost", lost_stage="Somewhere"),
        deal("?", "Mystery stage"),  # open, unknown stage: reaches nothing
    )
    assert furthest_index(p, p.deals[2]) == float("-inf")
    # both lost deals reach only the first stage; conversion 0/2 = 0, then 0/0 → None
    assert [(r.reached, r.conversion) for r in reached_counts(p)] == [
        (2, 0.0),
        (0, None),
        (0, None),
        (0, None),
        (0, None),
        (0, None),
    ]


# --------------------------------------------------------------------------- win rate, size, cycle


def test_win_rate_counts_only_deals_closed_in_the_trailing_window():
    deals = [
        deal("won-today", "Closed Won", amount=1000, close_date=T),  # in (T is included)
        deal("won-364", "Closed Won", amount=3000, close_date=ago(364)),  # in
        deal("won-365", "Closed Won", amount=9999, close_date=ago(365)),  # out (window open)
        deal("lost-100", "Closed Lost", amount=2000, close_date=ago(100)),  # in
        deal("lost-10", "Closed Lost", amount=500, close_date=ago(10)),  # in
        deal("lost-future", "Closed Lost", amount=7777, close_date=ago(-1)),  # out (after T)
        deal("lost-undated", "Closed Lost", amount=7777),  # out (no close date)
        deal("open", "Contract Sent", amount=5000, close_date=ago(5)),  # open: never counted
    ]
    wr = compute_win_rate(deals, T)
    # count = 2 won / 4 closed = 0.5; value = 4000 / (4000 + 2500) = 0.615384… → 0.6154
    assert wr.to_dict() == {"count": 0.5, "value": 0.6154, "won": 2, "lost": 2, "window_days": 365}
    # a 30-day window keeps won-today and lost-10: count 1/2, value 1000/1500 = 0.6667
    assert compute_win_rate(deals, T, 30).to_dict() == {
        "count": 0.5,
        "value": 0.6667,
        "won": 1,
        "lost": 1,
        "window_days": 30,
    }
    p = pipeline(*deals)
    assert compute_metrics(p, T).win_rate == wr
    assert compute_metrics(p, T, MetricsSettings(win_rate_window_days=30)).win_rate.won == 1


def test_win_rate_is_none_without_closed_deals_and_value_none_without_amounts():
    assert compute_win_rate([deal("o", "Contract Sent")], T).to_dict() == {
        "count": None,
        "value": None,
        "won": 0,
        "lost": 0,
        "window_days": 365,
    }
    wr = compute_win_rate([deal("l", "Closed Lost", amount=None, close_date=ago(1))], T)
    assert (wr.count, wr.value) == (0.0, None)  # 0 won / 1; value 0 / 0


def size_cycle_deals() -> list[Deal]:
    return [
        # won in the window
        deal("w1", "Closed Won", amount=1000, created=ago(40), close_date=ago(10)),  # 30 days
        deal("w2", "Closed Won", amount=3000, created=ago(80), close_date=ago(20)),  # 60 days
        deal("w3", "Closed Won", amount=None, created=ago(50), close_date=ago(5)),  # 45 days
        deal("w4", "Closed Won", amount=5000, close_date=ago(3)),  # no created date
        # won outside the window: ignored by all three
        deal("old", "Closed Won", amount=100000, created=ago(500), close_date=ago(400)),
        deal("l1", "Closed Lost", amount=2000, created=ago(90), close_date=ago(30)),
        deal("o1", "Appointment Scheduled"),
        deal("o2", "Contract Sent", close_date=ago(-30)),
        deal("o3", "Qualified to Buy"),
    ]


def test_average_deal_size_is_won_amount_over_won_deals_with_an_amount_in_the_window():
    # (1000 + 3000 + 5000) / 3 = 3000 (w3 has no amount, old is outside the window)
    assert average_deal_size(size_cycle_deals(), T) == 3000.0
    assert average_deal_size([deal("l", "Closed Lost", close_date=ago(1))], T) is None


def test_sales_cycle_is_the_mean_days_from_created_to_close_of_won_deals():
    # w1 30, w2 60, w3 45 (w4 has no created date, l1 is lost) → 135 / 3 = 45
    assert sales_cycle_days(size_cycle_deals(), T) == 45.0
    assert sales_cycle_days([deal("w", "Closed Won", close_date=ago(1))], T) is None


def test_velocity_is_open_count_times_size_times_win_rate_over_cycle():
    m = compute_metrics(pipeline(*size_cycle_deals()), T)
    # win rate by count: won w1..w4 = 4, lost l1 = 1 → 0.8;
    # value: (1000 + 3000 + 0 + 5000) / (9000 + 2000) = 0.818181… → 0.8182
    # velocity = 3 open × 3000 × 0.8 / 45 days = 7200 / 45 = 160 per day
    d = m.to_dict()
    assert d["win_rate"]["count"] == 0.8 and d["win_rate"]["value"] == 0.8182
    assert (d["avg_deal_size"], d["cycle_days"], d["velocity"]) == (3000.0, 45.0, 160.0)


def test_velocity_is_none_when_a_factor_is_unknown_or_the_cycle_is_zero():
    assert sales_velocity(3, 3000, 0.8, 45) == 160.0
    assert sales_velocity(3, None, 0.8, 45) is None
    assert sales_velocity(3, 3000, None, 45) is None
    assert sales_velocity(3, 3000, 0.8, None) is None
    assert sales_velocity(3, 3000, 0.8, 0) is None
    # won the day it was created: cycle 0 → no velocity
    m = compute_metrics(pipeline(deal("w", "Closed Won", created=ago(1), close_date=ago(1))), T)
    assert (m.cycle_days, m.velocity) == (0.0, None)


# --------------------------------------------------------------------------- follow-up lists


def test_overdue_lists_open_deals_whose_close_date_passed_earliest_first():
    p = pipeline(
        deal("yesterday", "Contract Sent", close_date=ago(1)),
        deal("today", "Contract Sent", close_date=T),  # not overdue yet
        deal("month", "Qualified to Buy", close_date=ago(30)),
        deal("won", "Closed Won", close_date=ago(5)),  # closed
        deal("undated", "Contract Sent"),
    )
    assert [r.to_dict() for r in overdue_deals(p, T)] == [
        {
            "key": "month",
            "deal": "Deal month",
            "owner": "Ana",
            "stage": "Qualified to Buy",
            "amount": 1000.0,
            "row": 4,
            "close_date": "2026-10-16",
            "days_overdue": 30,
        },
        {
            "key": "yesterday",
            "deal": "Deal yesterday",
            "owner": "Ana",
            "stage": "Contract Sent",
            "amount": 1000.0,
            "row": 2,
            "close_date": "2026-11-14",
            "days_overdue": 1,
        },
    ]


ROT_STAGES = [
    Stage("Appointment Scheduled", 0, 0.2),  # rot None → default 14
    Stage("Qualified to Buy", 1, 0.4),  # rot None → default 14
    Stage("Presentation Scheduled", 2, 0.6, rot_days=0),  # never stale
    Stage("Contract Sent", 3, 0.9, rot_days=7),
    Stage("Closed Won", 4, 1.0, Outcome.WON),
    Stage("Closed Lost", 5, 0.0, Outcome.LOST),
]


def stale_pipeline() -> Pipeline:
    def d(key: str, stage: str, **kw: Any) -> Deal:
        return deal(key, stage, stages=ROT_STAGES, **kw)

    return pipeline(
        d("s1", "Appointment Scheduled", last_contact=ago(15)),  # 15 > 14: stale
        d("s2", "Appointment Scheduled", last_contact=ago(14)),  # 14: not stale
        d("s3", "Presentation Scheduled", last_contact=ago(100)),  # rot 0: off
        d("s4", "Contract Sent", created=ago(8)),  # no contact: since created, 8 > 7
        d("s5", "Contract Sent", created=ago(30), last_contact=ago(3)),  # 3: not stale
        d("s6", "Appointment Scheduled"),  # no dates: cannot tell
        d("s7", "Closed Won", last_contact=ago(300)),  # closed
        d("s8", "Qualified to Buy", last_contact=ago(20)),  # 20 > 14 unless history says
        stages=ROT_STAGES,
    )


def test_stale_uses_stage_rot_days_the_default_for_none_and_zero_turns_it_off():
    p = stale_pipeline()
    refs = stale_deals(p, T)
    # most days quiet first: s8 20, s1 15, s4 8
    assert [(r.key, r.extra["days_quiet"], r.extra["rot_days"]) for r in refs] == [
        ("s8", 20, 14),
        ("s1", 15, 14),
        ("s4", 8, 7),
    ]
    assert refs[2].to_dict() == {
        "key": "s4",
        "deal": "Deal s4",
        "owner": "Ana",
        "stage": "Contract Sent",
        "amount": 1000.0,
        "row": 5,
        "days_quiet": 8,
        "quiet_since": "2026-11-07",
        "rot_days": 7,
    }
    assert rot_days_for(ROT_STAGES[0], MetricsSettings()) == 14
    assert rot_days_for(ROT_STAGES[2], MetricsSettings()) == 0
    assert rot_days_for(None, MetricsSettings(default_rot_days=3)) == 3


def test_stale_with_default_rot_days_zero_only_keeps_stages_with_their_own():
    refs = stale_deals(stale_pipeline(), T, MetricsSettings(default_rot_days=0))
    assert [r.key for r in refs] == ["s4"]


def test_stale_counts_quiet_days_from_the_stage_entered_date_in_history():
    history = {"s8": (ago(5), None)}  # entered its stage 5 days ago, after the last contact
    assert "s8" not in [r.key for r in stale_deals(stale_pipeline(), T, history=history)]
    m = compute_metrics(stale_pipeline(), T, history=history)
    assert [r.key for r in m.stale] == ["s1", "s4"]


def test_quiet_since_is_the_latest_of_last_contact_stage_entered_and_created():
    d = deal("x", "Contract Sent", created=ago(30), last_contact=ago(10))
    assert quiet_since(d) == ago(10)
    assert quiet_since(d, {"x": (ago(4), None)}) == ago(4)
    assert quiet_since(deal("y", "Contract Sent", created=ago(30))) == ago(30)
    # a last contact before creation (a data slip) cannot make it quieter than created
    assert quiet_since(deal("z", "Contract Sent", created=ago(5), last_contact=ago(9))) == ago(5)
    assert quiet_since(deal("n", "Contract Sent")) is None


def test_no_next_step_lists_open_deals_without_an_appointment_or_with_a_past_one():
    past = dt.datetime(2026, 11, 14, 9, 0)
    p = pipeline(
        deal("none", "Contract Sent"),
        deal("past", "Contract Sent", next_appointment=past),
        deal("today", "Contract Sent", next_appointment=dt.datetime(2026, 11, 15, 8, 0)),
        deal("future", "Contract Sent", next_appointment=dt.datetime(2026, 12, 1, 10, 0)),
        deal("won", "Closed Won"),
    )
    refs = no_next_step_deals(p, T)
    assert [(r.key, r.extra["activity"]) for r in refs] == [("none", "none"), ("past", "overdue")]
    assert refs[1].to_dict()["next_appointment"] == "2026-11-14T09:00:00"
    assert refs[0].to_dict()["next_appointment"] is None


def test_undated_lists_open_deals_without_a_close_date():
    p = pipeline(
        deal("u1", "Contract Sent"),
        deal("dated", "Contract Sent", close_date=ago(-10)),
        deal("lost", "Closed Lost"),
        deal("u2", "Appointment Scheduled", amount=None),
    )
    assert [r.to_dict() for r in undated_deals(p)] == [
        {
            "key": "u1",
            "deal": "Deal u1",
            "owner": "Ana",
            "stage": "Contract Sent",
            "amount": 1000.0,
            "row": 2,
        },
        {
            "key": "u2",
            "deal": "Deal u2",
            "owner": "Ana",
            "stage": "Appointment Scheduled",
            "amount": None,
            "row": 5,
        },
    ]


# --------------------------------------------------------------------------- stage roles


def test_appointment_stage_prefers_kind_then_name_then_the_second_open_stage():
    kinded = pipeline(
        stages=[
            Stage("Meeting", 0, 0.1),
            Stage("First call", 1, 0.2, kind="appointment"),
            Stage("Won", 2, 1.0, Outcome.WON),
        ]
    )
    assert appointment_stage(kinded).name == "First call"
    assert appointment_stage(pipeline(stages=LEAD_FIRST)).name == "Meeting booked"
    named_demo = pipeline(
        stages=[Stage("Lead", 0), Stage("Demo  Scheduled", 1), Stage("Negotiation", 2)]
    )
    assert appointment_stage(named_demo).name == "Demo  Scheduled"
    unnamed = pipeline(
        stages=[
            Stage("Prospecting", 0),
            Stage("Discovery", 1),
            Stage("Negotiation", 2),
            Stage("Won", 3, outcome=Outcome.WON),
        ]
    )
    assert appointment_stage(unnamed).name == "Discovery"  # the second stage
    single = pipeline(stages=[Stage("Open", 0), Stage("Won", 1, outcome=Outcome.WON)])
    assert appointment_stage(single).name == "Open"
    assert appointment_stage(pipeline(stages=[])) is None


def test_qualification_stage_is_the_last_open_one_by_kind_or_name():
    assert qualification_stage(pipeline()).name == "Qualified to Buy"
    p = pipeline(
        stages=[
            Stage("Lead", 0),
            Stage("Qualification", 1),
            Stage("Pre-qualified", 2),
            Stage("Negotiation", 3),
            Stage("Disqualified", 4, outcome=Outcome.LOST),  # lost: never the qualification
        ]
    )
    assert qualification_stage(p).name == "Pre-qualified"
    assert qualification_stage(pipeline(stages=LEAD_FIRST)) is None


def test_presentation_stages_match_kind_or_name_but_not_the_appointment_by_name():
    assert [s.name for s in presentation_stages(pipeline())] == ["Presentation Scheduled"]
    p = pipeline(
        stages=[
            Stage("Demo scheduled", 0),  # the appointment stage (by name)
            Stage("Proposal", 1),
            Stage("Demo given", 2),
            Stage("Pitch", 3, kind="presentation"),
            Stage("Demo call", 4, kind="qualification"),  # its kind says otherwise
        ]
    )
    assert [s.name for s in presentation_stages(p)] == ["Proposal", "Demo given", "Pitch"]


# --------------------------------------------------------------------------- signals


def late_deals(owner: str = "Ana") -> list[Deal]:
    """Three late deals (p ≥ 0.6, the boundary included), dated, decision maker unknown."""
    return [
        deal(f"{owner}-pres", "Presentation Scheduled", owner=owner, close_date=ago(-20)),  # 0.6
        deal(f"{owner}-dm", "Decision Maker Bought-In", owner=owner, close_date=ago(-20)),  # 0.8
        deal(f"{owner}-contract", "Contract Sent", owner=owner, close_date=ago(-20)),  # 0.9
    ]


def test_top_of_funnel_empty_fires_with_three_late_deals_and_none_at_the_appointment():
    p = pipeline(*late_deals(), deal("qual", "Qualified to Buy"))  # 0.4: neither early nor late
    s = only(coaching_signals(p, p.deals, T), "top-of-funnel-empty")
    assert s.to_dict() == {
        "code": "top-of-funnel-empty",
        "owner": None,
        "message": "3 open deals are in late stages (p ≥ 60.0 %) and none at "
        "“Appointment Scheduled” or earlier.",
        "advice": "Make more prospecting (cold) calls.",
        "deals": ["Ana-pres", "Ana-dm", "Ana-contract"],
        "counts": {"late": 3, "early": 0},
    }


def test_top_of_funnel_empty_does_not_fire_with_an_appointment_or_too_few_late_deals():
    with_appt = pipeline(*late_deals(), deal("appt", "Appointment Scheduled"))
    assert "top-of-funnel-empty" not in signal_codes(
        coaching_signals(with_appt, with_appt.deals, T)
    )
    two_late = pipeline(*late_deals()[:2])
    assert "top-of-funnel-empty" not in signal_codes(coaching_signals(two_late, two_late.deals, T))
    # a deal's own probability below 0.6 makes it not late
    lowered = late_deals()
    lowered[0].probability = 0.59
    p = pipeline(*lowered)
    assert "top-of-funnel-empty" not in signal_codes(coaching_signals(p, p.deals, T))


def test_bottom_of_funnel_empty_fires_with_five_early_deals_and_at_most_one_late():
    early = [deal(f"e{i}", "Appointment Scheduled") for i in range(5)]
    p = pipeline(*early, deal("late", "Contract Sent"))
    s = only(coaching_signals(p, p.deals, T), "bottom-of-funnel-empty")
    assert s.counts == {"early": 5, "late": 1}
    assert s.deals == ("e0", "e1", "e2", "e3", "e4")
    assert s.message == (
        "5 open deals are at “Appointment Scheduled” or earlier and only 1 in late stages "
        "(p ≥ 60.0 %)."
    )
    assert s.advice == ADVICE["bottom-of-funnel-empty"]


def test_bottom_of_funnel_empty_does_not_fire_with_four_early_or_two_late_deals():
    four = pipeline(*[deal(f"e{i}", "Appointment Scheduled") for i in range(4)])
    assert "bottom-of-funnel-empty" not in signal_codes(coaching_signals(four, four.deals, T))
    five_two = pipeline(
        *[deal(f"e{i}", "Appointment Scheduled") for i in range(5)],
        *late_deals()[1:],
    )
    assert "bottom-of-funnel-empty" not in signal_codes(
        coaching_signals(five_two, five_two.deals, T)
    )


def closing_deals(won: int, lost: int) -> list[Deal]:
    out = [deal(f"w{i}", "Won", stages=LEAD_FIRST, close_date=ago(10 + i)) for i in range(won)]
    out += [
        deal(f"l{i}", "Lost", stages=LEAD_FIRST, lost_stage="Proposal", close_date=ago(20 + i))
        for i in range(lost)
    ]
    return out


def test_closing_weakness_fires_when_at_most_a_fifth_of_appointments_are_won():
    p = pipeline(
        *closing_deals(won=1, lost=4),
        # do not count: lost at the lead stage (never reached the meeting), closed too long ago
        deal("lead-lost", "Lost", stages=LEAD_FIRST, close_date=ago(5)),
        deal("old", "Lost", stages=LEAD_FIRST, lost_stage="Proposal", close_date=ago(400)),
        stages=LEAD_FIRST,
    )
    # reached "Meeting booked" and closed in the window: w0, l0..l3 = 5; won 1 → 1/5 = 0.2 ≤ 0.2
    s = only(coaching_signals(p, p.deals, T), "closing-weakness")
    assert s.to_dict()["counts"] == {"appointments": 5, "won": 1, "conversion": 0.2}
    assert s.deals == ("l0", "l1", "l2", "l3")
    assert s.message == (
        "Of 5 deals closed in the last 365 days that reached “Meeting booked”, 1 was won (20.0 %)."
    )
    assert s.advice == "Work on closing."


def test_closing_weakness_does_not_fire_with_a_good_conversion_or_few_appointments():
    good = pipeline(*closing_deals(won=2, lost=3), stages=LEAD_FIRST)  # 2/5 = 0.4 > 0.2
    assert "closing-weakness" not in signal_codes(coaching_signals(good, good.deals, T))
    few = pipeline(*closing_deals(won=0, lost=4), stages=LEAD_FIRST)  # 4 < 5 appointments
    assert "closing-weakness" not in signal_codes(coaching_signals(few, few.deals, T))
    # lost deals without a lost stage only reached "Lead": 1 won + 5 such lost → 1 appointment
    unknown = pipeline(
        *closing_deals(won=1, lost=0),
        *[deal(f"x{i}", "Lost", stages=LEAD_FIRST, close_date=ago(3)) for i in range(5)],
        stages=LEAD_FIRST,
    )
    assert "closing-weakness" not in signal_codes(coaching_signals(unknown, unknown.deals, T))


def test_decision_maker_unknown_fires_for_open_deals_at_or_past_the_appointment():
    p = pipeline(
        deal("lead", "Lead", stages=LEAD_FIRST),  # before the appointment: ignored
        deal("meet", "Meeting booked", stages=LEAD_FIRST),  # unknown: fires
        deal("prop-no", "Proposal", stages=LEAD_FIRST, decision_maker=False),  # fires
        deal("prop-yes", "Proposal", stages=LEAD_FIRST, decision_maker=True),
        deal("lost", "Lost", stages=LEAD_FIRST),
        stages=LEAD_FIRST,
    )
    s = only(coaching_signals(p, p.deals, T), "decision-maker-unknown")
    assert (s.deals, s.counts) == (("meet", "prop-no"), {"deals": 2})
    assert (
        s.message == "2 open deals at “Meeting booked” or later have no confirmed decision maker."
    )
    assert s.advice == "Confirm you are talking to the person who can buy."
    confirmed = pipeline(
        deal("prop-yes", "Proposal", stages=LEAD_FIRST, decision_maker=True), stages=LEAD_FIRST
    )
    assert "decision-maker-unknown" not in signal_codes(
        coaching_signals(confirmed, confirmed.deals, T)
    )


def test_budget_timeframe_unknown_fires_past_qualification_without_amount_or_close_date():
    p = pipeline(
        deal("pres-no-amount", "Presentation Scheduled", amount=None, close_date=ago(-20)),
        deal("contract-zero", "Contract Sent", amount=0, close_date=ago(-20)),
        deal("dm-no-date", "Decision Maker Bought-In", amount=5000),
        deal("qual-no-amount", "Qualified to Buy", amount=None),  # at qualification: ignored
        deal("complete", "Presentation Scheduled", amount=100, close_date=ago(-20)),
        deal("won-blank", "Closed Won", amount=None),
    )
    s = only(coaching_signals(p, p.deals, T), "budget-timeframe-unknown")
    assert s.deals == ("pres-no-amount", "contract-zero", "dm-no-date")
    assert s.counts == {"deals": 3, "no_amount": 2, "no_close_date": 1}
    assert s.message == (
        "3 open deals past “Qualified to Buy” lack an amount or an expected close date "
        "(2 without amount, 1 without close date)."
    )
    assert s.advice == "Ask about budget (similar past purchases) and urgency."
    complete = pipeline(deal("c", "Contract Sent", amount=1, close_date=ago(-20)))
    assert "budget-timeframe-unknown" not in signal_codes(
        coaching_signals(complete, complete.deals, T)
    )


def test_budget_timeframe_unknown_uses_the_appointment_without_a_qualification_stage():
    p = pipeline(
        deal("meet", "Meeting booked", stages=LEAD_FIRST, amount=None),  # at the boundary
        deal("prop", "Proposal", stages=LEAD_FIRST, amount=None),  # past it: fires
        stages=LEAD_FIRST,
    )
    assert only(coaching_signals(p, p.deals, T), "budget-timeframe-unknown").deals == ("prop",)


def test_stalled_prospect_fires_for_stale_deals_in_a_presentation_stage():
    p = pipeline(
        deal("pres-quiet", "Presentation Scheduled", last_contact=ago(20)),  # 20 > 14: fires
        deal("pres-fresh", "Presentation Scheduled", last_contact=ago(2)),
        deal("contract-quiet", "Contract Sent", last_contact=ago(20)),  # stale, not a demo stage
    )
    s = only(coaching_signals(p, p.deals, T), "stalled-prospect")
    assert (s.deals, s.counts) == (("pres-quiet",), {"deals": 1})
    assert s.message == (
        "1 deal in a presentation/demo stage has gone quiet past the stage's rot days."
    )
    assert s.advice == "Offer a free trial or demo."


def test_stalled_prospect_does_not_fire_when_the_stage_never_rots_or_history_is_fresh():
    quiet = deal("pres", "Presentation Scheduled", stages=ROT_STAGES, last_contact=ago(100))
    p = pipeline(quiet, stages=ROT_STAGES)  # Presentation Scheduled has rot_days 0
    assert "stalled-prospect" not in signal_codes(coaching_signals(p, p.deals, T))
    p2 = pipeline(deal("pres", "Presentation Scheduled", last_contact=ago(20)))
    fresh = {"pres": (ago(3), None)}  # entered the stage 3 days ago
    assert "stalled-prospect" not in signal_codes(coaching_signals(p2, p2.deals, T, history=fresh))


def test_big_deals_fires_when_few_deals_carry_half_the_weighted_value():
    p = pipeline(
        deal("big", "Contract Sent", amount=10000),  # 9000 weighted
        *[deal(f"s{i}", "Contract Sent", amount=1000) for i in range(6)],  # 900 each
        deal("blank", "Contract Sent", amount=None),  # no weighted value: not counted
    )
    # total = 9000 + 6 × 900 = 14400; half = 7200; "big" alone carries 9000 → 1 deal
    # 1 ≤ 5 deals and 1 < 0.5 × 7 open deals with value → fires; share 9000/14400 = 0.625
    s = only(coaching_signals(p, p.deals, T), "big-deals")
    assert s.to_dict() == {
        "code": "big-deals",
        "owner": None,
        "message": "1 of 7 open deals carries 62.5 % of the weighted pipeline "
        "(9,000.00 of 14,400.00).",
        "advice": "One large sale can outweigh several small ones.",
        "deals": ["big"],
        "counts": {
            "deals": 1,
            "open": 7,
            "share": 0.625,
            "weighted": 9000.0,
            "total_weighted": 14400.0,
        },
    }


def test_big_deals_names_the_largest_deals_first_until_the_share_is_reached():
    p = pipeline(
        deal("small0", "Contract Sent", amount=500, probability=1.0),
        deal("mid", "Contract Sent", amount=3000, probability=1.0),
        deal("top", "Contract Sent", amount=4000, probability=1.0),
        *[deal(f"small{i}", "Contract Sent", amount=500, probability=1.0) for i in range(1, 6)],
    )
    # total 4000 + 3000 + 6 × 500 = 10000; half 5000: top (4000) then mid (7000) → 2 deals
    # 2 ≤ 5 and 2 < 0.5 × 8 → fires; share 7000 / 10000 = 0.7
    s = only(coaching_signals(p, p.deals, T), "big-deals")
    assert s.deals == ("top", "mid")
    assert s.message == (
        "2 of 8 open deals carry 70.0 % of the weighted pipeline (7,000.00 of 10,000.00)."
    )


def test_big_deals_does_not_fire_for_an_even_spread_too_few_deals_or_more_than_five():
    even = pipeline(*[deal(f"e{i}", "Contract Sent") for i in range(4)])
    # 4 × 900: half needs 2 deals, 2 is not fewer than half of 4
    assert "big-deals" not in signal_codes(coaching_signals(even, even.deals, T))
    two = pipeline(deal("a", "Contract Sent", amount=10000), deal("b", "Contract Sent"))
    # 2 open deals < big_deal_min_open 3
    assert "big-deals" not in signal_codes(coaching_signals(two, two.deals, T))
    many = pipeline(
        *[deal(f"b{i}", "Contract Sent", amount=1000 / 0.9) for i in range(7)],  # 1000 each
        *[deal(f"s{i}", "Contract Sent", amount=100 / 0.9) for i in range(50)],  # 100 each
    )
    # total 7000 + 5000 = 12000; half 6000 needs 6 big deals > 5 → no signal
    assert "big-deals" not in signal_codes(coaching_signals(many, many.deals, T))


def test_signals_are_given_for_the_team_and_each_owner_with_their_own_deals():
    p = pipeline(
        *late_deals("Ana"),
        deal("ben-appt", "Appointment Scheduled", owner="Ben", decision_maker=True),
    )
    m = compute_metrics(p, T)
    # Ana alone: 3 late, 0 early → fires; the team has Ben's appointment → 1 early, no signal
    assert "top-of-funnel-empty" in signal_codes(m.signals, "Ana")
    assert "top-of-funnel-empty" not in signal_codes(m.signals, None)
    assert signal_codes(m.signals, "Ben") == []
    # the late deals lack a decision maker: Ana's signal and the team's name the same 3 deals
    assert only(m.signals, "decision-maker-unknown", "Ana").deals == (
        "Ana-pres",
        "Ana-dm",
        "Ana-contract",
    )
    assert only(m.signals, "decision-maker-unknown", None).counts == {"deals": 3}
    # team signals first, then owners in name order, each in the documented code order
    assert [(s.owner, s.code) for s in m.signals] == [
        (None, "decision-maker-unknown"),
        ("Ana", "top-of-funnel-empty"),
        ("Ana", "decision-maker-unknown"),
    ]


def test_no_signal_fires_on_an_empty_pipeline():
    m = compute_metrics(pipeline(), T)
    assert m.signals == []
    assert (m.win_rate.count, m.avg_deal_size, m.cycle_days, m.velocity) == (None,) * 4
    assert "Signals: 0" in m.to_text()
    assert m.to_dict()["reached"][0] == {
        "name": "Appointment Scheduled",
        "reached": 0,
        "conversion": None,
    }


# --------------------------------------------------------------------------- output


def test_to_dict_has_exactly_the_documented_shape_and_is_json():
    m = compute_metrics(quota_scenario(), T)
    d = m.to_dict()
    assert list(d) == [
        "as_of",
        "period",
        "team",
        "owners",
        "stages",
        "reached",
        "win_rate",
        "avg_deal_size",
        "cycle_days",
        "velocity",
        "overdue",
        "stale",
        "no_next_step",
        "undated",
        "signals",
        "history",
    ]
    assert d["as_of"] == "2026-11-15"
    assert d["period"] == {"start": "2026-10-01", "end": "2026-12-31", "label": "2026-Q4"}
    assert json.loads(json.dumps(d)) == d
    assert [r["key"] for r in d["overdue"]] == ["a-overdue"]
    assert [r["key"] for r in d["undated"]] == ["a-undated"]
    for ref in d["overdue"] + d["stale"] + d["no_next_step"] + d["undated"]:
        assert {"key", "deal", "owner", "stage", "amount", "row"} <= set(ref)
    for s in d["signals"]:
        assert list(s) == ["code", "owner", "message", "advice", "deals", "counts"]


def test_to_dict_rounds_amounts_to_two_decimals_and_rates_to_four():
    p = pipeline(
        deal("o", "Contract Sent", amount=1000.005, probability=1 / 3, close_date=ago(-5)),
        deal("w", "Closed Won", amount=1, close_date=ago(1)),
        deal("l1", "Closed Lost", amount=1, close_date=ago(1)),
        deal("l2", "Closed Lost", amount=1, close_date=ago(1)),
        quotas=(q("Ana", Q4.start, Q4.end, 3000),),
    )
    team = compute_metrics(p, T).to_dict()["team"]
    # expected 1000.005 / 3 = 333.335 → 333.33 or 333.34 (float); win rate 1/3 → 0.3333
    assert team["expected"] in (333.33, 333.34)
    assert team["win_rate"] == 0.3333
    assert team["needed_coverage"] == 3.0
    # coverage 1000.005 / (3000 − 1) = 0.333449… → 0.3334
    assert team["coverage"] == 0.3334


def test_to_text_reports_quota_funnel_win_rate_lists_and_signals():
    p = pipeline(
        *size_cycle_deals(),
        deal("late", "Contract Sent", amount=2000, close_date=ago(3), last_contact=ago(40)),
        quotas=(q("Ana", Q4.start, Q4.end, 10000),),
    )
    text = compute_metrics(p, T).to_text()
    assert text.startswith("Pipeline metrics as of 2026-11-15\n")
    assert "Period 2026-Q4 (2026-10-01 to 2026-12-31)" in text
    assert "Quota progress" in text and "10,000.00" in text
    assert "Open deals by stage" in text and "Funnel" in text
    assert "Win rate (deals closed in the last 365 days: 4 won, 1 lost)" in text
    assert "Average deal size: 3,000.00" in text
    assert "Sales cycle: 45.0 days" in text
    assert "Overdue (expected close date passed): 1" in text
    assert "Deal late (Ana, Contract Sent, 2,000.00) row 11: close date 2026-11-12" in text
    assert "Stale (quiet too long): 1" in text
    assert "[Team] decision-maker-unknown:" in text
    assert "advice: Confirm you are talking to the person who can buy." in text
    assert "\x1b[" not in text  # no colour


# --------------------------------------------------------------------------- golden file
#
# ``tests/golden/metrics/team_pipeline.json`` is the metrics JSON of
# ``sample_workbooks/team_pipeline.xlsx`` as of 2026-11-26: without history, on
# the first run of the history (every deal added that night, as ``jobs.analyse``
# does), and on a later night after a run 12 days earlier saw the open deals one
# stage back and their close dates 10 days earlier (known stage-entered dates,
# slips, furthest stages).  It pins every figure, list and signal so that a
# refactoring (e.g. for speed) cannot change a result unnoticed.  After an
# intended change of a metric, regenerate it and review the diff:
#
#     SHEETSYNC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_metrics.py -k golden

GOLDEN_T = dt.date(2026, 11, 26)
GOLDEN = Path(__file__).resolve().parent / "golden" / "metrics" / "team_pipeline.json"
SAMPLE = Path(__file__).resolve().parent.parent / "sample_workbooks" / "team_pipeline.xlsx"


def golden_metrics() -> dict[str, Any]:
    p = jobs.check(str(SAMPLE), as_of=GOLDEN_T, cfg=Config()).pipeline

    def with_history(history: History) -> dict[str, Any]:
        stage_hist = stage_history_for_metrics(history, p, GOLDEN_T)
        summary = summarize(history, p, GOLDEN_T)
        m = compute_metrics(p, GOLDEN_T, history=stage_hist)
        return dataclasses.replace(m, history=summary.to_dict()).to_dict()

    first = record(History(), p, dt.datetime.combine(GOLDEN_T, dt.time()))

    open_stages = [s for s in p.stages if s.outcome is Outcome.OPEN]
    earlier = []
    for d in p.deals:
        i = next((k for k, s in enumerate(open_stages) if s.name == d.stage), None)
        changes: dict[str, Any] = {}
        if d.is_open and i:
            changes.update(stage=open_stages[i - 1].name, stage_index=open_stages[i - 1].index)
        if d.close_date is not None:
            changes["close_date"] = d.close_date - dt.timedelta(days=10)
        earlier.append(dataclasses.replace(d, **changes))
    night1 = record(
        History(), dataclasses.replace(p, deals=earlier), GOLDEN_T - dt.timedelta(days=12)
    )
    later = record(night1, p, GOLDEN_T)

    return {
        "no_history": compute_metrics(p, GOLDEN_T).to_dict(),
        "first_run": with_history(first),
        "later_night": with_history(later),
    }


def test_golden_metrics_of_the_sample_workbook():
    got = json.loads(json.dumps(golden_metrics(), ensure_ascii=False))
    if os.environ.get("SHEETSYNC_UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert GOLDEN.exists(), "no golden file: run with SHEETSYNC_UPDATE_GOLDEN=1 to create it"
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert list(got) == list(expected)
    for variant in expected:
        for key in expected[variant]:
            assert got[variant][key] == expected[variant][key], f"{variant}: {key} differs"
        assert got[variant] == expected[variant]
