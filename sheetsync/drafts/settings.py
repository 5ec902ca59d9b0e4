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

import ipaddress
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from sheetsync.config import _bool, _check_keys, _int, _number, _str
from sheetsync.config import _fail as config_fail
from sheetsync.errors import ConfigError

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


@dataclass(frozen=True, slots=True)
class ImapSettings:
    """``[drafts.imap]``: where to append drafts over IMAP.

    ``host``, ``user``
        Required.
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
        Created when missing.
    ``timeout`` = 30 seconds, ``retries`` = 3
        Per network operation; a dropped connection is retried with backoff,
        a refused login is not.
    ``ca_file``
        A PEM file of certificate authorities to trust instead of the
        system's (a company CA, or a test server's self-signed certificate).
    """

    host: str
    user: str
    port: int | None = None
    security: str = "ssl"
    password_env: str | None = None
    password_command: str | None = None
    password: str | None = field(default=None, repr=False)
    folder: str = "Drafts"
    timeout: float = 30.0
    retries: int = 3
    ca_file: str | None = None

    def __post_init__(self) -> None:
        if not self.host.strip():
            raise ConfigError("[drafts.imap] host must not be empty")
        if not self.user.strip():
            raise ConfigError("[drafts.imap] user must not be empty")
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
    def where(self) -> str:
        """``imap://user@host:993/Drafts``: where a draft went, for the ledger."""
        return f"imap://{self.user}@{self.host}:{self.effective_port}/{self.folder}"


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
    ``currency`` = ``"$"``, ``currency_after`` = false,
    ``thousands_separator`` = ``","``, ``decimal_separator`` = ``"."``
        Money as people read it: ``$162,500``, or with ``currency = " €"``,
        ``currency_after = true``, ``thousands_separator = "."`` and
        ``decimal_separator = ","``: ``162.500 €``.  Cents show only when
        the amount has them.
    ``date_format`` = ``"%A, %B %-d, %Y"``, ``time_format`` = ``"%-I:%M %p"``
        strftime codes, portable on every system (``%-d`` etc. mean "no
        leading zero"), with ``day_names``/``month_names`` (7 and 12 names,
        Monday and January first) for another language.
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
    """

    enabled: bool = False
    kinds: tuple[str, ...] = DRAFT_KINDS
    templates_dir: str | None = None
    out_dir: str = "drafts"
    currency: str = "$"
    currency_after: bool = False
    thousands_separator: str = ","
    decimal_separator: str = "."
    date_format: str = "%A, %B %-d, %Y"
    time_format: str = "%-I:%M %p"
    day_names: tuple[str, ...] = ()
    month_names: tuple[str, ...] = ()
    sender_company: str = ""
    meeting_place: str = ""
    agenda: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_AGENDA))
    from_address: str = ""
    message_id_domain: str = ""
    owners: tuple[str, ...] = ()
    team_tab: str = "Team"
    limit: int = 0
    imap: ImapSettings | None = None

    def __post_init__(self) -> None:
        bad = [k for k in self.kinds if k not in DRAFT_KINDS]
        if bad:
            raise ConfigError(
                f"[drafts] kinds: unknown kind {bad[0]!r}",
                hint="known kinds: " + ", ".join(DRAFT_KINDS),
            )
        if self.day_names and len(self.day_names) != 7:
            raise ConfigError("[drafts] day_names must list 7 names, Monday first")
        if self.month_names and len(self.month_names) != 12:
            raise ConfigError("[drafts] month_names must list 12 names, January first")
        if self.limit < 0:
            raise ConfigError(f"[drafts] limit must be 0 or more, got {self.limit}")
        if self.thousands_separator == self.decimal_separator:
            raise ConfigError("[drafts] thousands_separator and decimal_separator must differ")
        if self.from_address and (
            "@" not in self.from_address
            or any(c.isspace() or c in '<>,;"' for c in self.from_address)
        ):
            raise ConfigError(
                f"[drafts] from_address must be a bare address like sales@example.com, "
                f"got {self.from_address!r}"
            )


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


_DRAFT_KEYS: dict[str, Check] = {
    "enabled": _bool,
    "kinds": _str_tuple,
    "templates_dir": _str,
    "out_dir": _str,
    "currency": _str,
    "currency_after": _bool,
    "thousands_separator": _str,
    "decimal_separator": _str,
    "date_format": _str,
    "time_format": _str,
    "day_names": _str_tuple,
    "month_names": _str_tuple,
    "sender_company": _str,
    "meeting_place": _str,
    "agenda": _str_table,
    "from_address": _str,
    "message_id_domain": _str,
    "owners": _str_tuple,
    "team_tab": _str,
    "limit": _int,
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
}


_check = _check_keys


def draft_settings_from_table(
    table: Mapping[str, Any], *, file: str = "sheetsync.toml"
) -> DraftSettings:
    """Check and type a raw ``[drafts]`` table (``[drafts.imap]`` nested in it)."""
    table = dict(table)
    imap_raw = table.pop("imap", None)
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
            missing = [k for k in ("host", "user") if k not in imap_values]
            if missing:
                raise _fail(f"{file}: [drafts.imap]", "missing " + " and ".join(missing))
            values["imap"] = ImapSettings(**imap_values)
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
    if s.templates_dir:
        changes["templates_dir"] = absolute(s.templates_dir)
    if s.imap is not None and s.imap.ca_file:
        changes["imap"] = _replace(s.imap, ca_file=absolute(s.imap.ca_file))
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
