"""Drafts in each rep's Outlook mailbox through Microsoft Graph, against the loopback emulator.

The emulator (``tests/graph_emulator``) speaks HTTPS (MSAL requires it; its
certificate is trusted through ``REQUESTS_CA_BUNDLE``), serves Entra ID's
v2.0 endpoints and checks each Graph request against Microsoft's OpenAPI
description of the operations used.  MSAL runs for real: discovery, the
client-credentials grant with a secret or a certificate-signed assertion,
the device-code flow and the silent refresh from the token cache.
"""

from __future__ import annotations

import os
import stat

import pytest
from graph_emulator import openapi
from mail_fixtures import ANA, BO, CY, FakeClock, graph_env, three_rep_pipeline
from test_drafts import at, deal, draft, pipeline

from sheetsync.drafts import Ledger
from sheetsync.drafts.eml import to_bytes
from sheetsync.drafts.graph import GraphSink
from sheetsync.drafts.microsoft_auth import MicrosoftTokens, load_cache
from sheetsync.errors import ConfigError, RemoteError


@pytest.fixture
def ms(tmp_path, monkeypatch):
    yield from graph_env(tmp_path, monkeypatch)


def sink(ms, clock: FakeClock | None = None, graph=None, **kw) -> GraphSink:
    clock = clock or FakeClock()
    return GraphSink(
        graph or ms.graph_settings(), sleep=clock.sleep, clock=clock, rand=lambda: 0.5, **kw
    )


def test_an_app_puts_each_reps_drafts_in_that_reps_own_mailbox_as_mime(ms):
    run = draft(three_rep_pipeline(), s=ms.settings(), dry_run=False)
    assert run.error is None, run.error
    assert len(run.drafts) == 9
    for d in run.drafts:
        (stored,) = [
            m for m in ms.emu.messages(d.mailbox) if m["internetMessageId"] == d.message_id
        ]
        assert stored["isDraft"] is True and stored["parentFolderId"] == "drafts"
        assert ms.emu.mime(d.mailbox, stored["id"]) == to_bytes(d.message)  # the .eml bytes
        assert d.location == f"graph:{d.mailbox}/messages/{stored['id']}"
        openapi.check_json(openapi.message_schema(), stored)  # the emulator's answers fit too
    assert {len(ms.emu.messages(a)) for a in (ANA, BO, CY)} == {3}
    grants = [f for f in ms.emu.token_requests if f.get("grant_type") == "client_credentials"]
    assert len(grants) == 1  # one app token serves every mailbox
    assert grants[0]["scope"] == "https://graph.microsoft.com/.default"
    assert {e.where for e in run.ledger} == {"graph"}


def test_a_certificate_signs_the_client_assertion_instead_of_a_secret(ms, tmp_path):
    pem = tmp_path / "sheetsync-graph.pem"
    pem.write_text(ms.emu.add_certificate(ms.client_id), encoding="ascii")
    graph = ms.graph_settings(client_secret_env=None, certificate=str(pem))
    run = draft(three_rep_pipeline(), s=ms.settings(graph), dry_run=False)
    assert run.error is None and len(run.drafts) == 9
    (grant,) = [f for f in ms.emu.token_requests if f.get("grant_type") == "client_credentials"]
    assert "client_secret" not in grant and grant["client_assertion"].count(".") == 2


def test_never_twice_the_mailbox_is_searched_by_internet_message_id(ms):
    p = three_rep_pipeline()
    draft(p, s=ms.settings(), dry_run=False)
    s = sink(ms)
    lost = draft(p, sinks=[s], dry_run=False, ledger=Ledger())
    assert lost.error is None and len(lost.drafts) == 9 and s.created == 0 and s.found == 9
    assert sum(len(ms.emu.messages(a)) for a in (ANA, BO, CY)) == 9
    # a Message-ID with a quote is an OData literal with the quote doubled
    assert s.find(ANA, "<o'brien@x>") is None


def test_throttling_429_waits_for_retry_after(ms):
    clock = FakeClock()
    ms.emu.fail(429, 2, op="users_CreateMessages", retry_after=9)
    ms.emu.fail(503, 1, op="users_ListMessages")
    s = sink(ms, clock)
    run = draft(pipeline(deal("A1", next_appointment=at(1))), sinks=[s], dry_run=False)
    assert run.error is None and len(run.drafts) == 2
    assert clock.slept.count(9.0) == 2
    assert [st for st, _ in s.client.retried] == [503, 429, 429]
    assert ms.emu.max_in_flight == 1  # one request at a time per mailbox (Outlook allows 4)


def test_the_per_mailbox_request_limit_is_respected(tmp_path, monkeypatch):
    clock = FakeClock()
    env = graph_env(tmp_path, monkeypatch, requests_per_10_minutes=8, clock=clock)
    ms = next(env)
    try:
        s = sink(ms, clock, requests_per_10_minutes=8)
        deals = [deal(f"A{i}", next_appointment=at(1, 8 + i)) for i in range(5)]
        run = draft(pipeline(*deals), sinks=[s], dry_run=False)
        assert run.error is None and len(run.drafts) == 6  # 12 requests for one mailbox
        assert all(status != 429 for *_, status in ms.emu.log)
        assert clock.elapsed >= 300  # sheetsync waited rather than being throttled
    finally:
        env.close()


def test_a_persistent_429_stops_only_that_mailbox_within_the_deadline(ms):
    clock = FakeClock()
    s = sink(ms, clock, graph=ms.graph_settings(deadline=30))
    ms.emu.fail(429, 100, op="users_ListMessages", retry_after=20)
    run = draft(pipeline(deal("A1", next_appointment=at(1))), sinks=[s], dry_run=False)
    assert run.drafts == [] and [f.mailbox for f in run.failed] == [ANA]
    assert "past the 30 s deadline" in run.failed[0].message
    assert sum(clock.slept) <= 30


def test_missing_admin_consent_names_the_permission_step(ms):
    ms.emu.apps[ms.client_id].application_permissions.clear()
    run = draft(three_rep_pipeline(), s=ms.settings(), dry_run=False)
    assert run.drafts == [] and len(run.failed) == 3
    assert "ErrorAccessDenied" in run.failed[0].message
    assert (
        "Mail.ReadWrite" in run.failed[0].hint and "Grant admin consent" not in run.failed[0].hint
    )
    assert "grant admin consent" in run.failed[0].hint


def test_the_application_access_policy_stops_only_the_reps_outside_it(ms):
    ms.emu.restrict(ms.client_id, (ANA, BO))  # CY is not in the sales group
    run = draft(three_rep_pipeline(), s=ms.settings(), dry_run=False)
    assert {d.mailbox for d in run.drafts} == {ANA, BO}
    assert [f.mailbox for f in run.failed] == [CY]
    assert "AccessPolicy" in run.failed[0].message
    assert "Test-ApplicationAccessPolicy -Identity cy@northwind.example" in run.failed[0].hint
    assert isinstance(run.error, RemoteError) and len(run.ledger) == 6


def test_unknown_and_disabled_mailboxes_are_told_apart(ms):
    ms.emu.mailboxes.pop(BO.casefold())
    ms.emu.mailboxes[CY.casefold()].enabled = False
    run = draft(three_rep_pipeline(), s=ms.settings(), dry_run=False)
    why = {f.mailbox: f for f in run.failed}
    assert set(why) == {BO, CY}
    assert "ErrorInvalidUser" in why[BO].message and "check the rep's address" in why[BO].hint
    assert "MailboxNotEnabledForRESTAPI" in why[CY].message and "licence" in why[CY].hint


def test_a_wrong_secret_stops_the_run_with_the_portal_step(ms, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_TEST_GRAPH_SECRET", "not-the-secret")
    run = draft(three_rep_pipeline(), s=ms.settings(), dry_run=False)
    assert isinstance(run.error, RemoteError) and run.drafts == []
    assert "AADSTS7000215" in run.error.message and "Certificates & secrets" in run.error.hint


def test_an_unknown_app_or_tenant_is_named(ms):
    run = draft(
        three_rep_pipeline(),
        s=ms.settings(ms.graph_settings(client_id="00000000-0000-0000-0000-000000000000")),
        dry_run=False,
    )
    assert "AADSTS700016" in run.error.message and "client_id" in run.error.hint
    run = draft(
        three_rep_pipeline(),
        s=ms.settings(ms.graph_settings(tenant="contoso.example")),
        dry_run=False,
    )
    assert isinstance(run.error, RemoteError) and "tenant" in (run.error.hint or "")


def test_device_sign_in_once_then_silent_refresh_for_that_mailbox_only(ms, tmp_path):
    cache = tmp_path / "graph-token-cache.json"
    graph = ms.graph_settings(client_secret_env=None, auth="device", token_cache=str(cache))
    ms.emu.consent_delegated.add(ms.client_id)
    tokens = MicrosoftTokens(graph, session=None)
    from sheetsync.drafts.rest import new_session

    tokens.session = new_session()
    shown: list[str] = []

    def show(message: str) -> None:
        shown.append(message)
        ms.emu.approve(message.split()[-3], BO)  # the person types the code in a browser

    who = tokens.sign_in(show, ("https://graph.microsoft.com/Mail.ReadWrite",))
    assert who == BO and "microsoft.com/devicelogin" in shown[0]
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert "refresh_token" not in repr(graph) and "RefreshToken" in cache.read_text()
    # the nightly run, a day later (the access token expired): no prompt, the refresh
    # token from the cache, Bo's drafts only
    ms.emu.tokens.clear()
    run = draft(three_rep_pipeline(), s=ms.settings(graph), dry_run=False)
    assert run.error is None
    assert {d.mailbox for d in run.drafts} == {BO} and len(run.drafts) == 3
    assert sum(1 for s in run.skipped if s.reason == "other-mailbox") == 6
    assert len(ms.emu.messages(ANA)) == 0
    assert any(f.get("grant_type") == "refresh_token" for f in ms.emu.token_requests)
    assert sum(f.get("grant_type", "").endswith("device_code") for f in ms.emu.token_requests) >= 1
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600  # rewritten with the new tokens, still 0600


def test_a_token_cache_others_can_read_is_refused(ms, tmp_path):
    cache = tmp_path / "graph-token-cache.json"
    cache.write_text("{}", encoding="utf-8")
    os.chmod(cache, 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_cache(cache)
    graph = ms.graph_settings(client_secret_env=None, auth="device", token_cache=str(cache))
    run = draft(three_rep_pipeline(), s=ms.settings(graph), dry_run=False)
    assert isinstance(run.error, ConfigError)


def test_no_sign_in_yet_says_how(ms, tmp_path):
    graph = ms.graph_settings(
        client_secret_env=None, auth="device", token_cache=str(tmp_path / "none.json")
    )
    run = draft(three_rep_pipeline(), s=ms.settings(graph), dry_run=False)
    assert isinstance(run.error, RemoteError) and "sheetsync signin" in run.error.hint


def test_requests_are_checked_against_the_openapi_description(ms):
    doc = openapi.document()
    assert "msgraph-sdk-powershell" in doc["info"]["x-sheetsync-source"]
    op, params = openapi.operation("GET", "/users/ana@x/messages")
    assert params == {"user-id": "ana@x"} and op["operationId"] == "users_ListMessages"
    assert openapi.check_query(op, [("$select", "id,isDraft"), ("$top", "1")])["$top"] == 1
    with pytest.raises(openapi.Invalid, match="is not allowed"):
        openapi.check_query(op, [("$filterr", "x")])
    with pytest.raises(openapi.Invalid, match="Could not find a property named 'isDrafty'"):
        openapi.check_query(op, [("$select", "id,isDrafty")])
    with pytest.raises(openapi.Invalid):
        openapi.check_query(op, [("$top", "-1")])
    with pytest.raises(openapi.Invalid, match="does not exist on type"):
        openapi.check_json(openapi.message_schema(), {"subject": "x", "colour": "red"})
    with pytest.raises(openapi.Invalid):
        openapi.check_json(openapi.message_schema(), {"isDraft": "yes"})
    with pytest.raises(LookupError):
        openapi.operation("GET", "/users/ana@x/events")
    run = draft(pipeline(deal("A1", next_appointment=at(1))), s=ms.settings(), dry_run=False)
    assert run.error is None and all(status < 400 for *_, status in ms.emu.log)
