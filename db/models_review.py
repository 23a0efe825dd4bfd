"""Models for expert review rounds, assignments and scores. Storage only: the rules live in
`alliance_desk.review` and `alliance_desk.review.scoring`.

Office side: the expert pool, review rounds with their applications and experts, assignments,
conflicts of interest, random draws, imported scores and the office's signing key.
Reviewer side (an expert's own laptop): drafts of the scores being typed in reviewer mode.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, JSONValue


class ReviewExpert(Base):
    """An expert of the pool (专家库)."""
    __tablename__ = "review_experts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text, index=True)
    unit: Mapped[str] = mapped_column(Text)
    unit_uscc: Mapped[str | None] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewRound(Base):
    """A review round (评审轮次): one region and call, one scoring template (kept as a snapshot)."""
    __tablename__ = "review_rounds"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(32), index=True)
    call_id: Mapped[str | None] = mapped_column(Text)
    template_id: Mapped[str] = mapped_column(Text)
    template: Mapped[Any] = mapped_column(JSONValue, nullable=True)  # the template as issued; later pack edits do not move it
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    method: Mapped[str] = mapped_column(String(16), default="trimmed")
    threshold_range: Mapped[float | None] = mapped_column(Float)
    threshold_sd: Mapped[float | None] = mapped_column(Float)
    per_application: Mapped[int] = mapped_column(Integer, default=3)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewRoundApplication(Base):
    __tablename__ = "review_round_applications"

    round_id: Mapped[str] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


class ReviewRoundExpert(Base):
    """An expert taking part in a round, with the per-round signing key of their score files and the
    digest of the score sheet issued to them."""
    __tablename__ = "review_round_experts"

    round_id: Mapped[str] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), primary_key=True)
    expert_id: Mapped[str] = mapped_column(ForeignKey("review_experts.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(16), default="primary")  # "primary" | "reserve"
    position: Mapped[int] = mapped_column(Integer)
    draw_id: Mapped[int | None] = mapped_column(Integer)
    public_key: Mapped[str | None] = mapped_column(Text)
    private_key: Mapped[str | None] = mapped_column(Text)
    sheet_digest: Mapped[str | None] = mapped_column(String(64))
    sheet_issued_at: Mapped[datetime | None] = mapped_column(DateTime)
    package_issued_at: Mapped[datetime | None] = mapped_column(DateTime)


class _PerRoundPair:
    """A row about one application and one expert in a review round: what assignments, conflicts and
    scores are keyed by (the columns come first in the table, as created by the migrations)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True, sort_order=-4)
    round_id: Mapped[str] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), sort_order=-3)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), sort_order=-2)
    expert_id: Mapped[str] = mapped_column(ForeignKey("review_experts.id"), sort_order=-1)


def _per_round(table: str, unique: str, *more_unique: str) -> tuple:
    """One row per (round, application, expert[, more]) and an index by round."""
    return (UniqueConstraint("round_id", "application_id", "expert_id", *more_unique, name=unique),
            Index(f"ix_{table}_round", "round_id"))


class ReviewAssignment(_PerRoundPair, Base):
    __tablename__ = "review_assignments"
    __table_args__ = _per_round(__tablename__, "uq_review_assignment")

    source: Mapped[str] = mapped_column(String(16))  # "manual" | "auto"
    assigned_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewConflict(_PerRoundPair, Base):
    """A conflict of interest that blocks an (application, expert) pair: detected from the member list
    and the office holders, or declared (by the expert or the office). The reason is kept."""
    __tablename__ = "review_conflicts"
    __table_args__ = _per_round(__tablename__, "uq_review_conflict", "kind")

    kind: Mapped[str] = mapped_column(String(32))  # member_uscc | member_name | council | expert_committee | declared
    reason: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # "detected" | "declared"
    by: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewScore(_PerRoundPair, Base):
    """One expert's score of one application (the items are ReviewScoreItem rows)."""
    __tablename__ = "review_scores"
    __table_args__ = _per_round(__tablename__, "uq_review_score")

    total: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # "sheet" | "file" | "app"
    source_name: Mapped[str | None] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))  # of the scored content: re-imports are recognised
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    imported_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewScoreItem(Base):
    __tablename__ = "review_score_items"
    __table_args__ = (UniqueConstraint("score_id", "item_key", name="uq_review_score_item"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    score_id: Mapped[int] = mapped_column(ForeignKey("review_scores.id", ondelete="CASCADE"), index=True)
    item_key: Mapped[str] = mapped_column(Text)
    points: Mapped[float] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    suggested: Mapped[float | None] = mapped_column(Float)


class ReviewDraw(Base):
    """A random draw of experts (专家随机抽取): seed, candidates and result, so it can be re-run."""
    __tablename__ = "review_draws"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(ForeignKey("review_rounds.id", ondelete="CASCADE"), index=True)
    seed: Mapped[int] = mapped_column(Integer)
    field: Mapped[str | None] = mapped_column(Text)
    count: Mapped[int] = mapped_column(Integer)
    reserves: Mapped[int] = mapped_column(Integer)
    candidates: Mapped[Any] = mapped_column(JSONValue, nullable=True)  # expert ids, in the canonical order the draw used
    selected: Mapped[Any] = mapped_column(JSONValue, nullable=True)    # expert ids in drawn order: `count` primary, then reserves
    by: Mapped[str | None] = mapped_column(Text)
    drawn_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewKey(Base):
    """The office's Ed25519 key that signs review packages (id "office")."""
    __tablename__ = "review_keys"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_key: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class ReviewDraft(Base):
    """Reviewer mode, on the expert's machine: what the expert typed for one application of one
    review package. No foreign keys: the office's rows are not in the expert's database."""
    __tablename__ = "review_drafts"
    __table_args__ = (UniqueConstraint("round_id", "expert_id", "application_id", name="uq_review_draft"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_id: Mapped[str] = mapped_column(String(36))
    expert_id: Mapped[str] = mapped_column(String(36))
    application_id: Mapped[str] = mapped_column(String(36))
    payload: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
