"""Writing the audit trail: the canonical row text and its hash, `record`/`record_many` inside
the caller's transaction (each application row keeps the id and hash of its last change), and the
compact payloads of application changes (whole document on create, changed leaves on update).
The trail's format and guarantees are described in audit.py, which gathers this module's names.
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import json
import zlib
from datetime import date, datetime
from decimal import Decimal
from typing import Any


from alliance_desk.store.docread import iter_documents
from db.session import unit_of_work

GENESIS = "0" * 64

def default_actor() -> str:
    """The operating-system user (never raises)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - no USER/LOGNAME and no pwd entry (containers, services)
        return "unknown"


def _default(value: Any):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def canonical_json(value: Any) -> str | None:
    """Stable text of a value: sorted keys, no spaces, UTF-8 characters kept. None stays None."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


COMPRESS_OVER = 4096   # stored payload texts longer than this are compressed ("z1:" + base64(zlib))


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def store_text(value: Any) -> str | None:
    """How a payload is stored: canonical JSON, compressed when long. None stays None."""
    text = canonical_json(value)
    if text is None or len(text) <= COMPRESS_OVER:
        return text
    return "z1:" + base64.b64encode(zlib.compress(text.encode("utf-8"), 1)).decode("ascii")


def load_text(stored: str | None) -> Any:
    """The payload value of a stored text (see store_text)."""
    if stored is None:
        return None
    try:
        if stored.startswith("z1:"):
            stored = zlib.decompress(base64.b64decode(stored[3:])).decode("utf-8")
        return json.loads(stored)
    except (ValueError, zlib.error):
        return stored


def row_text(id_: int, at: str, actor: str, action: str, entity: str, entity_id: str, application_id: str | None,
             before: str | None, after: str | None) -> str:
    """The canonical JSON of a row as stored: its fields (before/after as the stored texts) with
    sorted keys and no spaces."""
    return (f'{{"action":{_j(action)},"actor":{_j(actor)},"after":{_j(after)},'
            f'"application_id":{_j(application_id)},"at":{_j(at)},"before":{_j(before)},'
            f'"entity":{_j(entity)},"entity_id":{_j(entity_id)},"id":{int(id_)}}}')


def row_hash(prev_hash: str, text: str) -> str:
    """sha256(prev_hash + canonical JSON of the row), hex."""
    return hashlib.sha256((prev_hash + text).encode("utf-8", "surrogatepass")).hexdigest()


def _now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def record(db, actor: str | None, action: str, entity: str, entity_id: Any, before: Any, after: Any, *,
           application_id: str | None = None) -> int:
    """Append one audit row inside the caller's transaction; returns its id.

    `application_id` (for the per-application history) defaults to `entity_id` when the entity
    is an application."""
    with unit_of_work(db, write=True) as session:
        return record_many(session, [(actor, action, entity, entity_id, before, after, application_id)])[0]


def record_many(db, entries: list[tuple]) -> list[int]:
    """`record` for many rows at once (bulk imports): entries are (actor, action, entity,
    entity_id, before, after, application_id); one read of the head, one insert, one head update."""
    with unit_of_work(db, write=True) as session:
        from sqlalchemy import insert, select, update

        from db.models_audit import AuditEntry, AuditHead

        if not entries:
            return []
        H = AuditHead.__table__
        # FOR UPDATE serialises appenders on PostgreSQL; SQLite has one writer anyway
        head = session.execute(select(H.c.last_id, H.c.last_hash).where(H.c.id == 1).with_for_update()).first()
        last_id, last_hash = (head[0], head[1]) if head is not None else (0, GENESIS)
        at = _now_text()
        who = default_actor()
        rows, ids = [], []
        for actor, action, entity, entity_id, before, after, application_id in entries:
            actor = (actor or "").strip() or who
            entity_id = str(entity_id)
            if application_id is None and entity == "application":
                application_id = entity_id
            last_id += 1
            b, a = store_text(before), store_text(after)
            digest = row_hash(last_hash, row_text(last_id, at, actor, action, entity, entity_id, application_id, b, a))
            rows.append({"id": last_id, "at": at, "actor": actor, "action": action, "entity": entity,
                         "entity_id": entity_id, "application_id": application_id, "before": b, "after": a,
                         "prev_hash": last_hash, "hash": digest})
            ids.append(last_id)
            last_hash = digest
        session.execute(insert(AuditEntry.__table__), rows)
        _anchor(session, rows)
        if head is None:
            session.execute(insert(H).values(id=1, last_id=last_id, last_hash=last_hash))
        else:
            session.execute(update(H).where(H.c.id == 1).values(last_id=last_id, last_hash=last_hash))
        return ids


def _anchor(session, rows: list[dict]) -> None:
    """Each changed application's row carries the chain position and hash of its newest audit row:
    a trail cut short, wiped or rewritten no longer matches the applications (see trust.py)."""
    from sqlalchemy import bindparam, update

    from db.models import Application

    newest: dict[str, dict] = {}
    for r in rows:
        if r["entity"] == "application" and r["after"] is not None:
            newest[r["entity_id"]] = {"b_app": r["entity_id"], "b_id": r["id"], "b_hash": r["hash"]}
    if newest:
        A = Application.__table__
        session.execute(update(A).where(A.c.id == bindparam("b_app"))
                        .values(audit_id=bindparam("b_id"), audit_hash=bindparam("b_hash")),
                        list(newest.values()))


# ------------------------------------------------------------------ documents: compact diff

def _flatten(value: Any, path: str, out: dict) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    elif value is not None:  # null and absent mean the same in the exchange format
        out[path] = value


def document_diff(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the leaves that differ: ({path: old value}, {path: new value}); a path missing on one
    side did not exist there (e.g. a member added or removed)."""
    a: dict = {}
    b: dict = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    def same(x, y) -> bool:  # 5 == 5.0 (canonical form drops the .0), but True is not 1
        return x == y and isinstance(x, bool) == isinstance(y, bool)

    before = {k: v for k, v in a.items() if k not in b or not same(v, b[k])}
    after = {k: v for k, v in b.items() if k not in a or not same(v, a[k])}
    return before, after


def snapshots(db, app_ids: list[str]) -> dict[str, dict]:
    """The stored applications among `app_ids` as documents (canonical), read inside the caller's
    transaction in one batch, leaving the session's objects attached."""
    with unit_of_work(db) as session:
        if not app_ids:
            return {}
        from itertools import islice

        # one batch holding every id: iter_documents expunges its objects only after a batch, and
        # closing the generator after the last document stops it before that point
        gen = iter_documents(session, list(app_ids), batch=len(app_ids))
        try:
            return {d["id"]: d for d in islice(gen, len(app_ids))}
        finally:
            gen.close()


def snapshot(db, app_id: str) -> dict | None:
    with unit_of_work(db) as session:
        return snapshots(session, [app_id]).get(app_id)


def application_change(old: dict | None, new: dict, source: str | None = None, *, imported: bool = False,
                       version: int | None = None) -> tuple[Any, Any] | None:
    """(before, after) payloads for saving `new`.

    Imported documents are kept whole (`{"document": …, "source": …}`); an import over an existing
    application also says what it changed: before `{"version": n, "changes": …}` (the replaced
    version and its old values), after `"changes"` (the new values). Saves from the editor keep a
    compact diff against `old` (the stored document), or the whole document when it is new; None
    when nothing changed."""
    if imported:
        after = {"document": new, **({"source": source} if source else {})}
        if version is None:
            return None, after
        before: dict = {"version": version}
        if old is not None:
            old_values, new_values = document_diff(old, new)
            before["changes"], after["changes"] = old_values, new_values
        return before, after
    if old is None:
        return None, {"document": new}
    before, after = document_diff(old, new)
    if not before and not after:
        return None
    return {"changes": before}, {"changes": after}
