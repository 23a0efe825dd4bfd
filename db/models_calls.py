"""Pack versions: an office's revision of its region's shipped pack (a revised notice). Storage
only: deriving, validating and loading live in alliance_desk/store/pack_versions.py."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class PackVersion(Base):
    """The pack TOML it was derived from (kept whole, so a later app release with another shipped
    pack never changes it) and the changes made to it, as JSON. Never changed once a call uses it."""
    __tablename__ = "pack_versions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    region: Mapped[str] = mapped_column(String(32), index=True)
    label: Mapped[str] = mapped_column(Text)
    notice: Mapped[str] = mapped_column(Text)          # the revised notice's document number
    notice_date: Mapped[date | None] = mapped_column(Date)
    format_version: Mapped[int] = mapped_column(Integer)
    base_text: Mapped[str] = mapped_column(Text)       # the pack TOML it derives from
    changes: Mapped[str] = mapped_column(Text)         # JSON list of changes (pack_versions.Change)
    digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(Text, default="")  # "derived here", or the imported file and sender
