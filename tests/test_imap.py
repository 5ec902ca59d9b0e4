"""IMAP drafts against a real Dovecot on loopback (no mocks on this path).

The server is started once for the module by ``tests/services/dovecot.py``
(temp dir, own config, a test user, a self-signed certificate); each test
uses its own folder.  Without Dovecot the server tests skip and say how to
install it (``sudo apt-get install dovecot-imapd``).
"""

from __future__ import annotations

import email
from email import policy

import pytest
from services.dovecot import DovecotServer, dovecot_or_skip, free_port, messages, start_dovecot
from test_drafts import NOW, at, day, deal, draft, pipeline

from sheetsync.drafts import DraftSettings, ImapSettings, ImapSink, Ledger
from sheetsync.drafts.imap import encode_mailbox, quote_mailbox, resolve_password
from sheetsync.errors import ConfigError, RemoteError


@pytest.fixture(scope="module")
def server():
    dovecot_or_skip()
    srv = start_dovecot(tls=True)
    try:
        yield srv
    finally:
        srv.stop()


def imap_settings(srv: DovecotServer, folder: str, **kw) -> ImapSettings:
    security = kw.pop("security", "ssl")
    port = {"ssl": srv.ssl_port, "starttls": srv.port, "none": srv.port}[security]
    if security != "none" and srv.cert_file is None:
        pytest.skip("openssl is needed to make the test server's certificate")
    values = dict(
        host=srv.host,
        port=port,
        security=security,
        user=srv.user,
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


def sample_pipeline():
    return pipeline(
        deal("R1", next_appointment=at(1, 9, 30), contact_name="Zoë Müller", company="Müller GmbH"),
        deal(
            "F1",
            next_appointment=None,
            last_contact=day(-9),
            contact_email=("a@buyer.example", "b@buyer.example"),
        ),
    )


def read_back(srv: DovecotServer, folder: str) -> list[tuple[bytes, email.message.EmailMessage]]:
    out = []
    for flags, raw in messages(srv, folder):
        msg = email.message_from_bytes(raw, policy=policy.default)
        out.append((flags, msg))
    return out


# --------------------------------------------------------------------------- against Dovecot


def test_drafts_are_appended_with_the_draft_flag_over_ssl(server):
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
    assert reminder["Subject"] == "Reminder: our meeting tomorrow at 9:30 AM – Müller GmbH"
    assert reminder["To"].addresses[0].display_name == "Zoë Müller"
    assert reminder.get_content_type() == "multipart/alternative"
    # The ledger says where each went.
    assert {e.where for e in run.ledger} == {"imap"}
    assert all(e.location.endswith("/Drafts") for e in run.ledger)


def test_starttls_and_a_folder_that_does_not_exist_yet(server):
    folder = "Entwürfe sheetsync"
    run = draft(sample_pipeline(), imap=sink(server, folder, security="starttls"), dry_run=False)
    assert run.error is None, run.error
    conn = server.client()
    try:
        typ, data = conn.list('""', quote_mailbox(folder))
        assert typ == "OK" and data[0] is not None
        assert b"Entw&APw-rfe sheetsync" in data[0]
    finally:
        conn.logout()
    assert len(read_back(server, folder)) == 3


def test_plain_imap_on_loopback(server):
    run = draft(sample_pipeline(), imap=sink(server, "Plain", security="none"), dry_run=False)
    assert run.error is None and len(read_back(server, "Plain")) == 3


def test_never_twice_in_the_mailbox(server):
    p = sample_pipeline()
    first = draft(p, imap=sink(server, "Twice"), dry_run=False)
    assert len(first.drafts) == 3
    second = draft(p, imap=sink(server, "Twice"), dry_run=False, ledger=first.ledger)
    assert second.drafts == [] and {s.reason for s in second.skipped} == {"already-drafted"}
    # Even with the ledger lost (the workbook could not be saved), the folder
    # is searched for each Message-ID and nothing is appended twice.
    s = sink(server, "Twice")
    lost = draft(p, imap=s, dry_run=False, ledger=Ledger())
    assert len(lost.drafts) == 3 and s.appended == 0
    assert len(read_back(server, "Twice")) == 3
    # A moved appointment is a new reminder.
    p.deals[0].next_appointment = at(1, 15, 0)
    moved = draft(p, imap=sink(server, "Twice"), dry_run=False, ledger=first.ledger)
    assert [(d.kind, d.event) for d in moved.drafts] == [
        ("appointment-reminder", "2026-11-27T15:00")
    ]
    assert len(read_back(server, "Twice")) == 4


def test_wrong_password_is_a_remote_error_and_nothing_is_recorded(server):
    s = ImapSink(imap_settings(server, "Drafts"), password="wrong", sleep=lambda _: None)
    run = draft(sample_pipeline(), imap=s, dry_run=False)
    assert isinstance(run.error, RemoteError)
    assert "login refused" in run.error.message
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
            user="u",
            password="p",
            timeout=2.0,
            retries=2,
        ),
        sleep=slept.append,
    )
    run = draft(sample_pipeline(), imap=s, dry_run=False)
    assert isinstance(run.error, RemoteError)
    assert "failed after 3 attempt(s)" in run.error.message
    assert slept == [0.5, 1.0]
    assert run.drafts == []


def test_settings_from_config_reach_the_server(server, monkeypatch):
    monkeypatch.setenv("SHEETSYNC_TEST_IMAP_PW", server.password)
    s = DraftSettings(imap=imap_settings(server, "FromConfig"))
    run = draft(sample_pipeline(), s=s, dry_run=False)  # no out_dir, no imap: [drafts.imap]
    assert run.error is None and run.where == [s.imap.where]  # type: ignore[union-attr]
    assert len(read_back(server, "FromConfig")) == 3
    assert NOW.year == 2026


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
    imap = next(c for c in checks if c.name == "imap")
    assert imap.status == "ok", imap
    assert "folder 'Doctor Folder' will be created on the first run" in imap.detail
    conn = server.client()
    try:
        typ, data = conn.list('""', quote_mailbox("Doctor Folder"))
        assert data == [None]  # still not there
    finally:
        conn.logout()


def test_checking_for_a_draft_never_expunges_the_reps_deleted_messages(server):
    folder = "Deleted Kept"
    run = draft(sample_pipeline(), imap=sink(server, folder), dry_run=False)
    assert run.error is None
    conn = server.client()
    try:
        conn.select(quote_mailbox(folder))
        conn.store("1", "+FLAGS", r"(\Deleted)")  # marked deleted by the rep, not expunged
        conn.logout()
    except Exception:
        conn.logout()
        raise
    again = draft(sample_pipeline(), imap=sink(server, folder), dry_run=False, ledger=Ledger())
    assert again.error is None
    back = read_back(server, folder)
    assert len(back) == 3 and b"\\Deleted" in back[0][0]
