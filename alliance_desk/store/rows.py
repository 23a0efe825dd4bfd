"""An exchange-format document turned into table rows: the values of the `applications` row and
of its children, and the checks that refuse what the database cannot keep (NUL characters and
out-of-range integers; on PostgreSQL, texts longer than their VARCHAR). Also the pause of the
cyclic garbage collector used while many rows are turned into dicts or back.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from db import models as m

from alliance_desk import exchange
from alliance_desk.rules import uscc as uscc_mod
from alliance_desk.store.errors import StoreError


SQLITE_INT_MAX = 2**63 - 1


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


# one verdict per member USCC as stored with the rows (its fast path lives in rules.uscc)
_uscc_verdict = uscc_mod.problem


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


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
