"""Every follow-up action kind, firing and not firing, on hand-built pipelines.

As-of date T = 2026-11-26 (a Thursday).  The stages are the default list
(Lead 21 rot days, Qualified 14, Appointment 10, Presentation 10, Proposal 7,
Negotiation 7, Won, Lost).  :func:`deal` builds a *clean* deal that triggers
nothing (contacted yesterday, meeting in 10 days, closing in 30, decision
maker confirmed); each test changes only what it is about.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.config import DEFAULT_STAGES, Config
from sheetsync.errors import ConfigError
from sheetsync.followups import (
    KINDS,
    PRIORITY,
    Action,
    FollowUpSettings,
    compute_followups,
    sort_key,
)
from sheetsync.metrics import (
    MetricsSettings,
    no_next_step_deals,
    overdue_deals,
    owner_key,
    stale_deals,
)
from sheetsync.model import FIELDS, CellRef, Deal, Outcome, Pipeline

T = dt.date(2026, 11, 26)
SAMPLE = Path(__file__).resolve().parent.parent / "sample_workbooks" / "team_pipeline.xlsx"
STAGES = list(DEFAULT_STAGES)


def day(n: int) -> dt.date:
    """The date ``n`` days after T (negative: before)."""
    return T + dt.timedelta(days=n)


def at(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A datetime ``n`` days after T at ``hour:minute``."""
    return dt.datetime.combine(day(n), dt.time(hour, minute))


def deal(key: str, stage: str = "Proposal", *, without: tuple[str, ...] = (), **kw: Any) -> Deal:
    """A clean deal at ``stage``; ``without`` drops columns from the sheet."""
    st = next((s for s in STAGES if s.name == stage), None)
    fields: dict[str, Any] = {
        "deal": f"Deal {key}",
        "company": "Acme",
        "owner": "Ana",
        "contact_name": "Ann Lee",
        "contact_email": ("ann@acme.example",),
        "decision_maker": True,
        "amount": 1000.0,
        "created": day(-5),
        "close_date": day(30),
        "next_appointment": at(10),
        "last_contact": day(-1),
    }
    fields.update(kw)
    d = Deal(
        row=0,
        key=key,
        id=key,
        stage=stage,
        stage_index=st.index if st else None,
        status=st.outcome if st else Outcome.OPEN,
        **fields,
    )
    d.cells = {f: CellRef("Deals", 0, i + 1) for i, f in enumerate(FIELDS) if f not in without}
    return d


def pipeline(*deals: Deal) -> Pipeline:
    for i, d in enumerate(deals):
        d.row = i + 2  # header in row 1
        d.cells = {f: CellRef(c.tab, d.row, c.col) for f, c in d.cells.items()}
    return Pipeline(source="test.xlsx", deals_tab="Deals", deals=list(deals), stages=STAGES)


def run(*deals: Deal, **kw: Any) -> list[Action]:
    return compute_followups(pipeline(*deals), T, **kw)


def kinds(actions: list[Action], key: str | None = None) -> list[str]:
    return [a.kind for a in actions if key is None or a.deal_key == key]


def only(actions: list[Action], kind: str) -> Action:
    found = [a for a in actions if a.kind == kind]
    assert len(found) == 1, found
    return found[0]


# --------------------------------------------------------------------------- settings


def test_defaults_are_the_documented_ones():
    s = FollowUpSettings()
    assert (s.reminder_days, s.follow_up_after_days) == (1, 7)
    assert KINDS[0] == "appointment-reminder" and PRIORITY["appointment-reminder"] == 1
    assert [PRIORITY[k] for k in KINDS] == list(range(1, len(KINDS) + 1))


@pytest.mark.parametrize(
    "kw", [{"reminder_days": -1}, {"follow_up_after_days": -2}, {"reminder_days": 1.5}]
)
def test_bad_settings_are_config_errors(kw):
    with pytest.raises(ConfigError):
        FollowUpSettings(**kw)


def test_a_clean_deal_needs_nothing():
    assert run(deal("D1")) == []


# --------------------------------------------------------------------------- appointment-reminder


@pytest.mark.parametrize(
    ("days", "fires", "words"),
    [(-1, False, None), (0, True, "today"), (1, True, "tomorrow"), (2, False, None)],
)
def test_reminder_window_with_the_default_one_day(days, fires, words):
    actions = run(deal("D1", next_appointment=at(days, 9, 30)))
    assert ("appointment-reminder" in kinds(actions)) is fires
    if fires:
        a = only(actions, "appointment-reminder")
        assert a.when == at(days, 9, 30)
        assert a.due == day(days)
        assert a.cell == CellRef("Deals", 2, FIELDS.index("next_appointment") + 1)
        # said as a manager reads it: when, the day and time to check in the sheet, what to do
        assert a.reason == f"Meeting {words}, {day(days):%a %-d %b} 09:30 — send the reminder"


def test_reminder_window_is_configurable():
    d = deal("D1", next_appointment=at(2))
    assert "appointment-reminder" not in kinds(run(d))
    a = only(run(d, settings=FollowUpSettings(reminder_days=2)), "appointment-reminder")
    assert "in 2 days" in a.reason
    zero = FollowUpSettings(reminder_days=0)
    assert kinds(run(deal("D2", next_appointment=at(1)), settings=zero)) == []
    assert kinds(run(deal("D3", next_appointment=at(0)), settings=zero)) == ["appointment-reminder"]


def test_reminder_without_a_time_names_the_day_only():
    a = only(run(deal("D1", next_appointment=at(1, 0))), "appointment-reminder")
    assert a.reason == "Meeting tomorrow, Fri 27 Nov — send the reminder"


# --------------------------------------------------------------------------- follow-up


@pytest.mark.parametrize(("quiet", "fires"), [(6, False), (7, False), (8, True)])
def test_follow_up_when_last_contact_is_more_than_seven_days_ago(quiet, fires):
    # no appointment planned (so the silence counts); created recently so not stale at Proposal
    d = deal("D1", next_appointment=None, last_contact=day(-quiet), created=day(-quiet))
    actions = run(d)
    assert ("follow-up" in kinds(actions)) is fires
    if fires:
        a = only(actions, "follow-up")
        assert a.due == day(-quiet + 7)
        assert a.when is None
        assert a.cell is not None and a.cell.col == FIELDS.index("last_contact") + 1
        assert a.reason == f"No contact for {quiet} days — last contact {day(-quiet):%-d %b}"


def test_follow_up_days_are_configurable():
    d = deal("D1", next_appointment=None, last_contact=day(-8))
    assert "follow-up" not in kinds(run(d, settings=FollowUpSettings(follow_up_after_days=8)))
    assert "follow-up" in kinds(run(d, settings=FollowUpSettings(follow_up_after_days=7)))


def test_a_planned_appointment_is_the_next_touch_so_silence_needs_no_follow_up():
    d = deal("D1", next_appointment=at(5), last_contact=day(-20), created=day(-20))
    assert "follow-up" not in kinds(run(d))


def test_no_last_contact_means_no_silence_follow_up():
    d = deal("D1", next_appointment=None, last_contact=None)
    assert "follow-up" not in kinds(run(d))


def test_follow_up_after_a_passed_appointment_with_no_contact_since():
    d = deal("D1", next_appointment=at(-2, 14), last_contact=day(-3))
    a = only(run(d), "follow-up")
    assert a.when == at(-2, 14)
    assert a.due == day(-2)
    assert a.cell is not None and a.cell.col == FIELDS.index("next_appointment") + 1
    assert a.reason == (
        "No contact since the meeting on Tue 24 Nov 14:00 — last contact 23 Nov, 3 days ago"
    )


@pytest.mark.parametrize("logged", [-2, -1])
def test_contact_logged_on_or_after_the_appointment_day_needs_no_follow_up(logged):
    d = deal("D1", next_appointment=at(-2, 14), last_contact=day(logged))
    actions = run(d)
    assert "follow-up" not in kinds(actions)
    assert "no-next-step" in kinds(actions)  # but the next step still has to be booked


def test_both_follow_up_reasons_make_one_action():
    d = deal("D1", next_appointment=at(-3), last_contact=day(-10), created=day(-10))
    a = only(run(d), "follow-up")
    assert a.reason == (
        "No contact since the meeting on Mon 23 Nov 10:00 — last contact 16 Nov, 10 days ago"
    )
    assert a.due == day(-3)


def test_reasons_name_the_year_of_a_date_in_another_year():
    d = deal("D1", next_appointment=None, last_contact=dt.date(2025, 12, 20))
    a = only(run(d), "follow-up")
    assert a.reason == "No contact for 341 days — last contact 20 Dec 2025"


# --------------------------------------------------------------------------- overdue


def test_overdue_when_close_date_before_today():
    a = only(run(deal("D1", close_date=day(-1))), "overdue")
    assert a.due == day(-1)
    assert a.cell is not None and a.cell.col == FIELDS.index("close_date") + 1
    assert a.reason == "Close date 25 Nov passed 1 day ago — mark it won or lost, or move the date"
    assert "overdue" not in kinds(run(deal("D2", close_date=T)))
    assert "overdue" not in kinds(run(deal("D3", close_date=None)))


# --------------------------------------------------------------------------- stale


@pytest.mark.parametrize(("quiet", "fires"), [(7, False), (8, True)])
def test_stale_past_the_stage_rot_days(quiet, fires):
    # Proposal rots after 7 days; a planned appointment keeps follow-up quiet
    d = deal("D1", "Proposal", last_contact=day(-quiet), created=day(-30))
    actions = run(d)
    assert ("stale" in kinds(actions)) is fires
    if fires:
        a = only(actions, "stale")
        assert a.due == day(-quiet + 7)
        assert a.reason == (
            f"Quiet for {quiet} days at Proposal (since {day(-quiet):%-d %b}) — get back in touch"
        )


def test_stale_is_the_metrics_rule_with_the_metrics_settings_and_history():
    # unknown stage: the default rot days (14) apply
    d = deal("D1", "Negotation", last_contact=day(-10), created=day(-40))
    assert "stale" not in kinds(run(d))
    ms = MetricsSettings(default_rot_days=9)
    assert "stale" in kinds(run(d, metrics_settings=ms))
    # entered the stage yesterday (history): quiet for 1 day only
    d2 = deal("D2", "Proposal", last_contact=None, created=day(-40))
    assert "stale" in kinds(run(d2))
    assert "stale" not in kinds(run(d2, history={"D2": (day(-1), None)}))
    # the same deals as the metrics' list
    p = pipeline(
        deal("A", "Proposal", last_contact=day(-8), created=day(-30)),
        deal("B", "Lead", last_contact=day(-21), created=day(-30)),
        deal("C", "Lead", last_contact=day(-22), created=day(-30)),
    )
    stale = [a.deal_key for a in compute_followups(p, T) if a.kind == "stale"]
    assert sorted(stale) == sorted(r.key for r in stale_deals(p, T)) == ["A", "C"]


# --------------------------------------------------------------------------- no-next-step


def test_no_next_step_when_no_appointment_is_planned():
    a = only(run(deal("D1", next_appointment=None)), "no-next-step")
    assert (a.due, a.when) == (T, None)
    assert a.reason == "No next meeting booked — schedule the next step"
    assert a.cell is not None and a.cell.col == FIELDS.index("next_appointment") + 1


def test_no_next_step_when_the_appointment_has_passed():
    a = only(run(deal("D1", next_appointment=at(-1), last_contact=T)), "no-next-step")
    assert (a.due, a.when) == (day(-1), at(-1))
    assert a.reason == "Last meeting Wed 25 Nov 10:00, no next one booked — schedule the next step"


def test_no_next_step_not_for_planned_appointments_or_sheets_without_the_column():
    assert "no-next-step" not in kinds(run(deal("D1", next_appointment=at(0))))
    d = deal("D2", next_appointment=None, without=("next_appointment",))
    assert "no-next-step" not in kinds(run(d))


# --------------------------------------------------------------------------- decision-maker


@pytest.mark.parametrize(
    ("stage", "dm", "fires"),
    [
        ("Appointment", False, True),
        ("Appointment", None, True),
        ("Negotiation", False, True),
        ("Qualified", False, False),
        ("Appointment", True, False),
        ("Won", False, False),
    ],
)
def test_decision_maker_at_or_after_the_appointment_stage(stage, dm, fires):
    actions = run(deal("D1", stage, decision_maker=dm))
    assert ("decision-maker" in kinds(actions)) is fires
    if fires:
        a = only(actions, "decision-maker")
        assert a.due == T
        assert a.cell is not None and a.cell.col == FIELDS.index("decision_maker") + 1
        assert a.reason.startswith(f"At {stage}, decision maker not confirmed — ")


def test_decision_maker_only_when_the_column_exists():
    d = deal("D1", "Appointment", decision_maker=None, without=("decision_maker",))
    assert "decision-maker" not in kinds(run(d))


# --------------------------------------------------------------------------- trial-offer


@pytest.mark.parametrize(
    ("stage", "quiet", "trial", "fires"),
    [
        ("Presentation", 11, None, True),
        ("Presentation", 11, False, True),
        ("Presentation", 11, True, False),
        ("Presentation", 10, None, False),  # not stale: 10 days is the rot limit
        ("Qualified", 30, None, False),  # stale, but not a presentation/demo stage
    ],
)
def test_trial_offer_for_a_stale_demo_without_a_trial(stage, quiet, trial, fires):
    d = deal("D1", stage, last_contact=day(-quiet), created=day(-60), trial=trial)
    actions = run(d)
    assert ("trial-offer" in kinds(actions)) is fires
    if fires:
        a = only(actions, "trial-offer")
        assert a.due == only(actions, "stale").due == day(-quiet + 10)
        assert a.cell is not None and a.cell.col == FIELDS.index("trial") + 1
        assert a.reason == (
            f"Quiet for {quiet} days at Presentation, no trial yet — offer a free trial or demo"
        )


# --------------------------------------------------------------------------- emailable, closed deals


def test_do_not_email_is_listed_but_not_emailable():
    d = deal("D1", next_appointment=at(1), do_not_email=True)
    a = only(run(d), "appointment-reminder")
    assert a.emailable is False
    assert a.contact_email == ("ann@acme.example",)


@pytest.mark.parametrize("emails", [(), None])
def test_no_readable_contact_email_is_not_emailable(emails):
    d = deal("D1", next_appointment=at(1), contact_email=emails or ())
    assert only(run(d), "appointment-reminder").emailable is False


def test_a_normal_deal_is_emailable():
    assert only(run(deal("D1", next_appointment=at(0))), "appointment-reminder").emailable


@pytest.mark.parametrize("stage", ["Won", "Lost"])
def test_won_and_lost_deals_get_no_actions(stage):
    d = deal(
        "D1",
        stage,
        next_appointment=at(1),
        last_contact=day(-60),
        created=day(-90),
        close_date=day(-30),
        decision_maker=False,
        trial=None,
    )
    assert run(d) == []


# --------------------------------------------------------------------------- sorting, fields


def test_sorted_by_owner_then_priority_then_due_then_row():
    actions = run(
        deal("Z1", owner="bob", close_date=day(-3)),  # overdue
        deal("Z2", owner="Bob", next_appointment=at(1)),  # reminder (same owner, other case)
        deal("Z3", owner="Ana", close_date=day(-1)),  # overdue, due later
        deal("Z4", owner="Ana", close_date=day(-5)),  # overdue, due earlier
        deal("Z5", owner=None, next_appointment=at(0)),  # no owner: last
        deal("Z6", owner="Ana", close_date=day(-5)),  # same due as Z4: by row
        deal("Z7", owner="ana", next_appointment=at(1)),  # reminder first for Ana
    )
    assert [(a.deal_key, a.kind) for a in actions] == [
        ("Z7", "appointment-reminder"),
        ("Z4", "overdue"),
        ("Z6", "overdue"),
        ("Z3", "overdue"),
        ("Z2", "appointment-reminder"),
        ("Z1", "overdue"),
        ("Z5", "appointment-reminder"),
    ]


def test_action_fields_and_to_dict():
    d = deal("D1", next_appointment=at(1, 15), company="Acme", amount=2500.0)
    a = only(run(d), "appointment-reminder")
    assert (a.deal_key, a.deal, a.company, a.owner) == ("D1", "Deal D1", "Acme", "Ana")
    assert (a.contact_name, a.stage, a.amount, a.row) == ("Ann Lee", "Proposal", 2500.0, 2)
    assert a.priority == PRIORITY["appointment-reminder"]
    out = a.to_dict()
    assert json.loads(json.dumps(out)) == out
    assert out["due"] == day(1).isoformat()
    assert out["when"] == at(1, 15).isoformat()
    assert out["cell"] == "Deals!N2"
    assert out["contact_email"] == ["ann@acme.example"]
    assert out["emailable"] is True


def test_a_deal_without_a_name_is_named_by_its_company_or_key():
    d = deal("D1", next_appointment=at(0), deal=None)
    assert only(run(d), "appointment-reminder").deal == "Acme"


# --------------------------------------------------------------------------- the sample workbook


@pytest.fixture(scope="module")
def sample():
    return jobs.check(str(SAMPLE), as_of=T, cfg=Config())


def test_sample_lists_match_the_metrics_lists(sample):
    p = sample.pipeline
    actions = compute_followups(p, T)
    rows = {k: sorted(a.row for a in actions if a.kind == k) for k in KINDS}
    assert rows["overdue"] == sorted(r.row for r in overdue_deals(p, T)) == [32]
    assert rows["stale"] == sorted(r.row for r in stale_deals(p, T))
    assert rows["no-next-step"] == sorted(r.row for r in no_next_step_deals(p, T))
    assert rows["decision-maker"] == [54]  # the warning at Pipeline!F54
    # 2026-11-26 and -27 appointments of open deals: 16 reminders
    assert len(rows["appointment-reminder"]) == 16
    # do-not-email (row 24) and the unreadable email (row 61) are listed, not emailable
    not_emailable = {a.row for a in actions if not a.emailable}
    assert not_emailable == {24, 61}
    assert actions == sorted(
        actions, key=lambda a: (a.owner is None, a.owner or "", a.priority, a.due, a.row)
    )


# --------------------------------------------------------------------------- capped selection


def random_pipeline(rng: random.Random, n: int) -> Pipeline:
    """``n`` deals from few owners, stages and dates, so many actions tie on (owner, due)."""
    owners = ["Ana", "ana ", "Bo", "bo", None, "Cy"]
    open_stages = [s.name for s in STAGES if s.outcome is Outcome.OPEN]

    def maybe(value: Any) -> Any:
        return None if rng.random() < 0.25 else value

    deals = []
    for i in range(n):
        deals.append(
            deal(
                f"K{i % (n // 2 or 1)}",  # keys repeat: ties on the deal too
                rng.choice(open_stages + ["Won", "Lost", "Mystery"]),
                owner=rng.choice(owners),
                decision_maker=rng.choice([True, False, None]),
                trial=rng.choice([True, False, None]),
                created=day(rng.randint(-60, -1)),
                close_date=maybe(day(rng.randint(-20, 20))),
                next_appointment=maybe(at(rng.randint(-15, 3), rng.choice([0, 10]))),
                last_contact=maybe(day(rng.randint(-40, 0))),
                without=tuple(
                    f for f in ("decision_maker", "next_appointment") if rng.random() < 0.1
                ),
            )
        )
    return pipeline(*deals)


def sort_then_cut(actions: list[Action], n: int) -> list[Action]:
    """The old way: every action made, sorted by the whole key, then cut."""
    return sorted(actions, key=sort_key)[:n]


@pytest.mark.parametrize("seed", range(12))
def test_the_capped_selection_is_the_sort_then_cut_on_random_pipelines(seed):
    rng = random.Random(seed)
    p = random_pipeline(rng, rng.randint(0, 300))
    actions = compute_followups(p, T)
    everything = list(actions)
    assert len(actions) == len(everything)
    assert everything == sort_then_cut(everything, len(everything))
    for n in (0, 1, 7, len(everything) // 3, len(everything) - 1, len(everything), 10_000):
        fresh = compute_followups(p, T)  # nothing made yet: the cut alone
        assert fresh[:n] == sort_then_cut(everything, n)
        assert len(fresh) == len(everything)  # the "and N more" count
    fresh = compute_followups(p, T)
    if everything:
        assert (
            fresh[-1] == everything[-1]
            and fresh[len(everything) // 2] == everything[len(everything) // 2]
        )
    assert fresh == everything and everything == fresh


def test_follow_ups_tally_counts_owners_and_kinds_as_the_actions_do():
    rng = random.Random(7)
    actions = compute_followups(random_pipeline(rng, 200), T)
    per_owner, per_kind = actions.tally()
    assert per_owner == Counter(owner_key(a.owner) for a in list(actions))
    assert per_kind == Counter(a.kind for a in actions)


def test_follow_ups_index_like_a_list():
    actions = compute_followups(
        pipeline(deal("A", next_appointment=at(1)), deal("B", next_appointment=at(0))), T
    )
    assert len(actions) == 2 and actions[0] == actions[-2] and actions[1] == actions[-1]
    with pytest.raises(IndexError):
        actions[2]
    assert actions != [actions[0]] and bool(actions)
