"""Store services: applications in and out of the database, checks with stored calls and confirmations.

Everything here takes a `db.session.Database` (or a Session) from the caller; nothing is global.
The services live in one module per seam and are gathered here, so callers keep writing
`from alliance_desk import store; store.save_document(...)`:

- errors.py: StoreError, ConflictError;
- rows.py: a document into table rows, with the checks of what the database can keep;
- documents.py: stored rows back into a document (one application, through the ORM);
- docread.py: many documents from plain rows (exports, snapshots); checkinputs.py: the lean
  reader behind checking everything;
- judging.py: calls, the pack that judges a call, confirmations, checking one application;
- save.py: saving, autosave, deleting and importing;
- verdicts.py: the stored verdicts that make checking everything incremental.
Modules inside this package import each other directly, never this file.
"""
from __future__ import annotations

from typing import Iterator

from sqlalchemy.orm import Session

from db.session import Database

from alliance_desk.rules.engine import CheckResult
from alliance_desk.store import docread
from alliance_desk.store.checkinputs import _check_inputs, _raw_rows, iter_check_inputs  # noqa: F401
from alliance_desk.store.documents import (  # noqa: F401
    Draft, _app_document, count_applications, export_json, get_document, load_draft, to_document)
from alliance_desk.store.errors import ConflictError, StoreError  # noqa: F401
from alliance_desk.store.judging import (  # noqa: F401
    _confirmations, _refresh_summary, add_call, calls_for, check_stored, confirm, confirmations_of, county_deadline,
    ensure_calls, judging_pack, unconfirm)
from alliance_desk.store.rows import (  # noqa: F401
    MEMBER_SCALARS, SQLITE_INT_MAX, SYSTEM_KEYS, _app_values, _gc_paused, _now, _Rows, _uscc_verdict)
from alliance_desk.store.save import (  # noqa: F401
    IMPORT_BATCH, ImportReport, delete_application, import_documents, import_documents_in, import_files,
    report_lines, save_document, save_documents, save_draft)


def iter_documents(db: Database | Session, ids: list[str] | None = None, batch: int = 500) -> Iterator[dict]:
    """Stored applications as documents (in the order of `ids`, else by id), read from plain rows in
    batches (alliance_desk.store.docread: equal to `to_document`'s, without ORM objects per row)."""
    return docread.iter_documents(db, ids, batch)


def check_all(db: Database | Session) -> list[CheckResult]:
    """Judge every stored application with the stored calls and confirmations (by id). Only those
    changed since their stored verdict are judged again (alliance_desk.store.verdicts); commits the new
    verdicts."""
    from alliance_desk.store import verdicts

    return verdicts.check_all(db).results()
