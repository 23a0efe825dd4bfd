"""Applications written: saving one or many documents in the caller's transaction (Core
executemany statements, the audit trail in the same transaction), the editor's autosave with
optimistic locking, deleting, and importing documents and files all-or-nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db import models as m
from db.session import Database, unit_of_work

from alliance_desk import exchange
from alliance_desk.store import audit
from alliance_desk.rules.engine import Confirmation, evaluate
from alliance_desk.rules.packs import get_pack
from alliance_desk.store import duplicates
from alliance_desk.store.documents import to_document
from alliance_desk.store.errors import ConflictError, StoreError
from alliance_desk.store.judging import calls_for, ensure_calls, judging_pack
from alliance_desk.store.rows import (_Rows, _app_values, _check_lengths, _check_storable, _gc_paused, _now,
                                      _nul_allowed, _uscc_verdict)


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


def save_document(db, doc: dict, source: str = "", calls: dict | None = None,
                  expected_version: int | None = None) -> bool:
    """Insert or update one application inside the caller's transaction. True if created.
    With `expected_version`, an existing application is only updated if it still has that version
    (else ConflictError)."""
    with unit_of_work(db, write=True) as session:
        return save_documents(session, [(source, doc)], {doc["region"]: calls} if calls is not None else None,
                              expected_version=expected_version)[0]


IMPORT_BATCH = 500  # applications written per round of executemany statements


def save_documents(db, items: list[tuple[str, dict]], calls: dict[str, dict] | None = None,
                   expected_version: int | None = None, *, action: str | None = None,
                   actor: str | None = None) -> list[bool]:
    """Insert or update applications (distinct ids) inside the caller's transaction; one flag per
    item, True if created. `source` (e.g. a file name) prefixes refusal messages.

    Written with Core executemany statements over all the items (not the ORM unit of work, not one
    round of statements per application): imports of thousands of applications are dominated by
    this function. An existing application's row is updated (version + 1) before its children are
    replaced, so on PostgreSQL a second seat saving the same application waits for the first and
    then replaces its children, never mixing the two."""
    with unit_of_work(db, write=True) as session:
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


def import_documents_in(db, docs: Iterable[tuple[str, dict]]) -> ImportReport:
    """`import_documents` inside the caller's transaction (a package import adds its bookkeeping
    to the same transaction)."""
    with unit_of_work(db, write=True) as s:
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
