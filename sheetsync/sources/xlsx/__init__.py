"""Lossless write-back of sheetsync's own tabs into a user's ``.xlsx``/``.xlsm``.

Why not ``openpyxl.load_workbook(...).save(...)``: that round trip rebuilds
the whole package from openpyxl's object model and silently drops whatever it
does not model (shapes, sparklines, slicers, threaded comments, cached formula
values, chart extensions, custom XML…).  A user's workbook is theirs; we may
only touch the tabs we own.

So this package treats the workbook as what it is, an OPC zip package:

* the owned sheets (and their drawing/chart parts) are rendered here, as XML;
* the few package parts that *list* sheets or styles (``xl/workbook.xml``, its
  rels, ``[Content_Types].xml``, ``docProps/app.xml``, ``xl/styles.xml`` and,
  rarely, ``xl/calcChain.xml``) are edited *textually* at exact offsets found
  by a small position-keeping tokenizer, so the user's namespace prefixes,
  ``mc:Ignorable`` attributes, ``extLst`` blocks and formatting survive;
* every other member is copied as raw compressed bytes, in the same order.

Ownership is recorded in the workbook itself, as a hidden sheet-scoped defined
name ``sheetsync_owned`` whose value is the tab's ``kind``.  Excel keeps
defined names and re-indexes their ``localSheetId`` when tabs move, so
ownership survives the user re-ordering, renaming and re-saving.  A tab is
never considered ours because of its name alone.

One module per concern, each saying what it may touch in a user's workbook
(imports run one way: each module imports only those listed below it)::

    plan           splice(): check, plan and build; ties the others
    workbook_edit  xl/workbook.xml tab list and markers, docProps/app.xml titles
    workbook       reading xl/workbook.xml: tabs, ownership, refusals
    calcchain      xl/calcChain.xml entries of owned tabs
    charts         drawing and chart parts of owned tabs
    sheet          worksheet XML of owned tabs (cells, links, growing tabs)
    protection     sheet protection of owned tabs ([sync] protect_owned_tabs)
    styles         find-or-append in xl/styles.xml
    zipwrite       the new zip: changed members written, the rest copied raw
    opc            the package: part names, relationships, content types
    xmltext        position-keeping XML tokenizer and offset edits
"""

from __future__ import annotations

from .plan import SpliceResult, splice
from .workbook import (
    OWNED_MARKER_NAME,
    OWNED_MARKER_PREFIX,
    SheetEntry,
    WorkbookInfo,
    inspect_workbook,
    read_workbook_info,
)

__all__ = [
    "OWNED_MARKER_NAME",
    "OWNED_MARKER_PREFIX",
    "SheetEntry",
    "SpliceResult",
    "WorkbookInfo",
    "inspect_workbook",
    "read_workbook_info",
    "splice",
]
