"""Files sheetsync reads but cannot write into (CSV, OpenDocument): a sync writes a new workbook.

A CSV file has no room for extra tabs, and sheetsync does not rewrite a
LibreOffice file it cannot keep byte for byte, so ``sheetsync sync`` on one
writes an ``.xlsx`` workbook named by ``--output``: a copy of the file's tabs
(values only) followed by sheetsync's own tabs, whose links point at the
copy.  Without ``--output`` the sync is refused before anything is written,
with the option to add spelled out.

The copies are owned tabs too (kind ``copy:<file name>/<tab>``), so the next
night's run into the same workbook replaces them in place and leaves any tab
a person added there untouched, and the stage history and the drafts ledger
carry on from that workbook: while a sync runs, the output workbook is the
source's *companion*, and sheetsync's state tabs are read from it.  A
workbook sheetsync did not make from this same file is never written into.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import ConfigError, OwnershipError
from ..model import Grid
from ..outsheet import OutCell, OutSheet
from .base import IN_PLACE, WriteOptions, WriteResult, copy_kind, copy_source, is_copy_kind
from .owned import EXCEL_BAD_TAB_CHARS, EXCEL_MAX_TAB_NAME
from .owned import excel_tab_problem as _excel_tab_problem
from .xlsx.styles import MINIMAL_STYLES


def excel_tab_problem(name: str) -> str | None:
    """Why ``name`` cannot be a tab of a new Excel workbook, or None (the rule: :mod:`.owned`)."""
    problem = _excel_tab_problem(name, new_book=True)
    return f"it {problem}" if problem else None


def tab_name_for(stem: str) -> str:
    """A valid Excel tab name made from a file name (what Excel calls a CSV's one tab)."""
    name = "".join("_" if ch in EXCEL_BAD_TAB_CHARS or ord(ch) < 32 else ch for ch in stem)
    name = name.strip().strip("'")[:EXCEL_MAX_TAB_NAME].strip() or "Deals"
    return "Deals" if name.casefold() == "history" else name


# --------------------------------------------------------------------------- copies

#: A number written plainly (no grouping, no leading zero, at most 15 digits:
#: what a float holds exactly); anything else in a CSV cell stays text.
_PLAIN_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?")


def _plain_number(text: str) -> int | float | None:
    if len(text) > 17 or not _PLAIN_NUMBER.fullmatch(text):
        return None
    if sum(ch.isdigit() for ch in text) > 15:
        return None
    return float(text) if "." in text else int(text)


def _copy_value(value: Any, numbers_from_text: bool) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if numbers_from_text and (n := _plain_number(value)) is not None:
            return n
        return value
    if isinstance(value, dt.datetime):
        return OutCell(value, "datetime")
    if isinstance(value, dt.date):
        return OutCell(value, "date")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds" if value.second else "minutes")
    if isinstance(value, dt.timedelta):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


def copy_sheet(grid: Grid, kind: str, *, numbers_from_text: bool = False) -> OutSheet:
    """A tab's values, cell for cell at the same positions, as an owned tab.

    Positions are kept exactly (row 14 column C of the source is ``C14`` of
    the copy), so findings and the follow-up list link to the right cells.
    ``numbers_from_text`` turns cells that are plain numbers (``12500``,
    ``-3.5``; not ``007`` or ``1,200``) into numbers: what a CSV file means
    by them.  Everything else text stays text, never a formula.
    """
    rows = [[_copy_value(v, numbers_from_text) for v in row] for row in grid.rows]
    widths: list[float] = []
    for row in grid.rows[:500]:
        for c, v in enumerate(row):
            n = len(str(v)) if v not in (None, "") else 0
            if c >= len(widths):
                widths.append(8.0)
            widths[c] = max(widths[c], min(60.0, n * 1.1 + 2))
    return OutSheet(name=grid.name, kind=kind, rows=rows, col_widths=widths)


# --------------------------------------------------------------------------- an empty package

_EMPTY_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
        "</Relationships>"
    ),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        "<Application>sheetsync</Application></Properties>"
    ),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        "<bookViews><workbookView/></bookViews><sheets></sheets></workbook>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ),
    "xl/styles.xml": MINIMAL_STYLES,
}


def empty_workbook(path: Path) -> Path:
    """A minimal SpreadsheetML package with no tabs yet, for the splice writer to fill.

    ECMA-376 wants at least one sheet; the splice always adds some, so what
    reaches the user's disk is a complete workbook.  Deterministic bytes
    (fixed timestamps), like the rest of sheetsync's output.
    """
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in _EMPTY_PARTS.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, text.encode("utf-8"))
    return path


# --------------------------------------------------------------------------- the source side


class ValuesOnlySource:
    """What CSV and OpenDocument sources share: read here, write a new ``.xlsx``.

    Subclasses set ``path``, ``name`` and ``what`` (``"a CSV file"``) and
    implement :meth:`data_tabs` and :meth:`read_data`.  ``output`` is the
    workbook a sync will write (``--output``); when it exists, sheetsync's
    own tabs (history, drafts ledger) are read from it.
    """

    what = "this file"
    #: Cells that are plain numbers in the text become numbers in the copy.
    numbers_from_text = False

    def __init__(self, path: Path, name: str, output: str | None = None) -> None:
        self.path = path
        self.name = name
        self.output = output
        self.backups = 3
        self._companion: Any = None
        self._companion_checked = False

    # -- to implement -------------------------------------------------------

    def data_tabs(self) -> list[str]:
        raise NotImplementedError

    def read_data(self, tab: str) -> Grid:
        raise NotImplementedError

    # -- the Source protocol -------------------------------------------------

    def tab_names(self) -> list[str]:
        names = self.data_tabs()
        companion = self.companion()
        if companion is not None:
            names += [t for t in companion.owned_tabs() if t not in names]
        return names

    def owned_tabs(self) -> dict[str, str]:
        companion = self.companion()
        return companion.owned_tabs() if companion is not None else {}

    def read(self, tab: str) -> Grid:
        if tab in self.data_tabs():
            return self.read_data(tab)
        companion = self.companion()
        if companion is not None and tab in companion.owned_tabs():
            return companion.read(tab)
        return self.read_data(tab)  # raises, naming the file

    @property
    def copied_tabs(self) -> list[str]:
        return self.data_tabs()

    def companion(self):
        """The ``--output`` workbook when it exists (and was made from this file), else None."""
        if self._companion_checked:
            return self._companion
        self._companion_checked = True
        if self.output and Path(self.output).expanduser().exists():
            from .excel import ExcelSource

            book = ExcelSource(self.output, backups=self.backups)
            self._refuse_foreign(book)
            self._companion = book
        return self._companion

    def _refuse_foreign(self, book) -> None:
        from .xlsx import read_workbook_info

        info = read_workbook_info(book.path)
        mine = self.path.name
        copies = [s.owned_kind for s in info.sheets if is_copy_kind(s.owned_kind)]
        if not copies:
            raise OwnershipError(
                f"{book.path}: the workbook exists and sheetsync did not make it from {mine}, "
                "so sheetsync will not write into it",
                hint=f"give --output a new file name (or move {book.path.name} away)",
            )
        others = sorted({copy_source(k) for k in copies if copy_source(k) != mine})
        if others:
            raise OwnershipError(
                f"{book.path}: the workbook holds the deals of {', '.join(others)}, not of {mine}",
                hint=f"give {mine} an --output workbook of its own",
            )

    # -- writing --------------------------------------------------------------

    def check_writable(self) -> str:
        """What ``doctor`` says: this file is only read; the night writes ``--output``.

        Without an output the night's ``sync`` stops (exit 2, :meth:`_needs_output`),
        so the doctor does too: it predicts that night.
        """
        import os

        if not self.output:
            raise self._needs_output()
        target = Path(self.output).expanduser()
        folder = target.parent
        if target.suffix.lower() != ".xlsx" or not folder.is_dir():
            raise ConfigError(
                f"--output {self.output}: the name must end in .xlsx and its folder must exist",
                hint=f"for example --output {self.suggested_output()}",
            )
        if not os.access(folder, os.W_OK):
            raise ConfigError(
                f"{folder}: sheetsync cannot write the workbook a sync makes from {self.path.name}",
                hint="give the user that runs sheetsync write access to the folder, "
                "or write elsewhere with --output",
            )
        return f"{self.name} is {self.what} sheetsync only reads; sync writes {self.output}"

    def _needs_output(self) -> ConfigError:
        return ConfigError(
            f"{self.name}: {self.what} cannot hold sheetsync's tabs, so sync writes them "
            "into a new workbook",
            hint=f"add --output FILE.xlsx, e.g. sheetsync sync {self.name} --output "
            f"{self.suggested_output()} (a workbook with the deals and sheetsync's tabs; "
            f"{self.path.name} stays as it is)",
        )

    def suggested_output(self) -> str:
        return str(Path(self.name).with_suffix(".xlsx"))

    def write(self, sheets: Sequence[OutSheet], how: WriteOptions = IN_PLACE) -> WriteResult:
        """A new workbook at ``how.output``: copies of this file's tabs, then ``sheets``."""
        from .excel import ExcelSource

        output = how.output or self.output
        if not output:
            raise self._needs_output()
        target = Path(output).expanduser()
        if target.suffix.lower() != ".xlsx":
            raise ConfigError(
                f"--output {output}: sheetsync writes an Excel workbook, so the name must end in .xlsx",
                hint=f"for example --output {self.suggested_output()}",
            )
        if not target.parent.is_dir():
            raise ConfigError(
                f"--output {output}: the folder {target.parent} does not exist",
                hint="create it first, or write the workbook elsewhere",
            )
        copies = []
        for tab in self.data_tabs():
            problem = excel_tab_problem(tab)
            if problem:
                raise ConfigError(
                    f"{self.name}: the tab {tab!r} cannot be copied into an .xlsx workbook ({problem})",
                    hint="rename the tab in LibreOffice",
                )
            copies.append(
                copy_sheet(
                    self.read_data(tab),
                    copy_kind(self.path.name, tab),
                    numbers_from_text=self.numbers_from_text,
                )
            )
        wanted = {c.kind for c in copies}
        if self.output != output:
            self.output, self._companion_checked, self._companion = output, False, None
        companion = self.companion()
        if companion is not None:
            from .xlsx import read_workbook_info

            stale = [
                s.owned_kind
                for s in read_workbook_info(companion.path).sheets
                if is_copy_kind(s.owned_kind) and s.owned_kind not in wanted
            ]
            companion.backups = self.backups
            return companion.write(
                [*copies, *sheets],
                replace(how, remove_kinds=[*how.remove_kinds, *stale], output=None),
            )
        with tempfile.TemporaryDirectory(prefix="sheetsync-new-") as tmp:
            base = ExcelSource(empty_workbook(Path(tmp) / "new.xlsx"), backups=0)
            result = base.write([*copies, *sheets], replace(how, output=str(target)))
        result.target = str(output)
        return result
