"""Microsoft tokens for the Graph sink and Outlook's IMAP, through MSAL.

``auth = "app"`` (a daemon, the nightly job): the OAuth 2.0 client
credentials grant with a client secret or a certificate (MSAL signs the
client assertion).  The token carries the application permission
``Mail.ReadWrite`` the administrator consented to; an Exchange application
access policy can limit it to the sales reps' mailboxes (README).
One token serves every mailbox.

``auth = "device"`` (one person, no admin consent for the whole tenant):
that person signs in once with a device code (``sheetsync signin``,
RFC 8628); MSAL's token cache, holding the refresh token, is kept in
``token_cache``, written with mode 0600 through a temporary file and a
rename, and refused when other users could read it.  Cron runs then
refresh silently.  One mailbox: that person's.

Sign-in refusals come back as ``AADSTS`` codes; :func:`token_refusal`
turns the usual ones into the administrator's step.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sheetsync.errors import ConfigError, RemoteError
from sheetsync.sources.retry import TransientError

from .secret import secret_setting
from .settings import GraphSettings

GRAPH_SCOPE_APP = "https://graph.microsoft.com/.default"
GRAPH_SCOPE_USER = "https://graph.microsoft.com/Mail.ReadWrite"
#: Outlook's IMAP: for an app (service principal with mailbox permission), and for a person.
IMAP_SCOPE_APP = "https://outlook.office365.com/.default"
IMAP_SCOPE_USER = "https://outlook.office.com/IMAP.AccessAsUser.All"

PORTAL = "Microsoft Entra admin center › App registrations › (your app)"

#: AADSTS code → (what it means, the step that fixes it).
_AADSTS: dict[str, tuple[str, str]] = {
    "7000215": (
        "the client secret is wrong",
        f"create a new client secret ({PORTAL} › Certificates & secrets) and put its value "
        "where client_secret_env / client_secret_command reads it",
    ),
    "7000222": (
        "the client secret has expired",
        f"create a new client secret ({PORTAL} › Certificates & secrets)",
    ),
    "700016": (
        "the application is not registered in this tenant",
        "check [drafts.graph] client_id (the Application (client) ID) and tenant "
        "(the Directory (tenant) ID)",
    ),
    "90002": ("the tenant does not exist", "check [drafts.graph] tenant (the Directory ID)"),
    "700027": (
        "the certificate is not the app's",
        f"upload the certificate's public part to {PORTAL} › Certificates & secrets › Certificates",
    ),
    "65001": (
        "the permission was not consented",
        f"an administrator grants consent ({PORTAL} › API permissions › Grant admin consent)",
    ),
    "50076": (
        "the sign-in needs multi-factor authentication",
        "sign in again with `sheetsync signin`",
    ),
    "70000": (
        "the saved sign-in is no longer valid",
        "sign in again with `sheetsync signin`",
    ),
    "700082": (
        "the saved sign-in expired (unused for 90 days)",
        "sign in again with `sheetsync signin`",
    ),
}


def token_refusal(result: Mapping[str, Any], what: str) -> RemoteError:
    """MSAL's error result as an error naming the step that fixes it."""
    codes = [str(c) for c in result.get("error_codes") or []]
    desc = str(result.get("error_description") or result.get("error") or "no token")
    first_line = desc.splitlines()[0] if desc else ""
    for code in codes:
        if code in _AADSTS:
            meaning, step = _AADSTS[code]
            return RemoteError(
                f"Microsoft refused {what}: {meaning} (AADSTS{code}: {first_line})", hint=step
            )
    return RemoteError(
        f"Microsoft refused {what} ({result.get('error')}: {first_line})",
        hint="check [drafts.graph] tenant, client_id and the secret or certificate "
        "(README, 'Microsoft 365 set-up')",
    )


class MicrosoftTokens:
    """Bearer tokens for Graph or Outlook's IMAP from ``[drafts.graph]``."""

    def __init__(
        self,
        settings: GraphSettings,
        *,
        session: Any,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.s = settings
        self.session = session
        self.environ = environ
        self.warnings: list[str] = []
        self._app: Any = None
        self._cache: Any = None

    @property
    def per_mailbox(self) -> bool:
        """An app acts in any mailbox its permission (and access policy) allows."""
        return self.s.auth == "app"

    @property
    def authority(self) -> str:
        return f"{self.s.authority.rstrip('/')}/{self.s.tenant}"

    # -- MSAL applications ---------------------------------------------------

    def _msal_kwargs(self) -> dict[str, Any]:
        import msal.authority

        host = urlsplit(self.s.authority).hostname or ""
        kw: dict[str, Any] = {"authority": self.authority, "http_client": self.session}
        if host not in msal.authority.WELL_KNOWN_AUTHORITY_HOSTS:
            # an authority the administrator configured (or the tests' emulator) is taken as
            # given: MSAL would otherwise ask login.microsoftonline.com whether it exists
            kw["instance_discovery"] = False
        return kw

    def _credential(self) -> Any:
        s = self.s
        if s.certificate:
            try:
                pem = Path(s.certificate).read_text(encoding="ascii")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"[drafts.graph] certificate {s.certificate}: {exc}") from None
            if "PRIVATE KEY" not in pem or "CERTIFICATE" not in pem:
                raise ConfigError(
                    f"[drafts.graph] certificate {s.certificate}: the PEM file must hold the "
                    "private key and the certificate",
                    hint="cat key.pem cert.pem > sheetsync-graph.pem (README, 'Microsoft 365 set-up')",
                )
            return {"private_key": pem, "public_certificate": pem}
        secret, warnings = secret_setting(
            s, "[drafts.graph]", "the app's client secret", "client_secret", self.environ
        )
        self.warnings += warnings
        return secret

    def app(self) -> Any:
        if self._app is None:
            import msal

            try:
                if self.s.auth == "app":
                    self._app = msal.ConfidentialClientApplication(
                        self.s.client_id,
                        client_credential=self._credential(),
                        token_cache=msal.SerializableTokenCache(),
                        **self._msal_kwargs(),
                    )
                else:
                    self._cache = load_cache(Path(self.s.token_cache))
                    self._app = msal.PublicClientApplication(
                        self.s.client_id, token_cache=self._cache, **self._msal_kwargs()
                    )
            except ValueError as exc:  # MSAL: an authority or tenant it cannot use
                raise RemoteError(
                    f"[drafts.graph]: Microsoft sign-in cannot start: {_first(exc)}",
                    hint="check [drafts.graph] tenant and authority",
                ) from None
            except OSError as exc:
                raise TransientError(f"Microsoft sign-in: {exc}") from exc
        return self._app

    # -- tokens -------------------------------------------------------------

    def token(self, mailbox: str, scopes: tuple[str, ...], *, force: bool = False) -> str:
        """A bearer token (the app's, or the signed-in person's); ``mailbox`` is for messages."""
        import requests

        app = self.app()
        try:
            if self.s.auth == "app":
                if force:
                    cache = app.token_cache
                    for at in list(cache.search(cache.CredentialType.ACCESS_TOKEN)):
                        cache.remove_at(at)
                result = app.acquire_token_for_client(scopes=list(scopes))
            else:
                accounts = app.get_accounts()
                result = (
                    app.acquire_token_silent(list(scopes), account=accounts[0], force_refresh=force)
                    if accounts
                    else None
                )
                if result is None:
                    raise RemoteError(
                        f"no saved Microsoft sign-in in {self.s.token_cache} (or it no longer "
                        "works)",
                        hint="sign in once with `sheetsync signin` on this machine",
                    )
                self.save()
        except requests.RequestException as exc:
            raise TransientError(f"Microsoft sign-in: {exc}") from exc
        except ValueError as exc:
            raise RemoteError(f"Microsoft sign-in failed: {_first(exc)}") from None
        if "access_token" not in result:
            raise token_refusal(result, f"a token for {mailbox or 'the app'}")
        return str(result["access_token"])

    def own_mailbox(self) -> str | None:
        """The signed-in person's address (device sign-in), from the token cache."""
        if self.s.auth == "app":
            return None
        accounts = self.app().get_accounts()
        return str(accounts[0].get("username") or "") or None if accounts else None

    def save(self) -> None:
        if self._cache is not None and self._cache.has_state_changed:
            save_cache(Path(self.s.token_cache), self._cache)

    # -- the device-code sign-in ---------------------------------------------

    def sign_in(self, show: Callable[[str], Any], scopes: tuple[str, ...]) -> str:
        """RFC 8628: show the code, wait for the person, save the cache; return who signed in."""
        if self.s.auth != "device":
            raise ConfigError(
                '`sheetsync signin` is for [drafts.graph] auth = "device"; an app '
                "(client credentials) never signs in interactively"
            )
        app = self.app()
        flow = app.initiate_device_flow(scopes=list(scopes))
        if "user_code" not in flow:
            raise token_refusal(flow, "to start the device sign-in")
        show(str(flow.get("message") or f"go to {flow['verification_uri']}: {flow['user_code']}"))
        result = app.acquire_token_by_device_flow(flow)
        if "access_token" not in result:
            raise token_refusal(result, "the device sign-in")
        self.save()
        claims = result.get("id_token_claims") or {}
        return str(claims.get("preferred_username") or claims.get("email") or "")


# --------------------------------------------------------------------------- the cache on disk


def load_cache(path: Path) -> Any:
    """MSAL's cache from ``path`` (empty when missing); refused when group/others can read it."""
    import msal

    cache = msal.SerializableTokenCache()
    try:
        st = path.stat()
    except FileNotFoundError:
        return cache
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(
            f"{path}: the Microsoft token cache can be read by other users "
            f"(mode {stat.S_IMODE(st.st_mode):o}); it holds a refresh token",
            hint=f"chmod 600 {path}",
        )
    try:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
    except (OSError, ValueError) as exc:
        raise ConfigError(
            f"{path}: the Microsoft token cache cannot be read ({exc})",
            hint="delete it and sign in again with `sheetsync signin`",
        ) from None
    cache.deserialize(text)
    return cache


def save_cache(path: Path, cache: Any) -> None:
    """Write the cache with mode 0600 through a temporary file and a rename (never half)."""
    path = path.expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, tmp = tempfile.mkstemp(prefix=".~", suffix=".json.tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(cache.serialize())
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _first(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else type(exc).__name__
