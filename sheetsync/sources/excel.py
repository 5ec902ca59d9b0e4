"""Excel workbooks (``.xlsx``, ``.xlsm``): fast reads, lossless writes.

Reading goes through python-calamine (Rust), about ten times faster than
openpyxl on a 100k-row sheet.  Writing never load-and-saves the user's
workbook: :mod:`.xlsx_splice` writes the owned sheets itself and splices them
into the zip package, leaving every other part byte-identical.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..errors import SourceError
from ..model import Grid

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"
READ_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")


def sniff(path: Path) -> None:
    """Refuse what is plainly not a readable workbook, with a message that says why.

    Done before handing the file to the reader so the common cases (missing
    file, password-protected workbook, a CSV renamed .xlsx, a truncated
    download) get a precise message rather than a parser's.
    """
    if not path.exists():
        raise SourceError(
            f"{path}: file not found", hint="check the path (or [source] path in sheetsync.toml)"
        )
    if path.is_dir():
        raise SourceError(f"{path}: is a folder, not a workbook")
    try:
        with path.open("rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise SourceError(
            f"{path}: cannot be read ({exc.strerror})", hint="check the file permissions"
        ) from None
    if not head:
        raise SourceError(f"{path}: the file is empty", hint="restore the workbook from a backup")
    suffix = path.suffix.lower()
    if head.startswith(_OLE_MAGIC):
        if suffix in (".xls",):
            return
        raise SourceError(
            f"{path}: the workbook is encrypted (password-protected) or an old binary .xls file saved as {suffix}",
            hint="remove the password in Excel (File › Info › Protect Workbook) or save it as .xlsx",
        )
    if suffix in (".xls",):
        raise SourceError(
            f"{path}: not an Excel 97-2003 workbook", hint="save it from Excel as .xlsx"
        )
    if not head.startswith(_ZIP_MAGIC):
        raise SourceError(
            f"{path}: not an Excel workbook (an .xlsx file is a zip package; this file is not)",
            hint="open it in Excel and save it as .xlsx",
        )
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            bad = zf.testzip()  # every member's checksum: a damaged part is named, not half-read
    except zipfile.BadZipFile as exc:
        raise SourceError(
            f"{path}: the workbook is damaged (broken zip package: {exc})",
            hint="restore it from a backup or let Excel repair it (File › Open › Open and Repair)",
        ) from None
    except (OSError, ValueError, EOFError) as exc:
        raise SourceError(
            f"{path}: the workbook is damaged ({exc})", hint="restore it from a backup"
        ) from None
    if bad is not None:
        raise SourceError(
            f"{path}: the workbook is damaged (the part {bad} fails its checksum)",
            hint="restore it from a backup or let Excel repair it (File › Open › Open and Repair)",
        )
    if suffix == ".ods":
        return
    if "[Content_Types].xml" not in names:
        raise SourceError(
            f"{path}: not an Office Open XML package ([Content_Types].xml is missing)",
            hint="open it in Excel and save it as .xlsx",
        )


def _read_sheet(wb, path: Path, name: str) -> Grid:
    try:
        sheet = wb.get_sheet_by_name(name)
        rows = sheet.to_python(skip_empty_area=False)
    except Exception as exc:
        raise SourceError(
            f"{path}: tab {name!r} cannot be read ({_short(exc)})",
            hint="open the workbook in Excel, check the tab, and save it again",
        ) from None
    return Grid(name=name, rows=rows)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


class ExcelSource:
    """A local workbook file, read with calamine and written by splicing."""

    def __init__(self, path: str | Path, *, backups: int = 3) -> None:
        self.path = Path(path).expanduser()
        self.name = str(path)
        self.backups = backups
        self._wb = None
        self._names: list[str] | None = None
        self._owned: dict[str, str] | None = None
        self._epoch1904 = False

    # -- reading ------------------------------------------------------------

    def _open(self):
        if self._wb is not None:
            return self._wb
        from python_calamine import CalamineWorkbook

        sniff(self.path)
        try:
            self._wb = CalamineWorkbook.from_path(str(self.path))
        except Exception as exc:  # calamine raises its own error types and zip/xml errors
            raise SourceError(
                f"{self.path}: the workbook cannot be read ({_short(exc)})",
                hint="open it in Excel to check it is not damaged, then save it again as .xlsx",
            ) from None
        self._names = list(self._wb.sheet_names)
        self._read_package_info()
        return self._wb

    def _read_package_info(self) -> None:
        """Date system and ownership markers, from ``xl/workbook.xml``."""
        self._owned = {}
        if self.path.suffix.lower() not in (".xlsx", ".xlsm", ".xltx", ".xltm"):
            return
        try:
            from .xlsx_splice import read_workbook_info
        except ImportError:  # TEMP until the splice module lands
            return
        info = read_workbook_info(self.path)
        self._epoch1904 = info.epoch1904
        self._owned = {s.name: s.owned_kind for s in info.sheets if s.owned_kind}

    def tab_names(self) -> list[str]:
        self._open()
        assert self._names is not None
        return list(self._names)

    def owned_tabs(self) -> dict[str, str]:
        self._open()
        return dict(self._owned or {})

    def read(self, tab: str) -> Grid:
        wb = self._open()
        grid = _read_sheet(wb, self.path, tab)
        grid.epoch1904 = self._epoch1904
        return grid
