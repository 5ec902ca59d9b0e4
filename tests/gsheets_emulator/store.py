"""In-memory spreadsheets and the Sheets v4 operations on them.

A :class:`Spreadsheet` holds tabs (:class:`Sheet`) of cells stored sparsely
by row; every operation the emulator serves is a method here, independent of
HTTP.  ``batch_update`` applies its requests to a *copy* and returns it; the
server swaps it in only when every request succeeded, which is how Google's
batchUpdate is atomic.
"""

from __future__ import annotations

import copy
import random
import threading
from collections.abc import Iterable
from typing import Any

from . import a1, masks
from .cellvalues import effective, effective_json, formatted, parse_input, render
from .errors import MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, ApiError, invalid

DEFAULT_ROWS = 1000
DEFAULT_COLS = 26

DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

_rng = random.Random()
_rng_lock = threading.Lock()


def random_id() -> int:
    with _rng_lock:
        return _rng.randrange(1, 2**31 - 1)


# --------------------------------------------------------------------------- cells


class Cell:
    """One cell: entered value, entered format and the rest (note, validation…).

    Treated as immutable: updates build a new Cell, so copying a sheet for a
    transaction copies row dictionaries, not cells.
    """

    __slots__ = ("uev", "fmt", "extra")

    def __init__(
        self,
        uev: dict[str, Any] | None = None,
        fmt: dict[str, Any] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        self.uev = uev or None
        self.fmt = fmt or None
        self.extra = extra or None

    def empty(self) -> bool:
        return not self.uev and not self.fmt and not self.extra

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.uev:
            out["userEnteredValue"] = self.uev
        if self.fmt:
            out["userEnteredFormat"] = self.fmt
        if self.extra:
            out.update(self.extra)
        return out

    @staticmethod
    def from_json(data: dict[str, Any]) -> Cell | None:
        data = _prune(data)
        uev = data.pop("userEnteredValue", None)
        fmt = data.pop("userEnteredFormat", None)
        for readonly in ("effectiveValue", "formattedValue", "effectiveFormat", "hyperlink"):
            data.pop(readonly, None)
        cell = Cell(uev, fmt, data)
        return None if cell.empty() else cell


def _prune(value: Any) -> Any:
    """Drop proto3 defaults that mean "unset" (empty strings, empty messages)."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = _prune(v)
            if v is None or v == "" or v == {} or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


# --------------------------------------------------------------------------- sheets


class Sheet:
    def __init__(self, props: dict[str, Any]) -> None:
        self.props = props
        self.rows: dict[int, dict[int, Cell]] = {}
        self.merges: list[dict[str, Any]] = []
        self.charts: list[dict[str, Any]] = []
        self.row_meta: dict[int, dict[str, Any]] = {}
        self.col_meta: dict[int, dict[str, Any]] = {}
        self.basic_filter: dict[str, Any] | None = None
        self.protected: list[dict[str, Any]] = []
        self.row_groups: list[dict[str, Any]] = []
        self.col_groups: list[dict[str, Any]] = []

    def copy(self) -> Sheet:
        s = Sheet(copy.deepcopy(self.props))
        s.rows = {r: dict(cols) for r, cols in self.rows.items()}
        s.merges = copy.deepcopy(self.merges)
        s.charts = copy.deepcopy(self.charts)
        s.row_meta = copy.deepcopy(self.row_meta)
        s.col_meta = copy.deepcopy(self.col_meta)
        s.basic_filter = copy.deepcopy(self.basic_filter)
        s.protected = copy.deepcopy(self.protected)
        s.row_groups = copy.deepcopy(self.row_groups)
        s.col_groups = copy.deepcopy(self.col_groups)
        return s

    @property
    def id(self) -> int:
        return int(self.props.get("sheetId", 0))

    @property
    def title(self) -> str:
        return str(self.props.get("title", ""))

    @property
    def grid(self) -> dict[str, Any]:
        return self.props.setdefault("gridProperties", {})

    @property
    def nrows(self) -> int:
        return int(self.grid.get("rowCount", 0))

    @property
    def ncols(self) -> int:
        return int(self.grid.get("columnCount", 0))

    def get(self, r: int, c: int) -> Cell | None:
        row = self.rows.get(r)
        return row.get(c) if row else None

    def put(self, r: int, c: int, cell: Cell | None) -> None:
        if cell is None or cell.empty():
            row = self.rows.get(r)
            if row is not None:
                row.pop(c, None)
                if not row:
                    del self.rows[r]
            return
        self.rows.setdefault(r, {})[c] = cell

    def grow(self, rows: int, cols: int) -> None:
        if rows > self.nrows:
            self.grid["rowCount"] = rows
        if cols > self.ncols:
            self.grid["columnCount"] = cols

    def value_at(self, r: int, c: int, depth: int = 0) -> Any:
        cell = self.get(r, c)
        if cell is None or not cell.uev:
            return None
        if depth > 50:
            raise RecursionError
        return effective(cell.uev, lambda rr, cc: self.value_at(rr, cc, depth + 1))

    def cells_in(self, r0: int, r1: int, c0: int, c1: int) -> Iterable[tuple[int, int, Cell]]:
        for r in sorted(k for k in self.rows if r0 <= k < r1):
            row = self.rows[r]
            for c in sorted(k for k in row if c0 <= k < c1):
                yield r, c, row[c]

    def props_json(self) -> dict[str, Any]:
        p = legacy_colors(copy.deepcopy(self.props))
        g = p.get("gridProperties", {})
        for key in ("frozenRowCount", "frozenColumnCount"):
            if not g.get(key):
                g.pop(key, None)
        for key in ("hideGridlines", "rowGroupControlAfter", "columnGroupControlAfter"):
            if g.get(key) is False:
                g.pop(key, None)
        for key in ("hidden", "rightToLeft"):
            if p.get(key) is False:
                p.pop(key, None)
        return p


# --------------------------------------------------------------------------- spreadsheets


class Spreadsheet:
    def __init__(self, spreadsheet_id: str, title: str, owner: str | None = None) -> None:
        self.id = spreadsheet_id
        self.props: dict[str, Any] = {
            "title": title,
            "locale": "en_US",
            "autoRecalc": "ON_CHANGE",
            "timeZone": "Etc/GMT",
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        }
        self.sheets: list[Sheet] = []
        self.named_ranges: list[dict[str, Any]] = []
        self.metadata: list[dict[str, Any]] = []  # developer metadata, every location
        self.owner = owner
        self.writers: set[str] = set()
        self.readers: set[str] = set()

    def copy(self) -> Spreadsheet:
        s = Spreadsheet(self.id, "")
        s.props = copy.deepcopy(self.props)
        s.sheets = [sh.copy() for sh in self.sheets]
        s.named_ranges = copy.deepcopy(self.named_ranges)
        s.metadata = copy.deepcopy(self.metadata)
        s.owner, s.writers, s.readers = self.owner, set(self.writers), set(self.readers)
        return s

    # -- lookup ---------------------------------------------------------------

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        found = next((s for s in self.sheets if s.title == title), None)
        if found is None:
            low = title.casefold()
            found = next((s for s in self.sheets if s.title.casefold() == low), None)
        return found

    def reindex(self) -> None:
        for i, s in enumerate(self.sheets):
            s.props["index"] = i

    def resolve(self, text: str, *, writing: bool = False) -> tuple[Sheet, int, int, int, int]:
        """A1 text → (sheet, r0, r1, c0, c1), bounds resolved against the grid."""
        try:
            ref = a1.parse(text)
        except a1.A1Error:
            raise invalid(f"Unable to parse range: {text}") from None
        if ref.title is None:
            name = ref.name or ""
            sheet = self.sheet_by_title(name)
            if sheet is not None:
                return sheet, 0, sheet.nrows, 0, sheet.ncols
            named = self._named(name)
            if named is not None:
                return named
            cells = a1.parse_cells(name)
            if cells is None or not self.sheets:
                raise invalid(f"Unable to parse range: {text}")
            sheet = self.sheets[0]
            ref = a1.Ref(title=sheet.title, r0=cells[0], r1=cells[1], c0=cells[2], c1=cells[3])
        sheet = self.sheet_by_title(ref.title or "")
        if sheet is None:
            raise invalid(f"Unable to parse range: {text}")
        if ref.whole:
            return sheet, 0, sheet.nrows, 0, sheet.ncols
        if ref.name is not None:
            named = self._named(ref.name)
            if named is None:
                raise invalid(f"Unable to parse range: {text}")
            return named
        r0 = ref.r0 or 0
        c0 = ref.c0 or 0
        r1 = ref.r1 if ref.r1 is not None else sheet.nrows
        c1 = ref.c1 if ref.c1 is not None else sheet.ncols
        if not writing and (r1 > sheet.nrows or c1 > sheet.ncols):
            raise invalid(
                f"Range ({a1.quote_title(sheet.title)}!{_a1_body(r0, r1, c0, c1)}) exceeds grid limits. "
                f"Max rows: {sheet.nrows}, max columns: {sheet.ncols}"
            )
        return sheet, r0, max(r1, r0 + 1), c0, max(c1, c0 + 1)

    def _named(self, name: str) -> tuple[Sheet, int, int, int, int] | None:
        for nr in self.named_ranges:
            if nr.get("name") == name:
                return self.grid_range(nr.get("range", {}))
        return None

    def grid_range(self, gr: dict[str, Any]) -> tuple[Sheet, int, int, int, int]:
        sheet = self.sheet_by_id(int(gr.get("sheetId", 0)))
        if sheet is None:
            raise invalid(f"No grid with id: {gr.get('sheetId', 0)}")
        r0 = int(gr.get("startRowIndex", 0))
        r1 = int(gr.get("endRowIndex", sheet.nrows))
        c0 = int(gr.get("startColumnIndex", 0))
        c1 = int(gr.get("endColumnIndex", sheet.ncols))
        if r0 < 0 or c0 < 0 or r1 < r0 or c1 < c0:
            raise invalid(
                "Invalid range: the start index must be less than or equal to the end index."
            )
        return sheet, r0, r1, c0, c1

    # -- spreadsheets.get -----------------------------------------------------

    def to_json(
        self,
        *,
        include_grid: bool = False,
        ranges: list[str] | None = None,
        fields: str | None = None,
    ) -> dict[str, Any]:
        tree = masks.parse(fields) if fields else None
        want_data = masks.selects(tree, "sheets", "data") if tree is not None else include_grid
        data_ranges: dict[int, list[tuple[int, int, int, int]]] = {}
        for text in ranges or []:
            sheet, r0, r1, c0, c1 = self.resolve(text)
            data_ranges.setdefault(sheet.id, []).append((r0, r1, c0, c1))
        cell_tree = masks.subtree(tree, "sheets", "data", "rowData", "values") if tree else None
        sheets = []
        for sheet in self.sheets:
            if ranges and sheet.id not in data_ranges:
                continue
            sj = self.sheet_json(sheet)
            if want_data:
                spans = data_ranges.get(sheet.id) or [(0, sheet.nrows, 0, sheet.ncols)]
                sj["data"] = [self.grid_data(sheet, *span, cell_tree=cell_tree) for span in spans]
            sheets.append(sj)
        out: dict[str, Any] = {
            "spreadsheetId": self.id,
            "properties": copy.deepcopy(self.props),
            "sheets": sheets,
        }
        if self.named_ranges:
            out["namedRanges"] = [_drop_zero_sheet(copy.deepcopy(n)) for n in self.named_ranges]
        top_md = [self.md_json(m) for m in self.metadata if m["location"].get("spreadsheet")]
        if top_md:
            out["developerMetadata"] = top_md
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{self.id}/edit"
        if tree is not None:
            out = masks.select(out, tree)
        return out

    def md_json(self, md: dict[str, Any]) -> dict[str, Any]:
        out = copy.deepcopy(md)
        loc = out.get("location", {})
        if loc.get("spreadsheet"):
            out["location"] = {"locationType": "SPREADSHEET", "spreadsheet": True}
        elif "sheetId" in loc:
            out["location"] = {"locationType": "SHEET", "sheetId": loc["sheetId"]}
        return out

    def sheet_json(self, sheet: Sheet) -> dict[str, Any]:
        sj: dict[str, Any] = {"properties": sheet.props_json()}
        if sheet.merges:
            sj["merges"] = [_drop_zero_sheet(copy.deepcopy(m)) for m in sheet.merges]
        if sheet.charts:
            sj["charts"] = copy.deepcopy(sheet.charts)
        if sheet.protected:
            sj["protectedRanges"] = copy.deepcopy(sheet.protected)
        if sheet.basic_filter:
            sj["basicFilter"] = copy.deepcopy(sheet.basic_filter)
        md = [
            self.md_json(m)
            for m in self.metadata
            if not m["location"].get("spreadsheet") and m["location"].get("sheetId") == sheet.id
        ]
        if md:
            sj["developerMetadata"] = md
        if sheet.row_groups:
            sj["rowGroups"] = copy.deepcopy(sheet.row_groups)
        if sheet.col_groups:
            sj["columnGroups"] = copy.deepcopy(sheet.col_groups)
        return sj

    def cell_json(
        self, sheet: Sheet, r: int, c: int, cell: Cell, want: masks.Tree | None
    ) -> dict[str, Any]:
        out = legacy_colors(copy.deepcopy(cell.to_json()))

        def wanted(name: str) -> bool:
            return want is None or "*" in want or name in want

        if cell.uev and (wanted("effectiveValue") or wanted("formattedValue")):
            value = sheet.value_at(r, c)
            ev = effective_json(value)
            if ev is not None:
                out["effectiveValue"] = ev
                numfmt = (cell.fmt or {}).get("numberFormat")
                out["formattedValue"] = formatted(value, numfmt)
        if wanted("effectiveFormat") and (cell.uev or cell.fmt):
            eff = copy.deepcopy(self.props.get("defaultFormat", {}))
            _deep_merge(eff, cell.fmt or {})
            out["effectiveFormat"] = legacy_colors(eff)
        link = ((cell.fmt or {}).get("textFormat") or {}).get("link", {}).get("uri")
        if link and wanted("hyperlink"):
            out["hyperlink"] = link
        return out

    def grid_data(
        self,
        sheet: Sheet,
        r0: int,
        r1: int,
        c0: int,
        c1: int,
        *,
        cell_tree: masks.Tree | None = None,
    ) -> dict[str, Any]:
        gd: dict[str, Any] = {}
        if r0:
            gd["startRow"] = r0
        if c0:
            gd["startColumn"] = c0
        present = [
            r for r in sheet.rows if r0 <= r < r1 and any(c0 <= c < c1 for c in sheet.rows[r])
        ]
        if present:
            rows = []
            for r in range(r0, max(present) + 1):
                row = sheet.rows.get(r, {})
                cols = [c for c in row if c0 <= c < c1]
                if not cols:
                    rows.append({})
                    continue
                values = []
                for c in range(c0, max(cols) + 1):
                    cell = row.get(c)
                    values.append(self.cell_json(sheet, r, c, cell, cell_tree) if cell else {})
                rows.append({"values": values})
            gd["rowData"] = rows
        gd["rowMetadata"] = [{"pixelSize": 21, **sheet.row_meta.get(r, {})} for r in range(r0, r1)]
        gd["columnMetadata"] = [
            {"pixelSize": 100, **sheet.col_meta.get(c, {})} for c in range(c0, c1)
        ]
        return gd

    # -- values -----------------------------------------------------------------

    def values_get(
        self,
        text: str,
        *,
        major: str = "ROWS",
        option: str = "FORMATTED_VALUE",
        dt_option: str = "SERIAL_NUMBER",
    ) -> dict[str, Any]:
        sheet, r0, r1, c0, c1 = self.resolve(text)
        out: dict[str, Any] = {
            "range": a1.fmt_range(sheet.title, r0, r1, c0, c1),
            "majorDimension": major or "ROWS",
        }
        grid: dict[int, dict[int, Any]] = {}
        for r, c, cell in sheet.cells_in(r0, r1, c0, c1):
            if not cell.uev:
                continue
            formula = cell.uev.get("formulaValue")
            value = render(
                sheet.value_at(r, c),
                (cell.fmt or {}).get("numberFormat"),
                option or "FORMATTED_VALUE",
                dt_option or "SERIAL_NUMBER",
                formula,
            )
            if value is None or value == "":
                continue
            grid.setdefault(r - r0, {})[c - c0] = value
        if major == "COLUMNS":
            flipped: dict[int, dict[int, Any]] = {}
            for r, row in grid.items():
                for c, v in row.items():
                    flipped.setdefault(c, {})[r] = v
            grid = flipped
        if grid:
            values = []
            for i in range(max(grid) + 1):
                row = grid.get(i, {})
                values.append([row.get(j, "") for j in range(max(row) + 1)] if row else [])
            out["values"] = values
        return out

    def values_update(
        self, text: str, body: dict[str, Any], option: str, *, anchor: tuple[int, int] | None = None
    ) -> dict[str, Any]:
        sheet, r0, r1, c0, c1 = self.resolve(text, writing=True)
        if anchor is not None:
            r0, c0 = anchor
        values = body.get("values") or []
        major = body.get("majorDimension", "ROWS")
        if body.get("range"):
            other = self.resolve(body["range"], writing=True)
            if (other[0].id, other[1], other[3]) != (sheet.id, r0, c0) and anchor is None:
                raise invalid(
                    f"Requested writing within range [{text}], but tried writing to [{body['range']}]"
                )
        rows = values
        if major == "COLUMNS":
            width = max((len(col) for col in values), default=0)
            rows = [[col[i] if i < len(col) else None for col in values] for i in range(width)]
        n_rows = len(rows)
        n_cols = max((len(r) for r in rows), default=0)
        if anchor is None and (r1 - r0, c1 - c0) == (1, 1):
            anchor = (r0, c0)  # a single cell is where the values start
        if anchor is None:
            if n_rows > r1 - r0:
                raise invalid(
                    f"Requested writing within range [{text}], but tried writing to row [{r0 + n_rows}]"
                )
            if n_cols > c1 - c0:
                raise invalid(
                    f"Requested writing within range [{text}], but tried writing to column "
                    f"[{a1.col_letters(c0 + n_cols - 1)}]"
                )
        for row in rows:
            for value in row:
                if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                    raise invalid(
                        "Invalid data[0]: Your input contains more than the maximum of "
                        f"{MAX_CELL_CHARS} characters in a single cell."
                    )
        if c0 + n_cols > MAX_COLUMNS:
            raise invalid(
                "Invalid data[0]: This action would increase the number of columns in the sheet "
                f"above the limit of {MAX_COLUMNS} columns."
            )
        growth = (
            max(r0 + n_rows - sheet.nrows, 0) * max(sheet.ncols, c0 + n_cols)
            + max(c0 + n_cols - sheet.ncols, 0) * sheet.nrows
        )
        if growth and sum(s.nrows * s.ncols for s in self.sheets) + growth > MAX_CELLS:
            raise invalid(
                "Invalid data[0]: This action would increase the number of cells in the workbook "
                f"above the limit of {MAX_CELLS} cells."
            )
        sheet.grow(r0 + n_rows, c0 + n_cols)
        cells = 0
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if value is None:
                    continue
                cells += 1
                uev, numfmt = parse_input(value, option)
                old = sheet.get(r0 + i, c0 + j)
                fmt = dict(old.fmt) if old and old.fmt else {}
                if numfmt is not None and "numberFormat" not in fmt:
                    fmt["numberFormat"] = numfmt
                sheet.put(r0 + i, c0 + j, Cell(uev, fmt, old.extra if old else None))
        out: dict[str, Any] = {"spreadsheetId": self.id}
        if n_rows and n_cols:
            out["updatedRange"] = a1.fmt_range(sheet.title, r0, r0 + n_rows, c0, c0 + n_cols)
            out["updatedRows"] = sum(1 for r in rows if any(v is not None for v in r))
            out["updatedColumns"] = len({j for r in rows for j, v in enumerate(r) if v is not None})
            out["updatedCells"] = cells
        else:
            out["updatedRange"] = a1.fmt_range(sheet.title, r0, r0 + 1, c0, c0 + 1)
        for key in ("updatedRows", "updatedColumns", "updatedCells"):
            if not out.get(key):
                out.pop(key, None)
        return out

    def values_clear(self, text: str) -> dict[str, Any]:
        sheet, r0, r1, c0, c1 = self.resolve(text)
        for r, c, cell in list(sheet.cells_in(r0, r1, c0, c1)):
            sheet.put(r, c, Cell(None, cell.fmt, cell.extra))
        return {"spreadsheetId": self.id, "clearedRange": a1.fmt_range(sheet.title, r0, r1, c0, c1)}

    def values_append(
        self, text: str, body: dict[str, Any], option: str, insert: str
    ) -> dict[str, Any]:
        """Append after the "table" found at the range, the way Sheets does in the common cases.

        From the range's first cell: an empty cell there means no table (the
        values go there); otherwise the table is the block of filled cells
        running right from it and down while rows are filled.  A whole-tab
        range looks at the last filled row's last block of cells.
        """
        sheet, r0, r1, c0, c1 = self.resolve(text, writing=True)

        def filled(r: int, c: int) -> bool:
            cell = sheet.get(r, c)
            return bool(cell and cell.uev)

        out: dict[str, Any] = {"spreadsheetId": self.id}
        whole = r0 == 0 and c0 == 0 and r1 == sheet.nrows and c1 == sheet.ncols
        start_r, start_c = r0, c0
        if whole:
            used = [r for r, row in sheet.rows.items() if any(cell.uev for cell in row.values())]
            if used:
                last = max(used)
                cols = sorted(c for c, cell in sheet.rows[last].items() if cell.uev)
                start_c = cols[-1]
                while start_c - 1 >= 0 and filled(last, start_c - 1):
                    start_c -= 1
                start_r = last
                while start_r - 1 >= 0 and filled(start_r - 1, start_c):
                    start_r -= 1
        end_r = start_r
        end_c = start_c
        if filled(start_r, start_c):
            while filled(end_r, start_c):
                end_r += 1
            while filled(start_r, end_c):
                end_c += 1
            out["tableRange"] = a1.fmt_range(sheet.title, start_r, end_r, start_c, end_c)
        values = body.get("values") or []
        if insert == "INSERT_ROWS" and values:
            self._shift_rows(sheet, end_r, len(values))
        out["updates"] = self.values_update(
            a1.fmt_range(sheet.title, end_r, end_r + 1, start_c, start_c + 1),
            body,
            option,
            anchor=(end_r, start_c),
        )
        return out

    def _shift_rows(self, sheet: Sheet, at: int, count: int) -> None:
        moved = {}
        for r in sorted(sheet.rows):
            moved[r + count if r >= at else r] = sheet.rows[r]
        sheet.rows = moved
        sheet.grid["rowCount"] = sheet.nrows + count


def _a1_body(r0: int, r1: int, c0: int, c1: int) -> str:
    return a1.fmt_range("x", r0, r1, c0, c1).split("!", 1)[1]


def _drop_zero_sheet(gr: dict[str, Any]) -> dict[str, Any]:
    rng = gr.get("range", gr)
    if isinstance(rng, dict) and rng.get("sheetId") == 0:
        rng.pop("sheetId")
    return gr


def _deep_merge(target: dict[str, Any], source: dict[str, Any]) -> None:
    for k, v in source.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            _deep_merge(target[k], v)
        else:
            target[k] = copy.deepcopy(v)


def check_not_hiding_all(ss: Spreadsheet, where: str) -> None:
    if ss.sheets and all(s.props.get("hidden") for s in ss.sheets):
        raise ApiError(400, f"Invalid {where}: You can't hide all the sheets in a document.")


#: Legacy color fields and the ``*Style`` fields that replaced them.  Google
#: keeps one value for both: the emulator stores the style and shows both.
COLOR_PAIRS = {
    "backgroundColor": "backgroundColorStyle",
    "foregroundColor": "foregroundColorStyle",
    "tabColor": "tabColorStyle",
    "color": "colorStyle",
}


def _drop_zero_components(color: Any) -> Any:
    """Google keeps 8 bits a channel (0.5 reads back as 0.49803922) and omits zeros."""
    if not isinstance(color, dict):
        return color
    out = {}
    for k, v in color.items():
        if k in ("red", "green", "blue") and isinstance(v, int | float):
            v = _float32_text(int(v * 255 + 1e-6) / 255)
            if v == 0:
                continue
        out[k] = v
    return out


def _float32_text(value: float) -> float:
    import struct

    (single,) = struct.unpack("f", struct.pack("f", float(value)))
    for digits in range(1, 10):
        number = float(f"{single:.{digits}g}")
        if struct.unpack("f", struct.pack("f", number))[0] == single:
            return int(number) if number.is_integer() else number
    return single


def canon_colors(value: Any) -> Any:
    """Input side: legacy colors become ``*Style.rgbColor``; zero components dropped."""
    if isinstance(value, list):
        return [canon_colors(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        if k in COLOR_PAIRS:
            style = COLOR_PAIRS[k]
            if style not in value:
                out[style] = {"rgbColor": _drop_zero_components(v)} if v is not None else None
            continue
        if k in COLOR_PAIRS.values() and isinstance(v, dict):
            v = dict(v)
            if "rgbColor" in v:
                if v["rgbColor"] is None:
                    v.pop("rgbColor")
                else:
                    v["rgbColor"] = _drop_zero_components(v["rgbColor"])
            out[k] = v if v else None
            continue
        out[k] = canon_colors(v)
    return out


def canon_tree(tree: Any) -> Any:
    """A field mask naming a legacy color names its style instead."""
    if not isinstance(tree, dict):
        return tree
    out: dict[str, Any] = {}
    for k, v in tree.items():
        out[COLOR_PAIRS.get(k, k)] = canon_tree(v)
    return out


def legacy_colors(value: Any) -> Any:
    """Output side: show ``X`` beside ``XStyle`` when the style is an RGB color."""
    if isinstance(value, list):
        return [legacy_colors(v) for v in value]
    if not isinstance(value, dict):
        return value
    out: dict[str, Any] = {}
    for k, v in value.items():
        legacy = next((lk for lk, sk in COLOR_PAIRS.items() if sk == k), None)
        if legacy and isinstance(v, dict) and "rgbColor" in v and legacy not in value:
            out[legacy] = copy.deepcopy(v["rgbColor"])
        out[k] = legacy_colors(v)
    return out
