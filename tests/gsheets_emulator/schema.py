"""Request checking against Google's own discovery document for Sheets v4.

The schema is the one google-api-python-client ships
(``googleapiclient/discovery_cache/documents/sheets.v4.json``), so the
emulator refuses what Google refuses: unknown fields, wrong JSON types,
values outside an enum, unknown query parameters.  Errors use Google's
wording and shape (``INVALID_ARGUMENT`` with a ``BadRequest`` detail listing
the field violations), field paths in the proto's snake_case as Google
prints them (``requests[0].add_sheet.properties``).

``validate_body`` also returns the body normalised: ``snake_case`` keys
renamed to the JSON names and ``null`` fields dropped (proto3 JSON treats
both as Google does), so the handlers only see one spelling.
"""

from __future__ import annotations

import json
import math
import re
import struct
from functools import cache
from pathlib import Path
from typing import Any

from .errors import ApiError

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def discovery_path() -> Path:
    import googleapiclient

    return (
        Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "sheets.v4.json"
    )


@cache
def discovery() -> dict[str, Any]:
    return json.loads(discovery_path().read_text(encoding="utf-8"))


@cache
def methods() -> dict[str, dict[str, Any]]:
    """Every method by id: ``sheets.spreadsheets.values.get`` → its description."""
    out: dict[str, dict[str, Any]] = {}

    def walk(resources: dict[str, Any]) -> None:
        for res in resources.values():
            for m in res.get("methods", {}).values():
                out[m["id"]] = m
            walk(res.get("resources", {}))

    walk(discovery()["resources"])
    return out


def snake(name: str) -> str:
    return _CAMEL.sub("_", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


@cache
def _props(schema_name: str) -> tuple[dict[str, Any], dict[str, str]]:
    """A schema's properties and a map of every accepted spelling → JSON name."""
    props = discovery()["schemas"][schema_name].get("properties", {})
    names = {}
    for key in props:
        names[key] = key
        names.setdefault(snake(key), key)
    return props, names


def _short_json(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 100 else text[:97] + "..."


def _violation(path: str, message: str) -> ApiError:
    return ApiError(
        400,
        message,
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": path, "description": message}],
            }
        ],
    )


def _invalid_value(path: str, proto_type: str, value: Any) -> ApiError:
    return _violation(path, f"Invalid value at '{path}' ({proto_type}), {_short_json(value)}")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


class _Path:
    """A field path built only when an error needs it (checking 500k cells stays fast)."""

    __slots__ = ("parent", "name", "index")

    def __init__(
        self, parent: _Path | None, name: str | None, index: int | str | None = None
    ) -> None:
        self.parent = parent
        self.name = name
        self.index = index

    def __str__(self) -> str:
        head = str(self.parent) if self.parent is not None else ""
        if self.name is not None:
            head = f"{head}.{self.name}" if head else self.name
        if self.index is not None:
            head = f"{head}[{self.index}]"
        return head


def _str(path: _Path | str) -> str:
    return path if isinstance(path, str) else str(path)


Checker = Any  # Callable[[Any, _Path], Any]


@cache
def _compiled(schema_name: str) -> dict[str, tuple[str, str, Checker]]:
    """Every accepted key of a message → (JSON name, proto name, checker)."""
    props, names = _props(schema_name)
    table: dict[str, tuple[str, str, Checker]] = {}
    for key, name in names.items():
        table[key] = (name, snake(name), _compile(props[name]))
    return table


def _compile(spec: dict[str, Any]) -> Checker:
    ref = spec.get("$ref")
    if ref:
        return lambda value, path: check_object(ref, value, path)
    kind = spec.get("type")
    if kind == "any":
        return lambda value, path: value
    if kind == "array":
        item_spec = spec.get("items", {})
        item_check = _compile(item_spec)
        list_type = (
            "type.googleapis.com/google.protobuf.ListValue"
            if item_spec.get("type") in ("array", "any")
            else _proto_type(item_spec)
        )
        nullable = item_spec.get("type") in ("any", None)

        def check_array(value: Any, path: _Path) -> Any:
            if not isinstance(value, list):
                raise _invalid_value(_str(path), list_type, value)
            out = []
            for i, item in enumerate(value):
                if item is None:
                    if not nullable:
                        raise _invalid_value(f"{path}[{i}]", _proto_type(item_spec), item)
                    out.append(None)
                    continue
                out.append(item_check(item, _Path(path, None, i)))
            return out

        return check_array
    if kind == "object":
        addl = spec.get("additionalProperties")
        addl_check = _compile(addl) if addl else None

        def check_map(value: Any, path: _Path) -> Any:
            if not isinstance(value, dict):
                raise _invalid_value(
                    _str(path), "type.googleapis.com/google.protobuf.Struct", value
                )
            if addl_check is None:
                return value
            return {
                k: addl_check(v, _Path(path, None, k)) for k, v in value.items() if v is not None
            }

        return check_map
    if kind == "string":
        fmt = spec.get("format")
        enum = frozenset(spec.get("enum") or ())
        if fmt == "int64":

            def check_int64(value: Any, path: _Path) -> Any:
                if isinstance(value, bool) or not (
                    isinstance(value, int)
                    or (isinstance(value, str) and re.fullmatch(r"-?\d+", value))
                ):
                    raise _invalid_value(_str(path), "TYPE_INT64", value)
                return value

            return check_int64

        def check_string(value: Any, path: _Path) -> Any:
            if type(value) is not str:
                raise _invalid_value(_str(path), "TYPE_STRING", value)
            if enum and value not in enum:
                raise _invalid_value(_str(path), "TYPE_ENUM", value)
            return value

        return check_string
    if kind == "integer":

        def check_int(value: Any, path: _Path) -> Any:
            t = type(value)
            if t is int:
                num = value
            elif (
                t is float
                and value.is_integer()
                or t is str
                and re.fullmatch(r"-?\d+", value.strip())
            ):
                num = int(value)
            else:
                raise _invalid_value(_str(path), "TYPE_INT32", value)
            if not -(2**31) <= num < 2**31:
                raise _invalid_value(_str(path), "TYPE_INT32", value)
            return num

        return check_int
    if kind == "number":
        single = spec.get("format") == "float"

        def check_number(value: Any, path: _Path) -> Any:
            t = type(value)
            if t is int or t is float:
                return _float32(value) if single else value
            if t is str:
                if value in ("NaN", "Infinity", "-Infinity"):
                    return float(value.replace("Infinity", "inf"))
                try:
                    num = float(value)
                except ValueError:
                    raise _invalid_value(_str(path), "TYPE_DOUBLE", value) from None
                if math.isfinite(num):
                    return num
            raise _invalid_value(_str(path), "TYPE_DOUBLE", value)

        return check_number
    if kind == "boolean":

        def check_bool(value: Any, path: _Path) -> Any:
            if type(value) is not bool:
                raise _invalid_value(_str(path), "TYPE_BOOL", value)
            return value

        return check_bool
    return lambda value, path: value


def _float32(value: float) -> float:
    """A ``float`` field keeps single precision; Google prints its shortest form."""
    (single,) = struct.unpack("f", struct.pack("f", float(value)))
    for digits in range(1, 10):
        text = f"{single:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == single:
            number = float(text)
            return int(number) if number.is_integer() else number
    return single


def _proto_type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return f"type.googleapis.com/google.apps.sheets.v4.{spec['$ref']}"
    return {
        "string": "TYPE_STRING",
        "integer": "TYPE_INT32",
        "number": "TYPE_DOUBLE",
        "boolean": "TYPE_BOOL",
    }.get(spec.get("type", ""), "TYPE_MESSAGE")


def check_object(schema_name: str, value: Any, path: _Path | str | None) -> dict[str, Any]:
    """Check a message: a JSON object whose keys are all known fields."""
    if not isinstance(value, dict):
        raise _invalid_value(
            _str(path or ""), f"type.googleapis.com/google.apps.sheets.v4.{schema_name}", value
        )
    table = _compiled(schema_name)
    out: dict[str, Any] = {}
    for key, item in value.items():
        entry = table.get(key)
        if entry is None:
            where = _str(path or "")
            at = f" at '{where}'" if where else ""
            raise _violation(
                where,
                f'Invalid JSON payload received. Unknown name "{key}"{at}: Cannot find field.',
            )
        if item is None:
            continue
        name, proto, check = entry
        parent = path if isinstance(path, _Path) else (_Path(None, path) if path else None)
        checked = check(item, _Path(parent, proto))
        if checked is not None:
            out[name] = checked
    return out


#: The body's root path in Google's messages, by method.
_BODY_ROOT = {
    "sheets.spreadsheets.values.update": "data",
    "sheets.spreadsheets.values.append": "data",
}


def validate_body(method_id: str, body: Any) -> dict[str, Any]:
    """Check a request body against the method's request schema; return it normalised."""
    method = methods()[method_id]
    request = method.get("request")
    if request is None:
        return {}
    if body is None:
        body = {}
    return check_object(request["$ref"], body, _BODY_ROOT.get(method_id) or None)


_GLOBAL_SKIP = {
    "alt",
    "callback",
    "key",
    "oauth_token",
    "access_token",
    "quotaUser",
    "prettyPrint",
    "upload_protocol",
    "uploadType",
    "$.xgafv",
    "fields",
}


def validate_query(method_id: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    """Check query parameters; return {name: value or [values]} typed."""
    method = methods()[method_id]
    params = method.get("parameters", {})
    glob = discovery()["parameters"]
    out: dict[str, Any] = {}
    for key, raw in query:
        spec = params.get(key) or glob.get(key)
        if spec is None or spec.get("location") == "path":
            raise _violation(
                key,
                f'Invalid JSON payload received. Unknown name "{key}": Cannot bind query parameter. '
                f"Field '{key}' could not be found in request message.",
            )
        value: Any = raw
        kind = spec.get("type")
        if kind == "boolean":
            low = raw.strip().lower()
            if low not in ("true", "false", "1", "0"):
                raise _violation(key, f"Invalid value at '{snake(key)}' (TYPE_BOOL), \"{raw}\"")
            value = low in ("true", "1")
        elif kind == "integer":
            try:
                value = int(raw)
            except ValueError:
                raise _violation(
                    key, f"Invalid value at '{snake(key)}' (TYPE_INT32), \"{raw}\""
                ) from None
        elif spec.get("enum") and key not in _GLOBAL_SKIP and raw not in spec["enum"]:
            raise _violation(key, f"Invalid value at '{snake(key)}' (TYPE_ENUM), \"{raw}\"")
        if spec.get("repeated"):
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out
