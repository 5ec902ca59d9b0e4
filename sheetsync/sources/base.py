"""The one small interface every backend (Excel, Google Sheets) implements.

A backend reads tabs as :class:`~sheetsync.model.Grid` values and writes the
tabs sheetsync owns.  It knows nothing of deals, metrics or emails; those
layers know nothing of files, zips or HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar
from urllib.parse import urlsplit

from ..errors import OwnershipError
from ..model import Grid
from ..outsheet import OutSheet
from .owned import DEFAULT_FORMATS, OwnedFormats

T = TypeVar("T")


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


@dataclass(frozen=True, slots=True)
class WriteOptions:
    """How :meth:`Source.write` writes, one value for every backend.

    ``remove_kinds``: owned tabs (by kind) to delete; ``dry_run``: decide
    everything and write nothing; ``output``: a copy to write instead of
    the original (Excel only); ``formats``: the owned tabs' number formats
    (:class:`~sheetsync.sources.owned.OwnedFormats`, from ``[team]`` and ``[sync]``).
    """

    remove_kinds: Sequence[str] = ()
    dry_run: bool = False
    output: str | None = None
    formats: OwnedFormats = DEFAULT_FORMATS


#: Write the owned tabs in place, with the default formats.
IN_PLACE = WriteOptions()


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

    def write(self, sheets: Sequence[OutSheet], how: WriteOptions = IN_PLACE) -> WriteResult:
        """Create or replace the owned tabs ``sheets``; never touch another tab."""
        ...


@dataclass(slots=True)
class TabSlot(Generic[T]):
    """One tab of the result, in tab order: an existing tab kept or replaced, or a new one."""

    existing: T | None  # None: a new tab
    out: OutSheet | None  # None: leave the existing tab alone
    name: str


def plan_tabs(
    existing: Sequence[T],
    *,
    name_of: Callable[[T], str],
    kind_of: Callable[[T], str | None],
    sheets: Sequence[OutSheet],
    remove_kinds: Iterable[str],
    where: str,
    container: str,
) -> tuple[list[TabSlot[T]], list[T]]:
    """Where every owned tab goes, the same way for every backend.

    An owned tab (known by the kind in its marker, never by its name) is
    replaced in place; a new one goes at the end; owned tabs of a kind in
    ``remove_kinds`` are dropped.  A tab a person made that has a wanted
    name stops the plan with :class:`OwnershipError` before anything is
    written, as does one owned tab asked to hold two kinds.  ``container``
    names the file for messages ("workbook", "spreadsheet").
    """
    remove = set(remove_kinds)
    first_owned: dict[str, int] = {}
    for i, tab in enumerate(existing):
        kind = kind_of(tab)
        if kind is not None:
            first_owned.setdefault(kind, i)
    removed_idx = {
        i for i, tab in enumerate(existing) if (k := kind_of(tab)) is not None and k in remove
    }
    slots: list[TabSlot[T]] = []
    by_index: dict[int, TabSlot[T]] = {}
    for i, tab in enumerate(existing):
        if i not in removed_idx:
            slot = TabSlot(tab, None, name_of(tab))
            slots.append(slot)
            by_index[i] = slot
    for out in sheets:
        i = first_owned.get(out.kind)
        if i is not None and i in by_index:
            by_index[i].out, by_index[i].name = out, out.name
        else:
            slots.append(TabSlot(None, out, out.name))
    kept: dict[str, TabSlot[T]] = {}
    for slot in slots:
        if slot.out is None:
            kept.setdefault(slot.name.casefold(), slot)
    for slot in slots:
        if slot.out is None:
            continue
        other = kept.get(slot.name.casefold())
        if other is None:
            continue
        assert other.existing is not None
        other_kind = kind_of(other.existing)
        if other_kind is None:
            raise OwnershipError(
                f"{where}: the {container} already has a tab named {slot.name!r} that sheetsync "
                "did not create, so sheetsync will not overwrite it",
                hint=f"rename that tab in the {container}, or set a different name for the "
                f"{slot.out.kind!r} tab in the [tabs] section of sheetsync.toml",
            )
        raise OwnershipError(
            f"{where}: the tab {slot.name!r} is sheetsync's {other_kind!r} tab,"
            f" so it cannot also hold the {slot.out.kind!r} tab",
            hint="set different names in the [tabs] section of sheetsync.toml",
        )
    return slots, [tab for i, tab in enumerate(existing) if i in removed_idx]


# ------------------------------------------------------- copies of files sheetsync cannot write into
# (here, below both the Excel backend and newbook, which each need them)

#: The kind of an owned tab that holds a copy of a source file's tab.
COPY_PREFIX = "copy:"


def copy_kind(file_name: str, tab: str) -> str:
    """``copy:pipeline.csv/pipeline``: file names and tab names never contain ``/``."""
    return f"{COPY_PREFIX}{file_name}/{tab}"


def is_copy_kind(kind: str | None) -> bool:
    return bool(kind) and kind.startswith(COPY_PREFIX)  # type: ignore[union-attr]


def copy_source(kind: str) -> str:
    """The file a copy tab was made from (``pipeline.csv``)."""
    return kind[len(COPY_PREFIX) :].split("/", 1)[0]


# ------------------------------------------------------- which sources are Google Sheets
# (here, below the registry and the file checks, which both need to know)

GOOGLE_HOSTS = ("docs.google.com", "sheets.google.com")
GOOGLE_PREFIX = "gsheet:"


def is_google_sheet(source: str) -> bool:
    """True when ``source`` names a Google Sheet (well-formed or not)."""
    s = source.strip()
    if s.lower().startswith(GOOGLE_PREFIX):
        return True
    if not s.lower().startswith(("http://", "https://")):
        return False
    host = (urlsplit(s).hostname or "").lower()
    return host in GOOGLE_HOSTS
