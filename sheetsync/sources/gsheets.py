"""Google Sheets: the same backend interface as Excel, over the Sheets v4 REST API.

A cron job syncing a shared sheet must never prompt, never burn the API
quota (60 requests a minute per user), never leave the sheet half-written,
and finish or fail clearly within a bounded time.  So this backend makes a
*constant* number of requests, whatever the number of deals or tabs:

1. one metadata read (``spreadsheets.get`` with a field mask: the tabs, their
   ids and the ``sheetsync-owned`` developer metadata that marks our tabs);
2. one values read (``values.batchGet`` of every tab the run may need, cached);
3. one ``spreadsheets.batchUpdate`` that deletes the previous owned tabs and
   adds the new ones with their values, formats, widths, frozen rows, links,
   charts and ownership markers.  Google applies a batchUpdate atomically: it
   all happens or none of it does.

Every request goes through :class:`~sheetsync.sources.retry.Retrier`
(timeouts, 429/5xx with back-off and ``Retry-After``, a total deadline).

Why the REST API with ``requests`` rather than gspread: we need exactly three
calls with our own retry policy, and gspread's client retries a 429 forever
(6.2.1) and hides the requests.  google-auth still does the OAuth part
(service-account JWT grant or an authorized-user refresh token).

Ownership is the developer metadata ``sheetsync-owned = <kind>`` located on
the owned sheet, never the tab's name: a person's tab that has a name we want
stops the run (:class:`OwnershipError`, exit 2) before anything is written.
A tab someone adds between our read and our write makes the batchUpdate fail
as a whole (``addSheet`` of an existing title), so it is never clobbered.

Values are read with ``UNFORMATTED_VALUE`` and ``SERIAL_NUMBER``: numbers
come as numbers, and date cells as serial numbers (Google counts days from
1899-12-30, like Excel's 1900 system), which the cell parsers already read as
dates in date columns.  Values are written typed (``numberValue``,
``stringValue``, ``boolValue``; dates as serials with a date format); user
text is always a ``stringValue``, so ``=cmd()`` stays text and no formula is
ever written: links are ``textFormat.link`` URIs.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import os
import re
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..config import GoogleSettings
from ..errors import ConfigError, SourceChangedError, SourceError
from ..model import Grid
from ..outsheet import ChartSpec, OutCell, OutSheet
from .base import WriteResult, plan_tabs
from .retry import Retrier, TransientError

log = logging.getLogger("sheetsync.gsheets")

#: The public endpoint; ``SHEETSYNC_SHEETS_API`` replaces it (tests, proxies).
SHEETS_API = "https://sheets.googleapis.com"
API_ENV = "SHEETSYNC_SHEETS_API"
CREDENTIALS_ENV = "GOOGLE_APPLICATION_CREDENTIALS"
SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)

#: Developer metadata marking an owned sheet: value = the tab's kind.
OWNED_KEY = "sheetsync-owned"
#: Developer metadata naming the run that wrote the sheet (to recognise our
#: own write when a retried batchUpdate is refused because the first one
#: actually went through).
RUN_KEY = "sheetsync-run"

#: Owned tabs that are pure output (rewritten every run, never read back).
#: Every other owned tab (the stage history, the drafts ledger…) is state a
#: run reads, so it is fetched with the team's tabs in the one values read.
OUTPUT_KINDS = frozenset({"summary", "funnel", "follow-ups", "data-issues"})

#: Google refuses cells longer than this.
MAX_CELL_TEXT = 50_000
_EPOCH = dt.datetime(1899, 12, 30)

_META_FIELDS = (
    "spreadsheetId,properties(title,locale,timeZone),"
    "sheets(properties(sheetId,title,index,sheetType,hidden,gridProperties(rowCount,columnCount)),"
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
    raise SourceError(
        "no Google credentials: sheetsync needs a service-account key to read a Google Sheet",
        hint=(
            "pass --credentials KEY.json, set [google] credentials in sheetsync.toml, or set "
            f"{CREDENTIALS_ENV}; then share the sheet with the service account's email (README, 'Google Sheets')"
        ),
    )


def load_credentials(explicit: str | None, settings: GoogleSettings) -> _Creds:
    """Read a service-account key (or an authorized-user file); never prompts."""
    path, origin = _resolve_credentials_path(explicit, settings)
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


class _Answer:
    """One HTTP answer, its JSON body already read (so a cut-off body is retried)."""

    __slots__ = ("status_code", "headers", "data", "text")

    def __init__(self, status_code: int, headers: Mapping[str, str], data: Any, text: str) -> None:
        self.status_code = status_code
        self.headers = headers
        self.data = data
        self.text = text

    @property
    def error(self) -> dict[str, Any]:
        err = self.data.get("error") if isinstance(self.data, dict) else None
        return err if isinstance(err, dict) else {}

    @property
    def message(self) -> str:
        msg = self.error.get("message") or self.text.strip()[:300]
        return str(msg)

    @property
    def status_name(self) -> str:
        return str(self.error.get("status") or "")


class _TimedAuthRequest:
    """google-auth's transport with our timeout (its default is 120 s)."""

    def __init__(self, session: Any, timeout: float) -> None:
        from google.auth.transport.requests import Request

        self.inner = Request(session)
        self.timeout = timeout

    def __call__(self, url, method="GET", body=None, headers=None, timeout=None, **kwargs):
        return self.inner(
            url, method=method, body=body, headers=headers, timeout=self.timeout, **kwargs
        )


class SheetsClient:
    """The three Sheets API calls sheetsync makes, with auth, retries and clear errors."""

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
        self._creds: _Creds | None = None
        #: Requests sent to the Sheets API (attempts, retries included).
        self.requests_sent = 0

    # -- plumbing -----------------------------------------------------------

    @property
    def session(self) -> Any:
        if self._session is None:
            import requests

            from .. import __version__

            self._session = requests.Session()
            self._session.headers["User-Agent"] = f"sheetsync/{__version__}"
        return self._session

    @property
    def creds(self) -> _Creds:
        if self._creds is None:
            self._creds = load_credentials(self.explicit_credentials, self.settings)
        return self._creds

    def _authorize(self, headers: dict[str, str], timeout: float, *, force: bool = False) -> None:
        import google.auth.exceptions as gae

        creds = self.creds
        if force or not creds.credentials.valid:
            try:
                creds.credentials.refresh(_TimedAuthRequest(self.session, timeout))
            except gae.RefreshError as exc:
                if getattr(exc, "retryable", False):
                    raise TransientError(f"token endpoint: {_first_line(exc)}") from exc
                raise SourceError(
                    f"Google refused the credentials ({creds.origin}): {_first_line(exc)}",
                    hint="the key may have been deleted or disabled; create a new key for the service account",
                ) from None
        creds.credentials.apply(headers)

    def _request(
        self, method: str, path: str, *, what: str, params: Any = None, body: Any = None
    ) -> _Answer:
        url = f"{self.api_base}/v4/spreadsheets/{quote(self.spreadsheet_id, safe='')}{path}"
        payload = (
            None if body is None else json.dumps(body, ensure_ascii=False, allow_nan=False).encode()
        )

        def attempt(timeout: float) -> _Answer:
            headers = {"Accept": "application/json"}
            if payload is not None:
                headers["Content-Type"] = "application/json; charset=utf-8"
            self._authorize(headers, timeout)
            self.requests_sent += 1
            resp = self.session.request(
                method, url, params=params, data=payload, headers=headers, timeout=timeout
            )
            raw = resp.content  # a connection dropped mid-body raises here: retried
            text = raw.decode("utf-8", "replace")
            try:
                data = json.loads(text) if text.strip() else {}
            except json.JSONDecodeError:
                if resp.status_code < 300:
                    raise TransientError(
                        f"the answer to {method} was cut off ({len(raw)} bytes)"
                    ) from None
                data = {}
            return _Answer(resp.status_code, resp.headers, data, text)

        answer = self.retrier.call(attempt, what=what)
        if answer.status_code == 401:
            # An expired or revoked token: get a fresh one once, then judge.
            self._authorize({}, self.settings.timeout, force=True)
            answer = self.retrier.call(attempt, what=what)
        return answer

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
        """Tabs, their ids and developer metadata (one ``spreadsheets.get``)."""
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

    def batch_update(self, requests: list[dict[str, Any]]) -> tuple[_Answer, bool]:
        """One atomic ``spreadsheets.batchUpdate``; returns the answer and whether an
        earlier attempt may have been applied (timeout or dropped connection)."""
        answer = self._request(
            "POST",
            ":batchUpdate",
            what="writing sheetsync's tabs",
            body={"requests": requests, "includeSpreadsheetInResponse": False},
        )
        return answer, self.retrier.last.ambiguous


# --------------------------------------------------------------------------- the source


@dataclass(slots=True)
class _Tab:
    sheet_id: int
    title: str
    index: int
    sheet_type: str
    hidden: bool
    owned_kind: str | None
    run: str | None = None


@dataclass(slots=True)
class _Slot:
    tab: _Tab | None  # existing tab kept or replaced; None for a new one
    out: OutSheet | None
    name: str
    new_id: int = 0


@dataclass(slots=True)
class WritePlan:
    """What a write will do: the requests and the names for the result."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    new_ids: dict[str, int] = field(default_factory=dict)
    run: str = ""


class GoogleSheetsSource:
    """A Google Sheet read and written through the Sheets v4 API.

    ``credentials`` is a key-file path from ``--credentials``; ``read_tabs``
    limits the values read to these tabs (when the configuration pins the
    deals tab), else every tab a person made is read in the one batchGet,
    together with the owned tabs that hold state (see ``OUTPUT_KINDS``).
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
        self._tabs: list[_Tab] | None = None
        self._grids: dict[str, Grid] = {}

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"

    # -- reading ------------------------------------------------------------

    def _load(self) -> list[_Tab]:
        if self._tabs is None:
            self._tabs = _parse_tabs(self.client.metadata())
        return self._tabs

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
        state = [t.title for t in tabs if t.owned_kind and t.owned_kind not in OUTPUT_KINDS]
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

    def write(
        self,
        sheets: Sequence[OutSheet],
        *,
        remove_kinds: Sequence[str] = (),
        dry_run: bool = False,
        output: str | None = None,
        currency_format: str = '"$"#,##0.00',
    ) -> WriteResult:
        """Replace the owned tabs in one atomic batchUpdate; never touch another tab."""
        if output:
            raise ConfigError(
                f"--output writes a copy of a workbook file; {self.name} is a Google Sheet and is updated in place",
                hint="drop --output (use --dry-run to see what would change without writing)",
            )
        plan = self.plan(sheets, remove_kinds=remove_kinds, currency_format=currency_format)
        changed = [*plan.replaced, *plan.added, *plan.removed]
        result = WriteResult(
            target=self.name,
            replaced=plan.replaced,
            added=plan.added,
            removed=plan.removed,
            changed_parts=changed,
            dry_run=dry_run,
        )
        if dry_run or not plan.requests:
            return result
        answer, ambiguous = self.client.batch_update(plan.requests)
        if answer.status_code == 200:
            self._tabs = None  # ids changed: the next read asks again
            return result
        if ambiguous and answer.status_code == 400 and self._written_by(plan):
            log.info("a retried batchUpdate was refused because the first attempt went through")
            self._tabs = None
            return result
        if answer.status_code == 400:
            raise SourceChangedError(
                f"{self.name}: Google Sheets refused the update ({answer.message}); "
                "the spreadsheet probably changed while sheetsync was working, and nothing was written",
                hint="run again (if it keeps failing, run with --debug and report it)",
            )
        raise self.client._fail(answer, writing=True)

    def _written_by(self, plan: WritePlan) -> bool:
        """True when the sheet already holds this run's tabs (our write went through)."""
        try:
            tabs = _parse_tabs(self.client.metadata())
        except SourceError:
            return False
        runs = {t.title: t.run for t in tabs}
        return all(runs.get(name) == plan.run for name in plan.new_ids)

    def plan(
        self,
        sheets: Sequence[OutSheet],
        *,
        remove_kinds: Sequence[str] = (),
        currency_format: str = '"$"#,##0.00',
    ) -> WritePlan:
        """Decide every request of the write; raise before anything is sent."""
        _check_outsheets(sheets, set(remove_kinds))
        tabs = self._load()
        planned, removed = plan_tabs(
            tabs,
            name_of=lambda t: t.title,
            kind_of=lambda t: t.owned_kind,
            sheets=sheets,
            remove_kinds=remove_kinds,
            where=self.name,
            container="spreadsheet",
        )
        removed_ids = {t.sheet_id for t in removed}
        slots = [_Slot(p.existing, p.out, p.name) for p in planned]

        plan = WritePlan(run=uuid.uuid4().hex)
        taken = {t.sheet_id for t in tabs}
        for slot in slots:
            if slot.out is not None:
                slot.new_id = _fresh_id(taken)
                plan.new_ids[slot.out.name] = slot.new_id
        gids = {t.title: t.sheet_id for t in tabs if t.sheet_id not in removed_ids}
        for slot in slots:
            if slot.tab is not None and slot.out is not None:
                gids.pop(slot.tab.title, None)
        gids.update(plan.new_ids)
        for t in removed:
            plan.requests.append({"deleteSheet": {"sheetId": t.sheet_id}})
            plan.removed.append(t.title)
        for slot in slots:
            if slot.tab is not None and slot.out is not None:
                plan.requests.append({"deleteSheet": {"sheetId": slot.tab.sheet_id}})
                plan.replaced.append(slot.out.name)
            elif slot.out is not None:
                plan.added.append(slot.out.name)
        cells = _CellWriter(gids, currency_format)
        for index, slot in enumerate(slots):
            if slot.out is not None:
                plan.requests.extend(_sheet_requests(slot.out, slot.new_id, index, plan.run, cells))
        return plan


# --------------------------------------------------------------------------- reading helpers


def _parse_tabs(meta: Mapping[str, Any]) -> list[_Tab]:
    tabs: list[_Tab] = []
    for sheet in meta.get("sheets", []) or []:
        props = sheet.get("properties", {}) or {}
        sheet_id = int(props.get("sheetId", 0) or 0)
        kind = run = None
        for md in sheet.get("developerMetadata", []) or []:
            loc = md.get("location", {}) or {}
            if loc.get("sheetId", sheet_id) != sheet_id:
                continue
            if md.get("metadataKey") == OWNED_KEY and kind is None:
                kind = str(md.get("metadataValue") or "")
            elif md.get("metadataKey") == RUN_KEY and run is None:
                run = str(md.get("metadataValue") or "")
        tabs.append(
            _Tab(
                sheet_id=sheet_id,
                title=str(props.get("title", "")),
                index=int(props.get("index", len(tabs)) or 0),
                sheet_type=str(props.get("sheetType", "GRID") or "GRID"),
                hidden=bool(props.get("hidden", False)),
                owned_kind=kind or None,
                run=run,
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


# --------------------------------------------------------------------------- writing helpers


def _check_outsheets(sheets: Sequence[OutSheet], remove: set[str]) -> None:
    seen: set[str] = set()
    kinds: set[str] = set()
    for out in sheets:
        name = out.name
        if not name or not name.strip() or len(name) > 100 or any(ord(c) < 32 for c in name):
            raise ConfigError(
                f"tab name {name!r} is not a valid Google Sheets tab name",
                hint="set a different name in the [tabs] section of sheetsync.toml",
            )
        if name.casefold() in seen:
            raise ConfigError(
                f"two tabs sheetsync writes are both named {name!r}",
                hint="give them different names in the [tabs] section of sheetsync.toml",
            )
        seen.add(name.casefold())
        if not out.kind or out.kind in kinds or out.kind in remove:
            raise ValueError(f"owned-tab kind {out.kind!r} is empty, repeated or also removed")
        kinds.add(out.kind)


def _fresh_id(taken: set[int]) -> int:
    while True:
        candidate = secrets.randbelow(2**31 - 2) + 1
        if candidate not in taken:
            taken.add(candidate)
            return candidate


def _rgb(hex6: str) -> dict[str, Any]:
    r, g, b = (int(hex6[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"rgbColor": {"red": round(r, 4), "green": round(g, 4), "blue": round(b, 4)}}


_LINK_COLOR = _rgb("0563C1")
_MUTED_COLOR = _rgb("808080")
_HEADER_FILL = _rgb("D9E1F2")
_DATE_FMT = {"type": "DATE", "pattern": "yyyy-mm-dd"}
_DATETIME_FMT = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd hh:mm"}
_INTERNAL_LINK = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class _CellWriter:
    """OutCell values and styles → Sheets ``CellData`` (typed, never formulas)."""

    def __init__(self, gids: Mapping[str, int], currency_format: str) -> None:
        self.gids = dict(gids)
        self.gids_folded = {k.casefold(): v for k, v in gids.items()}
        self.currency = {"type": "CURRENCY", "pattern": currency_format}
        self._formats: dict[tuple[str | None, str], dict[str, Any] | None] = {}

    def fmt(self, style: str | None, value_kind: str) -> dict[str, Any] | None:
        key = (style, value_kind)
        if key not in self._formats:
            self._formats[key] = self._build(style, value_kind)
        return self._formats[key]

    def _build(self, style: str | None, value_kind: str) -> dict[str, Any] | None:
        f: dict[str, Any] = {}
        number: dict[str, Any] | None = {
            "currency": self.currency,
            "integer": {"type": "NUMBER", "pattern": "#,##0"},
            "number": {"type": "NUMBER", "pattern": "#,##0.0"},
            "percent": {"type": "PERCENT", "pattern": "0.0%"},
            "date": _DATE_FMT,
            "datetime": _DATETIME_FMT,
        }.get(style or "")
        if number is None and value_kind == "date":
            number = _DATE_FMT
        elif number is None and value_kind == "datetime":
            number = _DATETIME_FMT
        if number is not None and value_kind in ("number", "date", "datetime"):
            f["numberFormat"] = number
        if style == "title":
            f["textFormat"] = {"bold": True, "fontSize": 14}
        elif style in ("header", "bold"):
            f["textFormat"] = {"bold": True}
        elif style == "link":
            f["textFormat"] = {"underline": True, "foregroundColorStyle": _LINK_COLOR}
        elif style == "muted":
            f["textFormat"] = {"foregroundColorStyle": _MUTED_COLOR}
        if style == "header":
            f["backgroundColorStyle"] = _HEADER_FILL
            f["borders"] = {"bottom": {"style": "SOLID"}}
        return f or None

    def link_uri(self, link: str) -> str | None:
        """An internal ``Tab!C14`` link as ``#gid=N&range=C14``; a web/mail URL as is."""
        if link.lower().startswith(("https://", "http://", "mailto:")):
            return link
        m = _INTERNAL_LINK.match(link.strip())
        if not m:
            return None
        tab = m.group(1).replace("''", "'") if m.group(1) is not None else m.group(2)
        gid = self.gids.get(tab)
        if gid is None:
            gid = self.gids_folded.get(tab.casefold())
        if gid is None:
            return None
        return f"#gid={gid}&range={m.group(3).upper()}{m.group(4)}"

    def cell(
        self, item: Any
    ) -> tuple[dict[str, Any] | None, dict[str, Any] | None, str | None, bool]:
        """(userEnteredValue, userEnteredFormat without the link, link URI, neutral).

        Formats come from a small cache, so equal formats are the same
        object: the writer groups them into rectangles by identity.
        ``neutral`` cells (unstyled text, booleans, blanks) look the same
        under any number format, so they may sit inside any rectangle.
        """
        if isinstance(item, OutCell):
            value, style, link = item.value, item.style, item.link
        else:
            value, style, link = item, None, None
        if link and style is None:
            style = "link"
        entered: dict[str, Any] | None = None
        kind = "blank"
        if value is None:
            pass
        elif isinstance(value, bool):
            entered = {"boolValue": value}
            kind = "bool"
        elif isinstance(value, dt.date):
            serial = _serial(value)
            if serial is None:
                entered = {"stringValue": value.isoformat(sep=" ")}
                kind = "text"
            else:
                entered = {"numberValue": serial}
                kind = "datetime" if isinstance(value, dt.datetime) else "date"
        elif isinstance(value, int | float):
            number = float(value) if abs(value) >= 2**53 else value
            if isinstance(number, float) and not math.isfinite(number):
                entered = {"stringValue": "#NUM!"}
                kind = "text"
            else:
                entered = {"numberValue": number}
                kind = "number"
        else:
            text = value if isinstance(value, str) else str(value)
            entered = {"stringValue": text[:MAX_CELL_TEXT]}  # text, never a formula
            kind = "text"
        uri = self.link_uri(link) if link else None
        fmt = self.fmt(style, kind)
        return entered, fmt, uri, fmt is None and kind in ("text", "bool", "blank")


def _serial(value: dt.date) -> float | int | None:
    """Days since 1899-12-30 (Google's date serial), with the time as a fraction."""
    if isinstance(value, dt.datetime):
        moment = value.replace(tzinfo=None)
    else:
        moment = dt.datetime(value.year, value.month, value.day)
    if moment < dt.datetime(1900, 1, 1):
        return None
    delta = moment - _EPOCH
    if not isinstance(value, dt.datetime):
        return delta.days
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _width_px(width: float) -> int:
    """An Excel column width (characters) in pixels, as Excel draws it."""
    return max(1, int(round(width * 7 + 5)))


def _sheet_requests(
    out: OutSheet, sheet_id: int, index: int, run: str, cells: _CellWriter
) -> list[dict[str, Any]]:
    """addSheet, markers, values+formats, widths and charts of one owned tab."""
    rows_needed = len(out.rows)
    cols_needed = max((len(r) for r in out.rows), default=0)
    cols_needed = max(cols_needed, len(out.col_widths))
    for chart in out.charts:
        rows_needed = max(rows_needed, chart.anchor_row + chart.height)
        cols_needed = max(cols_needed, chart.anchor_col + chart.width)
    grid: dict[str, Any] = {
        "rowCount": max(rows_needed + 10, 100),
        "columnCount": max(cols_needed, 26),
    }
    if out.freeze_rows > 0:
        grid["frozenRowCount"] = min(out.freeze_rows, grid["rowCount"] - 1)
    props: dict[str, Any] = {
        "sheetId": sheet_id,
        "title": out.name,
        "index": index,
        "sheetType": "GRID",
        "gridProperties": grid,
    }
    if out.hidden:
        props["hidden"] = True
    reqs: list[dict[str, Any]] = [{"addSheet": {"properties": props}}]
    for key, value in ((OWNED_KEY, out.kind), (RUN_KEY, run)):
        reqs.append(
            {
                "createDeveloperMetadata": {
                    "developerMetadata": {
                        "metadataKey": key,
                        "metadataValue": value,
                        "location": {"sheetId": sheet_id},
                        "visibility": "DOCUMENT",
                    }
                }
            }
        )
    row_data: list[dict[str, Any]] = []
    grid_formats: list[list[tuple[dict[str, Any] | None, bool]]] = []
    for row in out.rows:
        values: list[dict[str, Any]] = []
        fmts: list[tuple[dict[str, Any] | None, bool]] = []
        for item in row:
            entered, fmt, uri, neutral = cells.cell(item)
            data: dict[str, Any] = {}
            if entered is not None:
                data["userEnteredValue"] = entered
            if uri:
                data["userEnteredFormat"] = {"textFormat": {"link": {"uri": uri}}}
            values.append(data)
            fmts.append((fmt, neutral))
        while values and not values[-1]:
            values.pop()
        row_data.append({"values": values} if values else {})
        grid_formats.append(fmts)
    while row_data and not row_data[-1]:
        row_data.pop()
    # Values (and small runs of formats, inline) first, then one repeatCell
    # per large rectangle of equal format, masked to the format's own fields
    # so the links written just before survive.
    large: list[tuple[int, int, int, int, dict[str, Any]]] = []
    for r0, r1, c0, c1, fmt in _rectangles(grid_formats):
        if (r1 - r0) * (c1 - c0) >= _MIN_RECTANGLE:
            large.append((r0, r1, c0, c1, fmt))
            continue
        for r in range(r0, r1):
            values = row_data[r].setdefault("values", []) if r < len(row_data) else None
            if values is None:
                row_data.extend({} for _ in range(r + 1 - len(row_data)))
                values = row_data[r].setdefault("values", [])
            while len(values) < c1:
                values.append({})
            for c in range(c0, c1):
                link = values[c].get("userEnteredFormat", {}).get("textFormat", {}).get("link")
                merged = dict(fmt)
                if link:
                    merged["textFormat"] = {**merged.get("textFormat", {}), "link": link}
                values[c]["userEnteredFormat"] = merged
    if row_data:
        reqs.append(
            {
                "updateCells": {
                    "start": {"sheetId": sheet_id, "rowIndex": 0, "columnIndex": 0},
                    "rows": row_data,
                    "fields": "userEnteredValue,userEnteredFormat",
                }
            }
        )
    for r0, r1, c0, c1, fmt in large:
        reqs.append(
            {
                "repeatCell": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": r0,
                        "endRowIndex": r1,
                        "startColumnIndex": c0,
                        "endColumnIndex": c1,
                    },
                    "cell": {"userEnteredFormat": fmt},
                    "fields": ",".join(_leaf_paths(fmt, "userEnteredFormat")),
                }
            }
        )
    for first, last, width in _width_runs(out.col_widths):
        reqs.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": first,
                        "endIndex": last,
                    },
                    "properties": {"pixelSize": _width_px(width)},
                    "fields": "pixelSize",
                }
            }
        )
    for chart in out.charts:
        reqs.append(_chart_request(out, chart, sheet_id))
    return reqs


#: A rectangle of equal format this large is one repeatCell; a smaller one is
#: cheaper written inline in its cells.
_MIN_RECTANGLE = 3


def _leaf_paths(value: dict[str, Any], prefix: str) -> list[str]:
    """Field-mask paths of a format's set fields (messages like colors kept whole)."""
    paths: list[str] = []
    for key, sub in value.items():
        path = f"{prefix}.{key}"
        if key == "textFormat" and isinstance(sub, dict):
            paths.extend(_leaf_paths(sub, path))
        else:
            paths.append(path)
    return paths


def _rectangles(
    grid: list[list[tuple[dict[str, Any] | None, bool]]],
) -> list[tuple[int, int, int, int, dict[str, Any]]]:
    """Cells of equal format as few rectangles as possible: (r0, r1, c0, c1, format).

    Columns first (a tab's columns are typed: a column of amounts is one
    run), neutral cells (unstyled text, blanks) joining the run they are in,
    then equal runs of neighbouring columns merged.  One ``repeatCell`` per
    rectangle instead of a format in every cell keeps the one batchUpdate
    small.
    """
    width = max((len(r) for r in grid), default=0)
    columns: list[list[tuple[int, int, int]]] = []
    keep: dict[int, dict[str, Any]] = {}
    for c in range(width):
        runs: list[tuple[int, int, int]] = []
        current: tuple[int, int, int] | None = None  # (start, end of last formatted cell, key)
        for r, row in enumerate(grid):
            fmt, neutral = row[c] if c < len(row) else (None, True)
            if fmt is None:
                if neutral and current is not None:
                    continue  # a neutral cell does not break the run
                if current is not None:
                    runs.append(current)
                    current = None
                continue
            key = id(fmt)
            keep[key] = fmt
            if current is not None and current[2] == key:
                current = (current[0], r + 1, key)
            else:
                if current is not None:
                    runs.append(current)
                current = (r, r + 1, key)
        if current is not None:
            runs.append(current)
        columns.append(runs)
    rects: list[tuple[int, int, int, int, dict[str, Any]]] = []
    open_runs: dict[tuple[int, int, int], int] = {}
    for c, runs in enumerate(columns):
        current_runs = set(runs)
        for run in [k for k in open_runs if k not in current_runs]:
            start = open_runs.pop(run)
            rects.append((run[0], run[1], start, c, keep[run[2]]))
        for run in runs:
            open_runs.setdefault(run, c)
    for run, start in open_runs.items():
        rects.append((run[0], run[1], start, width, keep[run[2]]))
    rects.sort(key=lambda t: t[:4])
    return rects


def _width_runs(widths: Sequence[float]) -> list[tuple[int, int, float]]:
    """Consecutive columns of the same width, as (start, end-exclusive, width)."""
    runs: list[tuple[int, int, float]] = []
    for i, w in enumerate(widths):
        if not w or w <= 0:
            continue
        if runs and runs[-1][1] == i and runs[-1][2] == w:
            runs[-1] = (runs[-1][0], i + 1, w)
        else:
            runs.append((i, i + 1, w))
    return runs


def _plain(item: Any) -> Any:
    return item.value if isinstance(item, OutCell) else item


def _cell_at(out: OutSheet, row: int, col: int) -> Any:
    if 1 <= row <= len(out.rows) and 1 <= col <= len(out.rows[row - 1]):
        return _plain(out.rows[row - 1][col - 1])
    return None


def _chart_request(out: OutSheet, chart: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """A native bar/column chart over the owned sheet's own cells.

    Series names come from the header row just above the data when it holds
    them (``headerCount`` 1): Sheets has no other way to label a series.
    """
    first, last = chart.first_row, max(chart.last_row, chart.first_row)
    header = first >= 2 and all(_cell_at(out, first - 1, s.col) == s.name for s in chart.series)
    top = first - 1 if header else first

    def grid_range(col: int, r0: int, r1: int) -> dict[str, Any]:
        return {
            "sheetId": sheet_id,
            "startRowIndex": r0 - 1,
            "endRowIndex": r1,
            "startColumnIndex": col - 1,
            "endColumnIndex": col,
        }

    horizontal = chart.kind == "bar"
    series = [
        {
            "series": {
                "sourceRange": {"sources": [grid_range(s.col, top, max(s.last_row, first))]}
            },
            "targetAxis": "BOTTOM_AXIS" if horizontal else "LEFT_AXIS",
        }
        for s in chart.series
    ]
    spec: dict[str, Any] = {
        "basicChart": {
            "chartType": "BAR" if horizontal else "COLUMN",
            "legendPosition": "BOTTOM_LEGEND",
            "headerCount": 1 if header else 0,
            "domains": [
                {
                    "domain": {
                        "sourceRange": {"sources": [grid_range(chart.categories_col, top, last)]}
                    }
                }
            ],
            "series": series,
        }
    }
    if chart.title:
        spec["title"] = chart.title
    return {
        "addChart": {
            "chart": {
                "spec": spec,
                "position": {
                    "overlayPosition": {
                        "anchorCell": {
                            "sheetId": sheet_id,
                            "rowIndex": max(chart.anchor_row - 1, 0),
                            "columnIndex": max(chart.anchor_col - 1, 0),
                        },
                        "widthPixels": max(chart.width, 1) * 100,
                        "heightPixels": max(chart.height, 1) * 21,
                    }
                },
            }
        }
    }


__all__ = [
    "API_ENV",
    "GoogleSettings",
    "GoogleSheetsSource",
    "OWNED_KEY",
    "RUN_KEY",
    "SheetsClient",
    "WritePlan",
    "load_credentials",
]
