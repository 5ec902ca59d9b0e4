"""Drafts in an IMAP Drafts folder: a password, or OAuth 2.0 (XOAUTH2, OAUTHBEARER).

Each draft is APPENDed with the ``\\Draft`` flag, so the rep's mail client
shows it among their drafts, ready to review and send; nothing is ever sent.

Signing in: a password (``auth = "password"``), or a bearer token
(``xoauth2``: Google's and Microsoft's SASL mechanism; ``oauthbearer``:
RFC 7628) from the same credentials as the Gmail or Graph sink
(``token_from``).  Exchange Online turned Basic authentication off for IMAP
in 2022 and Outlook.com in September 2024, and Google Workspace accepts
only OAuth or app passwords since September 2024: for those, OAuth is the
way.  With credentials that act for any rep (a service account with
domain-wide delegation, an app with application permission) and no
``user``, each rep's drafts go to the rep's own mailbox, signed in as the
rep; otherwise to the one mailbox ``user`` signs in to, and only that rep's
drafts (the others are not put in someone else's mailbox).

The Drafts folder is the one the server marks ``\\Drafts`` (RFC 6154
SPECIAL-USE: Gmail's ``[Gmail]/Entwürfe``, Outlook's ``Drafts`` or
``Brouillons``), else the folder named ``[drafts.imap] folder``; it is never
created, so no draft lands in a new folder nobody looks at.

Robustness, because this runs at night with nobody watching:

* every network operation has a timeout; a dropped connection or a timeout
  is retried (``retries`` times, with backoff) on a fresh connection, a
  refused login is not (retrying a wrong password only locks the account);
* before each APPEND the folder is searched for the draft's Message-ID
  (``SEARCH HEADER Message-ID``; deterministic, see :mod:`.eml`), so a retry
  after a connection lost mid-APPEND, or a run whose ledger could not be
  saved, never leaves the same draft twice;
* ``security = "none"`` is refused for anything but a loopback host.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import json
import re
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sheetsync.errors import ConfigError, RemoteError

from .eml import to_bytes
from .secret import secret_setting
from .settings import GmailSettings, GraphSettings, ImapSettings
from .sinks import Deadline, MailboxError, same_address

#: What counts as "the connection failed, try again".
_TRANSIENT: tuple[type[BaseException], ...] = (
    OSError,
    imaplib.IMAP4.abort,
    ssl.SSLError,
    EOFError,
)


def resolve_password(
    s: ImapSettings, environ: dict[str, str] | None = None
) -> tuple[str, list[str]]:
    """The IMAP password and any warnings about how it was given (see :mod:`.secret`)."""
    return secret_setting(s, "[drafts.imap]", "a password", "password", environ)


# --------------------------------------------------------------------------- mailbox names


def quote_mailbox(name: str) -> str:
    """A mailbox name as an IMAP quoted string, in modified UTF-7 (RFC 3501 5.1.3)."""
    encoded = encode_mailbox(name)
    return _quote(encoded)


def encode_mailbox(name: str) -> str:
    """``Entwürfe`` → ``Entw&APw-rfe`` (IMAP's modified UTF-7)."""
    out: list[str] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            raw = "".join(buf).encode("utf-16-be")
            out.append(
                "&" + base64.b64encode(raw).decode("ascii").rstrip("=").replace("/", ",") + "-"
            )
            buf.clear()

    for ch in name:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            buf.append(ch)
    flush()
    return "".join(out)


def decode_mailbox(name: str) -> str:
    """``Entw&APw-rfe`` → ``Entwürfe`` (a name that is not valid modified UTF-7 stays as is)."""

    def one(m: re.Match[str]) -> str:
        body = m.group(1)
        if body == "":
            return "&"
        b64 = body.replace(",", "/")
        try:
            return base64.b64decode(b64 + "=" * (-len(b64) % 4)).decode("utf-16-be")
        except (ValueError, UnicodeDecodeError):
            return m.group(0)

    return re.sub(r"&([A-Za-z0-9+,]*)-", one, name)


@dataclass(frozen=True, slots=True)
class Folder:
    """One LIST answer: the name as the server spells it (modified UTF-7) and its attributes."""

    raw: str
    attributes: frozenset[str]

    @property
    def name(self) -> str:
        return decode_mailbox(self.raw)


_LIST_LINE = re.compile(
    rb'^\((?P<attrs>[^)]*)\)\s+(?P<delim>"(?:[^"\\]|\\.)*"|NIL)\s+(?P<name>.*)$'
)


def parse_list(data: list[Any]) -> list[Folder]:
    """LIST responses as imaplib returns them (a literal name comes as a tuple)."""
    out: list[Folder] = []
    for item in data:
        if item is None:
            continue
        if isinstance(item, tuple):
            line, name_bytes = item[0], item[1]
            m = _LIST_LINE.match(line.rstrip())
            if m is None:
                continue
            raw = name_bytes.decode("utf-8", "replace")
        else:
            m = _LIST_LINE.match(item.strip())
            if m is None:
                continue
            name = m.group("name").strip()
            if name.startswith(b'"') and name.endswith(b'"') and len(name) >= 2:
                name = re.sub(rb"\\(.)", rb"\1", name[1:-1])
            raw = name.decode("utf-8", "replace")
        attrs = frozenset(a.decode("ascii", "replace").casefold() for a in m.group("attrs").split())
        out.append(Folder(raw, attrs))
    return out


def _ok(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {detail}".strip())
    return data


# --------------------------------------------------------------------------- SASL


def xoauth2(user: str, token: str) -> bytes:
    """Google's and Microsoft's XOAUTH2 initial response (before base64)."""
    return f"user={user}\x01auth=Bearer {token}\x01\x01".encode()


def oauthbearer(user: str, token: str, host: str, port: int) -> bytes:
    """RFC 7628 §3.1: GS2 header with the authorization identity, then host, port, auth."""
    authzid = user.replace("=", "=3D").replace(",", "=2C")  # RFC 5801 saslname
    return f"n,a={authzid},\x01host={host}\x01port={port}\x01auth=Bearer {token}\x01\x01".encode()


class _Sasl:
    """imaplib's authobject: the initial response, then the error dance of RFC 7628 §3.2.3.

    A server that refuses the token sends a challenge holding a JSON error
    (``{"status":"401","schemes":"bearer","scope":…}``); the client answers
    with a dummy (``\\x01`` for OAUTHBEARER, nothing for XOAUTH2) and the
    server then says NO.  The JSON is kept for the message.
    """

    def __init__(self, initial: bytes, dummy: bytes) -> None:
        self.initial = initial
        self.dummy = dummy
        self.sent = False
        self.error: dict[str, Any] | None = None

    def __call__(self, challenge: bytes) -> bytes:
        if not self.sent:
            self.sent = True
            return self.initial
        with contextlib.suppress(ValueError):
            parsed = json.loads(challenge.decode("utf-8", "replace") or "{}")
            self.error = parsed if isinstance(parsed, dict) else None
        return self.dummy


# --------------------------------------------------------------------------- the sink


class ImapSink:
    """Appends drafts to each rep's Drafts folder (``[drafts.imap]``).

    ``password`` overrides ``password_env``/``password_command`` (tests);
    ``tokens`` overrides the token source (anything with
    ``token(mailbox, scopes, force=)``, ``per_mailbox`` and
    ``own_mailbox``); ``sleep`` is the backoff between retries.
    """

    kind = "imap"

    def __init__(
        self,
        settings: ImapSettings,
        *,
        password: str | None = None,
        environ: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
        gmail: GmailSettings | None = None,
        graph: GraphSettings | None = None,
        tokens: Any = None,
    ) -> None:
        self.s = settings
        self.warnings: list[str] = []
        self._password = password
        self._environ = environ
        self._sleep = sleep
        self._gmail = gmail
        self._graph = graph
        self._tokens = tokens
        self._conns: dict[str, imaplib.IMAP4] = {}
        self._folders: dict[str, str] = {}
        self.deadline: Deadline | None = None
        self.appended = 0

    @property
    def where(self) -> str:
        return self.s.where

    # ----------------------------------------------------------------- sign-in

    def tokens(self) -> Any:
        if self._tokens is None:
            from .rest import new_session

            if self.s.token_from == "gmail":
                from .google_auth import GoogleTokens

                self._tokens = GoogleTokens(
                    self._gmail or GmailSettings(), session=new_session(), timeout=self.s.timeout
                )
            elif self.s.token_from == "graph":
                from .microsoft_auth import MicrosoftTokens

                if self._graph is None:
                    raise ConfigError('[drafts.imap] token_from = "graph" needs [drafts.graph]')
                self._tokens = MicrosoftTokens(
                    self._graph, session=new_session(), environ=self._environ
                )
            else:
                raise ConfigError("[drafts.imap] token_from must be gmail or graph")
        return self._tokens

    @property
    def per_rep(self) -> bool:
        """Each rep's own mailbox (OAuth credentials that act for anyone, no ``user``)."""
        return self.s.per_rep

    def _scopes(self) -> tuple[str, ...]:
        if self.s.token_from == "gmail":
            from .google_auth import GMAIL_IMAP

            return (GMAIL_IMAP,)
        from .microsoft_auth import IMAP_SCOPE_APP, IMAP_SCOPE_USER

        tokens = self.tokens()
        return (IMAP_SCOPE_APP,) if tokens.per_mailbox else (IMAP_SCOPE_USER,)

    def login_for(self, mailbox: str) -> str:
        """The IMAP login: the rep's address (per rep), else ``user``."""
        return mailbox if self.per_rep else self.s.user

    def _connect(self, mailbox: str) -> imaplib.IMAP4:
        s = self.s
        host, port, timeout = s.host, s.effective_port, s.timeout
        if s.security == "ssl":
            conn: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                host, port, ssl_context=self._context(), timeout=timeout
            )
        else:
            conn = imaplib.IMAP4(host, port, timeout=timeout)
            if s.security == "starttls":
                if "STARTTLS" not in conn.capabilities:
                    conn.shutdown()
                    raise RemoteError(
                        f"{s.where}: the server does not offer STARTTLS",
                        hint='use security = "ssl" (port 993)',
                    )
                _ok(*conn.starttls(ssl_context=self._context()), "STARTTLS")
        login = self.login_for(mailbox)
        try:
            if s.auth == "password":
                conn.login(login, self._password or "")
            else:
                self._authenticate(conn, mailbox, login)
        except imaplib.IMAP4.error as exc:
            _safe_logout(conn)
            raise self._refused(mailbox, login, _text(exc)) from None
        # what the server offers once logged in (SPECIAL-USE, LIST-EXTENDED often only now)
        with contextlib.suppress(imaplib.IMAP4.error, IndexError, AttributeError):
            typ, data = conn.capability()
            if typ == "OK" and data and data[-1]:
                conn.capabilities = tuple(data[-1].decode("ascii", "replace").upper().split())
        return conn

    def _authenticate(self, conn: imaplib.IMAP4, mailbox: str, login: str) -> None:
        mech = "XOAUTH2" if self.s.auth == "xoauth2" else "OAUTHBEARER"
        if f"AUTH={mech}" not in conn.capabilities:
            raise MailboxError(
                mailbox,
                f"{self.s.where}: the server does not offer {mech}",
                hint="set [drafts.imap] auth to one it offers: "
                + (
                    ", ".join(c[5:].lower() for c in conn.capabilities if c.startswith("AUTH="))
                    or "none"
                ),
            )
        token = self.tokens().token(mailbox, self._scopes())
        if mech == "XOAUTH2":
            sasl = _Sasl(xoauth2(login, token), b"")
        else:
            sasl = _Sasl(oauthbearer(login, token, self.s.host, self.s.effective_port), b"\x01")
        try:
            conn.authenticate(mech, sasl)
        except imaplib.IMAP4.error as exc:
            detail = _text(exc)
            if sasl.error:
                detail += f" (server said: {json.dumps(sasl.error, sort_keys=True)})"
            raise imaplib.IMAP4.error(detail) from None

    def _refused(self, mailbox: str, login: str, detail: str) -> RemoteError:
        s = self.s
        head = f"{s.where}: login as {login} refused: {detail}"
        if s.auth == "password":
            return MailboxError(
                mailbox,
                head,
                hint="check [drafts.imap] user and the password; Gmail and Outlook need OAuth "
                '(auth = "xoauth2") or, for Gmail only, an app password',
            )
        if s.token_from == "gmail":
            hint = (
                "the token needs the scope https://mail.google.com/ (add it to the service "
                "account's domain-wide delegation in the Google Admin console), and IMAP must be "
                "on for the user (Admin console › Apps › Gmail › End User Access)"
            )
        else:
            hint = (
                "for an app: register its service principal in Exchange Online "
                "(New-ServicePrincipal) and give it the mailbox (Add-MailboxPermission "
                "-AccessRights FullAccess); for a person: consent to IMAP.AccessAsUser.All "
                "(README, 'Microsoft 365 set-up')"
            )
        return MailboxError(mailbox, head, hint=hint)

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.s.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"[drafts.imap] ca_file {self.s.ca_file!r}: {exc}") from None

    def _with_retries(self, mailbox: str, what: str, op: Callable[[imaplib.IMAP4], Any]) -> Any:
        attempts = self.s.retries + 1
        key = mailbox.casefold()
        for attempt in range(1, attempts + 1):
            try:
                if key not in self._conns:
                    self._conns[key] = self._connect(mailbox)
                return op(self._conns[key])
            except RemoteError:
                raise
            except ssl.SSLCertVerificationError as exc:
                self._drop(key)
                raise RemoteError(
                    f"{self.s.where}: the server's certificate is not trusted: {exc.verify_message}",
                    hint="set [drafts.imap] ca_file to your CA's certificate, or fix the host name",
                ) from None
            except _TRANSIENT as exc:
                self._drop(key)
                left = self.deadline.remaining() if self.deadline is not None else None
                wait = min(0.5 * 2 ** (attempt - 1), 8.0)
                if attempt == attempts or (left is not None and wait >= left):
                    raise RemoteError(
                        f"{self.s.where}: {what} failed after {attempt} attempt(s): {_text(exc)}",
                        hint="check the host, port and network; the drafts not yet saved are "
                        "made on the next run",
                    ) from None
                self._sleep(wait)
            except imaplib.IMAP4.error as exc:
                raise RemoteError(f"{self.s.where}: {what} failed: {_text(exc)}") from None
        raise AssertionError("unreachable")

    def _drop(self, key: str) -> None:
        conn = self._conns.pop(key, None)
        if conn is not None:
            _safe_logout(conn)

    # ----------------------------------------------------------------- the Drafts folder

    def drafts_folder(self, conn: imaplib.IMAP4, mailbox: str) -> str:
        """The raw name of the folder marked ``\\Drafts``, else the configured one; never made."""
        key = mailbox.casefold()
        if key in self._folders:
            return self._folders[key]
        folders = self._list(conn)
        marked = [f for f in folders if "\\drafts" in f.attributes]
        if marked:
            found = marked[0].raw
        else:
            wanted = encode_mailbox(self.s.folder)
            named = [
                f
                for f in folders
                if f.raw == wanted or (f.raw.upper() == "INBOX" == wanted.upper())
            ]
            if not named:
                raise MailboxError(
                    mailbox,
                    f"{self.s.where}: {self.login_for(mailbox)} has no Drafts folder (none is "
                    f"marked \\Drafts and none is named {self.s.folder!r}); sheetsync never "
                    "creates one",
                    hint="open the mailbox in a mail client once (it makes the Drafts folder), or "
                    "set [drafts.imap] folder to the drafts folder's name",
                )
            found = named[0].raw
        self._folders[key] = found
        return found

    def _list(self, conn: imaplib.IMAP4) -> list[Folder]:
        caps = set(conn.capabilities)
        if {"SPECIAL-USE", "LIST-EXTENDED"} <= caps:
            # RFC 6154 §2: only the special-use mailboxes, with their attributes
            typ, data = conn._simple_command("LIST", "(SPECIAL-USE)", '""', '"*"')
            typ, data = conn._untagged_response(typ, data, "LIST")
            if typ == "OK":
                found = parse_list(data)
                if any("\\drafts" in f.attributes for f in found):
                    return found
        typ, data = conn.list('""', '"*"')
        _ok(typ, data, "LIST")
        return parse_list(data)

    # ----------------------------------------------------------------- sink interface

    def open(self, deadline: Deadline | None = None) -> None:
        """Resolve the password (OAuth tokens come per mailbox, on first use).

        Resolved here, not when the sink is made, so a dry run never needs
        it (nor runs ``password_command``).
        """
        self.deadline = deadline
        if self.s.auth == "password" and self._password is None:
            self._password, self.warnings = resolve_password(self.s, self._environ)

    def refuses(self, draft: Any) -> str | None:
        if self.per_rep:
            if self.s.auth != "password" and not self.tokens().per_mailbox:
                return (
                    f"[drafts.imap] has no user and the {self.s.token_from} credentials serve one "
                    "person only: set user to that person's address"
                )
            return None
        if same_address(self.s.user, draft.mailbox):
            return None
        return f"{self.s.where} signs in as {self.s.user}; {draft.mailbox} is another mailbox"

    def check(self, mailbox: str | None = None) -> str:
        """Log in and find the Drafts folder, changing nothing (``sheetsync doctor``)."""
        mailbox = mailbox or self.s.user
        if self.s.auth == "password" and self._password is None:
            self._password, self.warnings = resolve_password(self.s, self._environ)

        def look(conn: imaplib.IMAP4) -> str:
            return decode_mailbox(self.drafts_folder(conn, mailbox))

        try:
            folder = self._with_retries(mailbox, "logging in", look)
        finally:
            self._drop(mailbox.casefold())
        return (
            f"logged in as {self.login_for(mailbox)} at {self.s.host}:{self.s.effective_port}; "
            f"drafts folder {folder!r}"
        )

    def put(self, draft: Any) -> str:
        """Append one draft (``\\Draft``), unless the folder already holds its Message-ID."""
        data = to_bytes(draft.message)
        when = draft.message_date
        mailbox = draft.mailbox if self.per_rep else self.s.user

        def op(conn: imaplib.IMAP4) -> str:
            folder = self.drafts_folder(conn, mailbox)
            if not self._holds(conn, folder, draft.message_id):
                _ok(
                    *conn.append(
                        _quote(folder), r"(\Draft)", imaplib.Time2Internaldate(when), data
                    ),
                    "APPEND",
                )
                self.appended += 1
            return (
                f"imap://{self.login_for(mailbox)}@{self.s.host}:{self.s.effective_port}/"
                f"{decode_mailbox(folder)}"
            )

        return self._with_retries(mailbox, f"saving the draft {draft.file_name}", op)

    def _holds(self, conn: imaplib.IMAP4, folder: str, msg_id: str) -> bool:
        """Does the folder hold a message with this Message-ID (``SEARCH HEADER``)?

        Opened read-only (EXAMINE): closing a mailbox opened read-write would
        expunge the messages the rep marked deleted there.
        """
        _ok(*conn.select(_quote(folder), readonly=True), f"EXAMINE {decode_mailbox(folder)}")
        try:
            typ, data = conn.search(None, "HEADER", "Message-ID", _quote(msg_id))
        finally:
            conn.close()
        return typ == "OK" and bool(data and data[0] and data[0].split())

    def close(self) -> None:
        for key in list(self._conns):
            self._drop(key)
        save = getattr(self._tokens, "save", None)
        if save is not None:
            with contextlib.suppress(Exception):
                save()


def _quote(text: str) -> str:
    return '"' + re.sub(r'(["\\])', r"\\\1", text) + '"'


def _text(exc: BaseException) -> str:
    msg = str(exc) or type(exc).__name__
    if isinstance(exc, socket.timeout | TimeoutError):
        return f"timed out ({msg})" if msg != "timed out" else "timed out"
    return msg


def _safe_logout(conn: imaplib.IMAP4) -> None:
    try:
        conn.logout()
    except Exception:  # noqa: BLE001 - best effort on a connection we are dropping
        with contextlib.suppress(Exception):
            conn.shutdown()
