"""The words sheetsync's own messages use: plain data in ``messages.toml``.

Not what a sheet says (the rest of this package) but what sheetsync says
about it: what an unreadable deals cell should hold, how ``check`` names
the rows it left out, how ``sync`` counts the follow-ups.  Kept as data so
a wording changes in one place without reading code; each table is loaded
once, in the file's order (the order the messages list kinds in), as pairs
of strings under the names the modules that word those messages use.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("messages.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _pairs(data: dict[str, Any], name: str, first: str, second: str) -> dict[str, tuple[str, str]]:
    """Table ``name`` as key → (``first``, ``second``), in the file's order."""
    return {key: (entry[first], entry[second]) for key, entry in data[name].items()}


_DATA = _load()
#: Deals field → (finding code, what the cell should hold), for unreadable cells.
UNREADABLE_CELLS = _pairs(_DATA, "unreadable_cells", "code", "expects")
#: Kind of row that is not a deal → how ``check`` names it (singular, plural).
SKIPPED_ROWS = _pairs(_DATA, "skipped_rows", "one", "many")
#: Follow-up kind → how the one-line summary counts it (singular, plural).
FOLLOW_UP_LABELS = _pairs(_DATA, "follow_ups", "one", "many")
del _DATA
