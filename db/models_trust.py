"""Who may change what, and what came last (exchange files and application anchors).

Storage only; the service is alliance_desk/store/trust.py.

- `application_owners`: the office (signing key) an application belongs to — the one that first
  sent it in a package — and the rank (sequence, creation time) of the package that last wrote it.
  An application without a row belongs to this office.
- `exchange_marks`: per kind of file, sender key and scope (a submission's region/call/county, a
  score file's round), the newest file accepted; an older one is refused.
- `exchange_counters`: the sender side's sequence per scope, written into each exported file.
- `applications.audit_id/audit_hash` (db/models.py): the audit row of each application's last
  change, so a trail cut short or wiped no longer matches the applications.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class ApplicationOwner(Base):
    __tablename__ = "application_owners"

    application_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))     # the owner's signing key
    office: Mapped[str] = mapped_column(Text)                # its registered name
    sequence: Mapped[int | None] = mapped_column(Integer)    # of the package that last wrote it
    created_at: Mapped[str | None] = mapped_column(String(40))
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    since: Mapped[datetime] = mapped_column(DateTime)


class ExchangeMark(Base):
    __tablename__ = "exchange_marks"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    sequence: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str | None] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    accepted_at: Mapped[datetime] = mapped_column(DateTime)


class ExchangeCounter(Base):
    __tablename__ = "exchange_counters"

    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer)
