"""Google tokens for the Gmail sink and Gmail's IMAP, through google-auth (as for Sheets).

Two kinds of key file, told apart by their ``type``:

``service_account``
    A Google Workspace service account with domain-wide delegation.  For
    each rep, google-auth signs a JWT whose ``sub`` is the rep's address and
    whose ``scope`` is the one the sink needs (``gmail.compose`` for the
    API, ``https://mail.google.com/`` for IMAP, which accepts nothing
    less), and exchanges it at the token endpoint (RFC 7523 JWT-bearer
    grant).  So sheetsync acts as each rep, in each rep's own mailbox, and
    can do nothing the one delegated scope does not allow.
``authorized_user``
    One person's own OAuth token (a refresh token saved once with the
    OAuth flow): one mailbox, that person's.

The token endpoint's refusals are turned into the administrator's step that
fixes them (:func:`refusal`): a missing delegation or scope
(``unauthorized_client``), an address that is not a user of the domain
(``invalid_grant``), a deleted key.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sheetsync.errors import ConfigError, RemoteError, SourceError
from sheetsync.sources.retry import TransientError

from .rest import TimedAuthRequest
from .settings import GmailSettings
from .sinks import MailboxError

GMAIL_COMPOSE = "https://www.googleapis.com/auth/gmail.compose"
#: Gmail's IMAP (and SMTP) accept only the full-mailbox scope.
GMAIL_IMAP = "https://mail.google.com/"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
#: Set (tests, a proxy): the key file's own token endpoint is used for
#: authorized-user files too (google-auth otherwise always uses Google's).
API_ENV = "SHEETSYNC_GMAIL_API"

DWD_STEP = (
    "in the Google Admin console (Security › Access and data control › API controls › "
    "Manage domain-wide delegation), add the service account's client ID {client_id} "
    "with the scope {scope}"
)


class GoogleTokens:
    """Bearer tokens per mailbox from one key file (loaded on first use, never prompting)."""

    def __init__(self, settings: GmailSettings, *, session: Any, timeout: float) -> None:
        self.settings = settings
        self.session = session
        self.timeout = timeout
        self._info: dict[str, Any] | None = None
        self._base: Any = None
        self._cache: dict[tuple[str, tuple[str, ...]], Any] = {}
        self.origin = ""

    # -- the key file --------------------------------------------------------

    def _path(self) -> tuple[Path, str]:
        if self.settings.credentials:
            return Path(self.settings.credentials).expanduser(), (
                f"[drafts.gmail] credentials = {self.settings.credentials!r}"
            )
        env = os.environ.get(CREDENTIALS_ENV, "").strip()
        if env:
            return Path(env).expanduser(), f"{CREDENTIALS_ENV}={env}"
        raise ConfigError(
            "no Google credentials for the Gmail drafts",
            hint="set [drafts.gmail] credentials (or [google] credentials) to a service-account "
            "key with domain-wide delegation (README, 'Google Workspace set-up')",
        )

    def load(self) -> dict[str, Any]:
        if self._info is not None:
            return self._info
        path, origin = self._path()
        self.origin = origin
        try:
            info = json.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise ConfigError(
                f"Google credentials file not found: {path} (from {origin})"
            ) from None
        except OSError as exc:
            raise ConfigError(
                f"cannot read the Google credentials file {path} ({exc.strerror})"
            ) from None
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise ConfigError(f"{path}: not a Google credentials file (not JSON)") from None
        if not isinstance(info, dict):
            raise ConfigError(f"{path}: not a Google credentials file")
        kind = info.get("type")
        if kind is None and {"refresh_token", "client_id", "client_secret"} <= set(info):
            kind = info["type"] = "authorized_user"
        try:
            if kind == "service_account":
                from google.oauth2 import service_account

                self._base = service_account.Credentials.from_service_account_info(info)
            elif kind == "authorized_user":
                from google.oauth2.credentials import Credentials

                self._base = Credentials.from_authorized_user_info(info)
                if info.get("token_uri") and os.environ.get(API_ENV):
                    self._base = self._base.with_token_uri(info["token_uri"])
            else:
                raise ConfigError(
                    f"{path}: neither a service-account key nor an authorized-user file "
                    f"(its type is {kind!r})"
                )
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"{path}: the Google credentials file is incomplete or damaged ({exc})"
            ) from None
        self._info = info
        return info

    @property
    def per_mailbox(self) -> bool:
        """True for a service account: it can act as any rep of the domain."""
        return self.load().get("type") == "service_account"

    @property
    def account(self) -> str:
        info = self.load()
        return str(info.get("client_email") or info.get("account") or "")

    @property
    def client_id(self) -> str:
        return str(self.load().get("client_id") or "")

    @property
    def own_mailbox(self) -> str | None:
        """An authorized-user file's mailbox when known without asking Gmail."""
        return self.settings.user or (str(self.load().get("account") or "") or None)

    # -- tokens -------------------------------------------------------------

    def token(self, mailbox: str, scopes: tuple[str, ...], *, force: bool = False) -> str:
        """A bearer token to act in ``mailbox`` with ``scopes``; raises :class:`MailboxError`."""
        import google.auth.exceptions as gae

        self.load()
        key = (mailbox.casefold() if self.per_mailbox else "", scopes)
        creds = self._cache.get(key)
        if creds is None:
            if self.per_mailbox:
                creds = self._base.with_subject(mailbox).with_scopes(list(scopes))
            else:
                creds = self._base
            self._cache[key] = creds
        if force or not creds.valid:
            try:
                creds.refresh(TimedAuthRequest(self.session, self.timeout))
            except gae.RefreshError as exc:
                if getattr(exc, "retryable", False):
                    raise TransientError(f"Google's token endpoint: {exc}") from exc
                raise self.refusal(mailbox, scopes, exc) from None
            except gae.TransportError as exc:
                raise TransientError(f"Google's token endpoint: {exc}") from exc
        return str(creds.token)

    def refusal(self, mailbox: str, scopes: tuple[str, ...], exc: Exception) -> RemoteError:
        """What the token endpoint's "no" means, and the step that fixes it."""
        data = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], dict) else {}
        error = str(data.get("error") or "")
        text = str(data.get("error_description") or (exc.args[0] if exc.args else exc))
        scope = " ".join(scopes)
        if not self.per_mailbox:
            return SourceError(
                f"Google refused the saved sign-in ({self.origin}): {error or text}",
                hint="sign in again with the OAuth flow (README, 'Gmail with your own account') "
                "and save the new token file",
            )
        if error == "unauthorized_client":
            return MailboxError(
                mailbox,
                f"Google refused to let {self.account} act as {mailbox} "
                f"(unauthorized_client: {text})",
                hint=DWD_STEP.format(client_id=self.client_id or "(see the key file)", scope=scope),
            )
        if error == "invalid_grant" and ("user" in text.lower() or "email" in text.lower()):
            return MailboxError(
                mailbox,
                f"{mailbox} is not a user of the Google Workspace domain, or is suspended "
                f"(invalid_grant: {text})",
                hint="fix the rep's address in the sheet or [drafts.mailboxes], or restore the "
                "user in the Google Admin console (Directory › Users)",
            )
        return MailboxError(
            mailbox,
            f"Google refused a token for {mailbox} ({error or 'error'}: {text})",
            hint="the service account's key may have been deleted or disabled: create a new key "
            "(Google Cloud console › IAM › Service accounts › Keys)",
        )
