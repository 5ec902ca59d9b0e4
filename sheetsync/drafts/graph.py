"""Drafts in each rep's Outlook mailbox through Microsoft Graph.

Per draft, two requests to ``https://graph.microsoft.com/v1.0/users/{rep}``:

1. ``GET messages?$filter=internetMessageId eq '<id>'&$select=id,isDraft&$top=1``
   — the whole mailbox (Drafts, Sent Items…) is searched for the draft's
   Message-ID, so a lost ledger or another machine never makes it twice,
   even once the rep sent it.
2. ``POST messages`` with ``Content-Type: text/plain`` and the MIME message
   base64-encoded — the exact bytes the ``.eml`` sink writes; Graph saves it
   in the Drafts folder (learn.microsoft.com/graph/api/user-post-messages,
   "create a message in MIME format").

With ``auth = "app"`` one application token (``Mail.ReadWrite``
application permission) serves every rep's mailbox; an Exchange
application access policy limits which mailboxes (README).  With
``auth = "device"`` the token is the signed-in person's, for that person's
mailbox only (requests go to ``/me``).

Throttling (learn.microsoft.com/graph/throttling-limits, Outlook service):
per app and mailbox, 10,000 requests per 10 minutes, 4 concurrent
requests, 150 MB uploaded per 5 minutes.  sheetsync sends one request at a
time, and a :class:`~.sinks.Budget` per mailbox keeps it under the request
and upload figures; a 429 is retried after its ``Retry-After``.
``SHEETSYNC_GRAPH_API`` replaces the base URL (the tests' emulator, a proxy).
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import quote

from sheetsync.errors import RemoteError

from .eml import to_bytes
from .microsoft_auth import GRAPH_SCOPE_APP, GRAPH_SCOPE_USER, MicrosoftTokens
from .rest import Answer, RestSink
from .settings import GraphSettings
from .sinks import Budget, Deadline, MailboxError, same_address

GRAPH_API = "https://graph.microsoft.com"
API_ENV = "SHEETSYNC_GRAPH_API"

#: Outlook's limits per app and mailbox (see the module notes).
REQUESTS_PER_10_MINUTES = 10_000
UPLOAD_BYTES_PER_5_MINUTES = 150 * 1024 * 1024

CONSENT_STEP = (
    "give the app the Microsoft Graph application permission Mail.ReadWrite and grant admin "
    "consent (Entra admin center › App registrations › (your app) › API permissions)"
)
POLICY_STEP = (
    "the Exchange application access policy does not include this mailbox: add the rep to the "
    "mail-enabled security group the policy names (Test-ApplicationAccessPolicy -Identity "
    "{mailbox} -AppId {client_id} shows the verdict)"
)


class GraphSink(RestSink):
    """Creates each draft in its rep's Drafts folder (``[drafts.graph]``)."""

    kind = "graph"
    service = "Microsoft Graph"
    api = GRAPH_API
    api_env = API_ENV
    what = "{action} in {mailbox}"

    def __init__(
        self,
        settings: GraphSettings,
        *,
        environ: dict[str, str] | None = None,
        requests_per_10_minutes: float = REQUESTS_PER_10_MINUTES,
        **client: Any,
    ) -> None:
        """``client``: ``api_base``, ``session``, ``sleep``, ``clock``, ``rand`` (:class:`RestSink`)."""
        super().__init__(settings, **client)
        self.tokens = MicrosoftTokens(settings, session=self.session, environ=environ)
        self.requests_per_10_minutes = requests_per_10_minutes
        self.budgets: dict[str, tuple[Budget, Budget]] = {}

    @property
    def scopes(self) -> tuple[str, ...]:
        return (GRAPH_SCOPE_APP,) if self.tokens.per_mailbox else (GRAPH_SCOPE_USER,)

    # -- sink interface -------------------------------------------------------

    def open(self, deadline: Deadline | None = None) -> None:
        self.deadline = deadline
        self.tokens.app()
        self.warnings = list(self.tokens.warnings)
        if not self.tokens.per_mailbox and self.tokens.own_mailbox() is None:
            raise RemoteError(
                f"no saved Microsoft sign-in in {self.s.token_cache}",
                hint="sign in once with `sheetsync signin` on this machine",
            )

    def close(self) -> None:
        self.tokens.save()

    def refuses(self, draft: Any) -> str | None:
        if self.tokens.per_mailbox:
            return None
        own = self.tokens.own_mailbox()
        if same_address(own, draft.mailbox):
            return None
        return f"signed in as {own or 'nobody'} only (device sign-in); {draft.mailbox} is another mailbox"

    def create(self, mailbox: str, message: Any) -> str:
        data = base64.b64encode(to_bytes(message))
        self._budgets(mailbox)[1].take(len(data), self.deadline)
        answer = self._call(
            mailbox, "POST", "messages", "creating the draft", data=data, content_type="text/plain"
        )
        return str(answer.data.get("id", ""))

    # -- the calls ------------------------------------------------------------

    def find(self, mailbox: str, message_id: str) -> str | None:
        """The id of a message with this Internet Message-ID in the mailbox, or None."""
        literal = message_id.replace("'", "''")  # OData string literal
        answer = self._call(
            mailbox,
            "GET",
            "messages",
            "looking for the draft",
            params={
                "$filter": f"internetMessageId eq '{literal}'",
                "$select": "id,isDraft,parentFolderId",
                "$top": "1",
            },
        )
        items = answer.data.get("value") or []
        return str(items[0].get("id", "")) if items else None

    def drafts_folder(self, mailbox: str) -> dict[str, Any]:
        """``GET mailFolders/drafts`` (the well-known name): the doctor's read-only check."""
        answer = self._call(
            mailbox,
            "GET",
            "mailFolders/drafts",
            "reading the Drafts folder",
            params={"$select": "id,displayName,totalItemCount"},
        )
        return dict(answer.data)

    def check(self, mailbox: str | None = None) -> str:
        """Sign in and read the rep's Drafts folder, writing nothing (``sheetsync doctor``)."""
        mailbox = mailbox or self.tokens.own_mailbox() or ""
        folder = self.drafts_folder(mailbox)
        return (
            f"Drafts folder {folder.get('displayName', 'Drafts')!r} reachable "
            f"({folder.get('totalItemCount', 0)} items)"
        )

    def location(self, mailbox: str, message_id: str) -> str:
        return f"graph:{mailbox}/messages/{message_id}"

    def _budgets(self, mailbox: str) -> tuple[Budget, Budget]:
        key = mailbox.casefold()
        if key not in self.budgets:
            kw: dict[str, Any] = {"clock": self._clock, "sleep": self._sleep}
            self.budgets[key] = (
                Budget.per_window(self.requests_per_10_minutes, 600.0, **kw),
                Budget.per_window(UPLOAD_BYTES_PER_5_MINUTES, 300.0, **kw),
            )
        return self.budgets[key]

    def url(self, mailbox: str, path: str) -> str:
        who = f"users/{quote(mailbox, safe='@')}" if self.tokens.per_mailbox else "me"
        return f"{self.base}/v1.0/{who}/{path}"

    def spend(self, mailbox: str, action: str) -> None:
        self._budgets(mailbox)[0].take(1, self.deadline)

    def failure(self, mailbox: str, what: str, answer: Answer) -> RemoteError:
        code, msg = answer.status, answer.message
        err = str(answer.error.get("code") or "")
        head = f"Microsoft Graph refused {what} in {mailbox} ({code} {err}: {msg})"
        if code == 401:
            return MailboxError(
                mailbox,
                head,
                hint="the token was not accepted: check [drafts.graph] tenant and client_id, and "
                + CONSENT_STEP,
            )
        if code == 403 and ("AccessPolicy" in msg or "OData is disabled" in msg):
            return MailboxError(
                mailbox, head, hint=POLICY_STEP.format(mailbox=mailbox, client_id=self.s.client_id)
            )
        if code == 403:
            return MailboxError(
                mailbox,
                head,
                hint=CONSENT_STEP
                if self.tokens.per_mailbox
                else "sign in again with `sheetsync signin` and accept Mail.ReadWrite",
            )
        if code == 404 and err in ("MailboxNotEnabledForRESTAPI", "MailboxNotEnabledForRESTAPI."):
            return MailboxError(
                mailbox,
                head,
                hint="the user has no Exchange Online mailbox (licence) or it is disabled: "
                "assign an Exchange Online licence in the Microsoft 365 admin center",
            )
        if code == 404:
            return MailboxError(
                mailbox, head, hint="check the rep's address in the sheet or [drafts.mailboxes]"
            )
        return RemoteError(head, hint="run again later; the drafts not made are made next time")
