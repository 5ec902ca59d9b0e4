"""Checks requests against Microsoft Graph's OpenAPI description of the endpoints sheetsync uses.

``mail-openapi.json`` beside this file is Microsoft's own description, cut
down to those operations and what they reference (its ``info`` names the
source: the v1.0 ``Mail`` module Microsoft generates from the Graph
metadata; ``trim_openapi.py`` made the cut).  So the emulator refuses what
the description does not allow: a path or method not there, a query
parameter not declared for the operation, a ``$select`` naming a property
that does not exist, a ``$top`` that is not a non-negative integer, a JSON
body with a property ``microsoft.graph.message`` does not have or of the
wrong type.  (The MIME variant of ``POST /messages``, ``Content-Type:
text/plain``, is documented in the REST reference, not in the OpenAPI
description; the emulator checks it by those rules.)
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


class Invalid(Exception):
    """A request the description does not allow (answered 400 BadRequest)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@cache
def document() -> dict[str, Any]:
    return json.loads((HERE / "mail-openapi.json").read_text(encoding="utf-8"))


def resolve(ref: str) -> Any:
    node: Any = document()
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def operation(method: str, path: str) -> tuple[dict[str, Any], dict[str, str]]:
    """The operation for ``GET /users/ana@x/messages`` and its path parameters."""
    segments = path.strip("/").split("/")
    for template, item in document()["paths"].items():
        parts = template.strip("/").split("/")
        if len(parts) != len(segments):
            continue
        params: dict[str, str] = {}
        for t, seg in zip(parts, segments, strict=True):
            if t.startswith("{") and t.endswith("}"):
                params[t[1:-1]] = seg
            elif t != seg:
                break
        else:
            op = item.get(method.lower())
            if op is None:
                raise Invalid(f"Unsupported request: {method} on {template}.")
            return op, params
    raise LookupError(path)


def _parameters(op: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for p in op.get("parameters", []):
        p = resolve(p["$ref"]) if "$ref" in p else p
        out[p["name"]] = p
    return out


def check_query(op: dict[str, Any], query: list[tuple[str, str]]) -> dict[str, Any]:
    """Each query parameter declared for the operation, of its schema's type."""
    declared = {n: p for n, p in _parameters(op).items() if p.get("in") == "query"}
    out: dict[str, Any] = {}
    for name, raw in query:
        spec = declared.get(name)
        if spec is None:
            raise Invalid(f"Query option '{name}' is not allowed. ")
        schema = spec.get("schema", {})
        if schema.get("type") == "array":  # style form, explode false: comma-separated
            items = [x.strip() for x in raw.split(",") if x.strip()]
            allowed = schema.get("items", {}).get("enum")
            for x in items:
                if allowed and x not in allowed:
                    raise Invalid(
                        f"Could not find a property named '{x}' on type 'microsoft.graph.message'."
                    )
            out[name] = items
        elif schema.get("type") == "integer":
            if not re.fullmatch(r"\d+", raw) or int(raw) < schema.get("minimum", 0):
                raise Invalid(f"Invalid value '{raw}' for query option '{name}'.")
            out[name] = int(raw)
        elif schema.get("type") == "boolean":
            if raw not in ("true", "false"):
                raise Invalid(f"Invalid value '{raw}' for query option '{name}'.")
            out[name] = raw == "true"
        else:
            out[name] = raw
    return out


def check_json(schema: dict[str, Any], value: Any, path: str = "") -> None:
    """An OpenAPI 3.0 schema (the parts Graph's description uses) against a JSON value."""
    if "$ref" in schema:
        return check_json(resolve(schema["$ref"]), value, path)
    if value is None:
        if schema.get("nullable") or "anyOf" in schema:
            return None
        raise Invalid(
            f"A null value was found for the property named '{path}', which expects a non-null value."
        )
    if "anyOf" in schema:
        errors = []
        for option in schema["anyOf"]:
            try:
                return check_json(option, value, path)
            except Invalid as exc:
                errors.append(exc.message)
        raise Invalid(errors[0])
    if "allOf" in schema:
        props: dict[str, Any] = {}
        for part in schema["allOf"]:
            props.update(_all_properties(part))
        return _check_object(props, value, path)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _check_object(_all_properties(schema), value, path)
    if kind == "array":
        if not isinstance(value, list):
            raise Invalid(f"The property '{path}' expects a collection.")
        for i, item in enumerate(value):
            check_json(schema.get("items", {}), item, f"{path}[{i}]")
        return None
    if kind == "string":
        if not isinstance(value, str):
            raise Invalid(
                f"Cannot convert the literal '{value}' to the expected type 'Edm.String'."
            )
        if "enum" in schema and value not in schema["enum"]:
            raise Invalid(f"Requested value '{value}' was not found.")
        if "pattern" in schema and not re.match(schema["pattern"], value):
            raise Invalid(f"Cannot convert the literal '{value}' for '{path}'.")
        return None
    if kind == "boolean" and not isinstance(value, bool):
        raise Invalid(f"Cannot convert the literal '{value}' to the expected type 'Edm.Boolean'.")
    if (
        kind in ("integer", "number")
        and (isinstance(value, bool) or not isinstance(value, int | float))
        and not (isinstance(value, str) and schema.get("anyOf"))
    ):
        raise Invalid(f"Cannot convert the literal '{value}' to a number.")
    return None


def _all_properties(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _all_properties(resolve(schema["$ref"]))
    props: dict[str, Any] = {}
    for part in schema.get("allOf", []):
        props.update(_all_properties(part))
    props.update(schema.get("properties", {}))
    return props


def _check_object(props: dict[str, Any], value: Any, path: str) -> None:
    if not isinstance(value, dict):
        raise Invalid(f"The property '{path}' expects an object.")
    for key, item in value.items():
        if key.startswith("@odata."):
            continue
        spec = props.get(key)
        if spec is None:
            raise Invalid(
                f"Property '{key}' does not exist on type 'microsoft.graph.message'. Make sure to only use property names that are defined by the type or mark the type as open type."
            )
        check_json(spec, item, f"{path}.{key}" if path else key)


def message_schema() -> dict[str, Any]:
    return resolve("#/components/schemas/microsoft.graph.message")


def folder_schema() -> dict[str, Any]:
    return resolve("#/components/schemas/microsoft.graph.mailFolder")


def error_schema() -> dict[str, Any]:
    return resolve("#/components/schemas/microsoft.graph.ODataErrors.ODataError")
