"""Stored applications read back as exchange-format documents through the ORM: one application
(`get_document`, `to_document`, the editor's `load_draft`) in canonical key order. The
application-level part (`_app_document`) is shared with the lean readers (docread.py for exports
and snapshots, checkinputs.py for checking everything).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from db import models as m
from db.session import Database, unit_of_work

from alliance_desk import exchange
from alliance_desk.store.errors import StoreError
from alliance_desk.store.rows import MEMBER_SCALARS, SYSTEM_KEYS, _iso


# ------------------------------------------------------------------ rows -> dict (schema key order)

def _put(d: dict, key: str, value) -> None:
    if value is not None:
        d[key] = value


def _put_all(d: dict, **values) -> dict:
    """`d` with each of `values` that is not None added, in the order given (schema key order)."""
    for key, value in values.items():
        _put(d, key, value)
    return d


def _num(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _app_document(app, agreement, systems) -> dict:
    """The application-level part of a document; members, office holders and materials are
    appended by the caller (full or lean reader)."""
    d: dict = {"format": exchange.FORMAT_ID, "id": app.id, "region": app.region}
    _put(d, "call", app.call_id)
    d["name"] = app.name
    d["industry"] = app.industry
    _put(d, "tier_requested", app.tier_requested)
    _put(d, "previously_pilot", app.previously_pilot)
    _put(d, "provincial_recognized", app.provincial_recognized)
    _put(d, "provincial_recognized_on", _iso(app.provincial_recognized_on))
    d["county"] = app.county
    _put(d, "established_on", _iso(app.established_on))
    d["submitted_at"] = app.submitted_at
    _put(d, "goals", app.goals)
    _put(d, "research_directions", app.research_directions)
    _put(d, "investment_wan", _num(app.investment_wan))
    _put(d, "tech_staff_total", app.tech_staff_total)
    _put(d, "cooperation_results", app.cooperation_results)
    _put(d, "materials_sealed_by_all", app.materials_sealed_by_all)
    _put(d, "contact", app.contact)
    d["members"] = []

    org: dict = {"council": [], "expert_committee": []}
    if app.secretariat_present:
        org["secretariat"] = _put_all({}, address=app.secretariat_address,
                                      in_lead_unit=app.secretariat_in_lead_unit,
                                      full_time_staff=app.secretariat_full_time_staff,
                                      office_area_m2=_num(app.secretariat_office_area_m2))
    else:
        org["secretariat"] = None
    _put(org, "external_liability_body", app.external_liability_body)
    _put(org, "legal_entity_registered", app.legal_entity_registered)
    d["organization"] = org

    ag: dict = {"signed_on": _iso(agreement.signed_on)}
    _put(ag, "effective_on", _iso(agreement.effective_on))
    ag["expires_on"] = _iso(agreement.expires_on)
    ag["signed_by_legal_reps"] = agreement.signed_by_legal_reps
    ag["sealed"] = agreement.sealed
    for k in ("innovation_goals", "task_division", "ip_terms", "breach_terms"):
        _put(ag, k, getattr(agreement, k))
    d["agreement"] = ag
    sysd: dict = {}
    for k in SYSTEM_KEYS:
        _put(sysd, k, getattr(systems, k))
    d["systems"] = sysd
    if app.materials_listed:
        d["materials"] = []
    if app.recommendation_present:
        d["recommendation"] = _put_all({}, recommended=app.recommended, opinion=app.recommendation_opinion,
                                       by=app.recommendation_by, on=_iso(app.recommendation_on))
    return d


def _doc_from_parts(app, agreement, systems, members, platforms_by_member, holders, materials) -> dict:
    d = _app_document(app, agreement, systems)
    for mem in members:
        md: dict = {}
        for k in MEMBER_SCALARS:
            v = getattr(mem, k)
            _put(md, k, _num(v) if k in ("revenue_wan", "rd_spend_wan") else v)
        if mem.platforms_listed:
            pls = []
            for p in platforms_by_member.get(mem.id, []):
                pd = {"name": p.name, "level": p.level}
                _put(pd, "kind", p.kind)
                _put(pd, "approved_by", p.approved_by)
                _put(pd, "approved_on", _iso(p.approved_on))
                pls.append(pd)
            md["platforms"] = pls
        d["members"].append(md)
    for h in holders:
        hd = {"name": h.name, "unit": h.unit}
        _put(hd, "title", h.title)
        hd["role"] = h.role
        _put(hd, "phone", h.phone)
        _put(hd, "email", h.email)
        d["organization"][h.body].append(hd)
    for x in materials:
        xd = {"code": x.code, "received": x.received}
        _put(xd, "copies", x.copies)
        _put(xd, "note", x.note)
        d["materials"].append(xd)
    return exchange.canonical(d)  # schema key order, e.g. `platforms` inside each member


def to_document(app: m.Application) -> dict:
    """One stored application as an exchange-format dict (canonical key order)."""
    return _doc_from_parts(app, app.agreement, app.systems, app.members,
                           {mem.id: mem.platforms for mem in app.members},
                           app.office_holders, app.materials)


_DOCUMENT_LOAD = (selectinload(m.Application.members).selectinload(m.Member.platforms),
                  selectinload(m.Application.office_holders), selectinload(m.Application.materials),
                  selectinload(m.Application.agreement), selectinload(m.Application.systems))


def get_document(db, app_id: str) -> dict:
    # children in one query per table, not one per member's platforms (reviews read many documents)
    with unit_of_work(db) as session:
        app = session.get(m.Application, app_id, options=_DOCUMENT_LOAD)
        if app is None:
            raise StoreError(f"没有 id 为 {app_id} 的申报")
        return to_document(app)


def export_json(db: Database, app_id: str) -> str:
    with unit_of_work(db) as s:
        return exchange.dumps(get_document(s, app_id))


@dataclass
class Draft:
    """An application as the editor holds it: the document plus what was typed but is not yet valid."""
    doc: dict
    invalid: dict[str, str]
    version: int


def load_draft(db, app_id: str) -> Draft:
    with unit_of_work(db) as session:
        app = session.get(m.Application, app_id)
        if app is None:
            raise StoreError(f"没有 id 为 {app_id} 的申报")
        return Draft(to_document(app), dict(app.drafts or {}), app.version)


def count_applications(db) -> int:
    with unit_of_work(db) as session:
        return session.scalar(select(func.count()).select_from(m.Application)) or 0
