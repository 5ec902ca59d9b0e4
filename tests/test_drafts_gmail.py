"""Drafts in each rep's Gmail through the Gmail API, against the loopback emulator.

The emulator (``tests/gmail_emulator``) checks every request against
Gmail's discovery document and verifies the service account's signed JWTs;
sheetsync runs its real transport (google-auth's JWT-bearer exchange,
requests) over loopback HTTP.
"""

from __future__ import annotations

import base64
import json

import pytest
from mail_fixtures import ANA, BO, CY, FakeClock, gmail_env, three_rep_pipeline
from test_drafts import at, deal, draft, pipeline

from sheetsync.drafts import Ledger
from sheetsync.drafts.eml import to_bytes
from sheetsync.drafts.gmail import GmailSink
from sheetsync.drafts.settings import GmailSettings
from sheetsync.errors import RemoteError, SourceError

COMPOSE = "https://www.googleapis.com/auth/gmail.compose"


@pytest.fixture
def google(tmp_path, monkeypatch):
    yield from gmail_env(tmp_path, monkeypatch)


def _claims(form: dict[str, str]) -> dict:
    payload = form["assertion"].split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def sink(google, clock: FakeClock | None = None, **kw) -> GmailSink:
    clock = clock or FakeClock()
    return GmailSink(
        GmailSettings(credentials=str(google.key_path), **kw),
        sleep=clock.sleep,
        clock=clock,
        rand=lambda: 0.5,
    )


def test_each_reps_drafts_land_in_that_reps_own_gmail_impersonated_with_only_gmail_compose(
    google,
):
    run = draft(three_rep_pipeline(), s=google.settings(), dry_run=False)
    assert run.error is None, run.error
    assert len(run.drafts) == 9  # per rep: a reminder, a follow-up and the digest
    for d in run.drafts:
        stored = {x.message_id: x for x in google.emu.drafts(d.mailbox)}
        # the very bytes the .eml sink writes, in the rep's own mailbox
        assert stored[d.message_id].raw == to_bytes(d.message)
        assert d.location.startswith(f"gmail:{d.mailbox}/drafts/r")
    assert {len(google.emu.drafts(a)) for a in (ANA, BO, CY)} == {3}
    digest = next(d for d in run.drafts if d.kind == "rep-digest" and d.owner == "Bo Berg")
    assert digest.mailbox == BO and digest.to == (BO,)
    grants = [_claims(f) for f in google.emu.token_requests]
    assert {c["sub"] for c in grants} == {ANA, BO, CY}
    assert {c["scope"] for c in grants} == {COMPOSE}
    assert {c["iss"] for c in grants} == {google.key["client_email"]}
    assert {e.where for e in run.ledger} == {"gmail"}


def test_never_twice_the_drafts_list_is_searched_by_rfc822msgid_before_creating(google):
    p = three_rep_pipeline()
    first = draft(p, s=google.settings(), dry_run=False)
    s = sink(google)
    lost = draft(p, sinks=[s], dry_run=False, ledger=Ledger())  # the ledger was lost
    assert lost.error is None and len(lost.drafts) == 9
    assert s.created == 0 and s.found == 9
    assert sum(len(google.emu.drafts(a)) for a in (ANA, BO, CY)) == 9
    assert [d.location for d in lost.drafts] == [d.location for d in first.drafts]
    with_ledger = draft(p, s=google.settings(), dry_run=False, ledger=first.ledger)
    assert with_ledger.drafts == [] and google.emu.counts["gmail.users.drafts.list"] == 18


def test_429_and_503_are_retried_after_retry_after_within_the_deadline(google):
    clock = FakeClock()
    google.emu.fail(429, 2, op="gmail.users.drafts.create", retry_after=7)
    google.emu.fail(503, 1, op="gmail.users.drafts.list")
    s = sink(google, clock)
    run = draft(pipeline(deal("A1", next_appointment=at(1))), sinks=[s], dry_run=False)
    assert run.error is None and len(run.drafts) == 2
    assert clock.slept.count(7.0) == 2  # never sooner than Gmail asked
    assert [st for st, _ in s.client.retried] == [503, 429, 429]
    assert len(google.emu.drafts(ANA)) == 2


def test_gmails_403_user_rate_limit_exceeded_is_a_quota_answer_and_retried(google):
    clock = FakeClock()
    google.emu.fail(403, 1, op="gmail.users.drafts.create")
    from gmail_emulator.server import ApiError

    # a 403 carrying the quota reason, as Gmail sends it
    original = google.emu.handle

    def handle(*a, **k):
        if google.emu.counts["gmail.users.drafts.create"] == 0 and a[0] == "POST":
            google.emu.counts["gmail.users.drafts.create"] += 1
            raise ApiError(403, "User Rate Limit Exceeded", "userRateLimitExceeded")
        return original(*a, **k)

    google.emu.faults.clear()
    google.emu.handle = handle
    run = draft(
        pipeline(deal("A1", next_appointment=at(1))), sinks=[sink(google, clock)], dry_run=False
    )
    assert run.error is None and len(run.drafts) == 2 and len(clock.slept) == 1


def test_the_per_user_quota_is_never_exceeded(tmp_path, monkeypatch):
    # A quota of 45 units a minute (3 drafts: 5 for the search + 10 for the create each),
    # the same clock for Gmail and sheetsync: sheetsync waits instead of being refused.
    clock = FakeClock()
    env = gmail_env(tmp_path, monkeypatch, units_per_minute=45, clock=clock)
    google = next(env)
    try:
        s = GmailSink(
            GmailSettings(credentials=str(google.key_path)),
            sleep=clock.sleep,
            clock=clock,
            units_per_minute=45,
        )
        deals = [deal(f"A{i}", next_appointment=at(1, 8 + i)) for i in range(7)]
        run = draft(pipeline(*deals), sinks=[s], dry_run=False)
        assert run.error is None and len(run.drafts) == 8  # 7 reminders and the digest
        assert all(status != 429 for *_, status in google.emu.log)
        assert s.client.retried == []
        assert 120 <= clock.elapsed <= 240  # 8 × 15 units at 45 a minute
    finally:
        env.close()


def test_a_rep_outside_the_domain_stops_only_that_reps_drafts(google):
    google.emu.remove_user(BO)  # left the company; the sheet still says bo@…
    run = draft(three_rep_pipeline(), s=google.settings(), dry_run=False)
    assert {d.mailbox for d in run.drafts} == {ANA, CY} and len(run.drafts) == 6
    assert [f.mailbox for f in run.failed] == [BO] and run.failed[0].not_saved == 3
    assert "not a user of the Google Workspace domain" in run.failed[0].message
    assert "Directory › Users" in run.failed[0].hint
    assert isinstance(run.error, RemoteError) and BO in run.error.message
    assert {s.reason for s in run.skipped} == {"mailbox-failed"}
    assert len(run.ledger) == 6  # nothing lost: the others are recorded


def test_missing_domain_wide_delegation_names_the_admin_console_step(google):
    google.emu.delegate(google.key["client_id"], ())
    run = draft(three_rep_pipeline(), s=google.settings(), dry_run=False)
    assert run.drafts == [] and len(run.failed) == 3
    hint = run.failed[0].hint
    assert "Manage domain-wide delegation" in hint
    assert google.key["client_id"] in hint and COMPOSE in hint
    assert "unauthorized_client" in run.failed[0].message


def test_delegation_for_another_scope_is_refused_too(google):
    google.emu.delegate(
        google.key["client_id"], ("https://www.googleapis.com/auth/gmail.readonly",)
    )
    run = draft(three_rep_pipeline(), s=google.settings(), dry_run=False)
    assert run.drafts == [] and COMPOSE in run.failed[0].hint


def test_a_user_without_gmail_is_told_apart(google):
    google.emu.users[CY.casefold()].gmail = False
    run = draft(three_rep_pipeline(), s=google.settings(), dry_run=False)
    assert [f.mailbox for f in run.failed] == [CY]
    assert "Mail service not enabled" in run.failed[0].message
    assert "turn Gmail on" in run.failed[0].hint


def test_an_expired_token_is_refreshed_once(google):
    s = sink(google)
    run = draft(pipeline(deal("A1", next_appointment=at(1))), sinks=[s], dry_run=False)
    assert run.error is None
    google.emu.tokens.clear()  # every token revoked / expired
    again = draft(
        pipeline(deal("A2", next_appointment=at(1))), sinks=[s], dry_run=False, ledger=run.ledger
    )
    assert again.error is None and len(again.drafts) == 1


def test_a_users_own_token_serves_only_that_mailbox(google):
    token = google.authorized_user(ANA, (COMPOSE,))
    s = GmailSink(GmailSettings(credentials=str(token)))
    run = draft(three_rep_pipeline(), sinks=[s], dry_run=False)
    assert run.error is None
    assert {d.mailbox for d in run.drafts} == {ANA} and len(run.drafts) == 3
    others = [x for x in run.skipped if x.reason == "other-mailbox"]
    assert len(others) == 6 and "signed in to ana@northwind.example only" in others[0].detail
    assert google.emu.counts["gmail.users.getProfile"] == 1  # who the token is, asked once
    assert len(google.emu.drafts(BO)) == 0


def test_a_revoked_own_token_stops_with_the_sign_in_step(google):
    token = google.authorized_user(ANA, (COMPOSE,))
    google.emu.refresh_tokens.clear()
    run = draft(
        three_rep_pipeline(),
        sinks=[GmailSink(GmailSettings(credentials=str(token), user=ANA))],
        dry_run=False,
    )
    assert isinstance(run.error, SourceError) and "sign in again" in (run.error.hint or "")
    assert run.drafts == []


def test_every_request_is_checked_against_the_discovery_document(google):
    from gmail_emulator import schema

    # what sheetsync sends passes; what Gmail would refuse is refused
    assert schema.check_body("gmail.users.drafts.create", {"message": {"raw": "SGk"}})
    with pytest.raises(schema.Invalid, match='Unknown name "rawr"'):
        schema.check_body("gmail.users.drafts.create", {"message": {"rawr": "SGk"}})
    with pytest.raises(schema.Invalid, match="Base64 decoding failed"):
        schema.check_body("gmail.users.drafts.create", {"message": {"raw": "not base64!"}})
    with pytest.raises(schema.Invalid, match="Cannot bind query parameter"):
        schema.check_query("gmail.users.drafts.list", [("query", "x")])
    with pytest.raises(schema.Invalid, match="TYPE_UINT32"):
        schema.check_query("gmail.users.drafts.list", [("maxResults", "-1")])
    assert schema.route("POST", "/gmail/v1/users/ana%40x.example/drafts") == (
        "gmail.users.drafts.create",
        {"userId": "ana@x.example"},
    )
    run = draft(pipeline(deal("A1", next_appointment=at(1))), s=google.settings(), dry_run=False)
    assert run.error is None
    assert all(status < 400 for *_, status in google.emu.log)
