"""What judges a stored application: the calls of its region (the packs' calls and the office's),
the pack of its call, and the persons' confirmations of manual items; the check of one stored
application, confirming and withdrawing a manual item, and the cached counts the list shows.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from db import models as m
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.rules.engine import OUTCOME_MET, OUTCOME_NOT_MET, CheckResult, Confirmation, evaluate
from alliance_desk.rules.packs import Call, all_packs, get_pack
from alliance_desk.store.documents import get_document, to_document
from alliance_desk.store.errors import StoreError
from alliance_desk.store.pack_revision import pack_for_call
from alliance_desk.store.rows import _now


def ensure_calls(db) -> None:
    """Every pack's calls exist in the database (the office may add more)."""
    with unit_of_work(db, write=True) as session:
        existing = set(session.scalars(select(m.Call.id)))
        for pack in all_packs().values():
            for c in pack.calls:
                if c.id not in existing:
                    session.add(m.Call(id=c.id, region=pack.id, name=c.name, deadline=c.deadline, note=c.note,
                                       county_deadline=c.county_deadline, from_pack=True))


def calls_for(db, region: str) -> dict[str, Call]:
    with unit_of_work(db) as session:
        rows = session.scalars(select(m.Call).where(m.Call.region == region))
        calls = {c.id: c for c in get_pack(region).calls}
        for r in rows:
            calls[r.id] = Call(r.id, r.region, r.name, r.deadline, r.note or "", county_deadline(r))
        return calls


def county_deadline(row: m.Call):
    """A call's deadline for the county to the city; a pack's call stored before its pack named one
    takes the pack's."""
    if row.county_deadline is None and row.from_pack:
        shipped = next((c for c in get_pack(row.region).calls if c.id == row.id), None)
        return shipped.county_deadline if shipped else None
    return row.county_deadline


def judging_pack(db, region: str, call_id: str | None, cache: dict | None = None):
    """The pack that judges an application of `region` in `call_id`: the call's pack version, else
    the shipped pack (see pack_versions.pack_for_call). `cache` (call id -> pack) spares lookups."""
    with unit_of_work(db) as session:
        if cache is None:
            return pack_for_call(session, region, call_id)
        key = (region, call_id)
        if key not in cache:
            cache[key] = pack_for_call(session, region, call_id)
        return cache[key]


def add_call(db: Database, region: str, call_id: str, name: str, deadline: datetime | None, note: str = "") -> None:
    get_pack(region)
    with unit_of_work(db, write=True) as s:
        if s.get(m.Call, call_id) is not None:
            raise StoreError(f"申报批次「{call_id}」已存在")
        s.add(m.Call(id=call_id, region=region, name=name, deadline=deadline, note=note, from_pack=False))
        # a call's deadline decides the deadline rule of every application in it
        audit.record(s, None, "add_call", "call", call_id, None,
                     {"region": region, "name": name, "deadline": deadline, "note": note})


def _confirmation(r: m.Confirmation) -> Confirmation:
    return Confirmation(r.rule, r.outcome, r.by, r.at.isoformat(timespec="minutes"), r.note or "")


def _confirmations(session: Session, app_id: str) -> dict[str, Confirmation]:
    rows = session.scalars(select(m.Confirmation).where(m.Confirmation.application_id == app_id))
    return {r.rule: _confirmation(r) for r in rows}


def confirmations_of(session: Session, app_ids: list[str]) -> dict[str, dict[str, Confirmation]]:
    """Application id -> rule -> confirmation, for many applications in a few queries."""
    out: dict[str, dict[str, Confirmation]] = {}
    ids = list(dict.fromkeys(app_ids))
    for i in range(0, len(ids), 500):
        for r in session.scalars(select(m.Confirmation).where(m.Confirmation.application_id.in_(ids[i:i + 500]))):
            out.setdefault(r.application_id, {})[r.rule] = _confirmation(r)
    return out


def _refresh_summary(session: Session, app: m.Application, doc: dict | None = None) -> CheckResult:
    doc = doc or to_document(app)
    result = evaluate(doc, pack=judging_pack(session, app.region, app.call_id), calls=calls_for(session, app.region),
                      confirmations=_confirmations(session, app.id))
    app.n_fail = result.counts["fail"]
    app.n_warn = result.counts["warn"]
    app.n_manual = result.counts["manual"]
    app.eligible = result.eligible
    return result


def check_stored(db, app_id: str) -> CheckResult:
    with unit_of_work(db) as session:
        doc = get_document(session, app_id)
        return evaluate(doc, pack=judging_pack(session, doc["region"], doc.get("call")),
                        calls=calls_for(session, doc["region"]), confirmations=_confirmations(session, app_id))


def confirm(db: Database, app_id: str, rule: str, outcome: str = OUTCOME_MET, by: str = "", note: str = "",
            at: datetime | None = None) -> CheckResult:
    """Record a person's judgement of a manual item; returns the new check result."""
    if outcome not in (OUTCOME_MET, OUTCOME_NOT_MET):
        raise StoreError(f"确认结果应为 {OUTCOME_MET} 或 {OUTCOME_NOT_MET}")
    if not by.strip():
        raise StoreError("请填写确认人")
    with unit_of_work(db, write=True) as s:
        app = s.get(m.Application, app_id)
        if app is None:
            raise StoreError(f"没有 id 为 {app_id} 的申报")
        pack = judging_pack(s, app.region, app.call_id)
        if not any(r.id == rule and r.kind == "manual" for r in pack.rules):
            raise StoreError(f"规则 {rule} 不是{pack.region_name}规则包中需人工确认的项目")
        row = s.scalar(select(m.Confirmation).where(m.Confirmation.application_id == app_id,
                                                    m.Confirmation.rule == rule))
        before = None if row is None else {"rule": row.rule, "outcome": row.outcome, "by": row.by, "note": row.note,
                                           "at": row.at}
        if row is None:
            row = m.Confirmation(application_id=app_id, rule=rule)
            s.add(row)
        row.outcome, row.by, row.note, row.at = outcome, by.strip(), note, at or _now()
        s.flush()
        audit.record(s, row.by, "confirm", "confirmation", f"{app_id}/{rule}", before,
                     {"rule": rule, "outcome": row.outcome, "by": row.by, "note": row.note, "at": row.at},
                     application_id=app_id)
        return _refresh_summary(s, app)


def unconfirm(db: Database, app_id: str, rule: str) -> CheckResult:
    with unit_of_work(db, write=True) as s:
        old = s.scalar(select(m.Confirmation).where(m.Confirmation.application_id == app_id,
                                                    m.Confirmation.rule == rule))
        if old is not None:
            audit.record(s, None, "unconfirm", "confirmation", f"{app_id}/{rule}",
                         {"rule": rule, "outcome": old.outcome, "by": old.by, "note": old.note, "at": old.at}, None,
                         application_id=app_id)
        s.execute(delete(m.Confirmation).where(m.Confirmation.application_id == app_id,
                                               m.Confirmation.rule == rule))
        app = s.get(m.Application, app_id)
        if app is None:
            raise StoreError(f"没有 id 为 {app_id} 的申报")
        return _refresh_summary(s, app)
