"""IMAP drafts against a real Dovecot on loopback (no mocks on this path).

The servers are started once for the module by ``tests/services/dovecot.py``
(temp dir, own config, test users, a self-signed certificate): one with a
plain ``Drafts`` folder marked ``\\Drafts``, one whose drafts folder is the
German ``Entwürfe`` (as Gmail shows it) and which checks OAuth 2.0 logins
with Dovecot's own ``oauth2`` password database against a loopback RFC 7662
introspection endpoint answering for the Gmail and Graph emulators' tokens.
Without Dovecot the server tests skip and say how to install it
(``sudo apt-get install dovecot-imapd``).
"""

from __future__ import annotations

import base64
import email
import json
from email import policy

import pytest
from mail_fixtures import ANA, BO, CY, REPS, gmail_env, graph_env, three_rep_pipeline
from services.dovecot import (
    TEST_USER,
    DovecotServer,
    Mailboxes,
    dovecot_or_skip,
    free_port,
    messages,
    start_dovecot,
)
from services.introspect import Introspection
from test_drafts import NOW, at, day, deal, draft, pipeline

from sheetsync.drafts import DraftSettings, ImapSettings, ImapSink, Ledger
from sheetsync.drafts.imap import (
    decode_mailbox,
    encode_mailbox,
    oauthbearer,
    parse_list,
    quote_mailbox,
    resolve_password,
    xoauth2,
)
from sheetsync.drafts.settings import GmailSettings
from sheetsync.drafts.sinks import MailboxError
from sheetsync.errors import ConfigError, RemoteError

GMAIL_IMAP = "https://mail.google.com/"
OUTLOOK_IMAP = "https://outlook.office.com/IMAP.AccessAsUser.All"


@pytest.fixture(scope="module")
def server():
    dovecot_or_skip()
    srv = start_dovecot(tls=True)
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def introspection():
    with Introspection() as intro:
        yield intro


@pytest.fixture(scope="module")
def oauth_server(introspection):
    """The reps' mailboxes, drafts folder "Entwürfe", OAuth checked by introspection.

    Like Gmail's IMAP, a token must carry ``https://mail.google.com/`` (Dovecot
    2.3 requires every scope listed, so the Outlook test has its own server).
    """
    dovecot_or_skip()
    srv = start_dovecot(
        tls=True,
        users=tuple(REPS.values()),
        boxes=Mailboxes(drafts="Entwürfe", oauth2=introspection.url, scope=GMAIL_IMAP),
    )
    try:
        yield srv
    finally:
        srv.stop()


def imap_settings(srv: DovecotServer, folder: str, **kw) -> ImapSettings:
    security = kw.pop("security", "ssl")
    kw.setdefault("user", srv.user)
    port = {"ssl": srv.ssl_port, "starttls": srv.port, "none": srv.port}[security]
    if security != "none" and srv.cert_file is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    values = dict(
        host=srv.host,
        port=port,
        security=security,
        password_env="SHEETSYNC_TEST_IMAP_PW",
        folder=folder,
        timeout=10.0,
        retries=1,
        ca_file=str(srv.cert_file) if srv.cert_file else None,
    )
    values.update(kw)
    return ImapSettings(**values)


def sink(srv: DovecotServer, folder: str, **kw) -> ImapSink:
    return ImapSink(
        imap_settings(srv, folder, **kw),
        environ={"SHEETSYNC_TEST_IMAP_PW": srv.password},
        sleep=lambda s: None,
    )


def sample_pipeline(owner_email: str = TEST_USER):
    """Two deals of the rep whose mailbox the test server has."""
    return pipeline(
        deal(
            "R1",
            next_appointment=at(1, 9, 30),
            contact_name="Zoë Müller",
            company="Müller GmbH",
            owner_email=owner_email,
        ),
        deal(
            "F1",
            next_appointment=None,
            last_contact=day(-9),
            contact_email=("a@buyer.example", "b@buyer.example"),
            owner_email=owner_email,
        ),
    )


def read_back(
    srv: DovecotServer, folder: str, user: str | None = None
) -> list[tuple[bytes, email.message.EmailMessage]]:
    out = []
    for flags, raw in messages(srv, folder, user):
        msg = email.message_from_bytes(raw, policy=policy.default)
        out.append((flags, msg))
    return out


# --------------------------------------------------------------------------- against Dovecot


def empty(srv: DovecotServer, folder: str, user: str | None = None) -> None:
    """Remove every message from a folder (each test starts with an empty Drafts)."""
    conn = srv.client(user)
    try:
        typ, data = conn.select(quote_mailbox(folder))
        if typ == "OK" and int(data[0] or 0) > 0:
            conn.store("1:*", "+FLAGS", r"(\Deleted)")
            conn.expunge()
    finally:
        conn.logout()


def folders(srv: DovecotServer, user: str | None = None) -> list[str]:
    conn = srv.client(user)
    try:
        return sorted(f.name for f in parse_list(conn.list('""', '"*"')[1]))
    finally:
        conn.logout()


@pytest.fixture
def drafts_box(server):
    empty(server, "Drafts")
    return server


def test_drafts_are_appended_with_the_draft_flag_over_ssl(drafts_box):
    server = drafts_box
    run = draft(sample_pipeline(), imap=sink(server, "Drafts"), dry_run=False)
    assert run.error is None, run.error
    assert run.counts() == {
        "appointment-reminder": 1,
        "follow-up": 1,
        "trial-offer": 0,
        "rep-digest": 1,
    }
    back = read_back(server, "Drafts")
    assert len(back) == 3
    assert all(b"\\Draft" in flags for flags, _ in back)
    by_id = {str(m["Message-ID"]): m for _, m in back}
    for d in run.drafts:
        m = by_id[d.message_id]
        assert m["Subject"] == d.subject
        assert m["X-Unsent"] == "1"
        assert [a.addr_spec for a in m["To"].addresses] == list(d.to)
        text = m.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert text == d.text
    reminder = next(m for _, m in back if m["X-Sheetsync-Kind"] == "appointment-reminder")
    assert (
        reminder["Subject"]
        == "Reminder: our meeting on Friday, November 27 at 9:30 AM – Müller GmbH"
    )
    assert reminder["To"].addresses[0].display_name == "Zoë Müller"
    assert reminder.get_content_type() == "multipart/alternative"
    # The ledger says where each went.
    assert {e.where for e in run.ledger} == {"imap"}
    assert all(
        e.location.endswith(f"{TEST_USER}@127.0.0.1:{server.ssl_port}/Drafts") for e in run.ledger
    )


def test_a_localised_drafts_folder_is_found_by_its_special_use_over_starttls(oauth_server):
    server = oauth_server
    empty(server, "Entwürfe")
    s = sink(server, "Drafts", security="starttls", user=ANA)  # "Drafts" does not exist there
    run = draft(sample_pipeline(ANA), imap=s, dry_run=False)
    assert run.error is None, run.error
    assert len(read_back(server, "Entwürfe", ANA)) == 3
    assert folders(server, ANA) == ["Entwürfe", "INBOX"]  # nothing created beside it
    assert all(e.location.endswith("/Entwürfe") for e in run.ledger)


def test_without_special_use_the_configured_name_is_used(tmp_path):
    dovecot_or_skip()
    srv = start_dovecot(tls=False, boxes=Mailboxes(drafts="Brouillons", special_use=False))
    try:
        s = sink(srv, "Brouillons", security="none")
        run = draft(sample_pipeline(), imap=s, dry_run=False)
        assert run.error is None and len(read_back(srv, "Brouillons")) == 3
        # a name that is not there is never created: that mailbox's drafts stop, with the fix
        missing = draft(sample_pipeline(), imap=sink(srv, "Drafts", security="none"), dry_run=False)
        assert missing.drafts == [] and isinstance(missing.error, RemoteError)
        assert "has no Drafts folder" in missing.failed[0].message
        assert "never creates one" in missing.failed[0].message
        assert folders(srv) == ["Brouillons", "INBOX"]
    finally:
        srv.stop()


def test_plain_imap_on_loopback(drafts_box):
    run = draft(sample_pipeline(), imap=sink(drafts_box, "Drafts", security="none"), dry_run=False)
    assert run.error is None and len(read_back(drafts_box, "Drafts")) == 3


def test_never_twice_in_the_mailbox(drafts_box):
    server = drafts_box
    p = sample_pipeline()
    first = draft(p, imap=sink(server, "Drafts"), dry_run=False)
    assert len(first.drafts) == 3
    second = draft(p, imap=sink(server, "Drafts"), dry_run=False, ledger=first.ledger)
    assert second.drafts == [] and {s.reason for s in second.skipped} == {"already-drafted"}
    # Even with the ledger lost (the workbook could not be saved), the folder
    # is searched for each Message-ID and nothing is appended twice.
    s = sink(server, "Drafts")
    lost = draft(p, imap=s, dry_run=False, ledger=Ledger())
    assert len(lost.drafts) == 3 and s.appended == 0
    assert len(read_back(server, "Drafts")) == 3
    # A moved appointment is a new reminder.
    p.deals[0].next_appointment = at(1, 15, 0)
    moved = draft(p, imap=sink(server, "Drafts"), dry_run=False, ledger=first.ledger)
    assert [(d.kind, d.event) for d in moved.drafts] == [
        ("appointment-reminder", "2026-11-27T15:00")
    ]
    assert len(read_back(server, "Drafts")) == 4


def test_other_reps_drafts_never_go_into_this_mailbox(drafts_box):
    p = pipeline(
        deal("MINE", next_appointment=at(1), owner_email=TEST_USER),
        deal("THEIRS", next_appointment=at(1), owner="Bo", owner_email="bo@northwind.example"),
    )
    run = draft(p, imap=sink(drafts_box, "Drafts"), dry_run=False)
    assert {d.key for d in run.drafts} == {"MINE", "owner:ana lima"}
    theirs = [x for x in run.skipped if x.reason == "other-mailbox"]
    assert {x.key for x in theirs} == {"THEIRS", "owner:bo"}
    assert "signs in as rep@northwind.test" in theirs[0].detail
    assert len(read_back(drafts_box, "Drafts")) == 2


def test_wrong_password_is_a_remote_error_and_nothing_is_recorded(server):
    s = ImapSink(imap_settings(server, "Drafts"), password="wrong", sleep=lambda _: None)
    run = draft(sample_pipeline(), imap=s, dry_run=False)
    assert isinstance(run.error, RemoteError)
    assert "refused" in run.error.message and TEST_USER in run.error.message
    assert "OAuth" in (run.error.hint or "")
    assert run.drafts == [] and len(run.ledger) == 0


def test_an_untrusted_certificate_is_refused(server):
    s = sink(server, "Drafts", ca_file=None)
    run = draft(sample_pipeline(), imap=s, dry_run=False)
    assert isinstance(run.error, RemoteError)
    assert "certificate is not trusted" in run.error.message


def test_a_server_that_is_down_is_retried_then_reported(server):
    slept: list[float] = []
    s = ImapSink(
        ImapSettings(
            host="127.0.0.1",
            port=free_port(),
            security="none",
            user="u@northwind.example",
            password="p",
            timeout=2.0,
            retries=2,
        ),
        sleep=slept.append,
    )
    run = draft(sample_pipeline("u@northwind.example"), imap=s, dry_run=False)
    assert isinstance(run.error, RemoteError)
    assert "failed after 3 attempt(s)" in run.error.message
    assert slept == [0.5, 1.0]
    assert run.drafts == []


def test_settings_from_config_reach_the_server(drafts_box, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", drafts_box.password)
    s = DraftSettings(imap=imap_settings(drafts_box, "Drafts"))
    run = draft(sample_pipeline(), s=s, dry_run=False)  # no out_dir, no imap: [drafts.imap]
    assert run.error is None and run.where == [s.imap.where]  # type: ignore[union-attr]
    assert len(read_back(drafts_box, "Drafts")) == 3
    assert NOW.year == 2026


def test_checking_for_a_draft_never_expunges_the_reps_deleted_messages(drafts_box):
    server = drafts_box
    run = draft(sample_pipeline(), imap=sink(server, "Drafts"), dry_run=False)
    assert run.error is None
    conn = server.client()
    try:
        conn.select(quote_mailbox("Drafts"))
        conn.store("1", "+FLAGS", r"(\Deleted)")  # marked deleted by the rep, not expunged
        conn.logout()
    except Exception:
        conn.logout()
        raise
    again = draft(sample_pipeline(), imap=sink(server, "Drafts"), dry_run=False, ledger=Ledger())
    assert again.error is None
    back = read_back(server, "Drafts")
    assert len(back) == 3 and b"\\Deleted" in back[0][0]


# --------------------------------------------------------------------------- OAuth 2.0


@pytest.fixture
def google(tmp_path, monkeypatch, introspection, oauth_server):
    for user in REPS.values():
        empty(oauth_server, "Entwürfe", user)
    env = gmail_env(tmp_path, monkeypatch)
    g = next(env)
    g.emu.delegate(g.key["client_id"], (GMAIL_IMAP,))
    introspection.attach(g.emu.token_info)
    try:
        yield g
    finally:
        introspection.detach(g.emu.token_info)
        env.close()


def oauth_settings(srv: DovecotServer, auth: str, token_from: str, **kw) -> ImapSettings:
    values = dict(
        host=srv.host,
        port=srv.ssl_port,
        security="ssl",
        auth=auth,
        token_from=token_from,
        timeout=10.0,
        retries=1,
        ca_file=str(srv.cert_file),
    )
    values.update(kw)
    return ImapSettings(**values)


@pytest.mark.parametrize("auth", ["xoauth2", "oauthbearer"])
def test_a_service_account_logs_in_as_each_rep_into_each_reps_own_drafts(
    google, oauth_server, introspection, auth
):
    seen = len(introspection.requests)
    imap = oauth_settings(oauth_server, auth, "gmail")
    s = DraftSettings(imap=imap, gmail=GmailSettings(credentials=str(google.key_path)))
    run = draft(three_rep_pipeline(), s=s, dry_run=False)
    assert run.error is None, run.error
    for user in (ANA, BO, CY):
        mine = {d.message_id for d in run.drafts if d.mailbox == user}
        back = read_back(oauth_server, "Entwürfe", user)
        assert {str(m["Message-ID"]) for _, m in back} == mine and len(mine) == 3
        assert all(b"\\Draft" in flags for flags, _ in back)
    # Dovecot asked the introspection endpoint about each rep's token
    asked = {r["token"] for r in introspection.requests[seen:]}
    assert asked <= set(google.emu.tokens) and len(asked) == 3
    claims = []
    for form in google.emu.token_requests:
        part = form["assertion"].split(".")[1]
        claims.append(json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))))
    assert {c["sub"] for c in claims} == {ANA, BO, CY} and {c["scope"] for c in claims} == {
        GMAIL_IMAP
    }
    assert {d.location.split("/")[-1] for d in run.drafts} == {"Entwürfe"}


def test_a_token_without_the_imap_scope_is_refused_by_the_server_with_the_fix(google, oauth_server):
    token = google.authorized_user(ANA, ("https://www.googleapis.com/auth/gmail.compose",))
    imap = oauth_settings(oauth_server, "xoauth2", "gmail", user=ANA)
    s = DraftSettings(imap=imap, gmail=GmailSettings(credentials=str(token)))
    run = draft(three_rep_pipeline(), s=s, dry_run=False)
    assert run.drafts == [] and [f.mailbox for f in run.failed] == [ANA]
    assert "AUTHENTICATIONFAILED" in run.failed[0].message
    assert "https://mail.google.com/" in run.failed[0].hint
    assert len(read_back(oauth_server, "Entwürfe", ANA)) == 0


def test_a_persons_own_google_token_serves_that_persons_mailbox(google, oauth_server):
    token = google.authorized_user(BO, (GMAIL_IMAP,))
    imap = oauth_settings(oauth_server, "oauthbearer", "gmail", user=BO)
    s = DraftSettings(imap=imap, gmail=GmailSettings(credentials=str(token)))
    run = draft(three_rep_pipeline(), s=s, dry_run=False)
    assert run.error is None and {d.mailbox for d in run.drafts} == {BO}
    assert len(read_back(oauth_server, "Entwürfe", BO)) == 3
    assert sum(x.reason == "other-mailbox" for x in run.skipped) == 6


def test_a_microsoft_device_sign_in_gives_the_imap_token(tmp_path, monkeypatch, introspection):
    dovecot_or_skip()
    outlook = start_dovecot(
        tls=True,
        users=(CY,),
        boxes=Mailboxes(drafts="Drafts", oauth2=introspection.url, scope=OUTLOOK_IMAP),
    )
    env = graph_env(tmp_path, monkeypatch)
    ms = next(env)
    introspection.attach(ms.emu.token_info)
    try:
        from sheetsync.drafts.microsoft_auth import MicrosoftTokens
        from sheetsync.drafts.rest import new_session

        graph = ms.graph_settings(
            client_secret_env=None, auth="device", token_cache=str(tmp_path / "cache.json")
        )
        ms.emu.consent_delegated.add(ms.client_id)
        tokens = MicrosoftTokens(graph, session=new_session())
        tokens.sign_in(lambda m: ms.emu.approve(m.split()[-3], CY), (OUTLOOK_IMAP,))
        imap = oauth_settings(outlook, "xoauth2", "graph", user=CY)
        run = draft(three_rep_pipeline(), s=DraftSettings(imap=imap, graph=graph), dry_run=False)
        assert run.error is None, run.error
        assert {d.mailbox for d in run.drafts} == {CY}
        assert len(read_back(outlook, "Drafts", CY)) == 3
    finally:
        introspection.detach(ms.emu.token_info)
        env.close()
        outlook.stop()


# --------------------------------------------------------------------------- no server needed


def test_mailbox_names_are_modified_utf7():
    assert encode_mailbox("Drafts") == "Drafts"
    assert encode_mailbox("Entwürfe") == "Entw&APw-rfe"
    assert encode_mailbox("A&B") == "A&-B"
    assert encode_mailbox("下書き") == "&Tgtm+DBN-"
    assert quote_mailbox('My "Drafts"') == '"My \\"Drafts\\""'


def test_password_sources():
    base = dict(host="imap.example.com", user="ana")
    assert resolve_password(ImapSettings(**base, password_env="PW"), {"PW": "s3cret"}) == (
        "s3cret",
        [],
    )
    with pytest.raises(ConfigError, match="PW is not set"):
        resolve_password(ImapSettings(**base, password_env="PW"), {})
    pw, warnings = resolve_password(
        ImapSettings(**base, password_command="printf 'from command\\n'"), {}
    )
    assert (pw, warnings) == ("from command", [])
    with pytest.raises(ConfigError, match="exited with 1"):
        resolve_password(ImapSettings(**base, password_command="false"), {})
    pw, warnings = resolve_password(ImapSettings(**base, password="plain"), {})
    assert pw == "plain" and "written in the configuration file" in warnings[0]
    with pytest.raises(ConfigError, match="needs a password"):
        resolve_password(ImapSettings(**base), {})
    with pytest.raises(ConfigError, match="only one of"):
        ImapSettings(**base, password="x", password_env="PW")


def test_a_dry_run_never_asks_for_the_password():
    s = ImapSink(ImapSettings(host="imap.example.com", user="ana", password_env="UNSET_PW"))
    run = draft(sample_pipeline(), imap=s, dry_run=True)
    assert len(run.drafts) == 3 and run.error is None


def test_doctor_logs_in_and_changes_nothing(server, monkeypatch):
    from sheetsync.config import Config
    from sheetsync.drafts.doctor import drafts_checks

    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", server.password)
    s = imap_settings(server, "Doctor Folder")
    table = {
        "host": s.host,
        "port": s.port,
        "security": s.security,
        "user": s.user,
        "password_env": "SHEETSYNC_TEST_IMAP_PW",
        "folder": s.folder,
        "ca_file": s.ca_file,
    }
    checks = drafts_checks(Config(sections={"drafts": {"imap": table}}), None)
    imap = next(c for c in checks if c.name.startswith("imap"))
    assert imap.status == "ok", imap
    assert "drafts folder 'Drafts'" in imap.detail  # the \\Drafts folder, not "Doctor Folder"
    assert "Doctor Folder" not in folders(server)  # nothing created


def test_sasl_initial_responses_follow_rfc_7628_and_googles_xoauth2():
    assert xoauth2("ana@x.example", "ya29.T") == b"user=ana@x.example\x01auth=Bearer ya29.T\x01\x01"
    assert oauthbearer("a,b=c@x.example", "T", "imap.x.example", 993) == (
        b"n,a=a=2Cb=3Dc@x.example,\x01host=imap.x.example\x01port=993\x01auth=Bearer T\x01\x01"
    )


def test_list_answers_are_read_with_attributes_and_literal_names():
    data = [
        b'(\\HasNoChildren \\Drafts) "/" "[Gmail]/Entw&APw-rfe"',
        (b'(\\HasNoChildren) "/" {8}', b'Sent "x"'),
        b'(\\Noselect \\HasChildren) "/" "[Gmail]"',
        None,
    ]
    found = parse_list(data)
    assert [f.name for f in found] == ["[Gmail]/Entwürfe", 'Sent "x"', "[Gmail]"]
    assert "\\drafts" in found[0].attributes
    assert decode_mailbox(encode_mailbox("下書き & Co")) == "下書き & Co"


def test_oauth_settings_need_a_token_source_and_no_password():
    with pytest.raises(ConfigError, match='needs token_from = "gmail" or "graph"'):
        ImapSettings(host="imap.gmail.com", auth="xoauth2")
    with pytest.raises(ConfigError, match="remove the password"):
        ImapSettings(host="imap.gmail.com", auth="xoauth2", token_from="gmail", password_env="PW")
    with pytest.raises(ConfigError, match="user must not be empty"):
        ImapSettings(host="imap.example.com")
    assert ImapSettings(host="imap.gmail.com", auth="oauthbearer", token_from="gmail").per_rep
    assert not ImapSettings(
        host="imap.gmail.com", auth="oauthbearer", token_from="gmail", user=ANA
    ).per_rep
    with pytest.raises(MailboxError):
        raise MailboxError(ANA, "x")
