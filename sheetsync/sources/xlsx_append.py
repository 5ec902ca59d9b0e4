"""Owned sheets that only grow (the stage history), stored so a run appends to them.

A nightly run adds a few hundred history rows to a tab that holds a hundred
thousand.  Rendering, compressing and writing the whole tab again every night
costs time and memory in proportion to the history, not to the night.  So a
growing sheet's zip member is written in a form the next run can extend
without decompressing, re-rendering or recompressing what is already there:

* the worksheet XML is split in three: the *head* (everything up to and
  including ``<sheetData>``, with no ``<dimension>``: it would go stale as
  rows are added, and it is optional, ECMA-376 Part 1, 18.3.1.35), the
  *rows*, and the *tail* (``</sheetData>`` to ``</worksheet>``);
* head and rows are compressed into one raw DEFLATE stream (RFC 1951) that
  ends with a full flush (zlib's ``Z_FULL_FLUSH``): all its blocks are
  non-final, it ends on a byte boundary and nothing after it refers back
  into it, so new blocks may follow it as they are;
* the tail is compressed after it, as the last (final) block;
* a private zip extra field (APPNOTE.TXT 4.5: readers skip the ones they do
  not know) on the member records where the flush point is, the length and
  CRC-32 of the data before it, the last row number and the head's CRC.

The next run checks everything it relies on (the extra field, the member's
CRC and size against the recorded prefix plus the tail it would write, the
tail decompressed on its own, the head's CRC against tonight's head, the
last row against the rows read), then copies the compressed prefix as raw
bytes, compresses only the new rows, and writes the tail again.  Anything
that does not match (Excel re-saved the workbook, a person edited the tab,
the layout changed) and the sheet is written in full, as any other owned
sheet: appending is an optimisation that never trusts what it cannot check.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO

#: The private extra field's header id and its payload's first bytes.
EXTRA_ID = 0x5353
_MAGIC = b"sheetsync-append/1"
_LAYOUT = struct.Struct(
    "<QQIII"
)  # prefix compressed, prefix length, prefix crc, last row, head crc

#: Compression level of growing sheets (zlib's default: the rows are compressed once).
LEVEL = 6


@dataclass(frozen=True, slots=True)
class Marker:
    """What the extra field of an appendable member records."""

    prefix_compressed: int  # bytes of compressed data before the tail's block
    prefix_length: int  # uncompressed bytes they hold (head and rows)
    prefix_crc: int  # CRC-32 of those bytes
    last_row: int  # the last row number written
    head_crc: int  # CRC-32 of the head

    def extra(self) -> bytes:
        payload = _MAGIC + _LAYOUT.pack(
            self.prefix_compressed,
            self.prefix_length,
            self.prefix_crc,
            self.last_row,
            self.head_crc,
        )
        return struct.pack("<HH", EXTRA_ID, len(payload)) + payload


def read_marker(extra: bytes) -> Marker | None:
    """The marker in a member's extra field, or None."""
    i = 0
    while i + 4 <= len(extra):
        xid, size = struct.unpack("<HH", extra[i : i + 4])
        body = extra[i + 4 : i + 4 + size]
        if xid == EXTRA_ID and body.startswith(_MAGIC) and len(body) == len(_MAGIC) + _LAYOUT.size:
            return Marker(*_LAYOUT.unpack(body[len(_MAGIC) :]))
        i += 4 + size
    return None


def without_marker(extra: bytes) -> bytes:
    """``extra`` without sheetsync's field (a member rewritten in full drops it)."""
    out, i = b"", 0
    while i + 4 <= len(extra):
        xid, size = struct.unpack("<HH", extra[i : i + 4])
        if xid != EXTRA_ID:
            out += extra[i : i + 4 + size]
        i += 4 + size
    return out


@dataclass(slots=True)
class Member:
    """A member to write precompressed: raw bytes (copied or compressed here), sizes, CRC."""

    chunks: list[Any]  # bytes, or (offset, length) ranges of the source file to copy
    compressed: int
    length: int
    crc: int
    marker: Marker
    plain: bytes | None = None  # the whole XML, for a member written whole (to compare)


def full(head: bytes, rows: list[bytes], tail: bytes, last_row: int) -> Member:
    """A growing sheet written whole, in the appendable form."""
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    body = b"".join(rows)
    chunks: list[Any] = [comp.compress(head), comp.compress(body), comp.flush(zlib.Z_FULL_FLUSH)]
    crc = zlib.crc32(body, zlib.crc32(head))
    length = len(head) + len(body)
    prefix = sum(len(c) for c in chunks)
    marker = Marker(prefix, length, crc, last_row, zlib.crc32(head))
    member = _finish(chunks, prefix, length, crc, tail, marker)
    member.plain = head + body + tail
    return member


def _finish(
    chunks: list[Any], prefix: int, length: int, crc: int, tail: bytes, marker: Marker
) -> Member:
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    end = comp.compress(tail) + comp.flush(zlib.Z_FINISH)
    chunks.append(end)
    return Member(chunks, prefix + len(end), length + len(tail), zlib.crc32(tail, crc), marker)


def data_offset(src: BinaryIO, info: zipfile.ZipInfo) -> int | None:
    """Where a member's compressed bytes start in the file (after its local header)."""
    src.seek(info.header_offset)
    head = src.read(30)
    if len(head) != 30 or head[:4] != b"PK\x03\x04":
        return None
    name_len, extra_len = struct.unpack("<HH", head[26:30])
    return info.header_offset + 30 + name_len + extra_len


def appended(
    src: BinaryIO,
    info: zipfile.ZipInfo,
    *,
    head: bytes,
    rows: list[bytes],
    after: int,
    added: int,
    read_plain: Callable[[], bytes] | None = None,
) -> Member | None:
    """The member with ``rows`` added below its ``after`` rows, or None when that is not safe.

    With a valid marker the compressed rows already there are copied as
    they are.  Without one (Excel saved the workbook since, which rewrites
    every part) the member's XML (``read_plain()``) gets the rows inserted
    before its ``</sheetData>``, provided its last row is row ``after``; the
    rows there are not rendered again, only recompressed once, and the
    member gets a marker for the next run.
    """
    marker = read_marker(info.extra)
    if marker is not None and info.compress_type == zipfile.ZIP_DEFLATED:
        if marker.last_row != after or marker.head_crc != zlib.crc32(head):
            return None  # another layout, or other rows: written whole
        member = _after_marker(src, info, marker, rows, added)
        if member is not None:
            return member
    if read_plain is None:
        return None
    return _spliced(read_plain(), rows, after, added, zlib.crc32(head))


def _after_marker(
    src: BinaryIO, info: zipfile.ZipInfo, marker: Marker, rows: list[bytes], added: int
) -> Member | None:
    if not 0 < marker.prefix_compressed < info.compress_size:
        return None
    start = data_offset(src, info)
    if start is None:
        return None
    src.seek(start + marker.prefix_compressed)
    end = src.read(info.compress_size - marker.prefix_compressed)
    try:
        inflate = zlib.decompressobj(-15)
        tail = inflate.decompress(end) + inflate.flush()
    except zlib.error:
        return None
    if not inflate.eof or inflate.unused_data or not tail.startswith(b"</sheetData>"):
        return None
    if marker.prefix_length + len(tail) != info.file_size:
        return None
    if zlib.crc32(tail, marker.prefix_crc) != info.CRC:
        return None
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    body = b"".join(rows)
    pieces = [comp.compress(body), comp.flush(zlib.Z_FULL_FLUSH)]
    prefix = marker.prefix_compressed + sum(len(p) for p in pieces)
    crc = zlib.crc32(body, marker.prefix_crc)
    length = marker.prefix_length + len(body)
    new = Marker(prefix, length, crc, marker.last_row + added, marker.head_crc)
    return _finish([(start, marker.prefix_compressed), *pieces], prefix, length, crc, tail, new)


_LAST_ROW = re.compile(rb"<row\b[^>]*?\sr=[\"'](\d+)[\"']")
_DIMENSION = re.compile(rb"<dimension\b[^>]*/>")


def _spliced(
    plain: bytes, rows: list[bytes], after: int, added: int, head_crc: int
) -> Member | None:
    """``rows`` inserted before the ``</sheetData>`` of a worksheet whose last row is ``after``."""
    end = plain.rfind(b"</sheetData>")
    if end < 0 or plain.count(b"<sheetData") != 1:
        return None  # no rows yet, or a prefixed namespace: written whole
    last = plain.rfind(b"<row", 0, end)
    found = _LAST_ROW.match(plain, last) if last >= 0 else None
    if found is None or int(found.group(1)) != after:
        return None
    view = memoryview(plain)
    # the dimension would go stale as rows are added: it is optional, so it goes
    dim = _DIMENSION.search(plain, 0, min(end, 4096))
    pieces = [view[: dim.start()], view[dim.end() : end]] if dim else [view[:end]]
    pieces.append(memoryview(b"".join(rows)))
    comp = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    chunks: list[Any] = [comp.compress(p) for p in pieces]
    chunks.append(comp.flush(zlib.Z_FULL_FLUSH))
    prefix = sum(len(c) for c in chunks)
    crc = 0
    for p in pieces:
        crc = zlib.crc32(p, crc)
    length = sum(len(p) for p in pieces)
    marker = Marker(prefix, length, crc, after + added, head_crc)
    return _finish(chunks, prefix, length, crc, plain[end:], marker)


def write(zout: zipfile.ZipFile, src: BinaryIO, info: zipfile.ZipInfo, member: Member) -> None:
    """Write ``member`` as ``info``'s entry: local header, then its bytes as they are.

    The same plumbing as :func:`sheetsync.sources.xlsx.zipwrite._copy_raw`
    (``zipfile`` has no public API for precompressed data).
    """
    info.compress_type = zipfile.ZIP_DEFLATED
    info.flag_bits &= ~0x08
    info.extra = without_marker(info.extra) + member.marker.extra()
    info.CRC = member.crc
    info.compress_size = member.compressed
    info.file_size = member.length
    fp = begin_raw_entry(zout, info)
    for chunk in member.chunks:
        if isinstance(chunk, tuple):
            offset, remaining = chunk
            src.seek(offset)
            while remaining > 0:
                data = src.read(min(remaining, 1 << 20))
                if not data:
                    raise OSError("the workbook was cut short while its history was copied")
                fp.write(data)
                remaining -= len(data)
        else:
            fp.write(chunk)
    end_raw_entry(zout, info)


def begin_raw_entry(zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """Write ``info``'s local header where ``zout`` ends; its compressed bytes follow.

    ``info`` carries its CRC and sizes already (no data descriptor), so the
    header is final; ZIP64 extra fields go in when a size needs them
    (APPNOTE.TXT §4.3.7, §4.5.3).
    """
    fp = zout.fp
    assert fp is not None
    info.header_offset = fp.tell()
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    fp.write(info.FileHeader(zip64))
    return fp


def end_raw_entry(zout: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    """Enter ``info``, whose bytes are written, in ``zout``'s central directory."""
    fp = zout.fp
    assert fp is not None
    zout.filelist.append(info)
    zout.NameToInfo[info.filename] = info
    zout.start_dir = fp.tell()
    zout._didModify = True
