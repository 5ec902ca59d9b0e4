"""Reading the workbook part: its tabs, which of them sheetsync owns, and what it refuses.

``xl/workbook.xml`` (ISO/IEC 29500-1 §18.2: ``workbook`` §18.2.27,
``sheets``/``sheet`` §18.2.20/§18.2.19, ``definedName`` §18.2.5,
``workbookPr`` §18.2.28 with ``date1904``, ``calcPr`` §18.2.2) lists the
tabs in order; each refers through the workbook's relationships to its
part.  Ownership is a hidden sheet-scoped defined name ``sheetsync_owned``
whose value is the tab's kind (Excel re-indexes ``localSheetId`` when tabs
move, so it survives re-ordering, renaming and re-saving).

What is refused before any work (so a run never half-changes a file it must
not change): Strict Open XML (the Strict conformance class of ISO/IEC
29500-1 §2, whose namespaces differ), a digital signature (ISO/IEC 29500-2 §13),
protected structure (``workbookProtection``, §18.2.29), a password to modify
(``fileSharing``, §18.2.12) and legacy shared workbooks (revisions, §18.11).

What it may touch in a user's workbook: nothing; it only reads.  Editing
the tab list is :mod:`.workbook_edit`'s.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ...errors import SourceError, UnsupportedWorkbookError
from .opc import (
    _CONTENT_TYPES,
    NS_CT,
    NS_MAIN,
    NS_REL,
    NS_STRICT,
    RT_OFFICE_DOCUMENT,
    RT_REVISION_HEADERS,
    RT_SIGNATURE_ORIGIN,
    _content_type,
    _key,
    _norm,
    _Package,
    _read_rels,
    _Rel,
    _rels_name,
)
from .xmltext import _TRUE, _Doc, _El, _text_of

#: Prefix of every defined name sheetsync writes into a workbook.
OWNED_MARKER_PREFIX = "sheetsync"
#: The hidden, sheet-scoped defined name that marks a tab as sheetsync's.
OWNED_MARKER_NAME = f"{OWNED_MARKER_PREFIX}_owned"


_SHEET_TYPES = {
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlMacrosheet": "macrosheet",
    "xlIntlMacrosheet": "macrosheet",
}


@dataclass(frozen=True)
class SheetEntry:
    """One tab as listed in ``xl/workbook.xml``, with what we know of its part.

    ``part`` is the zip member that holds the sheet (``None`` when the
    relationship is broken); ``sheet_type`` is ``worksheet``, ``chartsheet``,
    ``dialogsheet``, ``macrosheet`` or ``unknown``; ``owned_kind`` is the kind
    recorded by sheetsync's ownership marker, ``None`` for a person's tab.
    """

    name: str
    sheet_id: int
    r_id: str
    part: str | None
    state: str
    owned_kind: str | None
    sheet_type: str = "worksheet"


@dataclass(frozen=True)
class WorkbookInfo:
    """What a workbook holds, as far as writing owned tabs back is concerned."""

    sheets: list[SheetEntry]
    epoch1904: bool
    is_xlsm: bool
    #: ``<calcPr fullCalcOnLoad="1">``: the writer asks for every formula to be
    #: recalculated when the file is opened, as scripts that cannot calculate
    #: do (xlsxwriter writes 0 as each formula's value and sets it).
    full_calc_on_load: bool = False


@dataclass
class _Book:
    """The parsed package-level parts of a workbook, ready to be edited."""

    pkg: _Package
    wb_part: str
    wb: _Doc
    wb_rels: _Doc
    rels: list[_Rel]
    ct: _Doc
    sheets_el: _El
    sheet_els: list[_El]
    entries: list[SheetEntry]
    epoch1904: bool
    is_xlsm: bool


def _load_book(path: Path, pkg: _Package, *, reading: bool = False) -> _Book:
    """Read and check the workbook-level parts; refuse what we must not change.

    With ``reading``, only what cannot be read is refused: a signed,
    protected or shared workbook is read like any other.
    """
    names = [_key(i.filename) for i in pkg.infos]
    if not reading and any(n.startswith("_xmlsignatures/") for n in names):
        raise _signed(path)
    if not pkg.has(_CONTENT_TYPES):
        raise SourceError(
            f"{path}: not an Office Open XML package ([Content_Types].xml is missing)",
            hint="open it in Excel and save it as .xlsx",
        )
    ct = pkg.doc(_CONTENT_TYPES)
    assert ct is not None
    if ct.root.uri != NS_CT:
        raise SourceError(f"{path}: the workbook is damaged ([Content_Types].xml is not valid)")

    wb_part = None
    root_rels_doc = pkg.doc("_rels/.rels")
    if root_rels_doc is not None:
        for rel in _read_rels(root_rels_doc, ""):
            if rel.type == RT_SIGNATURE_ORIGIN and not reading:
                raise _signed(path)
            if rel.type.startswith(NS_STRICT) and rel.type.endswith("/officeDocument"):
                raise _strict(path)
            if rel.type == RT_OFFICE_DOCUMENT and rel.part and wb_part is None:
                wb_part = rel.part
    if wb_part is None and pkg.has("xl/workbook.xml"):
        wb_part = "xl/workbook.xml"
    if wb_part is None or not pkg.has(wb_part):
        raise SourceError(
            f"{path}: not an Excel workbook (the package has no workbook part)",
            hint="open it in Excel and save it as .xlsx",
        )
    wb_part = _norm(pkg.by_key[_key(wb_part)].filename)
    wb = pkg.doc(wb_part)
    assert wb is not None
    if wb.root.uri and wb.root.uri.startswith(NS_STRICT):
        raise _strict(path)
    if wb.root.local == "workbook" and wb.root.uri != NS_MAIN:
        raise UnsupportedWorkbookError(
            f"{path}: the workbook uses an unknown spreadsheet format ({wb.root.uri or 'no namespace'})",
            hint="open it in a current Excel and save it as 'Excel Workbook (*.xlsx)'",
        )
    if wb.root.local != "workbook":
        raise SourceError(
            f"{path}: not an Excel workbook (its main part is a {wb.root.local!r} document)",
            hint="sheetsync reads .xlsx/.xlsm workbooks",
        )
    main_ct = _content_type(ct, wb_part) or ""
    is_xlsm = "macroenabled" in main_ct.lower() or path.suffix.lower() in (".xlsm", ".xltm")

    protection = None if reading else wb.root.kid("workbookProtection", NS_MAIN)
    if protection is not None and (protection.get("lockStructure") or "").lower() in _TRUE:
        raise UnsupportedWorkbookError(
            f"{path}: the workbook structure is protected, so tabs cannot be added or changed",
            hint="unprotect it in Excel (Review › Protect Workbook)",
        )
    sharing = None if reading else wb.root.kid("fileSharing", NS_MAIN)
    if sharing is not None and (sharing.get("reservationPassword") or sharing.get("hashValue")):
        raise UnsupportedWorkbookError(
            f"{path}: the workbook has a password to modify, so sheetsync will not change it",
            hint="remove it in Excel (File › Save As › Tools › General Options)",
        )

    rels_part = _rels_name(wb_part)
    wb_rels = pkg.doc(rels_part)
    if wb_rels is None:
        raise SourceError(
            f"{path}: the workbook is damaged ({rels_part} is missing)",
            hint="open it in Excel and save it again",
        )
    rels = _read_rels(wb_rels, wb_part)
    if not reading and (
        any(r.type == RT_REVISION_HEADERS for r in rels)
        or any(n.startswith("xl/revisions/") for n in names)
    ):
        raise UnsupportedWorkbookError(
            f"{path}: this is a shared workbook (legacy sharing with change tracking)",
            hint="turn sharing off in Excel (Review › Share Workbook) and save, then run again",
        )
    rel_by_id = {r.id: r for r in rels}

    pr = wb.root.kid("workbookPr", NS_MAIN)
    epoch1904 = pr is not None and (pr.get("date1904") or "").lower() in _TRUE

    sheets_el = wb.root.kid("sheets", NS_MAIN)
    if sheets_el is None:
        raise SourceError(f"{path}: the workbook is damaged (it lists no tabs)")
    sheet_els = list(sheets_el.kids("sheet", NS_MAIN))
    owned: dict[int, str] = {}
    names_el = wb.root.kid("definedNames", NS_MAIN)
    if names_el is not None:
        for dn in names_el.kids("definedName", NS_MAIN):
            kind = _marker_kind(wb.text, dn)
            if kind is not None:
                owned.setdefault(int(dn.get("localSheetId") or "0"), kind)
    entries = []
    for index, el in enumerate(sheet_els):
        rid = el.get("id", NS_REL) or ""
        rel = rel_by_id.get(rid)
        sheet_type = "unknown"
        part = None
        if rel is not None and rel.part is not None:
            sheet_type = _SHEET_TYPES.get(rel.type.rsplit("/", 1)[-1], "unknown")
            if pkg.has(rel.part):
                part = _norm(pkg.by_key[_key(rel.part)].filename)
        try:
            sheet_id = int(el.get("sheetId") or "")
        except ValueError:
            raise SourceError(
                f"{path}: the workbook is damaged (tab {el.get('name')!r} has no valid sheetId)"
            ) from None
        kind = owned.get(index) if sheet_type == "worksheet" and part else None
        entries.append(
            SheetEntry(
                name=el.get("name") or "",
                sheet_id=sheet_id,
                r_id=rid,
                part=part,
                state=el.get("state") or "visible",
                owned_kind=kind,
                sheet_type=sheet_type,
            )
        )
    return _Book(
        pkg, wb_part, wb, wb_rels, rels, ct, sheets_el, sheet_els, entries, epoch1904, is_xlsm
    )


def _marker_kind(text: str, dn: _El) -> str | None:
    """The kind recorded by one of our markers, or ``None`` for any other defined name."""
    if (dn.get("name") or "").lower() != OWNED_MARKER_NAME.lower():
        return None
    if not (dn.get("localSheetId") or "").isdigit():
        return None
    value = _text_of(text, dn).strip()
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return None
    return value[1:-1].replace('""', '"')


def _signed(path: Path) -> UnsupportedWorkbookError:
    return UnsupportedWorkbookError(
        f"{path}: the workbook is digitally signed; changing it would break the signature",
        hint="remove the signature in Excel (File › Info › View Signatures)",
    )


def _strict(path: Path) -> UnsupportedWorkbookError:
    return UnsupportedWorkbookError(
        f"{path}: the workbook is saved as 'Strict Open XML', which sheetsync cannot change",
        hint="save it from Excel as a regular 'Excel Workbook (*.xlsx)'",
    )


def inspect_workbook(path: str | Path, *, reading: bool = False) -> WorkbookInfo:
    """List a workbook's tabs, which of them sheetsync owns, and its date system.

    Raises :class:`SourceError` when the file cannot be read (missing, not a
    zip, encrypted, damaged) and :class:`UnsupportedWorkbookError` when it can
    be read but must not be changed (Strict OOXML, protected structure,
    signed, shared, password to modify) — so a run can refuse before doing
    any work, with a message saying what to do.  With ``reading`` (for a
    reader that never writes), only Strict OOXML is refused of the latter.
    """
    path = Path(path)
    with _Package(path) as pkg:
        book = _load_book(path, pkg, reading=reading)
        calc = book.wb.root.kid("calcPr", NS_MAIN)
        full_calc = calc is not None and (calc.get("fullCalcOnLoad") or "").lower() in _TRUE
        return WorkbookInfo(list(book.entries), book.epoch1904, book.is_xlsm, full_calc)


#: The name ``sources/excel.py`` uses.
read_workbook_info = inspect_workbook
