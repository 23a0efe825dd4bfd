"""The audit trail: every change to the office's records, append-only and hash-chained.

Storage only; the service is alliance_desk/store/audit.py. Each row stores
`hash = sha256(prev_hash + canonical JSON of the row)`; `prev_hash` is unique, so the chain can
never fork, and the migration adds triggers that refuse UPDATE and DELETE on the table. `before`
and `after` hold canonical JSON text exactly as hashed (never re-serialised). `audit_head` keeps
the newest row's id and hash, so cutting rows off the end of the chain is noticed too.
"""
from __future__ import annotations

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class AuditEntry(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, 3 … no gaps
    at: Mapped[str] = mapped_column(String(40))            # ISO 8601 local time with UTC offset
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(Text)
    application_id: Mapped[str | None] = mapped_column(String(36))
    before: Mapped[str | None] = mapped_column(Text)       # canonical JSON, NULL = nothing before
    after: Mapped[str | None] = mapped_column(Text)        # canonical JSON, NULL = nothing after
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """One row (id 1): the newest audit entry's id and hash."""
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_id: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))
