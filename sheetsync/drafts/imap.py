"""Appending drafts to an IMAP Drafts folder, with the standard library only.

Each draft is APPENDed with the ``\\Draft`` flag, so the rep's mail client
shows it among their drafts, ready to review and send; nothing is ever sent.

Robustness, because this runs at night with nobody watching:

* every network operation has a timeout; a dropped connection or a timeout
  is retried (``retries`` times, with backoff) on a fresh connection, a
  refused login is not (retrying a wrong password only locks the account);
* before each APPEND the folder is searched for the draft's Message-ID
  (deterministic, see :mod:`sheetsync.drafts.eml`), so a retry after a
  connection lost mid-APPEND, or a run whose ledger could not be saved,
  never leaves the same draft twice;
* ``security = "none"`` is refused for anything but a loopback host.
"""

from __future__ import annotations

import base64
import contextlib
import imaplib
import os
import re
import shlex
import socket
import ssl
import subprocess
import time
from collections.abc import Callable
from typing import Any

from sheetsync.errors import ConfigError, RemoteError

from .eml import to_bytes
from .settings import ImapSettings

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
    """The IMAP password and any warnings about how it was given.

    From ``password_env`` (the variable must be set), ``password_command``
    (its standard output, trailing line break removed), or — with a warning
    — ``password`` written in the configuration.
    """
    env = os.environ if environ is None else environ
    if s.password_env:
        value = env.get(s.password_env)
        if value is None:
            raise ConfigError(
                f"[drafts.imap] password_env: the environment variable {s.password_env} is not set",
                hint=f"export {s.password_env}=… in the job's environment (e.g. the crontab line)",
            )
        return value, []
    if s.password_command:
        try:
            argv = shlex.split(s.password_command)
        except ValueError as exc:
            raise ConfigError(f"[drafts.imap] password_command cannot be read: {exc}") from None
        try:
            done = subprocess.run(
                argv, capture_output=True, text=True, timeout=s.timeout, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"[drafts.imap] password_command failed: {exc}") from None
        if done.returncode != 0:
            tail = (done.stderr or "").strip().splitlines()[-1:] or [""]
            raise ConfigError(
                f"[drafts.imap] password_command exited with {done.returncode}: {tail[0]}".rstrip(
                    ": "
                )
            )
        value = done.stdout
        value = value[:-1] if value.endswith("\n") else value
        value = value[:-1] if value.endswith("\r") else value
        if not value:
            raise ConfigError("[drafts.imap] password_command printed nothing")
        return value, []
    if s.password is not None:
        return s.password, [
            "[drafts.imap] password is written in the configuration file; "
            "use password_env or password_command instead"
        ]
    raise ConfigError(
        "[drafts.imap] needs a password: set password_env (an environment variable's name) "
        "or password_command"
    )


def quote_mailbox(name: str) -> str:
    """A mailbox name as an IMAP quoted string, in modified UTF-7 (RFC 3501 5.1.3)."""
    encoded = encode_mailbox(name)
    return '"' + encoded.replace("\\", "\\\\").replace('"', '\\"') + '"'


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


def _ok(typ: str, data: Any, what: str) -> Any:
    if typ != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise imaplib.IMAP4.error(f"{what}: {typ} {detail}".strip())
    return data


class ImapSink:
    """Appends drafts to ``[drafts.imap] folder`` (created when missing).

    ``password`` overrides ``password_env``/``password_command`` (tests);
    ``sleep`` is the backoff between retries (tests make it instant).
    """

    kind = "imap"

    def __init__(
        self,
        settings: ImapSettings,
        *,
        password: str | None = None,
        environ: dict[str, str] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.s = settings
        self.warnings: list[str] = []
        self._password = password
        self._environ = environ
        self._sleep = sleep
        self._conn: imaplib.IMAP4 | None = None
        self.appended = 0

    @property
    def where(self) -> str:
        return self.s.where

    # ----------------------------------------------------------------- connection

    def _connect(self) -> imaplib.IMAP4:
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
        try:
            conn.login(s.user, self._password or "")
        except imaplib.IMAP4.error as exc:
            _safe_logout(conn)
            raise RemoteError(
                f"{s.where}: login refused: {_text(exc)}",
                hint="check [drafts.imap] user and the password (an app password for Gmail/Outlook)",
            ) from None
        return conn

    def _context(self) -> ssl.SSLContext:
        try:
            return ssl.create_default_context(cafile=self.s.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"[drafts.imap] ca_file {self.s.ca_file!r}: {exc}") from None

    def _with_retries(self, what: str, op: Callable[[imaplib.IMAP4], Any]) -> Any:
        attempts = self.s.retries + 1
        for attempt in range(1, attempts + 1):
            try:
                if self._conn is None:
                    self._conn = self._connect()
                return op(self._conn)
            except RemoteError:
                raise
            except ssl.SSLCertVerificationError as exc:
                self._drop()
                raise RemoteError(
                    f"{self.s.where}: the server's certificate is not trusted: {exc.verify_message}",
                    hint="set [drafts.imap] ca_file to your CA's certificate, or fix the host name",
                ) from None
            except _TRANSIENT as exc:
                self._drop()
                if attempt == attempts:
                    raise RemoteError(
                        f"{self.s.where}: {what} failed after {attempts} attempt(s): {_text(exc)}",
                        hint="check the host, port and network; the drafts not yet saved are "
                        "made on the next run",
                    ) from None
                self._sleep(min(0.5 * 2 ** (attempt - 1), 8.0))
            except imaplib.IMAP4.error as exc:
                raise RemoteError(f"{self.s.where}: {what} failed: {_text(exc)}") from None
        raise AssertionError("unreachable")

    def _drop(self) -> None:
        if self._conn is not None:
            _safe_logout(self._conn)
        self._conn = None

    # ----------------------------------------------------------------- sink interface

    def open(self) -> None:
        """Resolve the password, connect, log in and make sure the folder exists.

        The password is resolved here, not when the sink is made, so a dry
        run never needs it (nor runs ``password_command``).
        """
        if self._password is None:
            self._password, self.warnings = resolve_password(self.s, self._environ)
        self._with_retries("opening the drafts folder", self._ensure_folder)

    def check(self) -> str:
        """Log in and look for the folder, changing nothing (``sheetsync doctor``)."""
        if self._password is None:
            self._password, self.warnings = resolve_password(self.s, self._environ)

        def look(conn: imaplib.IMAP4) -> bool:
            typ, data = conn.list('""', quote_mailbox(self.s.folder))
            return typ == "OK" and any(d for d in data if d)

        try:
            exists = self._with_retries("logging in", look)
        finally:
            self._drop()
        state = "exists" if exists else "will be created on the first run"
        return f"logged in as {self.s.user} at {self.s.host}:{self.s.effective_port}; folder {self.s.folder!r} {state}"

    def _ensure_folder(self, conn: imaplib.IMAP4) -> None:
        box = quote_mailbox(self.s.folder)
        typ, data = conn.list('""', box)
        exists = typ == "OK" and any(d for d in data if d)
        if not exists:
            _ok(*conn.create(box), f"CREATE {self.s.folder}")
            conn.subscribe(box)

    def put(self, draft: Any) -> str:
        """Append one draft (``\\Draft``), unless the folder already holds its Message-ID."""
        data = to_bytes(draft.message)
        when = draft.message_date

        def op(conn: imaplib.IMAP4) -> str:
            if self._holds(conn, draft.message_id):
                return self.s.folder
            _ok(
                *conn.append(
                    quote_mailbox(self.s.folder), r"(\Draft)", imaplib.Time2Internaldate(when), data
                ),
                "APPEND",
            )
            self.appended += 1
            return self.s.folder

        return self._with_retries(f"saving the draft {draft.file_name}", op)

    def _holds(self, conn: imaplib.IMAP4, msg_id: str) -> bool:
        """Does the folder hold a message with this Message-ID?

        Opened read-only (EXAMINE): closing a mailbox opened read-write would
        expunge the messages the rep marked deleted there.
        """
        _ok(*conn.select(quote_mailbox(self.s.folder), readonly=True), f"EXAMINE {self.s.folder}")
        try:
            typ, data = conn.search(None, "HEADER", "Message-ID", _quote(msg_id))
        finally:
            conn.close()
        return typ == "OK" and bool(data and data[0] and data[0].split())

    def close(self) -> None:
        self._drop()


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
