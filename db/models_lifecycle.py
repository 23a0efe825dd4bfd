"""Models for procedure stages, decisions and obligations. Storage only: the rules that
say which transition is allowed or what is due when live in alliance_desk/lifecycle/__init__.py."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, JSONValue


class StageTransition(Base):
    """One step of an application through its region's procedure (pack `[[stages]]`)."""
    __tablename__ = "stage_transitions"
    __table_args__ = (Index("ix_stage_transitions_application", "application_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    from_stage: Mapped[str | None] = mapped_column(String(64))  # NULL: the procedure starts here
    to_stage: Mapped[str] = mapped_column(String(64))
    direction: Mapped[str] = mapped_column(String(16))  # start | forward | back | decision
    on: Mapped[date] = mapped_column(Date)
    by: Mapped[str] = mapped_column(Text, default="")  # actor: who did it (person or office)
    note: Mapped[str] = mapped_column(Text, default="")


class Decision(Base):
    """The office's decision on an application: 认定 / 示范 / 试点 / 批复成立 / 备案 / 不予认定."""
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                unique=True)
    outcome: Mapped[str] = mapped_column(String(32))
    decided_on: Mapped[date] = mapped_column(Date)
    doc_no: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")


class ObligationRecord(Base):
    """Something that arrived or happened after the decision: a summary received, an assessment
    result, a change of the lead unit, a change report, a rectification, a revocation."""
    __tablename__ = "obligation_records"
    __table_args__ = (Index("ix_obligation_records_application", "application_id", "kind", "period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))  # the pack's obligation id, or an event kind
    # which occurrence it answers: a year, a year of validity, or the id of the triggering record
    period: Mapped[int | None] = mapped_column(Integer)
    on: Mapped[date] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(16))  # excellent | good | pass | poor | fail
    score: Mapped[float | None] = mapped_column(Float)
    items: Mapped[Any] = mapped_column(JSONValue, nullable=True)  # per-criterion points (scoring template)
    topic: Mapped[str | None] = mapped_column(String(32))  # what changed (change events)
    doc_no: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(Text, default="")
    note: Mapped[str] = mapped_column(Text, default="")
