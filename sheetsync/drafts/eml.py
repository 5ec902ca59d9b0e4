"""Rendered text → an RFC 5322 draft, and the ``.eml`` folder that keeps them.

Every header value that comes from a cell (a contact's name, a company in
the subject) goes through :func:`header_text` first, which turns line
breaks and every other control character into spaces, and addresses are
built as :class:`email.headerregistry.Address` objects, never by pasting
text.  So ``"Bob\\r\\nBcc: evil@x.com"`` typed in the Contact column is a
strange display name, not a second recipient.  The recipients are exactly
the addresses the sheet's parser read from the contact email cell.

Messages are deterministic for a given draft and clock: the Message-ID is a
hash of the draft's identity (deal, kind, event, recipients) and the MIME
boundary is derived from it, so golden files can pin them and a draft put
twice into the same mailbox can be recognised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesHeaderParser
from email.policy import EmailPolicy
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from .context import Sender

_CONTROL = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]"
)


class DraftPolicy(EmailPolicy):
    """``policy.SMTP``, except that a plain-ASCII subject is never folded.

    The standard folder writes a subject that fits on a continuation line as
    ``Subject:`` CRLF `` text``: valid, but some readers (Python's own parser
    among them) then see a leading space.  An ASCII subject is written on one
    line instead (RFC 5322 allows 998 characters); any other subject is
    encoded whole as RFC 2047 encoded words (spaces kept inside them).
    """

    def _plain_subject(self, name: str, value: Any) -> str | None:
        if name.lower() != "subject":
            return None
        text = str(value)
        if (
            text.isascii()
            and "=?" not in text
            and not _CONTROL.search(text)
            and len(name) + 2 + len(text) <= 998
        ):
            return f"{name}: {text}{self.linesep}"
        if not _CONTROL.search(text):
            # Python's folder drops the space between two RFC 2047 encoded
            # words ("27 พฤศจิกายน" came out "27พฤศจิกายน", "Uhr –Müller"):
            # the whole subject is encoded instead, spaces inside the words.
            from email.header import Header

            encoded = Header(text, "utf-8", header_name=name).encode(linesep=self.linesep)
            return f"{name}: {encoded}{self.linesep}"
        return None

    def fold(self, name: str, value: Any) -> str:
        return self._plain_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: Any) -> bytes:
        plain = self._plain_subject(name, value)
        return plain.encode("ascii") if plain is not None else super().fold_binary(name, value)


#: The policy drafts are written with: RFC 5322 line endings (CRLF).
POLICY = DraftPolicy(linesep="\r\n")
#: For addresses whose local part is not ASCII (RFC 6532).
POLICY_UTF8 = DraftPolicy(linesep="\r\n", utf8=True)


class BadAddress(ValueError):
    """An address that cannot be put in a header as given."""


def header_text(text: str | None) -> str:
    """One line of header-safe text: control characters and line breaks → spaces."""
    if not text:
        return ""
    return " ".join(_CONTROL.sub(" ", text).split())


def address(addr: str, display_name: str | None = None) -> Address:
    """An :class:`Address` from a bare address (from the sheet's parser) and a name.

    The domain is IDNA-encoded (``bücher.example`` → ``xn--bcher-kva.example``)
    so the header stays ASCII unless the local part itself is not.
    """
    addr = addr.strip()
    if _CONTROL.search(addr) or any(c.isspace() or c in '<>,;"()[]\\' for c in addr):
        raise BadAddress(f"not a bare address: {addr!r}")
    local, at, domain = addr.rpartition("@")
    if not at or not local or not domain:
        raise BadAddress(f"not an address: {addr!r}")
    try:
        ascii_domain = domain.encode("idna").decode("ascii") if not domain.isascii() else domain
    except UnicodeError:
        raise BadAddress(f"not a valid domain: {domain!r}") from None
    try:
        return Address(display_name=header_text(display_name), username=local, domain=ascii_domain)
    except (ValueError, TypeError) as exc:
        raise BadAddress(f"not an address: {addr!r} ({exc})") from None


def message_id(identity: Sequence[str], domain: str) -> str:
    """``<sheetsync.3f2a…@example.com>``: the same draft always gets the same id."""
    digest = hashlib.sha256("\x1f".join(identity).encode("utf-8")).hexdigest()[:24]
    domain = header_text(domain).strip("<>@ ") or "sheetsync.invalid"
    if not re.fullmatch(r"[A-Za-z0-9.-]+", domain):
        domain = (
            domain.encode("idna").decode("ascii") if not domain.isascii() else "sheetsync.invalid"
        )
    return f"<sheetsync.{digest}@{domain}>"


def _cte(text: str) -> str:
    if text.isascii() and all(len(line) <= 900 for line in text.splitlines()):
        return "7bit"
    return "quoted-printable"


def build_message(
    *,
    subject: str,
    text: str,
    html: str | None,
    sender: Sender,
    to: Sequence[str],
    to_name: str | None,
    date: dt.datetime,
    msg_id: str,
    extra_headers: Sequence[tuple[str, str]] = (),
) -> EmailMessage:
    """A draft: From the rep, To exactly ``to``, ``X-Unsent: 1``, text (+ HTML) body.

    ``to_name`` is used as the display name only when there is a single
    recipient (a list typed in one cell has no per-address names).
    """
    recipients = [address(a, to_name if len(to) == 1 else None) for a in to]
    if not recipients:
        raise BadAddress("no recipient")
    from_addr = address(sender.email, sender.name)
    utf8 = not all(a.username.isascii() for a in [from_addr, *recipients])
    pol = POLICY_UTF8 if utf8 else POLICY
    msg = EmailMessage(policy=pol)
    msg["From"] = from_addr
    msg["To"] = tuple(recipients)
    msg["Subject"] = header_text(subject)
    msg["Date"] = format_datetime(date if date.tzinfo else date.astimezone())
    msg["Message-ID"] = msg_id
    msg["X-Unsent"] = "1"
    for name, value in extra_headers:
        msg[name] = header_text(value)
    body = text if text.endswith("\n") else text + "\n"
    msg.set_content(body, subtype="plain", charset="utf-8", cte=_cte(body))
    if html is not None:
        page = html if html.endswith("\n") else html + "\n"
        msg.add_alternative(page, subtype="html", charset="utf-8", cte=_cte(page))
        msg.set_boundary("=_sheetsync_" + hashlib.sha256(msg_id.encode()).hexdigest()[:20])
        for part in msg.iter_parts():
            del part["MIME-Version"]  # only the top level carries it (RFC 2045)
    return msg


def to_bytes(msg: EmailMessage) -> bytes:
    """The message as written to disk or appended over IMAP (CRLF line endings)."""
    return msg.as_bytes(policy=msg.policy)


# --------------------------------------------------------------------------- file names


def slug(text: str, limit: int = 60) -> str:
    """A file-name-safe piece: ASCII letters, digits, ``.``, ``_`` and ``-`` only."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    out = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_text).strip("-._")
    out = re.sub(r"-{2,}", "-", out)[:limit].strip("-._")
    return out or "draft"


def file_name(key: str, kind: str, event: dt.date) -> str:
    """``NW-1025_appointment-reminder_2026-11-26.eml``: stable from deal, kind and date."""
    return f"{slug(key)}_{slug(kind)}_{event.isoformat()}.eml"


# --------------------------------------------------------------------------- the folder sink


class EmlDirSink:
    """Writes each draft to ``ROOT/YYYY-MM-DD/NAME.eml`` (the run date's folder).

    A file already there with the same Message-ID is the same draft (an
    earlier run wrote it but its ledger was not saved): it is kept and
    reported, not written again.  Another file with the name gets ``-2``.
    Writes go through a temporary file and a rename, so a crash never leaves
    half a message for someone to open and send.
    """

    kind = "eml"

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser()

    @property
    def where(self) -> str:
        return str(self.root)

    def open(self, deadline: Any = None) -> None:
        return None

    def refuses(self, draft: Any) -> str | None:
        return None  # a folder holds every rep's drafts (one dated folder per run)

    def close(self) -> None:
        return None

    def put(self, draft: Any) -> str:
        folder = self.root / draft.as_of.isoformat()
        folder.mkdir(parents=True, exist_ok=True)
        data = to_bytes(draft.message)
        stem = draft.file_name[: -len(".eml")]
        for n in range(1, 1000):
            path = folder / (draft.file_name if n == 1 else f"{stem}-{n}.eml")
            if path.exists():
                if _message_id_of(path) == draft.message_id:
                    return str(path)
                continue
            fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".eml.tmp", dir=folder)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
            return str(path)
        raise OSError(f"{folder}: too many drafts named {draft.file_name}")


def _message_id_of(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            headers = BytesHeaderParser(policy=policy.default).parse(fh)
    except OSError:
        return None
    value = headers.get("Message-ID")
    return str(value).strip() if value else None
