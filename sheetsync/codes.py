"""Every finding code sheetsync emits, with its default severity and meaning.

The one list the README's findings table, ``[validation]`` in
``sheetsync.toml`` (which may change a code's severity or switch it off) and
the rules in :mod:`sheetsync.validate` all refer to.  Plain data
(``codes.toml`` beside this module) read by a module of its own, below both
the configuration and the rules, so the configuration
can check a ``[validation]`` code without importing the rules back (no
import circle: see docs/architecture.md).
"""

from __future__ import annotations

import tomllib
from importlib import resources

from .model import Severity


def _load() -> dict[str, tuple[Severity, str]]:
    """``codes.toml`` (beside this module): one table per code, in the README's order."""
    text = resources.files(__package__).joinpath("codes.toml").read_text(encoding="utf-8")
    return {
        code: (Severity(entry["severity"]), entry["meaning"])
        for code, entry in tomllib.loads(text).items()
    }


#: Every finding code sheetsync emits, with its default severity and meaning.
CODES: dict[str, tuple[Severity, str]] = _load()
