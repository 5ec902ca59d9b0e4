"""Checks requests against a Google discovery document (here Gmail v1's).

The document is the one google-api-python-client ships
(``googleapiclient/discovery_cache/documents/gmail.v1.json``), so the
emulator refuses what Google refuses: an unknown method or query parameter,
a body field the schema does not have, a wrong JSON type, a ``format:
byte`` value that is not base64, an integer outside its format.  Errors use
Google's wording (``Invalid JSON payload received. Unknown name "x" at
'draft.message': Cannot find field.``).
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

GLOBAL_PARAMS = {
    "$.xgafv",
    "access_token",
    "alt",
    "callback",
    "fields",
    "key",
    "oauth_token",
    "prettyPrint",
    "quotaUser",
    "uploadType",
    "upload_protocol",
}


class Invalid(Exception):
    """A request the discovery document does not allow (answered 400 INVALID_ARGUMENT)."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def discovery_path(name: str = "gmail.v1.json") -> Path:
    import googleapiclient

    return Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / name


@cache
def discovery() -> dict[str, Any]:
    return json.loads(discovery_path().read_text(encoding="utf-8"))


@cache
def methods() -> dict[str, dict[str, Any]]:
    """Every method by id (``gmail.users.drafts.create``)."""
    out: dict[str, dict[str, Any]] = {}

    def walk(resources: dict[str, Any]) -> None:
        for res in resources.values():
            for m in res.get("methods", {}).values():
                out[m["id"]] = m
            walk(res.get("resources", {}))

    walk(discovery()["resources"])
    return out


def route(http_method: str, path: str) -> tuple[str, dict[str, str]]:
    """The method id and path parameters for ``GET /gmail/v1/users/me/drafts`` etc."""
    from urllib.parse import unquote

    segments = path.strip("/").split("/")
    for mid, m in methods().items():
        if m["httpMethod"] != http_method:
            continue
        template = m.get("flatPath", m["path"]).strip("/").split("/")
        if len(template) != len(segments):
            continue
        params: dict[str, str] = {}
        for t, seg in zip(template, segments, strict=True):
            if t.startswith("{") and t.endswith("}"):
                params[t.strip("{}+")] = unquote(seg)
            elif t != seg:
                break
        else:
            return mid, params
    raise LookupError(path)


def check_query(method_id: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    """Typed query parameters; an unknown or badly typed one is refused."""
    params = methods()[method_id].get("parameters", {})
    glob = discovery()["parameters"]
    out: dict[str, Any] = {}
    for key, raw in query:
        spec = params.get(key) or (glob.get(key) if key in GLOBAL_PARAMS else None)
        if spec is None or spec.get("location") == "path":
            raise Invalid(
                f'Invalid JSON payload received. Unknown name "{key}": Cannot bind query '
                f"parameter. Field '{key}' could not be found in request message.",
                key,
            )
        value: Any = raw
        kind = spec.get("type")
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise Invalid(f"Invalid value at '{key}' (TYPE_BOOL), \"{raw}\"", key)
            value = raw.lower() == "true"
        elif kind == "integer":
            if not re.fullmatch(r"-?\d+", raw):
                raise Invalid(f"Invalid value at '{key}' (TYPE_UINT32), \"{raw}\"", key)
            value = int(raw)
            if spec.get("format") == "uint32" and not 0 <= value < 2**32:
                raise Invalid(f"Invalid value at '{key}' (TYPE_UINT32), \"{raw}\"", key)
        elif spec.get("enum") and raw not in spec["enum"]:
            raise Invalid(f"Invalid value at '{key}' (TYPE_ENUM), \"{raw}\"", key)
        if spec.get("repeated"):
            out.setdefault(key, []).append(value)
        else:
            out[key] = value
    return out


def check_body(method_id: str, body: Any) -> dict[str, Any]:
    """The request body against the method's request schema."""
    request = methods()[method_id].get("request")
    if request is None:
        if body not in (None, {}, b""):
            raise Invalid("This method takes no request body.")
        return {}
    ref = request["$ref"]
    return check_object(ref, body if body is not None else {}, _snake(ref))


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def check_object(schema_name: str, value: Any, path: str) -> dict[str, Any]:
    schema = discovery()["schemas"][schema_name]
    if not isinstance(value, dict):
        raise Invalid(
            f"Invalid value at '{path}' (type.googleapis.com/gmail.{schema_name}), "
            f"{json.dumps(value)[:80]}",
            path,
        )
    props = schema.get("properties", {})
    out: dict[str, Any] = {}
    for key, item in value.items():
        spec = props.get(key)
        if spec is None:
            raise Invalid(
                f"Invalid JSON payload received. Unknown name \"{key}\" at '{path}': "
                "Cannot find field.",
                f"{path}.{key}",
            )
        if item is None:
            continue
        out[key] = check_value(spec, item, f"{path}.{_snake(key)}")
    return out


def check_value(spec: dict[str, Any], value: Any, path: str) -> Any:
    if "$ref" in spec:
        return check_object(spec["$ref"], value, path)
    kind = spec.get("type")
    if kind == "array":
        if not isinstance(value, list):
            raise Invalid(f"Invalid value at '{path}', {json.dumps(value)[:80]}", path)
        return [check_value(spec.get("items", {}), v, f"{path}[{i}]") for i, v in enumerate(value)]
    if kind == "object":
        if not isinstance(value, dict):
            raise Invalid(f"Invalid value at '{path}', {json.dumps(value)[:80]}", path)
        addl = spec.get("additionalProperties")
        return (
            {k: check_value(addl, v, f"{path}[{k}]") for k, v in value.items()} if addl else value
        )
    if kind == "string":
        if not isinstance(value, str):
            raise Invalid(
                f"Invalid value at '{path}' (TYPE_STRING), {json.dumps(value)[:80]}", path
            )
        fmt = spec.get("format")
        if fmt == "byte":
            try:
                padded = value + "=" * (-len(value) % 4)
                if "-" in value or "_" in value:
                    base64.urlsafe_b64decode(padded)
                else:
                    base64.b64decode(padded, validate=True)
            except (binascii.Error, ValueError):
                raise Invalid(
                    f"Invalid value at '{path}' (TYPE_BYTES), Base64 decoding failed for "
                    f'"{value[:40]}"',
                    path,
                ) from None
        if fmt in ("int64", "uint64") and not re.fullmatch(r"-?\d+", value):
            raise Invalid(f"Invalid value at '{path}' (TYPE_INT64), \"{value}\"", path)
        if spec.get("enum") and value not in spec["enum"]:
            raise Invalid(f"Invalid value at '{path}' (TYPE_ENUM), \"{value}\"", path)
        return value
    if kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"Invalid value at '{path}' (TYPE_INT32), {json.dumps(value)}", path)
        return value
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise Invalid(f"Invalid value at '{path}' (TYPE_DOUBLE), {json.dumps(value)}", path)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise Invalid(f"Invalid value at '{path}' (TYPE_BOOL), {json.dumps(value)}", path)
        return value
    return value


def check_answer(schema_name: str, value: Any) -> None:
    """The emulator's own answers must fit the document too (tests call this)."""
    check_object(schema_name, value, _snake(schema_name))
