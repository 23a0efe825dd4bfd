"""Expert review services: expert pool, review rounds, conflicts of interest, assignment (manual,
balanced automatic, random draw), review packages out and signed score files back, reviewer-mode
drafts, score recording, progress, aggregation and ranking.

No Qt. Every function takes a `db.session.Database` from the caller. Refusals raise `ReviewError`
whose `problems` are Chinese lines saying what and where. Excel sheets are in `score_sheets`.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata
import uuid
import weakref
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterable, Mapping

from sqlalchemy import String, bindparam, delete, func, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from db import models as m
from db import models_review as r
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.exchange import adpkg as pkgmod
from alliance_desk.review import scoring
from alliance_desk.store import trust
from alliance_desk.rules import uscc as uscc_mod
from alliance_desk.rules.packs import PackError, get_pack

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


def _expert_info(e: r.ReviewExpert) -> ExpertInfo:
    return ExpertInfo(e.id, e.name, e.unit, e.unit_uscc, e.field, e.title, e.phone, e.active)


# ------------------------------------------------------------------ expert pool

def add_expert(db: Database, name: str, unit: str, uscc: str | None = None, field: str | None = None,
               title: str | None = None, phone: str | None = None, note: str | None = None) -> str:
    """Add an expert to the pool; returns the new id."""
    name, unit, uscc = _clean(name), _clean(unit), _clean(uscc)
    problems = []
    if not name:
        problems.append("专家姓名不能为空")
    if not unit:
        problems.append("专家所在单位不能为空")
    if uscc:
        uscc = uscc.upper()
        why = uscc_mod.problem(uscc)
        if why:
            problems.append(f"单位统一社会信用代码「{uscc}」无效：{why}")
    if problems:
        raise ReviewError(problems)
    with unit_of_work(db, write=True) as s:
        dup = s.scalar(select(r.ReviewExpert).where(r.ReviewExpert.name == name, r.ReviewExpert.unit == unit))
        if dup is not None:
            raise ReviewError(f"专家「{name}」（{unit}）已在专家库中，id {dup.id}")
        eid = str(uuid.uuid4())
        s.add(r.ReviewExpert(id=eid, name=name, unit=unit, unit_uscc=uscc, field=_clean(field), title=_clean(title),
                             phone=_clean(phone), note=_clean(note), active=True,
                             created_at=datetime.now()))  # full precision: the pool keeps adding order
        audit.record(s, None, "expert_add", "review_expert", eid, None,
                     _expert_payload(name=name, unit=unit, unit_uscc=uscc, field=_clean(field), title=_clean(title),
                                     phone=_clean(phone), note=_clean(note)))
    return eid


def _expert_payload(**fields: Any) -> dict:
    # the pool's phone numbers are personal: the trail says that one changed, not what it is
    return {k: ("（已填写）" if k == "phone" and v else v) for k, v in fields.items() if v is not None}


def update_expert(db: Database, expert_id: str, **fields: Any) -> None:
    allowed = {"name", "unit", "unit_uscc", "field", "title", "phone", "note", "active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ReviewError(f"未知的专家字段 {sorted(unknown)}")
    with unit_of_work(db, write=True) as s:
        e = s.get(r.ReviewExpert, expert_id)
        if e is None:
            raise ReviewError(f"专家库中没有 id 为 {expert_id} 的专家")
        before = {k: getattr(e, k) for k in fields}
        for k, v in fields.items():
            if k == "unit_uscc" and v:
                v = str(v).strip().upper()
                why = uscc_mod.problem(v)
                if why:
                    raise ReviewError(f"单位统一社会信用代码「{v}」无效：{why}")
            setattr(e, k, v if k == "active" else _clean(v))
        if not e.name or not e.unit:
            raise ReviewError("专家姓名和所在单位不能为空")
        changed = [k for k in fields if getattr(e, k) != before[k]]
        if changed:
            audit.record(s, None, "expert_update", "review_expert", expert_id,
                         _expert_payload(**{k: before[k] for k in changed}) or None,
                         _expert_payload(**{k: getattr(e, k) for k in changed}) or None)


def list_experts(db: Database, field: str | None = None, active_only: bool = True) -> list[ExpertInfo]:
    with unit_of_work(db) as s:
        q = select(r.ReviewExpert).order_by(r.ReviewExpert.created_at, r.ReviewExpert.name, r.ReviewExpert.id)
        out = [_expert_info(e) for e in s.scalars(q) if e.active or not active_only]
    if field:
        out = [e for e in out if _field_matches(e.field, field)]
    return out


def _field_matches(expert_field: str | None, wanted: str) -> bool:
    if not expert_field:
        return False
    a, b = _norm(expert_field), _norm(wanted)
    return b in a


# ------------------------------------------------------------------ rounds

def create_round(db: Database, region: str, call: str | None, name: str, template_id: str | None = None,
                 deadline: datetime | None = None, method: str = "trimmed",
                 threshold_range: float | None = DEFAULT_THRESHOLD_RANGE, threshold_sd: float | None = None,
                 per_application: int = 3, applications: Iterable[str] | None = None) -> str:
    """Create a review round; its applications are `applications`, or every stored application of the
    region and call. Returns the round id."""
    from alliance_desk.store import calls_for, ensure_calls

    problems = []
    name = _clean(name)
    if not name:
        problems.append("评审轮次名称不能为空")
    try:
        pack = get_pack(region)
    except PackError as exc:
        raise ReviewError(str(exc)) from None
    try:
        template = scoring.get_template(region, template_id)
    except scoring.ScoringError as exc:
        problems.append(str(exc))
        template = None
    if method not in scoring.METHODS:
        problems.append(f"未知的汇总方法「{method}」（可用：{', '.join(scoring.METHODS)}）")
    for label, v in (("极差阈值", threshold_range), ("标准差阈值", threshold_sd)):
        if v is not None and v < 0:
            problems.append(f"{label}不能为负数")
    if per_application < 1:
        problems.append("每份申报的评审专家数应至少为 1")
    with unit_of_work(db, write=True) as s:
        ensure_calls(s)
        if call is not None and call not in calls_for(s, region):
            problems.append(f"申报批次「{call}」不属于{pack.region_name}（可用：{', '.join(calls_for(s, region))}）")
        if problems:
            raise ReviewError(problems)
        if applications is None:
            q = select(m.Application.id).where(m.Application.region == region)
            if call is not None:
                q = q.where(m.Application.call_id == call)
            app_ids = list(s.scalars(q.order_by(m.Application.submitted_at, m.Application.name)))
        else:
            app_ids = list(dict.fromkeys(applications))
            _check_apps(s, app_ids, region)
        rid = str(uuid.uuid4())
        s.add(r.ReviewRound(id=rid, name=name, region=region, call_id=call, template_id=template.id,
                            template=template.to_dict(), deadline=deadline, method=method,
                            threshold_range=threshold_range, threshold_sd=threshold_sd,
                            per_application=per_application, created_at=_now()))
        s.flush()
        for i, a in enumerate(app_ids):
            s.add(r.ReviewRoundApplication(round_id=rid, application_id=a, position=i))
        audit.record(s, None, "round_create", "review_round", rid, None,
                     {"name": name, "region": region, "call": call, "template": template.id, "deadline": deadline,
                      "method": method, "threshold_range": threshold_range, "threshold_sd": threshold_sd,
                      "per_application": per_application, "applications": app_ids})
    return rid


def _check_apps(s: Session, app_ids: list[str], region: str) -> None:
    rows = dict(s.execute(select(m.Application.id, m.Application.region).where(m.Application.id.in_(app_ids))).all())
    problems = []
    for a in app_ids:
        if a not in rows:
            problems.append(f"没有 id 为 {a} 的申报")
        elif rows[a] != region:
            problems.append(f"申报 {a} 属于 {rows[a]}，不是本轮次的地区 {region}")
    if problems:
        raise ReviewError(problems)


def update_round(db: Database, round_id: str, **fields: Any) -> None:
    """Change name, deadline, method, thresholds or per_application of a round."""
    allowed = {"name", "deadline", "method", "threshold_range", "threshold_sd", "per_application"}
    unknown = set(fields) - allowed
    if unknown:
        raise ReviewError(f"未知的评审轮次字段 {sorted(unknown)}")
    if "method" in fields and fields["method"] not in scoring.METHODS:
        raise ReviewError(f"未知的汇总方法「{fields['method']}」（可用：{', '.join(scoring.METHODS)}）")
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        before = {k: getattr(rnd, k) for k in fields}
        for k, v in fields.items():
            setattr(rnd, k, v)
        changed = [k for k in fields if before[k] != fields[k]]
        if changed:
            audit.record(s, None, "round_update", "review_round", round_id, {k: before[k] for k in changed},
                         {k: fields[k] for k in changed})


def _round(s: Session, round_id: str) -> r.ReviewRound:
    rnd = s.get(r.ReviewRound, round_id)
    if rnd is None:
        raise ReviewError(f"没有 id 为 {round_id} 的评审轮次")
    return rnd


def _template(rnd: r.ReviewRound) -> scoring.Template:
    return scoring.template_from_dict(rnd.template, rnd.region)


def _lead_name(s: Session, app_id: str) -> str:
    return s.scalar(select(m.Member.name).where(m.Member.application_id == app_id, m.Member.role == "lead")
                    .order_by(m.Member.position).limit(1)) or ""


def _round_apps(s: Session, round_id: str) -> list[AppRef]:
    # the lead unit (first "lead" member by position) as a correlated subquery: the (application,
    # position) index finds it at once, instead of reading every member of every application
    lead = (select(m.Member.name).where(m.Member.application_id == m.Application.id, m.Member.role == "lead")
            .order_by(m.Member.position).limit(1).correlate(m.Application).scalar_subquery())
    rows = s.execute(select(m.Application.id, m.Application.name, m.Application.county, lead)
                     .join(r.ReviewRoundApplication, r.ReviewRoundApplication.application_id == m.Application.id)
                     .where(r.ReviewRoundApplication.round_id == round_id)
                     .order_by(r.ReviewRoundApplication.position)).all()
    return [AppRef(a, n, c, ld or "") for a, n, c, ld in rows]


def _round_app_names(s: Session, round_id: str, app_ids: list[str]) -> dict[str, str]:
    """Id -> name of those of `app_ids` that are in the round."""
    out: dict[str, str] = {}
    ids = list(dict.fromkeys(app_ids))
    A, RA = m.Application.__table__, r.ReviewRoundApplication.__table__
    for i in range(0, len(ids), 500):
        out.update(s.execute(select(A.c.id, A.c.name).join(RA, RA.c.application_id == A.c.id)
                             .where(RA.c.round_id == round_id, A.c.id.in_(ids[i:i + 500]))).all())
    return out


def _round_experts(s: Session, round_id: str) -> list[RoundExpert]:
    rows = s.execute(select(r.ReviewRoundExpert, r.ReviewExpert)
                     .join(r.ReviewExpert, r.ReviewExpert.id == r.ReviewRoundExpert.expert_id)
                     .where(r.ReviewRoundExpert.round_id == round_id)
                     .order_by(r.ReviewRoundExpert.role, r.ReviewRoundExpert.position)).all()
    return [RoundExpert(_expert_info(e), rx.role, rx.position, rx.draw_id, rx.sheet_digest is not None,
                        rx.package_issued_at is not None) for rx, e in rows]


def _round_info(s: Session, rnd: r.ReviewRound) -> RoundInfo:
    return RoundInfo(rnd.id, rnd.name, rnd.region, get_pack(rnd.region).region_name, rnd.call_id, _template(rnd),
                     rnd.deadline, rnd.method, rnd.threshold_range, rnd.threshold_sd, rnd.per_application,
                     rnd.created_at, _round_apps(s, rnd.id), _round_experts(s, rnd.id))


def get_round(db: Database, round_id: str) -> RoundInfo:
    with unit_of_work(db) as s:
        return _round_info(s, _round(s, round_id))


def list_rounds(db: Database) -> list[RoundInfo]:
    with unit_of_work(db) as s:
        return [_round_info(s, x) for x in s.scalars(select(r.ReviewRound).order_by(r.ReviewRound.created_at,
                                                                                    r.ReviewRound.name))]


def set_round_applications(db: Database, round_id: str, app_ids: Iterable[str]) -> None:
    """Replace the round's application list (applications already scored cannot be dropped)."""
    app_ids = list(dict.fromkeys(app_ids))
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        _check_apps(s, app_ids, rnd.region)
        scored = set(s.scalars(select(r.ReviewScore.application_id).where(r.ReviewScore.round_id == round_id)))
        dropped = scored - set(app_ids)
        if dropped:
            raise ReviewError([f"申报 {a} 已有评分，不能移出本轮次" for a in sorted(dropped)])
        old = list(s.scalars(select(r.ReviewRoundApplication.application_id)
                             .where(r.ReviewRoundApplication.round_id == round_id)
                             .order_by(r.ReviewRoundApplication.position)))
        s.execute(delete(r.ReviewRoundApplication).where(r.ReviewRoundApplication.round_id == round_id))
        s.execute(delete(r.ReviewAssignment).where(r.ReviewAssignment.round_id == round_id,
                                                   r.ReviewAssignment.application_id.not_in(app_ids)))
        for i, a in enumerate(app_ids):
            s.add(r.ReviewRoundApplication(round_id=round_id, application_id=a, position=i))
        if old != app_ids:
            audit.record(s, None, "round_applications", "review_round", round_id,
                         {"removed": [a for a in old if a not in app_ids]},
                         {"added": [a for a in app_ids if a not in old], "count": len(app_ids)})


def add_round_experts(db: Database, round_id: str, expert_ids: Iterable[str], role: str = ROLE_PRIMARY) -> None:
    if role not in ROLE_LABELS:
        raise ReviewError(f"专家角色应为 {ROLE_PRIMARY} 或 {ROLE_RESERVE}")
    expert_ids = list(expert_ids)
    with unit_of_work(db, write=True) as s:
        _round(s, round_id)
        _add_round_experts(s, round_id, expert_ids, role)
        if expert_ids:
            audit.record(s, None, "round_experts", "review_round", round_id, None,
                         {"experts": expert_ids, "role": role})


def _add_round_experts(s: Session, round_id: str, expert_ids: Iterable[str], role: str,
                       draw_id: int | None = None) -> None:
    existing = {x.expert_id: x for x in s.scalars(select(r.ReviewRoundExpert)
                                                  .where(r.ReviewRoundExpert.round_id == round_id))}
    pos = max((x.position for x in existing.values()), default=-1) + 1
    for eid in expert_ids:
        if s.get(r.ReviewExpert, eid) is None:
            raise ReviewError(f"专家库中没有 id 为 {eid} 的专家")
        if eid in existing:
            existing[eid].role = role
            continue
        s.add(r.ReviewRoundExpert(round_id=round_id, expert_id=eid, role=role, position=pos, draw_id=draw_id))
        pos += 1
    s.flush()


def set_expert_role(db: Database, round_id: str, expert_id: str, role: str) -> None:
    """Move an expert between 正式 and 备选 (递补 a reserve expert)."""
    if role not in ROLE_LABELS:
        raise ReviewError(f"专家角色应为 {ROLE_PRIMARY} 或 {ROLE_RESERVE}")
    with unit_of_work(db, write=True) as s:
        rx = s.get(r.ReviewRoundExpert, (round_id, expert_id))
        if rx is None:
            raise ReviewError("该专家不在本评审轮次中")
        if role == ROLE_RESERVE and s.scalar(select(func.count()).select_from(r.ReviewAssignment).where(
                r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.expert_id == expert_id)):
            raise ReviewError("该专家已有分配的申报，不能改为备选")
        if rx.role != role:
            audit.record(s, None, "expert_role", "review_round", round_id, {"expert": expert_id, "role": rx.role},
                         {"expert": expert_id, "role": role})
        rx.role = role


def remove_round_expert(db: Database, round_id: str, expert_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        if s.scalar(select(func.count()).select_from(r.ReviewScore).where(
                r.ReviewScore.round_id == round_id, r.ReviewScore.expert_id == expert_id)):
            raise ReviewError("该专家已提交评分，不能移出本轮次")
        s.execute(delete(r.ReviewAssignment).where(r.ReviewAssignment.round_id == round_id,
                                                   r.ReviewAssignment.expert_id == expert_id))
        gone = s.execute(delete(r.ReviewRoundExpert).where(r.ReviewRoundExpert.round_id == round_id,
                                                           r.ReviewRoundExpert.expert_id == expert_id)).rowcount
        if gone:
            audit.record(s, None, "expert_remove", "review_round", round_id, {"expert": expert_id}, None)


# ------------------------------------------------------------------ conflicts of interest

def _norm(text: str | None) -> str:
    """Compare unit and person names: NFKC (full-width brackets → ASCII), no spaces, lower case."""
    if not text:
        return ""
    return "".join(unicodedata.normalize("NFKC", text).split()).lower()


def _unit_match(expert_unit: str, other: str) -> bool:
    """The same unit, or the expert's unit is a part of it (兰州大学材料学院 within 兰州大学)."""
    a, b = _norm(expert_unit), _norm(other)
    if not a or not b:
        return False
    return a == b or (len(b) >= 4 and a.startswith(b))


HOLDER_ROLES = {"council": {"chair": "理事长", "vice_chair": "副理事长", "member": "理事"},
                "expert_committee": {"chair": "主任", "vice_chair": "副主任", "member": "委员"}}


def _uscc_reason(eu: str, member_name: str | None) -> str:
    return f"专家所在单位（统一社会信用代码 {eu}）是联盟成员单位「{member_name}」"


def _member_reason(expert: ExpertInfo, member_name: str | None) -> str:
    same = _norm(expert.unit) == _norm(member_name)
    return f"专家所在单位「{expert.unit}」" + ("是" if same else "隶属") + f"联盟成员单位「{member_name}」"


HOLDER_BODIES = (("council", "理事会"), ("expert_committee", "专家咨询委员会"))


def _holder_reason(expert: ExpertInfo, body: str, label: str, role: str | None) -> str:
    role = HOLDER_ROLES[body].get(role, role or "成员")
    return f"专家{expert.name}（{expert.unit}）是联盟{label}{role}"


def _holder_match(expert: ExpertInfo, holder_unit: str) -> bool:
    return _unit_match(expert.unit, holder_unit) or _unit_match(holder_unit, expert.unit)


def detect_conflicts(doc: Mapping, expert: ExpertInfo) -> list[tuple[str, str]]:
    """(kind, reason) for every conflict between an application (exchange dict) and an expert.
    `_detect_round` gives the same answers for a whole round from the stored rows."""
    out: list[tuple[str, str]] = []
    eu = (expert.unit_uscc or "").strip().upper()
    for mem in doc.get("members") or []:
        if eu and (mem.get("uscc") or "").strip().upper() == eu:
            out.append(("member_uscc", _uscc_reason(eu, mem.get("name"))))
            break
    if not any(k == "member_uscc" for k, _ in out):
        for mem in doc.get("members") or []:
            if _unit_match(expert.unit, mem.get("name") or ""):
                out.append(("member_name", _member_reason(expert, mem.get("name"))))
                break
    org = doc.get("organization") or {}
    for body, label in HOLDER_BODIES:
        for h in org.get(body) or []:
            if _norm(h.get("name")) == _norm(expert.name) and _holder_match(expert, h.get("unit") or ""):
                out.append((body, _holder_reason(expert, body, label, h.get("role"))))
                break
    return out


def _detect_round(s: Session, round_id: str, apps: list[str],
                  experts: list[ExpertInfo]) -> dict[tuple[str, str, str], str]:
    """`detect_conflicts` for every application × expert of a round, read from the member and
    office-holder rows in two queries (not one document per application), with the experts indexed
    by USCC, by every prefix of their normalised unit (≥ 4 characters: what `_unit_match` accepts)
    and by normalised name, so each member row costs a few dict look-ups whatever the number of
    experts. Returns (application, expert, kind) -> reason, in application, expert, kind order."""
    by_uscc: dict[str, list[ExpertInfo]] = {}
    by_unit: dict[str, list[ExpertInfo]] = {}
    by_name: dict[str, list[ExpertInfo]] = {}
    for e in experts:
        eu = (e.unit_uscc or "").strip().upper()
        if eu:
            by_uscc.setdefault(eu, []).append(e)
        unit = _norm(e.unit)
        if unit:
            for key in {unit, *(unit[:n] for n in range(4, len(unit)))}:
                by_unit.setdefault(key, []).append(e)
        by_name.setdefault(_norm(e.name), []).append(e)
    if not experts:
        return {}
    hits: dict[tuple[str, str], dict[str, str]] = {}  # (app, expert) -> kind -> reason
    M, H = m.Member.__table__, m.OfficeHolder.__table__
    RA = r.ReviewRoundApplication.__table__
    uscc_first: dict[tuple[str, str], str | None] = {}
    name_first: dict[tuple[str, str], str | None] = {}
    for a, name, uscc in s.execute(
            select(M.c.application_id, M.c.name, M.c.uscc).join(RA, RA.c.application_id == M.c.application_id)
            .where(RA.c.round_id == round_id).order_by(M.c.application_id, M.c.position)):
        if by_uscc and uscc:
            for e in by_uscc.get(uscc.strip().upper(), ()):
                uscc_first.setdefault((a, e.id), name)   # the first member in order, as detect_conflicts
        for e in by_unit.get(_norm(name), ()):
            name_first.setdefault((a, e.id), name)
    experts_by_id = {e.id: e for e in experts}
    for (a, eid), name in uscc_first.items():
        e = experts_by_id[eid]
        hits.setdefault((a, eid), {})["member_uscc"] = _uscc_reason((e.unit_uscc or "").strip().upper(), name)
    for (a, eid), name in name_first.items():
        if (a, eid) not in uscc_first:
            hits.setdefault((a, eid), {})["member_name"] = _member_reason(experts_by_id[eid], name)
    labels = dict(HOLDER_BODIES)
    for a, body, name, unit, role in s.execute(
            select(H.c.application_id, H.c.body, H.c.name, H.c.unit, H.c.role)
            .join(RA, RA.c.application_id == H.c.application_id)
            .where(RA.c.round_id == round_id).order_by(H.c.application_id, H.c.body, H.c.position)):
        if body not in labels:
            continue
        for e in by_name.get(_norm(name), ()):
            kinds = hits.get((a, e.id))
            if (kinds is None or body not in kinds) and _holder_match(e, unit or ""):
                hits.setdefault((a, e.id), {})[body] = _holder_reason(e, body, labels[body], role)
    order = {eid: i for i, eid in enumerate(experts_by_id)}
    by_app: dict[str, list[str]] = {}
    for a, eid in hits:
        by_app.setdefault(a, []).append(eid)
    out: dict[tuple[str, str, str], str] = {}
    for a in apps:
        for eid in sorted(by_app.get(a, ()), key=order.__getitem__):
            kinds = hits[(a, eid)]
            for kind in ("member_uscc", "member_name", "council", "expert_committee"):
                if kind in kinds:
                    out[(a, eid, kind)] = kinds[kind]
    return out


def _app_doc(s: Session, app_id: str) -> dict:
    from alliance_desk.store import get_document

    return get_document(s, app_id)


# Detected conflicts per database engine and round, with the fingerprint of what they were detected
# from. Review screens and imports ask for the round's conflicts on every call; detecting them reads
# every member of every application (150,000 rows in a big round), so it is done again only when an
# application of the round was saved (its version and updated_at move on every save), the round's
# applications or experts changed, or an expert's name, unit or USCC changed. The stored conflict
# rows are still reconciled with the result on every call (in the caller's transaction).
_DETECTED: "weakref.WeakKeyDictionary[Any, dict[str, tuple[str, dict]]]" = weakref.WeakKeyDictionary()


def _fingerprint(s: Session, round_id: str, experts: list[ExpertInfo]) -> tuple[list[str], str]:
    """The round's application ids (in order) and a digest of what conflict detection depends on."""
    RA, A = r.ReviewRoundApplication.__table__, m.Application.__table__
    # updated_at as stored (text on SQLite): parsing 1,000 datetimes would cost more than the query
    rows = s.execute(select(RA.c.application_id, A.c.version, type_coerce(A.c.updated_at, String))
                     .join(A, A.c.id == RA.c.application_id)
                     .where(RA.c.round_id == round_id).order_by(RA.c.position)).all()
    h = hashlib.sha256()
    for a, version, updated in rows:
        h.update(f"{a}\x1f{version}\x1f{updated}\x1e".encode())
    h.update(b"\x1d")
    for e in experts:
        h.update(json.dumps([e.id, e.name, e.unit, e.unit_uscc], ensure_ascii=False).encode())
    return [a for a, _, _ in rows], h.hexdigest()


def _detected(s: Session, round_id: str, experts: list[ExpertInfo]) -> tuple[list[str], dict]:
    apps, digest = _fingerprint(s, round_id, experts)
    bind = s.get_bind()
    per_round = _DETECTED.get(bind)
    if per_round is None:
        per_round = _DETECTED.setdefault(bind, {})
    cached = per_round.get(round_id)
    if cached is not None and cached[0] == digest:
        return apps, cached[1]
    found = _detect_round(s, round_id, apps, experts)
    per_round[round_id] = (digest, found)
    return apps, found


@dataclass(frozen=True)
class _Conflict:
    """A recorded conflict of one pair, as `_sync_conflicts` hands it out."""
    kind: str
    reason: str
    source: str


def _sync_conflicts(s: Session, rnd: r.ReviewRound) -> dict[tuple[str, str], list[_Conflict]]:
    """Recompute detected conflicts of the round (declared ones are kept); returns pair -> rows.
    Rows are read and written as plain rows: a round can have thousands of them."""
    experts = [x.expert for x in _round_experts(s, rnd.id)]
    apps, detected = _detected(s, rnd.id, experts)
    C = r.ReviewConflict.__table__
    s.flush()  # a conflict declared earlier in this transaction is in the rows read next
    have = {(a, e, k): (cid, reason, source) for cid, a, e, k, reason, source in s.execute(
        select(C.c.id, C.c.application_id, C.c.expert_id, C.c.kind, C.c.reason, C.c.source)
        .where(C.c.round_id == rnd.id).order_by(C.c.id))}
    now = _now()
    added, changed, gone = [], [], []
    for key, reason in detected.items():
        got = have.get(key)
        if got is None:
            a, e, kind = key
            added.append({"round_id": rnd.id, "application_id": a, "expert_id": e, "kind": kind, "reason": reason,
                          "source": "detected", "recorded_at": now})
            have[key] = (None, reason, "detected")
        elif got[1] != reason:
            changed.append({"b_id": got[0], "b_reason": reason})
            have[key] = (got[0], reason, got[2])
    for key, (cid, _reason, source) in list(have.items()):
        if source == "detected" and key not in detected:
            gone.append(cid)
            del have[key]
    if added:
        s.execute(insert(C), added)
    if changed:
        s.execute(update(C).where(C.c.id == bindparam("b_id")).values(reason=bindparam("b_reason")), changed)
    for i in range(0, len(gone), 500):
        s.execute(delete(C).where(C.c.id.in_(gone[i:i + 500])))
    out: dict[tuple[str, str], list[_Conflict]] = {}
    app_set, ex_set = set(apps), {e.id for e in experts}
    for (a, e, kind), (_cid, reason, source) in have.items():
        if a in app_set and e in ex_set:
            out.setdefault((a, e), []).append(_Conflict(kind, reason, source))
    return out


def _conflict_infos(s: Session, rnd: r.ReviewRound, pairs: Mapping[tuple[str, str], list]) -> list[ConflictInfo]:
    apps = {a.id: a for a in _round_apps(s, rnd.id)}
    experts = {x.expert.id: x for x in _round_experts(s, rnd.id)}
    out = []
    for a in apps:
        for x in experts.values():
            for c in sorted(pairs.get((a, x.expert.id), []), key=lambda c: c.kind):
                out.append(ConflictInfo(a, apps[a].name, x.expert.id, x.expert.name, c.kind, c.reason, c.source))
    return out


def conflicts(db: Database, round_id: str) -> list[ConflictInfo]:
    """Every conflict among the round's applications and experts (detected now, or declared)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        return _conflict_infos(s, rnd, _sync_conflicts(s, rnd))


def declare_conflict(db: Database, round_id: str, app_id: str, expert_id: str, reason: str, by: str = "") -> None:
    """Record a declared conflict (by the expert or the office); it blocks the pair from now on."""
    reason = _clean(reason)
    if not reason:
        raise ReviewError("请填写回避原因")
    with unit_of_work(db, write=True) as s:
        _round(s, round_id)
        _declare(s, round_id, app_id, expert_id, reason, by)


def _declare(s: Session, round_id: str, app_id: str, expert_id: str, reason: str, by: str | None) -> bool:
    row = s.scalar(select(r.ReviewConflict).where(
        r.ReviewConflict.round_id == round_id, r.ReviewConflict.application_id == app_id,
        r.ReviewConflict.expert_id == expert_id, r.ReviewConflict.kind == "declared"))
    text = f"声明回避：{reason}"
    if row is not None:
        if row.reason == text:
            return False
        row.reason, row.by, row.recorded_at = text, _clean(by), _now()
        return True
    s.add(r.ReviewConflict(round_id=round_id, application_id=app_id, expert_id=expert_id, kind="declared",
                           reason=text, source="declared", by=_clean(by), recorded_at=_now()))
    return True


# ------------------------------------------------------------------ assignment

def assign(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    """Assign one expert to one application by hand. A conflict refuses it and says why (the
    conflict stays recorded)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        if app_id not in {a.id for a in _round_apps(s, round_id)}:
            raise ReviewError(f"申报 {app_id} 不在本评审轮次中")
        if s.get(r.ReviewExpert, expert_id) is None:
            raise ReviewError(f"专家库中没有 id 为 {expert_id} 的专家")
        if s.get(r.ReviewRoundExpert, (round_id, expert_id)) is None:
            _add_round_experts(s, round_id, [expert_id], ROLE_PRIMARY)
        pairs = _sync_conflicts(s, rnd)
    # the conflict rows are committed above, so a refusal leaves them recorded
    with unit_of_work(db, write=True) as s:
        blocking = pairs.get((app_id, expert_id))
        if blocking:
            expert = s.get(r.ReviewExpert, expert_id)
            app_name = s.scalar(select(m.Application.name).where(m.Application.id == app_id))
            raise ReviewError([f"不能分配：{expert.name} 与「{app_name}」存在回避关系：{c.reason}" for c in blocking])
        exists = s.scalar(select(r.ReviewAssignment).where(
            r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.application_id == app_id,
            r.ReviewAssignment.expert_id == expert_id))
        if exists is None:
            rx = s.get(r.ReviewRoundExpert, (round_id, expert_id))
            if rx.role == ROLE_RESERVE:
                rx.role = ROLE_PRIMARY  # a reserve expert who is given work is promoted (递补)
            s.add(r.ReviewAssignment(round_id=round_id, application_id=app_id, expert_id=expert_id,
                                     source="manual", assigned_at=_now()))
            audit.record(s, None, "assign", "review_assignment", f"{round_id}/{app_id}/{expert_id}", None,
                         {"round": round_id, "expert": expert_id, "source": "manual"}, application_id=app_id)


def unassign(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        if s.scalar(select(func.count()).select_from(r.ReviewScore).where(
                r.ReviewScore.round_id == round_id, r.ReviewScore.application_id == app_id,
                r.ReviewScore.expert_id == expert_id)):
            raise ReviewError("该专家已提交这份申报的评分，不能取消分配")
        gone = s.execute(delete(r.ReviewAssignment).where(
            r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.application_id == app_id,
            r.ReviewAssignment.expert_id == expert_id)).rowcount
        if gone:
            audit.record(s, None, "unassign", "review_assignment", f"{round_id}/{app_id}/{expert_id}",
                         {"round": round_id, "expert": expert_id}, None, application_id=app_id)


@dataclass
class AssignResult:
    round_id: str
    per_application: int
    assignments: list[tuple[str, str]]            # (application, expert), all of the round after the run
    added: list[tuple[str, str]]
    refused: list[ConflictInfo]                    # blocked pairs, with reasons
    removed: list[tuple[str, str, str]]            # (application, expert, reason): conflicted, taken off
    shortfalls: list[tuple[str, int, int, str]]    # (application, needed, got, reason)
    loads: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        n = self.names
        return {
            "round": self.round_id, "per_application": self.per_application,
            "assignments": [{"application": a, "application_name": n.get(a, ""), "expert": e,
                             "expert_name": n.get(e, ""), "new": (a, e) in set(self.added)}
                            for a, e in self.assignments],
            "refused": [c.as_dict() for c in self.refused],
            "removed": [{"application": a, "expert": e, "reason": why} for a, e, why in self.removed],
            "shortfalls": [{"application": a, "application_name": n.get(a, ""), "needed": k, "assigned": got,
                            "reason": why} for a, k, got, why in self.shortfalls],
            "loads": {e: {"expert_name": n.get(e, ""), "count": c} for e, c in self.loads.items()},
        }


def _max_flow(n_nodes: int, edges: list[tuple[int, int, int]], s: int, t: int) -> tuple[int, dict]:
    """Dinic's algorithm: levels by BFS, then as many augmenting paths along them as fit, found by a
    DFS that keeps its place in every node's edge list. A few dozen BFS passes even for 1,000
    applications × 50 experts (one per augmenting path, Edmonds–Karp took 15 s there).
    Returns (flow, {(u, v): flow on that edge})."""
    from collections import deque

    cap: dict[tuple[int, int], int] = {}
    adj: list[list[int]] = [[] for _ in range(n_nodes)]
    for u, v, c in edges:
        if (u, v) not in cap and (v, u) not in cap:
            adj[u].append(v)
            adj[v].append(u)
        cap[(u, v)] = cap.get((u, v), 0) + c
        cap.setdefault((v, u), 0)
    flow_on: dict[tuple[int, int], int] = {}
    total = 0
    while True:
        level = [-1] * n_nodes
        level[s] = 0
        q = deque([s])
        while q:
            u = q.popleft()
            for v in adj[u]:
                if level[v] < 0 and cap[(u, v)] > 0:
                    level[v] = level[u] + 1
                    q.append(v)
        if level[t] < 0:
            return total, flow_on
        nxt = [0] * n_nodes  # each node's place in its edge list for this phase
        while True:
            path = [s]
            while path and path[-1] != t:
                u = path[-1]
                edges_u, i = adj[u], nxt[u]
                while i < len(edges_u):
                    v = edges_u[i]
                    if level[v] == level[u] + 1 and cap[(u, v)] > 0:
                        break
                    i += 1
                nxt[u] = i
                if i < len(edges_u):
                    path.append(edges_u[i])
                else:  # a dead end: never try it again in this phase
                    path.pop()
                    if path:
                        nxt[path[-1]] += 1
            if not path:
                break
            hops = list(zip(path, path[1:]))
            bottleneck = min(cap[h] for h in hops)
            for u, v in hops:
                cap[(u, v)] -= bottleneck
                cap[(v, u)] += bottleneck
                flow_on[(u, v)] = flow_on.get((u, v), 0) + bottleneck
                flow_on[(v, u)] = flow_on.get((v, u), 0) - bottleneck
            total += bottleneck


def balanced_assignment(apps: list[str], experts: list[str], k: int, blocked: set[tuple[str, str]],
                        existing: set[tuple[str, str]] = frozenset()) -> tuple[set[tuple[str, str]], dict[str, int]]:
    """Add pairs so every application has up to `k` experts, never a blocked pair, with expert loads
    (existing pairs included) as even as possible: they differ by at most one whenever the existing
    pairs and the conflicts allow it. Returns (new pairs, shortfall per application)."""
    if not experts:
        return set(), {a: k - sum(1 for e in experts if (a, e) in existing) for a in apps}
    ai = {a: 1 + i for i, a in enumerate(apps)}
    ei = {e: 1 + len(apps) + i for i, e in enumerate(experts)}
    src, extra, sink = 0, 1 + len(apps) + len(experts), 2 + len(apps) + len(experts)
    n = sink + 1
    have = {a: sum(1 for e in experts if (a, e) in existing) for a in apps}
    load0 = {e: sum(1 for a in apps if (a, e) in existing) for e in experts}
    demand = {a: max(0, k - have[a]) for a in apps}
    base = [(src, ai[a], demand[a]) for a in apps if demand[a]]
    base += [(ai[a], ei[e], 1) for a in apps for e in experts if (a, e) not in blocked and (a, e) not in existing]

    def run(caps: dict[str, int], extra_cap: int = 0):
        edges = list(base)
        edges += [(ei[e], sink, caps[e]) for e in experts if caps[e] > 0]
        if extra_cap:
            edges += [(ei[e], extra, 1) for e in experts]
            edges.append((extra, sink, extra_cap))
        return _max_flow(n, edges, src, sink)

    big = len(apps) + 1
    best, flow = run({e: big for e in experts})
    chosen = flow
    total_final = sum(load0.values()) + best
    lo, rem = divmod(total_final, len(experts))
    strict_caps = {e: lo - load0[e] for e in experts}
    done = False
    if all(c >= 0 for c in strict_caps.values()):
        got, f = run(strict_caps, rem)
        if got == best:
            chosen, done = f, True
    if not done:
        level = -(-total_final // len(experts))
        while level <= big:
            got, f = run({e: max(0, level - load0[e]) for e in experts})
            if got == best:
                chosen = f
                break
            level += 1
    pairs = {(a, e) for a in apps for e in experts if chosen.get((ai[a], ei[e]), 0) > 0}
    got_per_app = {a: have[a] + sum(1 for e in experts if (a, e) in pairs) for a in apps}
    shortfall = {a: k - got_per_app[a] for a in apps if got_per_app[a] < k}
    return pairs, shortfall


def auto_assign(db: Database, round_id: str, per_application: int | None = None) -> AssignResult:
    """Give every application `per_application` experts (default: the round's), balanced, skipping
    conflicted pairs (listed with reasons). Uses the round's 正式 experts; a round without experts
    takes every active expert of the pool. Existing assignments are kept unless now conflicted."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        k = per_application if per_application is not None else rnd.per_application
        if k < 1:
            raise ReviewError("每份申报的评审专家数应至少为 1")
        rnd.per_application = k
        if not _round_experts(s, round_id):
            pool = [e.id for e in s.scalars(select(r.ReviewExpert).where(r.ReviewExpert.active.is_(True))
                                            .order_by(r.ReviewExpert.created_at, r.ReviewExpert.name,
                                                      r.ReviewExpert.id))]
            if not pool:
                raise ReviewError("专家库中没有专家，请先添加专家")
            _add_round_experts(s, round_id, pool, ROLE_PRIMARY)
        apps = [a.id for a in _round_apps(s, round_id)]
        if not apps:
            raise ReviewError("本评审轮次没有申报")
        experts = [x.expert.id for x in _round_experts(s, round_id) if x.role == ROLE_PRIMARY]
        if not experts:
            raise ReviewError("本评审轮次没有正式评审专家")
        pairs = _sync_conflicts(s, rnd)
        blocked = set(pairs)
        scored = {(a, e) for a, e in s.execute(select(r.ReviewScore.application_id, r.ReviewScore.expert_id)
                                               .where(r.ReviewScore.round_id == round_id))}
        removed = []
        existing: set[tuple[str, str]] = set()
        for row in s.scalars(select(r.ReviewAssignment).where(r.ReviewAssignment.round_id == round_id)):
            pair = (row.application_id, row.expert_id)
            if pair in blocked and pair not in scored:
                removed.append((*pair, "；".join(c.reason for c in pairs[pair])))
                s.delete(row)
            else:
                existing.add(pair)
        new_pairs, shortfall = balanced_assignment(apps, experts, k, blocked,
                                                   {p for p in existing if p[1] in experts})
        now = _now()
        added = [{"round_id": round_id, "application_id": a, "expert_id": e, "source": "auto", "assigned_at": now}
                 for a in apps for e in experts if (a, e) in new_pairs]
        s.flush()  # the deletions above first
        if added:  # one executemany (5,000 rows in a big round), not one INSERT per ORM object
            s.execute(insert(r.ReviewAssignment.__table__), added)
        if added or removed:  # one row for the whole run: which pairs it made and which it undid
            audit.record(s, None, "auto_assign", "review_round", round_id,
                         {"removed": [[a, e, why] for a, e, why in removed]} if removed else None,
                         {"per_application": k, "added": [[x["application_id"], x["expert_id"]] for x in added]})
        in_round = _round_experts(s, round_id)
        in_round_ids = [x.expert.id for x in in_round]
        all_pairs = [(a, e) for a in apps for e in in_round_ids if (a, e) in existing or (a, e) in new_pairs]
        loads = dict.fromkeys(experts + [x for _, x in all_pairs], 0)
        for _, x in all_pairs:
            loads[x] += 1
        names = {a.id: a.name for a in _round_apps(s, round_id)}
        names.update({x.expert.id: x.expert.name for x in in_round})
        shortfalls = []
        for a, missing in shortfall.items():
            free = [e for e in experts if (a, e) not in blocked]
            why = (f"无回避关系的正式专家只有 {len(free)} 位" if len(free) < k else "在保持专家负担均衡的前提下无法凑足")
            shortfalls.append((a, k, k - missing, why))
        refused = _conflict_infos(s, rnd, pairs)
        a_pos, e_pos = {a: i for i, a in enumerate(apps)}, {e: i for i, e in enumerate(experts)}
        return AssignResult(round_id, k, all_pairs, sorted(new_pairs, key=lambda p: (a_pos[p[0]], e_pos[p[1]])),
                            refused, removed, shortfalls, loads, names)


@dataclass(frozen=True)
class Cell:
    state: str            # "free" | "assigned" | "scored" | "conflict" | "conflict_assigned"
    reasons: tuple[str, ...] = ()
    total: float | None = None


@dataclass
class Grid:
    round: RoundInfo
    cells: dict[tuple[str, str], Cell]
    _counted: tuple[dict[str, int], dict[str, int]] | None = field(default=None, init=False, repr=False,
                                                                    compare=False)

    def cell(self, app_id: str, expert_id: str) -> Cell:
        return self.cells.get((app_id, expert_id), Cell("free"))

    def load(self, expert_id: str) -> int:
        return self._tallies()[1].get(expert_id, 0)

    def count(self, app_id: str) -> int:
        return self._tallies()[0].get(app_id, 0)

    def _tallies(self) -> tuple[dict[str, int], dict[str, int]]:
        # counted once: the screen asks for every header on every paint (50,000 cells in a big round)
        if self._counted is None:
            per_app: dict[str, int] = {}
            per_expert: dict[str, int] = {}
            for (a, e), c in self.cells.items():
                if c.state in ("assigned", "scored"):
                    per_app[a] = per_app.get(a, 0) + 1
                    per_expert[e] = per_expert.get(e, 0) + 1
            self._counted = (per_app, per_expert)
        return self._counted


def assignment_grid(db: Database, round_id: str) -> Grid:
    """The application × expert grid: assigned, scored, free or blocked by a conflict (with reasons)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        pairs = _sync_conflicts(s, rnd)
        info = _round_info(s, rnd)
        assigned = {(a, e) for a, e in s.execute(select(r.ReviewAssignment.application_id,
                                                        r.ReviewAssignment.expert_id)
                                                 .where(r.ReviewAssignment.round_id == round_id))}
        totals = {(a, e): t for a, e, t in s.execute(
            select(r.ReviewScore.application_id, r.ReviewScore.expert_id, r.ReviewScore.total)
            .where(r.ReviewScore.round_id == round_id))}
    # most cells are free or plainly assigned: those share one (frozen) Cell each
    free, plain = Cell("free"), Cell("assigned")
    experts = [x.expert.id for x in info.experts]
    cells = {(a.id, e): free for a in info.applications for e in experts}
    for key in assigned:
        if key in cells:
            cells[key] = plain
    for key, rows in pairs.items():
        cells[key] = Cell("conflict_assigned" if key in assigned else "conflict", tuple(c.reason for c in rows))
    for key, total in totals.items():
        if key in cells:
            cells[key] = Cell("scored", tuple(c.reason for c in pairs.get(key, ())), total)
    return Grid(info, cells)


def assignments_of(db: Database, round_id: str, expert_id: str) -> list[AppRef]:
    """The applications an expert is to score (assigned and not blocked by a conflict)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        pairs = _sync_conflicts(s, rnd)
        return _assigned_apps(s, round_id, expert_id, pairs)


def _assigned_apps(s: Session, round_id: str, expert_id: str, pairs) -> list[AppRef]:
    mine = set(s.scalars(select(r.ReviewAssignment.application_id).where(
        r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.expert_id == expert_id)))
    return [a for a in _round_apps(s, round_id) if a.id in mine and (a.id, expert_id) not in pairs]


# ------------------------------------------------------------------ random draw (专家随机抽取)

@dataclass
class DrawInfo:
    id: int
    round_id: str
    seed: int
    field: str | None
    count: int
    reserves: int
    candidates: list[str]
    selected: list[str]
    by: str | None
    drawn_at: datetime
    experts: dict[str, ExpertInfo]

    @property
    def primary(self) -> list[ExpertInfo]:
        return [self.experts[e] for e in self.selected[:self.count]]

    @property
    def reserve(self) -> list[ExpertInfo]:
        return [self.experts[e] for e in self.selected[self.count:]]


def draw_order(candidates: Iterable[str], seed: int) -> list[str]:
    """The draw's order of candidates: by SHA-256 of "seed:expert id". Anyone can re-run it from the
    recorded seed and candidate list, on any machine and Python version."""
    return sorted(candidates, key=lambda e: hashlib.sha256(f"{seed}:{e}".encode()).hexdigest())


def draw_experts(db: Database, round_id: str, count: int, reserves: int = 0, field: str | None = None,
                 seed: int | None = None, by: str = "") -> DrawInfo:
    """Draw `count` experts and `reserves` reserve experts at random from the active pool (optionally
    only those whose field contains `field`), leaving out experts already in the round. The seed is
    recorded (a fresh random one when not given) so the draw can be reproduced."""
    problems = []
    if count < 1:
        problems.append("抽取人数应至少为 1")
    if reserves < 0:
        problems.append("备选人数不能为负数")
    if seed is not None and not (0 <= seed <= MAX_SEED):
        problems.append(f"随机种子应在 0 到 {MAX_SEED} 之间")
    if problems:
        raise ReviewError(problems)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED) + 1
    field = _clean(field)
    with unit_of_work(db, write=True) as s:
        _round(s, round_id)
        in_round = {x.expert.id for x in _round_experts(s, round_id)}
        pool = [e for e in s.scalars(select(r.ReviewExpert).where(r.ReviewExpert.active.is_(True)))
                if e.id not in in_round and (not field or _field_matches(e.field, field))]
        candidates = sorted(e.id for e in pool)
        need = count + reserves
        if len(candidates) < need:
            where = f"专业领域含「{field}」的" if field else ""
            raise ReviewError(f"专家库中{where}可抽取的专家只有 {len(candidates)} 位，不够抽取 {count} 位正式专家"
                              f"和 {reserves} 位备选专家")
        selected = draw_order(candidates, seed)[:need]
        row = r.ReviewDraw(round_id=round_id, seed=seed, field=field, count=count, reserves=reserves,
                           candidates=candidates, selected=selected, by=_clean(by), drawn_at=_now())
        s.add(row)
        s.flush()
        _add_round_experts(s, round_id, selected[:count], ROLE_PRIMARY, row.id)
        _add_round_experts(s, round_id, selected[count:], ROLE_RESERVE, row.id)
        draw_id = row.id
        audit.record(s, by or None, "draw", "review_round", round_id, None,
                     {"draw": draw_id, "seed": seed, "field": field, "count": count, "reserves": reserves,
                      "candidates": len(candidates), "selected": selected})
    return get_draw(db, draw_id)


def get_draw(db: Database, draw_id: int) -> DrawInfo:
    with unit_of_work(db) as s:
        row = s.get(r.ReviewDraw, draw_id)
        if row is None:
            raise ReviewError(f"没有编号为 {draw_id} 的抽取记录")
        experts = {e.id: _expert_info(e) for e in s.scalars(
            select(r.ReviewExpert).where(r.ReviewExpert.id.in_(row.selected)))}
        return DrawInfo(row.id, row.round_id, row.seed, row.field, row.count, row.reserves, list(row.candidates),
                        list(row.selected), row.by, row.drawn_at, experts)


def draws(db: Database, round_id: str) -> list[DrawInfo]:
    with unit_of_work(db) as s:
        ids = list(s.scalars(select(r.ReviewDraw.id).where(r.ReviewDraw.round_id == round_id)
                             .order_by(r.ReviewDraw.id)))
    return [get_draw(db, i) for i in ids]


def verify_draw(info: DrawInfo) -> bool:
    """True when re-running the recorded seed on the recorded candidates gives the recorded result."""
    return draw_order(info.candidates, info.seed)[:info.count + info.reserves] == info.selected


# ------------------------------------------------------------------ scores in

@dataclass
class ScoreEntry:
    application_id: str
    points: dict[str, float]
    comment: str | None = None
    item_comments: dict[str, str] = field(default_factory=dict)
    suggested: dict[str, float] = field(default_factory=dict)


@dataclass
class ImportResult:
    round_id: str
    expert_id: str
    expert_name: str
    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # rows left blank

    def summary(self) -> str:
        text = (f"已导入{self.expert_name}的{SOURCE_LABELS.get(self.source, self.source)}：新增 {len(self.created)} 份，"
                f"更新 {len(self.updated)} 份，未变 {len(self.unchanged)} 份")
        if self.declared:
            text += f"，声明回避 {len(self.declared)} 份"
        if self.skipped:
            text += f"，未评分 {len(self.skipped)} 份"
        return text

    def as_dict(self) -> dict:
        return {"round": self.round_id, "expert": self.expert_id, "expert_name": self.expert_name,
                "source": self.source, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "declared": self.declared, "skipped": self.skipped}


def _digest(entry: ScoreEntry) -> str:
    body = {"points": {k: round(v, 6) for k, v in sorted(entry.points.items())},
            "comment": (entry.comment or "").strip(),
            "item_comments": {k: v.strip() for k, v in sorted(entry.item_comments.items()) if v and v.strip()}}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def apply_scores(s: Session, round_id: str, expert_id: str, entries: Iterable[ScoreEntry], source: str,
                 source_name: str | None = None, declared: Iterable[tuple[str, str]] = (),
                 submitted_at: datetime | None = None, label: str = "") -> ImportResult:
    """Write one expert's scores inside the caller's transaction, after checking every entry; raises
    ReviewError (nothing written) on any problem. Re-importing identical content changes nothing."""
    rnd = _round(s, round_id)
    tpl = _template(rnd)
    expert = s.get(r.ReviewExpert, expert_id)
    if expert is None or s.get(r.ReviewRoundExpert, (round_id, expert_id)) is None:
        raise ReviewError(f"{label}专家 {expert_id} 不是评审轮次「{rnd.name}」的专家")
    pairs = _sync_conflicts(s, rnd)
    declared = list(declared)
    entries = list(entries)
    names = _round_app_names(s, round_id, [e.application_id for e in entries] + [a for a, _ in declared])
    declared_apps = {a for a, _ in declared}
    mine = set(s.scalars(select(r.ReviewAssignment.application_id).where(
        r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.expert_id == expert_id)))
    problems = []
    seen = set()
    for e in entries:
        nm = names.get(e.application_id)
        if nm is None:
            problems.append(f"{label}申报 {e.application_id} 不在评审轮次「{rnd.name}」中")
            continue
        if e.application_id in seen:
            problems.append(f"{label}申报「{nm}」重复出现")
        seen.add(e.application_id)
        if (e.application_id, expert_id) in pairs and e.application_id not in declared_apps:
            reasons = "；".join(c.reason for c in pairs[(e.application_id, expert_id)])
            problems.append(f"{label}{expert.name}与申报「{nm}」存在回避关系（{reasons}），评分不予接受")
        elif e.application_id not in mine:
            problems.append(f"{label}申报「{nm}」未分配给{expert.name}")
        if e.application_id in declared_apps:
            problems.append(f"{label}申报「{nm}」既声明回避又有评分")
        unknown = set(e.points) - {i.key for i in tpl.leaves}
        if unknown:
            problems.append(f"{label}申报「{nm}」：模板中没有指标 {', '.join(sorted(unknown))}")
        clean, errs = scoring.validate(tpl, e.points, e.item_comments, e.comment or "",
                                       "item" if e.item_comments else "overall")
        for p in errs:
            problems.append(f"{label}申报「{nm}」：{p.message}")
        e.points = clean
    for a, _why in declared:
        if a not in names:
            problems.append(f"{label}声明回避的申报 {a} 不在本评审轮次中")
    if problems:
        raise ReviewError(problems)

    result = ImportResult(round_id, expert_id, expert.name, source)
    now = _now()
    trail = []  # audit rows, written at once at the end (same order as the changes)
    for a, why in declared:
        _declare(s, round_id, a, expert_id, why, expert.name)
        result.declared.append(a)
        trail.append((None, "declare_conflict", "review_score", f"{round_id}/{a}/{expert_id}", None,
                      {"round": round_id, "expert": expert_id, "expert_name": expert.name, "reason": why,
                       "source": source, "source_name": source_name}, a))
    # one read of the expert's scores, one insert of the new ones and one of all items: not a round
    # of statements per score (the ORM inserts rows with server-made ids one at a time)
    S, I = r.ReviewScore.__table__, r.ReviewScoreItem.__table__
    existing = {row.application_id: row for row in s.scalars(select(r.ReviewScore).where(
        r.ReviewScore.round_id == round_id, r.ReviewScore.expert_id == expert_id))}
    changed, replaced, new_rows = [], [], []
    for e in entries:
        digest = _digest(e)
        row = existing.get(e.application_id)
        if row is not None and row.digest == digest:
            result.unchanged.append(e.application_id)
            continue
        values = {"total": scoring.total_of(e.points), "comment": _clean(e.comment), "source": source,
                  "source_name": source_name, "digest": digest, "submitted_at": submitted_at, "imported_at": now}
        if row is None:
            old = None
            new_rows.append({"round_id": round_id, "application_id": e.application_id, "expert_id": expert_id,
                             **values})
            result.created.append(e.application_id)
        else:
            old = {"total": row.total, "comment": row.comment, "source": row.source, "source_name": row.source_name}
            for k, v in values.items():
                setattr(row, k, v)
            replaced.append(row.id)
            result.updated.append(e.application_id)
        changed.append(e)
        trail.append((None, "score", "review_score", f"{round_id}/{e.application_id}/{expert_id}", old,
                      {"round": round_id, "expert": expert_id, "expert_name": expert.name, "points": e.points,
                       "total": values["total"], "comment": values["comment"], "item_comments": e.item_comments,
                       "source": source, "source_name": source_name}, e.application_id))
    if replaced:
        s.execute(delete(I).where(I.c.score_id.in_(replaced)))
    if new_rows:
        s.execute(insert(S), new_rows)
    if changed:
        s.flush()
        ids = dict(s.execute(select(S.c.application_id, S.c.id).where(S.c.round_id == round_id,
                                                                      S.c.expert_id == expert_id)).all())
        s.execute(insert(I), [
            {"score_id": ids[e.application_id], "item_key": it.key, "points": float(e.points[it.key]),
             "comment": _clean(e.item_comments.get(it.key)), "suggested": e.suggested.get(it.key)}
            for e in changed for it in tpl.leaves])
    audit.record_many(s, trail)
    return result


def record_score(db: Database, round_id: str, app_id: str, expert_id: str, points: Mapping[str, Any],
                 comment: str = "", item_comments: Mapping[str, str] | None = None) -> ImportResult:
    """Type in one expert's score (e.g. from a paper sheet). Same checks as every import."""
    with unit_of_work(db, write=True) as s:
        tpl = _template(_round(s, round_id))
        clean, errs = scoring.validate(tpl, points, item_comments, comment,
                                       "item" if item_comments else "overall")
        if errs:
            raise ReviewError([p.message for p in errs])
        return apply_scores(s, round_id, expert_id, [ScoreEntry(app_id, clean, comment, dict(item_comments or {}))],
                            "app")


def delete_score(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        old = s.scalar(select(r.ReviewScore).where(r.ReviewScore.round_id == round_id,
                                                   r.ReviewScore.application_id == app_id,
                                                   r.ReviewScore.expert_id == expert_id))
        if old is not None:
            audit.record(s, None, "delete_score", "review_score", f"{round_id}/{app_id}/{expert_id}",
                         {"total": old.total, "comment": old.comment, "source": old.source}, None,
                         application_id=app_id)
        s.execute(delete(r.ReviewScore).where(r.ReviewScore.round_id == round_id,
                                              r.ReviewScore.application_id == app_id,
                                              r.ReviewScore.expert_id == expert_id))


# ------------------------------------------------------------------ review package out, score file back

def _office_key(s: Session) -> tuple[str, str]:
    row = s.get(r.ReviewKey, "office")
    if row is None:
        priv, pub = pkgmod.new_key()
        row = r.ReviewKey(id="office", private_key=priv, public_key=pub, created_at=_now())
        s.add(row)
        s.flush()
    return row.private_key, row.public_key


def office_fingerprint(db: Database) -> str:
    with unit_of_work(db, write=True) as s:
        return pkgmod.fingerprint(_office_key(s)[1])


def _dt(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def export_review_package(db: Database, round_id: str, expert_id: str, path: str | Path,
                          sender: str | None = None) -> Path:
    """The review package (.adpkg, kind "review") for one expert: the round, its template, the
    applications assigned to that expert (and only those), objective suggestions, and the key the
    expert's score file will be signed with. Signed with the office key."""
    path = Path(path)
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        rx = s.get(r.ReviewRoundExpert, (round_id, expert_id))
        if rx is None:
            raise ReviewError(f"专家 {expert_id} 不是评审轮次「{rnd.name}」的专家")
        expert = s.get(r.ReviewExpert, expert_id)
        pairs = _sync_conflicts(s, rnd)
        apps = _assigned_apps(s, round_id, expert_id, pairs)
        if not apps:
            raise ReviewError(f"{expert.name}在评审轮次「{rnd.name}」中没有分配的申报")
        tpl = _template(rnd)
        if rx.private_key is None:
            rx.private_key, rx.public_key = pkgmod.new_key()
        pack = get_pack(rnd.region)
        entries: dict[str, bytes] = {}
        listed = []
        for a in apps:
            doc = _app_doc(s, a.id)
            name = f"applications/{a.id}.json"
            entries[name] = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
            sugg = {k: {"points": v.points, "share": v.share, "numerator": v.numerator,
                        "denominator": v.denominator, "text": v.text}
                    for k, v in scoring.suggestions(tpl, doc).items()}
            listed.append({"id": a.id, "name": a.name, "county": a.county, "lead": a.lead, "file": name,
                           "suggestions": sugg})
        review = {"format": REVIEW_FORMAT,
                  "round": {"id": rnd.id, "name": rnd.name, "region": rnd.region, "region_name": pack.region_name,
                            "authority": pack.authority, "call": rnd.call_id, "deadline": _dt(rnd.deadline)},
                  "template": tpl.to_dict(),
                  "expert": {"id": expert.id, "name": expert.name, "unit": expert.unit},
                  "applications": listed}
        entries["review.json"] = json.dumps(review, ensure_ascii=False, indent=2).encode("utf-8")
        entries["expert_key.json"] = json.dumps({"expert": expert.id, "round": rnd.id,
                                                 "private_key": rx.private_key}).encode("utf-8")
        priv, _pub = _office_key(s)
        pkgmod.write_package(path, "review", sender or pack.authority, entries, priv,
                             extra={"round": rnd.id, "expert": expert.id})
        rx.package_issued_at = _now()
    return path


@dataclass
class ReviewPackage:
    """A review package opened in reviewer mode (read-only)."""
    path: Path
    round_id: str
    round_name: str
    region: str
    region_name: str
    authority: str
    deadline: str | None
    template: scoring.Template
    expert_id: str
    expert_name: str
    expert_unit: str
    applications: list[dict]          # {"id", "name", "county", "lead", "doc", "suggestions": {key: dict}}
    private_key: str
    sender: str
    office_fingerprint: str

    def application(self, app_id: str) -> dict:
        return next(a for a in self.applications if a["id"] == app_id)


def open_review_package(path: str | Path) -> ReviewPackage:
    """Verify and open a review package; refuses a tampered or foreign file with the reason."""
    try:
        pkg = pkgmod.read_package(path, kind="review")
        review = pkg.json("review.json")
        key = pkg.json("expert_key.json")
        if review.get("format") != REVIEW_FORMAT:
            raise ReviewError(f"{Path(path).name}：评审包格式 {review.get('format')!r} 不受支持")
        tpl = scoring.template_from_dict(review["template"])
        apps = []
        for a in review["applications"]:
            apps.append({**{k: a.get(k) for k in ("id", "name", "county", "lead")},
                         "doc": pkg.json(a["file"]), "suggestions": a.get("suggestions") or {}})
        rd = review["round"]
        if key.get("round") != rd["id"] or key.get("expert") != review["expert"]["id"]:
            raise ReviewError(f"{Path(path).name}：评审包中的签名密钥不属于本轮次和本专家")
        return ReviewPackage(Path(path), rd["id"], rd["name"], rd["region"], rd.get("region_name", ""),
                             rd.get("authority", ""), rd.get("deadline"), tpl, review["expert"]["id"],
                             review["expert"]["name"], review["expert"].get("unit", ""), apps, key["private_key"],
                             pkg.sender, pkg.fingerprint)
    except pkgmod.PackageError as exc:
        raise ReviewError(exc.problems) from None
    except (KeyError, TypeError, AttributeError, ValueError, scoring.ScoringError) as exc:
        raise ReviewError(f"{Path(path).name}：评审包内容不完整（{exc}）") from None


@dataclass
class Draft:
    """What the expert typed for one application (raw text is kept until it is valid)."""
    points: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    conflict: str | None = None        # a declared conflict's reason

    def as_dict(self) -> dict:
        return {"points": self.points, "comments": self.comments, "comment": self.comment,
                "conflict": self.conflict}

    @classmethod
    def from_dict(cls, d: Mapping | None) -> "Draft":
        d = d or {}
        return cls({k: str(v) for k, v in (d.get("points") or {}).items()}, dict(d.get("comments") or {}),
                   d.get("comment") or "", d.get("conflict"))


def load_drafts(db: Database, pkg: ReviewPackage) -> dict[str, Draft]:
    """The expert's drafts; an application not touched yet starts with the objective items pre-filled
    with their suggested scores (a low one carries the computed share as its comment)."""
    with unit_of_work(db) as s:
        rows = s.scalars(select(r.ReviewDraft).where(r.ReviewDraft.round_id == pkg.round_id,
                                                     r.ReviewDraft.expert_id == pkg.expert_id))
        found = {row.application_id: Draft.from_dict(row.payload) for row in rows}
    return {a["id"]: found.get(a["id"]) or _suggested_draft(pkg, a) for a in pkg.applications}


def _suggested_draft(pkg: ReviewPackage, app: Mapping) -> Draft:
    d = Draft()
    for key, sug in (app.get("suggestions") or {}).items():
        d.points[key] = scoring.fmt(sug["points"])
        if sug["points"] < pkg.template.leaf(key).comment_below:
            d.comments[key] = f"系统建议：{sug['text']}"
    return d


def save_draft(db: Database, pkg: ReviewPackage, app_id: str, draft: Draft) -> None:
    if app_id not in {a["id"] for a in pkg.applications}:
        raise ReviewError(f"申报 {app_id} 不在这个评审包中")
    with unit_of_work(db, write=True) as s:
        row = s.scalar(select(r.ReviewDraft).where(r.ReviewDraft.round_id == pkg.round_id,
                                                   r.ReviewDraft.expert_id == pkg.expert_id,
                                                   r.ReviewDraft.application_id == app_id))
        if row is None:
            row = r.ReviewDraft(round_id=pkg.round_id, expert_id=pkg.expert_id, application_id=app_id)
            s.add(row)
        row.payload = draft.as_dict()
        row.updated_at = _now()


def draft_problems(pkg: ReviewPackage, app: Mapping, draft: Draft) -> list[scoring.Problem]:
    if draft.conflict is not None:
        return [] if draft.conflict.strip() else [scoring.Problem(None, "conflict", "请填写回避原因")]
    return scoring.validate(pkg.template, draft.points, draft.comments, draft.comment, "item")[1]


def export_score_file(db: Database, pkg: ReviewPackage, path: str | Path) -> Path:
    """Check every assigned application is scored (or declared a conflict) and write the score file
    (.adpkg, kind "scores") signed with the key of the review package."""
    drafts = load_drafts(db, pkg)
    problems, scores, declared, gaps = [], [], [], []
    for a in pkg.applications:
        d = drafts[a["id"]]
        errs = draft_problems(pkg, a, d)
        problems += [f"「{a['name']}」：{p.message}" for p in errs]
        gaps += [(a["id"], p) for p in errs]
        if errs:
            continue
        if d.conflict is not None:
            declared.append({"application": a["id"], "reason": d.conflict.strip()})
        else:
            clean, _ = scoring.validate(pkg.template, d.points, d.comments, d.comment, "item")
            sugg = {k: v["points"] for k, v in a["suggestions"].items()}
            scores.append({"application": a["id"], "points": clean,
                           "comments": {k: v.strip() for k, v in d.comments.items() if v and v.strip()},
                           "comment": d.comment.strip(), "suggested": sugg})
    if problems:
        raise ReviewError(problems, gaps)
    with unit_of_work(db, write=True) as s:  # later submissions rank above earlier ones (trust.is_older)
        sequence = trust.next_sequence(s, trust.scope_of("scores", pkg.round_id, pkg.expert_id))
    payload = {"format": SCORES_FORMAT, "round": pkg.round_id, "expert": pkg.expert_id,
               "template": pkg.template.id, "submitted_at": _now().isoformat(), "sequence": sequence,
               "scores": scores, "conflicts": declared}
    path = Path(path)
    pkgmod.write_package(path, "scores", f"{pkg.expert_name}（{pkg.expert_unit}）",
                         {"scores.json": json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")},
                         pkg.private_key, extra={"round": pkg.round_id, "expert": pkg.expert_id, "sequence": sequence})
    return path


class OlderScoreFile(ReviewError):
    """The score file is older than scores already taken from the same expert; `undo` says what."""

    def __init__(self, label: str, undo: str):
        self.undo = undo
        super().__init__(f"{label}{undo}。较早的评分文件会覆盖较新的评分，已拒绝；如确需导入，请确认"
                         "（命令行加 --allow-older），此操作会记入审计记录")


def _older_scores(s: Session, rid: str, eid: str, fp: str, rank: trust.Rank, submitted: datetime | None,
                  label: str) -> str:
    """What importing this score file would undo ("" when it is not older than what is stored)."""
    verdict = trust.Verdict()
    trust.check_mark(s, "scores", fp, trust.scope_of(rid, eid), rank, verdict, "该评分文件")
    if submitted is not None:
        sub = submitted.replace(tzinfo=None)
        newer = s.scalars(select(r.ReviewScore).where(r.ReviewScore.round_id == rid, r.ReviewScore.expert_id == eid,
                                                      r.ReviewScore.submitted_at > sub))
        names = _round_app_names(s, rid, [x.application_id for x in newer])
        if names:
            verdict.older.append(f"专家对「{'」「'.join(sorted(names.values()))}」已有 {sub:%Y-%m-%d %H:%M:%S} 之后提交的评分")
    return verdict.older_text()


def import_score_file(db: Database, path: str | Path, round_id: str | None = None,
                      allow_older: bool = False) -> ImportResult:
    """Import a signed score file. Refused (nothing written) when the file is tampered, signed with a
    key the office did not issue to that expert for that round, of another round, invalid, or older
    than scores already taken from that expert (OlderScoreFile, unless `allow_older`)."""
    path = Path(path)
    label = f"{path.name}："
    try:
        pkg = pkgmod.read_package(path, kind="scores")
        payload = pkg.json("scores.json")
    except pkgmod.PackageError as exc:
        raise ReviewError(exc.problems) from None
    if not isinstance(payload, dict) or payload.get("format") != SCORES_FORMAT:
        raise ReviewError(f"{label}评分文件格式不受支持")
    rid, eid = payload.get("round"), payload.get("expert")
    if round_id is not None and rid != round_id:
        raise ReviewError(f"{label}这是另一评审轮次（{rid}）的评分文件，不属于本轮次")
    try:
        submitted = datetime.fromisoformat(payload["submitted_at"]) if payload.get("submitted_at") else None
        sequence = payload.get("sequence")
        if sequence is not None and (type(sequence) is not int or sequence < 1):
            raise ValueError("sequence")
        entries = [ScoreEntry(x["application"], dict(x["points"]), x.get("comment") or "",
                              dict(x.get("comments") or {}),
                              {k: float(v) for k, v in (x.get("suggested") or {}).items()})
                   for x in payload.get("scores") or []]
        declared = [(x["application"], x["reason"]) for x in payload.get("conflicts") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReviewError(f"{label}评分文件内容不完整（{exc}）") from None
    with unit_of_work(db, write=True) as s:
        rnd = s.get(r.ReviewRound, rid)
        if rnd is None:
            raise ReviewError(f"{label}评审轮次 {rid} 不在本数据库中（文件来自其他单位或其他评审轮次）")
        rx = s.get(r.ReviewRoundExpert, (rid, eid))
        if rx is None:
            raise ReviewError(f"{label}专家 {eid} 不是评审轮次「{rnd.name}」的专家")
        if rx.public_key is None:
            raise ReviewError(f"{label}本单位未向该专家下发过评审包，无法核对签名")
        if rx.public_key != pkg.public_key:
            raise ReviewError(f"{label}签名密钥与本单位为该专家下发的评审包不符（文件并非由该评审包生成）")
        if payload.get("template") != rnd.template_id:
            raise ReviewError(f"{label}评分模板 {payload.get('template')} 与本轮次的 {rnd.template_id} 不符")
        rank = trust.Rank(sequence, submitted.isoformat() if submitted else None, pkg.file_sha256)
        undone = _older_scores(s, rid, eid, pkg.key_fingerprint, rank, submitted, label)
        if undone and not allow_older:
            raise OlderScoreFile(label, undone)
        result = apply_scores(s, rid, eid, entries, "file", path.name, declared, submitted, label)
        trust.accept_mark(s, "scores", pkg.key_fingerprint, trust.scope_of(rid, eid), rank)
        if undone:
            audit.record(s, None, "older_accepted", "review_score", f"{rid}/{eid}", None,
                         {"file": path.name, "expert_name": result.expert_name, "undone": undone})
        return result


def import_file(db: Database, path: str | Path, round_id: str | None = None,
                allow_older: bool = False) -> ImportResult:
    """A filled Excel score sheet (.xlsx) or a signed score file (.adpkg)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from alliance_desk.review.score_sheets import import_sheet

        return import_sheet(db, path, round_id)
    if suffix == ".adpkg":
        return import_score_file(db, path, round_id, allow_older)
    raise ReviewError(f"{path.name}：只能导入 Excel 评分表（.xlsx）或签名评分文件（.adpkg）")


# ------------------------------------------------------------------ progress, summary

@dataclass
class Progress:
    expected: int
    received: int
    per_expert: dict[str, tuple[int, int]]   # expert -> (received, expected)

    @property
    def text(self) -> str:
        return f"已收到 {self.received}/{self.expected} 份评分"


def progress(db: Database, round_id: str, grid: Grid | None = None) -> Progress:
    """Scores received against scores expected (assigned pairs not blocked by a conflict)."""
    grid = grid or assignment_grid(db, round_id)
    per = {}
    for x in grid.round.experts:
        cells = [grid.cell(a.id, x.expert.id) for a in grid.round.applications]
        exp = sum(1 for c in cells if c.state in ("assigned", "scored"))
        got = sum(1 for c in cells if c.state == "scored")
        if exp:
            per[x.expert.id] = (got, exp)
    return Progress(sum(e for _, e in per.values()), sum(g for g, _ in per.values()), per)


@dataclass
class ScoreDetail:
    total: float
    items: dict[str, float]
    comment: str | None
    source: str


@dataclass
class Summary:
    round: RoundInfo
    method: str
    aggregates: list[scoring.Aggregate]          # sorted by rank
    experts: list[ExpertInfo]                    # experts with at least one score, in round order
    scores: dict[tuple[str, str], ScoreDetail]   # (application, expert)

    def app(self, app_id: str) -> AppRef:
        return self.round.app(app_id)

    def as_dict(self) -> dict:
        tpl = self.round.template
        rnd = self.round

        def n(x):
            return None if x is None else round(x, 4)

        apps = []
        for a in self.aggregates:
            ref = self.app(a.application)
            apps.append({
                "id": a.application, "name": ref.name, "lead": ref.lead, "rank": a.rank, "value": n(a.value),
                "n": a.n, "mean": n(a.mean), "trimmed": n(a.trimmed), "median": n(a.median),
                "zscore": n(a.zscore), "range": n(a.range), "sd": n(a.sd), "flagged": a.flagged,
                "flag_reasons": a.flag_reasons, "trimmed_is_plain_mean": a.trim_fallback, "note": a.trim_note,
                "scores": [{"expert": e.id, "expert_name": e.name, "total": n(self.scores[(a.application, e.id)].total)}
                           for e in self.experts if (a.application, e.id) in self.scores],
                "criteria": {c.id: n(a.criterion_means.get(c.id)) for c in tpl.criteria if a.criterion_means},
                "items": {k: n(v) for k, v in a.item_means.items()},
            })
        return {"round": rnd.id, "name": rnd.name, "region": rnd.region, "call": rnd.call_id,
                "template": tpl.id, "template_label": tpl.label, "official": tpl.official,
                "method": self.method, "method_label": scoring.METHOD_LABELS[self.method],
                "threshold_range": rnd.threshold_range, "threshold_sd": rnd.threshold_sd,
                "applications": apps}


def summary(db: Database, round_id: str, method: str | None = None) -> Summary:
    """Per-application aggregate of the round's scores by `method` (default: the round's), with
    per-criterion averages, disagreement flags and rank."""
    with unit_of_work(db) as s:
        rnd = _round(s, round_id)
        info = _round_info(s, rnd)
        method = method or rnd.method
        if method not in scoring.METHODS:
            raise ReviewError(f"未知的汇总方法「{method}」（可用：{', '.join(scoring.METHODS)}）")
        # plain rows, not ORM objects: a big round has 5,000 scores and 85,000 items
        S, I = r.ReviewScore.__table__, r.ReviewScoreItem.__table__
        rows = s.execute(select(S.c.id, S.c.application_id, S.c.expert_id, S.c.total, S.c.comment, S.c.source)
                         .where(S.c.round_id == round_id).order_by(S.c.id)).all()
        items: dict[int, dict[str, float]] = {}
        for sid, key, points in s.execute(select(I.c.score_id, I.c.item_key, I.c.points)
                                          .join(S, S.c.id == I.c.score_id).where(S.c.round_id == round_id)
                                          .order_by(I.c.id)):
            got = items.get(sid)
            if got is None:
                got = items[sid] = {}
            got[key] = points
    details = {(a, e): ScoreDetail(total, items.get(sid, {}), comment, source)
               for sid, a, e, total, comment, source in rows}
    records = [scoring.ScoreRecord(a, e, d.total, d.items) for (a, e), d in details.items()]
    aggs = scoring.aggregate(records, method, rnd.threshold_range, rnd.threshold_sd, info.template,
                             [a.id for a in info.applications])
    scored_experts = {e for _, e in details}
    experts = [x.expert for x in info.experts if x.expert.id in scored_experts]
    return Summary(info, method, aggs, experts, details)
