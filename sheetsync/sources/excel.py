"""Excel workbooks (``.xlsx``, ``.xlsm``): fast reads, lossless writes.

Reading goes through python-calamine (Rust), about ten times faster than
openpyxl on a 100k-row sheet.  Writing never load-and-saves the user's
workbook: :mod:`.xlsx` writes the owned sheets itself and splices them
into the zip package, leaving every other part byte-identical.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import glob
import logging
import os
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import FileSystemError, SourceChangedError, SourceError
from ..logs import event
from ..model import Grid
from ..outsheet import OutSheet
from .base import IN_PLACE, WriteOptions, WriteResult, is_copy_kind
from .filesafety import keep_attributes, make_backup_folder, office_lock, refuse_unwritable

if TYPE_CHECKING:
    from .xlsx_cells import CellFacts

log = logging.getLogger("sheetsync.excel")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = b"PK"
READ_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xls", ".xlsb", ".ods")
#: Office Open XML packages: the ones whose parts sheetsync reads itself (ownership, cell facts).
_OOXML_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm")


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


def _date1904_fallback(path: Path) -> bool:
    """The 1904 flag read straight from ``xl/workbook.xml`` (for workbooks we only read)."""
    import re

    try:
        with zipfile.ZipFile(path) as zf:
            head = zf.read("xl/workbook.xml")[:20000].decode("utf-8", "replace")
    except (KeyError, OSError, zipfile.BadZipFile, ValueError):
        return False
    return re.search(r"""date1904\s*=\s*["'](1|true)["']""", head) is not None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]


class ExcelSource:
    """A local workbook file, read with calamine and written by splicing."""

    def __init__(
        self, path: str | Path, *, backups: int = 3, stale_lock_hours: float = 24.0
    ) -> None:
        self.path = Path(path).expanduser()
        self.name = str(path)
        self.backups = backups
        self.stale_lock_hours = stale_lock_hours
        #: What the last write could not keep of the old file (owner, xattrs…).
        self.lost_attributes: list[str] = []
        self._wb = None
        self._names: list[str] | None = None
        self._owned: dict[str, str] | None = None
        self._epoch1904 = False
        self._stamp: tuple[int, int] | None = None
        self._info = None  # xlsx.WorkbookInfo, when the package could be inspected

    # -- reading ------------------------------------------------------------

    def _open(self):
        if self._wb is not None:
            return self._wb
        from python_calamine import CalamineWorkbook

        sniff(self.path)
        st = self.path.stat()
        self._stamp = (st.st_mtime_ns, st.st_size)
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
        if self.path.suffix.lower() not in _OOXML_SUFFIXES:
            return
        from .xlsx import read_workbook_info

        try:
            info = read_workbook_info(self.path)
        except SourceError:
            # Readable but not writable (signed, Strict, protected structure…):
            # checking it is fine; `sync` will refuse with the reason.
            self._epoch1904 = _date1904_fallback(self.path)
            return
        self._info = info
        self._epoch1904 = info.epoch1904
        # A copy of a CSV/OpenDocument file's tab (see .newbook) holds the team's
        # data, not sheetsync's: it is read like any tab of theirs.
        self._owned = {
            s.name: s.owned_kind
            for s in info.sheets
            if s.owned_kind and not is_copy_kind(s.owned_kind)
        }

    def tab_names(self) -> list[str]:
        self._open()
        assert self._names is not None
        return list(self._names)

    def owned_tabs(self) -> dict[str, str]:
        self._open()
        return dict(self._owned or {})

    def read(self, tab: str) -> Grid:
        """The tab's values (calamine) with its cell facts (:mod:`.xlsx_cells`).

        The two read the same sheet part independently, so they run side by
        side: calamine parses the XML in Rust without holding the GIL, and
        the facts' scan (zlib, byte searches) runs meanwhile in a worker
        thread: on a 100,000-row tab the facts cost about a second that
        would otherwise follow the read.
        """
        wb = self._open()
        if self.path.suffix.lower() not in _OOXML_SUFFIXES or tab in (self._owned or {}):
            # (sheetsync's own tabs hold the values it wrote: no formulas, Tables
            # or currency styles of the team's to find; the history tab of a
            # 100k-deal sheet would cost its own scan)
            return self._values(wb, tab)
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sheetsync-facts") as pool:
            facts = pool.submit(contextvars.copy_context().run, self._cell_facts, tab)
            grid = self._values(wb, tab)
            found = facts.result()
        if found is not None:
            found.apply(grid)
        return grid

    def _values(self, wb, tab: str) -> Grid:
        grid = _read_sheet(wb, self.path, tab)
        grid.epoch1904 = self._epoch1904
        return grid

    def _cell_facts(self, tab: str) -> CellFacts | None:
        """Formulas, uncalculated results, errors and Tables of ``tab`` (:mod:`.xlsx_cells`).

        Only for Office Open XML packages: calamine reads ``.xls``/``.xlsb``
        (binary records) and ``.ods`` too, but those are not scanned here, so
        their grids go without these facts.  Never fails the read (None): a
        workbook whose extra facts cannot be read is still read for its
        values, as before.
        """
        from .xlsx_cells import read_cell_facts

        try:
            st = self.path.stat()
            if self._stamp is not None and (st.st_mtime_ns, st.st_size) != self._stamp:
                log.debug("%s changed since it was read: no formula facts", self.path)
                return None
            return read_cell_facts(self.path, tab, info=self._info)
        except Exception as exc:  # the values are read; these facts are extra
            log.debug("%s: formulas of tab %r not read (%s)", self.path, tab, _short(exc))
            return None

    # -- writing ------------------------------------------------------------

    def write(self, sheets: Sequence[OutSheet], how: WriteOptions = IN_PLACE) -> WriteResult:
        """Splice the owned tabs into the workbook, atomically, keeping a backup.

        The new package is written to a temporary file in the same folder,
        flushed to disk, checked, and renamed over the original, so a crash at
        any moment leaves either the old workbook or the new one, never half a
        file.  The run stops (writing nothing) when Excel holds the workbook
        open or the file changed on disk since it was read.
        """
        self._open()
        output = how.output
        target = Path(output).expanduser() if output else self.path
        self._refuse_if_busy()
        if not how.dry_run:
            refuse_unwritable(self.path, output=target if output else None)
        stage = ["writing the new workbook beside it"]
        try:
            return self._write(sheets, target, stage, how)
        except OSError as exc:  # the disk, a folder, a permission: exit 3 with the fix
            raise FileSystemError.from_os_error(exc, target, stage[0]) from exc

    def _write(
        self,
        sheets: Sequence[OutSheet],
        target: Path,
        stage: list[str],
        how: WriteOptions,
    ) -> WriteResult:
        from .xlsx import splice

        dry_run, output = how.dry_run, how.output
        _remove_stale_temps(target.parent, target.name)
        fd, tmp_name = tempfile.mkstemp(
            prefix=f".~{target.name}.", suffix=TEMP_SUFFIX, dir=target.parent
        )
        os.close(fd)
        tmp = Path(tmp_name)
        try:
            result = splice(
                self.path,
                tmp,
                list(sheets),
                formats=how.formats,
                remove_kinds=how.remove_kinds,
            )
            out = WriteResult(
                target=str(target),
                replaced=list(result.replaced_sheets),
                added=list(result.added_sheets),
                removed=list(result.removed_sheets),
                changed_parts=list(result.changed_parts),
                dry_run=dry_run,
            )
            if dry_run or (not result.changed_parts and not output):
                return out  # nothing to do: no rename, no backup churn
            _fsync_file(tmp)
            self._refuse_if_busy()  # the file must be exactly what we read
            if not output:
                stage[0] = "keeping a backup of it"
                out.backup = self._backup()
            stage[0] = "replacing it with the new workbook"
            try:
                old = target.stat()
            except FileNotFoundError:  # a new file: the usual permissions, not mkstemp's 0600
                os.chmod(tmp, 0o666 & ~_umask())
            else:
                self.lost_attributes = keep_attributes(old, target, tmp)
                if self.lost_attributes:
                    event(
                        "write.attributes_lost",
                        f"{target}: the new file could not keep the old one's "
                        f"{', '.join(self.lost_attributes)} (only root may give a file to "
                        "another user); run sheetsync as the workbook's owner to keep them",
                        level=logging.WARNING,
                        source=str(self.path),
                        lost=self.lost_attributes,
                    )
            os.replace(tmp, target)
            _fsync_dir(target.parent)
            log.debug("renamed %s over %s", tmp, target)
            return out
        finally:
            tmp.unlink(missing_ok=True)

    def check_writable(self) -> str:
        """Why a sync could write this workbook, or the SheetsyncError saying why not."""
        from .xlsx import inspect_workbook

        self._open()
        info = inspect_workbook(self.path)  # refuses signed, Strict, protected…
        self._refuse_if_busy()
        refuse_unwritable(self.path)
        owned = [s.name for s in info.sheets if s.owned_kind]
        return f"{self.path} can be updated" + (
            f" (owned tabs: {', '.join(owned)})" if owned else " (no owned tabs yet)"
        )

    def _refuse_if_busy(self) -> None:
        office_lock(self.path, stale_hours=self.stale_lock_hours)
        try:
            st = self.path.stat()
        except FileNotFoundError:
            raise SourceChangedError(
                f"{self.path}: the workbook disappeared while sheetsync was working"
            ) from None
        if self._stamp is not None and (st.st_mtime_ns, st.st_size) != self._stamp:
            raise SourceChangedError(
                f"{self.path}: the workbook changed on disk while sheetsync was working; nothing was written",
                hint="run again (someone saved the file meanwhile)",
            )

    def _backup(self) -> str | None:
        """Keep the current workbook as the newest backup; drop the oldest ones."""
        if self.backups <= 0:
            return None
        folder = self.path.parent / BACKUP_DIR
        make_backup_folder(folder)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        backup = folder / f"{self.path.stem}.{stamp}{self.path.suffix}"
        try:
            os.link(self.path, backup)  # instant, and the original bytes stay as they are
        except OSError:  # a file system without hard links: a copy, with the same attributes
            shutil.copy2(self.path, backup)
            keep_attributes(self.path.stat(), self.path, backup)
        olds = sorted(folder.glob(f"{glob.escape(self.path.stem)}.*{self.path.suffix}"))
        for old in olds[: max(0, len(olds) - self.backups)]:
            old.unlink(missing_ok=True)
        return str(backup)


TEMP_SUFFIX = ".sheetsync-tmp"
BACKUP_DIR = ".sheetsync-backups"


def _remove_stale_temps(folder: Path, name: str) -> None:
    """Temporary files a killed run left behind (never the workbook itself)."""
    for p in folder.glob(f".~{glob.escape(name)}.*{TEMP_SUFFIX}"):
        with contextlib.suppress(OSError):
            p.unlink()


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync_file(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
