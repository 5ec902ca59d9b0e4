"""``sheetsync init``: a commented ``sheetsync.toml`` proposed from the sheet itself.

A team should not have to learn the configuration before the first check.
``init`` reads the sheet the way ``check`` does and writes down what it
found, so the reading becomes explicit and stays the same every night:

* which tab holds the deals, where its header row is, and which header
  each field was read from (``[columns]``);
* the stage list: the Stages tab when there is one, else the stages the
  deals use, in pipeline order where sheetsync knows it (a CRM's default
  pipeline, the language's usual stages), each with its outcome;
* the locale, currency and calendar the sheet is written in (``[team]``,
  ``[parse]``), as far as the cells tell;
* what it could not decide, as comments that say which setting settles it.

It never overwrites a file.  The result is a proposal: every line is meant
to be read and kept, changed or deleted by a person.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .columns import normalize_header
from .config import CONFIG_NAME, Config
from .errors import ConfigError
from .model import Outcome, Pipeline, Report
from .vocab import headers as vocab_headers

__all__ = ["Proposal", "propose", "write_proposal"]

#: Territory guessed from the team's currency, per language (the locale init proposes).
_TERRITORY: dict[str, dict[str, str]] = {
    "EUR": {"de": "DE", "fr": "FR", "es": "ES", "pt": "PT", "en": "IE", "it": "IT", "nl": "NL"},
    "BRL": {"pt": "BR", "en": "BR"},
    "THB": {"th": "TH", "en": "TH"},
    "USD": {"en": "US", "es": "US"},
    "GBP": {"en": "GB"},
    "CHF": {"de": "CH", "fr": "CH"},
    "MXN": {"es": "MX"},
    "CAD": {"en": "CA", "fr": "CA"},
    "AUD": {"en": "AU"},
    "INR": {"en": "IN"},
}


#: The country a language's team most likely writes from, when no currency says.
_LANGUAGE_TERRITORY = {"de": "DE", "fr": "FR", "es": "ES", "pt": "BR", "th": "TH"}


@dataclass(slots=True)
class Proposal:
    """The proposed configuration text and what it could not decide."""

    text: str
    undecided: list[str] = field(default_factory=list)
    locale: str | None = None
    currency: str | None = None


def _q(text: str) -> str:
    """A TOML basic string (cells are user data: escape everything that needs it)."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _comment(text: str) -> str:
    """Cell text made safe inside a TOML comment (one line, no control characters)."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


def _language(headers: list[str]) -> str | None:
    votes: Counter[str] = Counter()
    for key, src in vocab_headers.HEADER_SOURCES.items():
        if src.kind != "language" or key == "en":
            continue
        names = {normalize_header(h) for hs in src.headers.values() for h in hs}
        names |= {normalize_header(h) for hs in src.unconfirmed.values() for h in hs}
        votes[key] = sum(1 for h in headers if normalize_header(h) in names)
    best = votes.most_common(1)
    return best[0][0] if best and best[0][1] >= 2 else None


def _crm(headers: list[str]) -> str | None:
    have = {normalize_header(h) for h in headers}
    for crm, sig in vocab_headers.SIGNATURE_HEADERS.items():
        if all(normalize_header(h) in have for h in sig):
            return crm
    return None


def propose(
    pipeline: Pipeline,
    report: Report,
    headers: dict[str, str],
    *,
    source: str,
    cfg: Config,
    stages_from_tab: bool,
    other_tabs: list[str] | None = None,
    today: dt.date | None = None,
) -> Proposal:
    """The proposal for a sheet read with the defaults (``headers``: field → header text)."""
    today = today or dt.date.today()
    undecided: list[str] = []
    lines: list[str] = [
        f"# sheetsync.toml proposed by `sheetsync init` on {today.isoformat()} from",
        f"# {_comment(source)}.",
        "# Every line is a proposal: read it, keep it, change it or delete it.",
        "# Reference: README.md, 'Configuration'.",
        "",
        "[source]",
    ]
    if not (source.startswith(("http://", "https://", "gsheet:"))):
        lines.append(f"path = {_q(Path(source).name)}")
    else:
        lines.append(f"url = {_q(source)}")
    lines.append(f"deals_tab = {_q(pipeline.deals_tab)}")
    if other_tabs:
        lines.append(
            "# also looked like deals: "
            + ", ".join(repr(_comment(t)) for t in other_tabs)
            + " (deals_tab decides)"
        )
    lines.append(f"header_row = {pipeline.header_row}")
    lines.append("")

    crm = _crm(list(headers.values()))
    language = _language(list(headers.values()))
    lines.append("[columns]                   # field = the header in your sheet")
    if crm:
        lines.append(f"# the headers are those of a {crm} export")
    for f, text in headers.items():
        ref = pipeline.columns.get(f)
        where = f"  # column {ref.column}" if ref else ""
        lines.append(f"{f} = {_q(text)}{where}")
    lines.append("")

    # locale, currency, calendar
    currency = pipeline.currency or cfg.team.currency
    convention = pipeline.reading.get("numbers", "")
    comma = "decimal comma" in convention
    locale = None
    guessed = False
    if language or currency:
        lang = language or "en"
        territory = _TERRITORY.get(currency or "", {}).get(lang)
        if territory is None and not currency and language:
            territory, guessed = _LANGUAGE_TERRITORY.get(language), True
        if territory:
            candidate = f"{lang}_{territory}"
            from .numbers import locale_decimal

            if not convention or (locale_decimal(candidate) == "comma") == comma:
                locale = candidate
    lines.append("[team]")
    if locale and guessed:
        lines.append(
            f"locale = {_q(locale)}          # from the headers' language and the numbers; "
            "change the country if yours differs"
        )
    elif locale:
        lines.append(
            f"locale = {_q(locale)}          # from the headers' language, the currency and the numbers"
        )
    else:
        lines.append(
            '# locale = "en_US"          # could not tell from the sheet: set it (de_DE, th_TH, pt_BR…)'
        )
        undecided.append("the team's locale ([team] locale)")
    if currency:
        lines.append(
            f"currency = {_q(currency)}           # the currency most amounts are written in"
        )
    elif locale:
        from .config import locale_currency

        own = locale_currency(locale) or "USD"
        lines.append(
            f"# currency = {_q(own)}          # the locale's; no amount names its currency"
        )
    else:
        lines.append('# currency = "USD"          # no amount names its currency')
    unnamed = [x for x in report.findings if x.code == "unnamed-currency"]
    if unnamed and not cfg.team.currency:
        lines.append(
            f"# {len(unnamed)} amounts use Excel's built-in currency format, which names no "
            "currency: set currency above to count them"
        )
        undecided.append(f"the currency of {len(unnamed)} amounts ([team] currency)")
    lines.append('# timezone = "Europe/Berlin"  # an IANA name; default: this machine\'s')
    lines.append("")
    parse_lines: list[str] = []
    for f, note in pipeline.reading.items():
        if "Buddhist" in note:
            parse_lines.append(
                'calendar = "buddhist"       # years such as 2569 in ' + f.replace("_", " ")
            )
            break
    for f, note in pipeline.reading.items():
        if note.startswith("day-month-year"):
            parse_lines.append(
                'date_order = "dmy"          # as the ' + f.replace("_", " ") + " column shows"
            )
            break
        if note.startswith("month-day-year"):
            parse_lines.append(
                'date_order = "mdy"          # as the ' + f.replace("_", " ") + " column shows"
            )
            break
    ambiguous = [x for x in report.findings if x.code == "ambiguous-number"]
    if ambiguous:
        parse_lines.append(
            f"# decimal_comma = true      # {len(ambiguous)} amounts such as "
            f"{_comment(str(ambiguous[0].value))!r} read either way: say which (or set [team] locale)"
        )
        undecided.append(
            f"the decimal mark of {len(ambiguous)} amounts ([team] locale or [parse] decimal_comma)"
        )
    ambiguous_dates = [
        x for x in report.findings if x.code == "bad-date" and "ambiguous date" in x.message
    ]
    if ambiguous_dates:
        parse_lines.append(
            f'# date_order = "dmy"        # {len(ambiguous_dates)} dates such as '
            f"{_comment(str(ambiguous_dates[0].value))!r} read either way: dmy or mdy"
        )
        undecided.append(f"the order of {len(ambiguous_dates)} dates ([parse] date_order)")
    two_digit = [x for x in report.findings if x.code == "ambiguous-year"]
    if two_digit:
        parse_lines.append(
            f'# calendar = "buddhist"     # {len(two_digit)} dates such as '
            f"{_comment(str(two_digit[0].value))!r} have two-digit years: 2569 BE or 2069?"
        )
        undecided.append(
            f"the calendar of {len(two_digit)} dates with two-digit years ([parse] calendar)"
        )
    if parse_lines:
        lines.append("[parse]")
        lines.extend(parse_lines)
        lines.append("")

    # currencies without a rate
    mixed = Counter(
        str(x.message).split(" is in ")[1].split(",")[0]
        for x in report.findings
        if x.code == "mixed-currency" and " is in " in x.message
    )
    for cur, n in sorted(mixed.items()):
        lines += [
            f"# {n} amounts are in {cur}: give its rate to {currency} to count them",
            "# [[rates]]",
            f"# currency = {_q(cur)}",
            f"# rate = 0.0                # {currency} per {cur}",
            "",
        ]
        undecided.append(f"a rate for {cur} ([[rates]])")

    # stages
    if stages_from_tab:
        lines.append("# stages: read from the Stages tab (edit them there)")
    else:
        how = pipeline.reading.get("stages", "sheetsync's default stage list")
        lines.append(f"# stages: {how}")
        for s in pipeline.stages:
            lines.append("[[stages]]")
            lines.append(f"name = {_q(s.name)}")
            if s.probability is not None:
                lines.append(f"probability = {round(s.probability, 4)}")
            if s.outcome is not Outcome.OPEN:
                lines.append(f'outcome = "{s.outcome.value}"')
            if s.kind:
                lines.append(f'kind = "{s.kind}"')
            if s.rot_days:
                lines.append(f"rot_days = {s.rot_days}")
        unknown = Counter(
            str(x.value).strip() for x in report.findings if x.code == "unknown-stage"
        )
        if unknown:
            lines.append(
                "# stages the deals use that are in no list above (add them where they belong):"
            )
            for name, n in unknown.most_common():
                lines.append(f"#   {_comment(name)!r}: {n} deal{'s' if n != 1 else ''}")
            undecided.append(f"where {len(unknown)} unknown stages go ([[stages]])")
    lines.append("")
    skipped = getattr(pipeline, "skipped", [])
    if skipped:
        lines.append(
            "# not counted as deals: " + "; ".join(f"{len(s.rows)} {s.label}" for s in skipped)
        )
    if undecided:
        lines.append("# could not decide: " + "; ".join(undecided))
    return Proposal("\n".join(lines).rstrip("\n") + "\n", undecided, locale, currency)


def write_proposal(text: str, target: Path) -> None:
    """Write ``text`` to ``target`` unless it exists; atomically, never half a file."""
    if target.exists():
        raise ConfigError(
            f"{target}: already exists; sheetsync init never overwrites a file",
            hint="pass --output OTHER.toml, or delete the file first",
        )
    parent = target.parent
    fd, tmp = tempfile.mkstemp(prefix=".sheetsync-init-", suffix=".toml", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(tmp, 0o666 & ~_umask())
        os.link(tmp, target)  # fails if target appeared meanwhile: never overwritten
    except FileExistsError:
        raise ConfigError(
            f"{target}: already exists; sheetsync init never overwrites a file",
            hint="pass --output OTHER.toml, or delete the file first",
        ) from None
    finally:
        os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def default_target(source: str) -> Path:
    """``sheetsync.toml`` beside a workbook, or in the current folder for a Google Sheet."""
    if source.startswith(("http://", "https://", "gsheet:")):
        return Path.cwd() / CONFIG_NAME
    return Path(source).expanduser().resolve().parent / CONFIG_NAME
