"""The lean reader behind checking every application: each table read once as plain rows, only
the member fields some rule reads, documents built for reading (equal JSON values shared).
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Iterator

from sqlalchemy import JSON, Boolean, select
from sqlalchemy.orm import Session

from db import models as m

from alliance_desk.rules.packs import all_packs
from alliance_desk.store.documents import _app_document
from alliance_desk.store.rows import MEMBER_SCALARS, _gc_paused
from db.session import unit_of_work


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


def iter_check_inputs(db) -> Iterator[tuple[dict, list]]:
    """(document, stored USCC verdicts) for every application, reading only what rules need.

    Lean on purpose: checking all applications must stay fast at 5,000 applications and
    150,000 member units, so each table is read once, in order, without per-value processing.
    Equal JSON values are decoded once and shared: the documents are for reading only.
    `iter_documents` is the full-fidelity reader for exports."""
    with unit_of_work(db) as session:
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
