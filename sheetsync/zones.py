"""The team's time zone, from its IANA name (``[team] timezone``).

Both :class:`sheetsync.config.TeamConfig` and the drafts' copy of the
setting (:class:`sheetsync.drafts.settings.DraftSettings`) load it here, so
the rule that an unset name means the machine's own zone is written once.
Its own module because neither can hold it for the other: the drafts
settings cannot import :mod:`sheetsync.config` (which imports them), and a
``[team]`` setting does not belong in the drafts package.
"""

from __future__ import annotations

import datetime as dt


def zone(name: str | None) -> dt.tzinfo | None:
    """The zone ``name`` names (``Asia/Bangkok``); None, the machine's own, when it is empty."""
    if not name:
        return None
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)
