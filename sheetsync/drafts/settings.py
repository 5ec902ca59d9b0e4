"""``[drafts]`` and ``[drafts.imap]``: every draft setting, typed, with its default.

The section is kept raw by :mod:`sheetsync.config` (it nests a table, which
the flat section schemas cannot describe) and checked here, with the same
strictness as the rest of the configuration: an unknown key or a wrong type
is a :class:`~sheetsync.errors.ConfigError` naming the file and the key,
because a misspelt ``folder = …`` that silently drafts into the wrong place
is worse than a failed run.

When drafts are due is *not* configured here: the reminder and follow-up
thresholds are ``[followups] reminder_days`` and ``follow_up_after_days``
and staleness is ``[metrics]``/the Stages tab, so the Follow-ups tab and the
drafts can never disagree about what is due.  ``[drafts] kinds`` chooses
which of those actions become emails.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sheetsync.errors import ConfigError
from sheetsync.schema import _bool, _check_keys, _int, _number, _str
from sheetsync.schema import _fail as config_fail
from sheetsync.zones import zone

#: The action kinds that become an email to the prospect, and the digest.
DRAFT_KINDS: tuple[str, ...] = (
    "appointment-reminder",
    "follow-up",
    "trial-offer",
    "rep-digest",
)

#: Default "what we will cover" per stage kind, used in appointment reminders.
DEFAULT_AGENDA: dict[str, str] = {
    "prospecting": "a first conversation about your needs",
    "qualification": "your needs, budget and timing, and whether we are a good fit",
    "appointment": "your needs in detail, and how we could help",
    "presentation": "a presentation and live demo tailored to your needs",
    "proposal": "our proposal, step by step, and your questions",
    "negotiation": "the final terms, so we can agree on next steps",
}

SECURITY = ("ssl", "starttls", "none")

#: Where drafts go (``[drafts] sink``).
SINKS = ("eml", "imap", "gmail", "graph")

#: How IMAP logs in: a password, or an OAuth 2.0 bearer token (RFC 7628's
#: OAUTHBEARER, or Google's and Microsoft's older XOAUTH2).
IMAP_AUTH = ("password", "xoauth2", "oauthbearer")

#: Which credentials give the IMAP OAuth token: ``[drafts.gmail]``'s or ``[drafts.graph]``'s.
TOKEN_FROM = ("gmail", "graph")

GRAPH_AUTH = ("app", "device")


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """``[drafts.imap]``: where to append drafts over IMAP.

    ``host``
        Required.
    ``user``
        The login, which is the mailbox the drafts go to.  Required with a
        password; with OAuth and credentials that act for any rep (a Google
        service account with domain-wide delegation, a Microsoft app with
        application permission) leave it out: each rep's drafts then go to
        the rep's own mailbox, logged in as the rep.
    ``auth`` = ``"password"``
        ``"password"``, ``"xoauth2"`` (Gmail, Outlook) or ``"oauthbearer"``
        (RFC 7628; Gmail and servers such as Dovecot).  OAuth needs
        ``token_from``.
    ``token_from``
        ``"gmail"`` or ``"graph"``: the token comes from the credentials in
        ``[drafts.gmail]`` (scope ``https://mail.google.com/``, which Gmail's
        IMAP requires) or ``[drafts.graph]`` (``IMAP.AccessAsUser.All``, or for
        an app ``https://outlook.office365.com/.default``).
    ``port``
        Default 993 for ``security = "ssl"``, 143 for ``"starttls"``/``"none"``.
    ``security`` = ``"ssl"``
        ``"ssl"`` (implicit TLS), ``"starttls"`` (upgrade, refused if the
        server does not offer it) or ``"none"`` (plain text, allowed only to a
        loopback host such as a local bridge: a password never crosses a
        network in clear).
    ``password_env``
        The name of an environment variable that holds the password.
    ``password_command``
        A command whose standard output is the password (run without a shell;
        write ``sh -c '…'`` for pipes), e.g. ``pass show mail/sales``.
    ``password``
        Accepted but discouraged: the run carries a warning.  A nightly
        config file is copied around; a secret in it leaks.
    ``folder`` = ``"Drafts"``
        Used only when the server marks no folder ``\\Drafts`` (RFC 6154
        SPECIAL-USE, which finds Gmail's localised ``[Gmail]/Entwürfe`` and
        Outlook's drafts whatever their name).  Never created: a missing
        Drafts folder stops that mailbox's drafts with a message.
    ``timeout`` = 30 seconds, ``retries`` = 3
        Per network operation; a dropped connection is retried with backoff,
        a refused login is not.
    ``ca_file``
        A PEM file of certificate authorities to trust instead of the
        system's (a company CA, or a test server's self-signed certificate).
    """

    host: str
    user: str = ""
    port: int | None = None
    security: str = "ssl"
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = field(default=None, repr=False)
    folder: str = "Drafts"
    timeout: float = 30.0
    retries: int = 3
    ca_file: str | None = None
    auth: str = "password"
    token_from: str | None = None

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ConfigError("[drafts.imap] host must not be empty")
        if self.auth not in IMAP_AUTH:
            raise ConfigError(
                f"[drafts.imap] auth must be one of {', '.join(map(repr, IMAP_AUTH))}, "
                f"got {self.auth!r}"
            )
        if self.auth == "password":
            if not self.user.strip():
                raise ConfigError(
                    "[drafts.imap] user must not be empty (the login for the password)"
                )
            if self.token_from is not None:
                raise ConfigError(
                    '[drafts.imap] token_from is for OAuth: set auth = "xoauth2" or "oauthbearer"'
                )
        else:
            if self.token_from not in TOKEN_FROM:
                raise ConfigError(
                    f'[drafts.imap] auth = "{self.auth}" needs token_from = "gmail" or "graph" '
                    "(whose credentials give the token)",
                    hint="see README, 'IMAP with OAuth 2.0'",
                )
            if any(
                x is not None for x in (self.password_env, self.password_command, self.password)
            ):
                raise ConfigError(
                    f'[drafts.imap] auth = "{self.auth}" logs in with a token: remove the password'
                )
        if self.security not in SECURITY:
            raise ConfigError(
                f"[drafts.imap] security must be one of {', '.join(map(repr, SECURITY))}, "
                f"got {self.security!r}"
            )
        if self.security == "none" and not is_loopback(self.host):
            raise ConfigError(
                f'[drafts.imap] security = "none" sends the password in clear; it is only '
                f"allowed to a loopback host, not {self.host!r}",
                hint='use security = "ssl" (port 993) or "starttls" (port 143)',
            )
        if self.port is not None and not 0 < self.port < 65536:
            raise ConfigError(f"[drafts.imap] port must be 1..65535, got {self.port}")
        if not self.folder.strip():
            raise ConfigError("[drafts.imap] folder must not be empty")
        if self.timeout <= 0:
            raise ConfigError(f"[drafts.imap] timeout must be positive, got {self.timeout}")
        if self.retries < 0:
            raise ConfigError(f"[drafts.imap] retries must be 0 or more, got {self.retries}")
        if (
            sum(x is not None for x in (self.password_env, self.password_command, self.password))
            > 1
        ):
            raise ConfigError(
                "[drafts.imap] give only one of password_env, password_command and password"
            )

    @property
    def effective_port(self) -> int:
        if self.port is not None:
            return self.port
        return 993 if self.security == "ssl" else 143

    @property
    def per_rep(self) -> bool:
        """True when each rep's drafts go to the rep's own mailbox (OAuth, no ``user``)."""
        return self.auth != "password" and not self.user.strip()

    @property
    def where(self) -> str:
        """``imap://user@host:993``: the server (and login), for people and the ledger."""
        who = f"{self.user}@" if self.user else ""
        return f"imap://{who}{self.host}:{self.effective_port}"


@dataclass(frozen=True, slots=True)
class GmailSettings:
    """``[drafts.gmail]``: drafts through the Gmail API (``users.drafts.create``).

    ``credentials``
        A JSON key file (relative to sheetsync.toml): a Google Workspace
        service account with domain-wide delegation for the one scope
        ``https://www.googleapis.com/auth/gmail.compose`` (sheetsync then
        acts as each rep: each rep's drafts in the rep's own Gmail), or an
        authorized-user file (one person's own token: only that person's
        drafts).  Default: ``[google] credentials``, else
        ``GOOGLE_APPLICATION_CREDENTIALS``.
    ``user``
        With an authorized-user file: the mailbox's address (default: asked
        from Gmail with ``users.getProfile``).
    ``timeout`` = 30, ``deadline`` = 120
        Seconds per request, and seconds one call may spend retrying (429,
        5xx, time-outs) before that mailbox's drafts stop.
    """

    credentials: str = ""
    user: str = ""
    timeout: float = 30.0
    deadline: float = 120.0

    def __post_init__(self) -> None:
        _positive("[drafts.gmail]", timeout=self.timeout, deadline=self.deadline)


@dataclass(frozen=True, slots=True)
class GraphSettings:
    """``[drafts.graph]``: drafts through Microsoft Graph (``POST /users/{rep}/messages``).

    ``tenant``, ``client_id``
        Required: the directory (tenant) ID (or a verified domain) and the
        app registration's application (client) ID.
    ``auth`` = ``"app"``
        ``"app"``: client credentials (application permission
        ``Mail.ReadWrite`` with admin consent; each rep's drafts in the
        rep's own mailbox), with a client secret or a certificate;
        ``"device"``: one person signs in once with a device code
        (``sheetsync signin``; delegated ``Mail.ReadWrite``) and the
        token cache is kept in ``token_cache``: only that person's drafts.
    ``client_secret_env``, ``client_secret_command``
        Where the app's secret comes from (an environment variable's name,
        or a command printing it); ``client_secret`` in the file works but
        every run warns.
    ``certificate``
        Instead of a secret: a PEM file holding the private key and its
        certificate (the certificate uploaded to the app registration).
    ``token_cache`` = ``"graph-token-cache.json"``
        For ``auth = "device"``: the MSAL token cache (written 0600,
        atomically; refused when others can read it).
    ``authority`` = ``"https://login.microsoftonline.com"``
        The sign-in host (e.g. ``https://login.microsoftonline.us`` for US
        Government clouds).
    ``timeout`` = 30, ``deadline`` = 120
        As for ``[drafts.gmail]``.
    """

    tenant: str
    client_id: str
    auth: str = "app"
    client_secret_env: str | None = None
    client_secret_command: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    certificate: str = ""
    token_cache: str = "graph-token-cache.json"
    authority: str = "https://login.microsoftonline.com"
    timeout: float = 30.0
    deadline: float = 120.0

    def __post_init__(self) -> None:
        if not self.tenant.strip() or not self.client_id.strip():
            raise ConfigError("[drafts.graph] tenant and client_id must not be empty")
        if self.auth not in GRAPH_AUTH:
            raise ConfigError(f'[drafts.graph] auth must be "app" or "device", got {self.auth!r}')
        secrets = [
            x
            for x in (self.client_secret_env, self.client_secret_command, self.client_secret)
            if x is not None
        ]
        if len(secrets) > 1:
            raise ConfigError(
                "[drafts.graph] give only one of client_secret_env, client_secret_command "
                "and client_secret"
            )
        if self.auth == "app" and not secrets and not self.certificate:
            raise ConfigError(
                '[drafts.graph] auth = "app" needs a client secret (client_secret_env or '
                "client_secret_command) or a certificate",
                hint="see README, 'Microsoft 365 set-up'",
            )
        if self.auth == "app" and secrets and self.certificate:
            raise ConfigError("[drafts.graph] give a client secret or a certificate, not both")
        if self.auth == "device" and (secrets or self.certificate):
            raise ConfigError(
                '[drafts.graph] auth = "device" signs a person in: it takes no secret or '
                "certificate"
            )
        if not self.authority.startswith("https://"):
            raise ConfigError(
                f"[drafts.graph] authority must be an https:// address, got {self.authority!r}"
            )
        _positive("[drafts.graph]", timeout=self.timeout, deadline=self.deadline)


def _positive(section: str, **values: float) -> None:
    for name, value in values.items():
        if not value > 0:
            raise ConfigError(f"{section} {name} must be more than 0 seconds, got {value}")


@dataclass(frozen=True, slots=True)
class DraftSettings:
    """``[drafts]``: what to draft, how it reads, where it goes.

    ``enabled`` = false
        ``sheetsync sync`` prepares drafts only when true;
        ``sheetsync drafts`` always does.
    ``kinds`` = all four
        Which drafts to make: ``appointment-reminder``, ``follow-up``,
        ``trial-offer`` (emails to the prospect, from the Follow-ups actions
        of those kinds) and ``rep-digest`` (one morning email to each rep
        with an email address).
    ``templates_dir``
        A folder whose templates replace the built-in ones of the same name
        (relative to the configuration file).
    ``out_dir`` = ``"drafts"``
        Where ``.eml`` files go (a ``YYYY-MM-DD`` folder per run date;
        relative to the configuration file).
    ``date_format`` = ``"full"``, ``time_format`` = ``"short"``
        How the ``date`` and ``time`` filters write, in ``[team] locale``
        (CLDR through Babel): a CLDR style (``full``, ``long``, ``medium``,
        ``short``) or a CLDR pattern (``EEE d MMM y``), for a team that
        needs another style than its locale's.  Day and month names, the
        word between a date and a time, separators and the currency all
        come from ``[team] locale`` and ``[team] currency`` (see
        :mod:`sheetsync.drafts.localize`); the old hand-written settings
        are refused with the replacement (:data:`REMOVED_KEYS`).
    ``sender_company``
        Your company's name, for signatures.
    ``meeting_place``
        Where meetings happen when the sheet does not say (an address or a
        video link); reminders leave the line out when empty.
    ``agenda``
        A table, stage kind → what the meeting covers (defaults in
        :data:`DEFAULT_AGENDA`).
    ``from_address``
        The sender when a deal's rep has no email (else the draft is a
        ``draft-no-sender`` problem).
    ``message_id_domain``
        Right-hand side of Message-IDs; default the sender's domain.
    ``owners`` = []
        Draft only for these reps (e.g. one cron job per rep mailbox);
        empty means everyone.
    ``team_tab`` = ``"Team"``
        A tab of rep names and emails (Owner/Sales Rep + Email columns), read
        with the Quotas tab when the deals carry no rep email.
    ``limit`` = 0
        At most this many new drafts per run (0: no limit).
    ``sink``
        Where drafts go: ``"eml"`` (files in ``out_dir``), ``"imap"``
        (``[drafts.imap]``), ``"gmail"`` (``[drafts.gmail]``) or ``"graph"``
        (``[drafts.graph]``).  Default: ``"imap"`` when ``[drafts.imap]`` is
        there, else ``"eml"``.
    ``mailboxes``
        ``[drafts.mailboxes]``: rep name → address.  Wins over the sheet's
        owner email column and the Team tab: the address is both the
        draft's From and the mailbox it goes to.
    ``languages``
        ``[drafts.languages]``: rep name → the language of that rep's
        digest (a code or a name, as a deal's Language cell: ``th``,
        ``de_DE``, ``Deutsch``; :func:`~sheetsync.drafts.languages.parse_language`),
        kept as the template-set code.  A rep not listed reads the team's
        language; the digest's dates and money are in that language's
        locale (:func:`~sheetsync.drafts.languages.format_locale`).  Names
        match as owners do (case and spacing aside).  A value naming no
        language sheetsync has templates for stops with a configuration error.
    ``mailbox_domains`` = []
        When set, a rep address outside these domains gets a
        ``draft-no-mailbox`` finding and no draft (a cell typed by anyone
        with edit access to the sheet never picks a mailbox elsewhere).
    ``deadline`` = 600
        Seconds saving the drafts of one run may take in all (retries and
        waits included); drafts not saved by then are made on the next run.
    """

    enabled: bool = False
    kinds: tuple[str, ...] = DRAFT_KINDS
    templates_dir: str | None = None
    out_dir: str = "drafts"
    date_format: str = "full"
    time_format: str = "short"
    sender_company: str = ""
    meeting_place: str = ""
    agenda: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_AGENDA))
    from_address: str = ""
    message_id_domain: str = ""
    owners: tuple[str, ...] = ()
    team_tab: str = "Team"
    limit: int = 0
    imap: ImapSettings | None = None
    sink: str = ""
    mailboxes: Mapping[str, str] = field(default_factory=dict)
    languages: Mapping[str, str] = field(default_factory=dict)
    mailbox_domains: tuple[str, ...] = ()
    deadline: float = 600.0
    gmail: GmailSettings | None = None
    graph: GraphSettings | None = None
    locale: str = "en_US"
    timezone: str = ""
    #: ``[team] currency`` (ISO 4217), copied here by :func:`draft_settings`;
    #: empty: the locale's own currency.
    currency_code: str = ""

    @property
    def tzinfo(self) -> dt.tzinfo | None:
        """``[team] timezone`` (copied here by :func:`draft_settings`), None: the machine's."""
        return zone(self.timezone)

    @property
    def sink_kind(self) -> str:
        """The sink in force: ``sink``, else ``imap`` with ``[drafts.imap]``, else ``eml``."""
        return self.sink or ("imap" if self.imap is not None else "eml")

    @property
    def mailbox_sink(self) -> bool:
        """True when drafts go into mailboxes (not files): a rep needs an address."""
        return self.sink_kind != "eml"

    def __post_init__(self) -> None:
        if self.sink and self.sink not in SINKS:
            raise ConfigError(
                f"[drafts] sink must be one of {', '.join(map(repr, SINKS))}, got {self.sink!r}"
            )
        kind = self.sink_kind
        if kind == "imap" and self.imap is None:
            raise ConfigError('[drafts] sink = "imap" needs a [drafts.imap] section')
        if kind == "graph" and self.graph is None:
            raise ConfigError(
                '[drafts] sink = "graph" needs a [drafts.graph] section (tenant, client_id, …)'
            )
        if self.imap is not None and self.imap.token_from == "graph" and self.graph is None:
            raise ConfigError('[drafts.imap] token_from = "graph" needs a [drafts.graph] section')
        per_rep = kind in ("gmail", "graph") or (kind == "imap" and self.imap and self.imap.per_rep)
        if per_rep and self.from_address:
            raise ConfigError(
                f"[drafts] from_address cannot be used with sink = {kind!r}: each draft goes "
                "to its rep's own mailbox, never to another one",
                hint="give every rep an address (owner email column, Team tab or "
                "[drafts.mailboxes]) and remove from_address",
            )
        for name, addr in self.mailboxes.items():
            if not _bare_address(addr):
                raise ConfigError(
                    f"[drafts.mailboxes] {name!r}: {addr!r} is not a bare address like "
                    "ana@example.com"
                )
        if not self.deadline > 0:
            raise ConfigError(f"[drafts] deadline must be more than 0 seconds, got {self.deadline}")
        bad = [k for k in self.kinds if k not in DRAFT_KINDS]
        if bad:
            raise ConfigError(
                f"[drafts] kinds: unknown kind {bad[0]!r}",
                hint="known kinds: " + ", ".join(DRAFT_KINDS),
            )
        for key, value in (("date_format", self.date_format), ("time_format", self.time_format)):
            if "%" in value:
                raise ConfigError(
                    f"[drafts] {key} = {value!r} is a strftime format; it is now a CLDR style "
                    "or pattern in [team] locale",
                    hint=f'write {key} = "full", "long", "medium" or "short", or a CLDR '
                    'pattern such as "EEEE d MMMM y" (or remove it: the locale\'s own style)',
                )
            _check_cldr_pattern(key, value, self.locale)
        if self.limit < 0:
            raise ConfigError(f"[drafts] limit must be 0 or more, got {self.limit}")
        if self.from_address and not _bare_address(self.from_address):
            raise ConfigError(
                f"[drafts] from_address must be a bare address like sales@example.com, "
                f"got {self.from_address!r}"
            )


def _check_cldr_pattern(key: str, value: str, locale: str) -> None:
    """A ``date_format``/``time_format`` Babel can apply (a style name or a CLDR pattern)."""
    from babel.dates import parse_pattern

    if not value.strip():
        raise ConfigError(f"[drafts] {key} must not be empty")
    if value in ("full", "long", "medium", "short"):
        return
    try:
        parse_pattern(value)
    except (ValueError, TypeError) as exc:
        raise ConfigError(
            f"[drafts] {key} = {value!r} is not a CLDR date pattern ({exc})",
            hint="see https://cldr.unicode.org/translation/date-time/date-time-symbols",
        ) from None


#: ``[drafts]`` settings that gave way to ``[team] locale`` (issue 12): the key
#: → what to write instead.  An old configuration naming one gets a
#: :class:`ConfigError` that says so, never a silent change of its money.
REMOVED_KEYS: dict[str, str] = {
    "currency": 'set [team] currency = "EUR" (an ISO 4217 code); the symbol and where it '
    "goes come from [team] locale",
    "currency_after": "remove it: where the currency symbol goes comes from [team] locale "
    '(de_DE writes "162.500 €")',
    "thousands_separator": "remove it: the separators come from [team] locale",
    "decimal_separator": "remove it: the separators come from [team] locale",
    "day_names": "remove it: day names come from [team] locale (CLDR)",
    "month_names": "remove it: month names come from [team] locale (CLDR)",
}


def _bare_address(addr: str) -> bool:
    local, at, domain = addr.rpartition("@")
    return bool(at and local and domain) and not any(c.isspace() or c in '<>,;"' for c in addr)


# --------------------------------------------------------------------------- reading the TOML

Check = Callable[[Any, str], Any]


# The scalar checkers are the configuration's own, so every section reports
# a wrong type the same way.
_fail = config_fail


def _str_tuple(v: Any, where: str) -> tuple[str, ...]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _fail(where, f"must be a list of text values, got {v!r}")
    return tuple(v)


def _str_table(v: Any, where: str) -> dict[str, str]:
    if not isinstance(v, dict) or not all(isinstance(x, str) for x in v.values()):
        raise _fail(where, "must be a table of text values")
    return dict(v)


def rep_languages(v: Any, where: str) -> dict[str, str]:
    """``[drafts.languages]`` checked: rep name → template-set code (``Deutsch`` → ``de``)."""
    from .languages import LANGUAGES, parse_language

    out: dict[str, str] = {}
    for name, value in _str_table(v, where).items():
        code = parse_language(value)
        if code is None:
            raise ConfigError(
                f"{where} {name!r}: {value!r} names no language sheetsync has templates for",
                hint="write one of " + ", ".join(LANGUAGES) + " (or the language's name)",
            )
        out[name] = code
    return out


_DRAFT_KEYS: dict[str, Check] = {
    "enabled": _bool,
    "kinds": _str_tuple,
    "templates_dir": _str,
    "out_dir": _str,
    "date_format": _str,
    "time_format": _str,
    "sender_company": _str,
    "meeting_place": _str,
    "agenda": _str_table,
    "from_address": _str,
    "message_id_domain": _str,
    "owners": _str_tuple,
    "team_tab": _str,
    "limit": _int,
    "sink": _str,
    "mailbox_domains": _str_tuple,
    "deadline": _number,
}

_IMAP_KEYS: dict[str, Check] = {
    "host": _str,
    "port": _int,
    "security": _str,
    "user": _str,
    "password_env": _str,
    "password_command": _str,
    "password": _str,
    "folder": _str,
    "timeout": _number,
    "retries": _int,
    "ca_file": _str,
    "auth": _str,
    "token_from": _str,
}

_GMAIL_KEYS: dict[str, Check] = {
    "credentials": _str,
    "user": _str,
    "timeout": _number,
    "deadline": _number,
}

_GRAPH_KEYS: dict[str, Check] = {
    "tenant": _str,
    "client_id": _str,
    "auth": _str,
    "client_secret_env": _str,
    "client_secret_command": _str,
    "client_secret": _str,
    "certificate": _str,
    "token_cache": _str,
    "authority": _str,
    "timeout": _number,
    "deadline": _number,
}


_check = _check_keys


def draft_settings_from_table(
    table: Mapping[str, Any], *, file: str = "sheetsync.toml"
) -> DraftSettings:
    """Check and type a raw ``[drafts]`` table (``[drafts.imap]`` nested in it)."""
    table = dict(table)
    imap_raw = table.pop("imap", None)
    gmail_raw = table.pop("gmail", None)
    graph_raw = table.pop("graph", None)
    mailboxes_raw = table.pop("mailboxes", None)
    languages_raw = table.pop("languages", None)
    for key, instead in REMOVED_KEYS.items():
        if key in table:
            raise ConfigError(
                f"{file}: [drafts] {key} was removed: dates, times and money follow [team] locale",
                hint=instead + " (README: 'Languages and formats')",
            )
    values = _check(table, _DRAFT_KEYS, f"{file}: [drafts]")
    if "agenda" in values:
        values["agenda"] = {
            **DEFAULT_AGENDA,
            **{k.casefold(): v for k, v in values["agenda"].items()},
        }
    try:
        if imap_raw is not None:
            if not isinstance(imap_raw, dict):
                raise _fail(f"{file}: [drafts.imap]", "must be a table")
            imap_values = _check(imap_raw, _IMAP_KEYS, f"{file}: [drafts.imap]")
            missing = [k for k in ("host",) if k not in imap_values]
            if imap_values.get("auth", "password") == "password" and "user" not in imap_values:
                missing.append("user")
            if missing:
                raise _fail(f"{file}: [drafts.imap]", "missing " + " and ".join(missing))
            values["imap"] = ImapSettings(**imap_values)
        if gmail_raw is not None:
            if not isinstance(gmail_raw, dict):
                raise _fail(f"{file}: [drafts.gmail]", "must be a table")
            values["gmail"] = GmailSettings(
                **_check(gmail_raw, _GMAIL_KEYS, f"{file}: [drafts.gmail]")
            )
        if graph_raw is not None:
            if not isinstance(graph_raw, dict):
                raise _fail(f"{file}: [drafts.graph]", "must be a table")
            graph_values = _check(graph_raw, _GRAPH_KEYS, f"{file}: [drafts.graph]")
            missing = [k for k in ("tenant", "client_id") if k not in graph_values]
            if missing:
                raise _fail(f"{file}: [drafts.graph]", "missing " + " and ".join(missing))
            values["graph"] = GraphSettings(**graph_values)
        if mailboxes_raw is not None:
            values["mailboxes"] = _str_table(mailboxes_raw, f"{file}: [drafts.mailboxes]")
        if languages_raw is not None:
            values["languages"] = rep_languages(languages_raw, f"{file}: [drafts.languages]")
        return DraftSettings(**values)
    except ConfigError as exc:
        if exc.message.startswith(file):
            raise
        raise ConfigError(f"{file}: {exc.message}", hint=exc.hint) from None


def draft_settings(cfg: Any) -> DraftSettings:
    """``[drafts]`` of a :class:`~sheetsync.config.Config`, paths made absolute.

    Relative ``templates_dir``/``out_dir``/``ca_file`` are taken relative to
    the configuration file, so a cron job run from elsewhere finds them.
    """
    table = cfg.sections.get("drafts", {})
    s = draft_settings_from_table(table, file=str(cfg.file or "sheetsync.toml"))
    base = cfg.base_dir

    def absolute(p: str | None) -> str | None:
        if not p:
            return p
        path = Path(p).expanduser()
        return str(path if path.is_absolute() else base / path)

    changes: dict[str, Any] = {"out_dir": absolute(s.out_dir)}
    team = getattr(cfg, "team", None)
    if team is not None:  # [team] is the one place for the locale and the time zone
        changes["locale"] = team.output_locale
        changes["timezone"] = team.timezone or ""
        changes["currency_code"] = team.default_currency or ""
    if s.templates_dir:
        changes["templates_dir"] = absolute(s.templates_dir)
    if s.imap is not None and s.imap.ca_file:
        changes["imap"] = _replace(s.imap, ca_file=absolute(s.imap.ca_file))
    uses_gmail = s.sink_kind == "gmail" or (s.imap is not None and s.imap.token_from == "gmail")
    if uses_gmail:
        gmail = s.gmail or GmailSettings()
        # the key file: [drafts.gmail] credentials, else [google] credentials (made
        # absolute here too), else GOOGLE_APPLICATION_CREDENTIALS at sign-in time
        google = cfg.sections.get("google", {})
        cred = gmail.credentials or (google.get("credentials") if isinstance(google, dict) else "")
        changes["gmail"] = _replace(gmail, credentials=absolute(cred) if cred else "")
    if s.graph is not None:
        changes["graph"] = _replace(
            s.graph,
            certificate=absolute(s.graph.certificate) or "",
            token_cache=absolute(s.graph.token_cache) or s.graph.token_cache,
        )
    return _replace(s, **changes)


def _replace(obj: Any, **changes: Any) -> Any:
    values = {f.name: getattr(obj, f.name) for f in fields(obj)}
    values.update(changes)
    return type(obj)(**values)


def is_loopback(host: str) -> bool:
    """Is ``host`` this machine (``localhost``, ``127.0.0.0/8``, ``::1``)?"""
    h = host.strip().strip("[]").casefold()
    if h == "localhost" or h.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False
