"""One code path above every sink: routing to each rep's mailbox, settings, thirty nights.

The thirty-night simulation runs ``sheetsync drafts`` (:func:`sheetsync.jobs.drafts`)
every night on a copy of the sample workbook, against the Gmail and the
Graph emulators, with bad nights mixed in: throttling, a rep's mailbox
refusing, a workbook whose ledger could not be saved (the copy restored
from the night before), a second machine running the same night.  At the
end every draft the ledger lists is in its rep's mailbox exactly once, and
no mailbox holds anything twice or anyone else's draft.
"""

from __future__ import annotations

import datetime as dt
import email
import shutil
from email import policy

import pytest
from mail_fixtures import ANA, gmail_env, graph_env
from test_drafts import NOW, SAMPLE, at, deal, draft, pipeline

from sheetsync import jobs
from sheetsync.config import Config
from sheetsync.drafts import read_ledger
from sheetsync.drafts.settings import draft_settings_from_table
from sheetsync.drafts.sinks import Budget, Deadline, DeadlineReached, MailboxesFailed
from sheetsync.errors import ConfigError
from sheetsync.sources.excel import ExcelSource

SAMPLE_REPS = {
    "Marcus Chen": "marcus@northwind-robotics.example",
    "Priya Raman": "priya@northwind-robotics.example",
    "Tom Becker": "tom@northwind-robotics.example",
    "Jamal Okafor": "jamal@northwind-robotics.example",
    "Elena Vasquez": "elena@northwind-robotics.example",
}


# --------------------------------------------------------------------------- settings


def test_the_sink_is_chosen_in_one_place():
    assert draft_settings_from_table({}).sink_kind == "eml"
    assert draft_settings_from_table({"imap": {"host": "h", "user": "u"}}).sink_kind == "imap"
    assert draft_settings_from_table({"sink": "gmail"}).sink_kind == "gmail"
    graph = {"tenant": "t", "client_id": "c", "client_secret_env": "S"}
    assert draft_settings_from_table({"sink": "graph", "graph": graph}).sink_kind == "graph"


@pytest.mark.parametrize(
    "table,words",
    [
        ({"sink": "outlook"}, "sink must be one of"),
        ({"sink": "imap"}, "needs a [drafts.imap] section"),
        ({"sink": "graph"}, "needs a [drafts.graph] section"),
        ({"sink": "gmail", "from_address": "sales@x.example"}, "from_address cannot be used"),
        ({"sink": "graph", "graph": {"tenant": "t"}}, "missing client_id"),
        ({"sink": "graph", "graph": {"tenant": "t", "client_id": "c"}}, "needs a client secret"),
        (
            {
                "sink": "graph",
                "graph": {
                    "tenant": "t",
                    "client_id": "c",
                    "client_secret": "x",
                    "certificate": "c.pem",
                },
            },
            "not both",
        ),
        (
            {
                "sink": "graph",
                "graph": {
                    "tenant": "t",
                    "client_id": "c",
                    "auth": "device",
                    "client_secret_env": "S",
                },
            },
            "takes no secret",
        ),
        ({"gmail": {"credentails": "k.json"}}, "unknown key 'credentails'"),
        ({"mailboxes": {"Ana": "Ana <ana@x>"}}, "not a bare address"),
        (
            {"imap": {"host": "h", "auth": "xoauth2", "token_from": "graph"}},
            "needs a [drafts.graph]",
        ),
        ({"deadline": 0}, "deadline must be more than 0"),
    ],
)
def test_wrong_sink_settings_name_the_key(table, words):
    with pytest.raises(ConfigError) as err:
        draft_settings_from_table(table, file="team.toml")
    assert words in str(err.value) and err.value.message.startswith("team.toml")


def test_gmail_credentials_default_to_the_google_section(tmp_path):
    from sheetsync.drafts.settings import draft_settings

    cfg = Config(
        file=tmp_path / "sheetsync.toml",
        sections={"drafts": {"sink": "gmail"}, "google": {"credentials": "sa.json"}},
    )
    assert draft_settings(cfg).gmail.credentials == str(tmp_path / "sa.json")  # type: ignore[union-attr]


# --------------------------------------------------------------------------- routing


def test_the_mailboxes_table_wins_over_the_sheet_for_from_and_mailbox():
    p = pipeline(
        deal("A1", next_appointment=at(1), owner="Ana Lima", owner_email="ana@old.example")
    )
    s = draft_settings_from_table({"mailboxes": {"ana lima": ANA}})
    run = draft(p, s=s)
    assert {d.mailbox for d in run.drafts} == {ANA}
    assert all(d.message["From"].addresses[0].addr_spec == ANA for d in run.drafts)


def test_a_rep_without_an_address_gets_a_finding_and_no_draft_in_a_mailbox_sink():
    p = pipeline(
        deal("A1", next_appointment=at(1)),
        deal("B1", next_appointment=None, close_date=at(-3).date(), owner="Bo", owner_email=None),
    )
    run = draft(p, s=draft_settings_from_table({"sink": "gmail"}))
    assert {d.owner for d in run.drafts} == {"Ana Lima"}
    (problem,) = run.problems
    assert problem.code == "draft-no-sender" and "no rep-digest draft for Bo" in problem.message
    assert ("rep-digest", "no-owner-email") in {(s.kind, s.reason) for s in run.skipped}


def test_mailbox_domains_keep_a_typed_address_from_picking_another_mailbox():
    p = pipeline(
        deal("A1", next_appointment=at(1)),
        deal("B1", next_appointment=at(1), owner="Bo", owner_email="ceo@elsewhere.example"),
    )
    s = draft_settings_from_table({"sink": "gmail", "mailbox_domains": ["northwind.example"]})
    run = draft(p, s=s)
    assert {d.owner for d in run.drafts} == {"Ana Lima"}
    (problem,) = run.problems
    assert problem.code == "draft-no-mailbox" and problem.cell == "Deals!H3"  # the owner email cell
    assert "outside [drafts] mailbox_domains" in problem.message


# --------------------------------------------------------------------------- budgets


def test_a_budget_never_spends_more_than_its_quota_in_any_window():
    now = [0.0]
    spent: list[tuple[float, float]] = []
    b = Budget.per_window(
        100, 60, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    for _ in range(200):
        b.take(7)
        spent.append((now[0], 7))
    for t, _ in spent:
        assert sum(u for s, u in spent if t - 60 < s <= t) <= 100
    assert now[0] > 60 * 10


def test_the_run_deadline_stops_waiting():
    from sheetsync.sources.retry import RetryPolicy

    t = [0.0]
    d = Deadline(10, clock=lambda: t[0])
    b = Budget(1, 1, clock=lambda: t[0], sleep=lambda s: None)
    b.take(1, d)
    with pytest.raises(DeadlineReached, match="deadline of 0.5 s"):
        b.take(1, Deadline(0.5, clock=lambda: t[0]))  # a second's wait does not fit
    t[0] = 4
    cut = d.policy(RetryPolicy(timeout=30, deadline=180))
    assert (cut.timeout, cut.deadline) == (6, 6)  # each call gets what the run has left
    t[0] = 11
    with pytest.raises(DeadlineReached, match="deadline of 10 s"):
        d.policy(RetryPolicy())


# --------------------------------------------------------------------------- thirty nights


def _mailbox_copy(kind, env, address):
    """(Message-ID, From address) of everything in a rep's mailbox."""
    if kind == "gmail":
        raws = [d.raw for d in env.emu.drafts(address)]
    else:
        raws = [env.emu.mime(address, m["id"]) for m in env.emu.messages(address)]
    out = []
    for raw in raws:
        msg = email.message_from_bytes(raw, policy=policy.default)
        out.append((str(msg["Message-ID"]), msg["From"].addresses[0].addr_spec))
    return out


@pytest.fixture(params=["gmail", "graph"])
def sink_env(request, tmp_path, monkeypatch):
    maker = gmail_env if request.param == "gmail" else graph_env
    env = maker(tmp_path, monkeypatch)
    e = next(env)
    for addr in SAMPLE_REPS.values():
        (e.emu.add_user if request.param == "gmail" else e.emu.add_mailbox)(addr)
    try:
        yield request.param, e
    finally:
        env.close()


def test_thirty_nights_every_draft_exactly_once_in_its_reps_mailbox(
    sink_env, tmp_path, monkeypatch
):
    kind, env = sink_env
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    if kind == "gmail":
        section = f'sink = "gmail"\n[drafts.gmail]\ncredentials = "{env.key_path}"\n'
    else:
        section = (
            'sink = "graph"\n[drafts.graph]\n'
            f'tenant = "{env.emu.tenant_id}"\nclient_id = "{env.client_id}"\n'
            f'client_secret_env = "SHEETSYNC_TEST_GRAPH_SECRET"\nauthority = "{env.emu.url}"\n'
        )
    (tmp_path / "sheetsync.toml").write_text(
        f"[drafts]\ndeadline = 60\n{section}", encoding="utf-8"
    )
    start = dt.date(2026, 11, 10)
    op_create = "gmail.users.drafts.create" if kind == "gmail" else "users_CreateMessages"
    stopped = 0
    for night in range(30):
        as_of = start + dt.timedelta(days=night)
        now = NOW + dt.timedelta(days=(as_of - NOW.date()).days)
        before = book.read_bytes()
        if night % 7 == 3:
            env.emu.fail(429, 1, op=op_create, retry_after=0)  # throttled, retried
        if night % 9 == 5:
            env.emu.fail(503, 1, op=op_create)
        refused = night == 12
        if refused:  # Tom's mailbox is taken away for a night, then given back
            if kind == "gmail":
                env.emu.users["tom@northwind-robotics.example"].gmail = False
            else:
                env.emu.mailboxes["tom@northwind-robotics.example"].enabled = False
        done = jobs.drafts(str(book), as_of=as_of, now=now)
        if done.run.error is not None:
            stopped += 1
            assert isinstance(done.run.error, MailboxesFailed)  # the others were saved
            assert refused and [f.mailbox for f in done.run.failed] == [
                "tom@northwind-robotics.example"
            ]
            assert done.run.drafts  # the other reps' drafts went on
        if refused:
            if kind == "gmail":
                env.emu.users["tom@northwind-robotics.example"].gmail = True
            else:
                env.emu.mailboxes["tom@northwind-robotics.example"].enabled = True
        if night % 6 == 4:
            book.write_bytes(before)  # the workbook could not be saved: the ledger is lost
        if night % 10 == 7:
            jobs.drafts(str(book), as_of=as_of, now=now + dt.timedelta(hours=1))  # machine two
    assert stopped == 1
    ledger = read_ledger(ExcelSource(book))
    assert len(ledger) > 60
    seen: dict[str, int] = {}
    for address in SAMPLE_REPS.values():
        held = _mailbox_copy(kind, env, address)
        ids = [mid for mid, _ in held]
        assert len(ids) == len(set(ids)), f"{address} holds a draft twice"
        assert all(sender == address for _, sender in held), f"someone else's draft in {address}"
        for mid in ids:
            seen[mid] = seen.get(mid, 0) + 1
    for e in ledger:
        assert seen.get(e.message_id) == 1, (e.kind, e.key, e.event)
        assert e.location.startswith(f"{kind}:{SAMPLE_REPS[e.owner]}/")  # the rep's own mailbox
    # (a draft made on a night whose ledger was lost and never due again, such as that
    # day's digest, stays in its mailbox, once, without a ledger row)
    assert all(n == 1 for n in seen.values())


def test_doctor_signs_in_to_every_reps_mailbox_and_writes_nothing(sink_env, tmp_path, monkeypatch):
    from sheetsync.doctor import run_doctor

    kind, env = sink_env
    monkeypatch.setenv("SHEETSYNC_LOCK_DIR", str(tmp_path / "locks"))
    book = tmp_path / "team_pipeline.xlsx"
    shutil.copy(SAMPLE, book)
    if kind == "gmail":
        section = f'sink = "gmail"\n[drafts.gmail]\ncredentials = "{env.key_path}"\n'
        env.emu.remove_user("jamal@northwind-robotics.example")
    else:
        section = (
            'sink = "graph"\n[drafts.graph]\n'
            f'tenant = "{env.emu.tenant_id}"\nclient_id = "{env.client_id}"\n'
            f'client_secret_env = "SHEETSYNC_TEST_GRAPH_SECRET"\nauthority = "{env.emu.url}"\n'
        )
        env.emu.restrict(env.client_id, tuple(a for a in SAMPLE_REPS.values() if "jamal" not in a))
    (tmp_path / "sheetsync.toml").write_text(f"[drafts]\n{section}", encoding="utf-8")
    before = book.read_bytes()
    checks = [c for c in run_doctor(None, str(book)) if c.name == kind]
    assert len(checks) == 5
    failed = [c for c in checks if c.status == "fail"]
    assert len(failed) == 1 and "jamal@northwind-robotics.example" in failed[0].detail
    assert failed[0].fix  # the admin step
    assert all(c.status == "ok" for c in checks if c not in failed)
    assert book.read_bytes() == before
    if kind == "gmail":
        assert sum(len(env.emu.drafts(a)) for a in SAMPLE_REPS.values() if "jamal" not in a) == 0
        assert env.emu.counts["gmail.users.drafts.create"] == 0
    else:
        assert env.emu.counts["users_CreateMessages"] == 0
        assert "Drafts folder 'Drafts' reachable" in checks[0].detail


def test_every_drafts_example_in_the_readme_is_a_working_configuration():
    import re
    import tomllib
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    blocks = [b for b in re.findall(r"```toml\n(.*?)```", readme, re.S) if "[drafts" in b]
    sinks = set()
    for block in blocks:
        table = tomllib.loads(block.replace("…", ""))
        s = draft_settings_from_table(table["drafts"])
        sinks.add(s.sink_kind)
    assert sinks == {"eml", "imap", "gmail", "graph"}  # each sink has a complete example
