"""Email drafts: rules, skips and problems, headers, escaping, the ledger, the sample.

As-of date T = 2026-11-26 (a Thursday), clock fixed at 07:00 +01:00.  The
pipelines are built in memory (as in ``test_followups``): :func:`deal` is a
clean deal that needs nothing, and each test changes only what it is about.
The sample workbook tests run the whole thing on ``team_pipeline.xlsx``.
"""

from __future__ import annotations

import datetime as dt
import email
import shutil
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest

from sheetsync import jobs
from sheetsync.config import DEFAULT_STAGES, Config
from sheetsync.drafts import (
    DraftSettings,
    EmlDirSink,
    Ledger,
    ledger_from_grid,
    owner_emails_from_grid,
    prepare_drafts,
    read_ledger,
)
from sheetsync.drafts.context import Formats
from sheetsync.drafts.eml import file_name, header_text, slug
from sheetsync.drafts.job import run_text
from sheetsync.drafts.run import DraftRun
from sheetsync.drafts.settings import DRAFT_KINDS, draft_settings, draft_settings_from_table
from sheetsync.errors import ConfigError
from sheetsync.followups import Action, compute_followups
from sheetsync.metrics import compute_metrics
from sheetsync.model import FIELDS, CellRef, Deal, Grid, Outcome, Owner, Pipeline
from sheetsync.sources.excel import ExcelSource

T = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=1)))
ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_workbooks" / "team_pipeline.xlsx"
STAGES = list(DEFAULT_STAGES)


def day(n: int) -> dt.date:
    return T + dt.timedelta(days=n)


def at(n: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day(n), dt.time(hour, minute))


def deal(key: str, stage: str = "Proposal", **kw: Any) -> Deal:
    """A clean deal (nothing due): contacted yesterday, next meeting in 10 days."""
    st = next((s for s in STAGES if s.name == stage), None)
    fields: dict[str, Any] = {
        "deal": f"Deal {key}",
        "company": "Acme",
        "owner": "Ana Lima",
        "owner_email": "ana@northwind.example",
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
    d.cells = {f: CellRef("Deals", 0, i + 1) for i, f in enumerate(FIELDS)}
    d.raw = {"contact_email": ", ".join(fields["contact_email"])}
    return d


def pipeline(*deals: Deal) -> Pipeline:
    for i, d in enumerate(deals):
        d.row = i + 2
        d.cells = {f: CellRef(c.tab, d.row, c.col) for f, c in d.cells.items()}
    owners: dict[str, Owner] = {}
    for d in deals:
        if d.owner and (d.owner not in owners or owners[d.owner].email is None):
            owners[d.owner] = Owner(d.owner, d.owner_email)
    return Pipeline(
        source="test.xlsx", deals_tab="Deals", deals=list(deals), stages=STAGES, owners=owners
    )


def settings(**kw: Any) -> DraftSettings:
    return DraftSettings(**kw)


def draft(
    p: Pipeline,
    tmp_path: Path | None = None,
    *,
    ledger: Ledger | None = None,
    s: DraftSettings | None = None,
    dry_run: bool | None = None,
    actions: list[Action] | None = None,
    **kw: Any,
) -> DraftRun:
    """One drafts run over ``p`` as of T (dry unless told, or given ``tmp_path``/``imap``)."""
    acts = compute_followups(p, T) if actions is None else actions
    if dry_run is None:
        dry_run = tmp_path is None and kw.get("imap") is None
    return prepare_drafts(
        p,
        compute_metrics(p, T),
        acts,
        T,
        s or settings(),
        ledger or Ledger(),
        out_dir=tmp_path,
        dry_run=dry_run,
        now=NOW,
        **kw,
    )


def parsed(msg: EmailMessage) -> EmailMessage:
    """The draft as a mail client reads it back from its bytes."""
    raw = msg.as_bytes(policy=msg.policy)
    back = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(back, EmailMessage)
    return back


def only(run: DraftRun, kind: str) -> Any:
    found = [d for d in run.drafts if d.kind == kind]
    assert len(found) == 1, [(d.kind, d.key) for d in run.drafts]
    return found[0]


def body(msg: EmailMessage, subtype: str = "plain") -> str:
    part = msg.get_body(preferencelist=(subtype,))
    assert part is not None
    return part.get_content().replace("\r\n", "\n")


# --------------------------------------------------------------------------- settings


def test_settings_defaults_are_the_documented_ones():
    s = DraftSettings()
    assert s.enabled is False
    assert (
        s.kinds
        == DRAFT_KINDS
        == (
            "appointment-reminder",
            "follow-up",
            "trial-offer",
            "rep-digest",
        )
    )
    assert s.locale == "en_US" and s.currency_code == ""  # [team] fills them in
    assert s.date_format == "full" and s.time_format == "short"
    assert s.out_dir == "drafts" and s.templates_dir is None and s.imap is None
    assert s.limit == 0 and s.owners == () and s.team_tab == "Team"


def test_settings_from_toml_table_with_imap():
    s = draft_settings_from_table(
        {
            "enabled": True,
            "kinds": ["appointment-reminder"],
            "imap": {"host": "imap.example.com", "user": "ana", "password_env": "IMAP_PW"},
        }
    )
    assert s.enabled and s.kinds == ("appointment-reminder",)
    assert s.imap is not None and s.imap.effective_port == 993 and s.imap.folder == "Drafts"
    assert s.imap.where == "imap://ana@imap.example.com:993"  # the folder is found there


@pytest.mark.parametrize(
    "table,words",
    [
        ({"kinds": ["newsletter"]}, "unknown kind 'newsletter'"),
        ({"limt": 3}, "unknown key 'limt'"),
        ({"limit": "3"}, "limit: must be a whole number"),
        ({"day_names": ["Mo"]}, "[drafts] day_names was removed"),
        ({"currency": " €"}, "[drafts] currency was removed"),
        ({"date_format": "%A, %B %-d, %Y"}, "is a strftime format"),
        ({"from_address": "Sales <s@x.com>"}, "bare address"),
        ({"imap": {"host": "mail.example.com"}}, "missing user"),
        ({"imap": {"host": "h", "user": "u", "security": "tls"}}, "security must be one of"),
        ({"imap": {"host": "mail.example.com", "user": "u", "security": "none"}}, "loopback"),
        ({"imap": {"host": "h", "user": "u", "pasword": "x"}}, "unknown key 'pasword'"),
    ],
)
def test_bad_settings_name_the_key(table, words):
    with pytest.raises(ConfigError) as err:
        draft_settings_from_table(table, file="team.toml")
    assert words in str(err.value)
    assert err.value.message.startswith("team.toml")


def test_plain_imap_is_allowed_to_loopback_only():
    s = draft_settings_from_table({"imap": {"host": "127.0.0.1", "user": "u", "security": "none"}})
    assert s.imap is not None and s.imap.effective_port == 143


def test_relative_paths_are_relative_to_the_config_file(tmp_path):
    cfg = Config(file=tmp_path / "sheetsync.toml", sections={"drafts": {"templates_dir": "tpl"}})
    s = draft_settings(cfg)
    assert s.templates_dir == str(tmp_path / "tpl")
    assert s.out_dir == str(tmp_path / "drafts")


# --------------------------------------------------------------------------- formatting


def test_money_and_dates_read_naturally():
    f = Formats("en_US", "USD")
    assert f.money(162500.0) == "$162,500"
    assert f.money(1234.5) == "$1,234.50"
    assert f.money(-20.0) == "-$20"
    assert f.money(None) == ""
    assert f.date(dt.date(2026, 12, 3)) == "Thursday, December 3, 2026"
    assert f.time(dt.datetime(2026, 12, 3, 16, 5)) == "4:05 PM"
    assert f.datetime(dt.datetime(2026, 12, 3, 9, 30)) == "Thursday, December 3, 2026 at 9:30 AM"
    assert f.datetime(dt.datetime(2026, 12, 3)) == "Thursday, December 3, 2026"
    assert f.relday(at(1), T) == "tomorrow" and f.relday(day(0), T) == "today"
    assert f.relday(day(-1), T) == "yesterday"
    assert f.relday(day(7), T) == "in 7 days" and f.relday(day(-10), T) == "10 days ago"
    assert f.percent(0.384) == "38%"


def test_formats_follow_the_locale_through_cldr():
    f = Formats("de_DE", "EUR")
    assert f.money(162500.5) == "162.500,50\xa0€"
    assert f.money(162500.0) == "162.500\xa0€"
    assert f.percent(0.4) == "40\xa0%"
    # CLDR's atTime word, never a hard-coded English " at "
    assert f.datetime(dt.datetime(2026, 11, 27, 14, 0)) == "Freitag, 27. November 2026 um 14:00"
    assert f.day_time(dt.datetime(2026, 11, 27, 14, 0)) == "Freitag, 27. November um 14:00"
    assert f.relday(day(2), T) == "übermorgen" and f.relday(day(1), T) == "morgen"
    fr = Formats("fr_FR", "EUR")
    assert fr.day_time(dt.datetime(2026, 11, 27, 14, 0)) == "vendredi 27 novembre à 14:00"
    assert fr.relday(day(0), T) == "aujourd’hui"
    assert fr.money(162500.0) == "162\xa0500\xa0€"  # no narrow space for plain-text readers


def test_thai_dates_have_the_buddhist_year_and_cldr_abbreviations():
    f = Formats("th_TH", "THB")
    # CLDR's buddhist calendar: 2026 + 543, era พ.ศ.
    assert f.date(dt.date(2026, 11, 27)) == "วันศุกร์ที่ 27 พฤศจิกายน พ.ศ. 2569"
    assert f.short_date(dt.date(2026, 11, 27)) == "ศุกร์ 27 พ.ย."  # not "พฤศ"
    assert Formats("th_TH", date_format="short").date(dt.date(2026, 11, 27)) == "27/11/69"
    assert f.relday(day(1), T) == "พรุ่งนี้"
    assert f.money(1500.0) == "฿1,500"
    assert Formats("en_US").date(dt.date(2026, 11, 27)).endswith("2026")  # Gregorian elsewhere


def test_buddhist_pattern_leaves_quoted_text_alone():
    from sheetsync.drafts.localize import buddhist_pattern

    assert buddhist_pattern("EEEEที่ d MMMM G y", 2026) == "EEEEที่ d MMMM 'พ.ศ.' '2569'"
    assert buddhist_pattern("d 'de' MMMM 'y' yy", 2026) == "d 'de' MMMM 'y' '69'"


def test_a_custom_date_format_is_a_cldr_pattern():
    s = draft_settings_from_table({"date_format": "EEE d MMM y"})
    assert Formats("en_GB", date_format=s.date_format).date(dt.date(2026, 11, 27)) == (
        "Fri 27 Nov 2026"
    )


# --------------------------------------------------------------------------- rules


def test_reminder_follow_up_and_trial_offer_become_drafts():
    p = pipeline(
        deal("R", next_appointment=at(1, 9, 30)),
        deal("F", next_appointment=None, last_contact=day(-9)),
        deal(
            "S",
            stage="Presentation",
            next_appointment=None,
            last_contact=day(-20),
            created=day(-60),
            trial=False,
        ),
    )
    run = draft(p)
    assert {(d.kind, d.key) for d in run.drafts} == {
        ("appointment-reminder", "R"),
        ("follow-up", "F"),
        ("follow-up", "S"),
        ("rep-digest", "owner:ana lima"),
    }
    # S is both quiet (follow-up) and a stale demo (trial offer): one email per prospect per run
    assert [(s.kind, s.key, s.reason) for s in run.skipped] == [
        ("trial-offer", "S", "one-per-deal")
    ]
    only_trial = draft(p, s=settings(kinds=("trial-offer",)))
    assert [(d.kind, d.key) for d in only_trial.drafts] == [("trial-offer", "S")]


def test_an_email_drafted_on_an_earlier_night_does_not_block_another_kind(tmp_path):
    """The bug of issue 12: the one-per-prospect pick ran before the ledger check."""
    p = pipeline(
        deal(
            "S",
            stage="Presentation",
            next_appointment=None,
            last_contact=day(-20),
            created=day(-60),
            trial=False,
        ),
    )
    first = draft(p, tmp_path)
    assert [d.kind for d in first.drafts if d.kind != "rep-digest"] == ["follow-up"]
    second = draft(p, ledger=first.ledger)
    made = [d.kind for d in second.drafts if d.kind != "rep-digest"]
    assert made == ["trial-offer"]
    reasons = {(s.kind, s.reason) for s in second.skipped}
    assert ("follow-up", "already-drafted") in reasons
    assert not any(s.reason == "one-per-deal" for s in second.skipped)


def test_one_email_per_prospect_follows_the_documented_priority():
    from sheetsync.drafts.rules import PRIORITY

    assert PRIORITY == ("appointment-reminder", "follow-up", "trial-offer")
    p = pipeline(
        deal(
            "S",
            stage="Presentation",
            next_appointment=None,
            last_contact=day(-20),
            created=day(-60),
            trial=False,
        ),
    )
    run = draft(p)
    assert [d.kind for d in run.drafts if d.kind != "rep-digest"] == ["follow-up"]
    assert [(s.kind, s.reason) for s in run.skipped] == [("trial-offer", "one-per-deal")]


def test_rep_only_actions_go_in_the_digest_not_to_the_prospect():
    p = pipeline(deal("O", close_date=day(-3)), deal("N", next_appointment=None))
    run = draft(p)
    assert [d.kind for d in run.drafts] == ["rep-digest"]
    text = body(parsed(run.drafts[0].message))
    assert "close date Mon, Nov 23 has passed: win, lose or move it" in text
    assert "no next meeting booked" in text


def test_the_digest_has_one_line_per_deal_with_all_its_reasons_most_urgent_first(tmp_path):
    p = pipeline(
        deal(
            "Q", company="Quiet Co", next_appointment=None, close_date=day(-3), decision_maker=False
        ),
        deal("R", company="Meeting Co", next_appointment=at(1, 9, 30), last_contact=day(-9)),
    )
    run = draft(p, tmp_path)
    text = body(parsed(only(run, "rep-digest").message))
    lines = [line for line in text.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    assert len(lines) == 2, text  # two deals, two lines, however many reasons
    assert lines[0] == (
        "1. Meeting Co (Deal R), $1,000: meeting Fri, Nov 27, 9:30 AM — reminder drafted"
    )
    assert lines[1] == (
        "2. Quiet Co (Deal Q), $1,000: close date Mon, Nov 23 has passed: win, lose or move it;"
        " no next meeting booked; decision maker not confirmed"
    )
    assert str(tmp_path) not in text  # no server path
    waiting = text.split("to review and send, in ")[1]
    assert waiting.startswith("the email files sheetsync prepared for you:\n")
    assert '- Meeting Co (Deal R): reminder to ann@acme.example, "Reminder: our meeting' in waiting


def test_the_digest_says_how_long_a_deal_has_been_quiet_once_and_names_the_draft(tmp_path):
    p = pipeline(
        deal("F", company="Silent Co", next_appointment=None, last_contact=day(-9)),
        deal("M", company="Missed Co", next_appointment=at(-2, 14, 0), last_contact=day(-6)),
    )
    run = draft(p, tmp_path)
    text = body(parsed(only(run, "rep-digest").message))
    lines = [line for line in text.splitlines() if line[:3] in ("1. ", "2. ")]
    assert lines == [  # both due on the 24th (9 days after a contact, a missed meeting): by row
        "1. Silent Co (Deal F), $1,000: no contact for 9 days — follow-up drafted;"
        " no next meeting booked",
        "2. Missed Co (Deal M), $1,000: no contact since the meeting on Tue, Nov 24, 2:00 PM"
        " — follow-up drafted; no next meeting booked",
    ], text
    for rule_text in ("follow up after", ": follow up", "remind the prospect", "Deals!"):
        assert rule_text not in text


def test_the_digest_puts_the_earlier_meeting_first_whatever_the_amounts():
    p = pipeline(
        deal("Late", company="Late Co", next_appointment=at(1, 15, 0), amount=90000.0),
        deal("Early", company="Early Co", next_appointment=at(1, 9, 0), amount=100.0),
        deal("Today", company="Today Co", next_appointment=at(0, 16, 0), amount=5.0),
    )
    text = body(parsed(only(draft(p), "rep-digest").message))
    heads = [line.split(" (")[0] for line in text.splitlines() if line[:3] in ("1. ", "2. ", "3. ")]
    assert heads == ["1. Today Co", "2. Early Co", "3. Late Co"]


def test_the_digest_writes_its_days_and_times_in_the_team_locale_and_time_zone():
    from sheetsync.drafts.digest import short_moment

    utc_ten = dt.datetime(2026, 11, 27, 3, 0, tzinfo=dt.UTC)  # 10:00 in Bangkok
    bangkok = settings(locale="th_TH", timezone="Asia/Bangkok")
    assert short_moment(utc_ten, bangkok) == "ศุกร์ 27 พ.ย. 10:00 น."
    assert short_moment(at(1, 10, 0), settings(locale="de_DE")) == "Fr., 27. Nov., 10:00"
    assert short_moment(at(1, 10, 0), settings(locale="en_GB")) == "Fri 27 Nov, 10:00"
    assert short_moment(at(1, 0, 0), settings(locale="fr_FR")) == "ven. 27 nov."  # a date only
    p = pipeline(deal("R", company="Meeting Co", next_appointment=at(1, 9, 30)))
    text = body(parsed(only(draft(p, s=settings(locale="de_DE")), "rep-digest").message))
    line = next(line for line in text.splitlines() if line.startswith("1. "))
    assert line.startswith("1. Meeting Co (Deal R), 1.000\xa0€")  # the amount in the locale's money
    # a de_DE team reads its digest in German (templates/de/rep_digest.*)
    assert line.endswith(": Termin Fr., 27. Nov., 09:30 — Erinnerung vorbereitet"), line


def test_the_digest_is_in_the_team_language_and_english_where_the_locale_has_no_set():
    p = pipeline(deal("R", company="Meeting Co", next_appointment=at(1, 9, 30)))
    for locale, greeting, reason in [
        ("fr_FR", "Bonjour Ana,", "rendez-vous ven. 27 nov. 09:30 — rappel préparé"),
        ("pt_BR", "Bom dia, Ana,", "reunião sex., 27 de nov. 09:30 — lembrete pronto"),
        # no Japanese set: English, with English dates (en_JP), never "11月27日(金)"
        ("ja_JP", "Good morning Ana,", "meeting Fri, Nov 27, 9:30 — reminder drafted"),
    ]:
        made = only(draft(p, s=settings(locale=locale)), "rep-digest")
        text = body(parsed(made.message))
        assert text.splitlines()[0] == greeting, (locale, text)
        assert reason in text, (locale, text)


def test_do_not_email_won_and_lost_are_skipped_with_reasons():
    p = pipeline(
        deal("DNE", next_appointment=at(1), do_not_email=True),
        deal("W", stage="Won", next_appointment=at(1)),
        deal("L", stage="Lost", next_appointment=at(0)),
    )
    acts = compute_followups(p, T)
    assert [a.deal_key for a in acts if a.kind == "appointment-reminder"] == ["DNE"]
    # Won/lost deals get no actions; an action for one (a stale list) is still refused.
    won = p.deals[1]
    stale = Action(
        kind="appointment-reminder",
        deal_key="W",
        deal=won.label,
        company=won.company,
        owner=won.owner,
        contact_name=won.contact_name,
        contact_email=won.contact_email,
        stage=won.stage,
        amount=won.amount,
        due=day(1),
        when=at(1),
        reason="stale list",
        cell=None,
        priority=1,
        row=won.row,
        emailable=False,
    )
    run = draft(p, actions=[*acts, stale])
    assert {(d.kind, d.key) for d in run.drafts} == {("rep-digest", "owner:ana lima")}
    assert {(s.key, s.reason) for s in run.skipped} == {("DNE", "do-not-email"), ("W", "closed")}


@pytest.mark.parametrize(
    "raw,words",
    [("jane.doe@", "'jane.doe@' is not an address"), ("", "has no contact email")],
)
def test_missing_or_invalid_contact_email_is_a_problem_not_a_crash(raw, words):
    d = deal("X", next_appointment=at(1), contact_email=())
    p = pipeline(d)
    d.raw = {"contact_email": raw}
    run = draft(p)
    assert [x.kind for x in run.drafts] == ["rep-digest"]
    (problem,) = run.problems
    assert problem.code == "draft-no-email"
    assert problem.cell == "Deals!E2"  # the contact email cell of row 2
    assert words in problem.message
    assert problem.to_dict()["severity"] == "warning"


def test_rep_without_email_is_a_problem_unless_there_is_a_from_address():
    p = pipeline(deal("X", next_appointment=at(1), owner="Bo", owner_email=None))
    run = draft(p)
    assert run.drafts == []
    assert [f.code for f in run.problems] == ["draft-no-sender"]
    assert [(s.kind, s.reason) for s in run.skipped] == [("rep-digest", "no-owner-email")]
    run = draft(p, s=settings(from_address="sales@northwind.example"))
    msg = parsed(only(run, "appointment-reminder").message)
    assert msg["From"].addresses[0].addr_spec == "sales@northwind.example"
    assert msg["From"].addresses[0].display_name == "Bo"


def test_rep_emails_can_come_from_a_team_tab():
    grid = Grid(
        "Team",
        [["Team"], ["Sales Rep", "Region", "E-mail"], ["Bo Berg", "North", "bo@northwind.example"]],
    )
    emails = owner_emails_from_grid(grid)
    assert emails == {"Bo Berg": "bo@northwind.example"}
    p = pipeline(deal("X", next_appointment=at(1), owner="bo  berg", owner_email=None))
    run = draft(p, owner_emails=emails)
    assert {d.kind for d in run.drafts} == {"appointment-reminder", "rep-digest"}
    assert parsed(only(run, "rep-digest").message)["To"].addresses[0].addr_spec == (
        "bo@northwind.example"
    )


def test_owners_filter_and_limit():
    p = pipeline(
        deal("A1", next_appointment=at(1)),
        deal("A2", next_appointment=at(1)),
        deal("B1", next_appointment=at(1), owner="Bo", owner_email="bo@northwind.example"),
    )
    run = draft(p, s=settings(owners=("bo",)))
    assert {(d.kind, d.key) for d in run.drafts} == {
        ("appointment-reminder", "B1"),
        ("rep-digest", "owner:bo"),
    }
    run = draft(p, limit=2)
    assert len(run.drafts) == 2
    assert sorted(s.reason for s in run.skipped) == ["limit", "limit", "limit"]


def test_digest_has_the_three_quota_numbers_of_the_metrics():
    from sheetsync.model import Quota

    p = pipeline(
        deal("W1", stage="Won", close_date=day(-10), amount=30000.0),
        deal("P1", stage="Proposal", close_date=day(20), amount=20000.0, next_appointment=at(1)),
    )
    p.quotas = [Quota("Ana Lima", dt.date(2026, 10, 1), dt.date(2026, 12, 31), 100000.0, "2026-Q4")]
    run = draft(p)
    m = compute_metrics(p, T).to_dict()["owners"][0]
    assert (m["won"], m["expected"], m["to_generate"]) == (30000.0, 14000.0, 56000.0)
    text = body(parsed(only(run, "rep-digest").message))
    assert "Won:                     $30,000" in text
    assert "Expected from pipeline:  $14,000" in text
    assert "Still to generate:       $56,000" in text
    assert "2026-Q4, quota $100,000 (30% won):" in text
    assert text.index("Won:") < text.index("Today, most urgent first")  # the numbers on top
    assert (
        "Reminder: our meeting on Friday, November 27 at 10:00 AM" in text
    )  # the draft made for the rep


def test_missing_optional_values_read_naturally():
    p = pipeline(
        deal(
            "X",
            deal=None,
            company=None,
            contact_name=None,
            amount=None,
            next_appointment=at(1, 0, 0),
        )
    )
    run = draft(p)
    msg = parsed(only(run, "appointment-reminder").message)
    text = body(msg)
    assert text.startswith("Hello,\n")
    assert "None" not in text and "None" not in msg["Subject"]
    assert "Dear ," not in text and " ," not in text
    assert msg["Subject"] == "Reminder: our meeting on Friday, November 27"
    assert "we are meeting on Friday, November 27." in text  # a date without a time


# --------------------------------------------------------------------------- messages


def test_draft_headers_are_rfc5322_and_open_as_drafts():
    p = pipeline(deal("R", next_appointment=at(1, 9, 30)))
    d = only(draft(p), "appointment-reminder")
    msg = parsed(d.message)
    assert str(msg["From"]) == "Ana Lima <ana@northwind.example>"
    assert str(msg["To"]) == "Ann Lee <ann@acme.example>"
    assert msg["X-Unsent"] == "1"
    assert msg["Date"] == "Thu, 26 Nov 2026 07:00:00 +0100"
    assert msg["Message-ID"] == d.message_id and d.message_id.endswith("@northwind.example>")
    assert msg.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in msg.iter_parts()] == ["text/plain", "text/html"]
    raw = d.message.as_bytes(policy=d.message.policy)
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


def test_utf8_names_and_subjects_are_encoded():
    p = pipeline(
        deal(
            "U",
            next_appointment=at(1, 9, 30),
            contact_name="Zoë Ångström",
            company="Müller Bäckerei",
            owner="Renée Ørsted",
            owner_email="renee@northwind.example",
        )
    )
    d = only(draft(p), "appointment-reminder")
    raw = d.message.as_bytes(policy=d.message.policy)
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()  # RFC 2047 encoded words, not raw UTF-8
    assert b"=?utf-8?" in head
    msg = parsed(d.message)
    assert (
        msg["Subject"]
        == "Reminder: our meeting on Friday, November 27 at 9:30 AM – Müller Bäckerei"
    )
    assert msg["To"].addresses[0].display_name == "Zoë Ångström"
    assert msg["From"].addresses[0].display_name == "Renée Ørsted"
    assert body(msg).startswith("Hi Zoë,\n")


def test_header_injection_from_cells_changes_no_header():
    p = pipeline(
        deal(
            "I",
            next_appointment=at(1, 9, 30),
            contact_name="Bob\r\nBcc: evil@x.com",
            company="Acme\nX-Evil: 1\r\nSubject: win",
            deal="Robots\r\n\r\n<html>body</html>",
            owner="Ana\nReply-To: thief@x.com",
        )
    )
    run = draft(p)
    for d in run.drafts:
        msg = parsed(d.message)
        for name in ("Bcc", "Cc", "X-Evil", "Reply-To"):
            assert msg[name] is None, (d.kind, name)
        assert len(msg.get_all("Subject")) == 1 and len(msg.get_all("To")) == 1
        assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
        all_to = [a.addr_spec for a in msg["To"].addresses]
        assert all_to in (["ann@acme.example"], ["ana@northwind.example"])
        assert [a.addr_spec for a in msg["From"].addresses] == ["ana@northwind.example"]
    msg = parsed(only(run, "appointment-reminder").message)
    assert msg["To"].addresses[0].display_name == "Bob Bcc: evil@x.com"
    assert (
        msg["Subject"]
        == "Reminder: our meeting on Friday, November 27 at 9:30 AM – Acme X-Evil: 1 Subject: win"
    )
    assert header_text("a\u2028b\x00c\tx") == "a b c x"


def test_an_address_list_in_one_cell_goes_to_exactly_those_recipients():
    p = pipeline(
        deal(
            "L",
            next_appointment=at(1),
            contact_email=("ann@acme.example", "bob@acme.example"),
            contact_name="Ann and Bob",
        )
    )
    msg = parsed(only(draft(p), "appointment-reminder").message)
    assert [a.addr_spec for a in msg["To"].addresses] == ["ann@acme.example", "bob@acme.example"]
    assert all(a.display_name == "" for a in msg["To"].addresses)
    assert msg["Cc"] is None and msg["Bcc"] is None


def test_html_bodies_escape_cell_text_and_text_bodies_keep_it():
    p = pipeline(
        deal(
            "H",
            next_appointment=at(1),
            contact_name="<b>Ann</b>",
            company="Acme & <Sons>",
            notes="<script>alert('x')</script>",
        )
    )
    run = draft(p)
    reminder = parsed(only(run, "appointment-reminder").message)
    html = body(reminder, "html")
    assert "&lt;b&gt;Ann&lt;/b&gt;" in html and "<b>Ann</b>" not in html
    assert "Hi <b>Ann</b>," in body(reminder)
    digest = parsed(only(run, "rep-digest").message)
    dhtml = body(digest, "html")
    assert "<script>" not in dhtml
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in dhtml
    assert "Acme &amp; &lt;Sons&gt;" in dhtml
    assert "Notes: <script>alert('x')</script>" in body(digest)


def test_internal_notes_never_reach_the_prospect():
    p = pipeline(deal("N", next_appointment=at(1), notes="Discount request 8% - secret"))
    run = draft(p)
    msg = parsed(only(run, "appointment-reminder").message)
    assert "secret" not in body(msg) and "secret" not in body(msg, "html")
    assert "secret" in body(parsed(only(run, "rep-digest").message))


# --------------------------------------------------------------------------- files


def test_file_names_are_stable_and_safe(tmp_path):
    assert file_name("NW-1025", "appointment-reminder", day(1)) == (
        "NW-1025_appointment-reminder_2026-11-27.eml"
    )
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("Zoë: Q4/2026 *deal*?") == "Zoe-Q4-2026-deal"
    assert slug("\r\n") == "draft"
    p = pipeline(deal("../x:y*z", next_appointment=at(1)))
    run = draft(p, tmp_path)
    names = sorted(q.name for q in (tmp_path / "2026-11-26").iterdir())
    assert names == [
        "digest-Ana-Lima_rep-digest_2026-11-26.eml",
        "x-y-z_appointment-reminder_2026-11-27.eml",
    ]
    assert all(Path(d.location or "").parent == tmp_path / "2026-11-26" for d in run.drafts)


def test_eml_files_are_the_message_and_never_overwritten(tmp_path):
    p = pipeline(deal("R", next_appointment=at(1)))
    run = draft(p, tmp_path)
    d = only(run, "appointment-reminder")
    path = Path(d.location or "")
    assert path.read_bytes() == d.message.as_bytes(policy=d.message.policy)
    # The same draft again (ledger lost): the file is recognised by its Message-ID.
    again = draft(p, tmp_path)
    assert only(again, "appointment-reminder").location == str(path)
    assert len(list(path.parent.iterdir())) == 2
    # Someone else's file with the name: ours gets "-2", theirs is untouched.
    path.write_bytes(b"Subject: mine\r\n\r\nhands off\r\n")
    third = draft(p, tmp_path)
    assert Path(only(third, "appointment-reminder").location or "").name.endswith("-2.eml")
    assert path.read_bytes() == b"Subject: mine\r\n\r\nhands off\r\n"


def test_dry_run_saves_nothing(tmp_path):
    p = pipeline(deal("R", next_appointment=at(1)))
    run = draft(p, tmp_path, dry_run=True)
    assert [d.kind for d in run.drafts] == ["appointment-reminder", "rep-digest"]
    assert all(d.location is None for d in run.drafts)
    assert not any(tmp_path.iterdir()) and len(run.ledger) == 0
    assert "dry run: nothing was saved" in run_text(run)


# --------------------------------------------------------------------------- time


def test_a_reminder_is_made_only_for_a_meeting_still_ahead():
    from sheetsync.drafts.clock import AsOf

    p = pipeline(
        deal("M", next_appointment=at(0, 9, 0)),  # this morning: over by 18:33
        deal("E", next_appointment=at(0, 19, 0)),  # this evening: still ahead
        deal("D", next_appointment=dt.datetime.combine(T, dt.time(0))),  # today, no time
    )
    evening = AsOf(T.year, T.month, T.day, dt.datetime.combine(T, dt.time(18, 33)))
    run = prepare_drafts(
        p,
        compute_metrics(p, T),
        compute_followups(p, T),
        evening,
        settings(kinds=("appointment-reminder",)),
        Ledger(),
        dry_run=True,
        now=NOW,
    )
    assert sorted(d.key for d in run.drafts) == ["D", "E"]
    assert [(s.key, s.reason) for s in run.skipped] == [("M", "meeting-passed")]
    morning = draft(p, s=settings(kinds=("appointment-reminder",)))  # 07:00: all ahead
    assert sorted(d.key for d in morning.drafts) == ["D", "E", "M"]


def test_the_run_moment_follows_the_team_time_zone():
    from zoneinfo import ZoneInfo

    from sheetsync.drafts.clock import AsOf, parse_as_of, run_moment

    bkk = ZoneInfo("Asia/Bangkok")
    assert settings(timezone="Asia/Bangkok").tzinfo == bkk
    assert settings(timezone="").tzinfo is None  # unset: the machine's own zone
    assert parse_as_of("2026-11-26") == T and not isinstance(parse_as_of("2026-11-26"), AsOf)
    at_1833 = parse_as_of("2026-11-26T18:33")
    assert at_1833 == T and at_1833.at == dt.datetime(2026, 11, 26, 18, 33)
    assert run_moment(at_1833, None, bkk) == dt.datetime(2026, 11, 26, 18, 33, tzinfo=bkk)
    # 23:30 UTC on the 25th is already the 26th, 06:30, in Bangkok
    late = dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)
    assert run_moment(T, late, bkk) == dt.datetime(2026, 11, 26, 6, 30, tzinfo=bkk)
    # a backfilled date (not today, no time) starts at midnight: all its meetings ahead
    assert run_moment(T, None, bkk, clock=late + dt.timedelta(days=9)) == dt.datetime(
        2026, 11, 26, tzinfo=bkk
    )


def test_as_of_takes_a_date_or_a_date_time_on_the_command_line(tmp_path):
    from click.testing import CliRunner

    from sheetsync.cli import cli

    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    for value in ("2026-11-26", "2026-11-26T18:33", "2026-11-26 18:33"):
        res = CliRunner().invoke(cli, ["drafts", str(book), "--as-of", value, "--dry-run"])
        assert res.exit_code in (0, 1), res.output
    evening = CliRunner().invoke(
        cli, ["drafts", str(book), "--as-of", "2026-11-26T18:33", "--dry-run", "--format", "json"]
    )
    morning = CliRunner().invoke(
        cli, ["drafts", str(book), "--as-of", "2026-11-26T06:00", "--dry-run", "--format", "json"]
    )
    import json

    def reminders(res):
        data, _ = json.JSONDecoder().raw_decode(res.output[res.output.index("{") :])
        return data["counts"]["appointment-reminder"]

    assert reminders(evening) < reminders(morning)
    bad = CliRunner().invoke(cli, ["drafts", str(book), "--as-of", "26/11/2026"])
    assert bad.exit_code == 2 and "2026-11-26T18:33" in bad.output


def test_reminders_name_the_day_time_and_time_zone_absolutely():
    p = pipeline(deal("R", next_appointment=at(1, 10, 0), company="Siam Foods"))
    s = settings(kinds=("appointment-reminder",), locale="en_GB", timezone="Asia/Bangkok")
    msg = parsed(only(draft(p, s=s), "appointment-reminder").message)
    text = body(msg)
    assert "we are meeting on Friday, 27 November at 10:00 (Bangkok time)." in text
    assert msg["Subject"] == "Reminder: our meeting on Friday, 27 November at 10:00 – Siam Foods"
    for stale in ("today", "tomorrow", "yesterday"):
        assert stale not in text.casefold() and stale not in msg["Subject"].casefold()


def test_follow_ups_name_the_day_of_the_meeting():
    p = pipeline(deal("F", next_appointment=at(-1, 14, 0), last_contact=day(-6)))
    msg = parsed(only(draft(p, s=settings(kinds=("follow-up",))), "follow-up").message)
    assert msg["Subject"] == "Thank you for your time on Wednesday"
    assert "Thank you for meeting with me on Wednesday, November 25." in body(msg)
    assert "yesterday" not in body(msg)


# --------------------------------------------------------------------------- meeting place


def _with_raw(d: Deal, **raw: Any) -> Deal:
    d.raw = {**d.raw, **raw}
    return d


def test_the_deals_meeting_place_wins_over_the_configured_one():
    p = pipeline(
        _with_raw(
            deal("S", next_appointment=at(1, 10)), meeting_place="Site visit: Plant 2, Rayong"
        ),
        _with_raw(deal("B", next_appointment=at(1, 11)), meeting_place="  "),  # blank: the default
        deal("N", next_appointment=at(1, 12)),  # no column: the default
    )
    run = draft(p, s=settings(kinds=("appointment-reminder",), meeting_place="Our office, Bangkok"))
    where = {
        d.key: next(
            line for line in body(parsed(d.message)).splitlines() if line.startswith("Where")
        )
        for d in run.drafts
        if d.kind == "appointment-reminder"
    }
    assert where == {
        "S": "Where: Site visit: Plant 2, Rayong",
        "B": "Where: Our office, Bangkok",
        "N": "Where: Our office, Bangkok",
    }


def test_a_video_link_is_a_link_in_the_html_and_text_in_the_plain_body():
    link = "https://meet.example/abc-defg"
    p = pipeline(_with_raw(deal("V", next_appointment=at(1, 10)), meeting_place=link))
    msg = parsed(
        only(draft(p, s=settings(kinds=("appointment-reminder",))), "appointment-reminder").message
    )
    assert f"Where: {link}" in body(msg)
    assert f'<a href="{link}">{link}</a>' in body(msg, "html")
    evil = pipeline(
        _with_raw(deal("X", next_appointment=at(1, 10)), meeting_place="javascript:alert(1)")
    )
    html = body(
        parsed(
            only(
                draft(evil, s=settings(kinds=("appointment-reminder",))), "appointment-reminder"
            ).message
        ),
        "html",
    )
    assert "href" not in html.split("Where:")[1].split("</li>")[0]


def test_a_meeting_place_column_in_a_sheet_reaches_the_reminder(tmp_path):
    src = tmp_path / "deals.csv"
    src.write_text(
        "Deal,Company,Owner,Owner Email,Contact,Contact Email,Stage,Next Appointment,Video Link\n"
        "Pilot,Acme,Ana Lima,ana@northwind.example,Ann Lee,ann@acme.example,Proposal,"
        "2026-11-27 09:30,https://meet.example/acme\n",
        encoding="utf-8",
    )
    done = jobs.drafts(str(src), as_of=T, dry_run=True, now=NOW)
    reminder = only(done.run, "appointment-reminder")
    assert "Where: https://meet.example/acme" in body(parsed(reminder.message))


@pytest.mark.parametrize(
    "header",
    [
        "Meeting Place",
        "Location",
        "Video Link",
        "Meeting Link",
        "Treffpunkt",
        "Lieu",
        "Lugar",
        "สถานที่นัดหมาย",
    ],
)
def test_meeting_place_headers_map_to_the_meeting_place(header):
    from sheetsync.columns import candidates

    assert candidates(header)[0] == "meeting_place"


# --------------------------------------------------------------------------- never twice


def test_second_run_the_same_day_creates_nothing(tmp_path):
    p = pipeline(
        deal("R", next_appointment=at(1, 9, 30)),
        deal("F", next_appointment=None, last_contact=day(-9)),
    )
    first = draft(p, tmp_path)
    assert first.counts() == {
        "appointment-reminder": 1,
        "follow-up": 1,
        "trial-offer": 0,
        "rep-digest": 1,
    }
    files = sorted((tmp_path / "2026-11-26").iterdir())
    second = draft(p, tmp_path, ledger=first.ledger)
    assert second.drafts == []
    assert [s.reason for s in second.skipped] == ["already-drafted"] * 3
    assert sorted((tmp_path / "2026-11-26").iterdir()) == files
    assert len(second.ledger) == 3


def test_a_moved_appointment_gets_a_new_reminder(tmp_path):
    p = pipeline(deal("R", next_appointment=at(1, 9, 30)))
    first = draft(p, tmp_path, s=settings(kinds=("appointment-reminder",)))
    assert [d.event for d in first.drafts] == ["2026-11-27T09:30"]
    p.deals[0].next_appointment = at(1, 14, 0)  # moved to the afternoon
    second = draft(p, tmp_path, ledger=first.ledger, s=settings(kinds=("appointment-reminder",)))
    assert [(d.kind, d.event) for d in second.drafts] == [
        ("appointment-reminder", "2026-11-27T14:00")
    ]
    assert "2:00 PM" in second.drafts[0].subject
    # The next day the same appointment is not reminded again.
    third = prepare_drafts(
        p,
        compute_metrics(p, day(1)),
        compute_followups(p, day(1)),
        day(1),
        settings(kinds=("appointment-reminder",)),
        second.ledger,
        out_dir=tmp_path,
        now=NOW + dt.timedelta(days=1),
    )
    assert third.drafts == [] and [s.reason for s in third.skipped] == ["already-drafted"]


def test_ledger_round_trips_through_a_grid_and_tells_drafted_at(tmp_path):
    p = pipeline(deal("R", next_appointment=at(1, 9, 30)), deal("Q", next_appointment=None))
    run = draft(p, tmp_path)
    sheet = run.ledger.to_outsheet("sheetsync Drafts Ledger")
    assert sheet.kind == "ledger" and sheet.hidden is True and sheet.freeze_rows == 1
    values = [[c.value if hasattr(c, "value") else c for c in row] for row in sheet.rows]
    back = ledger_from_grid(Grid("sheetsync Drafts Ledger", values))
    assert [e.identity for e in back] == [e.identity for e in run.ledger]
    acts = compute_followups(p, T)
    drafted = {a.kind: back.drafted_at(a) for a in acts if a.deal_key == "R"}
    assert drafted == {"appointment-reminder": dt.datetime(2026, 11, 26, 6, 0)}
    assert all(back.drafted_at(a) is None for a in acts if a.deal_key == "Q")
    assert ledger_from_grid(Grid("x", [["something else"]])).entries == []


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample():
    checked, metrics = jobs.metrics(str(SAMPLE), as_of=T)
    return checked, metrics, compute_followups(checked.pipeline, T)


def test_sample_workbook_drafts(sample):
    checked, metrics, actions = sample
    run = prepare_drafts(
        checked.pipeline, metrics, actions, T, DraftSettings(), Ledger(), dry_run=True, now=NOW
    )
    assert run.counts() == {
        "appointment-reminder": 16,
        "follow-up": 7,
        "trial-offer": 0,
        "rep-digest": 5,
    }
    assert run.problems == [] and run.skipped == []
    digests = {d.owner for d in run.drafts if d.kind == "rep-digest"}
    assert digests == {"Elena Vasquez", "Jamal Okafor", "Marcus Chen", "Priya Raman", "Tom Becker"}
    # Every prospect draft is from the deal's rep and to the deal's contact only.
    by_row = {d.row: d for d in checked.pipeline.deals}  # not by key: NW-1042 is duplicated
    for d in run.drafts:
        msg = parsed(d.message)
        if d.kind == "rep-digest":
            continue
        deal_ = by_row[d.row]
        assert [a.addr_spec for a in msg["To"].addresses] == list(deal_.contact_email)
        assert msg["From"].addresses[0].addr_spec == deal_.owner_email


def test_sample_digests_list_each_deal_with_reasons_once(sample):
    import re

    checked, metrics, actions = sample
    run = prepare_drafts(
        checked.pipeline, metrics, actions, T, DraftSettings(), Ledger(), dry_run=True, now=NOW
    )
    rows_of: dict[str | None, set[int]] = {}
    for a in actions:
        rows_of.setdefault(a.owner, set()).add(a.row)
    by_row = {d.row: d for d in checked.pipeline.deals}
    total = 0
    for d in run.drafts:
        if d.kind != "rep-digest":
            continue
        text = body(parsed(d.message))
        lines = [line for line in text.splitlines() if re.match(r"\d+\. ", line)]
        rows = rows_of.get(d.owner, set())
        assert len(lines) == len(rows) > 0, (d.owner, text)  # one line per deal with reasons
        heads = [line.split(":", 1)[0].split(". ", 1)[1] for line in lines]
        assert len(set(heads)) == len(heads), heads  # no deal twice
        for row in rows:  # each of the rep's deals is there, by its company or name
            deal_ = by_row[row]
            assert sum((deal_.company or deal_.deal or "") in h for h in heads) >= 1, deal_
        assert f"Today, most urgent first ({len(rows)} deal" in text
        assert "/" not in text.split("to review and send, in ")[-1].split("\n")[0]  # no path
        total += len(lines)
    assert total == len({a.row for a in actions})


def test_drafts_job_twice_on_a_workbook_creates_nothing_the_second_time(tmp_path):
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    out = tmp_path / "out"
    first = jobs.drafts(str(book), as_of=T, out_dir=out, now=NOW)
    assert sum(first.run.counts().values()) == 28
    assert first.write is not None and first.write.added == ["sheetsync Drafts Ledger"]
    src = ExcelSource(book)
    assert src.owned_tabs() == {"sheetsync Drafts Ledger": "ledger"}
    assert len(read_ledger(src)) == 28
    second = jobs.drafts(str(book), as_of=T, out_dir=out, now=NOW + dt.timedelta(hours=2))
    assert second.run.drafts == [] and second.write is None
    assert {s.reason for s in second.run.skipped} == {"already-drafted"}
    assert len(list((out / "2026-11-26").iterdir())) == 28
    text = run_text(second.run)
    assert text.startswith("drafts prepared: 0 (0 appointment-reminder, 0 follow-up,")
    assert "28 already-drafted" in text


def test_eml_sink_describes_where(tmp_path):
    assert EmlDirSink(tmp_path).where == str(tmp_path)


# --------------------------------------------------------------------------- sync and doctor


@pytest.mark.skipif(
    "drafts" not in getattr(jobs.Synced, "__dataclass_fields__", {}),
    reason="jobs.sync does not prepare drafts yet ([drafts] enabled wiring)",
)
def test_sync_with_drafts_enabled_writes_the_ledger_and_drafted_at(tmp_path):
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    (tmp_path / "sheetsync.toml").write_text("[drafts]\nenabled = true\n", encoding="utf-8")
    first = jobs.sync(str(book), as_of=T)
    assert sum(first.drafts.counts().values()) == 28  # type: ignore[attr-defined]
    assert len(list((tmp_path / "drafts" / "2026-11-26").iterdir())) == 28
    src = ExcelSource(book)
    assert src.owned_tabs()["sheetsync Drafts Ledger"] == "ledger"
    follow = src.read("sheetsync Follow-ups")
    assert follow.rows[1][12] == "Drafted at"
    assert sum(1 for r in follow.rows[2:] if len(r) > 12 and isinstance(r[12], dt.datetime)) == 23
    second = jobs.sync(str(book), as_of=T)
    assert sum(second.drafts.counts().values()) == 0  # type: ignore[attr-defined]
    assert second.write.changed_parts == []


@pytest.mark.parametrize("name", ["team_pipeline.ods", "team_pipeline.csv"])
def test_drafts_on_a_csv_or_ods_file_stop_before_any_draft_with_a_hint(tmp_path, name):
    from click.testing import CliRunner

    from sheetsync.cli import cli

    src = tmp_path / name
    if name.endswith(".ods"):
        shutil.copy(ROOT / "tests" / "fixtures" / name, src)
    else:
        src.write_text(
            "Deal,Company,Owner,Owner Email,Contact,Contact Email,Stage,Amount,Next Appointment\n"
            "Pilot,Acme,Ana Lima,ana@northwind.example,Ann Lee,ann@acme.example,Proposal,"
            "1000,2026-11-27 09:30\n",
            encoding="utf-8",
        )
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["drafts", str(src), "--as-of", "2026-11-26", "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert "cannot hold the drafts ledger" in res.output
    assert "--output" in res.output and "team_pipeline.xlsx" in res.output
    assert not out.exists() or not list(out.rglob("*.eml"))
    dry = CliRunner().invoke(cli, ["drafts", str(src), "--as-of", "2026-11-26", "--dry-run"])
    assert dry.exit_code in (0, 1), dry.output  # a dry run writes nothing, so it may look


def test_a_night_whose_drafts_were_all_made_exits_0_despite_data_errors(tmp_path):
    from click.testing import CliRunner

    from sheetsync.cli import cli

    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    assert not jobs.check(str(book), as_of=T).report.valid  # the sample has data errors
    res = CliRunner().invoke(
        cli, ["drafts", str(book), "--as-of", "2026-11-26T06:00", "--out", str(tmp_path / "o")]
    )
    assert res.exit_code == 0, res.output
    assert "the data has" in res.output and "error(s)" in res.output  # still said, on stderr
    assert list((tmp_path / "o").rglob("*.eml"))


def test_doctor_checks_settings_and_templates(tmp_path):
    from sheetsync.drafts.doctor import drafts_checks

    assert [c.status for c in drafts_checks(Config(), None)] == ["skip"]
    ok = drafts_checks(Config(sections={"drafts": {"enabled": True}}), None)
    assert [(c.name, c.status) for c in ok] == [("drafts settings", "ok"), ("templates", "ok")]
    (tmp_path / "follow_up.subject.j2").write_text("{{ nope }}", encoding="utf-8")
    (tmp_path / "follow_up.txt.j2").write_text("x", encoding="utf-8")
    bad = drafts_checks(Config(sections={"drafts": {"templates_dir": str(tmp_path)}}), None)
    assert (
        bad[1].status == "fail"
        and "follow_up.subject.j2:1: unknown variable 'nope'" in bad[1].detail
    )
    wrong = drafts_checks(Config(sections={"drafts": {"limt": 1}}), None)
    assert wrong[0].status == "fail" and "unknown key 'limt'" in wrong[0].detail


def test_display_names_with_specials_are_quoted_not_parsed():
    p = pipeline(
        deal(
            "Q",
            next_appointment=at(1),
            contact_name='Smith, Jo "JJ" <x@evil.com>; y@evil.com',
            owner='Ana "Boss" Lima, <z@evil.com>',
        )
    )
    for d in draft(p).drafts:
        msg = parsed(d.message)
        to = [a.addr_spec for a in msg["To"].addresses]
        assert to in (["ann@acme.example"], ["ana@northwind.example"])
        assert [a.addr_spec for a in msg["From"].addresses] == ["ana@northwind.example"]
    msg = parsed(only(draft(p), "appointment-reminder").message)
    assert msg["To"].addresses[0].display_name == 'Smith, Jo "JJ" <x@evil.com>; y@evil.com'
