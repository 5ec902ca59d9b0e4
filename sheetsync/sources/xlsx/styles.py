"""``xl/styles.xml``: find-or-append of the cell formats owned tabs need.

The stylesheet (ISO/IEC 29500-1 §18.8: ``numFmts`` §18.8.31, ``fonts``
§18.8.23, ``fills`` §18.8.21, ``borders`` §18.8.5, ``cellStyleXfs`` §18.8.9,
``cellXfs`` §18.8.10) is shared by every tab of the workbook, the user's
included, and cells refer to its formats by index.  So formats are never
renumbered or removed: each one an owned tab needs is first looked for among
the existing ones (structurally, so a re-save that respells them still
matches) and only appended when missing; a second run with the same styles
appends nothing and leaves the part byte-identical.

What it may touch in a user's workbook: ``xl/styles.xml`` only, and only by
appending items to those six collections and updating their ``count``
attributes (or creating a minimal stylesheet when the workbook has none).
The user's formats, their order, ``mc:AlternateContent`` items
(ISO/IEC 29500-3) and ``extLst`` stay as they are.

Why not xlsxwriter's ``Format``/styles writer: it writes a whole new
stylesheet numbered from zero, which would renumber the formats the user's
own cells use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from .opc import NS_MAIN
from .xmltext import _TRUE, _as_int, _Doc, _El, _esc_attr, _parse, _set_attrs

_FONT_SPECS: dict[str, dict[str, Any]] = {
    "bold": {"b": True},
    "title": {"b": True, "sz": "14"},
    "link": {"u": True, "color": '<color rgb="FF0563C1"/>'},
    "muted": {"color": '<color rgb="FF808080"/>'},
}
_HEADER_FILL = (
    '<fill><patternFill patternType="solid"><fgColor rgb="FFD9E1F2"/>'
    '<bgColor indexed="64"/></patternFill></fill>'
)
_HEADER_BORDER = '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border>'
_BUILTIN_FORMATS = {
    "General": 0,
    "0": 1,
    "0.00": 2,
    "#,##0": 3,
    "#,##0.00": 4,
    "0%": 9,
    "0.00%": 10,
}

#: The smallest stylesheet Excel opens (one font, the two fills it requires, one border,
#: the Normal style): a workbook that has none gets this one, as a new workbook does.
MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_STYLE_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs")
_SECTION_ITEM = {
    "numFmts": "numFmt",
    "fonts": "font",
    "fills": "fill",
    "borders": "border",
    "cellStyleXfs": "xf",
    "cellXfs": "xf",
}
_SECTION_SEED = {
    "fonts": ['<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'],
    "fills": [
        '<fill><patternFill patternType="none"/></fill>',
        '<fill><patternFill patternType="gray125"/></fill>',
    ],
    "borders": ["<border><left/><right/><top/><bottom/><diagonal/></border>"],
    "cellStyleXfs": ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'],
    "cellXfs": ['<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'],
}


_FONT_FLAGS = ("b", "i", "strike", "condense", "extend", "outline", "shadow")


def _canon(el: _El, text: str, ordered: bool = True) -> tuple[Any, ...]:
    """A structural fingerprint of an element: name, attributes, children (for find-or-append)."""
    kids = tuple(_canon(c, text) for c in el.children)
    if not ordered:
        kids = tuple(sorted(kids))
    attrs = {k: v for k, v in el.attrs.items() if not k.startswith("xmlns")}
    # spellings of the same thing: <b/> is <b val="1"/>, <u/> is <u val="single"/>
    val = attrs.get("val", "").lower()
    if len(attrs) == 1 and (
        (el.local in _FONT_FLAGS and val in _TRUE) or (el.local == "u" and val == "single")
    ):
        attrs = {}
    return (el.local, tuple(sorted(attrs.items())), kids)


class _Styles:
    """``xl/styles.xml`` with find-or-append of the formats our cells need.

    Each needed font/fill/border/number format/cell format is first looked for
    among the existing ones (structurally, so an Excel re-save that respells
    them still matches) and only appended when missing.  A second run with the
    same styles therefore appends nothing and leaves the part byte-identical.
    """

    def __init__(self, doc: _Doc) -> None:
        self.doc = doc
        root = doc.root
        self.p = root.pfx()
        self.sections: dict[str, _El | None] = {
            name: root.kid(name, NS_MAIN) for name in _STYLE_SECTIONS
        }
        self.items: dict[str, list[tuple[Any, ...]]] = {}
        self.new: dict[str, list[str]] = {name: [] for name in _STYLE_SECTIONS}
        for name in _STYLE_SECTIONS:
            el = self.sections[name]
            kids = [] if el is None else _style_items(el, _SECTION_ITEM[name])
            ordered = name != "fonts"  # a font's children may come in any order
            if el is None and name in _SECTION_SEED:
                self.new[name].extend(_SECTION_SEED[name])
                kids_canon = [_canon(_parse(x, "styles"), x, ordered) for x in _SECTION_SEED[name]]
            else:
                kids_canon = [
                    ("mc", i) if k.local == "AlternateContent" else _canon(k, doc.text, ordered)
                    for i, k in enumerate(kids)
                ]
            if name == "fills":
                while len(kids_canon) < 2:  # fills 0 and 1 are reserved by Excel
                    seed = _SECTION_SEED["fills"][len(kids_canon)]
                    self.new[name].append(seed)
                    kids_canon.append(_canon(_parse(seed, "styles"), seed))
            self.items[name] = kids_canon
        self.numfmts: dict[str, int] = {}
        self.numfmt_ids: set[int] = set()
        el = self.sections["numFmts"]
        if el is not None:
            for nf in _descendants(el, "numFmt"):
                try:
                    nid = int(nf.get("numFmtId") or "")
                except ValueError:
                    continue
                self.numfmt_ids.add(nid)
                self.numfmts.setdefault(nf.get("formatCode") or "", nid)
        fonts = self.sections["fonts"]
        # font 0 (the workbook's default font): our fonts copy its name, size and family
        base_text, base_el = doc.text, None
        first = _style_items(fonts, "font")[:1] if fonts is not None else []
        if first:
            base_el = next(_descendants(first[0], "font"), None)
        elif self.new["fonts"]:
            base_text = self.new["fonts"][0]
            base_el = _parse(base_text, "styles")
        self.base_font: dict[str, str] = {}
        for child in base_el.children if base_el is not None else []:
            if child.local in ("sz", "name", "family", "charset", "scheme", "color"):
                self.base_font[child.local] = base_text[child.start : child.end]
        self._xf_cache: dict[tuple[Any, ...], int] = {}

    # -- finding or appending one item ---------------------------------------

    def _find_or_add(self, section: str, xml: str, ordered: bool = True) -> int:
        canon = _canon(_parse(xml, "styles"), xml, ordered)
        items = self.items[section]
        for index, existing in enumerate(items):
            if existing == canon:
                return index
        items.append(canon)
        self.new[section].append(xml)
        return len(items) - 1

    def numfmt(self, code: str) -> int:
        if code in self.numfmts:
            return self.numfmts[code]
        builtin = _BUILTIN_FORMATS.get(code)
        if builtin is not None and builtin not in self.numfmt_ids:
            return builtin
        nid = max([163, *self.numfmt_ids]) + 1
        self.numfmt_ids.add(nid)
        self.numfmts[code] = nid
        self.new["numFmts"].append(f'<numFmt numFmtId="{nid}" formatCode="{_esc_attr(code)}"/>')
        self.items["numFmts"].append(("numFmt", (), ()))
        return nid

    def font(self, spec: str) -> int:
        want = _FONT_SPECS[spec]
        base = self.base_font
        parts = []
        if want.get("b"):
            parts.append("<b/>")
        if want.get("u"):
            parts.append("<u/>")
        parts.append(
            f'<sz val="{want["sz"]}"/>' if "sz" in want else base.get("sz", '<sz val="11"/>')
        )
        color = want.get("color") or base.get("color")
        if color:
            parts.append(color)
        parts.append(base.get("name", '<name val="Calibri"/>'))
        for tag in ("family", "charset", "scheme"):
            if tag in base:
                parts.append(base[tag])
        body = "".join(re.sub(r"<(/?)[\w.-]+:", r"<\1", x) for x in parts)
        return self._find_or_add("fonts", f"<font>{body}</font>", ordered=False)

    def xf(self, numfmt: str | None, font: str | None, fill: bool, border: bool) -> int:
        """The cellXfs index for this combination, appending what is missing."""
        key = (numfmt, font, fill, border)
        if key in self._xf_cache:
            return self._xf_cache[key]
        ids = {
            "numFmtId": self.numfmt(numfmt) if numfmt else 0,
            "fontId": self.font(font) if font else 0,
            "fillId": self._find_or_add("fills", _HEADER_FILL) if fill else 0,
            "borderId": self._find_or_add("borders", _HEADER_BORDER) if border else 0,
        }
        if self.items["cellStyleXfs"] == []:
            self.new["cellStyleXfs"].append(_SECTION_SEED["cellStyleXfs"][0])
            self.items["cellStyleXfs"].append(("xf", (), ()))
        applies = {"numFmtId": "applyNumberFormat", "fontId": "applyFont", "fillId": "applyFill"}
        applies["borderId"] = "applyBorder"
        index = self._find_xf(ids, applies)
        if index is None:
            attrs = " ".join(f'{k}="{v}"' for k, v in ids.items())
            flags = "".join(f' {applies[k]}="1"' for k, v in ids.items() if v)
            xml = f'<xf {attrs} xfId="0"{flags}/>'
            self.items["cellXfs"].append(("ours", tuple(ids.items())))
            self.new["cellXfs"].append(xml)
            index = len(self.items["cellXfs"]) - 1
        self._xf_cache[key] = index
        return index

    def _find_xf(self, ids: dict[str, int], applies: dict[str, str]) -> int | None:
        for index, canon in enumerate(self.items["cellXfs"]):
            if canon[0] == "ours":
                if dict(canon[1]) == ids:
                    return index
                continue
            if canon[0] == "mc":
                continue
            local, attrs_t, kids = canon
            if local != "xf" or kids:
                continue
            attrs = dict(attrs_t)
            if any(_as_int(attrs.get(k)) != v for k, v in ids.items()):
                continue
            if _as_int(attrs.get("xfId")) != 0:
                continue
            if (attrs.get("quotePrefix") or "0").lower() in _TRUE or attrs.get(
                "pivotButton", "0"
            ) in _TRUE:
                continue
            if any(
                v and (attrs.get(applies[k]) or "1").lower() in ("0", "false")
                for k, v in ids.items()
            ):
                continue
            return index
        return None

    # -- writing back ----------------------------------------------------------

    def finish(self) -> None:
        """Turn the appended items into edits of the part (nothing if nothing was added)."""
        if not any(self.new.values()):
            return
        doc, p = self.doc, self.p
        if doc.root.empty:  # <styleSheet/>: every section is new
            head = doc.text[doc.root.start : doc.root.head_end]
            body = "".join(
                f'<{p}{name} count="{len(self.new[name])}">'
                + "".join(_prefixed(x, p) for x in self.new[name])
                + f"</{p}{name}>"
                for name in _STYLE_SECTIONS
                if self.new[name]
            )
            doc.replace(
                doc.root.start,
                doc.root.end,
                head[:-2].rstrip() + ">" + body + f"</{doc.root.qname}>",
            )
            return
        anchor = doc.root.head_end  # a missing section goes after the previous present one
        for name in _STYLE_SECTIONS:
            added = self.new[name]
            el = self.sections[name]
            body = "".join(_prefixed(x, p) for x in added)
            if el is None:
                if added:
                    doc.insert(anchor, f'<{p}{name} count="{len(added)}">{body}</{p}{name}>')
                continue
            anchor = el.end
            if not added:
                continue
            total = str(len(_style_items(el, _SECTION_ITEM[name])) + len(added))
            if el.empty:
                head = _set_attrs(doc.text[el.start : el.head_end], {"count": total})
                doc.replace(el.start, el.end, head[:-2].rstrip() + ">" + body + f"</{el.qname}>")
            else:
                doc.append(el, body)
                doc.set_attrs(el, {"count": total})


def _style_items(section: _El, item: str) -> list[_El]:
    """A collection's items; an ``mc:AlternateContent`` wrapper counts as one item (its index)."""
    return [c for c in section.children if c.local == item or c.local == "AlternateContent"]


def _descendants(el: _El, local: str) -> Iterator[_El]:
    if el.local == local:
        yield el
    for child in el.children:
        yield from _descendants(child, local)


def _prefixed(xml: str, p: str) -> str:
    """Put the part's main-namespace prefix on our generated element names."""
    if not p:
        return xml
    return re.sub(r"<(/?)([A-Za-z])", lambda m: f"<{m.group(1)}{p}{m.group(2)}", xml)
