"""Calls (申报批次) an office opens, edits and closes, and the pack version that judges each.

A call is a notice's round: its year, the notice's document number and date, the applicants'
deadline (the deadline rule reads it), where the notice has one the county's deadline to the city,
and the publicity and decision dates once known. Every change is in the audit trail. A call with a
decided application is a record: it can be closed, not changed. No Qt.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import models as m
from db.models_lifecycle import Decision

from alliance_desk.store import audit
from alliance_desk.rules.packs import PackError, all_packs, get_pack
from alliance_desk.store.errors import StoreError
from alliance_desk.store.judging import _refresh_summary, ensure_calls
from alliance_desk.store.judging import county_deadline as _county_deadline
from alliance_desk.store.pack_revision import load_version, version_label
from db.session import unit_of_work

YEAR_MIN, YEAR_MAX = 2000, 2100
# fields an office may set on a call, in the order screens and the CLI show them
FIELDS = ("year", "name", "doc_no", "doc_date", "deadline", "county_deadline", "publicity_on", "decision_on",
          "note")


@dataclass(frozen=True)
class CallInfo:
    id: str
    region: str
    name: str
    year: int | None
    doc_no: str | None
    doc_date: date | None
    deadline: datetime | None
    county_deadline: datetime | None
    publicity_on: date | None
    decision_on: date | None
    note: str
    closed: bool
    from_pack: bool
    pack_version: str | None
    pack_label: str
    applications: int
    decided: int

    @property
    def is_open(self) -> bool:
        return not self.closed

    @property
    def editable(self) -> bool:
        return self.decided == 0


def _info(s: Session, row: m.Call, counts: dict, decided: dict) -> CallInfo:
    return CallInfo(row.id, row.region, row.name, row.year, row.doc_no, row.doc_date, row.deadline,
                    _county_deadline(row), row.publicity_on, row.decision_on, row.note or "", bool(row.closed),
                    bool(row.from_pack), row.pack_version, version_label(s, row.region, row.pack_version),
                    counts.get(row.id, 0), decided.get(row.id, 0))


def _sort_key(c: CallInfo):
    # open calls first, then the newest (year, deadline, id)
    return (c.closed, -(c.year or 0), -(c.deadline.timestamp() if c.deadline else 0), c.id)


def list_calls(db, region: str) -> list[CallInfo]:
    """A region's calls: open ones first, newest first."""
    pack = get_pack(region)
    with unit_of_work(db) as s:  # reads only: a read-only seat lists calls too
        A = m.Application
        counts = dict(s.execute(select(A.call_id, func.count()).where(A.region == region).group_by(A.call_id)).all())
        decided = dict(s.execute(select(A.call_id, func.count()).join(Decision, Decision.application_id == A.id)
                                 .where(A.region == region).group_by(A.call_id)).all())
        rows = list(s.scalars(select(m.Call).where(m.Call.region == region)))
        stored = {r.id for r in rows}
        # a pack's call not yet stored (ensure_calls adds it at the first write) is listed as the pack has it
        rows += [m.Call(id=c.id, region=region, name=c.name, deadline=c.deadline, note=c.note, from_pack=True,
                        county_deadline=c.county_deadline, closed=False) for c in pack.calls if c.id not in stored]
        return sorted((_info(s, r, counts, decided) for r in rows), key=_sort_key)


def get_call(db, call_id: str) -> CallInfo:
    with unit_of_work(db) as s:
        row = s.get(m.Call, call_id)
        region = row.region if row is not None else next(
            (p.id for p in all_packs().values() if any(c.id == call_id for c in p.calls)), None)
    if region is None:
        raise StoreError(f"没有申报批次「{call_id}」")
    return next(c for c in list_calls(db, region) if c.id == call_id)


def check_values(region: str, values: dict) -> None:
    """Refuse what cannot be right, naming the field (Chinese, as the clerk sees it)."""
    year = values.get("year")
    if year is not None and not (isinstance(year, int) and YEAR_MIN <= year <= YEAR_MAX):
        raise StoreError(f"年度应为 {YEAR_MIN}–{YEAR_MAX} 之间的年份（实际：{year}）")
    if "name" in values and not str(values["name"] or "").strip():
        raise StoreError("请填写申报批次名称")
    dl, cdl = values.get("deadline"), values.get("county_deadline")
    if dl is not None and cdl is not None and cdl < dl:
        raise StoreError(f"县区报送截止时间（{cdl:%Y-%m-%d %H:%M}）早于申报单位的截止时间（{dl:%Y-%m-%d %H:%M}）")
    doc_date = values.get("doc_date")
    if doc_date is not None and dl is not None and dl.date() < doc_date:
        raise StoreError(f"截止时间（{dl:%Y-%m-%d}）早于通知日期（{doc_date:%Y-%m-%d}）")
    pub, dec = values.get("publicity_on"), values.get("decision_on")
    if pub is not None and dec is not None and dec < pub:
        raise StoreError(f"决定日期（{dec:%Y-%m-%d}）早于公示日期（{pub:%Y-%m-%d}）")


def _new_id(s: Session, region: str, year: int | None) -> str:
    base = f"{region}-{year}" if year else f"{region}-call"
    taken = set(s.scalars(select(m.Call.id).where(m.Call.id.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _audit_values(values: dict) -> dict:
    return {k: values[k] for k in (*FIELDS, "pack_version") if k in values}


def add_call(db, region: str, *, name: str, year: int | None = None, deadline: datetime | None = None,
             doc_no: str | None = None, doc_date: date | None = None, county_deadline: datetime | None = None,
             publicity_on: date | None = None, decision_on: date | None = None, note: str = "",
             pack_version: str | None = None, call_id: str | None = None, by: str | None = None) -> CallInfo:
    """Open a new call for `region`; returns it. Its id is `<region>-<year>` unless given."""
    get_pack(region)
    values = {"year": year, "name": (name or "").strip(), "doc_no": (doc_no or "").strip() or None,
              "doc_date": doc_date, "deadline": deadline, "county_deadline": county_deadline,
              "publicity_on": publicity_on, "decision_on": decision_on, "note": note or ""}
    check_values(region, values)
    with unit_of_work(db, write=True) as s:
        ensure_calls(s)
        s.flush()
        if pack_version is not None:
            _check_version(s, region, pack_version)
        cid = (call_id or "").strip() or _new_id(s, region, year)
        if s.get(m.Call, cid) is not None:
            raise StoreError(f"申报批次「{cid}」已存在")
        s.add(m.Call(id=cid, region=region, from_pack=False, closed=False, pack_version=pack_version, **values))
        # a call's deadline decides the deadline rule of every application in it
        audit.record(s, by, "add_call", "call", cid, None, {"region": region, **_audit_values(values),
                                                            "pack_version": pack_version})
    return get_call(db, cid)


def _check_version(s: Session, region: str, version_id: str) -> None:
    from db.models_calls import PackVersion

    row = s.get(PackVersion, version_id)
    if row is None:
        raise StoreError(f"没有规则包版本「{version_id}」")
    if row.region != region:
        raise StoreError(f"规则包版本「{row.label}」属于{get_pack(row.region).region_name}，不能用于"
                         f"{get_pack(region).region_name}的申报批次")


def _locked(s: Session, row: m.Call) -> None:
    """A call with a decided application is a record: its dates and rules stay as they were."""
    n = s.scalar(select(func.count()).select_from(m.Application).join(Decision, Decision.application_id == m.Application.id)
                 .where(m.Application.call_id == row.id)) or 0
    if n:
        raise StoreError(f"申报批次「{row.name}」已有 {n} 份申报作出决定，不能再修改（可关闭该批次）")


def _rejudge(s: Session, call_id: str) -> int:
    """Recompute the stored checklist counts of the call's applications (its deadline or rules changed)."""
    apps = s.scalars(select(m.Application).where(m.Application.call_id == call_id)).all()
    for app in apps:
        _refresh_summary(s, app)
    return len(apps)


def _call_row(s, call_id: str) -> m.Call:
    """The stored call (the packs' calls stored first), or a Chinese refusal."""
    ensure_calls(s)
    s.flush()
    row = s.get(m.Call, call_id)
    if row is None:
        raise StoreError(f"没有申报批次「{call_id}」")
    return row


def edit_call(db, call_id: str, by: str | None = None, **changes) -> CallInfo:
    """Change fields of a call (`FIELDS`, and `pack_version` to adopt a pack version). Refused once
    an application in it is decided. The call's applications are judged again."""
    unknown = set(changes) - set(FIELDS) - {"pack_version"}
    if unknown:
        raise StoreError(f"申报批次没有这些字段：{'、'.join(sorted(unknown))}")
    with unit_of_work(db, write=True) as s:
        row = _call_row(s, call_id)
        _locked(s, row)
        if "name" in changes:
            changes["name"] = (changes["name"] or "").strip()
        if "doc_no" in changes:
            changes["doc_no"] = (changes["doc_no"] or "").strip() or None
        if changes.get("pack_version") is not None:
            _check_version(s, row.region, changes["pack_version"])
        merged = {k: getattr(row, k) for k in FIELDS}
        merged.update({k: v for k, v in changes.items() if k in FIELDS})
        check_values(row.region, merged)
        before = {k: getattr(row, k) for k in changes if getattr(row, k) != changes[k]}
        after = {k: changes[k] for k in before}
        if not after:
            return get_call(db, call_id)
        for k, v in after.items():
            setattr(row, k, v)
        s.flush()
        audit.record(s, by, "edit_call", "call", call_id, before, after)
        _rejudge(s, call_id)
    return get_call(db, call_id)


def close_call(db, call_id: str, by: str | None = None, reopen: bool = False) -> CallInfo:
    """Close a call (the wizard no longer offers it first; nothing is judged differently) or reopen it."""
    with unit_of_work(db, write=True) as s:
        row = _call_row(s, call_id)
        if bool(row.closed) != reopen:
            return get_call(db, call_id)  # already so: nothing to record
        row.closed = not reopen
        audit.record(s, by, "reopen_call" if reopen else "close_call", "call", call_id,
                     {"closed": reopen}, {"closed": not reopen, "name": row.name})
    return get_call(db, call_id)


def adopt_version(db, call_id: str, version_id: str | None, by: str | None = None) -> CallInfo:
    """Judge the call by `version_id` (None: the shipped pack) from now on; other calls keep theirs."""
    if version_id is not None:
        with unit_of_work(db) as s:
            try:
                load_version(s, version_id)
            except PackError as exc:
                raise StoreError(f"该规则包版本无法载入，未采用：{exc}") from None
    return edit_call(db, call_id, by=by, pack_version=version_id)


def parse_when(text: str, field: str, end_of_day: bool = True) -> datetime | None:
    """`2026-05-30` or `2026-05-30 17:00` (also with T) as a datetime; a bare date is the end of
    that day. Empty: None. Bad text: StoreError naming the field."""
    text = (text or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            d = date.fromisoformat(text)
            return datetime(d.year, d.month, d.day, 23, 59) if end_of_day else datetime(d.year, d.month, d.day)
        return datetime.fromisoformat(text.replace(" ", "T")).replace(second=0, microsecond=0)
    except ValueError:
        raise StoreError(f"{field}「{text}」不是有效的日期或时间（如 2026-05-30 或 2026-05-30 17:00）") from None


def parse_day(text: str, field: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise StoreError(f"{field}「{text}」不是有效的日期（如 2026-03-01）") from None
