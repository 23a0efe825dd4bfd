"""The audit trail: who changed what, when, before and after — append-only and hash-chained.

One helper records every change, inside the caller's transaction (so the record lands with the
change or not at all):

    audit.record(session, actor, action, entity, entity_id, before, after)

`before`/`after` are JSON-able values (dicts, lists, dates …) or None ("nothing before" /
"nothing after"). Each row stores `hash = sha256(prev_hash + canonical JSON of the row)` where the
canonical JSON holds id, at, actor, action, entity, entity_id, application_id, before and after
(the latter two as the exact text stored). Row ids run 1, 2, 3 … without gaps; `audit_head` keeps
the newest id and hash. `verify(db)` walks the chain and reports the first broken link: an edited
row (its hash no longer matches), a deleted row (a gap, or the next row's prev_hash no longer
matches), rows cut off the end (the head does not match). The table itself refuses UPDATE and
DELETE (triggers added by migration 0005).

For applications the payload is compact: a created application stores the whole document
(`{"document": …}`), an update stores only the changed leaves (`{"changes": {path: value}}` on
each side; a path absent on one side did not exist there), a deletion stores the whole document
before. Imports add `"source"` (file and entry) to `after`.

No Qt. Actor: the service's explicit `by`/`actor` argument when it has one, else
`default_actor()` (the operating-system user).

The parts live in audit_record.py (writing, application payloads) and audit_read.py (history and
its wording); this module gathers their names (callers write `audit.record(...)`) and holds the
verification.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from db.session import unit_of_work

from alliance_desk.store.anchors import application_problems
from alliance_desk.store.audit_read import (  # noqa: F401  (re-exported)
    ACTION_LABELS, ENTITY_LABELS, FIELD_NAMES, LABELS, AuditRow, _change_parts, _load, _short, describe, history)
from alliance_desk.store.audit_record import (  # noqa: F401  (re-exported)
    COMPRESS_OVER, GENESIS, _anchor, _default, _flatten, _j, _now_text, application_change, canonical_json,
    default_actor, document_diff, load_text, record, record_many, row_hash, row_text, snapshot, snapshots,
    store_text)


# ------------------------------------------------------------------ verification

@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    broken_id: int | None = None
    broken_at: str | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    applications: bool = False    # the chain is whole but applications do not match it

    def text(self) -> str:
        if self.ok:
            lines = [f"审计记录完整：共 {self.checked} 条，哈希链无断裂；最新哈希 {self.head_hash}"]
        elif self.applications:
            lines = [f"审计记录与申报数据不符（哈希链本身 {self.checked} 条完整）：{self.reason}"]
        else:
            where = f"第 {self.broken_id} 条" if self.broken_id else "链尾"
            at = f"（{self.broken_at}）" if self.broken_at else ""
            lines = [f"审计记录在{where}{at}处断裂：{self.reason}；此前 {self.checked} 条完整"]
        return "\n".join(lines + self.notes)


def changes_after(db, after: int | None, limit: int = 200) -> tuple[int, list[tuple[str | None, str]] | None]:
    """(newest audit id, [(application id, entity) of every row after `after`]) — every change to the
    data appends a row, so a seat polls this to learn what other seats changed. The list is None
    when `after` is None (first look), more than `limit` rows came in, or the trail went back (a
    backup was restored): then reload everything."""
    with unit_of_work(db) as session:
        from sqlalchemy import select

        from db.models_audit import AuditEntry as E, AuditHead as H

        head = session.scalar(select(H.last_id).where(H.id == 1)) or 0
        if after is None:
            return head, None
        if head == after:
            return head, []
        if head < after or head - after > limit:  # went back (a restored backup) or a burst: reload all
            return head, None
        rows = session.execute(select(E.application_id, E.entity).where(E.id > after, E.id <= head).order_by(E.id))
        return head, [(a, e) for a, e in rows]


def _rows(session) -> Iterator:
    from sqlalchemy import select

    from db.models_audit import AuditEntry as E

    cols = (E.id, E.at, E.actor, E.action, E.entity, E.entity_id, E.application_id, E.before, E.after,
            E.prev_hash, E.hash)
    yield from session.execute(select(*cols).order_by(E.id).execution_options(yield_per=2000))


def _protection_notes(session) -> list[str]:
    try:
        if session.get_bind().dialect.name != "sqlite":
            return []
        names = {n for (n,) in session.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'")}
    except Exception:  # noqa: BLE001 - a note, never a failure of the check itself
        return []
    if {"audit_log_no_update", "audit_log_no_delete"} <= names:
        return []
    return ["注意：审计表的只可追加保护（触发器）已被移除"]


def verify(db) -> VerifyResult:
    """Walk the whole chain; report the first broken link (an edited, inserted or deleted row, or
    rows cut off the end); then check every application against it (anchors.application_problems:
    a trail cut short or wiped, or an application changed outside the app)."""
    result = _verify_chain(db)
    if not result.ok:
        return result
    with unit_of_work(db) as s:
        problems = application_problems(s, result.checked)
    if problems:
        return VerifyResult(False, result.checked, result.head_hash, None, None, problems[0],
                            result.notes + problems[1:], applications=True)
    return result


def _verify_chain(db) -> VerifyResult:
    from sqlalchemy import select

    from db.models_audit import AuditHead as H

    expected_id, prev, checked, prev_at = 1, GENESIS, 0, None
    with unit_of_work(db) as s:
        notes = _protection_notes(s)
        for r in _rows(s):
            rid, at, actor, action, entity, entity_id, app_id, before, after, prev_hash, digest = r
            if rid != expected_id:
                what = f"第 {expected_id} 至 {rid - 1} 条" if rid - 1 > expected_id else f"第 {expected_id} 条"
                return VerifyResult(False, checked, prev, expected_id, prev_at,
                                    f"记录被删除：缺少{what}（上一条完整记录的时间 {prev_at or '—'}）", notes)
            if prev_hash != prev:
                return VerifyResult(False, checked, prev, rid, at,
                                    "本条的前一哈希与上一条记录不符（上一条被改动或删除，或本条是插入的）", notes)
            if row_hash(prev_hash, row_text(rid, at, actor, action, entity, entity_id, app_id, before, after)) != digest:
                return VerifyResult(False, checked, prev, rid, at, "本条内容与其哈希不符（写入后被改动）", notes)
            prev, prev_at, checked, expected_id = digest, at, checked + 1, rid + 1
        head = s.execute(select(H.last_id, H.last_hash).where(H.id == 1)).first()
    if head is None:
        if checked:
            return VerifyResult(False, checked, prev, None, prev_at, "链头记录（audit_head）缺失", notes)
        return VerifyResult(True, 0, GENESIS, notes=notes)
    if head[0] != expected_id - 1 or head[1] != prev:
        if head[0] > expected_id - 1:
            return VerifyResult(False, checked, prev, expected_id, prev_at,
                                f"链尾记录被删除：缺少第 {expected_id} 至 {head[0]} 条", notes)
        return VerifyResult(False, checked, prev, expected_id - 1 if checked else None, prev_at,
                            "链头记录（audit_head）与最后一条记录不符：其后的记录是插入的，或链头被改动", notes)
    return VerifyResult(True, checked, prev, notes=notes)
