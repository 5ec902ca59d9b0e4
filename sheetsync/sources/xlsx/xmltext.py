"""Text-preserving XML: a position-keeping tokenizer and offset edits of a part's text.

The package parts sheetsync must change but does not own (``xl/workbook.xml``,
its relationships, ``[Content_Types].xml``, ``docProps/app.xml``,
``xl/styles.xml``, ``xl/calcChain.xml``) are never re-serialised: they are
parsed into :class:`_El` trees that remember each element's exact character
offsets, and changed by replacing or inserting text at those offsets
(:class:`_Doc`).  Everything not edited keeps its spelling byte for byte:
namespace prefixes, ``mc:Ignorable`` and ``mc:AlternateContent``
(ISO/IEC 29500-3), ``extLst`` blocks, attribute order and quoting,
indentation, comments.  Well-formedness is checked by expat first; documents
with a DTD are refused (XML 1.0 §2.8; a package's XML never uses one,
ISO/IEC 29500-2 §9.1.4).

What this module may touch in a user's workbook: nothing by itself.  It
only gives :mod:`.opc`, :mod:`.styles`, :mod:`.workbook_edit` and
:mod:`.calcchain` the means to make the edits they decide on; it also holds
the escapes for text sheetsync writes (XML 1.0 §2.2 characters, and cell text
as ``ST_Xstring``, ISO/IEC 29500-1 §22.9.2.19).

Why not lxml: lxml (libxml2) re-serialises what it parsed, so attribute
quoting, whitespace inside tags, ``standalone``/encoding declarations and
namespace declarations come out libxml2's way, not the way Excel or the
user's other tool wrote them; the corpus proofs require unchanged parts to
stay byte-identical and changed parts to differ only where sheetsync changed
them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ...errors import SourceError

_TOKEN_RE = re.compile(
    r"<!--.*?-->"
    r"|<!\[CDATA\[.*?\]\]>"
    r"|<\?.*?\?>"
    r"|<!.*?>"
    r"|</([^\s<>/]+)\s*>"
    r"|<([^\s<>/!?]+)((?:[^<>\"'/]|/(?!>)|\"[^\"]*\"|'[^']*')*)(/?)>",
    re.S,
)
_ATTR_RE = re.compile(r"([^\s=<>\"'/]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_ENTITY_RE = re.compile(r"&(#[0-9]+|#x[0-9A-Fa-f]+|lt|gt|amp|quot|apos);")
_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str:
    """XML character/entity references → characters (OOXML has no DTD entities)."""
    if "&" not in text:
        return text

    def one(m: re.Match[str]) -> str:
        ref = m.group(1)
        if ref[0] == "#":
            try:
                return chr(int(ref[2:], 16) if ref[1] in "xX" else int(ref[1:]))
            except (ValueError, OverflowError):
                return m.group(0)
        return _ENTITIES[ref]

    return _ENTITY_RE.sub(one, text)


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _esc_attr(text: str) -> str:
    """Escape for a double-quoted attribute; tabs/newlines as references so parsers keep them."""
    return (
        _esc(text)
        .replace('"', "&quot;")
        .replace("\t", "&#9;")
        .replace("\n", "&#10;")
        .replace("\r", "&#13;")
    )


_ILLEGAL_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_XSTRING_RE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\r\ufffe\uffff\ud800-\udfff]|_(?=x[0-9A-Fa-f]{4}_)"
)


#: What :func:`_xstring` or :func:`_esc` would change in a cell's text: most
#: cells have none of it, and one search is cheaper than the four passes.
_CELL_TEXT_RE = re.compile(_XSTRING_RE.pattern + "|[&<>]")


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry at all (for attributes and chart text)."""
    return _ILLEGAL_XML_RE.sub("", text)


def _xstring_one(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch == "_":
        return "_x005F_"
    if "\ud800" <= ch <= "\udfff":
        return "\ufffd"  # a lone surrogate cannot be encoded at all
    return f"_x{ord(ch):04X}_"


def _xstring(text: str) -> str:
    """Cell text in Excel's ST_Xstring form: control characters as ``_xHHHH_``.

    Excel decodes ``_xHHHH_`` in cell text, so a literal ``_x0041_`` typed by a
    user must have its underscore escaped (``_x005F_``) to read back unchanged.
    ``\\r`` is escaped too because XML parsers normalise it to ``\\n``.
    (One replacement function for every call: a cell writer calls this for
    every text cell of a tab.)
    """
    return _XSTRING_RE.sub(_xstring_one, text)


class _El:
    """An element of a parsed part, with its exact character offsets in the text.

    ``start``/``head_end`` delimit the start tag, ``tail_start``/``end`` the end
    tag (for a self-closing element all three of ``head_end``, ``tail_start``
    and ``end`` are equal).  Edits are made at these offsets, so everything we
    do not touch keeps its exact spelling.
    """

    __slots__ = (
        "qname",
        "local",
        "prefix",
        "uri",
        "attrs",
        "nsmap",
        "start",
        "head_end",
        "tail_start",
        "end",
        "children",
        "empty",
    )

    def __init__(
        self, qname: str, attrs: dict[str, str], nsmap: dict[str, str], start: int, head_end: int
    ) -> None:
        self.qname = qname
        self.prefix, _, local = qname.rpartition(":")
        self.local = local
        self.uri = nsmap.get(self.prefix)
        self.attrs = attrs
        self.nsmap = nsmap
        self.start = start
        self.head_end = head_end
        self.tail_start = head_end
        self.end = head_end
        self.children: list[_El] = []
        self.empty = False

    def get(self, name: str, uri: str | None = None) -> str | None:
        """Attribute value by local name; ``uri`` for a namespaced attribute (``r:id``)."""
        if uri is None:
            return self.attrs.get(name)
        for qname, value in self.attrs.items():
            prefix, _, local = qname.rpartition(":")
            if local == name and prefix and self.nsmap.get(prefix) == uri:
                return value
        return None

    def kids(self, local: str, uri: str | None = None) -> Iterator[_El]:
        for child in self.children:
            if child.local == local and (uri is None or child.uri == uri):
                yield child

    def kid(self, local: str, uri: str | None = None) -> _El | None:
        return next(self.kids(local, uri), None)

    def pfx(self) -> str:
        """This element's prefix ready to put in front of a sibling's name."""
        return self.prefix + ":" if self.prefix else ""


def _parse(text: str, where: str) -> _El:
    """Parse ``text`` into an offset-keeping tree (well-formedness checked by expat first)."""
    try:
        ET.fromstring(text)
    except ET.ParseError as exc:
        raise SourceError(
            f"the workbook is damaged: part {where} is not well-formed XML ({exc})",
            hint="open it in Excel (File › Open › Open and Repair) and save it again",
        ) from None
    root: _El | None = None
    stack: list[_El] = []
    for m in _TOKEN_RE.finditer(text):
        close, open_, attr_text, selfclose = m.group(1), m.group(2), m.group(3), m.group(4)
        if close is not None:
            el = stack.pop()
            el.tail_start, el.end = m.start(), m.end()
            continue
        if open_ is None:
            continue  # comment, PI, CDATA
        attrs: dict[str, str] = {}
        nsmap = stack[-1].nsmap if stack else {"xml": "http://www.w3.org/XML/1998/namespace"}
        copied = False
        for am in _ATTR_RE.finditer(attr_text):
            name = am.group(1)
            value = _unescape(am.group(2) if am.group(2) is not None else am.group(3))
            attrs[name] = value
            if name == "xmlns" or name.startswith("xmlns:"):
                if not copied:
                    nsmap = dict(nsmap)
                    copied = True
                nsmap[name[6:]] = value
        el = _El(open_, attrs, nsmap, m.start(), m.end())
        if stack:
            stack[-1].children.append(el)
        elif root is None:
            root = el
        if selfclose:
            el.empty = True
        else:
            stack.append(el)
    if root is None or stack:
        raise SourceError(f"the workbook is damaged: part {where} cannot be read")
    return root


def _text_of(text: str, el: _El) -> str:
    """The character content of a leaf element."""
    raw = text[el.head_end : el.tail_start]
    if "<![CDATA[" in raw:
        raw = re.sub(r"<!\[CDATA\[(.*?)\]\]>", lambda m: _esc(m.group(1)), raw, flags=re.S)
    return _unescape(re.sub(r"<[^>]*>", "", raw))


def _set_attrs(tag: str, changes: dict[str, str | None]) -> str:
    """Rewrite a start tag's attributes (``None`` removes one), keeping everything else.

    Attributes are found by walking them in order (each quoted value consumed
    whole), so a value that happens to contain ``name="`` cannot be mistaken
    for an attribute.
    """
    for name, value in changes.items():
        head = re.match(r"<[^\s/>]+", tag)
        pos = head.end() if head else 0
        found = None
        for m in _ATTR_RE.finditer(tag, pos):
            if m.group(1) == name:
                found = m
                break
        new = f'{name}="{_esc_attr(value)}"' if value is not None else ""
        if found is not None:
            start = found.start()
            if value is None:
                while start > 0 and tag[start - 1] in " \t\r\n":
                    start -= 1
            tag = tag[:start] + new + tag[found.end() :]
        elif value is not None:
            cut = len(tag) - (2 if tag.endswith("/>") else 1)
            tag = tag[:cut].rstrip() + " " + new + tag[cut:]
    return tag


class _Doc:
    """An XML part being edited: its text, its tree and pending offset edits."""

    def __init__(self, name: str, raw: bytes, *, created: bool = False) -> None:
        self.name = name
        self.raw = raw
        self.created = created
        self.bom, self.codec, self.text = _decode(raw, name)
        self.root = _parse(self.text, name)
        self._edits: list[tuple[int, int, int, str]] = []

    def replace(self, start: int, end: int, new: str) -> None:
        self._edits.append((start, end, len(self._edits), new))

    def insert(self, pos: int, new: str) -> None:
        self.replace(pos, pos, new)

    def set_attrs(self, el: _El, changes: dict[str, str | None]) -> None:
        head = self.text[el.start : el.head_end]
        new = _set_attrs(head, changes)
        if new != head:
            self.replace(el.start, el.head_end, new)

    def remove(self, el: _El) -> None:
        """Delete an element together with the whitespace that precedes it."""
        start = el.start
        while start > 0 and self.text[start - 1] in " \t\r\n":
            start -= 1
        self.replace(start, el.end, "")

    def set_text(self, el: _El, value: str) -> None:
        self.replace(el.head_end, el.tail_start, _esc(value))

    def append(self, parent: _El, xml: str) -> None:
        """Add ``xml`` as the last children of ``parent`` (handles ``<x/>``), same indent."""
        if parent.empty:
            head = self.text[parent.start : parent.head_end]
            self.replace(
                parent.start, parent.end, head[:-2].rstrip() + ">" + xml + f"</{parent.qname}>"
            )
            return
        indent = ""
        if parent.children:
            gap = self.text[parent.head_end : parent.children[0].start]
            if gap.strip() == "" and "\n" in gap:
                indent = gap
        if indent:
            xml = "".join(indent + piece for piece in _split_top(xml))
        self.insert(_end_of_content(self.text, parent), xml)

    def edited(self) -> bool:
        return bool(self._edits)

    def result(self) -> bytes:
        """The new bytes of the part (the original bytes when nothing was edited)."""
        if not self._edits:
            return self.raw
        out: list[str] = []
        pos = 0
        for start, end, _, new in sorted(self._edits):
            if start < pos:
                raise AssertionError(f"overlapping edits in {self.name}")
            out.append(self.text[pos:start])
            out.append(new)
            pos = end
        out.append(self.text[pos:])
        return self.bom + "".join(out).encode(self.codec, errors="xmlcharrefreplace")


def _end_of_content(text: str, el: _El) -> int:
    """Where to insert new last children: after the last child (before trailing whitespace)."""
    if el.children:
        return el.children[-1].end
    return el.tail_start


def _split_top(xml: str) -> list[str]:
    """Split a run of sibling elements into top-level pieces (for re-indenting)."""
    pieces: list[str] = []
    depth = 0
    start = 0
    for m in _TOKEN_RE.finditer(xml):
        if m.group(1) is not None:
            depth -= 1
        elif m.group(2) is not None and not m.group(4):
            depth += 1
        if depth == 0 and (m.group(1) is not None or m.group(2) is not None):
            pieces.append(xml[start : m.end()])
            start = m.end()
    if start < len(xml):
        pieces.append(xml[start:])
    return pieces


_DECL_ENCODING_RE = re.compile(rb"^<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _decode(raw: bytes, where: str) -> tuple[bytes, str, str]:
    """Bytes → (BOM, codec, text), refusing DTDs (entity bombs, external entities)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        bom, codec, body = raw[:3], "utf-8", raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        bom, body = raw[:2], raw[2:]
        codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
    else:
        bom, body = b"", raw
        m = _DECL_ENCODING_RE.match(raw)
        codec = m.group(1).decode("ascii").lower() if m else "utf-8"
        if codec in ("utf-16", "utf16"):
            codec = "utf-16-le"
    try:
        text = body.decode(codec)
    except (LookupError, UnicodeDecodeError) as exc:
        raise SourceError(
            f"the workbook is damaged: part {where} cannot be decoded ({exc})",
            hint="open it in Excel and save it again",
        ) from None
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise SourceError(
            f"the workbook has a document type declaration in {where}, which Excel never writes",
            hint="it may be malicious; open it in Excel and save it again, or restore a backup",
        )
    return bom, codec, text


_TRUE = ("1", "true", "on")


def _as_int(value: str | None) -> int:
    try:
        return int(value or "0")
    except ValueError:
        return -1
