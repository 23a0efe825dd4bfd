"""Shared pieces of the review services: format names, role/conflict/source labels, the
`ReviewError` every refusal raises, and the plain frozen records (experts, applications, rounds,
conflicts) handed to callers. Every other review module builds on this one; it imports none of them.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from alliance_desk.review import scoring


REVIEW_FORMAT = "alliance-desk/review@1"
SCORES_FORMAT = "alliance-desk/scores@1"
ROLE_PRIMARY, ROLE_RESERVE = "primary", "reserve"
ROLE_LABELS = {ROLE_PRIMARY: "正式", ROLE_RESERVE: "备选"}
CONFLICT_LABELS = {"member_uscc": "单位为成员单位（信用代码）", "member_name": "单位为成员单位（名称）",
                   "council": "理事会成员", "expert_committee": "专家委员会成员", "declared": "声明回避"}
SOURCE_LABELS = {"sheet": "Excel 评分表", "file": "签名评分文件", "app": "录入"}
DEFAULT_THRESHOLD_RANGE = 20.0
MAX_SEED = 2**31 - 1


class ReviewError(ValueError):
    """A refused review operation; `problems` has one Chinese line per problem."""

    def __init__(self, problems: list[str] | str, gaps: list[tuple[str, "scoring.Problem"]] | None = None):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        self.gaps = list(gaps or [])  # (application id, problem) behind each line, where there is one
        super().__init__("\n".join(self.problems))


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _clean(text: str | None) -> str | None:
    if text is None:
        return None
    text = str(text).strip()
    return text or None


# ------------------------------------------------------------------ plain data handed to callers

@dataclass(frozen=True)
class ExpertInfo:
    id: str
    name: str
    unit: str
    unit_uscc: str | None = None
    field: str | None = None
    title: str | None = None
    phone: str | None = None
    active: bool = True


@dataclass(frozen=True)
class AppRef:
    id: str
    name: str
    county: str
    lead: str


@dataclass(frozen=True)
class RoundExpert:
    expert: ExpertInfo
    role: str
    position: int
    draw_id: int | None
    sheet_issued: bool
    package_issued: bool


@dataclass
class RoundInfo:
    id: str
    name: str
    region: str
    region_name: str
    call_id: str | None
    template: scoring.Template
    deadline: datetime | None
    method: str
    threshold_range: float | None
    threshold_sd: float | None
    per_application: int
    created_at: datetime
    applications: list[AppRef] = field(default_factory=list)
    experts: list[RoundExpert] = field(default_factory=list)

    def app(self, app_id: str) -> AppRef:
        return next(a for a in self.applications if a.id == app_id)

    def expert(self, expert_id: str) -> ExpertInfo:
        return next(e.expert for e in self.experts if e.expert.id == expert_id)


@dataclass(frozen=True)
class ConflictInfo:
    application_id: str
    application_name: str
    expert_id: str
    expert_name: str
    kind: str
    reason: str
    source: str

    def as_dict(self) -> dict:
        return {"application": self.application_id, "application_name": self.application_name,
                "expert": self.expert_id, "expert_name": self.expert_name, "kind": self.kind,
                "reason": self.reason, "source": self.source}


# ------------------------------------------------------------------ conflicts of interest

def _norm(text: str | None) -> str:
    """Compare unit and person names: NFKC (full-width brackets → ASCII), no spaces, lower case."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()
