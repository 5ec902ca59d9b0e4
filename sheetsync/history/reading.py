"""Reading the history tab: its cells, untrusted, back into changes.

Part of the stage history that ``specs/pipeline-metrics.md`` needs for *days in
stage* (*Activity and follow-up*) and *reached(s)* (*Funnel and conversion*):
the rows :mod:`~sheetsync.history.writing` wrote (long form, ``added`` and
``rollup`` rows) are read back into exactly the same
:class:`~sheetsync.history.records.Change` values.  The tab is a cell range a
person can edit, so every cell is checked: a cell that cannot be read raises
:class:`_BadCell` (the column and why), and
:meth:`~sheetsync.history.log.History.from_grid` skips the row and reports it
(``history-row-skipped``, naming the row and the cell); so does a row whose
timestamp is earlier than the row above (the log is append-only).
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
import math
from typing import Any

from sheetsync.history.records import (
    DEAL,
    FIELDS,
    HEADER,
    ROW_KINDS,
    TRACKED,
    Change,
    DealState,
    Rolled,
    _change,
)
from sheetsync.parse import excel_serial_to_datetime


def _earlier(at: dt.datetime, last: dt.datetime, raw: Any) -> _BadCell:
    return _BadCell(
        1,
        f"its timestamp {at.isoformat(sep=' ')} is earlier than the row above "
        f"({last.isoformat(sep=' ')}); the log is append-only",
        raw,
    )


def _load_object(raw: Any, col: int) -> dict[str, Any]:
    if not isinstance(raw, str):
        raise _BadCell(col, f"not the JSON object of a compact row: {raw!r}", raw)
    try:
        data = json.loads(raw)
    except ValueError:
        raise _BadCell(col, f"not the JSON object of a compact row: {raw[:80]!r}", raw) from None
    if not isinstance(data, dict):
        raise _BadCell(col, f"not the JSON object of a compact row: {raw[:80]!r}", raw)
    return data


def _json_value(name: str, value: Any, raw: Any) -> Any:
    """A tracked value as JSON holds it, typed like the long rows' (see ``_read_value``)."""
    if value is None:
        return None
    if name == "amount":
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise _BadCell(5, f"not an amount: {value!r}", raw)
        return float(value)
    if not isinstance(value, str):
        raise _BadCell(5, f"{name} is not text: {value!r}", raw)
    if name == "close_date":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise _BadCell(5, f"not a date: {value!r}", raw) from None
    return value


_scan = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[attr-defined]


_TRACKED_SET = frozenset(TRACKED)


def _expand_fast(key: str, raw_label: Any, raw_values: Any, at: dt.datetime, append: Any) -> bool:
    """:func:`_expand_added` for the row as written (plain text, one JSON object with the
    types it was written with), without its checks' cost; False for anything else, which
    :func:`_expand_added` then reads or reports."""
    if type(raw_label) is not str or not raw_label.strip() or type(raw_values) is not str:
        return False
    try:
        data, end = _scan(raw_values, 0)
    except (StopIteration, ValueError):
        return False
    if type(data) is not dict or end != len(raw_values) or not data.keys() <= _TRACKED_SET:
        return False
    stage, amount, close, owner = (
        data.get("stage"),
        data.get("amount"),
        data.get("close_date"),
        data.get("owner"),
    )
    if stage is not None and type(stage) is not str:
        return False
    if owner is not None and type(owner) is not str:
        return False
    if amount is not None:
        if type(amount) is int:
            amount = float(amount)
        elif type(amount) is not float or not math.isfinite(amount):
            return False
    if close is not None:
        if type(close) is not str:
            return False
        try:
            close = dt.date.fromisoformat(close)
        except ValueError:
            return False
    append(_change(Change, (key, DEAL, None, raw_label, at)))
    if stage is not None:
        append(_change(Change, (key, "stage", None, stage, at)))
    if amount is not None:
        append(_change(Change, (key, "amount", None, amount, at)))
    if close is not None:
        append(_change(Change, (key, "close_date", None, close, at)))
    if owner is not None:
        append(_change(Change, (key, "owner", None, owner, at)))
    return True


def _expand_added(key: str, raw_label: Any, raw_values: Any, at: dt.datetime) -> list[Change]:
    """The changes one ``added`` row stands for (see :func:`_added_group`)."""
    label = _read_text(raw_label)
    if label is None:
        raise _BadCell(4, "an 'added' row needs the deal's label in Old", raw_label)
    data = _load_object(raw_values, 5)
    unknown = set(data) - set(TRACKED)
    if unknown:
        raise _BadCell(5, f"unknown field {sorted(unknown)[0]!r} in an 'added' row", raw_values)
    out = [_change(Change, (key, DEAL, None, label, at))]
    for name in TRACKED:
        value = _json_value(name, data.get(name), raw_values)
        if value is not None:
            out.append(_change(Change, (key, name, None, value, at)))
    return out


def _read_rolled(raw: Any, epoch1904: bool) -> Rolled:
    data = _load_object(raw, 5)
    try:
        values = {name: _json_value(name, data.get(name), raw) for name in TRACKED}
        label = data.get("label")
        if label is not None and not isinstance(label, str):
            raise ValueError("label")
        state = DealState(label=label, present=not data.get("gone", False), **values)
        stay = None
        if data.get("stay") is not None:
            stage, start, known, interrupted = data["stay"]
            if not isinstance(stage, str) or not isinstance(known, bool):
                raise ValueError("stay")
            stay = (stage, dt.datetime.fromisoformat(start), known, bool(interrupted))
        held = tuple(data.get("held", ()))
        done = tuple((str(a), int(b), int(c)) for a, b, c in data.get("done", ()))
        if not all(isinstance(h, str) for h in held):
            raise ValueError("held")
        first = data.get("first_close")
        return Rolled(
            state=state,
            stay=stay,
            held=held,
            done=done,
            slips=int(data.get("slips", 0)),
            first_close=None if first is None else dt.date.fromisoformat(first),
            entries=int(data.get("entries", 0)),
        )
    except (ValueError, TypeError, KeyError):
        raise _BadCell(5, f"a rollup row that cannot be read: {str(raw)[:80]!r}", raw) from None


class _BadCell(Exception):
    """A history row that cannot be read: which column, why, and the value."""

    def __init__(self, col: int, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.col = col
        self.message = message
        self.value = value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _is_header(row: list[Any]) -> bool:
    got = [str(v).strip().casefold() for v in row[: len(HEADER)]]
    return got == [h.casefold() for h in HEADER]


def _round_second(moment: dt.datetime) -> dt.datetime:
    moment = moment.replace(tzinfo=None)
    if moment.microsecond >= 500_000:
        moment += dt.timedelta(seconds=1)
    return moment.replace(microsecond=0)


def _read_timestamp(value: Any, epoch1904: bool) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return _round_second(value)
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = excel_serial_to_datetime(float(value), epoch1904=epoch1904)
        return None if moment is None else _round_second(moment)
    if isinstance(value, str):
        try:
            return _round_second(dt.datetime.fromisoformat(value.strip()))
        except ValueError:
            return None
    return None


def _read_text(value: Any) -> str | None:
    """Text as written; a number a backend turned numeric goes back to its text."""
    if _blank(value):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        return value.isoformat()
    return str(value)


def _read_amount(value: Any) -> float | None:
    if _blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        x = float(value)
    elif isinstance(value, str):
        try:
            x = float(value.strip().replace(",", ""))
        except ValueError:
            raise _BadCell(0, f"not an amount: {value!r}", value) from None
    else:
        raise _BadCell(0, f"not an amount: {value!r}", value)
    if not math.isfinite(x):
        raise _BadCell(0, f"not an amount: {value!r}", value)
    return x


def _read_date(value: Any, epoch1904: bool) -> dt.date | None:
    if _blank(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    moment: dt.datetime | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        moment = excel_serial_to_datetime(float(value), epoch1904=epoch1904)
    elif isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            moment = None
    if moment is None:
        raise _BadCell(0, f"not a date: {value!r}", value)
    return moment.date()


def _read_value(name: str, value: Any, epoch1904: bool) -> Any:
    if name == "amount":
        return _read_amount(value)
    if name == "close_date":
        return _read_date(value, epoch1904)
    return _read_text(value)


_TEXT_FIELDS = frozenset(FIELDS) - {"amount", "close_date"}


class _RowReader:
    """Reads the rows of a history tab into changes (``_BadCell`` for a row it cannot read).

    Cells are read column by column, the first bad one reported: the
    timestamp, the deal key, the field name, then Old and New typed by the
    field (:func:`_read_value`).  With shortcuts for what a backend gives back
    of what :meth:`History.to_outsheet` wrote: a run's timestamp on each of its
    rows (read once per run of equal cells), field names from a short list,
    plain text, numbers and dates.
    """

    __slots__ = ("epoch1904", "_raw_at", "_at", "_names")

    def __init__(self, epoch1904: bool) -> None:
        self.epoch1904 = epoch1904
        self._raw_at: Any = None
        self._at: dt.datetime | None = None
        self._names: dict[str, str] = {}

    def moment(self, raw_at: Any) -> dt.datetime:
        """The timestamp cell: the same cell value as the row above gives the same moment
        (naive datetimes only: equal aware ones can have other wall times; and not 0,
        which equals -0.0)."""
        kind = type(raw_at)
        if (
            self._at is not None
            and kind is type(self._raw_at)
            and raw_at == self._raw_at
            and kind in _MEMO_TYPES
            and raw_at
            and (kind is not dt.datetime or raw_at.tzinfo is None)
        ):
            return self._at
        at = _read_timestamp(raw_at, self.epoch1904)
        if at is None:
            raise _BadCell(1, f"no readable timestamp ({raw_at!r})", raw_at)
        self._raw_at, self._at = raw_at, at
        return at

    @staticmethod
    def key(raw_key: Any) -> str:
        if type(raw_key) is str:
            if not raw_key.strip():
                raise _BadCell(2, "no deal key", raw_key)
            return raw_key
        return _read_key(raw_key)

    def __call__(self, cells: list[Any]) -> Change:
        raw_at, raw_key, raw_field, raw_old, raw_new = cells
        at = self.moment(raw_at)
        key = self.key(raw_key)
        name = self._names.get(raw_field) if type(raw_field) is str else None
        if name is None:
            name = _field_name(raw_field)
            if type(raw_field) is str:
                self._names[raw_field] = name
        old = _read_cell(name, 4, raw_old, self.epoch1904)
        new = _read_cell(name, 5, raw_new, self.epoch1904)
        if name == DEAL and (old is None) == (new is None):
            raise _BadCell(
                4, "a 'deal' row needs exactly one of Old (removed) or New (added)", raw_old
            )
        return _change(Change, (key, name, old, new, at))


_COMPACT = frozenset(ROW_KINDS)


_MEMO_TYPES = (dt.datetime, dt.date, str, float, int)


def _read_key(raw_key: Any) -> str:
    key = _read_text(raw_key)
    if key is None or not key.strip():
        raise _BadCell(2, "no deal key", raw_key)
    return key


def _field_name(raw_field: Any) -> str:
    name = str(raw_field).strip().casefold().replace(" ", "_").replace("-", "_")
    if name not in FIELDS:
        raise _BadCell(3, f"unknown field {raw_field!r} (expected one of {', '.join(FIELDS)})")
    return name


def _read_cell(name: str, col: int, raw: Any, epoch1904: bool) -> Any:
    """``_read_value`` of one Old/New cell, errors positioned at column ``col``."""
    kind = type(raw)
    if kind is str:
        if not raw.strip():
            return None  # blank, whatever the field
        if name in _TEXT_FIELDS:
            return raw
    elif raw is None:
        return None
    elif kind is float and name == "amount":
        if math.isfinite(raw):
            return raw
    elif kind is dt.date and name == "close_date":
        return raw
    try:
        return _read_value(name, raw, epoch1904)
    except _BadCell as bad:
        raise _BadCell(col, bad.message, bad.value) from None
