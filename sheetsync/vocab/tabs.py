"""English header names of the tabs sheetsync reads: deals, Stages, Quotas, Rates, reps.

Plain data in ``tabs.toml`` beside this module, one table per tab, each
field's headers most specific first (:mod:`sheetsync.columns` ranks
synonyms by that order).  The same fields in other languages and in CRM
exports are in :mod:`.headers`.  Loaded once, as read-only mappings of
tuples, under the names the reading modules use.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from types import MappingProxyType
from typing import Any


def _load() -> dict[str, Any]:
    text = resources.files(__package__).joinpath("tabs.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def _table(data: dict[str, Any], name: str) -> MappingProxyType[str, tuple[str, ...]]:
    return MappingProxyType({f: tuple(hs) for f, hs in data[name].items()})


_DATA = _load()
#: The deals tab's headers per canonical field (``columns.SYNONYMS``; the README prints it).
DEALS_TAB = _table(_DATA, "deals")
#: A Stages tab's headers: name, probability, outcome, kind, rot days.
STAGES_TAB = _table(_DATA, "stages")
#: A Quotas tab's headers: owner, period, quota, email.
QUOTAS_TAB = _table(_DATA, "quotas")
#: A Rates tab's headers: currency, rate, to.
RATES_TAB = _table(_DATA, "rates")
#: The headers of a rep's name and address in a Reps or Quotas tab (the drafts' senders).
REP_ADDRESSES = _table(_DATA, "rep_addresses")
del _DATA
