"""JSON paths into an application document (`members[3].uscc`, `agreement.expires_on`).

Pure Python, no Qt: reading, writing and deleting one value by path, so undo commands can put a
value back exactly as it was (including "the key was absent").
"""
from __future__ import annotations

import copy
import re
from typing import Any



class _Missing:
    """"The key is absent" — a singleton that survives copy/deepcopy (undo commands copy values)."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __reduce__(self):
        return (_Missing, ())


MISSING: Any = _Missing()

_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse(path: str) -> list[str | int]:
    """`members[3].uscc` -> ["members", 3, "uscc"]."""
    parts: list[str | int] = []
    for name, index in _TOKEN.findall(path or ""):
        parts.append(int(index) if index else name)
    return parts


def join(parts: list[str | int]) -> str:
    out = ""
    for p in parts:
        if isinstance(p, int):
            out += f"[{p}]"
        else:
            out += f".{p}" if out else p
    return out


def get(doc: Any, path: str | list, default: Any = MISSING) -> Any:
    node = doc
    for part in parse(path) if isinstance(path, str) else path:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                return default
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                return default
            node = node[part]
    return node


def set_value(doc: dict, path: str, value: Any) -> list[str]:
    """Set (or, for MISSING, delete) the value at `path`, creating missing parent objects.

    Returns the paths of the parent objects it created, so an undo can remove them again."""
    parts = parse(path)
    created: list[str] = []
    node: Any = doc
    for i, part in enumerate(parts[:-1]):
        if isinstance(part, int):
            node = node[part]
            continue
        nxt = node.get(part) if isinstance(node, dict) else None
        if not isinstance(nxt, (dict, list)):
            if value is MISSING:
                return created  # nothing to delete below an absent parent
            nxt = {}
            node[part] = nxt
            created.append(join(parts[:i + 1]))
        node = nxt
    last = parts[-1]
    if isinstance(last, int):
        node[last] = copy.deepcopy(value)
    elif value is MISSING:
        if isinstance(node, dict):
            node.pop(last, None)
    else:
        node[last] = copy.deepcopy(value)
    return created


def remove_if_empty(doc: dict, path: str) -> None:
    """Delete the object at `path` if it is an empty dict (undo of a created parent)."""
    node = get(doc, path)
    if isinstance(node, dict) and not node:
        set_value(doc, path, MISSING)
