"""Editing the workbook's tab list: ``xl/workbook.xml`` and ``docProps/app.xml``.

Once the plan says which tab goes where (:class:`_Slot`, one per tab of the
result), :func:`_edit_workbook` edits ``xl/workbook.xml`` (ISO/IEC 29500-1
§18.2) textually: ``<sheet>`` elements removed, renamed, re-stated (hidden
or visible) or appended; ownership markers (``definedName`` §18.2.5) added
for new owned tabs, stale ones dropped, and every sheet-scoped name's
``localSheetId`` re-indexed as Excel does when tabs move; the active and
first tab of each ``workbookView`` (§18.2.30) kept on the same tab.
:func:`_edit_app` updates the worksheet titles in the extended properties
(``docProps/app.xml``, §22.2: ``HeadingPairs``, ``TitlesOfParts``) when
they are consistent with the workbook, and leaves them alone otherwise.

What it may touch in a user's workbook: those elements of those two parts,
at their exact offsets; a person's tab keeps its ``<sheet>`` element, its
defined names (only their ``localSheetId`` follows the tab) and its title.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import SourceError
from ...outsheet import OutSheet
from .opc import NS_MAIN, NS_REL, NS_VT, RT_EXTENDED_PROPS, _read_rels
from .workbook import OWNED_MARKER_NAME, SheetEntry, _Book, _marker_kind
from .xmltext import _El, _esc, _esc_attr, _text_of, _xml_safe
from .zipwrite import _Changes


@dataclass
class _Slot:
    """One tab of the resulting workbook, in tab order."""

    entry: SheetEntry | None  # the existing tab (kept or replaced), None for a new one
    old_index: int | None
    out: OutSheet | None  # what to write into it, None to leave it alone
    name: str
    sheet_id: int = 0
    r_id: str = ""
    part: str = ""


def _edit_workbook(book: _Book, slots: list[_Slot], removed_idx: list[int]) -> None:
    """Sheets list, ownership markers, localSheetId re-indexing, active tab."""
    wb = book.wb
    removed = set(removed_idx)
    index_map: dict[int, int] = {}
    for new_index, slot in enumerate(slots):
        if slot.old_index is not None:
            index_map[slot.old_index] = new_index
    p = book.sheets_el.pfx()
    rp = next(
        (pre for pre, uri in wb.root.nsmap.items() if uri == NS_REL and pre),
        None,
    )
    # <sheet> elements: removed, renamed/re-stated, added
    for i in removed:
        wb.remove(book.sheet_els[i])
    new_xml = []
    for slot in slots:
        if slot.out is None:
            continue
        state = "hidden" if slot.out.hidden else None
        if slot.old_index is not None:
            el = book.sheet_els[slot.old_index]
            changes: dict[str, str | None] = {}
            if el.get("name") != slot.name:
                changes["name"] = slot.name
            if (el.get("state") or "visible") != (state or "visible"):
                changes["state"] = state
            if changes:
                wb.set_attrs(el, changes)
        else:
            rid_attr = f'{rp}:id="{slot.r_id}"' if rp else f'xmlns:r="{NS_REL}" r:id="{slot.r_id}"'
            new_xml.append(
                f'<{p}sheet name="{_esc_attr(slot.name)}" sheetId="{slot.sheet_id}"'
                + (f' state="{state}"' if state else "")
                + f" {rid_attr}/>"
            )
    if new_xml:
        wb.append(book.sheets_el, "".join(new_xml))

    # defined names: re-index, drop those of removed tabs, add markers for new tabs
    names_el = wb.root.kid("definedNames", NS_MAIN)
    marked: set[int] = set()
    drop: list[_El] = []
    reindex: list[tuple[_El, int]] = []
    all_names = list(names_el.kids("definedName", NS_MAIN)) if names_el is not None else []
    for dn in all_names:
        local = dn.get("localSheetId")
        if local is None or not local.strip().isdigit():
            continue
        old = int(local)
        is_marker = _marker_kind(wb.text, dn) is not None
        if old in removed or (is_marker and old not in index_map):
            drop.append(dn)  # a name scoped to a deleted tab goes with it, as in Excel
            continue
        if old not in index_map:
            continue  # out of range already: not ours to fix
        if is_marker:
            slot = slots[index_map[old]]
            if slot.entry is None or slot.entry.owned_kind is None or old in marked:
                drop.append(dn)  # a stale marker (e.g. on a chartsheet): ownership is per tab
                continue
            marked.add(old)
        if index_map[old] != old:
            reindex.append((dn, index_map[old]))
    markers = []
    np = (names_el.pfx() if names_el is not None else p) or ""
    for new_index, slot in enumerate(slots):
        if slot.out is not None and (slot.entry is None or slot.entry.owned_kind is None):
            kind = slot.out.kind.replace('"', '""')
            markers.append(
                f'<{np}definedName name="{OWNED_MARKER_NAME}" localSheetId="{new_index}" hidden="1">'
                f"{_esc(chr(34) + kind + chr(34))}</{np}definedName>"
            )
    if names_el is not None and all_names and len(drop) == len(all_names) and not markers:
        wb.remove(names_el)  # no empty <definedNames/> left behind
    else:
        for dn in drop:
            wb.remove(dn)
        for dn, new_index in reindex:
            wb.set_attrs(dn, {"localSheetId": str(new_index)})
    if markers:
        if names_el is not None:
            wb.append(names_el, "".join(markers))
        else:
            anchor = book.sheets_el
            for tag in ("functionGroups", "externalReferences"):
                found = wb.root.kid(tag, NS_MAIN)
                if found is not None:
                    anchor = found
            wb.insert(anchor.end, f"<{p}definedNames>{''.join(markers)}</{p}definedNames>")

    # bookViews: keep the same tab active; only move it off a removed or hidden owned tab
    views = wb.root.kid("bookViews", NS_MAIN)
    count = len(slots)
    if views is not None:
        visible = [i for i, s in enumerate(slots) if _slot_visible(s)]
        for view in views.kids("workbookView", NS_MAIN):
            changes = {}
            for attr in ("activeTab", "firstSheet"):
                value = view.get(attr)
                if value is None or not value.strip().isdigit():
                    continue
                old = int(value)
                new = index_map.get(old)
                if new is None or new >= count:
                    new = visible[0] if visible else 0
                if (
                    attr == "activeTab"
                    and not _slot_visible(slots[new])
                    and slots[new].out is not None
                ):
                    new = visible[0] if visible else new
                if new != old:
                    changes[attr] = str(new)
            if changes:
                wb.set_attrs(view, changes)


def _slot_visible(slot: _Slot) -> bool:
    if slot.out is not None:
        return not slot.out.hidden
    assert slot.entry is not None
    return slot.entry.state == "visible"


def _edit_app(book: _Book, slots: list[_Slot], changes: _Changes) -> None:
    """Update the worksheet titles in ``docProps/app.xml`` when it is consistent; else leave it.

    The heading of the first HeadingPairs pair is localised ("Worksheets",
    "Arbeitsblätter"…), so it is recognised by position and by checking its
    count and titles against the workbook's worksheets, never by its text.
    """
    pkg = book.pkg
    app_part = None
    root_rels = pkg.doc("_rels/.rels")
    if root_rels is not None:
        app_part = next(
            (r.part for r in _read_rels(root_rels, "") if r.type == RT_EXTENDED_PROPS and r.part),
            None,
        )
    app_part = app_part or "docProps/app.xml"
    if not pkg.has(app_part):
        return
    try:
        app = pkg.doc(app_part)
    except SourceError:
        return
    assert app is not None
    hp = app.root.kid("HeadingPairs")
    tp = app.root.kid("TitlesOfParts")
    if hp is None or tp is None:
        return
    hv, tv = hp.kid("vector", NS_VT), tp.kid("vector", NS_VT)
    if hv is None or tv is None or hv.empty or tv.empty:
        return
    variants = list(hv.kids("variant", NS_VT))
    titles = list(tv.kids("lpstr", NS_VT))
    if len(variants) < 2 or len(titles) != len(tv.children):
        return
    count_el = variants[1].children[0] if variants[1].children else None
    if count_el is None or count_el.local not in ("i4", "int", "i2", "i8"):
        return
    counts = []
    for v in variants[1::2]:
        if not v.children or not _text_of(app.text, v.children[0]).strip().lstrip("-").isdigit():
            return
        counts.append(int(_text_of(app.text, v.children[0]).strip()))
    old_ws = [e.name for e in book.entries if e.sheet_type == "worksheet"]
    n = counts[0]
    if sum(counts) != len(titles) or n != len(old_ws) or n == 0:
        return
    if [_text_of(app.text, t) for t in titles[:n]] != old_ws:
        return
    new_ws = [s.name for s in slots if s.entry is None or s.entry.sheet_type == "worksheet"]
    if new_ws == old_ws:
        return
    tp_ = titles[0].pfx()
    app.replace(
        titles[0].start,
        titles[n - 1].end,
        "".join(f"<{tp_}lpstr>{_esc(_xml_safe(name))}</{tp_}lpstr>" for name in new_ws),
    )
    app.set_text(count_el, str(len(new_ws)))
    app.set_attrs(tv, {"size": str(len(titles) - n + len(new_ws))})
    changes.write(app.name, app.result())
