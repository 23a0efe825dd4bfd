"""Stored applications as exchange-format documents, read straight from plain Core rows.

`store.to_document` builds one document from ORM objects and then puts it into schema key order
with `exchange.canonical` (a recursive walk). That is right for one application and far too slow
for an export of 10,000 or a check of thousands: ORM identity bookkeeping for ~30 member rows per
application and millions of recursive calls. Here each table is read once per batch as plain DBAPI
tuples, in (application, position) order, and every dict is built directly in schema key order, so
the documents equal `store.to_document`'s — key order included (tests/test_docread.py holds the two
to each other on SQLite and PostgreSQL). Nothing is reordered afterwards except person objects
(`contact`), which are stored as the caller gave them.

Equal JSON texts in one read are decoded once and shared between documents: documents from here
are for reading (exports, packages, checks, audit snapshots); copy a JSON-valued leaf before
changing it.
"""
from __future__ import annotations

import json
from types import SimpleNamespace
from typing import Iterable, Iterator

from sqlalchemy import Boolean, JSON, select
from sqlalchemy.orm import Session

from db import models as m

from alliance_desk import exchange
from alliance_desk.store.documents import _app_document  # the application-level part, shared
from db.session import unit_of_work

#: applications per batch: keeps each IN list well under SQLite's and psycopg's parameter limits
BATCH = 900

_PERSON_KEYS = tuple(exchange.schema()["$defs"]["person"]["properties"])


def _person(value):
    """A `person` object in schema key order (stored as given); other values unchanged."""
    if type(value) is not dict:
        return value
    keys = [k for k in _PERSON_KEYS if k in value]
    if len(keys) == len(value) and list(value) == keys:
        return value
    out = {k: value[k] for k in keys}
    for k in value:  # never drop data, as exchange.canonical does not
        out.setdefault(k, value[k])
    return out


def _execute(conn, stmt) -> list[tuple]:
    """Plain DBAPI tuples for `stmt` (bound parameters included): no Row objects, no result
    processing — booleans come back as 0/1 and JSON and dates as text on SQLite."""
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup)
    cur = conn.connection.cursor()
    try:
        cur.execute(str(compiled), params)
        return cur.fetchall()
    finally:
        cur.close()


class _Decoder:
    """Turns raw column values into document values for one dialect."""

    def __init__(self, conn) -> None:
        self.text_json = conn.dialect.name == "sqlite"  # psycopg decodes json columns itself
        self._decoded: dict[str, object] = {}

    def js(self, v):
        if v is None or not self.text_json:
            return v
        d = self._decoded
        out = d.get(v)
        if out is None and v not in d:
            out = d[v] = json.loads(v)
        return out

    def objects(self, conn, table, where) -> list[SimpleNamespace]:
        """Rows of `table` matching `where` as attribute objects, for `store._app_document`."""
        names = [c.key for c in table.columns]
        bools = [i for i, c in enumerate(table.columns) if isinstance(c.type, Boolean)]
        jsons = [i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)]
        out = []
        for row in _execute(conn, select(table).where(where)):
            row = list(row)
            for i in bools:
                if row[i] is not None:
                    row[i] = bool(row[i])
            for i in jsons:
                row[i] = _person(self.js(row[i]))
            out.append(SimpleNamespace(**dict(zip(names, row))))
        return out


def _num(v):
    return int(v) if type(v) is float and v.is_integer() else v


def _iso(v):
    return v if v is None or type(v) is str else v.isoformat()


# optional values stored as the document has them, in schema key order
_MEMBER_PLAIN = ("legal_rep", "address", "chain_segment", "research_direction", "employees", "rd_staff",
                 "senior_titles")
_MEMBER_AMOUNTS = ("revenue_wan", "rd_spend_wan")
_MEMBER_COUNTS = ("projects_municipal_or_above", "high_level_talent")
_PLATFORM_PLAIN = ("kind", "approved_by")

# member columns read, in schema key order; `platforms` goes in after enterprise_class
_MEMBER_HEAD = ("name", "uscc", "kind", "role", "in_region", *_MEMBER_PLAIN, *_MEMBER_AMOUNTS, "enterprise_class")
_MEMBER_TAIL = (*_MEMBER_COUNTS, "integrity_ok", "contact")


def _read_batch(conn, dec: _Decoder, where_app, where_child, uscc_out: dict | None = None) -> dict[str, dict]:
    """Documents of the applications selected by `where_app` (on applications) / `where_child` (the
    same selection on a child table's application_id), keyed by id. `uscc_out` receives each
    application's stored USCC verdicts, one per member (what `engine.evaluate` takes)."""
    A, G, S = m.Application.__table__, m.Agreement.__table__, m.Systems.__table__
    M, P, H, X = (t.__table__ for t in (m.Member, m.Platform, m.OfficeHolder, m.MaterialReceipt))
    agreements = {a.application_id: a for a in dec.objects(conn, G, where_child(G))}
    systems = {x.application_id: x for x in dec.objects(conn, S, where_child(S))}
    docs = {a.id: _app_document(a, agreements[a.id], systems[a.id]) for a in dec.objects(conn, A, where_app(A))}

    js = dec.js
    head = [M.c[k] for k in _MEMBER_HEAD]
    tail = [M.c[k] for k in _MEMBER_TAIL]
    listed: dict[int, list] = {}
    current, members, verdicts = None, None, None
    if uscc_out is not None:
        for app_id in docs:
            uscc_out[app_id] = []
    for row in _execute(conn, select(M.c.application_id, M.c.id, M.c.platforms_listed, M.c.uscc_error, *head,
                                     *tail).where(where_child(M)).order_by(M.c.application_id, M.c.position)):
        (app_id, mid, plat_listed, uscc_error, name, uscc, kind, role, in_region, legal_rep, address, chain_segment,
         research_direction, employees, rd_staff, senior_titles, revenue_wan, rd_spend_wan, enterprise_class,
         projects, talent, integrity_ok, contact) = row
        md = {"name": name, "uscc": uscc, "kind": kind, "role": role}
        if in_region is not None:
            md["in_region"] = bool(in_region)
        for k, v in zip(_MEMBER_PLAIN, (legal_rep, address, chain_segment, research_direction, employees,
                                        rd_staff, senior_titles)):
            if v is not None:
                md[k] = v
        for k, v in zip(_MEMBER_AMOUNTS, (revenue_wan, rd_spend_wan)):
            if v is not None:
                md[k] = _num(v)
        if enterprise_class is not None:
            md["enterprise_class"] = js(enterprise_class)
        if plat_listed:
            md["platforms"] = listed[mid] = []
        for k, v in zip(_MEMBER_COUNTS, (projects, talent)):
            if v is not None:
                md[k] = v
        if integrity_ok is not None:
            md["integrity_ok"] = bool(integrity_ok)
        if contact is not None:
            md["contact"] = _person(js(contact))
        if app_id != current:
            current, members = app_id, docs[app_id]["members"]
            verdicts = uscc_out[app_id] if uscc_out is not None else None
        members.append(md)
        if verdicts is not None:
            verdicts.append(uscc_error)
    if listed:
        ids = list(listed)
        for i in range(0, len(ids), BATCH):
            for mid, name, level, kind, by, on in _execute(conn, select(
                    P.c.member_id, P.c.name, P.c.level, P.c.kind, P.c.approved_by, P.c.approved_on)
                    .where(P.c.member_id.in_(ids[i:i + BATCH])).order_by(P.c.member_id, P.c.position)):
                pd = {"name": name, "level": level}
                for k, v in zip(_PLATFORM_PLAIN, (kind, by)):
                    if v is not None:
                        pd[k] = v
                if on is not None:
                    pd["approved_on"] = _iso(on)
                listed[mid].append(pd)
    for app_id, body, name, unit, title, role, phone, email in _execute(conn, select(
            H.c.application_id, H.c.body, H.c.name, H.c.unit, H.c.title, H.c.role, H.c.phone, H.c.email)
            .where(where_child(H)).order_by(H.c.application_id, H.c.body, H.c.position)):
        hd = {"name": name, "unit": unit}
        if title is not None:
            hd["title"] = title
        hd["role"] = role
        if phone is not None:
            hd["phone"] = phone
        if email is not None:
            hd["email"] = email
        docs[app_id]["organization"][body].append(hd)
    for app_id, code, received, copies, note in _execute(conn, select(
            X.c.application_id, X.c.code, X.c.received, X.c.copies, X.c.note)
            .where(where_child(X)).order_by(X.c.application_id, X.c.position)):
        xd = {"code": code, "received": bool(received)}
        if copies is not None:
            xd["copies"] = copies
        if note is not None:
            xd["note"] = note
        docs[app_id]["materials"].append(xd)
    return docs


def read_documents(db, ids: Iterable[str], uscc_out: dict | None = None) -> dict[str, dict]:
    """The stored applications among `ids` as documents, keyed by id (unknown ids are left out).
    `uscc_out`, when given, receives id -> the stored USCC verdict of each member."""
    with unit_of_work(db) as session:
        return dict(_iter_pairs(session, list(dict.fromkeys(ids)), uscc_out=uscc_out))


def iter_documents(db, ids: list[str] | None = None, batch: int = BATCH) -> Iterator[dict]:
    """Documents of `ids` in that order (unknown ids skipped), or of every application by id,
    read `batch` applications at a time."""
    with unit_of_work(db) as session:
        if ids is None:
            A = m.Application.__table__
            ids = [i for (i,) in _execute(session.connection(), select(A.c.id).order_by(A.c.id))]
        for _, doc in _iter_pairs(session, ids, batch):
            yield doc


def _iter_pairs(session: Session, ids: list[str], batch: int = BATCH,
                uscc_out: dict | None = None) -> Iterator[tuple[str, dict]]:
    conn = session.connection()
    batch = max(1, min(batch, BATCH))
    for start in range(0, len(ids), batch):
        chunk = ids[start:start + batch]
        dec = _Decoder(conn)
        docs = _read_batch(conn, dec, lambda t: t.c.id.in_(chunk), lambda t: t.c.application_id.in_(chunk),
                           uscc_out)
        for app_id in chunk:
            doc = docs.get(app_id)
            if doc is not None:
                yield app_id, doc
