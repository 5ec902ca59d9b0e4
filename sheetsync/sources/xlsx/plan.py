"""The splice plan: where every owned tab goes, and the one pass that ties the parts.

:func:`splice` checks the tabs to write (names as Excel allows them,
ISO/IEC 29500-1 §18.2.19 and Excel's 31-character limit), plans where each
goes (:func:`_plan`, through :func:`..base.plan_tabs`: an owned tab is
replaced in place, a new one goes at the end, a person's tab with the name
refuses the run), then :func:`_build` renders and edits every part that
changes: the owned sheets (:mod:`.sheet`), their drawings and charts
(:mod:`.charts`), the styles (:mod:`.styles`), the calculation chain
(:mod:`.calcchain`), the workbook and its properties (:mod:`.workbook_edit`),
relationships and content types (:mod:`.opc`, ISO/IEC 29500-2 §9.1.2,
§9.3), and hands the result to :mod:`.zipwrite`.

What it may touch in a user's workbook: owned tabs and the parts only they
use; the parts that list tabs or styles, as described in those modules.
Every other member is copied as raw compressed bytes.  A part whose new
bytes equal its old ones keeps its original member, so an unchanged rerun
changes nothing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...outsheet import OutSheet
from .. import xlsx_append
from ..base import plan_tabs
from ..owned import DEFAULT_FORMATS, OwnedFormats, check_outsheets, excel_tab_problem
from .calcchain import _filter_calc_chain
from .charts import _chart_xml, _drawing_xml
from .opc import (
    CT_CHART,
    CT_DRAWING,
    CT_RELS,
    CT_STYLES,
    CT_WORKSHEET,
    RT_CALC_CHAIN,
    RT_CHART,
    RT_DRAWING,
    RT_STYLES,
    RT_WORKSHEET,
    _all_rels,
    _content_type,
    _ensure_ct,
    _exclusive_parts,
    _key,
    _norm,
    _Package,
    _Rel,
    _relative,
    _rels_name,
    _rels_xml,
)
from .sheet import _UNCHANGED, _CellWriter, _growing_member, _render_sheet
from .styles import MINIMAL_STYLES, _Styles
from .workbook import SheetEntry, _Book, _load_book
from .workbook_edit import _edit_app, _edit_workbook, _Slot
from .xmltext import _Doc, _esc_attr
from .zipwrite import _Changes, _write_zip


@dataclass(frozen=True)
class SpliceResult:
    """What :func:`splice` changed: part names (sorted) and tab names."""

    changed_parts: list[str]
    added_sheets: list[str] = field(default_factory=list)
    replaced_sheets: list[str] = field(default_factory=list)
    removed_sheets: list[str] = field(default_factory=list)


def _plan(
    path: Path, book: _Book, sheets: list[OutSheet], remove: set[str]
) -> tuple[list[_Slot], list[SheetEntry], list[int]]:
    """Decide where every output tab goes; raise before anything is written."""
    entries = book.entries
    index = {id(e): i for i, e in enumerate(entries)}
    planned, gone = plan_tabs(
        entries,
        name_of=lambda e: e.name,
        kind_of=lambda e: e.owned_kind,
        sheets=sheets,
        remove_kinds=remove,
        where=str(path),
        container="workbook",
    )
    slots = [
        _Slot(p.existing, index[id(p.existing)] if p.existing is not None else None, p.out, p.name)
        for p in planned
    ]
    removed = [index[id(e)] for e in gone]
    return slots, gone, removed


def splice(
    src: str | Path,
    dst: str | Path,
    sheets: list[OutSheet],
    *,
    formats: OwnedFormats = DEFAULT_FORMATS,
    remove_kinds: Iterable[str] = (),
) -> SpliceResult:
    """Write ``src`` with the owned tabs ``sheets`` into a complete new package at ``dst``.

    An owned tab (found by its marker's kind) is replaced in place: same part,
    same position, same sheetId, renamed if the name changed.  A new tab goes
    at the end.  A person's tab with the wanted name raises
    :class:`OwnershipError` and nothing is written.  Owned tabs whose kind is
    in ``remove_kinds`` are deleted with their drawings and charts.  Every
    other zip member is copied byte for byte (raw compressed data), so the
    user's content, and anything this code does not understand, survives.

    ``dst`` must be another path than ``src`` (the caller renames it into
    place, atomically, after checking the source did not change meanwhile).
    """
    src, dst = Path(src), Path(dst)
    if dst.exists() and src.exists() and dst.resolve() == src.resolve():
        raise ValueError("splice() writes a new file: dst must differ from src")
    outs = list(sheets)
    remove = set(remove_kinds)
    check_outsheets(outs, remove, excel_tab_problem)
    with _Package(src) as pkg:
        book = _load_book(src, pkg)
        slots, removed_entries, removed_idx = _plan(src, book, outs, remove)
        changes = _Changes(pkg)
        with src.open("rb") as raw:
            result = _build(src, book, slots, removed_entries, removed_idx, changes, formats, raw)
        _write_zip(pkg, dst, changes)
    return result


def _build(
    path: Path,
    book: _Book,
    slots: list[_Slot],
    removed_entries: list[SheetEntry],
    removed_idx: list[int],
    changes: _Changes,
    formats: OwnedFormats,
    src: Any = None,
) -> SpliceResult:
    pkg, wb, ct = book.pkg, book.wb, book.ct
    wb_dir = posixpath.dirname(book.wb_part)
    # names a new part must not take: listed in content types or targeted by a relationship
    ct_parts = {_key(el.get("PartName") or "") for el in ct.root.kids("Override")}
    ct_parts |= {_key(r.part) for r in book.rels if r.part}

    # -- styles -------------------------------------------------------------
    styles_rel = next((r for r in book.rels if r.type == RT_STYLES and r.part), None)
    styles_doc = pkg.doc(styles_rel.part) if styles_rel and styles_rel.part else None
    new_styles_rel: str | None = None
    if styles_doc is None:
        if styles_rel is not None and styles_rel.part:
            name = styles_rel.part  # the relationship exists, its part is missing
        else:
            name = posixpath.join(wb_dir, "styles.xml")
            if pkg.has(name) or _key(name) in ct_parts:
                name = changes.fresh(wb_dir, "styles", "xml", ct_parts)
        styles_doc = _Doc(name, MINIMAL_STYLES.encode("utf-8"), created=True)
        if styles_rel is None:
            new_styles_rel = name
    styles = _Styles(styles_doc)
    cells = _CellWriter(styles, book.epoch1904, formats)

    # -- parts the replaced/removed owned tabs leave behind ---------------------
    old_parts: dict[str, list[str]] = {}  # sheet part key -> exclusive dependents
    graph: dict[str, list[_Rel]] | None = None
    touched = [s.entry for s in slots if s.entry is not None and s.out is not None]
    for entry in [*touched, *removed_entries]:
        assert entry is not None and entry.part is not None
        if pkg.has(_rels_name(entry.part)):
            if graph is None:
                graph = _all_rels(pkg)
            old_parts[_key(entry.part)] = _exclusive_parts(graph, {_key(entry.part)})
        else:
            old_parts[_key(entry.part)] = []

    drop_parts: list[str] = []
    for entry in removed_entries:
        assert entry.part is not None
        drop_parts.append(entry.part)
        drop_parts.append(_rels_name(entry.part))
        for p in old_parts[_key(entry.part)]:
            drop_parts.extend((p, _rels_name(p)))

    # -- ids for new tabs ---------------------------------------------------------
    next_sheet_id = max([0, *(e.sheet_id for e in book.entries)]) + 1
    rid_taken = {r.id.lower() for r in book.rels}
    rid_num = max(
        [0, *(int(m.group(1)) for r in book.rels if (m := re.fullmatch(r"rId(\d+)", r.id)))]
    )
    new_rels: list[tuple[str, str, str]] = []  # (id, type, target)

    def new_rid() -> str:
        nonlocal rid_num
        rid_num += 1
        while f"rid{rid_num}" in rid_taken:
            rid_num += 1
        rid_taken.add(f"rid{rid_num}")
        return f"rId{rid_num}"

    content_adds: list[tuple[str, str]] = []
    added, replaced = [], []
    for slot in slots:
        out = slot.out
        if out is None:
            continue
        if slot.entry is not None:
            assert slot.entry.part is not None
            slot.part, slot.sheet_id, slot.r_id = (
                slot.entry.part,
                slot.entry.sheet_id,
                slot.entry.r_id,
            )
            replaced.append(out.name)
            previous = old_parts[_key(slot.part)]
        else:
            slot.part = changes.fresh(
                posixpath.join(wb_dir, "worksheets"), "sheet", "xml", ct_parts
            )
            slot.sheet_id = next_sheet_id
            next_sheet_id += 1
            slot.r_id = new_rid()
            new_rels.append((slot.r_id, RT_WORKSHEET, _relative(book.wb_part, slot.part)))
            content_adds.append((slot.part, CT_WORKSHEET))
            added.append(out.name)
            previous = []
        if out.grows:
            info = pkg.by_key.get(_key(slot.part)) if slot.entry is not None else None
            if info is not None and out.append is not None and slot.entry is not None:
                ok = slot.entry.name == out.append.source
            else:
                ok = False
            member = _growing_member(
                out,
                cells,
                src if ok else None,
                info if ok else None,
                (lambda part=slot.part: pkg.read(part, cache=False)) if ok else None,
            )
            if member is not None:
                for p in previous:
                    drop_parts.extend((p, _rels_name(p)))
                if member is _UNCHANGED:
                    changes.keep(slot.part)
                else:
                    changes.write_member(slot.part, member)
                changes.remove(_rels_name(slot.part))
                continue
        rendered = _render_sheet(out, cells)
        # reuse this tab's own old drawing/chart names so an unchanged rerun changes nothing
        pool_drawings = [p for p in previous if _content_type(ct, p) == CT_DRAWING]
        pool_charts = [p for p in previous if _content_type(ct, p) == CT_CHART]
        keep: set[str] = set()
        rels = rendered.rels
        if rendered.charts:
            drawing = pool_drawings.pop(0) if pool_drawings else None
            drawing = drawing or changes.fresh(
                posixpath.join(wb_dir, "drawings"), "drawing", "xml", ct_parts
            )
            keep.add(_key(drawing))
            rels[0] = (rels[0][0], RT_DRAWING, _relative(slot.part, drawing), False)
            drawing_rels = []
            for i, chart in enumerate(rendered.charts):
                chart_part = pool_charts.pop(0) if pool_charts else None
                chart_part = chart_part or changes.fresh(
                    posixpath.join(wb_dir, "charts"), "chart", "xml", ct_parts
                )
                keep.add(_key(chart_part))
                changes.write(chart_part, _chart_xml(out, chart))
                _ensure_ct(ct, chart_part, CT_CHART, content_adds)
                drawing_rels.append(
                    (f"rId{i + 1}", RT_CHART, _relative(drawing, chart_part), False)
                )
            changes.write(drawing, _drawing_xml(rendered.charts))
            changes.write(_rels_name(drawing), _rels_xml(drawing_rels))
            keep.add(_key(_rels_name(drawing)))
            _ensure_ct(ct, drawing, CT_DRAWING, content_adds)
        for p in previous:
            if _key(p) not in keep:
                drop_parts.append(p)
            if _key(_rels_name(p)) not in keep:
                drop_parts.append(_rels_name(p))  # e.g. an Excel-added chart style link
        changes.write(slot.part, rendered.xml)
        sheet_rels = _rels_name(slot.part)
        if rels:
            changes.write(sheet_rels, _rels_xml(rels))
        else:
            changes.remove(sheet_rels)

    # -- calcChain: owned sheets hold no formulas; drop entries of replaced/removed ones --
    stale_ids = {s.entry.sheet_id for s in slots if s.entry is not None and s.out is not None}
    stale_ids |= {e.sheet_id for e in removed_entries}
    calc_rel = next((r for r in book.rels if r.type == RT_CALC_CHAIN and r.part), None)
    drop_rel_ids = {e.r_id for e in removed_entries}
    if stale_ids and calc_rel is not None and calc_rel.part and pkg.has(calc_rel.part):
        calc = _filter_calc_chain(pkg, calc_rel.part, stale_ids)
        if calc is False:
            drop_parts.append(calc_rel.part)
            drop_rel_ids.add(calc_rel.id)
        elif calc is not None:
            changes.write(calc_rel.part, calc)

    written_sheets = {_key(s.part) for s in slots if s.out is not None}
    for p in drop_parts:
        if _key(p) not in written_sheets:
            changes.remove(p)
    gone = set(changes.removed)

    # -- workbook.xml ---------------------------------------------------------
    _edit_workbook(book, slots, removed_idx)

    # -- workbook rels ------------------------------------------------------------
    if new_styles_rel is not None:
        new_rels.append((new_rid(), RT_STYLES, _relative(book.wb_part, new_styles_rel)))
    for rel in book.rels:
        if rel.id in drop_rel_ids and rel.el is not None:
            book.wb_rels.remove(rel.el)
    if new_rels:
        xml = "".join(
            f'<{book.wb_rels.root.pfx()}Relationship Id="{rid}" Type="{rtype}" Target="{_esc_attr(t)}"/>'
            for rid, rtype, t in new_rels
        )
        book.wb_rels.append(book.wb_rels.root, xml)

    # -- styles ------------------------------------------------------------------
    styles.finish()
    if styles_doc.created:
        changes.write(styles_doc.name, styles_doc.result())
        _ensure_ct(ct, styles_doc.name, CT_STYLES, content_adds)
    elif styles_doc.edited():
        changes.write(styles_doc.name, styles_doc.result())

    # -- content types ---------------------------------------------------------------
    rels_default = any(
        (el.get("Extension") or "").lower() == "rels" for el in ct.root.kids("Default")
    )
    for k in sorted(set(changes.written) - set(pkg.by_key)):
        name = changes.written[k][0]
        if name.lower().endswith(".rels") and not rels_default:
            _ensure_ct(ct, name, CT_RELS, content_adds)
    for el in ct.root.kids("Override"):
        if _key(el.get("PartName") or "") in gone:
            ct.remove(el)
    if content_adds:
        p = ct.root.pfx()
        ct.append(
            ct.root,
            "".join(
                f'<{p}Override PartName="/{_esc_attr(name)}" ContentType="{ctype}"/>'
                for name, ctype in content_adds
            ),
        )

    # -- docProps/app.xml --------------------------------------------------------------
    _edit_app(book, slots, changes)

    for doc in (wb, book.wb_rels, ct):
        if doc.edited():
            changes.write(doc.name, doc.result())

    changed = set()
    for k, (name, data) in list(changes.written.items()):
        if k in pkg.by_key and pkg.read(name) == data:
            del changes.written[k]  # same bytes: keep the original member as it is
        else:
            changed.add(_norm(name))
    for k, (name, member) in list(changes.members.items()):
        if (
            k in pkg.by_key
            and member.plain is not None
            and xlsx_append.read_marker(pkg.by_key[k].extra) is not None
            and pkg.read(name) == member.plain
        ):
            del changes.members[k]  # written whole, same bytes, already appendable
        else:
            changed.add(_norm(name))
    changed |= {_norm(pkg.by_key[k].filename) for k in changes.removed}
    return SpliceResult(
        changed_parts=sorted(changed),
        added_sheets=added,
        replaced_sheets=replaced,
        removed_sheets=[e.name for e in removed_entries],
    )
