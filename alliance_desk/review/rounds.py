"""Review rounds: creating and editing a round, its applications and its experts (primary or
reserve), and the internal lookups (round row, template, application names) the other modules share.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from alliance_desk.review import scoring
from alliance_desk.rules.packs import PackError, get_pack
from alliance_desk.store import audit
from db import models as m, models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import AppRef, DEFAULT_THRESHOLD_RANGE, ROLE_LABELS, ROLE_PRIMARY, ROLE_RESERVE, ReviewError, RoundExpert, RoundInfo, _clean, _now
from alliance_desk.review.experts import _expert_info


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
