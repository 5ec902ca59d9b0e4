"""Logging for people and for log collectors.

``--log-format json`` writes one JSON object per line on stderr, which log
collectors ingest without parsing prose.  Every line has the same four keys
first, whoever wrote it (a library event, another module's logger, the
CLI's closing error line):

``ts``
    when, ISO 8601 with the UTC offset (``2026-11-26T06:15:02.113+00:00``,
    RFC 3339's profile of it), so lines from machines in other zones sort;
``level``
    ``debug``, ``info``, ``warning`` or ``error``;
``event``
    what happened, a stable name (``sync.done``, ``tabs``, ``drafts``,
    ``history``, ``error``…);
``source``
    the pipeline the line is about (the workbook's path or the sheet's URL),
    ``null`` when the run had not got as far as naming one;

then ``message`` and the event's own fields.  The default is short text
lines (``sheetsync: …``, a ``hint:`` line under it when there is one).
Library code logs events with :func:`event`; the jobs name the source they
work on with :func:`log_source`, so a deep module's line carries it too.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

LOGGER = "sheetsync"

_SOURCE: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "sheetsync_log_source", default=None
)


@contextlib.contextmanager
def log_source(source: str | None) -> Iterator[None]:
    """Name the source every log line written meanwhile is about (nested: the innermost)."""
    global _last_source
    token = _SOURCE.set(source)
    _last_source = source
    try:
        yield
    finally:
        _SOURCE.reset(token)


def current_source() -> str | None:
    """The source named by the innermost :func:`log_source`, or None."""
    return _SOURCE.get()


#: The source named last in this process: the CLI's closing error line is
#: written after the job's :func:`log_source` has ended, and is about it.
_last_source: str | None = None


def last_source() -> str | None:
    """The innermost source, else the last one named (None when no job named one yet)."""
    return _SOURCE.get() or _last_source


def json_line(
    level: str,
    event_name: str,
    message: str,
    fields: dict[str, Any] | None = None,
    created: float | None = None,
) -> str:
    """One JSON log line: ``ts``, ``level``, ``event``, ``source``, ``message``, then ``fields``."""
    fields = dict(fields or {})
    when = (
        dt.datetime.fromtimestamp(created, dt.UTC)
        if created is not None
        else dt.datetime.now(dt.UTC)
    )
    data: dict[str, Any] = {
        "ts": when.isoformat(timespec="milliseconds"),
        "level": level,
        "event": event_name,
        "source": fields.pop("source", None) or current_source(),
        "message": message,
    }
    data.update(fields)
    return json.dumps(data, ensure_ascii=False, default=str)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        fields = dict(getattr(record, "fields", {}) or {})
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return json_line(
            record.levelname.lower(),
            getattr(record, "event", record.name),
            record.getMessage(),
            fields,
            record.created,
        )


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        hint = (getattr(record, "fields", {}) or {}).get("hint")
        text = f"sheetsync: {record.getMessage()}"
        return f"{text}\n  hint: {hint}" if hint else text


def setup_logging(fmt: str = "text", level: int = logging.WARNING) -> None:
    """Send sheetsync's log records to stderr in ``fmt`` (``text`` or ``json``)."""
    global _last_source
    _last_source = None  # a new command: no source named yet
    logger = logging.getLogger(LOGGER)
    for h in list(logger.handlers):
        logger.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    logger.addHandler(handler)
    logger.setLevel(level)
    logger.propagate = False


def event(name: str, message: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log one named event with structured fields."""
    logging.getLogger(LOGGER).log(level, message, extra={"event": name, "fields": fields})
