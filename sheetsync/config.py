"""``sheetsync.toml``: find it, read it, check every key and type.

Where it is looked for, first found wins: ``--config FILE``; ``sheetsync.toml``
beside the workbook; ``sheetsync.toml`` in the current directory.  No file at
all is fine: every key has a default.

An unknown key or a wrong type is a :class:`ConfigError` naming the key and
the file, because a misspelt key that is silently ignored is the worst kind of
configuration bug in a nightly job nobody watches.
"""

from __future__ import annotations

import codecs
import copy
import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypeVar

from .errors import ConfigError
from .model import FIELDS, Outcome, Stage, stage_key
from .parse import parse_probability
from .schema import (
    Checker,
    _bool,
    _check_keys,
    _choice,
    _fail,
    _int,
    _number,
    _str,
    _str_list,
    _table,
)
from .sources.owned import EXCEL_MAX_ROWS, GOOGLE_MAX_CELLS, excel_tab_problem
from .vocab.pipelines import KINDS
from .zones import zone

CONFIG_NAME = "sheetsync.toml"
T = TypeVar("T")

# --------------------------------------------------------------------------- default stages

#: The stage list used when neither the configuration nor a Stages tab gives
#: one.  It follows the method sheetsync serves: qualify (decision maker,
#: budget, timeframe) before the appointment, present or demo, propose,
#: negotiate, close.
DEFAULT_STAGES: tuple[Stage, ...] = (
    Stage("Lead", 0, 0.05, Outcome.OPEN, 21, "prospecting"),
    Stage("Qualified", 1, 0.15, Outcome.OPEN, 14, "qualification"),
    Stage("Appointment", 2, 0.30, Outcome.OPEN, 10, "appointment"),
    Stage("Presentation", 3, 0.50, Outcome.OPEN, 10, "presentation"),
    Stage("Proposal", 4, 0.70, Outcome.OPEN, 7, "proposal"),
    Stage("Negotiation", 5, 0.85, Outcome.OPEN, 7, "negotiation"),
    Stage("Won", 6, 1.0, Outcome.WON, 0, None),
    Stage("Lost", 7, 0.0, Outcome.LOST, 0, None),
)

#: The stage kinds ``[[stages]] kind`` may name: the vocabulary's list, one list for both.
STAGE_KINDS = KINDS

#: Default names of the tabs sheetsync owns (``[tabs]`` changes them).
DEFAULT_TABS: dict[str, str] = {
    "summary": "sheetsync Summary",
    "funnel": "sheetsync Funnel",
    "follow_ups": "sheetsync Follow-ups",
    "data_issues": "sheetsync Data Issues",
    "history": "sheetsync History",
    "ledger": "sheetsync Drafts Ledger",
}

# --------------------------------------------------------------------------- typed sections


@dataclass(slots=True)
class SourceConfig:
    path: str | None = None
    url: str | None = None
    deals_tab: str | None = None
    header_row: int | None = None
    stages_tab: str = "Stages"
    quotas_tab: str = "Quotas"
    rates_tab: str = "Rates"


@dataclass(slots=True)
class ParseConfig:
    """``[parse]``: how cells are read, where the team's locale is not enough.

    Every key left unset follows ``[team]`` (its ``locale`` says which
    separators and month names a person on the team writes) or, where the team
    gives none, what each column itself shows.
    """

    decimal_comma: bool | None = None
    date_order: str = "auto"
    #: Overrides ``[team] locale`` for reading cells only (a CLDR locale, ``de_DE``).
    locale: str | None = None
    #: ``"gregorian"`` or ``"buddhist"`` (Thai solar calendar, year + 543); ``None``
    #: infers it per column from the years the column holds.
    calendar: str | None = None


@dataclass(frozen=True, slots=True)
class TeamConfig:
    """``[team]``: the one place for the team's locale, currency and time zone.

    Reading (``[parse]`` may override how cells are read), the owned tabs and
    the email drafts all use these, so a German team says ``locale = "de_DE"``
    once and gets ``12.500`` read as twelve thousand five hundred, ``1.234,50 €``
    in its tabs and German dates in its emails.

    ``locale``
        A CLDR locale identifier (``en_US``, ``de_DE``, ``th_TH``, ``pt_BR``),
        as Babel reads it.  ``None``: not set; readers infer per column, and
        output uses ``en_US``.
    ``currency``
        An ISO 4217 code (``EUR``).  ``None``: the locale's currency when a
        locale is set, else the most common currency in the amount column.
    ``timezone``
        An IANA time-zone name (``Asia/Bangkok``), read with :mod:`zoneinfo`.
        ``None``: the machine's own time zone.
    """

    locale: str | None = None
    currency: str | None = None
    timezone: str | None = None

    @property
    def output_locale(self) -> str:
        """The locale tabs and emails are written in (``en_US`` when unset)."""
        return self.locale or "en_US"

    @property
    def tzinfo(self) -> dt.tzinfo | None:
        """The team's time zone, or ``None`` for the machine's own."""
        return zone(self.timezone)

    @property
    def default_currency(self) -> str | None:
        """The team's currency: the configured one, else the locale's, else ``None``."""
        if self.currency:
            return self.currency
        if self.locale:
            return locale_currency(self.locale)
        return None


def check_locale(value: Any, where: str) -> str:
    """A CLDR locale identifier Babel knows (``de_DE``, ``de-DE`` and ``th`` too)."""
    from babel import Locale, UnknownLocaleError

    text = _str(value, where).strip()
    try:
        loc = Locale.parse(text.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        raise _fail(
            where, f"{text!r} is not a locale Babel knows (write it like en_US, de_DE, th_TH)"
        ) from None
    return str(loc)


def check_currency(value: Any, where: str) -> str:
    """An ISO 4217 currency code in CLDR's list (``EUR``, ``THB``)."""
    from babel.numbers import list_currencies

    text = _str(value, where).strip().upper()
    if text not in list_currencies():
        raise _fail(where, f"{value!r} is not an ISO 4217 currency code (write it like EUR, USD)")
    return text


def check_timezone(value: Any, where: str) -> str:
    """An IANA time-zone name :mod:`zoneinfo` can load."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = _str(value, where).strip()
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail(
            where, f"{text!r} is not an IANA time zone (write it like Europe/Berlin, Asia/Bangkok)"
        ) from None
    return text


def locale_currency(locale: str) -> str | None:
    """The currency CLDR gives for a locale's territory (``de_DE`` → ``EUR``)."""
    from babel import Locale
    from babel.numbers import get_territory_currencies

    loc = Locale.parse(locale)
    if not loc.territory:
        return None
    found = get_territory_currencies(loc.territory, tender=True)
    return found[0] if found else None


@dataclass(slots=True)
class ValidationConfig:
    ignore: list[str] = field(default_factory=list)
    severity: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class RateEntry:
    """``[[rates]]``: ``rate`` units of the team's currency for one ``currency``."""

    currency: str
    rate: float


@dataclass(slots=True)
class QuotaEntry:
    owner: str
    period: str
    quota: float


@dataclass(frozen=True, slots=True)
class SyncSettings:
    """``[sync]``: how the write-back behaves.

    ``backups`` = 3
        How many previous versions of the workbook to keep (in
        ``.sheetsync-backups/`` beside it); 0 keeps none.
    ``currency_format`` = ``"$"#,##0.00``
        The number format of money cells in the owned tabs (an Excel format
        code, e.g. ``#,##0.00 [$€-x-euro2]`` or ``[$£-809]#,##0.00``).
        Unset with a ``[team]`` currency or locale: that currency in the
        locale's pattern (:func:`excel_currency_format`, ``#,##0.00 "€"``
        for de_DE).
    ``date_format`` = ``""``
        The number format of date cells in the owned tabs (an Excel format
        code, e.g. ``dd.mm.yyyy`` or ``d mmm yyyy``); date-time cells use it
        followed by the locale's time.  Empty: the ``[team] locale``'s short
        date with a four-digit year (``m/d/yyyy`` en_US, ``dd.mm.yyyy``
        de_DE, the Buddhist-era year for th_TH:
        :func:`sheetsync.sources.owned.formats_for_locale`), or ISO
        ``yyyy-mm-dd`` when no locale is set.
    ``max_rows`` = 5000
        The most rows the Follow-ups and Data Issues tabs list; a last row
        says how many more there are (``sheetsync check --format json`` and
        ``sheetsync metrics --format json`` list them all).
    ``history`` = true
        Keep the stage history (a hidden owned tab: one row per deal when it
        is first seen, then one row per change; each run appends only its
        changes).
    ``history_max_rows`` = 500000, ``history_max_cells`` = 2500000
        The history tab's budget.  When a run would take the tab past it,
        the older entries are rolled up into one row per deal (its stage
        entry date, stages held, completed stays and slips: everything the
        figures need, which stay the same) so the tab never reaches Excel's
        1,048,576 rows or Google's 10 million cells (which count the team's
        tabs too).  See README, "Stage history".
    ``stale_lock_hours`` = 24
        An Excel (``~$NAME``) or LibreOffice (``.~lock.NAME#``) owner file
        older than this and than the workbook's last change is reported as
        probably left over from a crash, with the command that removes it
        (the run still stops: sheetsync never removes another program's lock).
    ``protect_owned_tabs`` = false
        Protect every visible owned tab without a password, the Follow-ups'
        Done and Note cells left editable: Excel's sheet protection (Review ›
        Unprotect Sheet lifts it, no password asked), Google's warning-only
        protected ranges (an editor is asked to confirm before typing there).
        See README, "Owned tabs people can write in".
    """

    backups: int = 3
    currency_format: str = '"$"#,##0.00'
    date_format: str = ""
    max_rows: int = 5000
    history: bool = True
    history_max_rows: int = 500_000
    history_max_cells: int = 2_500_000
    stale_lock_hours: float = 24.0
    protect_owned_tabs: bool = False

    def __post_init__(self) -> None:
        if not self.stale_lock_hours > 0:
            raise ConfigError(f"stale_lock_hours must be more than 0, got {self.stale_lock_hours}")
        if self.backups < 0:
            raise ConfigError(f"backups must be 0 or more, got {self.backups}")
        if self.max_rows < 1:
            raise ConfigError(f"max_rows must be at least 1, got {self.max_rows}")
        if not self.currency_format.strip():
            raise ConfigError("currency_format must not be empty")
        if not 1_000 <= self.history_max_rows <= HISTORY_ROW_LIMIT:
            raise ConfigError(
                f"history_max_rows must be from 1000 to {HISTORY_ROW_LIMIT} (Excel's last row "
                f"but one), got {self.history_max_rows}"
            )
        if not 5_000 <= self.history_max_cells <= HISTORY_CELL_LIMIT:
            raise ConfigError(
                f"history_max_cells must be from 5000 to {HISTORY_CELL_LIMIT} (Google's limit "
                f"for a whole spreadsheet), got {self.history_max_cells}"
            )


#: The most rows a history budget may allow: Excel's 1,048,576 rows, less one to spare.
HISTORY_ROW_LIMIT = EXCEL_MAX_ROWS - 1
#: The most cells a history budget may allow: Google's limit for a whole spreadsheet.
HISTORY_CELL_LIMIT = GOOGLE_MAX_CELLS

#: Google refuses a request body larger than this (``400 INVALID_ARGUMENT: Request
#: payload size exceeds the limit: 10485760 bytes.``); undocumented, seen since 2018.
GOOGLE_REQUEST_LIMIT = 10_485_760


@dataclass(frozen=True, slots=True)
class GoogleSettings:
    """``[google]``: how sheetsync reaches Google Sheets.

    ``credentials`` = ``""``
        A service-account key file (JSON), or an authorized-user file made
        once with the OAuth flow (see README); relative to sheetsync.toml.
        ``--credentials`` wins over it, and it wins over the
        ``GOOGLE_APPLICATION_CREDENTIALS`` environment variable, which wins
        over the files gspread keeps (``~/.config/gspread/service_account.json``,
        then ``authorized_user.json``).
    ``timeout`` = 30
        Seconds one request may take before it is abandoned and retried.
    ``deadline`` = 180
        Seconds one API call may spend retrying (429, 5xx, timeouts) before
        the run stops with exit 3.
    ``initial_backoff`` = 1, ``max_backoff`` = 32
        The first and the largest wait between retries, in seconds (each
        wait is random up to the bound, which doubles after every failure).
    ``max_request_bytes`` = 8000000
        The largest request body sheetsync sends.  Google refuses bodies
        over 10,485,760 bytes (not documented, and it may change), so a
        large write is split into several requests under this budget, and
        the visible tabs still change in one final atomic request.
    """

    credentials: str = ""
    timeout: float = 30.0
    deadline: float = 180.0
    initial_backoff: float = 1.0
    max_backoff: float = 32.0
    max_request_bytes: int = 8_000_000

    def __post_init__(self) -> None:
        for name in ("timeout", "deadline"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be more than 0 seconds, got {value}")
        for name in ("initial_backoff", "max_backoff"):
            if getattr(self, name) < 0:
                raise ConfigError(f"{name} must not be negative, got {getattr(self, name)}")
        if not 1_000_000 <= self.max_request_bytes <= GOOGLE_REQUEST_LIMIT:
            raise ConfigError(
                f"max_request_bytes must be from 1000000 to {GOOGLE_REQUEST_LIMIT} (Google's "
                f"limit), got {self.max_request_bytes}"
            )

    @classmethod
    def from_config(cls, cfg: Config) -> GoogleSettings:
        """The ``[google]`` section, checked key by key (typos stop the run, exit 2).

        A relative ``credentials`` path is taken relative to the
        configuration file, so a cron job started elsewhere still finds it.
        """
        where = cfg.where("[google]")
        values = dict(cfg.sections.get("google", {}))
        schema = dataclass_schema(cls)
        for key, value in list(values.items()):
            if key not in schema:
                raise ConfigError(
                    f"{where}: unknown key {key!r}",
                    hint="known keys here: " + ", ".join(f.name for f in fields(cls)),
                )
            values[key] = schema[key](value, f"{where} {key}")
        cred = values.get("credentials")
        if cred and cfg.file is not None and not Path(cred).expanduser().is_absolute():
            values["credentials"] = str(cfg.base_dir / Path(cred).expanduser())
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{where}: {exc.message}", hint=exc.hint) from None

    def policy(self) -> Any:
        """The :class:`~sheetsync.sources.retry.RetryPolicy` these settings describe."""
        from .sources.retry import RetryPolicy

        return RetryPolicy(
            timeout=self.timeout,
            deadline=self.deadline,
            base_delay=self.initial_backoff,
            max_delay=max(self.max_backoff, self.initial_backoff),
        )


@dataclass(slots=True)
class SourceEntry:
    """One pipeline of a multi-team configuration (``[[sources]]``)."""

    name: str
    source: str
    config: str | None = None
    deals_tab: str | None = None


@dataclass(slots=True)
class Config:
    """The whole configuration, typed.  ``file`` is None when defaults apply."""

    file: Path | None = None
    source: SourceConfig = field(default_factory=SourceConfig)
    columns: dict[str, str] = field(default_factory=dict)
    stages: list[Stage] | None = None
    quotas: list[QuotaEntry] = field(default_factory=list)
    rates: list[RateEntry] = field(default_factory=list)
    parse: ParseConfig = field(default_factory=ParseConfig)
    team: TeamConfig = field(default_factory=TeamConfig)
    validation: ValidationConfig = field(default_factory=ValidationConfig)
    tabs: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_TABS))
    #: Several pipelines, one per team, for ``sync --all``.
    sources: list[SourceEntry] = field(default_factory=list)
    #: Sections owned by later layers, kept raw and checked by their owners
    #: (``metrics``, ``followups``, ``output``, ``drafts``, ``google``, ``sync``).
    sections: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def base_dir(self) -> Path:
        return self.file.parent if self.file else Path.cwd()

    def where(self, key: str) -> str:
        """``sheetsync.toml: [source] path`` for messages."""
        return f"{self.file or CONFIG_NAME}: {key}"


@dataclass(frozen=True, slots=True)
class CsvSettings:
    """``[csv]``: how to read a CSV file when the guess is wrong.

    ``encoding``
        A Python codec name (``utf-8``, ``cp1252``, ``cp1251``, ``mac_roman``,
        ``shift_jis``…); empty: detected.
    ``delimiter``
        One character (``","``, ``";"``, ``"|"``, or ``"\\t"``/``"tab"``);
        empty: detected.
    """

    encoding: str = ""
    delimiter: str = ""

    def __post_init__(self) -> None:
        if self.encoding:
            try:
                codecs.lookup(self.encoding)
            except LookupError:
                raise ConfigError(
                    f"encoding {self.encoding!r} is not one Python knows",
                    hint="write it like utf-8, cp1252, latin-1 or cp1251",
                ) from None
        if self.delimiter and len(self.delimiter_char) != 1:
            raise ConfigError(
                f"delimiter {self.delimiter!r} is not one character",
                hint='write it like ",", ";", "|" or "tab"',
            )

    @property
    def delimiter_char(self) -> str:
        return "\t" if self.delimiter.lower() in ("tab", "\\t") else self.delimiter


# --------------------------------------------------------------------------- schema checking
# (the checkers live in sheetsync.schema, below every layer that owns a section)


# --------------------------------------------------------------------------- sections


def _parse_stage(entry: Any, index: int, where: str) -> Stage:
    entry = _table(entry, where)
    allowed = {
        "name": _str,
        "probability": lambda v, w: v,
        "outcome": _choice("open", "won", "lost"),
        "rot_days": _int,
        "kind": _choice(*STAGE_KINDS),
    }
    values = _check_keys(entry, allowed, where)
    if "name" not in values or not values["name"].strip():
        raise _fail(where, "every [[stages]] entry needs a name")
    prob = None
    if "probability" in values:
        parsed = parse_probability(values["probability"])
        if parsed.error or parsed.value is None:
            raise _fail(
                f"{where} probability", parsed.error or 'must be 0..1 or a percentage like "10%"'
            )
        prob = parsed.value
    return Stage(
        name=values["name"].strip(),
        index=index,
        probability=prob,
        outcome=Outcome(values.get("outcome", "open")),
        rot_days=values.get("rot_days"),
        kind=values.get("kind"),
    )


def _parse_quota(entry: Any, where: str) -> QuotaEntry:
    entry = _table(entry, where)
    values = _check_keys(entry, {"owner": _str, "period": _str, "quota": _number}, where)
    missing = [k for k in ("owner", "period", "quota") if k not in values]
    if missing:
        raise _fail(where, "missing " + ", ".join(missing))
    return QuotaEntry(values["owner"], values["period"], values["quota"])


#: Sections whose keys later layers check (a layer registers its schema here).
EXTRA_SECTIONS: dict[str, Mapping[str, Checker] | None] = {
    "metrics": None,
    "followups": None,
    "output": None,
    "drafts": None,
    "google": None,
    "sync": None,
    "csv": None,
}


#: How each section's values become the settings the night uses: building
#: them is the check (``period = "quarterly"``, ``max_rows = 0`` fail here).
SECTION_VALIDATORS: dict[str, Callable[[Config], Any]] = {}


def register_section(
    name: str,
    schema: Mapping[str, Checker] | None,
    settings: Callable[[Config], Any] | None = None,
) -> None:
    """Let a layer (metrics, drafts…) declare its section's keys and types.

    ``settings`` builds the layer's settings from a configuration (raising
    :class:`ConfigError`); :func:`validate_for_night` runs it at load time.
    """
    EXTRA_SECTIONS[name] = schema
    if settings is not None:
        SECTION_VALIDATORS[name] = settings


def validate_for_night(cfg: Config) -> Config:
    """Every check of the configuration a nightly run makes, before it opens a source.

    One code path for ``doctor``, ``check``, ``metrics``, ``drafts`` and
    ``sync``: it runs when the file is read (:func:`config_from_dict`), so
    a value that would stop the night (``[metrics] period = "quarterly"``,
    ``win_rate_window_days = 0``, ``[sync] max_rows = 0``, an unknown finding
    code in ``[validation]``, a broken ``[drafts]`` section) stops every
    command, and ``doctor`` reports it as the configuration's failure (exit
    2), as ``sync`` would exit.  Returns ``cfg``.
    """
    from .codes import CODES

    for code in [*cfg.validation.ignore, *cfg.validation.severity]:
        if code not in CODES:
            raise ConfigError(
                f"{cfg.where('[validation]')}: unknown finding code {code!r}",
                hint="the README lists every code",
            )
    for section, build in SECTION_VALIDATORS.items():
        if section in cfg.sections:
            build(cfg)
    return cfg


def config_from_dict(data: Mapping[str, Any], file: Path | None = None) -> Config:
    """Check and type a parsed TOML document."""
    name = str(file) if file else CONFIG_NAME
    cfg = Config(file=file)
    known = {
        "source",
        "columns",
        "stages",
        "quotas",
        "rates",
        "parse",
        "team",
        "validation",
        "tabs",
        "sources",
        *EXTRA_SECTIONS,
    }
    for key in data:
        if key not in known:
            raise ConfigError(
                f"{name}: unknown section or key {key!r}",
                hint="known sections: " + ", ".join(f"[{k}]" for k in sorted(known)),
            )
    if "source" in data:
        values = _check_keys(
            _table(data["source"], f"{name}: [source]"),
            {
                "path": _str,
                "url": _str,
                "deals_tab": _str,
                "header_row": _int,
                "stages_tab": _str,
                "quotas_tab": _str,
                "rates_tab": _str,
            },
            f"{name}: [source]",
        )
        cfg.source = SourceConfig(**values)
    if "columns" in data:
        cols = _table(data["columns"], f"{name}: [columns]")
        for key, value in cols.items():
            if key not in FIELDS:
                raise ConfigError(
                    f"{name}: [columns] unknown field {key!r}",
                    hint="canonical fields: " + ", ".join(FIELDS),
                )
            cfg.columns[key] = _str(value, f"{name}: [columns] {key}")
    if "stages" in data:
        entries = data["stages"]
        if not isinstance(entries, list) or not entries:
            raise _fail(f"{name}: stages", "write stages as [[stages]] entries, in pipeline order")
        cfg.stages = [
            _parse_stage(e, i, f"{name}: [[stages]] #{i + 1}") for i, e in enumerate(entries)
        ]
        seen: set[str] = set()
        for st in cfg.stages:
            k = stage_key(st.name)
            if k in seen:
                raise _fail(f"{name}: [[stages]]", f"stage {st.name!r} is listed twice")
            seen.add(k)
    if "quotas" in data:
        entries = data["quotas"]
        if not isinstance(entries, list):
            raise _fail(f"{name}: quotas", "write quotas as [[quotas]] entries")
        cfg.quotas = [
            _parse_quota(e, f"{name}: [[quotas]] #{i + 1}") for i, e in enumerate(entries)
        ]
    if "rates" in data:
        entries = data["rates"]
        if not isinstance(entries, list):
            raise _fail(
                f"{name}: rates", 'write rates as [[rates]] entries: currency = "EUR", rate = 1.08'
            )
        seen_rates: set[str] = set()
        for i, entry in enumerate(entries):
            where = f"{name}: [[rates]] #{i + 1}"
            values = _check_keys(
                _table(entry, where), {"currency": check_currency, "rate": _number}, where
            )
            if "currency" not in values or "rate" not in values:
                raise _fail(where, "needs currency and rate (units of the team's currency per one)")
            if not values["rate"] > 0:
                raise _fail(f"{where} rate", f"must be above 0, got {values['rate']}")
            if values["currency"] in seen_rates:
                raise _fail(where, f"{values['currency']} has two rates")
            seen_rates.add(values["currency"])
            cfg.rates.append(RateEntry(values["currency"], values["rate"]))
    if "parse" in data:
        values = _check_keys(
            _table(data["parse"], f"{name}: [parse]"),
            {
                "decimal_comma": _bool,
                "date_order": _choice("auto", "dmy", "mdy"),
                "locale": check_locale,
                "calendar": _choice("gregorian", "buddhist"),
            },
            f"{name}: [parse]",
        )
        cfg.parse = ParseConfig(**values)
    if "team" in data:
        values = _check_keys(
            _table(data["team"], f"{name}: [team]"),
            {"locale": check_locale, "currency": check_currency, "timezone": check_timezone},
            f"{name}: [team]",
        )
        cfg.team = TeamConfig(**values)
    if "validation" in data:
        table = _table(data["validation"], f"{name}: [validation]")
        values = _check_keys(
            table,
            {"ignore": _str_list, "severity": _table},
            f"{name}: [validation]",
        )
        sev = {}
        for code, level in values.get("severity", {}).items():
            sev[code] = _choice("error", "warning")(level, f"{name}: [validation.severity] {code}")
        cfg.validation = ValidationConfig(ignore=values.get("ignore", []), severity=sev)
    if "tabs" in data:
        values = _check_keys(
            _table(data["tabs"], f"{name}: [tabs]"),
            dict.fromkeys(DEFAULT_TABS, _str),
            f"{name}: [tabs]",
        )
        for k, v in values.items():
            if problem := excel_tab_problem(v):
                raise _fail(f"{name}: [tabs] {k}", f"{v!r} is not a valid tab name (it {problem})")
        cfg.tabs.update(values)
        if len(set(cfg.tabs.values())) != len(cfg.tabs):
            raise _fail(f"{name}: [tabs]", "two owned tabs have the same name")
    if "sources" in data:
        entries = data["sources"]
        if not isinstance(entries, list):
            raise _fail(f"{name}: sources", "write each pipeline as a [[sources]] entry")
        seen_names: set[str] = set()
        for i, entry in enumerate(entries):
            where = f"{name}: [[sources]] #{i + 1}"
            values = _check_keys(
                _table(entry, where),
                {"name": _str, "path": _str, "url": _str, "config": _str, "deals_tab": _str},
                where,
            )
            if not (values.get("path") or values.get("url")):
                raise _fail(where, "needs a path (workbook) or a url (Google Sheet)")
            label = values.get("name") or values.get("path") or values.get("url")
            if label in seen_names:
                raise _fail(where, f"two sources are named {label!r}")
            seen_names.add(label)
            cfg.sources.append(
                SourceEntry(
                    label,
                    values.get("url") or values["path"],
                    values.get("config"),
                    values.get("deals_tab"),
                )
            )
    for section, schema in EXTRA_SECTIONS.items():
        if section not in data:
            continue
        table = _table(data[section], f"{name}: [{section}]")
        cfg.sections[section] = (
            _check_keys(table, schema, f"{name}: [{section}]") if schema else dict(table)
        )
    currency = cfg.team.default_currency
    if currency and "currency_format" not in cfg.sections.get("sync", {}):
        # the owned tabs' money follows [team] unless [sync] currency_format says otherwise
        sync = dict(cfg.sections.get("sync", {}))
        sync["currency_format"] = excel_currency_format(cfg.team.output_locale, currency)
        cfg.sections["sync"] = sync
    return validate_for_night(cfg)


def excel_currency_format(locale: str, currency: str) -> str:
    """The number format of money cells for a locale and an ISO 4217 currency (CLDR, through Babel).

    The locale's standard currency pattern with the currency's symbol in it
    and its decimals: ``"$"#,##0.00`` (en_US, USD), ``#,##0.00 "€"`` (de_DE,
    EUR), ``"R$" #,##0.00`` (pt_BR), ``"฿"#,##0.00`` (th_TH), ``"¥"#,##0``
    (ja_JP).  The separators in an Excel or Google Sheets format code are
    always ``,`` and ``.``: each reader's spreadsheet shows its own, so only
    the symbol and where it goes come from the locale.
    """
    from babel import Locale
    from babel.numbers import get_currency_precision, get_currency_symbol

    loc = Locale.parse(locale)
    pattern = loc.currency_formats["standard"].pattern.split(";")[0]
    symbol = get_currency_symbol(currency, locale=loc).replace('"', "")
    digits = get_currency_precision(currency)
    number = "#,##0" + ("." + "0" * digits if digits else "")
    body = re.sub(r"[#,0.]+", number, pattern, count=1)
    return body.replace("\xa0", " ").replace("\u202f", " ").replace("¤", f'"{symbol}"').strip()


def dataclass_schema(cls: type) -> dict[str, Checker]:
    """A section schema from a settings dataclass: each field keeps its type."""
    schema: dict[str, Checker] = {}
    for f in fields(cls):
        default = f.default
        if isinstance(default, bool):
            schema[f.name] = _bool
        elif isinstance(default, int):
            schema[f.name] = _int
        elif isinstance(default, float):
            schema[f.name] = _number
        elif isinstance(default, str):
            schema[f.name] = _str
        else:
            schema[f.name] = lambda v, w: v
    return schema


def section_settings(cfg: Config, section: str, cls: type[T]) -> T:
    """Build a layer's settings dataclass from its section, naming the file on error."""
    values = cfg.sections.get(section, {})
    try:
        return cls(**values)
    except ConfigError as exc:
        raise ConfigError(f"{cfg.where(f'[{section}]')}: {exc.message}", hint=exc.hint) from None


def read_config_file(path: Path) -> Config:
    """Read and check one TOML file."""
    try:
        text = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: configuration file not found", hint="check the --config path"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration file ({exc.strerror})") from None
    try:
        data = tomllib.loads(text.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", hint="save the file as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: not valid TOML: {exc}", hint="see https://toml.io for the syntax"
        ) from None
    return config_from_dict(data, path.resolve())


def find_config(
    explicit: str | Path | None, source: str | None, cwd: Path | None = None
) -> Path | None:
    """Which configuration file applies (None: defaults)."""
    if explicit:
        return Path(explicit)
    if source and not _looks_remote(source):
        beside = Path(source).expanduser().resolve().parent / CONFIG_NAME
        if beside.is_file():
            return beside
    here = (cwd or Path.cwd()) / CONFIG_NAME
    return here if here.is_file() else None


def load_config(explicit: str | Path | None = None, source: str | None = None) -> Config:
    path = find_config(explicit, source)
    return read_config_file(path) if path else Config()


def resolve_source(cfg: Config, source: str | None) -> str:
    """The source to read: the command line's, else the configuration's.

    A relative ``[source] path`` is taken relative to the configuration file,
    so a cron job run from another directory still finds the workbook.
    """
    if source:
        return source
    if cfg.source.url:
        return cfg.source.url
    if cfg.source.path:
        if _looks_remote(cfg.source.path):
            return cfg.source.path
        p = Path(cfg.source.path).expanduser()
        return str(p if p.is_absolute() else cfg.base_dir / p)
    raise ConfigError(
        "no source given",
        hint="pass the workbook path (sheetsync check pipeline.xlsx) or set [source] path in sheetsync.toml",
    )


def _looks_remote(source: str) -> bool:
    return source.startswith(("http://", "https://", "gsheet:"))


def _register_layer_sections() -> None:
    from .followups import FollowUpSettings
    from .metrics import MetricsSettings

    def settings(section: str, cls: type) -> Callable[[Config], Any]:
        return lambda cfg: section_settings(cfg, section, cls)

    register_section(
        "metrics", dataclass_schema(MetricsSettings), settings("metrics", MetricsSettings)
    )
    register_section(
        "followups", dataclass_schema(FollowUpSettings), settings("followups", FollowUpSettings)
    )
    register_section("sync", dataclass_schema(SyncSettings), settings("sync", SyncSettings))
    register_section("google", dataclass_schema(GoogleSettings), GoogleSettings.from_config)
    register_section("csv", dataclass_schema(CsvSettings), settings("csv", CsvSettings))
    SECTION_VALIDATORS["drafts"] = _drafts_settings


def _drafts_settings(cfg: Config) -> Any:
    """``[drafts]`` as the night reads it (imported only when the section is there)."""
    from .drafts.settings import draft_settings

    return draft_settings(cfg)


_register_layer_sections()


def config_for_entry(parent: Config, entry: SourceEntry) -> tuple[Config, str]:
    """The configuration and source string for one ``[[sources]]`` entry.

    An entry's own ``config`` file (relative to the parent file) is read as
    is; without one, the parent's settings apply to every pipeline.  A
    relative path is taken relative to the parent file.
    """
    if entry.config:
        p = Path(entry.config).expanduser()
        cfg = read_config_file(p if p.is_absolute() else parent.base_dir / p)
    else:
        cfg = copy.deepcopy(parent)
        cfg.sources = []
    if entry.deals_tab:
        cfg.source.deals_tab = entry.deals_tab
    source = entry.source
    if not _looks_remote(source):
        p = Path(source).expanduser()
        source = str(p if p.is_absolute() else parent.base_dir / p)
    return cfg, source
