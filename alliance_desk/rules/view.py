"""What every rule kind evaluates against: a read-only view of one application (`AppView`, its
derived facts computed once per evaluation) and the `Context` of the pack and calls judging it,
plus the small wording helpers several kinds share (how a lead unit or member is named)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from alliance_desk.rules.uscc import problem as uscc_problem

Outcome = tuple  # (met: bool | "warn" | None, message: str, field: str | None)


class AppView:
    """Derived facts of one application, computed once per evaluation."""

    def __init__(self, doc: dict, uscc_problems: list[str | None] | None = None):
        self.doc = doc
        self.members: list[dict] = doc.get("members") or []
        self.lead_index = next((i for i, m in enumerate(self.members) if m.get("role") == "lead"), None)
        self.lead = self.members[self.lead_index] if self.lead_index is not None else None
        # the store passes the verdicts it computed with python-stdnum at save time
        self._uscc = uscc_problems

    def get(self, path: str) -> Any:
        node: Any = self.doc
        for part in path.split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def uscc_problems(self) -> list[str | None]:
        if self._uscc is None:
            self._uscc = [uscc_problem(m.get("uscc")) for m in self.members]
        return self._uscc

    def submitted(self) -> datetime | None:
        try:
            return datetime.strptime(self.doc.get("submitted_at", ""), "%Y-%m-%dT%H:%M")
        except (TypeError, ValueError):
            return None


@dataclass
class Context:
    pack: Any  # packs.Pack
    calls: dict  # call id -> packs.Call


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return value is True


def count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def lead_ref(a: AppView) -> str:
    if a.lead is None:
        return "牵头单位"
    return f"牵头单位「{a.lead.get('name', '')}」"


def member_ref(i: int, m: dict) -> str:
    return f"第 {i + 1} 家「{m.get('name', '')}」"
