"""CSV exports (``.csv``, ``.tsv``, ``.txt``): one tab of text, encoding and delimiter found.

CRMs and spreadsheets export CSV in more dialects than RFC 4180 admits.
What is handled, in the order it is decided:

* **Encoding** (``[csv] encoding`` wins): a byte-order mark first (Excel's
  "CSV UTF-8" starts with ``EF BB BF``; "Unicode Text" is UTF-16 with a
  BOM); then UTF-16 without a BOM, told by its NUL bytes; then strict UTF-8
  (WHATWG Encoding §4: a valid UTF-8 decode is almost never an accident);
  then Windows-1252, what Excel writes for "CSV (Comma delimited)" on a
  Western Windows; bytes that Windows-1252 leaves undefined mean ISO-8859-1.
* **Delimiter** (``[csv] delimiter`` wins): Excel's own ``sep=;`` first line
  when present; else, among ``,`` ``;`` tab and ``|``, the one that splits
  the first records into the same number of fields most consistently
  (European Excel writes ``;`` because ``,`` is its decimal separator).
* **Quoting** as RFC 4180 §2: fields in double quotes may hold the
  delimiter, line breaks and doubled quotes.

Every record is one row of the grid, numbered from 1 as a spreadsheet shows
them (a blank line, and a ``sep=`` line, are rows too), so a finding names
``pipeline.csv:14:3``: record 14, field 3.  That is the line number too,
unless a cell above holds a line break.  Cells stay text as written; the
readers in :mod:`sheetsync.parse` make amounts and dates of them.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from ..config import CsvSettings  # settings live with the configuration
from ..errors import SourceError
from ..model import Grid
from .newbook import ValuesOnlySource, tab_name_for

log = logging.getLogger("sheetsync.csv")

SUFFIXES = (".csv", ".tsv", ".txt")
DELIMITERS = (",", ";", "\t", "|")
_SAMPLE_BYTES = 256 * 1024
_SAMPLE_RECORDS = 200
_MAX_FIELD = 1024 * 1024  # a cell larger than this is not a pipeline (Excel holds 32,767)


@dataclass(frozen=True, slots=True)
class Dialect:
    """What was found out about a file: how it was read."""

    encoding: str
    delimiter: str
    sep_line: bool = False


# --------------------------------------------------------------------------- encoding

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def detect_encoding(data: bytes) -> str:
    """The encoding of ``data`` (see the module notes for the order of the tests)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name
    head = data[:4096]
    if head and head.count(0) * 4 >= len(head):  # text in UTF-16 is full of NULs
        even, odd = head[0::2].count(0), head[1::2].count(0)
        return "utf-16-be" if even > odd else "utf-16-le"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        data.decode("cp1252")
        return "cp1252"
    except UnicodeDecodeError:
        return "latin-1"


def _decode(data: bytes, encoding: str, path: Path) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise SourceError(
            f"{path}: not {encoding} text (byte {exc.start + 1} cannot be read as {encoding})",
            hint="set [csv] encoding in sheetsync.toml to the file's encoding (e.g. cp1252), "
            "or export the file again as CSV UTF-8",
        ) from None


# --------------------------------------------------------------------------- delimiter


def _records(text: str, delimiter: str, limit: int | None = None) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for row in reader:
            out.append(row)
            if limit is not None and len(out) >= limit:
                break
    except csv.Error:
        if limit is None:
            raise
    return out


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the first records most consistently (``,`` on a tie)."""
    sample = text[:_SAMPLE_BYTES]
    if len(text) > len(sample):
        sample = sample[: sample.rfind("\n") + 1] or sample
    best, best_key = ",", (0.0, 0)
    for d in DELIMITERS:
        counts = [len(r) for r in _records(sample, d, _SAMPLE_RECORDS) if any(c.strip() for c in r)]
        if not counts:
            continue
        mode = max(set(counts), key=lambda n: (counts.count(n), n))
        if mode < 2:
            continue
        key = (counts.count(mode) / len(counts), mode)
        if key > best_key:
            best, best_key = d, key
    return best


def _sep_line(text: str) -> str | None:
    """Excel's ``sep=;`` directive on the first line, if the file has one."""
    first = text[:20].split("\n", 1)[0].rstrip("\r")
    if first.lower().startswith("sep=") and len(first) == 5:
        return first[4]
    return None


# --------------------------------------------------------------------------- the source


def _sniff(path: Path, data: bytes) -> None:
    if not data:
        raise SourceError(f"{path}: the file is empty", hint="export the pipeline again")
    if data.startswith(b"PK\x03\x04"):
        raise SourceError(
            f"{path}: this is a workbook (a zip package), not a CSV file",
            hint=f"rename it to {path.with_suffix('.xlsx').name} (or .ods if LibreOffice made it)",
        )
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise SourceError(
            f"{path}: this is an old Excel workbook (.xls), not a CSV file",
            hint="open it in Excel and save it as .xlsx or as CSV UTF-8",
        )


class CsvSource(ValuesOnlySource):
    """A CSV file as a one-tab spreadsheet, named after the file (as Excel does)."""

    what = "a CSV file"
    numbers_from_text = True

    def __init__(
        self,
        path: str | Path,
        *,
        settings: CsvSettings | None = None,
        output: str | None = None,
    ) -> None:
        super().__init__(Path(path).expanduser(), str(path), output)
        self.settings = settings or CsvSettings()
        self.tab = tab_name_for(self.path.stem)
        self.dialect: Dialect | None = None
        self._grid: Grid | None = None

    @property
    def file_tabs(self) -> dict[str, str]:
        """The one tab is the file: findings in it are named ``file.csv:row:column``."""
        return {self.tab: self.name}

    def data_tabs(self) -> list[str]:
        return [self.tab]

    def read_data(self, tab: str) -> Grid:
        if tab != self.tab:
            raise SourceError(
                f"{self.name}: a CSV file has one table, not a tab named {tab!r}",
                hint="leave [source] deals_tab unset for a CSV file",
            )
        if self._grid is None:
            self._grid = self._load()
        return self._grid

    def _load(self) -> Grid:
        path = self.path
        if not path.exists():
            raise SourceError(
                f"{path}: file not found",
                hint="check the path (or [source] path in sheetsync.toml)",
            )
        if path.is_dir():
            raise SourceError(f"{path}: is a folder, not a CSV file")
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise SourceError(
                f"{path}: cannot be read ({exc.strerror})", hint="check the file permissions"
            ) from None
        _sniff(path, data)
        encoding = self.settings.encoding or detect_encoding(data)
        text = _decode(data, encoding, path)
        if "\x00" in text:
            raise SourceError(
                f"{path}: not a text file (it holds NUL bytes)",
                hint="export the pipeline as CSV (or set [csv] encoding if it is UTF-16 or UTF-32)",
            )
        sep = _sep_line(text)
        delimiter = self.settings.delimiter_char or sep or detect_delimiter(text)
        self.dialect = Dialect(encoding, delimiter, sep is not None)
        log.debug("%s: read as %s, delimiter %r", path, encoding, delimiter)
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, _MAX_FIELD))
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows: list[list[str]] = []
        try:
            for row in reader:
                rows.append(row)
        except csv.Error as exc:
            raise SourceError(
                f"{self.name}:{reader.line_num}: the CSV cannot be read ({exc})",
                hint="a quote is probably not closed: open the file in a text editor at that line",
            ) from None
        finally:
            csv.field_size_limit(limit)
        if sep is not None and self.settings.delimiter_char in ("", sep):
            rows[0] = [text.split("\n", 1)[0].rstrip("\r")]  # keep the directive as written
        return Grid(name=self.tab, rows=rows)
