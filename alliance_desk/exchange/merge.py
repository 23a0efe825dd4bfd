"""Re-apply one clerk's unsaved edits on top of what another seat saved meanwhile.

When an editor's save is refused (optimistic locking: someone else saved the application first),
the clerk may reload the stored version and re-apply their own edits to it. This is a three-way
merge of JSON documents:

    merged, report = three_way(base, mine, theirs)

`base` is what the editor loaded (or last saved), `mine` the editor's document, `theirs` the
stored one. Where only one side changed a value, that change is kept; where both changed the same
value differently, the clerk's value is taken (they asked to re-apply their edits) and the path is
reported, so the banner can say whose change it replaced. Objects merge key by key; arrays of equal
length element by element; an array whose length changed on one side (members added or removed) is
one unit — a shifted index must never put an edit on the wrong member unit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_MISSING = object()


@dataclass
class MergeReport:
    applied: list[str] = field(default_factory=list)     # paths where the clerk's change was applied
    overridden: list[str] = field(default_factory=list)  # of those, paths the other seat had changed too
    kept: list[str] = field(default_factory=list)        # paths where the other seat's change stays


def _path(parent: str, key: Any) -> str:
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if parent else str(key)


def _merge(base: Any, mine: Any, theirs: Any, path: str, report: MergeReport) -> Any:
    if mine == base:
        if theirs != base:
            report.kept.append(path)
        return theirs
    if theirs == base or mine == theirs:
        report.applied.append(path)
        return mine
    if isinstance(base, dict) and isinstance(mine, dict) and isinstance(theirs, dict):
        out = {}
        for key in list(dict.fromkeys(list(theirs) + list(mine) + list(base))):
            value = _merge(base.get(key, _MISSING), mine.get(key, _MISSING), theirs.get(key, _MISSING),
                           _path(path, key), report)
            if value is not _MISSING:
                out[key] = value
        return out
    if (isinstance(base, list) and isinstance(mine, list) and isinstance(theirs, list)
            and len(base) == len(mine) == len(theirs)):
        return [_merge(b, m, t, _path(path, i), report) for i, (b, m, t) in enumerate(zip(base, mine, theirs))]
    report.applied.append(path)
    report.overridden.append(path)
    return mine


def three_way(base: dict, mine: dict, theirs: dict) -> tuple[dict, MergeReport]:
    """`theirs` with the changes from `base` to `mine` applied (see the module docstring)."""
    report = MergeReport()
    merged = _merge(base, mine, theirs, "", report)
    return merged, report
