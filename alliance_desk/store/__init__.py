"""Store services: applications in and out of the database, checks with stored calls and confirmations.

Everything here takes a `db.session.Database` (or a Session) from the caller; nothing is global.
"""
from __future__ import annotations

import gc
import json
import re
from contextlib import contextmanager
from types import SimpleNamespace
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

from sqlalchemy import JSON, Boolean, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from db import models as m
from db.session import Database, unit_of_work

from alliance_desk import exchange
from alliance_desk.store import audit
from alliance_desk.rules import uscc as uscc_mod
from alliance_desk.rules.engine import OUTCOME_MET, OUTCOME_NOT_MET, CheckResult, Confirmation, evaluate
from alliance_desk.rules.packs import Call, all_packs, get_pack

SQLITE_INT_MAX = 2**63 - 1


class StoreError(ValueError):
    """A refused store operation; the message is Chinese and says what and where."""


# ------------------------------------------------------------------ dict -> rows

def _d(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | str | None) -> str | None:
    if isinstance(value, str):  # raw SQLite read: already ISO text
        return value
    return value.isoformat() if value else None


def _is_bad(node, nul_allowed: bool) -> bool:
    """Whether `node` holds a value the database cannot keep (no paths: the fast first pass)."""
    t = type(node)
    if t is str:
        return not nul_allowed and "\x00" in node
    if t is int:
        return node > SQLITE_INT_MAX or node < -SQLITE_INT_MAX
    if t is dict:
        for k, v in node.items():
            if _is_bad(v, nul_allowed) or (not nul_allowed and "\x00" in k):
                return True
    elif t is list:
        for v in node:
            if _is_bad(v, nul_allowed):
                return True
    return False


def _check_storable(doc: dict, source: str, nul_allowed: bool) -> None:
    """Refuse values the database cannot keep, naming the JSON path: integers beyond 64 bits (SQLite
    and PostgreSQL alike; the schema has no upper bound) and, on PostgreSQL, text containing the NUL
    character U+0000 (PostgreSQL text cannot hold it; the exchange format allows it, SQLite keeps it).
    One fast pass over the document; the path is worked out only when something is wrong."""
    if not _is_bad(doc, nul_allowed):
        return

    def walk(node, path):
        if isinstance(node, bool):
            return
        if isinstance(node, int) and abs(node) > SQLITE_INT_MAX:
            raise StoreError(f"{source}{exchange.json_path(path)}: 数值 {node} 超出可存储的范围")
        if isinstance(node, str) and not nul_allowed and "\x00" in node:
            raise StoreError(f"{source}{exchange.json_path(path)}: 文本含有 NUL 字符（\\u0000），"
                             "PostgreSQL 数据库无法保存，请删除该字符后再保存")
        if isinstance(node, dict):
            for k, v in node.items():
                if not nul_allowed and "\x00" in k:
                    raise StoreError(f"{source}{exchange.json_path(path)}: 键名含有 NUL 字符（\\u0000），"
                                     "PostgreSQL 数据库无法保存")
                walk(v, path + [k])
        elif isinstance(node, list):
            for i, v in enumerate(node):
                walk(v, path + [i])
    walk(doc, [])


_USCC_FAST = re.compile(r"[0-9]{8}[0-9A-HJ-NP-RTUW-Y]{10}")
_USCC_VALUE = {c: i for i, c in enumerate("0123456789ABCDEFGHJKLMNPQRTUWXY")}
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_verdict(code) -> str | None:
    """uscc.problem(code), with a fast path for the common case of a well-formed valid code (an
    import of 150,000 member units spends seconds in python-stdnum otherwise). Only a code that is
    exactly 18 allowed characters with the right check character takes the fast path; anything
    else gets python-stdnum's verdict and message."""
    if type(code) is str and len(code) == 18 and _USCC_FAST.fullmatch(code):
        v = _USCC_VALUE
        total = sum(v[c] * w for c, w in zip(code, _USCC_WEIGHTS))
        if code[17] == "0123456789ABCDEFGHJKLMNPQRTUWXY"[(31 - total) % 31]:
            return None
    return uscc_mod.problem(code)


def _varchar_limits() -> tuple[dict, dict, dict, dict]:
    """Length limits of the VARCHAR columns that take document values (PostgreSQL enforces them;
    SQLite does not), keyed by document key: application, member, platform, office holder."""
    def lengths(model, keys):
        cols = model.__table__.c
        return {k: cols[k].type.length for k in keys if getattr(cols[k].type, "length", None)}
    return (lengths(m.Application, ("id", "region", "name", "tier_requested")),
            lengths(m.Member, ("kind", "role", "high_level_talent")),
            lengths(m.Platform, ("level",)),
            lengths(m.OfficeHolder, ("role",)))


_VARCHAR = _varchar_limits()


def _check_lengths(doc: dict, source: str) -> None:
    """On PostgreSQL: refuse a value longer than its column, naming the JSON path. The schema keeps
    valid documents within these limits (name ≤ 100 characters, enumerations); a draft may not be."""
    app_l, mem_l, plat_l, hold_l = _VARCHAR

    def check(node, limits, path):
        for k, limit in limits.items():
            v = node.get(k)
            if isinstance(v, str) and len(v) > limit:
                raise StoreError(f"{source}{exchange.json_path(path + [k])}: 长度 {len(v)} 超过数据库允许的 "
                                 f"{limit} 个字符")
    check(doc, app_l, [])
    for i, md in enumerate(doc.get("members") or ()):
        check(md, mem_l, ["members", i])
        for j, p in enumerate(md.get("platforms") or ()):
            check(p, plat_l, ["members", i, "platforms", j])
    org = doc.get("organization") or {}
    for body in ("council", "expert_committee"):
        for i, h in enumerate(org.get(body) or ()):
            check(h, hold_l, ["organization", body, i])


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector while building many small objects that form no cycles
    (150,000 member rows into dicts): its repeated full passes over them cost about a third of
    checking or importing 5,000 applications otherwise. Reference counting still frees everything."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _nul_allowed(session: Session) -> bool:
    return session.get_bind().dialect.name != "postgresql"


def _app_values(doc: dict) -> dict:
    """Column values of the `applications` row for `doc` (children are separate rows)."""
    org = doc["organization"]
    sec = org.get("secretariat")
    rec = doc.get("recommendation")
    sec_d, rec_d = sec or {}, rec or {}
    return {
        "region": doc["region"], "call_id": doc.get("call"), "name": doc["name"], "industry": doc["industry"],
        "county": doc["county"], "submitted_at": doc["submitted_at"], "tier_requested": doc.get("tier_requested"),
        "previously_pilot": doc.get("previously_pilot"), "provincial_recognized": doc.get("provincial_recognized"),
        "provincial_recognized_on": _d(doc.get("provincial_recognized_on")),
        "materials_sealed_by_all": doc.get("materials_sealed_by_all"),
        "established_on": _d(doc.get("established_on")), "goals": doc.get("goals"),
        "research_directions": doc.get("research_directions"), "investment_wan": doc.get("investment_wan"),
        "tech_staff_total": doc.get("tech_staff_total"), "cooperation_results": doc.get("cooperation_results"),
        "contact": doc.get("contact"), "materials_listed": "materials" in doc,
        "secretariat_present": sec is not None, "secretariat_address": sec_d.get("address"),
        "secretariat_in_lead_unit": sec_d.get("in_lead_unit"),
        "secretariat_full_time_staff": sec_d.get("full_time_staff"),
        "secretariat_office_area_m2": sec_d.get("office_area_m2"),
        "external_liability_body": org.get("external_liability_body"),
        "legal_entity_registered": org.get("legal_entity_registered"),
        "recommendation_present": rec is not None, "recommended": rec_d.get("recommended"),
        "recommendation_opinion": rec_d.get("opinion"), "recommendation_by": rec_d.get("by"),
        "recommendation_on": _d(rec_d.get("on")),
    }


class _Rows:
    """Child rows of many applications, written with one executemany per table.

    Member ids are reserved up front (see _reserve_ids) so that platforms can point at their member
    without an INSERT … RETURNING per application."""

    def __init__(self) -> None:
        self.agreements: list[dict] = []
        self.systems: list[dict] = []
        self.members: list[dict] = []
        self.platforms: list[tuple[int, dict]] = []  # (index into members, row without member_id)
        self.holders: list[dict] = []
        self.materials: list[dict] = []

    def add(self, app_id: str, doc: dict, verdicts: list) -> None:
        ag = doc["agreement"]
        self.agreements.append({
            "application_id": app_id, "signed_on": _d(ag.get("signed_on")),
            "effective_on": _d(ag.get("effective_on")), "expires_on": _d(ag.get("expires_on")),
            "signed_by_legal_reps": ag["signed_by_legal_reps"], "sealed": ag["sealed"],
            "innovation_goals": ag.get("innovation_goals"), "task_division": ag.get("task_division"),
            "ip_terms": ag.get("ip_terms"), "breach_terms": ag.get("breach_terms")})
        sysd = doc["systems"]
        self.systems.append({"application_id": app_id, **{k: sysd.get(k) for k in SYSTEM_KEYS}})
        for i, md in enumerate(doc["members"]):
            self.members.append({"application_id": app_id, "position": i, "platforms_listed": "platforms" in md,
                                 "uscc_error": verdicts[i], **{k: md.get(k) for k in MEMBER_SCALARS}})
            for j, p in enumerate(md.get("platforms") or ()):
                self.platforms.append((len(self.members) - 1, {
                    "position": j, "name": p["name"], "level": p["level"], "kind": p.get("kind"),
                    "approved_by": p.get("approved_by"), "approved_on": _d(p.get("approved_on"))}))
        org = doc["organization"]
        for body in ("council", "expert_committee"):
            for i, h in enumerate(org.get(body) or ()):
                self.holders.append({"application_id": app_id, "body": body, "position": i, "name": h["name"],
                                     "unit": h["unit"], "title": h.get("title"), "role": h["role"],
                                     "phone": h.get("phone"), "email": h.get("email")})
        for i, x in enumerate(doc.get("materials") or ()):
            self.materials.append({"application_id": app_id, "position": i, "code": x["code"],
                                   "received": x["received"], "copies": x.get("copies"), "note": x.get("note")})

    def write(self, session: Session) -> None:
        # Core tables, not ORM entities: plain executemany, no ORM bulk-insert bookkeeping
        for model, rows in ((m.Agreement, self.agreements), (m.Systems, self.systems)):
            if rows:
                session.execute(insert(model.__table__), rows)
        if self.members:
            M = m.Member.__table__
            ids = _reserve_ids(session, m.Member, len(self.members))
            if ids is None:  # a backend without a way to reserve ids: let it return them
                ids = session.scalars(insert(M).returning(M.c.id, sort_by_parameter_order=True),
                                      self.members).all()
            else:
                for row, id_ in zip(self.members, ids):
                    row["id"] = id_
                session.execute(insert(M), self.members)
            if self.platforms:
                session.execute(insert(m.Platform.__table__),
                                [{"member_id": ids[i], **row} for i, row in self.platforms])
        for model, rows in ((m.OfficeHolder, self.holders), (m.MaterialReceipt, self.materials)):
            if rows:
                session.execute(insert(model.__table__), rows)


def _reserve_ids(session: Session, model, n: int) -> list[int] | None:
    """n new primary keys for `model` inside the current write transaction.

    PostgreSQL: taken from the column's sequence (safe with other seats writing at the same time).
    SQLite: after the largest id — the caller has written in this transaction already, so it holds
    the database's write lock and nobody else can insert until it commits."""
    table = model.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return list(session.scalars(
            select(func.nextval(func.pg_get_serial_sequence(table.name, "id")))
            .select_from(func.generate_series(1, n))))
    if dialect == "sqlite":
        start = session.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar() + 1
        return list(range(start, start + n))
    return None


SYSTEM_KEYS = ("charter", "funding_management", "funding_supervision", "project_management", "confidentiality",
               "iur_cooperation", "council_rules", "rd_management", "open_membership", "results_diffusion",
               "operation_mechanism", "management_mechanism", "collaborative_innovation")
MEMBER_SCALARS = ("name", "uscc", "kind", "role", "in_region", "legal_rep", "address", "chain_segment",
                  "research_direction", "employees", "rd_staff", "senior_titles", "revenue_wan", "rd_spend_wan",
                  "enterprise_class", "projects_municipal_or_above", "high_level_talent", "integrity_ok", "contact")


# ------------------------------------------------------------------ rows -> dict (schema key order)

def _put(d: dict, key: str, value) -> None:
    if value is not None:
        d[key] = value


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
        sec: dict = {}
        _put(sec, "address", app.secretariat_address)
        _put(sec, "in_lead_unit", app.secretariat_in_lead_unit)
        _put(sec, "full_time_staff", app.secretariat_full_time_staff)
        _put(sec, "office_area_m2", _num(app.secretariat_office_area_m2))
        org["secretariat"] = sec
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
        rd: dict = {}
        _put(rd, "recommended", app.recommended)
        _put(rd, "opinion", app.recommendation_opinion)
        _put(rd, "by", app.recommendation_by)
        _put(rd, "on", _iso(app.recommendation_on))
        d["recommendation"] = rd
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


# ------------------------------------------------------------------ services

@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # suspected duplicates, one line per file

    def summary(self) -> str:
        return f"导入完成：新增 {len(self.created)} 份，更新 {len(self.updated)} 份"

    def lines(self) -> list[str]:
        return report_lines(self.summary(), self.created, self.updated, self.warnings)


def report_lines(summary: str, created: list[str], updated: list[str], warnings: list[str] = ()) -> list[str]:
    """An import's summary, then one line per application id, then the warnings, as the command
    line prints them."""
    return ([summary] + [f"新增 {i}" for i in created] + [f"更新 {i}" for i in updated]
            + [f"注意：{w}" for w in warnings])


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def ensure_calls(session: Session) -> None:
    """Every pack's calls exist in the database (the office may add more)."""
    existing = set(session.scalars(select(m.Call.id)))
    for pack in all_packs().values():
        for c in pack.calls:
            if c.id not in existing:
                session.add(m.Call(id=c.id, region=pack.id, name=c.name, deadline=c.deadline, note=c.note,
                                   county_deadline=c.county_deadline, from_pack=True))


def calls_for(session: Session, region: str) -> dict[str, Call]:
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


def judging_pack(session: Session, region: str, call_id: str | None, cache: dict | None = None):
    """The pack that judges an application of `region` in `call_id`: the call's pack version, else
    the shipped pack (see pack_versions.pack_for_call). `cache` (call id -> pack) spares lookups."""
    from alliance_desk.store.pack_versions import pack_for_call

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


def _confirmations(session: Session, app_id: str) -> dict[str, Confirmation]:
    rows = session.scalars(select(m.Confirmation).where(m.Confirmation.application_id == app_id))
    return {r.rule: Confirmation(r.rule, r.outcome, r.by, r.at.isoformat(timespec="minutes"), r.note or "")
            for r in rows}


def _refresh_summary(session: Session, app: m.Application, doc: dict | None = None) -> CheckResult:
    doc = doc or to_document(app)
    result = evaluate(doc, pack=judging_pack(session, app.region, app.call_id), calls=calls_for(session, app.region),
                      confirmations=_confirmations(session, app.id))
    app.n_fail = result.counts["fail"]
    app.n_warn = result.counts["warn"]
    app.n_manual = result.counts["manual"]
    app.eligible = result.eligible
    return result


def save_document(session: Session, doc: dict, source: str = "", calls: dict | None = None,
                  expected_version: int | None = None) -> bool:
    """Insert or update one application inside the caller's transaction. True if created.
    With `expected_version`, an existing application is only updated if it still has that version
    (else ConflictError)."""
    return save_documents(session, [(source, doc)], {doc["region"]: calls} if calls is not None else None,
                          expected_version=expected_version)[0]


IMPORT_BATCH = 500  # applications written per round of executemany statements


def save_documents(session: Session, items: list[tuple[str, dict]], calls: dict[str, dict] | None = None,
                   expected_version: int | None = None, *, action: str | None = None,
                   actor: str | None = None) -> list[bool]:
    """Insert or update applications (distinct ids) inside the caller's transaction; one flag per
    item, True if created. `source` (e.g. a file name) prefixes refusal messages.

    Written with Core executemany statements over all the items (not the ORM unit of work, not one
    round of statements per application): imports of thousands of applications are dominated by
    this function. An existing application's row is updated (version + 1) before its children are
    replaced, so on PostgreSQL a second seat saving the same application waits for the first and
    then replaces its children, never mixing the two."""
    if not items:
        return []
    calls = calls if calls is not None else {}
    nul_allowed = _nul_allowed(session)
    prepared = []
    for source, doc in items:
        prefix = f"{source}: " if source else ""
        _check_storable(doc, prefix, nul_allowed)
        if not nul_allowed:  # PostgreSQL
            _check_lengths(doc, prefix)
        get_pack(doc["region"])
        prepared.append((doc, [_uscc_verdict(md.get("uscc")) for md in doc["members"]]))
    A = m.Application.__table__
    ids = [doc["id"] for doc, _ in prepared]
    existing = dict(session.execute(select(A.c.id, A.c.version).where(A.c.id.in_(ids))).all())
    # the audit trail's "before": the stored documents being replaced (none on a fresh import)
    old_docs = audit.snapshots(session, list(existing))
    confs: dict[str, dict[str, Confirmation]] = {}
    if existing:
        for r in session.scalars(select(m.Confirmation).where(m.Confirmation.application_id.in_(list(existing)))):
            confs.setdefault(r.application_id, {})[r.rule] = Confirmation(
                r.rule, r.outcome, r.by, r.at.isoformat(timespec="minutes"), r.note or "")
    now = _now()
    new_rows, updates, children = [], [], _Rows()
    packs: dict = {}
    for doc, verdicts in prepared:
        region = doc["region"]
        if region not in calls:
            calls[region] = calls_for(session, region)
        result = evaluate(doc, pack=judging_pack(session, region, doc.get("call"), packs), calls=calls[region],
                          confirmations=confs.get(doc["id"]), uscc_problems=verdicts)
        values = _app_values(doc)
        values.update(updated_at=now, n_fail=result.counts["fail"], n_warn=result.counts["warn"],
                      n_manual=result.counts["manual"], eligible=result.eligible)
        if doc["id"] in existing:
            updates.append({"b_id": doc["id"], **values})
        else:
            new_rows.append({"id": doc["id"], "created_at": now, "version": 1, **values})
        children.add(doc["id"], doc, verdicts)
    if updates:
        stmt = update(A).where(A.c.id == bindparam("b_id")).values(version=A.c.version + 1)
        if expected_version is not None:
            if len(updates) != 1:
                raise ValueError("expected_version applies to one application at a time")
            res = session.execute(stmt.where(A.c.version == expected_version), updates)
            if res.rowcount != 1:
                raise ConflictError(f"「{doc['name']}」已被其他人修改（您打开的是版本 {expected_version}），"
                                    "请重新载入后再编辑")
        else:
            session.execute(stmt, updates)
        # the document is the whole truth about its children: replace them (platforms cascade)
        upd_ids = [u["b_id"] for u in updates]
        for model in (m.Member, m.OfficeHolder, m.MaterialReceipt, m.Agreement, m.Systems):
            t = model.__table__
            session.execute(delete(t).where(t.c.application_id.in_(upd_ids)))
    if new_rows:
        session.execute(insert(A), new_rows)
    children.write(session)
    session.expire_all()  # ORM objects loaded earlier in this session must not shadow the new rows
    trail = []  # the audit trail, same transaction
    for (source, _), (doc, _) in zip(items, prepared):
        change = audit.application_change(old_docs.get(doc["id"]), doc, source, imported=action == "import",
                                          version=existing.get(doc["id"]))
        if change is not None:
            trail.append((actor, action or ("update" if doc["id"] in existing else "create"), "application",
                          doc["id"], *change, None))
    audit.record_many(session, trail)
    return [doc["id"] not in existing for doc, _ in prepared]


class ConflictError(StoreError):
    """Someone else saved the application since it was opened (optimistic locking)."""


@dataclass
class Draft:
    """An application as the editor holds it: the document plus what was typed but is not yet valid."""
    doc: dict
    invalid: dict[str, str]
    version: int


def load_draft(session: Session, app_id: str) -> Draft:
    app = session.get(m.Application, app_id)
    if app is None:
        raise StoreError(f"没有 id 为 {app_id} 的申报")
    return Draft(to_document(app), dict(app.drafts or {}), app.version)


def save_draft(db: Database, doc: dict, invalid: dict[str, str] | None = None,
               expected_version: int | None = None) -> int:
    """Autosave from the editor, in one transaction. `doc` must have the right types but may break
    schema constraints (a draft); raw text that is not yet a valid value goes in `invalid`.
    Returns the new version; raises ConflictError if someone else saved in between.

    Optimistic locking that holds with several seats on one server: the transaction starts by
    claiming the application's row (a no-op UPDATE), so a second seat saving at the same moment waits
    for the first (PostgreSQL row lock; SQLite write lock) and then sees the version the first one
    wrote; the version is compared again in the UPDATE itself."""
    A = m.Application.__table__
    row = None
    try:
        with unit_of_work(db, write=True) as s:
            s.execute(update(A).where(A.c.id == doc["id"]).values(version=A.c.version))  # the claim
            row = s.execute(select(A.c.version, A.c.name).where(A.c.id == doc["id"])).first()
            if expected_version is not None and row is not None and row.version != expected_version:
                raise ConflictError(f"「{row.name}」已被其他人修改（版本 {row.version}，您打开的是版本 "
                                    f"{expected_version}），请重新载入后再编辑")
            ensure_calls(s)
            s.flush()
            save_documents(s, [("", doc)], expected_version=expected_version if row is not None else None)
            s.execute(update(A).where(A.c.id == doc["id"]).values(drafts=dict(invalid) if invalid else None))
            return s.execute(select(A.c.version).where(A.c.id == doc["id"])).scalar_one()
    except IntegrityError as exc:
        # another seat created an application with the same id at the same moment (PostgreSQL: the
        # new row had nothing to claim, so both inserted; the second hit the primary key)
        if row is None and _exists(db, doc["id"]):
            raise ConflictError(f"「{doc.get('name', doc['id'])}」已被其他人同时创建，请重新载入后再编辑") from exc
        raise


def _exists(db: Database, app_id: str) -> bool:
    with unit_of_work(db) as s:
        return s.get(m.Application, app_id) is not None


def delete_application(db: Database, app_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        app = s.get(m.Application, app_id)
        if app is None:
            raise StoreError(f"没有 id 为 {app_id} 的申报")
        audit.record(s, None, "delete", "application", app_id, {"document": to_document(app)}, None)
        s.delete(app)


def import_documents(db: Database, docs: Iterable[tuple[str, dict]]) -> ImportReport:
    """Import (source, doc) pairs in ONE transaction: all land or none do. A later pair with the
    same id as an earlier one updates it, as if they had been imported one after the other."""
    with _gc_paused(), unit_of_work(db, write=True) as s:
        return import_documents_in(s, docs)


def import_documents_in(s: Session, docs: Iterable[tuple[str, dict]]) -> ImportReport:
    """`import_documents` inside the caller's transaction (a package import adds its bookkeeping
    to the same transaction)."""
    from alliance_desk.store import duplicates

    report = ImportReport()
    docs = list(docs)
    ensure_calls(s)
    s.flush()
    latest = {d["id"]: (src, d) for src, d in docs}
    found = duplicates.for_documents(s, [d for _, d in latest.values()])
    report.warnings = duplicates.warning_lines(found, {i: d["name"] for i, (_, d) in latest.items()},
                                               {i: src for i, (src, _) in latest.items()})
    calls: dict[str, dict] = {}
    batch: list[tuple[str, dict]] = []
    ids: set[str] = set()

    def flush() -> None:
        for (_, doc), created in zip(batch, save_documents(s, batch, calls, action="import")):
            (report.created if created else report.updated).append(doc["id"])
        batch.clear()
        ids.clear()

    for source, doc in docs:
        if doc["id"] in ids or len(batch) >= IMPORT_BATCH:
            flush()
        batch.append((source, doc))
        ids.add(doc["id"])
    flush()
    return report


def import_files(db: Database, paths: Iterable[str | Path]) -> ImportReport:
    """Parse and validate every file first; then write them all in one transaction."""
    docs, problems, seen = [], [], {}
    with _gc_paused():
        for p in paths:
            try:
                doc = exchange.read_file(p)
            except exchange.ApplicationFormatError as exc:
                problems.extend(exc.problems)
                continue
            if doc["id"] in seen:
                problems.append(f"{p}: id {doc['id']} 与 {seen[doc['id']]} 重复")
                continue
            seen[doc["id"]] = str(p)
            docs.append((str(p), doc))
    if problems:
        raise exchange.ApplicationFormatError(problems)
    return import_documents(db, docs)


_DOCUMENT_LOAD = (selectinload(m.Application.members).selectinload(m.Member.platforms),
                  selectinload(m.Application.office_holders), selectinload(m.Application.materials),
                  selectinload(m.Application.agreement), selectinload(m.Application.systems))


def get_document(session: Session, app_id: str) -> dict:
    # children in one query per table, not one per member's platforms (reviews read many documents)
    app = session.get(m.Application, app_id, options=_DOCUMENT_LOAD)
    if app is None:
        raise StoreError(f"没有 id 为 {app_id} 的申报")
    return to_document(app)


def export_json(db: Database, app_id: str) -> str:
    with unit_of_work(db) as s:
        return exchange.dumps(get_document(s, app_id))


def iter_documents(session: Session, ids: list[str] | None = None, batch: int = 500) -> Iterator[dict]:
    """Stored applications as documents (in the order of `ids`, else by id), read from plain rows in
    batches (alliance_desk.store.docread: equal to `to_document`'s, without ORM objects per row)."""
    from alliance_desk.store import docread

    return docread.iter_documents(session, ids, batch)


def check_stored(session: Session, app_id: str) -> CheckResult:
    doc = get_document(session, app_id)
    return evaluate(doc, pack=judging_pack(session, doc["region"], doc.get("call")),
                    calls=calls_for(session, doc["region"]), confirmations=_confirmations(session, app_id))


def _raw_rows(conn, stmt) -> list[tuple]:
    """Plain DBAPI tuples for a parameterless SELECT: no Row objects, no result processing
    (booleans come back as 0/1 on SQLite, JSON as text; callers convert what they use)."""
    sql = str(stmt.compile(dialect=conn.dialect))
    cur = conn.connection.cursor()
    try:
        cur.execute(sql)
        return cur.fetchall()
    finally:
        cur.close()


def _raw_objects(conn, model, decode_json) -> list[SimpleNamespace]:
    """Every row of `model`'s table as attribute objects, converted just enough for `_app_document`
    (booleans and JSON decoded; dates stay ISO text on SQLite, which `_iso` accepts)."""
    table = model.__table__
    names = [c.key for c in table.columns]
    bools = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
    jsons = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
    out = []
    for row in _raw_rows(conn, select(table)):
        row = list(row)
        for i in bools:
            if row[i] is not None:
                row[i] = bool(row[i])
        for i in jsons:
            row[i] = decode_json(row[i])
        out.append(SimpleNamespace(**dict(zip(names, row))))
    return out


def _bool(v):
    return None if v is None else bool(v)


def _member_fields_for_rules() -> list[str]:
    """Member fields any loaded pack's rules read (all_members), besides those every kind uses."""
    needed = {"name", "uscc", "kind", "role", "in_region", "enterprise_class"}
    for pack in all_packs().values():
        for rule in pack.rules:
            checks = rule.params.get("checks", [rule.params]) if rule.kind == "all_of" else [rule.params]
            needed.update(c["field"] for c in checks if "field" in c and c["field"] in MEMBER_SCALARS)
    return [k for k in MEMBER_SCALARS if k in needed]


def iter_check_inputs(session: Session) -> Iterator[tuple[dict, list]]:
    """(document, stored USCC verdicts) for every application, reading only what rules need.

    Lean on purpose: checking all applications must stay fast at 5,000 applications and
    150,000 member units, so each table is read once, in order, without per-value processing.
    Equal JSON values are decoded once and shared: the documents are for reading only.
    `iter_documents` is the full-fidelity reader for exports."""
    with _gc_paused():
        docs, verdicts = _check_inputs(session)
    for app_id in sorted(docs):
        yield docs[app_id], verdicts[app_id]


def _check_inputs(session: Session) -> tuple[dict[str, dict], dict[str, list]]:
    conn = session.connection()
    M, P, H, X = (t.__table__.c for t in (m.Member, m.Platform, m.OfficeHolder, m.MaterialReceipt))
    fields = _member_fields_for_rules()
    bool_fields = {"in_region", "integrity_ok"}
    json_fields = {"enterprise_class", "contact"}
    decoded: dict[str, object] = {}

    def js(v):
        if not isinstance(v, str):
            return v
        if v not in decoded:
            decoded[v] = json.loads(v)
        return decoded[v]

    agreements = {a.application_id: a for a in _raw_objects(conn, m.Agreement, js)}
    systems = {x.application_id: x for x in _raw_objects(conn, m.Systems, js)}
    docs = {a.id: _app_document(a, agreements[a.id], systems[a.id]) for a in _raw_objects(conn, m.Application, js)}
    verdicts: dict[str, list] = {i: [] for i in docs}
    listed: dict[int, dict] = {}
    cols = [M.application_id, M.id, M.uscc_error, M.platforms_listed] + [getattr(M, f) for f in fields]
    n_fixed = 4
    bool_at = [(f, i) for i, f in enumerate(fields) if f in bool_fields]
    json_at = [(f, i) for i, f in enumerate(fields) if f in json_fields]
    current = None
    for row in _raw_rows(conn, select(*cols).order_by(M.application_id, M.position)):
        # None values stay in the dict: rules read members with .get(), so None == absent here
        values = row[n_fixed:]
        md = dict(zip(fields, values))
        for f, i in bool_at:
            if values[i] is not None:
                md[f] = bool(values[i])
        for f, i in json_at:
            md[f] = js(values[i])
        if row[3]:
            md["platforms"] = []
            listed[row[1]] = md
        if row[0] != current:  # rows come grouped by application
            current = row[0]
            app_members, app_verdicts = docs[current]["members"], verdicts[current]
        app_members.append(md)
        app_verdicts.append(row[2])
    for mid, name, level in _raw_rows(conn, select(P.member_id, P.name, P.level)
                                      .order_by(P.member_id, P.position)):
        if mid in listed:
            listed[mid]["platforms"].append({"name": name, "level": level})
    for app_id, body, name, unit, role in _raw_rows(conn, select(H.application_id, H.body, H.name, H.unit, H.role)
                                                    .order_by(H.application_id, H.body, H.position)):
        docs[app_id]["organization"][body].append({"name": name, "unit": unit, "role": role})
    for app_id, received, copies, code in _raw_rows(conn, select(X.application_id, X.received, X.copies, X.code)
                                                     .order_by(X.application_id, X.position)):
        x = {"code": code, "received": bool(received)}
        if copies is not None:
            x["copies"] = copies
        docs[app_id].setdefault("materials", []).append(x)
    session.expunge_all()
    return docs, verdicts


def check_all(session: Session) -> list[CheckResult]:
    """Judge every stored application with the stored calls and confirmations (by id). Only those
    changed since their stored verdict are judged again (alliance_desk.store.verdicts); commits the new
    verdicts."""
    from alliance_desk.store import verdicts

    return verdicts.check_all(session).results()


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


def count_applications(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(m.Application)) or 0
