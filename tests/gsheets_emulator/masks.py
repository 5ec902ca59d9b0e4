"""Field masks: ``fields=sheets(properties(sheetId,title))`` and ``fields: "userEnteredValue"``.

One parser for both uses: a partial-response selector on GET (which parts of
the answer to keep) and the update mask of ``updateCells`` /
``updateSheetProperties`` / ``repeatCell`` (which parts of the target to
replace).  ``a/b`` and ``a.b`` are the same path; ``a(b,c)`` groups; ``*``
is everything.
"""

from __future__ import annotations

from typing import Any

from .errors import invalid

Tree = dict[str, "Tree | None"]


def parse(mask: str) -> Tree:
    """``a,b.c,d(e,f)`` → ``{"a": None, "b": {"c": None}, "d": {"e": None, "f": None}}``."""
    pos = 0
    text = mask.replace("/", ".").replace(" ", "")

    def parse_list(end: str | None) -> Tree:
        nonlocal pos
        tree: Tree = {}
        while pos < len(text):
            if end and text[pos] == end:
                return tree
            name_start = pos
            while pos < len(text) and text[pos] not in ",().":
                pos += 1
            name = text[name_start:pos]
            if not name:
                raise invalid(f"Invalid field mask: {mask!r}")
            sub: Tree | None = None
            if pos < len(text) and text[pos] == ".":
                pos += 1
                sub = parse_path()
            elif pos < len(text) and text[pos] == "(":
                pos += 1
                sub = parse_list(")")
                if pos >= len(text) or text[pos] != ")":
                    raise invalid(f"Invalid field mask: {mask!r}")
                pos += 1
            merge(tree, name, sub)
            if pos < len(text) and text[pos] == ",":
                pos += 1
        if end:
            raise invalid(f"Invalid field mask: {mask!r}")
        return tree

    def parse_path() -> Tree:
        nonlocal pos
        start = pos
        while pos < len(text) and text[pos] not in ",().":
            pos += 1
        name = text[start:pos]
        if not name:
            raise invalid(f"Invalid field mask: {mask!r}")
        sub: Tree | None = None
        if pos < len(text) and text[pos] == ".":
            pos += 1
            sub = parse_path()
        elif pos < len(text) and text[pos] == "(":
            pos += 1
            sub = parse_list(")")
            pos += 1
        return {name: sub}

    return parse_list(None)


def merge(tree: Tree, name: str, sub: Tree | None) -> None:
    if name not in tree:
        tree[name] = sub
        return
    have = tree[name]
    if have is None or sub is None:
        tree[name] = None
        return
    for k, v in sub.items():
        merge(have, k, v)


def select(value: Any, tree: Tree | None) -> Any:
    """Keep only the selected parts of an answer (partial response)."""
    if tree is None:
        return value
    if isinstance(value, list):
        return [select(v, tree) for v in value]
    if not isinstance(value, dict):
        return value
    if "*" in tree:
        return value
    out: dict[str, Any] = {}
    for key, sub in tree.items():
        if key in value:
            out[key] = select(value[key], sub)
    return out


def selects(tree: Tree | None, *path: str) -> bool:
    """Does the mask ask for anything under ``path``?"""
    node: Tree | None = tree
    for name in path:
        if node is None:
            return True
        if "*" in node:
            return True
        if name not in node:
            return False
        node = node[name]
    return True


def subtree(tree: Tree | None, *path: str) -> Tree | None:
    node = tree
    for name in path:
        if node is None or "*" in node:
            return None
        node = node.get(name)  # type: ignore[assignment]
    return node


def apply_update(target: dict[str, Any], source: dict[str, Any], tree: Tree) -> None:
    """Replace the masked paths of ``target`` with ``source``'s (absent → cleared)."""
    for key, sub in tree.items():
        if key == "*":
            keys = set(target) | set(source)
            for k in keys:
                if source.get(k) is not None:
                    target[k] = source[k]  # shared, never mutated in place
                else:
                    target.pop(k, None)
            continue
        if sub is None:
            if source.get(key) is not None:
                target[key] = source[key]  # shared, never mutated in place
            else:
                target.pop(key, None)
            continue
        inner_src = source.get(key)
        inner_src = inner_src if isinstance(inner_src, dict) else {}
        inner_tgt = target.get(key)
        inner_tgt = dict(inner_tgt) if isinstance(inner_tgt, dict) else {}
        apply_update(inner_tgt, inner_src, sub)
        if inner_tgt:
            target[key] = inner_tgt
        else:
            target.pop(key, None)
