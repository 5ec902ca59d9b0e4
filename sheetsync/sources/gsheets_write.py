"""Google Sheets writes: owned tabs as ``batchUpdate`` requests, in bodies under a budget.

Google refuses a request body over 10,485,760 bytes (``400 INVALID_ARGUMENT:
Request payload size exceeds the limit: 10485760 bytes.``; not documented,
seen in public threads since 2018), and a sync of tens of thousands of deals
is tens of megabytes of cells.  So a write is planned here as a list of
request bodies, each under ``[google] max_request_bytes``, such that the
team never sees a half-written sheet:

* **direct**: when everything fits in one body, one ``batchUpdate`` does it
  all (Google applies a batchUpdate atomically: all of it or none);
* **staged**: otherwise the new content is first written into hidden
  *staging* tabs (marked ``sheetsync-staging = <run>`` with developer
  metadata), in as many bodies as it takes; then one small final
  ``batchUpdate`` swaps it in: each owned tab is resized, cleared and
  filled with ``copyPaste`` from its staging tab (so it keeps its
  ``sheetId``), a new owned tab is its staging tab renamed and shown, and
  the staging tabs are deleted.  Until that final request the visible tabs
  are the previous night's; if a run dies before it, the next run deletes
  the staging tabs it finds first.

Owned tabs are replaced *in place*: same ``sheetId`` night after night, so a
person's ``#gid=`` link, a chart or formula on their own tab pointing at an
owned tab keeps working.  They are sized to their content (rows and
columns; Google counts every cell of a grid, empty ones too, against its
10 million).  A tab that only grows (the stage history, ``OutSheet.append``)
gets its new rows below the ones it has.  The charts sheetsync adds get ids
it records (``sheetsync-charts``), so only its own charts are replaced.

Cells are serialised once, compactly (``json.dumps`` with ``(",", ":")``
separators), and bodies are assembled from those bytes, so the size of every
body is known exactly before it is sent.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..errors import ConfigError
from ..outsheet import ChartSpec, OutSheet
from .base import TabSlot, plan_tabs
from .owned import (
    DEFAULT_FORMATS,
    GOOGLE_MAX_CELL_TEXT,
    GOOGLE_MAX_COLUMNS,
    OwnedFormats,
    cell_at,
    cell_parts,
    check_outsheets,
    cut_utf16,
    google_tab_problem,
)

#: Developer metadata marking an owned sheet: value = the tab's kind.
OWNED_KEY = "sheetsync-owned"
#: Developer metadata naming the run that wrote the sheet (to recognise our
#: own write when a retried batchUpdate is refused because the first one
#: actually went through).
RUN_KEY = "sheetsync-run"
#: Developer metadata on a staging tab: value = the run that made it.
STAGING_KEY = "sheetsync-staging"
#: Developer metadata listing the chart ids sheetsync added to an owned tab.
CHARTS_KEY = "sheetsync-charts"

_EPOCH = dt.datetime(1899, 12, 30)

_FIELDS = "userEnteredValue,userEnteredFormat"
_PREFIX = b'{"requests":['
_SUFFIX = b'],"includeSpreadsheetInResponse":false}'


def dumps(value: Any) -> bytes:
    """Compact JSON, as every body is sent (UTF-8, no NaN)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


@dataclass(slots=True)
class Tab:
    """An existing tab, as the metadata read gives it."""

    sheet_id: int
    title: str
    index: int
    sheet_type: str = "GRID"
    hidden: bool = False
    owned_kind: str | None = None
    run: str | None = None
    rows: int = 0
    cols: int = 0
    charts: list[int] = field(default_factory=list)
    our_charts: list[int] | None = None  # from CHARTS_KEY (None: the tab predates it)
    staging: str | None = None  # the run whose staging tab this is
    #: the ids of the protected ranges sheetsync added (``[sync] protect_owned_tabs``)
    protections: list[int] = field(default_factory=list)


#: How sheetsync's own protected ranges begin their description (found again by it).
PROTECTION_MARK = "sheetsync:"
PROTECTION_DESCRIPTION = (
    f"{PROTECTION_MARK} replaced nightly; only the Done and Note cells are for typing in"
)


def protection_request(out: OutSheet, sid: int) -> dict[str, Any]:
    """The warning-only protection of a whole owned tab, its editable columns left open.

    Google has no sheet protection "without a password"; the nearest is a
    warning-only protected range (``ProtectedRange.warningOnly``): anyone who
    may edit the spreadsheet can still type there after confirming a
    warning, and nobody is locked out (editors-only protection would need a
    list of editors, and would stop the team from fixing a sheet when the
    service account's owner is away).  The Done and Note columns, from the
    first row of the list down, are ``unprotectedRanges``: no warning there.
    """
    return {
        "addProtectedRange": {
            "protectedRange": {
                "range": {"sheetId": sid},
                "description": PROTECTION_DESCRIPTION,
                "warningOnly": True,
                "unprotectedRanges": [
                    {
                        "sheetId": sid,
                        "startRowIndex": max(out.editable_from_row - 1, 0),
                        "startColumnIndex": c - 1,
                        "endColumnIndex": c,
                    }
                    for c in out.editable_cols
                ],
            }
        }
    }


@dataclass(slots=True)
class Plan:
    """A write: its request bodies in order (the last one changes the visible tabs)."""

    bodies: list[bytes] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    #: owned tab name -> the sheet id it has after the write
    written: dict[str, int] = field(default_factory=dict)
    #: staging sheet ids this plan creates (empty for a direct write)
    staging: list[int] = field(default_factory=list)
    #: leftover staging tabs of earlier runs, deleted by the first body
    leftovers: list[int] = field(default_factory=list)
    run: str = ""
    budget: int = 0

    @property
    def staged(self) -> bool:
        return bool(self.staging)

    @property
    def sizes(self) -> list[int]:
        return [len(b) for b in self.bodies]


# --------------------------------------------------------------------------- the plan


@dataclass(slots=True)
class _Content:
    """One owned tab's cells as serialised rows and format rectangles."""

    rows: list[bytes]  # each row's RowData, serialised
    big: list[dict[str, Any] | None]  # the row's dict when it is too large for one body
    rects: list[tuple[int, int, int, int, dict[str, Any]]]
    height: int  # rows the content spans
    width: int  # columns it spans


def plan_write(
    tabs: Sequence[Tab],
    sheets: Sequence[OutSheet],
    *,
    remove_kinds: Sequence[str] = (),
    formats: OwnedFormats = DEFAULT_FORMATS,
    budget: int,
    run: str,
    where: str,
) -> Plan:
    """Every body of the write, decided before anything is sent (errors raise here)."""
    check_outsheets(sheets, set(remove_kinds), google_tab_problem)
    live = [t for t in tabs if t.staging is None]
    plan = Plan(run=run, budget=budget, leftovers=[t.sheet_id for t in tabs if t.staging])
    planned, removed = plan_tabs(
        live,
        name_of=lambda t: t.title,
        kind_of=lambda t: t.owned_kind,
        sheets=sheets,
        remove_kinds=remove_kinds,
        where=where,
        container="spreadsheet",
    )
    taken = {t.sheet_id for t in tabs}
    slots = [p for p in planned if p.out is not None]
    # ids after the write: existing owned tabs keep theirs, new ones get fresh ones
    final: dict[int, int] = {}
    for i, slot in enumerate(slots):
        final[i] = slot.existing.sheet_id if slot.existing is not None else _fresh_id(taken)
    gids = {t.title: t.sheet_id for t in live if t not in removed}
    for i, slot in enumerate(slots):
        if slot.existing is not None:
            gids.pop(slot.existing.title, None)
        gids[slot.name] = final[i]
    cells = _CellWriter(gids, formats)
    contents: list[tuple[TabSlot[Tab], _Content, int, int]] = []  # (slot, content, offset, id)
    for i, slot in enumerate(slots):
        out = slot.out
        assert out is not None
        appending = (
            out.append is not None
            and slot.existing is not None
            and slot.existing.title == out.append.source
        )
        rows = out.rows if appending else out.all_rows()
        offset = out.append.after if appending and out.append is not None else 0
        contents.append((slot, _content(rows, cells), offset, final[i]))
        plan.written[out.name] = final[i]
        if slot.existing is not None:
            plan.replaced.append(out.name)
        else:
            plan.added.append(out.name)
    plan.removed = [t.title for t in removed]

    direct = _Bodies(budget)
    direct.add_all(_cleanup(plan.leftovers))
    for slot, content, offset, sid in contents:
        assert slot.out is not None
        direct.add_all(_before(slot, content, offset, sid))
        _add_content(direct, content, sid, offset)
        direct.add_all(_after(slot, content, sid, run))
    direct.add_all({"deleteSheet": {"sheetId": t.sheet_id}} for t in removed)
    if direct.single():
        plan.bodies = direct.finish()
        return plan

    # staged: content into hidden staging tabs first, then one small swap
    stage = _Bodies(budget)
    stage.add_all(_cleanup(plan.leftovers))
    staging_ids: list[int] = []
    for n, (slot, content, _offset, sid) in enumerate(contents):
        # a new tab's staging tab becomes the tab (its id is the final one); staging
        # tabs go at the end, so the new tabs end up there, in order
        staging_id = sid if slot.existing is None else _fresh_id(taken)
        staging_ids.append(staging_id)
        stage.add_all(_add_staging(staging_id, n, run, content))
    for (_slot, content, _offset, _sid), staging_id in zip(contents, staging_ids, strict=True):
        _add_content(stage, content, staging_id, 0)
    swap = _Bodies(budget)
    for (slot, content, offset, sid), staging_id in zip(contents, staging_ids, strict=True):
        assert slot.out is not None
        if slot.existing is None:
            swap.add_all(_promote(slot, content, sid, run))
        else:
            swap.add_all(_before(slot, content, offset, sid))
            if content.height and content.width:
                swap.add(
                    {
                        "copyPaste": {
                            "source": _range(staging_id, 0, content.height, 0, content.width),
                            "destination": _range(
                                sid, offset, offset + content.height, 0, content.width
                            ),
                            "pasteType": "PASTE_NORMAL",
                            "pasteOrientation": "NORMAL",
                        }
                    }
                )
            swap.add({"deleteSheet": {"sheetId": staging_id}})
        swap.add_all(_after(slot, content, sid, run))
    swap.add_all({"deleteSheet": {"sheetId": t.sheet_id}} for t in removed)
    if not swap.single():
        raise ConfigError(
            f"{where}: the final request of the write would pass [google] max_request_bytes",
            hint="raise [google] max_request_bytes (the final request holds no cells, only "
            "each tab's properties, widths and charts)",
        )
    plan.staging = staging_ids
    plan.bodies = [*stage.finish(), *swap.finish()]
    return plan


def _cleanup(leftovers: Sequence[int]) -> list[dict[str, Any]]:
    return [{"deleteSheet": {"sheetId": sid}} for sid in leftovers]


def _range(sid: int, r0: int, r1: int, c0: int, c1: int) -> dict[str, Any]:
    return {
        "sheetId": sid,
        "startRowIndex": r0,
        "endRowIndex": r1,
        "startColumnIndex": c0,
        "endColumnIndex": c1,
    }


def _grid(out: OutSheet, content: _Content, offset: int) -> dict[str, Any]:
    """The tab's grid, sized to its content (never padded), frozen rows kept valid."""
    rows = max(offset + content.height, 1)
    cols = max(content.width, len(out.col_widths), 1)
    for chart in out.charts:
        rows = max(rows, chart.anchor_row)
        cols = max(cols, chart.anchor_col)
    if out.freeze_rows > 0:
        rows = max(rows, out.freeze_rows + 1)
    grid: dict[str, Any] = {"rowCount": rows, "columnCount": min(cols, GOOGLE_MAX_COLUMNS)}
    grid["frozenRowCount"] = min(out.freeze_rows, rows - 1) if out.freeze_rows > 0 else 0
    return grid


def _markers(sid: int, kind: str | None, run: str, charts: list[int]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    pairs = [(RUN_KEY, run), (CHARTS_KEY, ",".join(map(str, charts)))]
    if kind is not None:
        pairs.insert(0, (OWNED_KEY, kind))
    for key, value in pairs:
        md: dict[str, Any] = {
            "metadataKey": key,
            "location": {"sheetId": sid},
            "visibility": "DOCUMENT",
        }
        if value:
            md["metadataValue"] = value
        out.append({"createDeveloperMetadata": {"developerMetadata": md}})
    return out


def _drop_marker(sid: int, key: str) -> dict[str, Any]:
    return {
        "deleteDeveloperMetadata": {
            "dataFilter": {
                "developerMetadataLookup": {
                    "metadataKey": key,
                    "metadataLocation": {"sheetId": sid},
                }
            }
        }
    }


def _chart_ids(out: OutSheet) -> list[int]:
    """Ids for the tab's new charts (random, so they do not meet a person's)."""
    return [secrets.randbelow(2**31 - 2) + 1 for _ in out.charts]


def _before(slot: TabSlot[Tab], content: _Content, offset: int, sid: int) -> list[dict[str, Any]]:
    """What goes before an owned tab's cells: create it, or resize and clear it."""
    out = slot.out
    assert out is not None
    grid = _grid(out, content, offset)
    tab = slot.existing
    if tab is None:  # a new tab (direct write): made with its final id
        props: dict[str, Any] = {
            "sheetId": sid,
            "title": out.name,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if out.hidden:
            props["hidden"] = True
        return [{"addSheet": {"properties": props}}]
    # the charts sheetsync added (all of them on a tab from before the marker)
    ours = tab.charts if tab.our_charts is None else [c for c in tab.charts if c in tab.our_charts]
    reqs: list[dict[str, Any]] = [{"deleteEmbeddedObject": {"objectId": c}} for c in ours]
    reqs += [{"deleteProtectedRange": {"protectedRangeId": p}} for p in tab.protections]
    reqs.append(_properties(out, sid, grid))
    if offset == 0:  # replaced: clear what was there (values, formats, notes, validation)
        reqs.append({"updateCells": {"range": {"sheetId": sid}, "fields": "*"}})
    reqs.append(_drop_marker(sid, RUN_KEY))
    reqs.append(_drop_marker(sid, CHARTS_KEY))
    return reqs


def _after(slot: TabSlot[Tab], content: _Content, sid: int, run: str) -> list[dict[str, Any]]:
    """What goes after an owned tab's cells: widths, charts, markers."""
    out = slot.out
    assert out is not None
    reqs: list[dict[str, Any]] = []
    width = _grid(out, content, 0)["columnCount"]
    for first, last, w in _width_runs(out.col_widths):
        if first >= width:
            break
        reqs.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sid,
                        "dimension": "COLUMNS",
                        "startIndex": first,
                        "endIndex": min(last, width),
                    },
                    "properties": {"pixelSize": _width_px(w)},
                    "fields": "pixelSize",
                }
            }
        )
    ids = _chart_ids(out)
    for chart, chart_id in zip(out.charts, ids, strict=True):
        req = _chart_request(out, chart, sid)
        req["addChart"]["chart"]["chartId"] = chart_id
        reqs.append(req)
    if out.protected:  # [sync] protect_owned_tabs
        reqs.append(protection_request(out, sid))
    kind = out.kind if slot.existing is None else None
    reqs.extend(_markers(sid, kind, run, ids))
    return reqs


def _add_staging(sid: int, n: int, run: str, content: _Content) -> list[dict[str, Any]]:
    props = {
        "sheetId": sid,
        "title": f"sheetsync staging {run[:8]} {n + 1}",
        "sheetType": "GRID",
        "hidden": True,
        "gridProperties": {
            "rowCount": max(content.height, 1),
            "columnCount": max(content.width, 1),
        },
    }
    return [
        {"addSheet": {"properties": props}},
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": STAGING_KEY,
                    "metadataValue": run,
                    "location": {"sheetId": sid},
                    "visibility": "DOCUMENT",
                }
            }
        },
    ]


def _promote(slot: TabSlot[Tab], content: _Content, sid: int, run: str) -> list[dict[str, Any]]:
    """A new owned tab in a staged write: its staging tab, renamed, shown, marked."""
    out = slot.out
    assert out is not None
    grid = _grid(out, content, 0)
    return [_properties(out, sid, grid), _drop_marker(sid, STAGING_KEY)]


def _properties(out: OutSheet, sid: int, grid: dict[str, Any]) -> dict[str, Any]:
    """The request that gives tab ``sid`` the owned tab's title, visibility and grid size."""
    return {
        "updateSheetProperties": {
            "properties": {
                "sheetId": sid,
                "title": out.name,
                "hidden": out.hidden,
                "gridProperties": grid,
            },
            "fields": "title,hidden,gridProperties.rowCount,gridProperties.columnCount,"
            "gridProperties.frozenRowCount",
        }
    }


# --------------------------------------------------------------------------- cells and bodies


def _content(rows: list[list[Any]], cells: _CellWriter) -> _Content:
    """An owned tab's rows as serialised RowData plus large format rectangles.

    Values (and small runs of formats, inline) go in the rows; a large
    rectangle of equal format becomes one ``repeatCell``, masked to the
    format's own fields so the links in the cells survive it.
    """
    row_data: list[dict[str, Any]] = []
    grid_formats: list[list[tuple[dict[str, Any] | None, bool]]] = []
    width = 0
    for row in rows:
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
        width = max(width, len(values))
        row_data.append({"values": values} if values else {})
        grid_formats.append(fmts)
    large: list[tuple[int, int, int, int, dict[str, Any]]] = []
    for r0, r1, c0, c1, fmt in _rectangles(grid_formats):
        width = max(width, c1)
        if (r1 - r0) * (c1 - c0) >= _MIN_RECTANGLE:
            large.append((r0, r1, c0, c1, fmt))
            continue
        for r in range(r0, r1):
            values = row_data[r].setdefault("values", [])
            while len(values) < c1:
                values.append({})
            for c in range(c0, c1):
                link = values[c].get("userEnteredFormat", {}).get("textFormat", {}).get("link")
                merged = dict(fmt)
                if link:
                    merged["textFormat"] = {**merged.get("textFormat", {}), "link": link}
                values[c]["userEnteredFormat"] = merged
    height = len(rows)
    while row_data and not row_data[-1]:
        row_data.pop()
    serial: list[bytes] = []
    big: list[dict[str, Any] | None] = []
    for data in row_data:
        raw = dumps(data)
        serial.append(raw)
        big.append(data if len(raw) > _ROW_PIECE else None)
    return _Content(serial, big, large, height, min(width, GOOGLE_MAX_COLUMNS))


#: A row serialised larger than this is written cell by cell (a cell holds at
#: most 50,000 characters, a few hundred kilobytes of JSON at worst).
_ROW_PIECE = 512 * 1024


class _Bodies:
    """Requests packed into bodies of at most ``budget`` bytes, in order."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.bodies: list[list[bytes]] = [[]]
        self.size = len(_PREFIX) + len(_SUFFIX)

    def single(self) -> bool:
        return len(self.bodies) == 1

    def room(self) -> int:
        """Bytes one more request may take in the current body."""
        return self.budget - self.size - (1 if self.bodies[-1] else 0)

    def add(self, request: dict[str, Any] | bytes) -> None:
        raw = request if isinstance(request, bytes) else dumps(request)
        if len(raw) > self.room() and self.bodies[-1]:
            self.next()
        if len(raw) > self.room():
            raise ValueError(f"a request of {len(raw)} bytes does not fit a body of {self.budget}")
        self.size += len(raw) + (1 if self.bodies[-1] else 0)
        self.bodies[-1].append(raw)

    def add_all(self, requests: Any) -> None:
        for r in requests:
            self.add(r)

    def next(self) -> None:
        if self.bodies[-1]:
            self.bodies.append([])
            self.size = len(_PREFIX) + len(_SUFFIX)

    def finish(self) -> list[bytes]:
        return [_PREFIX + b",".join(parts) + _SUFFIX for parts in self.bodies if parts]


def _cells_head(sid: int, row: int, col: int) -> bytes:
    return b'{"updateCells":{"start":{"sheetId":%d,"rowIndex":%d,"columnIndex":%d},"rows":[' % (
        sid,
        row,
        col,
    )


_CELLS_TAIL = b'],"fields":"' + _FIELDS.encode() + b'"}}'


def _add_content(bodies: _Bodies, content: _Content, sid: int, offset: int) -> None:
    """A tab's rows (as few ``updateCells`` as the budget allows), then its rectangles."""
    rows, n, i = content.rows, len(content.rows), 0
    while i < n:
        big = content.big[i]
        if big is not None:  # too large for one piece: cell by cell
            for j, cell in enumerate(big.get("values", [])):
                if cell:
                    bodies.add(
                        _cells_head(sid, offset + i, j) + dumps({"values": [cell]}) + _CELLS_TAIL
                    )
            i += 1
            continue
        head = _cells_head(sid, offset + i, 0)
        fixed = len(head) + len(_CELLS_TAIL)
        if bodies.room() < fixed + len(rows[i]):
            bodies.next()
        room = bodies.room() - fixed
        j, used = i, 0
        while j < n and content.big[j] is None:
            extra = len(rows[j]) + (1 if j > i else 0)
            if used + extra > room:
                break
            used += extra
            j += 1
        bodies.add(head + b",".join(rows[i:j]) + _CELLS_TAIL)
        i = j
    for r0, r1, c0, c1, fmt in content.rects:
        bodies.add(
            {
                "repeatCell": {
                    "range": _range(sid, offset + r0, offset + r1, c0, c1),
                    "cell": {"userEnteredFormat": fmt},
                    "fields": ",".join(_leaf_paths(fmt, "userEnteredFormat")),
                }
            }
        )


# --------------------------------------------------------------------------- helpers


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
_INTERNAL_LINK = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")


class _CellWriter:
    """OutCell values and styles → Sheets ``CellData`` (typed, never formulas)."""

    def __init__(self, gids: Mapping[str, int], formats: OwnedFormats) -> None:
        self.gids = dict(gids)
        self.gids_folded = {k.casefold(): v for k, v in gids.items()}
        shown = formats.for_google()  # no Buddhist-era year in Sheets: the ISO date instead
        self.numbers: dict[str, dict[str, Any]] = {
            "currency": {"type": "CURRENCY", "pattern": shown.currency},
            "integer": {"type": "NUMBER", "pattern": "#,##0"},
            "number": {"type": "NUMBER", "pattern": "#,##0.0"},
            "percent": {"type": "PERCENT", "pattern": shown.percent},
            "date": {"type": "DATE", "pattern": shown.date},
            "datetime": {"type": "DATE_TIME", "pattern": shown.datetime},
        }
        self._formats: dict[tuple[str | None, str], dict[str, Any] | None] = {}

    def fmt(self, style: str | None, value_kind: str) -> dict[str, Any] | None:
        key = (style, value_kind)
        if key not in self._formats:
            self._formats[key] = self._build(style, value_kind)
        return self._formats[key]

    def _build(self, style: str | None, value_kind: str) -> dict[str, Any] | None:
        f: dict[str, Any] = {}
        number = self.numbers.get(style or "")
        if number is None and value_kind in ("date", "datetime"):
            number = self.numbers[value_kind]
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
        value, style, link = cell_parts(item)
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
            entered = {
                "stringValue": cut_utf16(text, GOOGLE_MAX_CELL_TEXT)
            }  # text, never a formula
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
    rectangle instead of a format in every cell keeps the requests
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


def _chart_request(out: OutSheet, chart: ChartSpec, sheet_id: int) -> dict[str, Any]:
    """A native bar/column chart over the owned sheet's own cells.

    Series names come from the header row just above the data when it holds
    them (``headerCount`` 1): Sheets has no other way to label a series.
    """
    first, last = chart.first_row, max(chart.last_row, chart.first_row)
    header = first >= 2 and all(cell_at(out, first - 1, s.col) == s.name for s in chart.series)
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
