"""The application, its call and its child rows (members, platforms, office holders, receipts,
confirmations): SQLAlchemy 2.0 typed models. Storage only: no business rules live here.

Optional fields of the exchange format are nullable columns; NULL means "absent" so that
export -> import -> export is stable. Child rows keep their order in a `position` column.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, String, Text, false,
                        UniqueConstraint)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from db.base import Base, Count, JSONValue


class Call(Base):
    """An application round (申报批次); the deadline lives here, not in the application."""
    __tablename__ = "calls"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), index=True)
    name: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime | None] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    from_pack: Mapped[bool] = mapped_column(Boolean, default=False)
    # the notice that opened the call and its dates (migration 0007); NULL: not known / not set
    year: Mapped[int | None] = mapped_column(Integer)
    doc_no: Mapped[str | None] = mapped_column(Text)
    doc_date: Mapped[date | None] = mapped_column(Date)
    county_deadline: Mapped[datetime | None] = mapped_column(DateTime)  # the county's deadline to the city
    publicity_on: Mapped[date | None] = mapped_column(Date)
    decision_on: Mapped[date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # the pack version (db.models_calls.PackVersion id) that judges this call; NULL: the shipped pack
    pack_version: Mapped[str | None] = mapped_column(String(64))


class Application(Base):
    __tablename__ = "applications"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), index=True)
    call_id: Mapped[str | None] = mapped_column(Text, index=True)  # free text in the format: no FK
    name: Mapped[str] = mapped_column(String(100), index=True)
    industry: Mapped[str] = mapped_column(Text, index=True)
    county: Mapped[str] = mapped_column(Text, index=True)
    submitted_at: Mapped[str] = mapped_column(Text)
    tier_requested: Mapped[str | None] = mapped_column(String(16))
    previously_pilot: Mapped[bool | None] = mapped_column(Boolean)
    provincial_recognized: Mapped[bool | None] = mapped_column(Boolean)
    provincial_recognized_on: Mapped[date | None] = mapped_column(Date)
    established_on: Mapped[date | None] = mapped_column(Date)
    goals: Mapped[str | None] = mapped_column(Text)
    research_directions: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    investment_wan: Mapped[float | None] = mapped_column(Float)
    tech_staff_total: Mapped[int | None] = mapped_column(Count)
    cooperation_results: Mapped[str | None] = mapped_column(Text)
    materials_sealed_by_all: Mapped[bool | None] = mapped_column(Boolean)
    contact: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    materials_listed: Mapped[bool] = mapped_column(Boolean, default=False)  # "materials": [] vs absent

    # organization (1:1, flattened; council and expert committee are OfficeHolder rows)
    secretariat_present: Mapped[bool] = mapped_column(Boolean, default=False)
    secretariat_address: Mapped[str | None] = mapped_column(Text)
    secretariat_in_lead_unit: Mapped[bool | None] = mapped_column(Boolean)
    secretariat_full_time_staff: Mapped[int | None] = mapped_column(Count)
    secretariat_office_area_m2: Mapped[float | None] = mapped_column(Float)
    external_liability_body: Mapped[bool | None] = mapped_column(Boolean)
    legal_entity_registered: Mapped[bool | None] = mapped_column(Boolean)

    # recommendation (推荐意见)
    recommendation_present: Mapped[bool] = mapped_column(Boolean, default=False)
    recommended: Mapped[bool | None] = mapped_column(Boolean)
    recommendation_opinion: Mapped[str | None] = mapped_column(Text)
    recommendation_by: Mapped[str | None] = mapped_column(Text)
    recommendation_on: Mapped[date | None] = mapped_column(Date)

    # office bookkeeping, not part of the exchange format
    # what the clerk typed that is not yet a valid value (JSON path -> raw text); kept, never dropped
    drafts: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    stage: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    # cached checklist counts for the list screen (recomputed on every save/confirmation)
    n_fail: Mapped[int] = mapped_column(Integer, default=0)
    n_warn: Mapped[int] = mapped_column(Integer, default=0)
    n_manual: Mapped[int] = mapped_column(Integer, default=0)
    eligible: Mapped[bool] = mapped_column(Boolean, default=False)
    # the audit row of the last change (id and hash): a trail cut short or wiped no longer matches
    audit_id: Mapped[int | None] = mapped_column(Integer)
    audit_hash: Mapped[str | None] = mapped_column(String(64))

    agreement: Mapped[Agreement] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                uselist=False)
    systems: Mapped[Systems] = relationship(back_populates="application", cascade="all, delete-orphan",
                                            uselist=False)
    members: Mapped[list[Member]] = relationship(back_populates="application", cascade="all, delete-orphan",
                                                 order_by="Member.position")
    office_holders: Mapped[list[OfficeHolder]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="OfficeHolder.position")
    materials: Mapped[list[MaterialReceipt]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="MaterialReceipt.position")
    confirmations: Mapped[list[Confirmation]] = relationship(back_populates="application",
                                                             cascade="all, delete-orphan")


class Agreement(Base):
    """联盟协议."""
    __tablename__ = "agreements"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    signed_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    signed_by_legal_reps: Mapped[bool] = mapped_column(Boolean)
    sealed: Mapped[bool] = mapped_column(Boolean)
    innovation_goals: Mapped[bool | None] = mapped_column(Boolean)
    task_division: Mapped[bool | None] = mapped_column(Boolean)
    ip_terms: Mapped[bool | None] = mapped_column(Boolean)
    breach_terms: Mapped[bool | None] = mapped_column(Boolean)

    application: Mapped[Application] = relationship(back_populates="agreement")


class Systems(Base):
    """Management rules the alliance has adopted (章程、经费管理办法 …)."""
    __tablename__ = "systems"

    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"),
                                                primary_key=True)
    charter: Mapped[bool | None] = mapped_column(Boolean)
    funding_management: Mapped[bool | None] = mapped_column(Boolean)
    funding_supervision: Mapped[bool | None] = mapped_column(Boolean)
    project_management: Mapped[bool | None] = mapped_column(Boolean)
    confidentiality: Mapped[bool | None] = mapped_column(Boolean)
    iur_cooperation: Mapped[bool | None] = mapped_column(Boolean)
    council_rules: Mapped[bool | None] = mapped_column(Boolean)
    rd_management: Mapped[bool | None] = mapped_column(Boolean)
    open_membership: Mapped[bool | None] = mapped_column(Boolean)
    results_diffusion: Mapped[bool | None] = mapped_column(Boolean)
    operation_mechanism: Mapped[bool | None] = mapped_column(Boolean)
    management_mechanism: Mapped[bool | None] = mapped_column(Boolean)
    collaborative_innovation: Mapped[bool | None] = mapped_column(Boolean)

    application: Mapped[Application] = relationship(back_populates="systems")


class Member(Base):
    """A member unit (成员单位), the lead unit included."""
    __tablename__ = "members"
    __table_args__ = (Index("ix_members_application_position", "application_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text, index=True)
    uscc: Mapped[str] = mapped_column(Text, index=True)
    kind: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    in_region: Mapped[bool] = mapped_column(Boolean)
    legal_rep: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    chain_segment: Mapped[str | None] = mapped_column(Text)
    research_direction: Mapped[str | None] = mapped_column(Text)
    employees: Mapped[int | None] = mapped_column(Count)
    rd_staff: Mapped[int | None] = mapped_column(Count)
    senior_titles: Mapped[int | None] = mapped_column(Count)
    revenue_wan: Mapped[float | None] = mapped_column(Float)
    rd_spend_wan: Mapped[float | None] = mapped_column(Float)
    enterprise_class: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    projects_municipal_or_above: Mapped[int | None] = mapped_column(Count)
    high_level_talent: Mapped[str | None] = mapped_column(String(32))
    integrity_ok: Mapped[bool | None] = mapped_column(Boolean)
    contact: Mapped[Any] = mapped_column(JSONValue, nullable=True)
    platforms_listed: Mapped[bool] = mapped_column(Boolean, default=False)  # "platforms": [] vs absent
    # the USCC checksum verdict (NULL = valid), computed at save so checking thousands stays fast
    uscc_error: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="members")
    platforms: Mapped[list[Platform]] = relationship(back_populates="member", cascade="all, delete-orphan",
                                                     order_by="Platform.position")


class Platform(Base):
    """A research platform of a member (企业技术中心, 重点实验室 …) with its level."""
    __tablename__ = "platforms"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str | None] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(Text)
    approved_on: Mapped[date | None] = mapped_column(Date)

    member: Mapped[Member] = relationship(back_populates="platforms")


class OfficeHolder(Base):
    """A person on the council (理事会) or the expert committee (专家咨询委员会)."""
    __tablename__ = "office_holders"
    __table_args__ = (Index("ix_office_holders_application", "application_id", "body", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(String(32))  # "council" | "expert_committee"
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    role: Mapped[str] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="office_holders")


class MaterialReceipt(Base):
    """A required material received on paper or electronically, by the region's code."""
    __tablename__ = "materials"
    __table_args__ = (Index("ix_materials_application", "application_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(Text)
    received: Mapped[bool] = mapped_column(Boolean)
    copies: Mapped[int | None] = mapped_column(Count)
    note: Mapped[str | None] = mapped_column(Text)

    application: Mapped[Application] = relationship(back_populates="materials")


class Confirmation(Base):
    """A person's judgement of a manual checklist item: who, when, note."""
    __tablename__ = "confirmations"
    __table_args__ = (UniqueConstraint("application_id", "rule", name="uq_confirmations_application_rule"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))  # "met" | "not_met"
    by: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str] = mapped_column(Text, default="")

    application: Mapped[Application] = relationship(back_populates="confirmations")
