"""The checks every settings section is read through: types, ranges, known keys.

A low module on purpose: :mod:`sheetsync.config` and every layer that owns a
settings section (``[drafts]`` in :mod:`sheetsync.drafts.settings`) check
their TOML tables with the same few functions, and importing them from here
keeps the configuration from importing back the layers it configures (no
import circle: see docs/architecture.md).  Each failure is a
:class:`~sheetsync.errors.ConfigError` that names the key and says how to fix it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import ConfigError

Checker = Callable[[Any, str], Any]


def _fail(where: str, msg: str) -> ConfigError:
    return ConfigError(
        f"{where}: {msg}",
        hint="fix the key in the configuration file (see README, 'Configuration')",
    )


def _type_name(v: Any) -> str:
    return {str: "text", bool: "true/false", int: "a whole number", float: "a number"}.get(
        type(v), type(v).__name__
    )


def _str(v: Any, where: str) -> str:
    if not isinstance(v, str):
        raise _fail(where, f"must be text, got {_type_name(v)} {v!r}")
    return v


def _bool(v: Any, where: str) -> bool:
    if not isinstance(v, bool):
        raise _fail(where, f"must be true or false, got {v!r}")
    return v


def _int(v: Any, where: str) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise _fail(where, f"must be a whole number, got {v!r}")
    if v < 0:
        raise _fail(where, f"must not be negative, got {v}")
    return v


def _number(v: Any, where: str) -> float:
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _fail(where, f"must be a number, got {v!r}")
    return float(v)


def _str_list(v: Any, where: str) -> list[str]:
    if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
        raise _fail(where, f"must be a list of text values, got {v!r}")
    return list(v)


def _choice(*options: str) -> Checker:
    def check(v: Any, where: str) -> str:
        if v not in options:
            raise _fail(where, f"must be one of {', '.join(map(repr, options))}, got {v!r}")
        return v

    return check


def _table(v: Any, where: str) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise _fail(where, f"must be a table ([section]), got {_type_name(v)}")
    return v


def _check_keys(
    table: Mapping[str, Any], allowed: Mapping[str, Checker], where: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in table.items():
        if key not in allowed:
            raise ConfigError(
                f"{where}: unknown key {key!r}",
                hint="known keys here: " + ", ".join(sorted(allowed)),
            )
        out[key] = allowed[key](value, f"{where} {key}")
    return out
