"""The one small interface every backend (Excel, Google Sheets) implements.

A backend reads tabs as :class:`~sheetsync.model.Grid` values and writes the
tabs sheetsync owns.  It knows nothing of deals, metrics or emails; those
layers know nothing of files, zips or HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..model import Grid
from ..outsheet import OutSheet


@dataclass(slots=True)
class WriteResult:
    """What a write did (or, on a dry run, would do)."""

    target: str
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed_parts: list[str] = field(default_factory=list)
    backup: str | None = None
    dry_run: bool = False


class Source(Protocol):
    """A spreadsheet sheetsync can read from and write its own tabs into."""

    #: How to name the source to a person: a path or a URL.
    name: str

    def tab_names(self) -> list[str]:
        """All tabs in workbook order, owned ones included."""
        ...

    def owned_tabs(self) -> dict[str, str]:
        """Tabs sheetsync wrote, by tab name → kind (from the ownership marker)."""
        ...

    def read(self, tab: str) -> Grid:
        """One tab's values from A1 (``SourceError`` when it cannot)."""
        ...

    def write(
        self,
        sheets: Sequence[OutSheet],
        *,
        remove_kinds: Sequence[str] = (),
        dry_run: bool = False,
        output: str | None = None,
    ) -> WriteResult:
        """Create or replace the owned tabs ``sheets``; never touch another tab."""
        ...
