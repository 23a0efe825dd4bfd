"""Duplicate applications: the same alliance entered twice.

Two applications are duplicates when, in the same region,
- their alliance names are equal once normalised (NFKC, so full-width letters, digits and
  brackets become half-width; all whitespace removed; case folded), or
- they are in the same call and their lead units have the same USCC.

The one entered first (created_at, then id) is the original; the other is the duplicate. Every
place that warns (editor and wizard save, JSON and package import, the list) and the guard that
refuses to publish the second one (exports/guard.py) ask this module, so they agree.

Cost: `find_all` is two queries and one pass over the rows (5,000 applications in a few
milliseconds); `for_document` uses the indexed name/USCC columns plus a pass over the region's
names, never N². No Qt.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable
from db.session import unit_of_work

BY_NAME = "name"
BY_LEAD_USCC = "lead_uscc"


def normalise_name(name: str | None) -> str:
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(text.split()).casefold()


@dataclass(frozen=True)
class Duplicate:
    application_id: str     # the application this finding is about
    other_id: str
    other_name: str
    by: str                 # BY_NAME | BY_LEAD_USCC
    other_first: bool       # the other one was entered first: this one is the duplicate

    def text(self) -> str:
        if self.by == BY_NAME:
            return f"与「{self.other_name}」名称相同"
        return f"牵头单位统一社会信用代码与同批次的「{self.other_name}」相同"


@dataclass(frozen=True, slots=True)
class _Entry:
    id: str
    name: str
    region: str
    call_id: str | None
    lead_uscc: str | None
    order: tuple


def _order(created_at: datetime | None, app_id: str) -> tuple:
    return (created_at or datetime.max, app_id)


def _lead_of(doc: dict) -> dict | None:
    members = doc.get("members") or []
    return next((mm for mm in members if mm.get("role") == "lead"), None)


def _entry_of(doc: dict, order: tuple) -> _Entry:
    lead = _lead_of(doc) or {}
    return _Entry(doc["id"], doc.get("name") or "", doc.get("region") or "", doc.get("call_id"),
                  lead.get("uscc"), order)


def _pairs(entries: Iterable[_Entry]) -> dict[str, list[Duplicate]]:
    """One pass: group by name key and by lead-USCC key; each member of a group meets the others."""
    groups: dict[tuple, list[_Entry]] = {}
    for e in entries:
        groups.setdefault((BY_NAME, e.region, normalise_name(e.name)), []).append(e)
        code = (e.lead_uscc or "").strip().upper()
        if code:
            groups.setdefault((BY_LEAD_USCC, e.region, e.call_id or "", code), []).append(e)
    out: dict[str, list[Duplicate]] = {}
    for key, group in groups.items():
        if len(group) < 2:
            continue
        group.sort(key=lambda e: e.order)
        first = group[0]
        for e in group[1:]:
            out.setdefault(e.id, []).append(Duplicate(e.id, first.id, first.name, key[0], True))
            out.setdefault(first.id, []).append(Duplicate(first.id, e.id, e.name, key[0], False))
    for found in out.values():  # a pair found by name and by USCC is one finding
        seen: set[str] = set()
        found[:] = [d for d in found if not (d.other_id in seen or seen.add(d.other_id))]
    return out


def _stored_entries(session, region: str | None = None, ids: Iterable[str] | None = None) -> list[_Entry]:
    from sqlalchemy import select

    from db import models as m

    a, mem = m.Application.__table__, m.Member.__table__
    q = select(a.c.id, a.c.name, a.c.region, a.c.call_id, a.c.created_at)
    if region is not None:
        q = q.where(a.c.region == region)
    if ids is not None:
        q = q.where(a.c.id.in_(list(ids)))
    rows = session.execute(q).all()
    lq = select(mem.c.application_id, mem.c.uscc).where(mem.c.role == "lead")
    if region is not None:
        lq = lq.where(mem.c.application_id.in_(select(a.c.id).where(a.c.region == region)))
    if ids is not None:
        lq = lq.where(mem.c.application_id.in_(list(ids)))
    leads: dict[str, str] = {}
    for app_id, code in session.execute(lq):
        leads.setdefault(app_id, code)
    return [_Entry(r.id, r.name, r.region, r.call_id, leads.get(r.id), _order(r.created_at, r.id)) for r in rows]


def find_among(rows: Iterable[tuple]) -> dict[str, list[Duplicate]]:
    """`find_all` over rows already read: (id, name, region, call_id, lead_uscc, created_at) each."""
    return _pairs(_Entry(i, n, r, c, u, _order(at, i)) for i, n, r, c, u, at in rows)


def find_all(db, region: str | None = None) -> dict[str, list[Duplicate]]:
    """Every stored application that has a duplicate -> its findings (two queries, one pass)."""
    with unit_of_work(db) as session:
        return _pairs(_stored_entries(session, region))


def _candidates(session, me: _Entry) -> list[_Entry]:
    """Stored applications that could match `me`: same region and normalised name (compared in
    Python over the region's names, one column), or same lead USCC (indexed)."""
    from sqlalchemy import select

    from db import models as m

    a, mem = m.Application.__table__, m.Member.__table__
    key = normalise_name(me.name)
    ids = {r.id for r in session.execute(select(a.c.id, a.c.name).where(a.c.region == me.region))
           if normalise_name(r.name) == key}
    code = (me.lead_uscc or "").strip().upper()
    if code:
        q = (select(mem.c.application_id).join(a, a.c.id == mem.c.application_id)
             .where(mem.c.role == "lead", mem.c.uscc == code, a.c.region == me.region))
        ids.update(session.scalars(q))
    ids.discard(me.id)
    return _stored_entries(session, ids=ids) if ids else []


def _for_entry(session, me: _Entry) -> list[Duplicate]:
    return _pairs([me] + _candidates(session, me)).get(me.id, [])


def for_document(db, doc: dict) -> list[Duplicate]:
    """What `doc` (saved or about to be saved) duplicates among the stored applications."""
    with unit_of_work(db) as session:
        from sqlalchemy import select

        from db import models as m

        created = session.scalar(select(m.Application.created_at).where(m.Application.id == doc["id"]))
        # an unsaved document is entered after everything stored
        return _for_entry(session, _entry_of(doc, _order(created, doc["id"]) if created else (datetime.max, "\uffff")))


def for_row(db, app_id: str, name: str, region: str, call_id: str | None, lead_uscc: str | None,
            created_at: datetime | None) -> list[Duplicate]:
    """`for_document` for a stored application whose list row is at hand."""
    with unit_of_work(db) as session:
        return _for_entry(session, _Entry(app_id, name, region, call_id, lead_uscc, _order(created_at, app_id)))


def for_documents(db, docs: list[dict]) -> dict[str, list[Duplicate]]:
    """Findings for a batch about to be imported: against the stored applications of the batch's
    regions and within the batch, in one pass (a document already stored under the same id is the
    same application, not a duplicate)."""
    with unit_of_work(db) as session:
        entries: dict[str, _Entry] = {}
        for region in {d.get("region") or "" for d in docs}:
            for e in _stored_entries(session, region):
                entries[e.id] = e
        for n, d in enumerate(docs):
            stored = entries.get(d["id"])
            # a new document is entered after everything stored, in the batch's order
            entries[d["id"]] = _entry_of(d, stored.order if stored else (datetime.max, f"{n:08d}"))
        wanted = {d["id"] for d in docs}
        return {k: v for k, v in _pairs(entries.values()).items() if k in wanted}


def warning_lines(findings: dict[str, list[Duplicate]], names: dict[str, str],
                  sources: dict[str, str] | None = None) -> list[str]:
    """One Chinese line per application with a duplicate, in the order of `names` (the files' order)."""
    lines = []
    for app_id in [i for i in names if i in findings] + [i for i in findings if i not in names]:
        found = findings[app_id]
        where = f"{sources[app_id]}：" if sources and sources.get(app_id) else ""
        lines.append(f"{where}「{names.get(app_id, app_id)}」疑似重复申报：" + "；".join(d.text() for d in found))
    return lines


def later_duplicates(db, ids: list[str]) -> dict[str, list[Duplicate]]:
    """Of `ids`, those entered after an application they duplicate -> the findings naming the
    earlier one (what the publishing guard refuses)."""
    with unit_of_work(db) as session:
        if not ids:
            return {}
        from sqlalchemy import select

        from db import models as m

        docs_region = set(session.scalars(select(m.Application.region).where(m.Application.id.in_(ids))))
        out: dict[str, list[Duplicate]] = {}
        wanted = set(ids)
        for region in docs_region:
            for app_id, found in find_all(session, region).items():
                later = [d for d in found if d.other_first]
                if app_id in wanted and later:
                    out[app_id] = later
        return out
