"""The applications checked against the audit trail (part of `audit verify`).

The hash chain alone proves that its rows were not edited in place; it cannot tell that rows were
cut off its end (with `audit_head` moved back) or that the whole table was emptied, and it says
nothing about the `applications` table itself. Each application row therefore carries the id and
hash of the audit row of its last change (`applications.audit_id/audit_hash`, written by
audit.record_many), and this check asks, for every stored application:

- that its last change is in the chain: the row exists, is the newest row about that application,
  and has the recorded hash — so a trail cut short or wiped no longer matches the applications;
- that its current content is what the trail says it is: the trail's documents and changes are
  replayed (a create or import holds the whole document, a save the changed leaves) and compared
  with the stored document — so an `UPDATE applications …` behind the app's back is caught.

What it cannot catch: someone who rewrites the chain, the anchors and the data consistently
(recomputing every hash), or who deletes everything at once. Signed packages and backups carry
the head, which is what another copy can compare against. No Qt.
"""
from __future__ import annotations

from typing import Any

from alliance_desk.store.audit_record import _flatten, load_text
from alliance_desk.store.docread import iter_documents
from db.session import unit_of_work

MAX_LISTED = 10


def _same(x: Any, y: Any) -> bool:
    return x == y and isinstance(x, bool) == isinstance(y, bool)


def _replay(session) -> dict[str, dict | None]:
    """Each application's content (flattened leaves) as the trail tells it; None when deleted."""
    from sqlalchemy import select

    from db.models_audit import AuditEntry as E

    state: dict[str, dict | None] = {}
    rows = session.execute(select(E.entity_id, E.before, E.after).where(E.entity == "application")
                           .order_by(E.id).execution_options(yield_per=2000))
    for app_id, before_text, after_text in rows:
        after = load_text(after_text)
        if after is None:
            state[app_id] = None
            continue
        if isinstance(after, dict) and isinstance(after.get("document"), dict):
            flat: dict = {}
            _flatten(after["document"], "", flat)
            state[app_id] = flat
            continue
        before = load_text(before_text)
        current = state.get(app_id)
        if current is None or not isinstance(after, dict):
            continue  # a change without a known base: the content check reports the application
        old = (before or {}).get("changes") or {} if isinstance(before, dict) else {}
        new = after.get("changes") or {}
        for path in old:
            if path not in new:
                current.pop(path, None)
        current.update(new)
    return state


def _differences(trail: dict, stored: dict, limit: int = 3) -> list[str]:
    keys = sorted(set(trail) | set(stored))
    out = [k for k in keys if k not in trail or k not in stored or not _same(trail[k], stored[k])]
    return out[:limit] + (["…"] if len(out) > limit else [])


def application_problems(db, head_id: int) -> list[str]:
    """One Chinese line per application that does not match the trail (at most MAX_LISTED and a
    count of the rest); empty when all match."""
    with unit_of_work(db) as session:
        from sqlalchemy import func, select

        from db.models import Application as A
        from db.models_audit import AuditEntry as E

        apps = session.execute(select(A.id, A.name, A.audit_id, A.audit_hash).order_by(A.id)).all()
        if not apps:
            return []
        hashes = dict(session.execute(select(E.id, E.hash).where(E.id.in_(
            [a.audit_id for a in apps if a.audit_id is not None]))).all()) if len(apps) <= 20000 else \
            dict(session.execute(select(E.id, E.hash)).all())
        newest = dict(session.execute(select(E.entity_id, func.max(E.id)).where(E.entity == "application")
                                      .group_by(E.entity_id)).all())
        problems: list[str] = []
        suspect: list = []
        for a in apps:
            who = f"申报「{a.name}」（{a.id}）"
            if a.audit_id is None:
                problems.append(f"{who}没有对应的审计记录（在本程序之外写入，或审计记录被清空）")
            elif a.audit_id > head_id or a.audit_id not in hashes:
                problems.append(f"{who}的最后一次修改（审计第 {a.audit_id} 条）不在审计链中：审计记录被截断或清空")
            elif hashes[a.audit_id] != a.audit_hash:
                problems.append(f"{who}记录的审计哈希与审计链第 {a.audit_id} 条不符")
            elif newest.get(a.id, 0) != a.audit_id:
                problems.append(f"{who}指向的不是它最新的审计记录（第 {newest.get(a.id)} 条）")
            else:
                suspect.append(a)
        if suspect:
            trail = _replay(session)
            ids = [a.id for a in suspect]
            names = {a.id: a.name for a in suspect}
            for doc in iter_documents(session, ids):
                flat: dict = {}
                _flatten(doc, "", flat)
                expected = trail.get(doc["id"])
                if expected is None:
                    problems.append(f"申报「{names[doc['id']]}」（{doc['id']}）在审计记录中没有完整内容可供核对")
                    continue
                diff = _differences(expected, flat)
                if diff:
                    problems.append(f"申报「{names[doc['id']]}」（{doc['id']}）的内容与审计记录不符"
                                    f"（{'、'.join(diff)}）：数据在本程序之外被改动")
        if len(problems) > MAX_LISTED:
            problems = problems[:MAX_LISTED] + [f"另有 {len(problems) - MAX_LISTED} 份申报不符"]
        return problems
