"""Writing the new package: which members change, and a zip that copies the rest raw.

:class:`_Changes` collects what the new package differs by (members
rewritten, written precompressed, kept or removed, and part names taken), so
that planning can decide everything before a byte is written.
:func:`_write_zip` then writes every member in its original order: those
changed from their new bytes, every other one as its original *compressed*
bytes (:func:`_copy_raw`), never decompressed and recompressed, so what
sheetsync does not understand survives exactly (ISO/IEC 29500-2 §10.2,
mapping a package to a ZIP archive; the ZIP local header and central
directory as in PKWARE's APPNOTE, which §10.2 refers to).

What it may touch in a user's workbook: only the members listed in a
:class:`_Changes`; the zip comment, member order, timestamps, attributes and
compression of every other member are kept.  The output goes to a new file
(the caller replaces the workbook atomically); on any failure the partial
file is deleted.
"""

from __future__ import annotations

import contextlib
import re
import struct
import zipfile
from pathlib import Path
from typing import Any

from ...errors import SourceError
from .. import xlsx_append
from .opc import _key, _Package, _rels_name

_FIXED_DATE = (1980, 1, 1, 0, 0, 0)  # what Excel stamps; keeps our output reproducible


class _Changes:
    """What the new package differs by: rewritten, added and removed members."""

    def __init__(self, pkg: _Package) -> None:
        self.pkg = pkg
        self.written: dict[str, tuple[str, bytes]] = {}  # key -> (name, bytes)
        self.members: dict[str, tuple[str, xlsx_append.Member]] = {}  # precompressed
        self.removed: set[str] = set()
        self.reserved: set[str] = set(pkg.by_key)

    def _replaced(self, name: str) -> tuple[str, str]:
        """Forget any earlier change to ``name`` and reserve it: its key and its name to write.

        The name to write is an existing member's own (part names are
        case-insensitive, the package keeps the case it has); the same for
        :meth:`write` and :meth:`write_member`, which differ only in what they store.
        """
        k = _key(name)
        self.removed.discard(k)
        self.written.pop(k, None)
        self.members.pop(k, None)
        self.reserved.add(k)
        return k, (self.pkg.by_key[k].filename if k in self.pkg.by_key else name)

    def write(self, name: str, data: bytes) -> None:
        k, actual = self._replaced(name)
        self.written[k] = (actual, data)

    def write_member(self, name: str, member: xlsx_append.Member) -> None:
        """A member written precompressed (a growing sheet, see :mod:`.xlsx_append`)."""
        k, actual = self._replaced(name)
        self.members[k] = (actual, member)

    def keep(self, name: str) -> None:
        """Leave an existing member as it is (a growing sheet with nothing to add)."""
        k = _key(name)
        self.written.pop(k, None)
        self.members.pop(k, None)
        self.removed.discard(k)

    def remove(self, name: str) -> None:
        k = _key(name)
        self.written.pop(k, None)
        self.members.pop(k, None)
        if k in self.pkg.by_key:
            self.removed.add(k)

    def fresh(self, folder: str, stem: str, ext: str, also_taken: set[str]) -> str:
        """A part name ``folder/stemN.ext`` colliding with nothing, ever used or listed."""
        pat = re.compile(re.escape(f"{folder}/{stem}".lower()) + r"(\d+)\." + re.escape(ext) + "$")
        taken = self.reserved | also_taken
        n = 1 + max((int(m.group(1)) for k in taken if (m := pat.match(k))), default=0)
        while (
            _key(f"{folder}/{stem}{n}.{ext}") in taken
            or _key(_rels_name(f"{folder}/{stem}{n}.{ext}")) in taken  # an orphan rels part
        ):
            n += 1
        name = f"{folder}/{stem}{n}.{ext}"
        self.reserved.add(_key(name))
        return name


def _strip_zip64(extra: bytes) -> bytes:
    """Drop zip64 extra fields (the writer adds its own when a member needs one)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        xid, size = struct.unpack("<HH", extra[i : i + 4])
        if xid != 1:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out


def _copy_raw(src: Any, info: zipfile.ZipInfo, zout: zipfile.ZipFile) -> None:
    """Copy one member's compressed bytes unchanged (no decompression, no recompression).

    ``zipfile`` has no public API for this, so we write the local header and
    data ourselves and register the entry for the central directory, as the
    module itself does in ``ZipFile.write``: ``fp``, ``filelist``,
    ``NameToInfo``, ``start_dir`` and ``ZipInfo.FileHeader`` play the same
    roles in CPython 3.8 through 3.13.  The data descriptor flag is cleared because sizes and CRC
    go into the local header.
    """
    src.seek(info.header_offset)
    head = src.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        raise SourceError(f"the workbook is damaged (bad zip entry for {info.filename})")
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    src.seek(info.header_offset + 30 + name_len + extra_len)
    new = zipfile.ZipInfo(info.filename, info.date_time)
    new.filename, new.orig_filename = info.filename, info.orig_filename
    new.compress_type = info.compress_type
    new.comment = info.comment
    new.extra = _strip_zip64(info.extra)
    new.create_system = info.create_system
    new.create_version = info.create_version
    new.extract_version = info.extract_version
    new.flag_bits = info.flag_bits & ~0x08
    new.volume = info.volume
    new.internal_attr = info.internal_attr
    new.external_attr = info.external_attr
    new.CRC = info.CRC
    new.compress_size = info.compress_size
    new.file_size = info.file_size
    fp = xlsx_append.begin_raw_entry(zout, new)
    remaining = info.compress_size
    while remaining > 0:
        chunk = src.read(min(remaining, 1 << 20))
        if not chunk:
            raise SourceError(f"the workbook is damaged (truncated zip entry {info.filename})")
        fp.write(chunk)
        remaining -= len(chunk)
    xlsx_append.end_raw_entry(zout, new)


def _new_info(name: str, like: zipfile.ZipInfo | None) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, like.date_time if like is not None else _FIXED_DATE)
    compress = like.compress_type if like is not None else zipfile.ZIP_DEFLATED
    info.compress_type = (
        compress if compress in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) else zipfile.ZIP_DEFLATED
    )
    if like is not None:
        info.external_attr = like.external_attr
        info.create_system = like.create_system
    else:
        info.external_attr = 0o600 << 16
    return info


def _write_zip(pkg: _Package, dst: Path, changes: _Changes) -> None:
    """Members in their original order (raw copies unless rewritten), new ones at the end."""
    try:
        with pkg.path.open("rb") as src, zipfile.ZipFile(dst, "w") as zout:
            zout.comment = pkg.zf.comment
            for info in pkg.infos:
                k = _key(info.filename)
                if k in changes.removed:
                    continue
                if k in changes.written:
                    name, data = changes.written[k]
                    zout.writestr(_new_info(info.filename, info), data)
                elif k in changes.members:
                    name, member = changes.members[k]
                    xlsx_append.write(zout, src, _new_info(info.filename, info), member)
                else:
                    _copy_raw(src, info, zout)
            for k, (name, data) in changes.written.items():
                if k not in pkg.by_key:
                    zout.writestr(_new_info(name, None), data)
            for k, (name, member) in changes.members.items():
                if k not in pkg.by_key:
                    xlsx_append.write(zout, src, _new_info(name, None), member)
    except BaseException:
        with contextlib.suppress(OSError):
            dst.unlink()
        raise
