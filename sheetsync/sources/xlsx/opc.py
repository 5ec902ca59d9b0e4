"""The OPC package: part names, relationships, content types, and reading the zip.

A workbook is an Open Packaging Conventions package (ISO/IEC 29500-2 /
ECMA-376 Part 2): a zip of parts whose names compare case-insensitively
(§9.1.1), each with a content type from ``[Content_Types].xml`` (§9.1.2),
tied together by relationship parts ``_rels/*.rels`` (§9.3), mapped onto a
ZIP archive (§10.2).  This module reads that structure (:class:`_Package`,
:func:`_read_rels`, :func:`_content_type`), says precisely why a file is not
such a package (:func:`_sniff`: missing, a folder, an encrypted or legacy
OLE ``.xls`` file), and finds which parts only an owned tab uses
(:func:`_exclusive_parts`), so that those, and only those, go with it.

What it may touch in a user's workbook: ``[Content_Types].xml`` (an
``Override`` added or its content type corrected for a part sheetsync
writes, :func:`_ensure_ct`); relationship parts sheetsync renders for its
own sheets and drawings (:func:`_rels_xml`).  Reading never changes a
member.  The namespaces and relationship/content types named here are those
of ISO/IEC 29500-1 (SpreadsheetML §18, DrawingML §20-21, extended properties
§22.2) and ISO/IEC 29500-2 (package relationships, digital signatures §13).
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...errors import SourceError, UnsupportedWorkbookError
from .xmltext import _Doc, _El, _esc_attr

NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
NS_VT = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
NS_STRICT = "http://purl.oclc.org/ooxml/"

RT_OFFICE_DOCUMENT = NS_REL + "/officeDocument"
RT_EXTENDED_PROPS = NS_REL + "/extended-properties"
RT_WORKSHEET = NS_REL + "/worksheet"
RT_STYLES = NS_REL + "/styles"
RT_DRAWING = NS_REL + "/drawing"
RT_CHART = NS_REL + "/chart"
RT_HYPERLINK = NS_REL + "/hyperlink"
RT_CALC_CHAIN = NS_REL + "/calcChain"
RT_REVISION_HEADERS = NS_REL + "/revisionHeaders"
RT_SIGNATURE_ORIGIN = (
    "http://schemas.openxmlformats.org/package/2006/relationships/digital-signature/origin"
)

CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
CT_DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
CT_CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
CT_RELS = "application/vnd.openxmlformats-package.relationships+xml"


_CONTENT_TYPES = "[Content_Types].xml"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")


def _key(name: str) -> str:
    """Part names are case-insensitive; some tools even write backslashes."""
    return name.replace("\\", "/").lstrip("/").lower()


def _norm(name: str) -> str:
    return name.replace("\\", "/").lstrip("/")


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _rels_source(rels_part: str) -> str | None:
    """``xl/_rels/workbook.xml.rels`` → ``xl/workbook.xml`` (``""`` for the package)."""
    folder, base = posixpath.split(rels_part)
    if not base.lower().endswith(".rels") or posixpath.basename(folder).lower() != "_rels":
        return None
    return posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])


def _resolve(source: str, target: str) -> str | None:
    """A relationship target → normalised part name (``None`` if it leaves the package)."""
    t = unquote(target.split("#", 1)[0]).replace("\\", "/")
    if not t:
        return None
    path = t.lstrip("/") if t.startswith("/") else posixpath.join(posixpath.dirname(source), t)
    path = posixpath.normpath(path)
    if path in (".", "..") or path.startswith("../") or path.startswith("/"):
        return None
    return path


def _relative(source: str, part: str) -> str:
    return posixpath.relpath(part, posixpath.dirname(source) or ".")


class _Package:
    """The source zip: member lookup by part name, cached reads, raw copies."""

    def __init__(self, path: Path) -> None:
        self.path = path
        _sniff(path)
        try:
            self.zf = zipfile.ZipFile(path)
            self.infos = self.zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise SourceError(
                f"{path}: the workbook is damaged (broken zip package: {exc})",
                hint="restore it from a backup or let Excel repair it (File › Open › Open and Repair)",
            ) from None
        self.by_key: dict[str, zipfile.ZipInfo] = {}
        for info in self.infos:
            k = _key(info.filename)
            if k in self.by_key:
                self.zf.close()
                raise SourceError(
                    f"{path}: the workbook is damaged (the part {info.filename} appears twice)",
                    hint="open it in Excel and save it again",
                )
            self.by_key[k] = info
        self._cache: dict[str, bytes] = {}

    def close(self) -> None:
        self.zf.close()

    def __enter__(self) -> _Package:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def has(self, name: str) -> bool:
        return _key(name) in self.by_key

    def read(self, name: str, *, cache: bool = True) -> bytes:
        k = _key(name)
        if k not in self._cache:
            info = self.by_key[k]
            try:
                data = self.zf.read(info)
                if not cache:
                    return data
                self._cache[k] = data
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError) as exc:
                raise SourceError(
                    f"{self.path}: the workbook is damaged (part {info.filename}: {exc})",
                    hint="restore it from a backup or let Excel repair it",
                ) from None
            except NotImplementedError as exc:
                raise UnsupportedWorkbookError(
                    f"{self.path}: part {info.filename} uses an unsupported zip compression ({exc})",
                    hint="open it in Excel and save it again",
                ) from None
        return self._cache[k]

    def doc(self, name: str) -> _Doc | None:
        if not self.has(name):
            return None
        raw = self.read(name)
        try:
            return _Doc(_norm(self.by_key[_key(name)].filename), raw)
        except SourceError as exc:  # say which file, as every other message does
            raise type(exc)(f"{self.path}: {exc.message}", hint=exc.hint) from None


def _sniff(path: Path) -> None:
    """Say precisely why a file is not a zip package (missing, encrypted, legacy .xls…)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
            body = head + fh.read(64 << 20) if head.startswith(_OLE_MAGIC) else b""
    except FileNotFoundError:
        raise SourceError(f"{path}: file not found", hint="check the path") from None
    except IsADirectoryError:
        raise SourceError(f"{path}: is a folder, not a workbook") from None
    except OSError as exc:
        raise SourceError(f"{path}: cannot be read ({exc.strerror})") from None
    if head.startswith(_OLE_MAGIC):
        if _ENCRYPTED_STREAM in body:
            raise SourceError(
                f"{path}: the workbook is password-protected (encrypted), so it cannot be changed",
                hint="remove the password in Excel (File › Info › Protect Workbook › Encrypt with Password) and save",
            )
        raise SourceError(
            f"{path}: this is an old binary Excel file (.xls format), not an .xlsx package",
            hint="open it in Excel and save it as .xlsx",
        )
    if not head.startswith(b"PK"):
        raise SourceError(
            f"{path}: not an Excel workbook (an .xlsx file is a zip package; this file is not)",
            hint="open it in Excel and save it as .xlsx",
        )


@dataclass
class _Rel:
    id: str
    type: str
    target: str
    external: bool
    part: str | None  # resolved, normalised part name for internal targets
    el: _El | None = None


def _read_rels(doc: _Doc, source: str) -> list[_Rel]:
    rels = []
    for el in doc.root.children:
        if el.local != "Relationship":
            continue
        rid = el.get("Id") or ""
        target = el.get("Target") or ""
        external = (el.get("TargetMode") or "").lower() == "external"
        part = None if external else _resolve(source, target)
        rels.append(_Rel(rid, el.get("Type") or "", target, external, part, el))
    return rels


def _content_type(ct: _Doc, part: str) -> str | None:
    k = _key(part)
    default = None
    ext = posixpath.splitext(k)[1].lstrip(".")
    for el in ct.root.children:
        if el.local == "Override" and _key(el.get("PartName") or "") == k:
            return el.get("ContentType")
        if el.local == "Default" and (el.get("Extension") or "").lower() == ext:
            default = el.get("ContentType")
    return default


def _rels_xml(rels: Iterable[tuple[str, str, str, bool]]) -> bytes:
    items = "".join(
        f'<Relationship Id="{rid}" Type="{rtype}" Target="{_esc_attr(target)}"'
        + (' TargetMode="External"' if external else "")
        + "/>"
        for rid, rtype, target, external in rels
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{NS_PKG_REL}">{items}</Relationships>'
    ).encode()


def _all_rels(pkg: _Package) -> dict[str, list[_Rel]]:
    """Every internal relationship in the package, by source part key."""
    graph: dict[str, list[_Rel]] = {}
    for info in pkg.infos:
        name = _norm(info.filename)
        source = _rels_source(name)
        if source is None:
            continue
        try:
            doc = _Doc(name, pkg.read(name))
        except SourceError:
            continue
        graph[_key(source)] = [r for r in _read_rels(doc, source) if r.part]
    return graph


def _exclusive_parts(graph: dict[str, list[_Rel]], roots: set[str]) -> list[str]:
    """Parts reachable from ``roots`` that nothing outside them refers to (in discovery order).

    A picture or a chart style may be shared with the user's own sheets; those
    stay.  Only what *only* an owned tab uses goes away with it.
    """
    referrers: dict[str, set[str]] = {}
    for source, rels in graph.items():
        for rel in rels:
            assert rel.part is not None
            referrers.setdefault(_key(rel.part), set()).add(source)
    doomed = set(roots)
    order: list[str] = []
    changed = True
    while changed:
        changed = False
        for source in list(doomed):
            for rel in graph.get(source, []):
                assert rel.part is not None
                k = _key(rel.part)
                if k in doomed:
                    continue
                if referrers.get(k, set()) <= doomed:
                    doomed.add(k)
                    order.append(rel.part)
                    changed = True
    return order


def _ensure_ct(ct: _Doc, part: str, ctype: str, adds: list[tuple[str, str]]) -> None:
    """Make sure ``part`` has the content type ``ctype`` (an Override unless it has one)."""
    k = _key(part)
    if any(_key(n) == k for n, _ in adds):
        return
    for el in ct.root.kids("Override"):
        if _key(el.get("PartName") or "") == k:
            if el.get("ContentType") != ctype:
                ct.set_attrs(el, {"ContentType": ctype})
            return
    adds.append((_norm(part), ctype))
