"""``xl/calcChain.xml``: dropping the cells of owned tabs from the calculation chain.

The calculation chain (ISO/IEC 29500-1 §18.6: ``calcChain`` §18.6.2, ``c``
§18.6.1) lists the formula cells of every sheet in the order Excel last
calculated them; an entry for a cell that no longer holds a formula makes
Excel repair the file.  Owned tabs hold no formulas, so when one is replaced
or removed its entries go; a run of cells starts with an explicit sheet id
``i`` and later cells without one are on the same sheet.

What it may touch in a user's workbook: ``xl/calcChain.xml`` only, only to
remove ``<c>`` entries of the owned tabs' sheet ids (the whole part, and its
relationship, when nothing is left); the user's entries keep their order and
spelling.
"""

from __future__ import annotations

from .opc import _Package
from .xmltext import _as_int


def _filter_calc_chain(pkg: _Package, part: str, sheet_ids: set[int]) -> bytes | None | bool:
    """calcChain without the cells of ``sheet_ids``: bytes, ``None`` (unchanged), ``False`` (now empty)."""
    raw = pkg.read(part)
    if not any(f'i="{sid}"'.encode() in raw for sid in sheet_ids):
        return None  # a run of cells on a sheet always starts with an explicit i=
    doc = pkg.doc(part)
    assert doc is not None
    current = None
    kept = 0
    for el in doc.root.children:
        if el.local != "c":
            continue
        if el.get("i") is not None:  # without i, a cell is on the previous cell's sheet
            current = _as_int(el.get("i"))
        if current in sheet_ids:
            doc.remove(el)
        else:
            kept += 1
    if kept == 0:
        return False
    return doc.result()
