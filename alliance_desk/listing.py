"""Fast data for the application list: one row per application, a search index, filtering.

No Qt here. `load_rows` and `load_search_index` are each ONE SQLAlchemy Core query, so the list
screen opens thousands of applications without loading the ORM graph; `apply_filters` is pure
Python over the loaded rows (a few milliseconds for 5,000 applications).

SQLAlchemy and the models are imported inside the query functions: the GUI imports `Row`,
`Filters` and `apply_filters` while it paints its first window, before the database is open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Iterable, MutableMapping

from alliance_desk.search_index import SEP as _SEP
from alliance_desk.search_index import SearchIndex

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: status filter values (Filters.status)
STATUS_ELIGIBLE, STATUS_FAIL, STATUS_MANUAL, STATUS_WARN = "eligible", "fail", "manual", "warn"
STATUSES = (STATUS_ELIGIBLE, STATUS_FAIL, STATUS_MANUAL, STATUS_WARN)

#: rows the list shows first, before the whole list has been read
FIRST_PAGE = 200

# _SEP separates the parts of a search-index entry: a line break cannot be typed into the search
# box, so a search never matches across two member names.


@dataclass(slots=True)
class Row:
    id: str
    name: str
    region: str
    region_name: str
    call_id: str | None
    county: str
    industry: str
    lead_name: str
    member_count: int
    submitted_at: str
    stage: str | None
    n_fail: int
    n_warn: int
    n_manual: int
    eligible: bool
    updated_at: datetime | None
    duplicate: str = ""  # suspected duplicate of another application (duplicates.py), "" when none


@dataclass
class Filters:
    """What the list shows. None (or "") means "any"; `text` is matched case-insensitively against the
    alliance name, lead unit, every member name and every member USCC; whitespace-separated words must
    all match."""
    region: str | None = None
    call: str | None = None
    county: str | None = None
    industry: str | None = None
    status: str | None = None
    text: str = ""

    def is_empty(self) -> bool:
        return not (self.region or self.call or self.county or self.industry or self.status
                    or self.text.strip())


@dataclass
class Choices:
    """Distinct values for the filter combos, sorted."""
    regions: list[tuple[str, str]] = field(default_factory=list)  # (region id, Chinese name)
    calls: list[str] = field(default_factory=list)
    counties: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)


@lru_cache(maxsize=1)
def region_names() -> dict[str, str]:
    """Region id -> Chinese name (晋中市 …), from the `[pack]` table at the head of each region pack.
    Only that table is parsed: loading the packs (`rules.packs.all_packs`, every rule checked) would
    delay the list's first rows at start-up; tests/test_listing.py holds the two equal."""
    import tomllib

    from alliance_desk.paths import resource

    names = {}
    for path in sorted(resource("regions").glob("*.toml")):
        info = tomllib.loads(_pack_table(path.read_text(encoding="utf-8"))).get("pack", {})
        if "id" in info and "region_name" in info:
            names[info["id"]] = info["region_name"]
    return names


def _pack_table(text: str) -> str:
    """The `[pack]` table of a pack file's text, up to the next table."""
    start = text.find("[pack]")
    if start < 0:
        return ""
    end = text.find("\n[", start)
    return text[start:] if end < 0 else text[start:end]


def region_name(region: str) -> str:
    return region_names().get(region, region)


# ------------------------------------------------------------------ queries

def _rows_query():
    from sqlalchemy import and_, func, select

    from db import models as m

    a, mem = m.Application.__table__, m.Member.__table__
    lead = (select(mem.c.name).where(and_(mem.c.application_id == a.c.id, mem.c.role == "lead"))
            .order_by(mem.c.position).limit(1).correlate(a).scalar_subquery())
    lead_uscc = (select(mem.c.uscc).where(and_(mem.c.application_id == a.c.id, mem.c.role == "lead"))
                 .order_by(mem.c.position).limit(1).correlate(a).scalar_subquery())
    count = (select(func.count()).where(mem.c.application_id == a.c.id)
             .correlate(a).scalar_subquery())
    return (select(a.c.id, a.c.name, a.c.region, a.c.call_id, a.c.county, a.c.industry,
                   lead.label("lead_name"), count.label("member_count"), a.c.submitted_at, a.c.stage,
                   a.c.n_fail, a.c.n_warn, a.c.n_manual, a.c.eligible, a.c.updated_at,
                   lead_uscc.label("lead_uscc"), a.c.created_at)
            .select_from(a))


def _row(t, same=None) -> Row:
    # `same` (a dict) makes the few distinct regions, calls, counties, industries and stages one
    # string object each: a large list holds them once instead of once per row
    if same is None:
        region, call, county, industry, stage = t.region, t.call_id, t.county, t.industry, t.stage
    else:
        get = same.setdefault
        region, call, county, industry, stage = (get(t.region, t.region), get(t.call_id, t.call_id),
                                                 get(t.county, t.county), get(t.industry, t.industry),
                                                 get(t.stage, t.stage))
    return Row(t.id, t.name, region, region_name(region), call, county, industry,
               t.lead_name or "", t.member_count or 0, t.submitted_at, stage, t.n_fail or 0, t.n_warn or 0,
               t.n_manual or 0, bool(t.eligible), t.updated_at)


def load_rows(session: Session) -> list[Row]:
    """Every application as a list row (one query), newest submission first."""
    from db import models as m

    a = m.Application.__table__
    q = _rows_query().order_by(a.c.submitted_at.desc(), a.c.name)
    same: dict = {}
    rows, keys = [], []
    # one pass over the cursor, keeping only what the duplicate check needs besides the rows (not
    # every result row: at 50,000 applications that is tens of megabytes at the peak)
    for t in session.execute(q):
        row = _row(t, same)
        rows.append(row)
        keys.append((row.id, row.name, row.region, row.call_id, t.lead_uscc, t.created_at))
    _mark(rows, _dups().find_among(keys))
    return rows


def _dups():
    from alliance_desk.store import duplicates as module

    return module


def _mark(rows: list[Row], found: dict) -> None:
    for r in rows:
        if r.id in found:
            r.duplicate = "疑似重复申报：" + "；".join(d.text() for d in found[r.id])


def load_first_rows(session: Session, limit: int) -> list[Row]:
    """The first `limit` rows of `load_rows` (newest submission first), read through the list-order
    index without touching the other applications: what the list paints before the rest arrives."""
    from db import models as m

    a = m.Application.__table__
    q = _rows_query().order_by(a.c.submitted_at.desc(), a.c.name).limit(limit)
    return [_row(t) for t in session.execute(q)]


def refresh_row(session: Session, app_id: str) -> Row | None:
    """The row of one application after a save; None when it no longer exists."""
    from db import models as m

    a = m.Application.__table__
    t = session.execute(_rows_query().where(a.c.id == app_id)).first()
    if t is None:
        return None
    row = _row(t)
    found = _dups().for_row(session, t.id, t.name, t.region, t.call_id, t.lead_uscc, t.created_at)
    _mark([row], {t.id: found} if found else {})
    return row


def _index_query():
    from sqlalchemy import func, literal, select

    from db import models as m

    a, mem = m.Application.__table__, m.Member.__table__
    parts = func.aggregate_strings(mem.c.name + literal(_SEP) + mem.c.uscc, _SEP)
    return (select(a.c.id, a.c.name, parts.label("members"))
            .select_from(a.outerjoin(mem, mem.c.application_id == a.c.id))
            .group_by(a.c.id, a.c.name))


def load_search_index(session: Session, app_ids: Iterable[str] | None = None) -> SearchIndex:
    """Application id -> one lower-cased string: alliance name, every member name (the lead unit
    included) and every member USCC. One grouped query; `app_ids` limits it (after a save). The
    mapping keeps the entries in parts (search_index.py): half the memory, and faster to search."""
    from db import models as m

    q = _index_query()
    if app_ids is not None:
        ids = list(app_ids)
        if not ids:
            return SearchIndex()
        q = q.where(m.Application.__table__.c.id.in_(ids))
    return SearchIndex((t.id, (t.name + _SEP + (t.members or "")).lower()) for t in session.execute(q))


def refresh_index(session: Session, index: MutableMapping[str, str], app_id: str) -> None:
    """Update (or drop) one application's entry of `index` in place after a save or delete."""
    entry = load_search_index(session, [app_id])
    if app_id in entry:
        index[app_id] = entry[app_id]
    else:
        index.pop(app_id, None)


def call_names(session: Session) -> dict[str, str]:
    """Call id -> name for every call stored in the database (the packs' calls are stored on import)."""
    from sqlalchemy import select

    from db import models as m

    c = m.Call.__table__
    return {t.id: t.name for t in session.execute(select(c.c.id, c.c.name))}


# ------------------------------------------------------------------ filtering (pure Python)

def _words(text: str) -> list[str]:
    return text.lower().split()


def matches_status(row: Row, status: str | None) -> bool:
    if not status:
        return True
    if status == STATUS_ELIGIBLE:
        return row.n_fail == 0
    if status == STATUS_FAIL:
        return row.n_fail > 0
    if status == STATUS_MANUAL:
        return row.n_manual > 0
    if status == STATUS_WARN:
        return row.n_warn > 0
    raise ValueError(f"unknown status filter {status!r}")


def _name_and_lead(r: Row) -> str:
    return (r.name + _SEP + r.lead_name).lower()


def apply_filters(rows: list[Row], filters: Filters, index: MutableMapping[str, str] | None = None,
                  unsearched: set[str] | None = None) -> list[Row]:
    """The rows that pass every filter, in their given order.

    Without an index entry for a row (index still loading), text is matched against its name and
    lead unit only. `unsearched`: with a SearchIndex, its `unsearched` ids of `rows` (or of a larger
    list they come from), kept by a caller that filters the same rows again and again."""
    out = rows
    f = filters
    if f.region or f.call or f.county or f.industry:
        region, call, county, industry = f.region or None, f.call or None, f.county or None, f.industry or None
        out = [r for r in out
               if (region is None or r.region == region) and (call is None or r.call_id == call)
               and (county is None or r.county == county) and (industry is None or r.industry == industry)]
    if f.status:
        if f.status not in STATUSES:
            raise ValueError(f"unknown status filter {f.status!r}")
        out = [r for r in out if matches_status(r, f.status)]
    words = _words(f.text)
    if words:
        if isinstance(index, SearchIndex):
            if unsearched is None:
                unsearched = index.unsearched(r.id for r in out)
            for w in words:
                out = index.matching(out, w, _name_and_lead, unsearched)
            return out if out is not rows else list(rows)
        idx = index or {}
        get = idx.get
        for w in words:
            out = [r for r in out if w in (get(r.id) or _name_and_lead(r))]
    return out if out is not rows else list(rows)


def distinct_values(rows: Iterable[Row]) -> Choices:
    regions: dict[str, str] = {}
    calls, counties, industries = set(), set(), set()
    for r in rows:
        regions[r.region] = r.region_name
        if r.call_id:
            calls.add(r.call_id)
        if r.county:
            counties.add(r.county)
        if r.industry:
            industries.add(r.industry)
    return Choices(regions=sorted(regions.items()), calls=sorted(calls), counties=sorted(counties),
                   industries=sorted(industries))


# ------------------------------------------------------------------ conveniences taking the Database

def _unit_of_work(db):
    from db.session import unit_of_work  # here: importing the list must not import SQLAlchemy

    return unit_of_work(db)


def load_all(db) -> tuple[list[Row], SearchIndex]:
    """Rows and search index in one read transaction (two queries)."""
    with _unit_of_work(db) as s:
        return load_rows(s), load_search_index(s)


def load_first(db, limit: int) -> list[Row]:
    with _unit_of_work(db) as s:
        return load_first_rows(s, limit)


def load_list(db) -> list[Row]:
    with _unit_of_work(db) as s:
        return load_rows(s)


def load_index(db) -> SearchIndex:
    with _unit_of_work(db) as s:
        return load_search_index(s)


def refresh(db, app_id: str) -> tuple[Row | None, str | None]:
    """One application's row and index entry after a save (None, None once it is deleted)."""
    with _unit_of_work(db) as s:
        row = refresh_row(s, app_id)
        entry = load_search_index(s, [app_id]).get(app_id) if row is not None else None
    return row, entry


@dataclass
class Changes:
    """What other seats changed since the last look (`changes_since`)."""
    head: int                                             # pass back as `after` next time
    rows: dict[str, tuple[Row | None, str | None]] | None  # app id -> (row or None if deleted, index entry);
    #                                                       None: too much changed, reload the whole list
    versions: dict[str, int] = field(default_factory=dict)  # stored version of each changed application

    @property
    def any(self) -> bool:
        return self.rows is None or bool(self.rows)


#: audit entities without an application that still change what the list shows
_LIST_WIDE = {"call", "database"}


def changes_since(db, after: int | None) -> Changes:
    """The list rows of the applications changed after audit row `after` (see audit.changes_after),
    read in one short transaction. `after` None: only learn where the trail stands now."""
    from sqlalchemy import select

    from db import models as m

    from alliance_desk.store import audit

    with _unit_of_work(db) as s:
        head, changed = audit.changes_after(s, after)
        if after is None:
            return Changes(head, {})
        if changed is None or any(a is None and e in _LIST_WIDE for a, e in changed):
            return Changes(head, None)
        ids = list(dict.fromkeys(a for a, _ in changed if a is not None))
        rows = {i: (refresh_row(s, i), None) for i in ids}
        index = load_search_index(s, [i for i, (r, _) in rows.items() if r is not None]) if ids else {}
        rows = {i: (r, index.get(i)) for i, (r, _) in rows.items()}
        A = m.Application.__table__
        versions = dict(s.execute(select(A.c.id, A.c.version).where(A.c.id.in_(ids))).all()) if ids else {}
    return Changes(head, rows, versions)


def stored_call_names(db) -> dict[str, str]:
    with _unit_of_work(db) as s:
        return call_names(s)


def calls_for_region(db, region: str) -> list[tuple[str, str]]:
    """(call id, name) of a region's calls: the pack's and those the office added, newest id first."""
    from alliance_desk.store import calls_for

    with _unit_of_work(db) as s:
        calls = calls_for(s, region)
    return sorted(((c.id, c.name) for c in calls.values()), key=lambda t: t[0], reverse=True)


def suggestions_for_region(db, region: str) -> tuple[list[str], list[str]]:
    """(counties, industries) already used by a region's applications, for the new-application form."""
    from sqlalchemy import select

    from db import models as m

    a = m.Application.__table__
    with _unit_of_work(db) as s:
        pairs = s.execute(select(a.c.county, a.c.industry).where(a.c.region == region).distinct()).all()
    return sorted({c for c, _ in pairs if c}), sorted({i for _, i in pairs if i})
