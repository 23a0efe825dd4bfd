"""Conflicts of interest: detecting them from the application document (member units, council
and expert-committee holders), keeping the stored conflicts in step with the round, and declared
conflicts. Detection runs again only when something it reads changed (a fingerprint per round).
"""
from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass
from typing import Any, Mapping

from sqlalchemy import String, bindparam, delete, insert, select, type_coerce, update
from sqlalchemy.orm import Session

from db import models as m, models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import ConflictInfo, ExpertInfo, ReviewError, _clean, _norm, _now
from alliance_desk.review.rounds import _round, _round_apps, _round_experts


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
