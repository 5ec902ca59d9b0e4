"""Logging for people and for log collectors.

``--log-format json`` writes one JSON object per line on stderr (``ts``,
``level``, ``event``, ``message`` and the event's fields), which log
collectors ingest without parsing prose; the default is short text lines.
Library code logs events with ``extra={"event": ..., "fields": {...}}``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
from typing import Any

LOGGER = "sheetsync"


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "event": getattr(record, "event", record.name),
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}) or {})
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"sheetsync: {record.getMessage()}"


def setup_logging(fmt: str = "text", level: int = logging.WARNING) -> None:
    """Send sheetsync's log records to stderr in ``fmt`` (``text`` or ``json``)."""
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
