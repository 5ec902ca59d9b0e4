"""The Google leases this process holds, by spreadsheet id.

Kept apart from :mod:`.gsheets_lease` (which takes and renews a lease with
its own :class:`~.gsheets.SheetsClient`) so that :mod:`.gsheets` can check
"is my lease still mine?" just before a write without importing the lease
machinery back (no import circle).
"""

from __future__ import annotations

from typing import Any

#: spreadsheet id → the lease this process holds (a :class:`.gsheets_lease.Lease`)
HELD: dict[str, Any] = {}


def ensure_held(spreadsheet_id: str) -> None:
    """Called before a write: raise when this process took the sheet's lease and lost it."""
    lease = HELD.get(spreadsheet_id)
    if lease is not None:
        lease.ensure()
