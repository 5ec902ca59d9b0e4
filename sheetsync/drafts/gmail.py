"""Drafts in each rep's Gmail through the Gmail API (``users.drafts.create``).

Per draft, two requests to ``https://gmail.googleapis.com/gmail/v1/users/{rep}``:

1. ``GET drafts?q=rfc822msgid:<id>`` — is this draft already among the
   rep's drafts (a lost ledger, another machine)?  Then nothing is made.
2. ``POST drafts`` with ``{"message": {"raw": …}}``: the exact bytes the
   ``.eml`` sink writes, base64url-encoded (RFC 4648 §5), as
   ``users.drafts.create`` takes an RFC 2822/5322 message.

Both need only ``gmail.compose``, the one scope delegated to the service
account: it lets sheetsync make and list drafts, not read the mailbox or
send.  (The search therefore sees drafts, not sent mail: a draft the rep
already sent is found by the ledger, not by the search.)

Quota (developers.google.com/workspace/gmail/api/reference/quota): 15,000
quota units per user per minute; ``drafts.list`` costs 5 units,
``drafts.create`` 10, ``getProfile`` 1.  A :class:`~.sinks.Budget` per
mailbox keeps sheetsync under that (15 units per draft: at most 1,000
drafts a minute per rep), and a ``429`` or ``403 userRateLimitExceeded``
is retried after the back-off or ``Retry-After``.  ``SHEETSYNC_GMAIL_API``
replaces the base URL (the tests' loopback emulator, a proxy).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from sheetsync.errors import RemoteError

from .eml import to_bytes
from .google_auth import GMAIL_COMPOSE, GoogleTokens
from .rest import Answer, RestSink
from .settings import GmailSettings
from .sinks import Budget, Deadline, MailboxError, same_address

GMAIL_API = "https://gmail.googleapis.com"
API_ENV = "SHEETSYNC_GMAIL_API"

#: Quota units per method and the per-user limit (see the module notes).
UNITS = {"drafts.list": 5, "drafts.create": 10, "getProfile": 1}
UNITS_PER_MINUTE = 15_000

_QUOTA_REASONS = ("rateLimitExceeded", "userRateLimitExceeded")


def _quota_403(answer: Answer) -> bool:
    """Gmail refuses over-quota requests with 403 as well as 429."""
    reasons = [e.get("reason") for e in answer.error.get("errors", []) if isinstance(e, dict)]
    return any(r in _QUOTA_REASONS for r in reasons) or "rate limit" in answer.message.lower()


class GmailSink(RestSink):
    """Creates each draft in its rep's Gmail (``[drafts.gmail]``)."""

    kind = "gmail"
    service = "Gmail"
    api = GMAIL_API
    api_env = API_ENV
    what = "{action} for {mailbox}"
    scopes = (GMAIL_COMPOSE,)
    quota_error = staticmethod(_quota_403)

    def __init__(
        self, settings: GmailSettings, *, units_per_minute: float = UNITS_PER_MINUTE, **client: Any
    ) -> None:
        """``client``: ``api_base``, ``session``, ``sleep``, ``clock``, ``rand`` (:class:`RestSink`)."""
        super().__init__(settings, **client)
        self.tokens = GoogleTokens(settings, session=self.session, timeout=settings.timeout)
        self.units_per_minute = units_per_minute
        self.budgets: dict[str, Budget] = {}
        self._own: str | None = None

    # -- sink interface -------------------------------------------------------

    def open(self, deadline: Deadline | None = None) -> None:
        self.deadline = deadline
        self.tokens.load()

    def close(self) -> None:
        return None

    def refuses(self, draft: Any) -> str | None:
        if self.tokens.per_mailbox:
            return None
        own = self.own_mailbox()
        if same_address(own, draft.mailbox):
            return None
        return f"signed in to {own} only (an authorized-user token); {draft.mailbox} is another mailbox"

    def create(self, mailbox: str, message: Any) -> str:
        raw = base64.urlsafe_b64encode(to_bytes(message)).decode("ascii")
        answer = self._call(
            mailbox, "POST", "drafts", "drafts.create", json_body={"message": {"raw": raw}}
        )
        return str(answer.data.get("id", ""))

    # -- the calls ------------------------------------------------------------

    def find(self, mailbox: str, message_id: str) -> str | None:
        """The id of the rep's draft with this Message-ID, or None (``drafts.list``, 5 units)."""
        answer = self._call(
            mailbox,
            "GET",
            "drafts",
            "drafts.list",
            params={"q": f"rfc822msgid:{message_id.strip('<>')}", "maxResults": "1"},
        )
        drafts = answer.data.get("drafts") or []
        return str(drafts[0].get("id", "")) if drafts else None

    def profile(self, mailbox: str) -> dict[str, Any]:
        """``users.getProfile`` (1 unit): who the token is, and that the mailbox answers."""
        return dict(self._call(mailbox, "GET", "profile", "getProfile").data)

    def check(self, mailbox: str | None = None) -> str:
        """Sign in as the rep and reach the drafts, writing nothing (``sheetsync doctor``)."""
        mailbox = mailbox or self.own_mailbox()
        who = self.profile(mailbox).get("emailAddress", mailbox)
        answer = self._call(mailbox, "GET", "drafts", "drafts.list", params={"maxResults": "1"})
        n = int(answer.data.get("resultSizeEstimate", 0) or 0)
        return f"signed in as {who}; drafts reachable ({n} there)"

    def own_mailbox(self) -> str:
        """The one mailbox an authorized-user token serves ([drafts.gmail] user, else asked)."""
        if self._own is None:
            known = self.tokens.own_mailbox
            self._own = known or str(self.profile("me").get("emailAddress") or "")
        return self._own

    def location(self, mailbox: str, draft_id: str) -> str:
        return f"gmail:{mailbox}/drafts/{draft_id}"

    def _budget(self, mailbox: str) -> Budget:
        key = mailbox.casefold()
        if key not in self.budgets:
            self.budgets[key] = Budget.per_window(
                self.units_per_minute, 60.0, clock=self._clock, sleep=self._sleep
            )
        return self.budgets[key]

    def url(self, mailbox: str, path: str) -> str:
        user = "me" if (mailbox == "me" or not self.tokens.per_mailbox) else mailbox
        return f"{self.base}/gmail/v1/users/{quote(user, safe='@')}/{path}"

    def spend(self, mailbox: str, action: str) -> None:
        self._budget(mailbox).take(UNITS[action], self.deadline)

    def failure(self, mailbox: str, op: str, answer: Answer) -> RemoteError:
        """A refusal, with what the administrator (or the sheet's editor) does about it."""
        code, msg = answer.status, answer.message
        status = str(answer.error.get("status") or "")
        reasons = " ".join(
            str(e.get("reason")) for e in answer.error.get("errors", []) if isinstance(e, dict)
        )
        head = f"Gmail refused {op} for {mailbox} ({code} {status or reasons}: {msg})"
        if code == 401:
            return MailboxError(
                mailbox,
                head,
                hint="the token was not accepted: check the key file is the service account's "
                "with domain-wide delegation (README, 'Google Workspace set-up')",
            )
        if code == 403 and ("SERVICE_DISABLED" in (status + reasons) or "has not been used" in msg):
            return RemoteError(
                head,
                hint="enable the Gmail API for the service account's project (Google Cloud "
                "console › APIs & Services › Library › Gmail API), wait a minute, run again",
            )
        if code == 403 and ("SCOPE" in status or "insufficient" in msg.lower()):
            return MailboxError(
                mailbox,
                head,
                hint=f"the token lacks the scope {GMAIL_COMPOSE}: add it to the client's "
                "domain-wide delegation in the Google Admin console",
            )
        if code == 403:
            return MailboxError(
                mailbox,
                head,
                hint="check the service account's domain-wide delegation (Google Admin console › "
                "Security › API controls), and that the address is the rep's own mailbox",
            )
        if code == 400 and ("precondition" in (status + reasons).lower() or "not enabled" in msg):
            return MailboxError(
                mailbox,
                head,
                hint="turn Gmail on for this user (Google Admin console › Apps › Google Workspace "
                "› Gmail, or the user's licence)",
            )
        if code == 404:
            return MailboxError(mailbox, head, hint="check the rep's address")
        return RemoteError(head, hint="run again later; the drafts not made are made next time")
