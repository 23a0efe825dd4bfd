"""Reading a large archive fast: stored check verdicts and the indexes the list and the check scan use.

Stored check verdicts: the last judgement of each application, with what it was judged on.

A verdict is fresh while the application's version, the digest of the pack that judged it and the
digest of the other inputs (the region's calls, the application's confirmations) are what they were;
`alliance_desk.store.verdicts` re-judges only the applications whose verdict is missing or stale.
"""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base
from db.models_applications import Application

# The list shows the newest submissions first; with this index its first page is read without
# sorting every application.
Index("ix_applications_list_order", Application.__table__.c.submitted_at.desc(), Application.__table__.c.name)

# Finding stale verdicts scans every application's (region, call, version): from this index alone,
# not from the wide application rows.
Index("ix_applications_check", Application.__table__.c.region, Application.__table__.c.call_id,
      Application.__table__.c.version, Application.__table__.c.id)


class CheckVerdict(Base):
    __tablename__ = "check_verdicts"
    # SQLite: rows clustered by application id, so the scan's lookup lands on the row itself
    __table_args__ = {"sqlite_with_rowid": False}

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    app_version: Mapped[int] = mapped_column(Integer)
    pack_digest: Mapped[str] = mapped_column(String(64))
    inputs_digest: Mapped[str] = mapped_column(String(64))
    n_fail: Mapped[int] = mapped_column(Integer)
    n_warn: Mapped[int] = mapped_column(Integer)
    n_manual: Mapped[int] = mapped_column(Integer)
    eligible: Mapped[bool] = mapped_column(Boolean)


class CheckVerdictItems(Base):
    """The items of a verdict, apart: the verdict rows stay narrow for the scan that finds stale ones."""
    __tablename__ = "check_verdict_items"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    # one [status, message, field, confirmed] per rule of the judging pack, in its order (JSON text)
    items: Mapped[str] = mapped_column(Text)
