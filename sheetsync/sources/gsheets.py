"""Google Sheets: the same backend interface as Excel, over the Sheets v4 REST API.

A cron job syncing a shared sheet must never prompt, never burn the API
quota (60 requests a minute per user), never leave the sheet half-written,
and finish or fail clearly within a bounded time.  So this backend makes few
requests, bounded whatever the number of deals:

1. one metadata read (``spreadsheets.get`` with a field mask: the tabs, their
   ids, sizes and charts, and the developer metadata that marks our tabs);
2. one values read (``values.batchGet`` of every tab the run may need, cached);
3. the write, planned by :mod:`.gsheets_write`: one ``batchUpdate`` when it
   fits Google's request-size limit (the usual case), else a few that fill
   hidden staging tabs and one final ``batchUpdate`` that swaps them in.
   Google applies a batchUpdate atomically, and only the final one changes
   the visible tabs.

Every request goes through :class:`~sheetsync.sources.retry.Retrier`
(timeouts, 429/5xx with back-off and ``Retry-After``, a total deadline).

gspread is used where it serves: its ``HTTPClient`` sends every request (on
google-auth's ``AuthorizedSession``, which attaches the token and refreshes
it once on a 401), each attempt run by sheetsync's own Retrier and under its
request budget, never gspread's ``BackOffHTTPClient`` (which retries a 429
forever in 6.2.1); and gspread's credential files are found where gspread
keeps them.  The Sheets calls themselves are sheetsync's (a handful, with
field masks), not gspread's models, which would read every tab and send
requests sheetsync could not bound.

Ownership is the developer metadata ``sheetsync-owned = <kind>`` located on
the owned sheet, never the tab's name: a person's tab that has a name we want
stops the run (:class:`OwnershipError`, exit 2) before anything is written.
A tab someone adds between our read and our write makes the final
batchUpdate fail as a whole (``addSheet`` or a rename to an existing title),
so it is never clobbered.

Values are read with ``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER``: numbers
come as numbers, and date cells as serial numbers (Google counts days from
1899-12-30, like Excel's 1900 system), which the cell parsers already read as
dates in date columns.  Values are written typed (``numberValue``,
``stringValue``, ``boolValue``; dates as serials with a date format); user
text is always a ``stringValue``, so ``=cmd()`` stays text and no formula is
ever written: links are ``textFormat.link`` URIs.
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..config import GOOGLE_REQUEST_LIMIT, GoogleSettings
from ..errors import ConfigError, SourceChangedError, SourceError
from ..model import Grid
from ..outsheet import OutSheet
from . import gsheets_write
from .base import IN_PLACE, WriteOptions, WriteResult
from .gsheets_write import (
    CHARTS_KEY,
    OWNED_KEY,
    PROTECTION_MARK,
    RUN_KEY,
    STAGING_KEY,
    Plan,
    Tab,
    plan_write,
)
from .lease_held import ensure_held
from .owned import DEFAULT_FORMATS, OwnedFormats
from .retry import Answer as _Answer
from .retry import Retrier, TransientError
from .retry import TimedAuthRequest as _TimedAuthRequest

log = logging.getLogger("sheetsync.gsheets")

#: The public endpoint; ``SHEETSYNC_SHEETS_API`` replaces it (tests, proxies).
SHEETS_API = "https://sheets.googleapis.com"
API_ENV = "SHEETSYNC_SHEETS_API"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)

#: Owned tabs that are output (rewritten every run; read back only to find
#: what people typed there, in the same one values read).  Every other owned tab (the stage history, the drafts ledger…) is state a
#: run reads, so it is fetched with the team's tabs in the one values read.
OUTPUT_KINDS = frozenset({"summary", "funnel", "follow-ups", "data-issues"})

#: Where to report what should not happen (a request Google found too large).
REPORT_TO = "the sheetsync issue tracker"

_META_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,sheetType,hidden,gridProperties(rowCount,columnCount)),"
    "charts(chartId),protectedRanges(protectedRangeId,description),"
    "developerMetadata(metadataId,metadataKey,metadataValue,location(locationType,sheetId)))"
)


# --------------------------------------------------------------------------- credentials


@dataclass(slots=True)
class _Creds:
    """Loaded credentials and how to name them in messages."""

    credentials: Any  # google.auth.credentials.Credentials
    account: str  # the email to share the sheet with
    origin: str  # "--credentials /path/key.json" etc.


def _resolve_credentials_path(explicit: str | None, settings: GoogleSettings) -> tuple[Path, str]:
    if explicit:
        return Path(explicit).expanduser(), f"--credentials {explicit}"
    if settings.credentials:
        return Path(
            settings.credentials
        ).expanduser(), f"[google] credentials = {settings.credentials!r}"
    env = os.environ.get(CREDENTIALS_ENV, "").strip()
    if env:
        return Path(env).expanduser(), f"{CREDENTIALS_ENV}={env}"
    for path in gspread_files():
        if path.is_file():
            return path, f"gspread's {path}"
    raise SourceError(
        "no Google credentials: sheetsync needs a service-account key to read a Google Sheet",
        hint=(
            "pass --credentials KEY.json, set [google] credentials in sheetsync.toml, or set "
            f"{CREDENTIALS_ENV} (or keep the key where gspread looks: "
            f"{', '.join(str(p) for p in gspread_files())}); then share the sheet with the "
            "service account's email (README, 'Google Sheets')"
        ),
    )


def gspread_files() -> list[Path]:
    """The files gspread's own helpers read, in the order sheetsync tries them.

    ``gspread.service_account()`` reads ``service_account.json`` and
    ``gspread.oauth()`` saves ``authorized_user.json`` in gspread's config
    folder (``~/.config/gspread``, ``%APPDATA%\\gspread`` on Windows): a key
    a person already made for gspread works here without a setting.
    """
    from gspread import auth

    return [auth.DEFAULT_SERVICE_ACCOUNT_FILENAME, auth.DEFAULT_AUTHORIZED_USER_FILENAME]


#: Credentials already loaded in this process, by key file (path, size, mtime): the
#: lease's client and the source's share one token (and one private-key parse).
_LOADED: dict[tuple[str, str, int, int], _Creds] = {}


def load_credentials(explicit: str | None, settings: GoogleSettings) -> _Creds:
    """Read a service-account key (or an authorized-user file); never prompts.

    A key file already read by this process, unchanged since, gives the same
    credentials (google-auth refreshes their token when it expires), so the
    run's lease and its reads and writes ask Google for one token, not two.
    """
    path, origin = _resolve_credentials_path(explicit, settings)
    try:
        st = path.stat()
        key = (str(path.resolve()), origin, st.st_size, st.st_mtime_ns)
    except OSError:
        key = None
    if key is not None and key in _LOADED:
        return _LOADED[key]
    loaded = _load_credentials(path, origin)
    if key is not None:
        if len(_LOADED) >= 8:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = loaded
    return loaded


def _load_credentials(path: Path, origin: str) -> _Creds:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError(
            f"Google credentials file not found: {path} (from {origin})",
            hint="download a JSON key for the service account (Google Cloud console › IAM › Service accounts › Keys)",
        ) from None
    except OSError as exc:
        raise SourceError(
            f"cannot read the Google credentials file {path} ({exc.strerror})",
            hint="check the file's permissions",
        ) from None
    try:
        info = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SourceError(
            f"{path}: not a Google credentials file (not JSON)",
            hint="use the JSON key file of a service account",
        ) from None
    if not isinstance(info, dict):
        raise SourceError(f"{path}: not a Google credentials file")
    kind = info.get("type")
    if kind is None and {"refresh_token", "client_id", "client_secret"} <= set(info):
        kind = "authorized_user"  # what google-auth-oauthlib's Credentials.to_json() saves
    try:
        if kind == "service_account":
            from google.oauth2 import service_account

            creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
            account = str(info.get("client_email", ""))
        elif kind == "authorized_user":
            from google.oauth2.credentials import Credentials

            creds = Credentials.from_authorized_user_info(info, scopes=list(SCOPES))
            if info.get("token_uri") and os.environ.get(API_ENV):
                # google-auth always sends refresh tokens to Google; with the
                # endpoint overridden (tests, a proxy) the file's token_uri is used
                creds._token_uri = info["token_uri"]
            account = (
                str(info.get("account") or "") or "the Google account that authorized sheetsync"
            )
        else:
            raise SourceError(
                f"{path}: not a service-account key (its type is {kind!r})",
                hint="create a JSON key for a service account, or an authorized-user file with the OAuth flow (README)",
            )
    except (ValueError, KeyError, TypeError) as exc:
        raise SourceError(
            f"{path}: the Google credentials file is incomplete or damaged ({_first_line(exc)})",
            hint="download a fresh JSON key for the service account",
        ) from None
    return _Creds(creds, account, origin)


# --------------------------------------------------------------------------- HTTP


class SheetsClient:
    """The Sheets API calls sheetsync makes, with auth, retries, a size budget and clear errors.

    Requests go through gspread's :class:`gspread.http_client.HTTPClient` on
    a google-auth ``AuthorizedSession`` (the token attached, refreshed once
    on a 401); each attempt is one :class:`Retrier` attempt with its timeout.
    """

    def __init__(
        self,
        spreadsheet_id: str,
        *,
        settings: GoogleSettings,
        credentials: str | None,
        name: str,
        api_base: str | None = None,
        retrier: Retrier | None = None,
        session: Any = None,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.settings = settings
        self.explicit_credentials = credentials
        self.name = name
        self.api_base = (api_base or os.environ.get(API_ENV) or SHEETS_API).rstrip("/")
        self.retrier = retrier or Retrier(settings.policy(), service="Google Sheets")
        self._session = session
        self._http: Any = None
        self._creds: _Creds | None = None
        #: Requests sent to the Sheets API (attempts, retries included).
        self.requests_sent = 0
        #: Bytes of every request body sent (attempts, retries included), and the largest.
        self.bytes_sent = 0
        self.largest_body = 0

    # -- plumbing -----------------------------------------------------------

    @property
    def creds(self) -> _Creds:
        if self._creds is None:
            self._creds = load_credentials(self.explicit_credentials, self.settings)
        return self._creds

    @property
    def http(self) -> Any:
        """gspread's HTTP client on an authorised session (made on first use)."""
        if self._http is None:
            import requests
            from google.auth.transport.requests import AuthorizedSession
            from gspread.http_client import HTTPClient

            from .. import __version__

            session = self._session
            if session is None:
                session = AuthorizedSession(
                    self.creds.credentials,
                    auth_request=_TimedAuthRequest(requests.Session(), self.settings.timeout),
                    max_refresh_attempts=1,
                )
                session.headers["User-Agent"] = f"sheetsync/{__version__}"
            self._http = HTTPClient(auth=None, session=session)
        return self._http

    def _request(
        self,
        method: str,
        path: str,
        *,
        what: str,
        params: Any = None,
        payload: bytes | None = None,
    ) -> _Answer:
        import google.auth.exceptions as gae
        from gspread.exceptions import APIError

        url = f"{self.api_base}/v4/spreadsheets/{quote(self.spreadsheet_id, safe='')}{path}"
        if payload is not None and len(payload) > self.settings.max_request_bytes:
            raise SourceError(  # a bug in the planner: say so rather than send it
                f"{self.name}: sheetsync made a request of {len(payload):,} bytes, over its "
                f"budget ([google] max_request_bytes = {self.settings.max_request_bytes:,}); "
                "nothing was sent",
                hint=f"this should not happen: please report it to {REPORT_TO}",
            )
        http = self.http
        creds = self.creds

        def attempt(timeout: float) -> _Answer:
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
                self.bytes_sent += len(payload)
                self.largest_body = max(self.largest_body, len(payload))
            self.requests_sent += 1
            http.timeout = timeout
            try:
                resp = http.request(method, url, params=params, data=payload, headers=headers)
            except APIError as exc:
                resp = exc.response
            except gae.RefreshError as exc:
                if getattr(exc, "retryable", False):
                    raise TransientError(f"token endpoint: {_first_line(exc)}") from exc
                raise SourceError(
                    f"Google refused the credentials ({creds.origin}): {_first_line(exc)}",
                    hint="the key may have been deleted or disabled; create a new key for the service account",
                ) from None
            return _Answer.read(resp, method)

        return self.retrier.call(attempt, what=what)

    def _fail(self, answer: _Answer, *, writing: bool = False) -> SourceError:
        code = answer.status_code
        msg = answer.message
        status = answer.status_name
        creds = self._creds
        account = creds.account if creds else "the service account"
        if code == 401:
            return SourceError(
                f"{self.name}: Google did not accept the credentials "
                f"({creds.origin if creds else 'credentials'}): {msg}",
                hint="check that the key file belongs to an active service account",
            )
        if code == 403:
            if "has not been used" in msg or "is disabled" in msg or status == "SERVICE_DISABLED":
                return SourceError(
                    f"{self.name}: the Google Sheets API is not enabled for the service account's project ({msg})",
                    hint="enable the Google Sheets API in the Google Cloud console (APIs & Services › Library), wait a minute, run again",
                )
            if writing:
                return SourceError(
                    f"{self.name}: {account} may read this spreadsheet but not change it (403 {status or 'PERMISSION_DENIED'}); nothing was written",
                    hint=f"share the sheet with {account} as Editor",
                )
            return SourceError(
                f"{self.name}: {account} has no access to this spreadsheet (403 {status or 'PERMISSION_DENIED'})",
                hint=f"share the sheet with {account} (Share › add that address as Editor; Viewer is enough for check and metrics)",
            )
        if code == 404:
            return SourceError(
                f"{self.name}: no spreadsheet with id {self.spreadsheet_id!r} (404 {status or 'NOT_FOUND'})",
                hint="check the URL: copy it from the browser's address bar (the id is the part after /d/)",
            )
        return SourceError(
            f"{self.name}: Google Sheets answered {code} {status}: {msg}".rstrip(": "),
            hint="run again with --debug for details" if not writing else "nothing was written",
        )

    # -- the calls ----------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """Tabs, their ids, sizes, charts and developer metadata (one ``spreadsheets.get``)."""
        answer = self._request(
            "GET",
            "",
            what="reading the spreadsheet's tabs",
            params={"fields": _META_FIELDS, "includeGridData": "false"},
        )
        if answer.status_code != 200:
            raise self._fail(answer)
        return answer.data

    def batch_get(self, ranges: Sequence[str]) -> list[dict[str, Any]]:
        """Values of ``ranges`` (one ``values.batchGet``), typed, dates as serials."""
        params: list[tuple[str, str]] = [("ranges", r) for r in ranges]
        params += [
            ("valueRenderOption", "UNFORMATTED_VALUE"),
            ("dateTimeRenderOption", "SERIAL_NUMBER"),
            ("majorDimension", "ROWS"),
        ]
        answer = self._request(
            "GET", "/values:batchGet", what="reading the tabs' values", params=params
        )
        if answer.status_code != 200:
            raise self._fail(answer)
        value_ranges = answer.data.get("valueRanges", [])
        if len(value_ranges) != len(ranges):
            raise SourceError(
                f"{self.name}: Google Sheets returned {len(value_ranges)} ranges for {len(ranges)} asked"
            )
        return value_ranges

    def batch_update(
        self, body: bytes, *, what: str = "writing sheetsync's tabs"
    ) -> tuple[_Answer, bool]:
        """One atomic ``spreadsheets.batchUpdate`` of a serialised body; returns the answer
        and whether an earlier attempt may have been applied (timeout or dropped connection)."""
        answer = self._request("POST", ":batchUpdate", what=what, payload=body)
        return answer, self.retrier.last.ambiguous


# --------------------------------------------------------------------------- the source


class GoogleSheetsSource:
    """A Google Sheet read and written through the Sheets v4 API.

    ``credentials`` is a key-file path from ``--credentials``; ``read_tabs``
    limits the values read to these tabs (when the configuration pins the
    deals tab), else every tab a person made is read in the one batchGet,
    together with every owned tab (see ``OUTPUT_KINDS``).
    """

    def __init__(
        self,
        spreadsheet_id: str,
        *,
        settings: GoogleSettings | None = None,
        credentials: str | None = None,
        name: str | None = None,
        read_tabs: Sequence[str] | None = None,
        api_base: str | None = None,
        retrier: Retrier | None = None,
        session: Any = None,
    ) -> None:
        self.spreadsheet_id = spreadsheet_id
        self.name = name or f"gsheet:{spreadsheet_id}"
        self.settings = settings or GoogleSettings()
        self.read_tabs = tuple(read_tabs) if read_tabs is not None else None
        self.client = SheetsClient(
            spreadsheet_id,
            settings=self.settings,
            credentials=credentials,
            name=self.name,
            api_base=api_base,
            retrier=retrier,
            session=session,
        )
        self._tabs: list[Tab] | None = None
        self._grids: dict[str, Grid] = {}
        #: The plan of the last write (what was sent, for reports and benchmarks).
        self.last_plan: Plan | None = None

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    # -- reading ------------------------------------------------------------

    def _load_all(self) -> list[Tab]:
        if self._tabs is None:
            self._tabs = _parse_tabs(self.client.metadata())
        return self._tabs

    def _load(self) -> list[Tab]:
        """The tabs, without the staging tabs a failed run left (they are not the team's)."""
        return [t for t in self._load_all() if t.staging is None]

    def tab_names(self) -> list[str]:
        return [t.title for t in self._load()]

    def owned_tabs(self) -> dict[str, str]:
        return {t.title: t.owned_kind for t in self._load() if t.owned_kind}

    def read(self, tab: str) -> Grid:
        tabs = {t.title: t for t in self._load()}
        if tab not in tabs:
            raise SourceError(f"{self.name}: no tab named {tab!r} (tabs: {', '.join(tabs)})")
        if tab not in self._grids:
            if tabs[tab].sheet_type != "GRID":
                self._grids[tab] = Grid(name=tab, rows=[])  # a chart sheet: no cells
            else:
                self._fetch([tab])
        grid = self._grids[tab]
        return Grid(name=grid.name, rows=grid.rows, epoch1904=False)

    def _fetch(self, wanted: Sequence[str]) -> None:
        """Read ``wanted`` plus every other tab the run may need, in one batchGet."""
        tabs = self._load()
        # every owned tab: the state tabs, and the output tabs a sync compares with
        # what it wrote last (what people typed there), so a night reads in one call
        state = [t.title for t in tabs if t.owned_kind]
        if self.read_tabs is not None:
            pins = {n.strip().casefold() for n in self.read_tabs}
            extra = [t.title for t in tabs if t.title.strip().casefold() in pins] + state
        else:
            extra = [t.title for t in tabs if t.owned_kind is None] + state
        names: list[str] = []
        by_title = {t.title: t for t in tabs}
        for title in [*wanted, *extra]:
            t = by_title.get(title)
            if t is None or t.sheet_type != "GRID" or title in self._grids or title in names:
                continue
            names.append(title)
        if not names:
            return
        ranges = [_quote_title(n) for n in names]
        for title, vr in zip(names, self.client.batch_get(ranges), strict=True):
            self._grids[title] = Grid(name=title, rows=_typed_rows(vr.get("values", [])))

    # -- writing ------------------------------------------------------------

    #: The developer-metadata key the doctor's write probe deletes: never created, so
    #: deleting it matches nothing and changes nothing.
    PROBE_KEY = "sheetsync-doctor-write-probe"

    def check_writable(self) -> str:
        """Why a sync could write this spreadsheet, or the SourceError saying why not.

        The account's role (Viewer, Commenter, Editor) is the Drive API's
        (``permissions``, ``capabilities.canEdit``), which needs that API
        enabled and a Drive scope; the Sheets API answers the same question
        with what a sync itself does: ``spreadsheets.batchUpdate`` needs edit
        access, and a Viewer or Commenter is refused with 403
        PERMISSION_DENIED.  The one request sent, ``deleteDeveloperMetadata``
        of a key sheetsync never writes (:attr:`PROBE_KEY`), is valid and
        matches nothing, so it changes no cell, tab or property, and cannot
        undo a person's edit made meanwhile (as rewriting the title to
        itself could).  An empty request list is not a probe: Google refuses
        it with 400 "Must specify at least one request".
        """
        self._load_all()  # the sheet exists and may be read (403/404 say so first)
        body = {
            "requests": [
                {
                    "deleteDeveloperMetadata": {
                        "dataFilter": {"developerMetadataLookup": {"metadataKey": self.PROBE_KEY}}
                    }
                }
            ]
        }
        answer, _ = self.client.batch_update(
            json.dumps(body).encode("utf-8"), what="checking that the spreadsheet may be changed"
        )
        if answer.status_code != 200:
            raise self.client._fail(answer, writing=True)
        owned = ", ".join(sorted(self.owned_tabs())) or "none yet"
        return f"{self.name} can be updated (owned tabs: {owned})"

    def write(self, sheets: Sequence[OutSheet], how: WriteOptions = IN_PLACE) -> WriteResult:
        """Write the owned tabs in place; only the last request changes what the team sees."""
        if how.output:
            raise ConfigError(
                f"--output writes a copy of a workbook file; {self.name} is a Google Sheet and is updated in place",
                hint="drop --output (use --dry-run to see what would change without writing)",
            )
        plan = self.plan(sheets, remove_kinds=how.remove_kinds, formats=how.formats)
        self.last_plan = plan
        changed = [*plan.replaced, *plan.added, *plan.removed]
        result = WriteResult(
            target=self.name,
            replaced=plan.replaced,
            added=plan.added,
            removed=plan.removed,
            changed_parts=changed,
            dry_run=how.dry_run,
        )
        if how.dry_run or not plan.bodies:
            return result
        ensure_held(self.spreadsheet_id)  # a run that lost its lease must not write
        last = len(plan.bodies) - 1
        for step, body in enumerate(plan.bodies):
            what = (
                "writing sheetsync's tabs"
                if step == last
                else f"staging sheetsync's tabs (request {step + 1} of {last})"
            )
            answer, ambiguous = self.client.batch_update(body, what=what)
            if answer.status_code == 200:
                continue
            if ambiguous and answer.status_code == 400 and self._went_through(plan, step):
                log.info("a retried batchUpdate was refused because the first attempt went through")
                continue
            error = self._write_error(answer, plan, step, len(body))
            if plan.staged and step > 0:
                self._clean_up(plan)
            raise error
        self._tabs = None  # the next read asks again
        return result

    def _went_through(self, plan: Plan, step: int) -> bool:
        """True when a refused retry of ``step`` was refused because its first attempt
        was applied: the staging tabs exist (first step) or our run's markers are on
        every tab written (final step).  The steps between are idempotent."""
        try:
            tabs = _parse_tabs(self.client.metadata())
        except SourceError:
            return False
        if step == len(plan.bodies) - 1:
            runs = {t.title: t.run for t in tabs}
            return all(runs.get(name) == plan.run for name in plan.written)
        if step == 0 and plan.staged:
            have = {t.sheet_id for t in tabs if t.staging == plan.run}
            return set(plan.staging) <= have
        return False

    def _clean_up(self, plan: Plan) -> None:
        """Best effort: delete this run's staging tabs after a failure (else the next run does)."""
        try:
            tabs = _parse_tabs(self.client.metadata())
            ids = [t.sheet_id for t in tabs if t.staging == plan.run]
            if ids:
                body = gsheets_write.dumps(
                    {"requests": [{"deleteSheet": {"sheetId": i}} for i in ids]}
                )
                self.client.batch_update(body, what="removing sheetsync's staging tabs")
        except Exception as exc:  # the write's own error is the one to report
            log.info("staging tabs left for the next run to remove (%s)", exc)

    def _write_error(self, answer: Any, plan: Plan, step: int, size: int) -> Exception:
        """What a refused write means, in Google's words and ours (never a guess)."""
        if answer.status_code != 400:
            return self.client._fail(answer, writing=True)
        msg = answer.message
        nothing = "nothing the team sees was changed"
        if "payload size exceeds" in msg.lower():
            sizes = ", ".join(f"{n:,}" for n in plan.sizes)
            return SourceError(
                f"{self.name}: Google refused a request of {size:,} bytes as too large "
                f"(Google: {msg}); {nothing}. sheetsync keeps each request under "
                f"[google] max_request_bytes = {plan.budget:,} bytes, below Google's "
                f"{GOOGLE_REQUEST_LIMIT:,}, so this should not happen (this write's requests: "
                f"{sizes} bytes)",
                hint=f"please report it to {REPORT_TO} with this message; meanwhile lower "
                "[google] max_request_bytes in sheetsync.toml (Google may have lowered its limit)",
            )
        if "limit of 10000000 cells" in msg or "above the limit of" in msg and "cells" in msg:
            return SourceError(
                f"{self.name}: the spreadsheet would pass Google's limit of 10,000,000 cells "
                f"(Google: {msg}); {nothing}",
                hint="Google counts every cell of every tab, empty ones too: delete unused rows and "
                "columns from the team's tabs, or lower [sync] history_max_cells in sheetsync.toml",
            )
        if self._changed_since_read():
            return SourceChangedError(
                f"{self.name}: the spreadsheet changed while sheetsync was working (a tab was "
                f"added, renamed or deleted), so Google refused the update (Google: {msg}); "
                f"nothing was written",
                hint="run again",
            )
        return SourceError(
            f"{self.name}: Google Sheets refused the update (400 {answer.status_name}: {msg}); "
            f"{nothing}",
            hint=f"this should not happen: run again with --debug and report the output to {REPORT_TO}",
        )

    def _changed_since_read(self) -> bool:
        """Whether the team's or our tabs differ from what the plan was made from."""
        before = self._tabs
        if before is None:
            return False
        try:
            now = _parse_tabs(self.client.metadata())
        except SourceError:
            return False

        def key(tabs: list[Tab]) -> list[tuple[int, str]]:
            return sorted((t.sheet_id, t.title) for t in tabs if t.staging is None)

        return key(now) != key(before)

    def plan(
        self,
        sheets: Sequence[OutSheet],
        *,
        remove_kinds: Sequence[str] = (),
        formats: OwnedFormats = DEFAULT_FORMATS,
    ) -> Plan:
        """Decide every request of the write; raise before anything is sent."""
        return plan_write(
            self._load_all(),
            sheets,
            remove_kinds=remove_kinds,
            formats=formats,
            budget=self.settings.max_request_bytes,
            run=uuid.uuid4().hex,
            where=self.name,
        )


# --------------------------------------------------------------------------- reading helpers


def _parse_tabs(meta: Mapping[str, Any]) -> list[Tab]:
    tabs: list[Tab] = []
    for sheet in meta.get("sheets", []) or []:
        props = sheet.get("properties", {}) or {}
        sheet_id = int(props.get("sheetId", 0) or 0)
        found: dict[str, str] = {}
        for md in sheet.get("developerMetadata", []) or []:
            loc = md.get("location", {}) or {}
            if loc.get("sheetId", sheet_id) != sheet_id:
                continue
            key = md.get("metadataKey")
            if key in (OWNED_KEY, RUN_KEY, STAGING_KEY, CHARTS_KEY) and key not in found:
                found[key] = str(md.get("metadataValue") or "")
        grid = props.get("gridProperties", {}) or {}
        charts = [int(c["chartId"]) for c in sheet.get("charts", []) or [] if "chartId" in c]
        ours = None
        if CHARTS_KEY in found:
            ours = [int(x) for x in found[CHARTS_KEY].split(",") if x.strip().isdigit()]
        protections = [
            int(p["protectedRangeId"])
            for p in sheet.get("protectedRanges", []) or []
            if "protectedRangeId" in p
            and str(p.get("description") or "").startswith(PROTECTION_MARK)
        ]
        tabs.append(
            Tab(
                sheet_id=sheet_id,
                title=str(props.get("title", "")),
                index=int(props.get("index", len(tabs)) or 0),
                sheet_type=str(props.get("sheetType", "GRID") or "GRID"),
                hidden=bool(props.get("hidden", False)),
                owned_kind=found.get(OWNED_KEY) or None,
                run=found.get(RUN_KEY) or None,
                rows=int(grid.get("rowCount", 0) or 0),
                cols=int(grid.get("columnCount", 0) or 0),
                charts=charts,
                our_charts=ours,
                staging=found.get(STAGING_KEY) or None,
                protections=protections,
            )
        )
    tabs.sort(key=lambda t: t.index)
    return tabs


def _typed_rows(values: Any) -> list[list[Any]]:
    """Google's JSON values as the types the Excel reader gives (numbers as float)."""
    rows: list[list[Any]] = []
    if not isinstance(values, list):
        return rows
    for row in values:
        out: list[Any] = []
        if isinstance(row, list):
            for v in row:
                t = type(v)
                if t is str or t is bool or t is float:
                    out.append(v)
                elif t is int:
                    out.append(float(v))
                elif v is None:
                    out.append("")
                else:
                    out.append(str(v))
        rows.append(out)
    return rows


def _quote_title(title: str) -> str:
    """A tab name as an A1 range meaning the whole tab (always quoted)."""
    return "'" + title.replace("'", "''") + "'"


def _first_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if exc.args and isinstance(exc.args[0], str) else str(exc)
    text = text.strip()
    return (text.splitlines()[0] if text else type(exc).__name__)[:300]


__all__ = [
    "API_ENV",
    "GoogleSettings",
    "GoogleSheetsSource",
    "OWNED_KEY",
    "RUN_KEY",
    "SheetsClient",
    "load_credentials",
]
