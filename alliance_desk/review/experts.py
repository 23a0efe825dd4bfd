"""The expert pool: adding, editing and listing experts, and matching an expert's field.
"""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select

from alliance_desk.rules import uscc as uscc_mod
from alliance_desk.store import audit
from db import models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import ExpertInfo, ReviewError, _clean, _norm


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
