"""``spreadsheets.batchUpdate`` request kinds, each applied to a (copied) spreadsheet.

Implemented: what sheetsync sends (addSheet, deleteSheet,
updateSheetProperties, updateCells, repeatCell, addChart,
updateDimensionProperties, createDeveloperMetadata, updateDeveloperMetadata,
deleteDeveloperMetadata)
and what gspread's recorded tests send around them, so the contract replay
keeps the emulator's state in step with Google's (updateSpreadsheetProperties,
mergeCells, unmergeCells, named ranges, insert/deleteDimension, basic
filters).  Any other kind is answered 501 UNIMPLEMENTED, never silently
ignored.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import masks
from .errors import (
    MAX_CELL_CHARS,
    MAX_CELLS,
    MAX_COLUMNS,
    ApiError,
    cell_too_long,
    invalid,
    too_many_cells,
    too_many_columns,
)
from .store import (
    DEFAULT_COLS,
    DEFAULT_ROWS,
    Cell,
    Sheet,
    Spreadsheet,
    canon_colors,
    canon_tree,
    check_not_hiding_all,
    random_id,
)

Handler = Callable[[Spreadsheet, dict[str, Any], str], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        HANDLERS[name] = fn
        return fn

    return register


def apply(ss: Spreadsheet, requests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Apply every request in order to ``ss`` (a copy); raise on the first failure."""
    replies = []
    for i, req in enumerate(requests):
        kinds = [k for k in req if req[k] is not None]
        if len(kinds) != 1:
            raise invalid(f"Invalid requests[{i}]: exactly one kind of request must be set.")
        kind = kinds[0]
        fn = HANDLERS.get(kind)
        if fn is None:
            raise ApiError(501, f"the emulator does not implement {kind}", status="UNIMPLEMENTED")
        replies.append(fn(ss, req[kind], f"requests[{i}].{kind}"))
    return replies


def _sheet(ss: Spreadsheet, sheet_id: Any, where: str) -> Sheet:
    sheet = ss.sheet_by_id(int(sheet_id or 0))
    if sheet is None:
        raise invalid(f"Invalid {where}: No grid with id: {int(sheet_id or 0)}")
    return sheet


def _range(ss: Spreadsheet, gr: dict[str, Any], where: str) -> tuple[Sheet, int, int, int, int]:
    sheet = _sheet(ss, gr.get("sheetId", 0), where)
    r0 = int(gr.get("startRowIndex", 0))
    r1 = int(gr.get("endRowIndex", sheet.nrows))
    c0 = int(gr.get("startColumnIndex", 0))
    c1 = int(gr.get("endColumnIndex", sheet.ncols))
    if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
        raise invalid(f"Invalid {where}: the range's start must not be after its end.")
    if r1 > sheet.nrows or c1 > sheet.ncols:
        raise invalid(
            f"Invalid {where}: Range ({sheet.title}) exceeds grid limits. "
            f"Max rows: {sheet.nrows}, max columns: {sheet.ncols}"
        )
    return sheet, r0, r1, c0, c1


def _total_cells(ss: Spreadsheet) -> int:
    return sum(s.nrows * s.ncols for s in ss.sheets)


def _check_cells(ss: Spreadsheet, where: str) -> None:
    """Google's grid limits: 10,000,000 cells a spreadsheet, 18,278 columns a tab."""
    if any(s.ncols > MAX_COLUMNS for s in ss.sheets):
        raise too_many_columns(where)
    if _total_cells(ss) > MAX_CELLS:
        raise too_many_cells(where)


def check_text(uev: dict[str, Any] | None, where: str) -> None:
    """A cell's entered text (or formula) must hold at most 50,000 characters."""
    if uev:
        for key in ("stringValue", "formulaValue"):
            text = uev.get(key)
            if isinstance(text, str) and len(text) > MAX_CELL_CHARS:
                raise cell_too_long(where)


# --------------------------------------------------------------------------- sheets


@handler("addSheet")
def add_sheet(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    props = canon_colors(copy.deepcopy(body.get("properties", {})))
    sid = props.get("sheetId")
    if sid is None:
        sid = random_id()
        while ss.sheet_by_id(sid) is not None:
            sid = random_id()
    elif sid < 0:
        raise invalid(f"Invalid {where}: sheetId must be positive.")
    elif ss.sheet_by_id(sid) is not None:
        raise invalid(f"Invalid {where}: A sheet with the id {sid} already exists.")
    title = props.get("title")
    if not title:
        n = len(ss.sheets) + 1
        while ss.sheet_by_title(f"Sheet{n}") is not None:
            n += 1
        title = f"Sheet{n}"
    if ss.sheet_by_title(title) is not None:
        raise invalid(
            f'Invalid {where}: A sheet with the name "{title}" already exists. Please enter another name.'
        )
    index = props.get("index", len(ss.sheets))
    index = max(0, min(int(index), len(ss.sheets)))
    grid = dict(props.get("gridProperties", {}))
    grid.setdefault("rowCount", DEFAULT_ROWS)
    grid.setdefault("columnCount", DEFAULT_COLS)
    grid = {
        "rowCount": grid.pop("rowCount"),
        "columnCount": grid.pop("columnCount"),
        **grid,
    }
    if grid["rowCount"] < 1 or grid["columnCount"] < 1:
        raise invalid(f"Invalid {where}: a sheet needs at least one row and one column.")
    frozen = grid.get("frozenRowCount", 0)
    if frozen and frozen >= grid["rowCount"]:
        raise invalid(f"Invalid {where}: You can't freeze all visible rows on the sheet.")
    ordered: dict[str, Any] = {
        "sheetId": sid,
        "title": title,
        "index": index,
        "sheetType": props.get("sheetType", "GRID"),
        "gridProperties": grid,
    }
    for key, value in props.items():
        if key not in ordered and key not in ("sheetId", "title", "index", "sheetType"):
            ordered[key] = value
    sheet = Sheet(ordered)
    ss.sheets.insert(index, sheet)
    ss.reindex()
    check_not_hiding_all(ss, where)
    _check_cells(ss, where)
    return {"addSheet": {"properties": sheet.props_json()}}


@handler("deleteSheet")
def delete_sheet(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sid = int(body.get("sheetId", 0))
    sheet = ss.sheet_by_id(sid)
    if sheet is None:
        raise invalid(f"Invalid {where}: No sheet with id: {sid}")
    if len(ss.sheets) == 1:
        raise invalid(f"Invalid {where}: You can't remove all the sheets in a document.")
    ss.sheets.remove(sheet)
    ss.reindex()
    ss.metadata = [m for m in ss.metadata if _md_sheet(m) != sid]
    ss.named_ranges = [n for n in ss.named_ranges if n.get("range", {}).get("sheetId", 0) != sid]
    check_not_hiding_all(ss, where)
    return {}


def _md_sheet(md: dict[str, Any]) -> int | None:
    loc = md.get("location", {})
    if loc.get("spreadsheet"):
        return None
    if "sheetId" in loc:
        return int(loc["sheetId"])
    dim = loc.get("dimensionRange")
    if dim is not None:
        return int(dim.get("sheetId", 0))
    return None


@handler("updateSheetProperties")
def update_sheet_properties(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    props = body.get("properties", {})
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    sheet = _sheet(ss, props.get("sheetId", 0), where)
    props = canon_colors(props)
    tree = canon_tree(masks.parse(fields))
    before_title = sheet.title
    before_rows, before_cols = sheet.nrows, sheet.ncols
    target = copy.deepcopy(sheet.props)
    masks.apply_update(target, props, tree)
    target["sheetId"] = sheet.id
    new_title = target.get("title") or before_title
    if new_title != before_title:
        other = ss.sheet_by_title(new_title)
        if other is not None and other is not sheet:
            raise invalid(
                f'Invalid {where}: A sheet with the name "{new_title}" already exists. Please enter another name.'
            )
    target["title"] = new_title
    target.setdefault("sheetType", "GRID")
    grid = target.setdefault("gridProperties", {})
    grid.setdefault("rowCount", before_rows)
    grid.setdefault("columnCount", before_cols)
    if grid["rowCount"] < 1 or grid["columnCount"] < 1:
        raise invalid(f"Invalid {where}: a sheet needs at least one row and one column.")
    new_index = target.get("index", sheet.props.get("index", 0))
    sheet.props = target
    if masks.selects(tree, "index") and "index" in tree:
        ss.sheets.remove(sheet)
        # Google's index is "as it would be before the move"
        idx = int(new_index)
        old = ss.sheets.index(sheet) if sheet in ss.sheets else None
        del old
        ss.sheets.insert(max(0, min(idx, len(ss.sheets))), sheet)
    ss.reindex()
    if sheet.nrows < before_rows or sheet.ncols < before_cols:
        for r in [r for r in sheet.rows if r >= sheet.nrows]:
            del sheet.rows[r]
        for r in list(sheet.rows):
            for c in [c for c in sheet.rows[r] if c >= sheet.ncols]:
                del sheet.rows[r][c]
            if not sheet.rows[r]:
                del sheet.rows[r]
    check_not_hiding_all(ss, where)
    _check_cells(ss, where)
    return {}


@handler("updateSpreadsheetProperties")
def update_spreadsheet_properties(
    ss: Spreadsheet, body: dict[str, Any], where: str
) -> dict[str, Any]:
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    masks.apply_update(ss.props, body.get("properties", {}), masks.parse(fields))
    return {}


# --------------------------------------------------------------------------- cells


_FAST_KEYS = frozenset({"userEnteredValue", "userEnteredFormat", "note"})


def _is_fast(tree: masks.Tree) -> bool:
    return all(v is None and k in _FAST_KEYS for k, v in tree.items())


def _set_cell(
    sheet: Sheet,
    r: int,
    c: int,
    src: dict[str, Any],
    tree: masks.Tree,
    where: str,
    fast: bool = False,
) -> None:
    uev = src.get("userEnteredValue")
    if uev is not None and len(uev) > 1:
        raise invalid(f"Invalid {where}: only one kind of value may be set in userEnteredValue.")
    check_text(uev, where)
    cur = sheet.get(r, c)
    if fast:
        # whole top-level fields replaced: no need for the general mask walk
        new_uev = cur.uev if cur else None
        new_fmt = cur.fmt if cur else None
        extra = dict(cur.extra) if cur and cur.extra else {}
        if "userEnteredValue" in tree:
            new_uev = uev or None
        if "userEnteredFormat" in tree:
            new_fmt = src.get("userEnteredFormat") or None
        if "note" in tree:
            if src.get("note"):
                extra["note"] = src["note"]
            else:
                extra.pop("note", None)
        sheet.put(r, c, Cell(new_uev, new_fmt, extra or None))
        return
    data = cur.to_json() if cur else {}
    masks.apply_update(data, src, tree)
    for key in [k for k, v in data.items() if v is None]:
        del data[key]
    sheet.put(r, c, Cell.from_json(data))


def _canon_row(row: dict[str, Any]) -> dict[str, Any]:
    values = row.get("values")
    if not values:
        return row
    out = []
    for cell in values:
        if cell and "userEnteredFormat" in cell:
            cell = {**cell, "userEnteredFormat": canon_colors(cell["userEnteredFormat"])}
        out.append(cell)
    return {**row, "values": out}


@handler("updateCells")
def update_cells(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    tree = canon_tree(masks.parse(fields))
    fast = _is_fast(tree)
    rows = [_canon_row(row) for row in body.get("rows", []) or []]
    if "range" in body and "start" in body:
        raise invalid(f"Invalid {where}: only one of start and range may be set.")
    if "range" in body:
        sheet, r0, r1, c0, c1 = _range(ss, body["range"], where)
        if len(rows) > r1 - r0 or any(len(r.get("values", []) or []) > c1 - c0 for r in rows):
            raise invalid(f"Invalid {where}: the rows do not fit in the range.")
        for i in range(r0, r1):
            row = rows[i - r0].get("values", []) if i - r0 < len(rows) else []
            for j in range(c0, c1):
                src = row[j - c0] if j - c0 < len(row) else {}
                _set_cell(sheet, i, j, src or {}, tree, where, fast)
        return {}
    start = body.get("start", {})
    sheet = _sheet(ss, start.get("sheetId", 0), where)
    r0 = int(start.get("rowIndex", 0))
    c0 = int(start.get("columnIndex", 0))
    height = len(rows)
    width = max((len(r.get("values", []) or []) for r in rows), default=0)
    if r0 + height > sheet.nrows or c0 + width > sheet.ncols:
        raise invalid(
            f"Invalid {where}: Range ({sheet.title}) exceeds grid limits. "
            f"Max rows: {sheet.nrows}, max columns: {sheet.ncols}"
        )
    for i, row in enumerate(rows):
        for j, src in enumerate(row.get("values", []) or []):
            _set_cell(sheet, r0 + i, c0 + j, src or {}, tree, where, fast)
    return {}


@handler("repeatCell")
def repeat_cell(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    tree = canon_tree(masks.parse(fields))
    fast = _is_fast(tree)
    sheet, r0, r1, c0, c1 = _range(ss, body.get("range", {}), where)
    src = canon_colors(body.get("cell", {}) or {})
    for r in range(r0, r1):
        for c in range(c0, c1):
            _set_cell(sheet, r, c, src, tree, where, fast)
    return {}


@handler("mergeCells")
def merge_cells(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = _range(ss, body.get("range", {}), where)
    kind = body.get("mergeType", "MERGE_ALL")
    if kind == "MERGE_COLUMNS":
        pieces = [(r0, r1, c, c + 1) for c in range(c0, c1)]
    elif kind == "MERGE_ROWS":
        pieces = [(r, r + 1, c0, c1) for r in range(r0, r1)]
    else:
        pieces = [(r0, r1, c0, c1)]
    for pr0, pr1, pc0, pc1 in pieces:
        if (pr1 - pr0) * (pc1 - pc0) <= 1:
            continue
        inside = [m for m in sheet.merges if _within(m, (pr0, pr1, pc0, pc1))]
        sheet.merges = [m for m in sheet.merges if m not in inside]
        for m in sheet.merges:
            if _overlap((pr0, pr1, pc0, pc1), m):
                raise invalid(
                    f"Invalid {where}: You can't merge cells that intersect an existing merge."
                )
        for r, c, cell in list(sheet.cells_in(pr0, pr1, pc0, pc1)):
            if (r, c) != (pr0, pc0):
                sheet.put(r, c, Cell(None, cell.fmt, cell.extra))
        sheet.merges.append(
            {
                "sheetId": sheet.id,
                "startRowIndex": pr0,
                "endRowIndex": pr1,
                "startColumnIndex": pc0,
                "endColumnIndex": pc1,
            }
        )
    return {}


def _within(m: dict[str, Any], span: tuple[int, int, int, int]) -> bool:
    r0, r1, c0, c1 = span
    return (
        r0 <= m["startRowIndex"]
        and m["endRowIndex"] <= r1
        and c0 <= m["startColumnIndex"]
        and m["endColumnIndex"] <= c1
    )


def _overlap(span: tuple[int, int, int, int], m: dict[str, Any]) -> bool:
    r0, r1, c0, c1 = span
    return not (
        m["endRowIndex"] <= r0
        or m["startRowIndex"] >= r1
        or m["endColumnIndex"] <= c0
        or m["startColumnIndex"] >= c1
    )


@handler("unmergeCells")
def unmerge_cells(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, r0, r1, c0, c1 = _range(ss, body.get("range", {}), where)
    sheet.merges = [m for m in sheet.merges if not _overlap((r0, r1, c0, c1), m)]
    return {}


# --------------------------------------------------------------------------- dimensions


def _dimension(ss: Spreadsheet, dr: dict[str, Any], where: str) -> tuple[Sheet, bool, int, int]:
    sheet = _sheet(ss, dr.get("sheetId", 0), where)
    rows = dr.get("dimension") == "ROWS"
    if dr.get("dimension") not in ("ROWS", "COLUMNS"):
        raise invalid(f"Invalid {where}: dimension must be ROWS or COLUMNS.")
    count = sheet.nrows if rows else sheet.ncols
    start = int(dr.get("startIndex", 0))
    end = int(dr.get("endIndex", count))
    if start < 0 or end < start:
        raise invalid(f"Invalid {where}: the start index must be before the end index.")
    return sheet, rows, start, end


@handler("updateDimensionProperties")
def update_dimension_properties(
    ss: Spreadsheet, body: dict[str, Any], where: str
) -> dict[str, Any]:
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    if "range" not in body:
        raise invalid(f"Invalid {where}: range is required.")
    sheet, rows, start, end = _dimension(ss, body["range"], where)
    count = sheet.nrows if rows else sheet.ncols
    if end > count:
        raise invalid(
            f"Invalid {where}: Range ({sheet.title}) exceeds grid limits. "
            f"Max {'rows' if rows else 'columns'}: {count}"
        )
    tree = masks.parse(fields)
    props = body.get("properties", {})
    if props.get("pixelSize", 1) < 0:
        raise invalid(f"Invalid {where}: pixelSize must not be negative.")
    meta = sheet.row_meta if rows else sheet.col_meta
    for i in range(start, end):
        cur = dict(meta.get(i, {}))
        masks.apply_update(cur, props, tree)
        if cur:
            meta[i] = cur
        else:
            meta.pop(i, None)
    return {}


@handler("insertDimension")
def insert_dimension(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rows, start, end = _dimension(ss, body.get("range", {}), where)
    n = end - start
    if rows:
        sheet.rows = {(r + n if r >= start else r): v for r, v in sheet.rows.items()}
        sheet.grid["rowCount"] = sheet.nrows + n
    else:
        sheet.rows = {
            r: {(c + n if c >= start else c): cell for c, cell in v.items()}
            for r, v in sheet.rows.items()
        }
        sheet.grid["columnCount"] = sheet.ncols + n
    _check_cells(ss, where)
    return {}


@handler("appendDimension")
def append_dimension(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet = _sheet(ss, body.get("sheetId", 0), where)
    n = int(body.get("length", 0))
    if n < 1:
        raise invalid(f"Invalid {where}: length must be positive.")
    if body.get("dimension") == "ROWS":
        sheet.grid["rowCount"] = sheet.nrows + n
    elif body.get("dimension") == "COLUMNS":
        sheet.grid["columnCount"] = sheet.ncols + n
    else:
        raise invalid(f"Invalid {where}: dimension must be ROWS or COLUMNS.")
    _check_cells(ss, where)
    return {}


@handler("deleteDimension")
def delete_dimension(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rows, start, end = _dimension(ss, body.get("range", {}), where)
    n = end - start
    count = sheet.nrows if rows else sheet.ncols
    if end > count or n >= count:
        raise invalid(f"Invalid {where}: You can't delete all the rows or columns on the sheet.")
    if rows:
        sheet.rows = {
            (r - n if r >= end else r): v for r, v in sheet.rows.items() if not start <= r < end
        }
        sheet.grid["rowCount"] = sheet.nrows - n
    else:
        new_rows = {}
        for r, v in sheet.rows.items():
            row = {
                (c - n if c >= end else c): cell for c, cell in v.items() if not start <= c < end
            }
            if row:
                new_rows[r] = row
        sheet.rows = new_rows
        sheet.grid["columnCount"] = sheet.ncols - n
    return {}


# --------------------------------------------------------------------------- named ranges, filters


@handler("addNamedRange")
def add_named_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    nr = copy.deepcopy(body.get("namedRange", {}))
    name = nr.get("name", "")
    if not name or any(n.get("name") == name for n in ss.named_ranges):
        raise invalid(
            f"Invalid {where}: A named range with the name {name!r} already exists or is invalid."
        )
    _range(ss, nr.get("range", {}), where)
    nr["namedRangeId"] = nr.get("namedRangeId") or str(random_id())
    ordered = {"namedRangeId": nr.pop("namedRangeId"), "name": nr.pop("name"), **nr}
    ss.named_ranges.append(ordered)
    out = copy.deepcopy(ordered)
    if out.get("range", {}).get("sheetId") == 0:
        out["range"].pop("sheetId")
    return {"addNamedRange": {"namedRange": out}}


@handler("deleteNamedRange")
def delete_named_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    nid = body.get("namedRangeId")
    before = len(ss.named_ranges)
    ss.named_ranges = [n for n in ss.named_ranges if n.get("namedRangeId") != nid]
    if len(ss.named_ranges) == before:
        raise invalid(f"Invalid {where}: No named range with id {nid}")
    return {}


@handler("updateNamedRange")
def update_named_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    src = body.get("namedRange", {})
    fields = body.get("fields")
    if not fields:
        raise invalid(f"Invalid {where}: At least one field must be specified in 'fields'.")
    for n in ss.named_ranges:
        if n.get("namedRangeId") == src.get("namedRangeId"):
            masks.apply_update(n, src, masks.parse(fields))
            n["namedRangeId"] = src.get("namedRangeId")
            return {}
    raise invalid(f"Invalid {where}: No named range with id {src.get('namedRangeId')}")


@handler("setBasicFilter")
def set_basic_filter(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    flt = copy.deepcopy(body.get("filter", {}))
    sheet, r0, r1, c0, c1 = _range(ss, flt.get("range", {}), where)
    rng = {"startRowIndex": r0, "endRowIndex": r1, "startColumnIndex": c0, "endColumnIndex": c1}
    if sheet.id:
        rng = {"sheetId": sheet.id, **rng}
    flt["range"] = rng
    sheet.basic_filter = flt
    return {}


@handler("clearBasicFilter")
def clear_basic_filter(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    _sheet(ss, body.get("sheetId", 0), where).basic_filter = None
    return {}


# --------------------------------------------------------------------------- charts


def _chart_sources(spec: dict[str, Any]) -> list[dict[str, Any]]:
    basic = spec.get("basicChart", {}) or {}
    out = []
    for group in ("domains", "series"):
        for item in basic.get(group, []) or []:
            data = item.get("domain" if group == "domains" else "series", {}) or {}
            out.extend((data.get("sourceRange", {}) or {}).get("sources", []) or [])
    return out


@handler("deleteEmbeddedObject")
def delete_embedded_object(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    object_id = int(body.get("objectId", 0))
    for sheet in ss.sheets:
        for chart in sheet.charts:
            if chart.get("chartId") == object_id:
                sheet.charts.remove(chart)
                if sheet.props.get("sheetType") == "OBJECT":  # a chart sheet goes with its chart
                    ss.sheets.remove(sheet)
                    ss.reindex()
                return {}
    raise invalid(f"Invalid {where}: No object with id {object_id}")


@handler("addChart")
def add_chart(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    chart = copy.deepcopy(body.get("chart", {}))
    spec = chart.get("spec")
    if not spec:
        raise invalid(f"Invalid {where}: chart.spec is required.")
    basic = spec.get("basicChart")
    if basic is not None:
        ctype = basic.get("chartType")
        if ctype in (None, "BASIC_CHART_TYPE_UNSPECIFIED"):
            raise invalid(f"Invalid {where}: basicChart.chartType is required.")
        for s in basic.get("series", []) or []:
            axis = s.get("targetAxis")
            if ctype == "BAR" and axis not in (None, "BOTTOM_AXIS"):
                raise invalid(f"Invalid {where}: a BAR chart's series must target the BOTTOM_AXIS.")
            if ctype == "COLUMN" and axis not in (None, "LEFT_AXIS", "RIGHT_AXIS"):
                raise invalid(
                    f"Invalid {where}: a COLUMN chart's series must target a vertical axis."
                )
    for src in _chart_sources(spec):
        _range(ss, src, where)
    pos = chart.get("position", {}) or {}
    overlay = pos.get("overlayPosition")
    if overlay:
        anchor = overlay.get("anchorCell", {})
        sheet = _sheet(ss, anchor.get("sheetId", 0), where)
        if anchor.get("rowIndex", 0) >= sheet.nrows or anchor.get("columnIndex", 0) >= sheet.ncols:
            raise invalid(f"Invalid {where}: the chart's anchor cell is outside the grid.")
    elif "sheetId" in pos:
        sheet = _sheet(ss, pos["sheetId"], where)
    elif pos.get("newSheet"):
        sid = random_id()
        sheet = Sheet(
            {
                "sheetId": sid,
                "title": f"Chart{len(ss.sheets) + 1}",
                "index": len(ss.sheets),
                "sheetType": "OBJECT",
                "gridProperties": {},
            }
        )
        ss.sheets.append(sheet)
        ss.reindex()
        chart["position"] = {"sheetId": sid}
    else:
        raise invalid(f"Invalid {where}: chart.position is required.")
    chart_id = chart.get("chartId") or random_id()
    if any(c.get("chartId") == chart_id for s in ss.sheets for c in s.charts):
        raise invalid(f"Invalid {where}: A chart with id {chart_id} already exists.")
    stored = {"chartId": chart_id, "spec": spec, "position": chart["position"]}
    sheet.charts.append(stored)
    return {"addChart": {"chart": copy.deepcopy(stored)}}


# --------------------------------------------------------------------------- protected ranges


def _whole_sheet(rng: dict[str, Any]) -> bool:
    return not any(
        k in rng for k in ("startRowIndex", "endRowIndex", "startColumnIndex", "endColumnIndex")
    )


@handler("addProtectedRange")
def add_protected_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    """As Google does: one protection of a whole sheet at most, and unprotected ranges only
    inside a protected sheet; editors cannot be set on a warning-only protection."""
    pr = copy.deepcopy(body.get("protectedRange", {}) or {})
    rng = pr.get("range")
    if rng is None:
        raise invalid(f"Invalid {where}: protectedRange.range is required.")
    sheet = _sheet(ss, rng.get("sheetId", 0), where)
    whole = _whole_sheet(rng)
    if pr.get("unprotectedRanges") and not whole:
        raise invalid(f"Invalid {where}: unprotectedRanges can only be set on a protected sheet.")
    for u in pr.get("unprotectedRanges", []) or []:
        if u.get("sheetId", 0) != rng.get("sheetId", 0):
            raise invalid(f"Invalid {where}: an unprotected range must be on the same sheet.")
        _range(ss, u, where)
    if pr.get("warningOnly") and pr.get("editors"):
        raise invalid(f"Invalid {where}: a warning-only protected range cannot have editors.")
    if whole and any(_whole_sheet(p.get("range", {})) for p in sheet.protected):
        raise invalid(f"Invalid {where}: the sheet is already protected.")
    if not whole:
        _range(ss, rng, where)
    pr["protectedRangeId"] = random_id()
    pr.setdefault("requestingUserCanEdit", True)
    sheet.protected.append(pr)
    return {"addProtectedRange": {"protectedRange": copy.deepcopy(pr)}}


@handler("deleteProtectedRange")
def delete_protected_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    wanted = int(body.get("protectedRangeId", 0))
    for sheet in ss.sheets:
        for pr in sheet.protected:
            if pr.get("protectedRangeId") == wanted:
                sheet.protected.remove(pr)
                return {}
    raise invalid(f"Invalid {where}: No protected range with id: {wanted}")


# --------------------------------------------------------------------------- developer metadata


def md_matches(ss: Spreadsheet, md: dict[str, Any], lookup: dict[str, Any]) -> bool:
    if "metadataId" in lookup and int(lookup["metadataId"]) != md["metadataId"]:
        return False
    if "metadataKey" in lookup and lookup["metadataKey"] != md.get("metadataKey"):
        return False
    if "metadataValue" in lookup and lookup["metadataValue"] != md.get("metadataValue"):
        return False
    if "visibility" in lookup and lookup["visibility"] != md.get("visibility"):
        return False
    loc = md.get("location", {})
    kind = "SPREADSHEET" if loc.get("spreadsheet") else "SHEET" if "sheetId" in loc else "ROW"
    if "locationType" in lookup and lookup["locationType"] != kind:
        return False
    want = lookup.get("metadataLocation")
    if want:
        if want.get("spreadsheet") and not loc.get("spreadsheet"):
            return False
        if "sheetId" in want and loc.get("sheetId") != want["sheetId"]:
            return False
    return True


@handler("createDeveloperMetadata")
def create_developer_metadata(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    md = copy.deepcopy(body.get("developerMetadata", {}))
    if not md.get("metadataKey"):
        raise invalid(f"Invalid {where}: developerMetadata.metadataKey is required.")
    if md.get("visibility") not in ("DOCUMENT", "PROJECT"):
        raise invalid(f"Invalid {where}: developerMetadata.visibility must be DOCUMENT or PROJECT.")
    loc = md.get("location", {})
    kinds = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if k in loc]
    if len(kinds) != 1:
        raise invalid(
            f"Invalid {where}: developerMetadata.location must name exactly one location."
        )
    if "sheetId" in loc:
        _sheet(ss, loc["sheetId"], where)
    elif "dimensionRange" in loc:
        _dimension(ss, loc["dimensionRange"], where)
    mid = md.get("metadataId")
    if mid is None:
        mid = random_id()
    elif any(m["metadataId"] == mid for m in ss.metadata):
        raise invalid(f"Invalid {where}: Developer metadata with id {mid} already exists.")
    stored = {
        "metadataId": mid,
        "metadataKey": md["metadataKey"],
        **({"metadataValue": md["metadataValue"]} if md.get("metadataValue") else {}),
        "location": {k: loc[k] for k in kinds},
        "visibility": md["visibility"],
    }
    ss.metadata.append(stored)
    return {"createDeveloperMetadata": {"developerMetadata": ss.md_json(stored)}}


@handler("deleteDeveloperMetadata")
def delete_developer_metadata(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    lookup = (body.get("dataFilter", {}) or {}).get("developerMetadataLookup")
    if not lookup:
        raise invalid(f"Invalid {where}: dataFilter.developerMetadataLookup is required.")
    gone = [m for m in ss.metadata if md_matches(ss, m, lookup)]
    ss.metadata = [m for m in ss.metadata if m not in gone]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": [ss.md_json(m) for m in gone]}}


_MD_FIELDS = ("metadataKey", "metadataValue", "location", "visibility")


@handler("updateDeveloperMetadata")
def update_developer_metadata(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    """Set ``fields`` of every entry the filters match to ``developerMetadata``'s values.

    Google requires at least one filter and one field (``*`` for all); the
    id cannot be changed.  Filters that match nothing change nothing (the
    reply lists no entry), as for ``deleteDeveloperMetadata``.
    """
    filters = body.get("dataFilters") or []
    if not filters:
        raise invalid(f"Invalid {where}: dataFilters must contain at least one filter.")
    fields = [f.strip() for f in str(body.get("fields", "")).split(",") if f.strip()]
    if not fields:
        raise invalid(f"Invalid {where}: fields must be specified.")
    if fields == ["*"]:
        fields = list(_MD_FIELDS)
    for f in fields:
        if f.split(".")[0] not in _MD_FIELDS:
            raise invalid(f"Invalid {where}: cannot update field '{f}' of developerMetadata.")
    new = body.get("developerMetadata", {}) or {}
    if "metadataKey" in fields and not new.get("metadataKey"):
        raise invalid(f"Invalid {where}: developerMetadata.metadataKey is required.")
    if "visibility" in fields and new.get("visibility") not in ("DOCUMENT", "PROJECT"):
        raise invalid(f"Invalid {where}: developerMetadata.visibility must be DOCUMENT or PROJECT.")
    matched: list[dict[str, Any]] = []
    for flt in filters:
        lookup = flt.get("developerMetadataLookup")
        if not lookup:
            raise invalid(f"Invalid {where}: only developerMetadataLookup filters are emulated.")
        for m in ss.metadata:
            if m not in matched and md_matches(ss, m, lookup):
                matched.append(m)
    for m in matched:
        for f in {f.split(".")[0] for f in fields}:
            if f == "location":
                loc = new.get("location", {}) or {}
                kinds = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if k in loc]
                if len(kinds) != 1:
                    raise invalid(
                        f"Invalid {where}: developerMetadata.location must name exactly one location."
                    )
                m["location"] = {k: loc[k] for k in kinds}
            elif f == "metadataValue" and not new.get("metadataValue"):
                m.pop("metadataValue", None)
            else:
                m[f] = new.get(f)
    # proto3 JSON leaves an empty repeated field out, as Google's answers do
    out = {"developerMetadata": [ss.md_json(m) for m in matched]} if matched else {}
    return {"updateDeveloperMetadata": out}


# --------------------------------------------------------------------------- sorting, copying, groups


def _sort_key_cmp(a: Any, b: Any, descending: bool) -> int:
    """Google's order: numbers, then text (case-insensitive), then booleans; blanks always last."""
    if a is None or b is None:
        return (a is None) - (b is None)

    def rank(v: Any) -> tuple[int, Any]:
        if isinstance(v, bool):
            return 2, v
        if isinstance(v, int | float):
            return 0, v
        return 1, str(v).casefold()

    ra, rb = rank(a), rank(b)
    result = (ra > rb) - (ra < rb)
    return -result if descending else result


@handler("sortRange")
def sort_range(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    import functools

    sheet, r0, r1, c0, c1 = _range(ss, body.get("range", {}), where)
    specs = body.get("sortSpecs", []) or []
    rows = [{c: sheet.get(r, c) for c in range(c0, c1)} for r in range(r0, r1)]
    values = [{c: sheet.value_at(r, c) for c in range(c0, c1)} for r in range(r0, r1)]
    order = list(range(len(rows)))

    def compare(i: int, j: int) -> int:
        for spec in specs:
            col = c0 + int(spec.get("dimensionIndex", 0))
            desc = spec.get("sortOrder") == "DESCENDING"
            result = _sort_key_cmp(values[i].get(col), values[j].get(col), desc)
            if result:
                return result
        return 0

    order.sort(key=functools.cmp_to_key(compare))
    for offset, src in enumerate(order):
        for c in range(c0, c1):
            sheet.put(r0 + offset, c, rows[src][c])
    return {}


def _copy_block(sheet: Sheet, r0: int, r1: int, c0: int, c1: int) -> list[list[Cell | None]]:
    return [[sheet.get(r, c) for c in range(c0, c1)] for r in range(r0, r1)]


@handler("copyPaste")
def copy_paste(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    src_sheet, r0, r1, c0, c1 = _range(ss, body.get("source", {}), where)
    dst_sheet, d0, d1, e0, e1 = _range(ss, body.get("destination", {}), where)
    block = _copy_block(src_sheet, r0, r1, c0, c1)
    h, w = r1 - r0, c1 - c0
    rows = max(d1 - d0, h) if (d1 - d0) % h else d1 - d0
    cols = max(e1 - e0, w) if (e1 - e0) % w else e1 - e0
    for i in range(rows):
        for j in range(cols):
            cell = block[i % h][j % w]
            if body.get("pasteType", "PASTE_NORMAL") == "PASTE_VALUES" and cell is not None:
                cell = Cell(cell.uev, None, None)
            dst_sheet.put(d0 + i, e0 + j, cell)
    return {}


@handler("cutPaste")
def cut_paste(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    src_sheet, r0, r1, c0, c1 = _range(ss, body.get("source", {}), where)
    dest = body.get("destination", {})
    dst_sheet = _sheet(ss, dest.get("sheetId", 0), where)
    d0, e0 = int(dest.get("rowIndex", 0)), int(dest.get("columnIndex", 0))
    block = _copy_block(src_sheet, r0, r1, c0, c1)
    for r in range(r0, r1):
        for c in range(c0, c1):
            src_sheet.put(r, c, None)
    for i, row in enumerate(block):
        for j, cell in enumerate(row):
            dst_sheet.put(d0 + i, e0 + j, cell)
    return {}


def _groups(sheet: Sheet, rows: bool) -> list[dict[str, Any]]:
    return sheet.row_groups if rows else sheet.col_groups


def _group_json(sheet: Sheet, group: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(group)
    if sheet.id:
        out["range"] = {"sheetId": sheet.id, **out["range"]}
    return out


@handler("addDimensionGroup")
def add_dimension_group(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rows, start, end = _dimension(ss, body.get("range", {}), where)
    groups = _groups(sheet, rows)
    sheet.grid.setdefault("rowGroupControlAfter" if rows else "columnGroupControlAfter", True)
    depth = 1 + sum(
        1 for g in groups if g["range"]["startIndex"] <= start and end <= g["range"]["endIndex"]
    )
    groups.append(
        {
            "range": {
                "dimension": "ROWS" if rows else "COLUMNS",
                "startIndex": start,
                "endIndex": end,
            },
            "depth": depth,
        }
    )
    groups.sort(key=lambda g: (g["depth"], g["range"]["startIndex"]))
    return {"addDimensionGroup": {"dimensionGroups": [_group_json(sheet, g) for g in groups]}}


@handler("deleteDimensionGroup")
def delete_dimension_group(ss: Spreadsheet, body: dict[str, Any], where: str) -> dict[str, Any]:
    sheet, rows, start, end = _dimension(ss, body.get("range", {}), where)
    groups = _groups(sheet, rows)
    match = [
        g for g in groups if g["range"]["startIndex"] == start and g["range"]["endIndex"] == end
    ]
    if not match:
        raise invalid(f"Invalid {where}: No dimension group in that range.")
    groups.remove(max(match, key=lambda g: g["depth"]))
    reply: dict[str, Any] = {}
    if groups:
        reply["dimensionGroups"] = [_group_json(sheet, g) for g in groups]
    return {"deleteDimensionGroup": reply}
