"""Every finding code sheetsync emits, with its default severity and meaning.

The one list the README's findings table, ``[validation]`` in
``sheetsync.toml`` (which may change a code's severity or switch it off) and
the rules in :mod:`sheetsync.validate` all refer to.  Plain data in a module
of its own, below both the configuration and the rules, so the configuration
can check a ``[validation]`` code without importing the rules back (no
import circle: see docs/architecture.md).
"""

from __future__ import annotations

from .model import Severity

E, W = Severity.ERROR, Severity.WARNING

#: Every finding code sheetsync emits, with its default severity and meaning.
CODES: dict[str, tuple[Severity, str]] = {
    "missing-required": (E, "a deal has no stage or no owner (or a quota row no owner)"),
    "unknown-stage": (
        E,
        "the stage is not in the stage list; the message suggests the closest one",
    ),
    "bad-amount": (E, "the amount cannot be read as money"),
    "negative-amount": (E, "the amount is below zero"),
    "ambiguous-number": (
        E,
        "an amount reads differently with a decimal comma and a decimal point, and its column does not tell which",
    ),
    "mixed-currency": (
        E,
        "an amount is in another currency than the team's and no rate converts it; it is left out",
    ),
    "multiplier-conflict": (
        E,
        "an amount names its own multiplier (1,2 Mio.) in a column whose header names one (Betrag (Tsd. €)); it is left out",
    ),
    "unnamed-currency": (
        E,
        "an amount is shown through one of Excel's built-in currency formats, which name no currency, "
        "and [team] currency is not set; it is left out",
    ),
    "unknown-currency": (E, "an amount's currency symbol or currency cell names no one currency"),
    "currency-conflict": (E, "the amount's own currency and the deal's currency column disagree"),
    "bad-rate": (E, "a row of [[rates]] or the Rates tab cannot be used"),
    "bad-status": (W, "a status cell says neither won, lost nor open; the stage decides"),
    "status-stage-disagree": (
        W,
        "the status column and a won/lost stage disagree; the status decides",
    ),
    "implausible-date": (
        E,
        "a date is decades before or after the as-of date (a typo, or a Buddhist-era year); it is left out",
    ),
    "ambiguous-year": (
        E,
        "a date's two-digit year reads as a Common-Era year or a Buddhist-era one and the column does not say which; it is left out",
    ),
    "ambiguous-probability": (
        E,
        "a fraction such as 0.5 in a column of percents could be 0.5 % or 50 %; the stage's probability applies",
    ),
    "formula-not-calculated": (
        E,
        "a formula in a read column was never calculated (the file was written by a script)",
    ),
    "formula-error": (E, "a formula in a read column shows an Excel error (#N/A, #DIV/0!...)"),
    "opt-out-assumed": (
        W,
        "a do-not-email cell that is not a plain yes or no is read as an opt-out: no email goes to the contact",
    ),
    "opt-in-column": (
        W,
        "a column says who may be emailed (opt-in); it is not read as do-not-email",
    ),
    "bad-date": (
        E,
        "a date cell (created, close date, last contact, next appointment) cannot be read as a date",
    ),
    "bad-probability": (E, "the probability is not 0-100% (or 0-1)"),
    "bad-email": (E, "an email cell holds something that is not an email address"),
    "bad-boolean": (W, "a yes/no cell (decision maker, trial) holds something else"),
    "duplicate-id": (E, "two deals share an id; sheetsync cannot tell them apart"),
    "duplicate-header": (E, "two columns have the same header; only the first is read"),
    "close-date-past": (
        W,
        "an open deal's expected close date has passed: close it or move the date",
    ),
    "won-without-close-date": (
        W,
        "a won deal has no close date, so it counts toward no quota period",
    ),
    "won-close-date-future": (W, "a won deal's close date is after the as-of date"),
    "missing-amount": (W, "an open deal past its first stage has no amount (budget unknown)"),
    "missing-close-date": (
        W,
        "an open deal past its first stage has no expected close date (timeframe unknown)",
    ),
    "close-before-created": (W, "the close date is before the created date"),
    "decision-maker-unconfirmed": (
        W,
        "an open deal at the appointment stage or later has no confirmed decision maker",
    ),
    "appointment-past": (
        W,
        "an open deal's next appointment is in the past: log it and book the next step",
    ),
    "lost-without-reason": (W, "a lost deal has no lost reason"),
    "quota-unknown-owner": (
        W,
        "a quota names an owner who has no deals (a typo in the rep's name?)",
    ),
    "duplicate-stage": (E, "the Stages tab lists a stage twice"),
    "bad-outcome": (E, "a stage's outcome is not open, won or lost"),
    "bad-stage-kind": (W, "a stage's kind is not one sheetsync knows"),
    "bad-rot-days": (E, "a stage's rot days is not a whole number of days"),
    "bad-quota": (E, "a quota is not an amount"),
    "bad-period": (E, "a quota period cannot be read (write 2026-Q4, 2026-11 or 2026)"),
    "bad-settings-tab": (W, "a Stages or Quotas tab has no header row sheetsync recognises"),
    "history-row-skipped": (W, "a row of the history tab could not be read and was left out"),
    "history-header-missing": (W, "the history tab does not start with its header"),
    "history-backfill-skipped": (
        W,
        "an --as-of run earlier than the last recorded change records no history",
    ),
}
