"""Sheet protection without a password for an owned tab (``[sync] protect_owned_tabs``).

ECMA-376 Part 1 §18.3.1.85 (``sheetProtection``): a worksheet with
``sheet="1"`` and no ``algorithmName``/``hashValue``/``password`` is
protected, and Review › Unprotect Sheet lifts it without asking anything.
That is the point: it stops the accidental edit (a rep typing a note into
the Why column) without locking anyone out.  Which cells stay editable is a
property of each cell's format (§18.8.33 ``protection``, ``locked="0"``): the
Done and Note cells get a copy of their format with ``<protection
locked="0"/>``, and their columns (§18.3.1.13 ``col/@style``) get an
unlocked format so the empty cells below the list can be typed in too.

The worksheet XML given here is the one :mod:`.sheet` just rendered
for the tab (never a person's XML), so its cells and columns are found by
their exact spelling: ``<c r="N12"`` and ``<col min="14" max="14"``.  Every
format added is first looked for among the workbook's formats, so a second
run adds nothing and ``xl/styles.xml`` stays byte-identical.

What it may touch in a user's workbook: nothing of a person's; only the
``<sheetProtection>`` element of an owned tab's worksheet and the unlocked
formats it appends to ``xl/styles.xml`` (through :mod:`.styles`).
"""

from __future__ import annotations

import re
from typing import Any

from ...model import column_letter
from ...outsheet import OutSheet

#: What a protected owned tab still allows: widths and heights (people resize
#: columns to read), selecting any cell.  Sorting and filtering would move the
#: locked cells, which protection forbids anyway, so they are not offered.
SHEET_PROTECTION = (
    '<sheetProtection sheet="1" objects="1" scenarios="1" formatColumns="0" formatRows="0"/>'
)

_CELL = re.compile(r'<c r="([A-Z]+)(\d+)"( s="(\d+)")?')
_COL = re.compile(r'<col min="(\d+)" max="(\d+)"')
_UNLOCKED = '<protection locked="0"/>'


def unlocked_xf(styles: Any, base: int) -> int:
    """The index of a cell format like ``base`` but unlocked (found, or appended once)."""
    items = styles.items["cellXfs"]
    canon = items[base] if 0 <= base < len(items) else None
    attrs: dict[str, str]
    if canon is None or canon[0] == "mc":
        attrs = {"numFmtId": "0", "fontId": "0", "fillId": "0", "borderId": "0"}
    elif canon[0] == "ours":  # appended by this run: (marker, ((id name, value), …))
        ids = dict(canon[1])
        attrs = {k: str(v) for k, v in ids.items()}
        flags = {"numFmtId": "applyNumberFormat", "fontId": "applyFont", "fillId": "applyFill"}
        flags["borderId"] = "applyBorder"
        attrs |= {flags[k]: "1" for k, v in ids.items() if v and k in flags}
    else:  # one of the workbook's own: (local name, sorted attributes, children)
        attrs = dict(canon[1])
    attrs.setdefault("xfId", "0")
    attrs.pop("applyProtection", None)
    body = " ".join(f'{k}="{v}"' for k, v in attrs.items())
    return styles._find_or_add("cellXfs", f'<xf {body} applyProtection="1">{_UNLOCKED}</xf>')


def protect_sheet_xml(xml: str, out: OutSheet, styles: Any) -> str:
    """``xml`` of the owned tab ``out`` with its protection, when ``out.protected``."""
    if not out.protected:
        return xml
    editable = {column_letter(c): c for c in out.editable_cols}
    cache: dict[int, int] = {}

    def unlock(base: int) -> int:
        if base not in cache:
            cache[base] = unlocked_xf(styles, base)
        return cache[base]

    def cell(m: re.Match[str]) -> str:
        col, row = m.group(1), int(m.group(2))
        if col not in editable or row < out.editable_from_row:
            return m.group(0)
        return f'<c r="{col}{row}" s="{unlock(int(m.group(4) or 0))}"'

    def column(m: re.Match[str]) -> str:
        lo, hi = int(m.group(1)), int(m.group(2))
        if lo == hi and lo in out.editable_cols:
            return f'<col min="{lo}" max="{hi}" style="{unlock(0)}"'
        return m.group(0)

    if editable:
        xml = _CELL.sub(cell, xml)
        xml = _COL.sub(column, xml)
    if "</sheetData>" in xml:
        return xml.replace("</sheetData>", "</sheetData>" + SHEET_PROTECTION, 1)
    return xml.replace("<sheetData/>", "<sheetData/>" + SHEET_PROTECTION, 1)
