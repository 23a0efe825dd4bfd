"""Models for working-day calendar, certificates and submission packages.

Storage only; the services are alliance_desk/lifecycle/workdays.py, alliance_desk/exports/certificates.py
and alliance_desk/exchange/packages.py.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, DateTime, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base


class CalendarYear(Base):
    """A year whose holidays and make-up working days (调休) are known.

    A working-day period that reaches a year without a row here is refused, never computed on
    weekends alone. Years the chinese-calendar library covers are seeded from it
    (source "chinese-calendar"); the office adds later years from the State Council notice
    (source "office"). An office-entered year is never overwritten by seeding."""
    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class CalendarDay(Base):
    """An exception to the Monday–Friday rule: a holiday ("holiday", on any weekday) or a
    weekend day that is a working day ("workday", 调休上班)."""
    __tablename__ = "calendar_days"
    __table_args__ = (Index("ix_calendar_days_year", "year"),)

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))  # "holiday" | "workday"
    name: Mapped[str] = mapped_column(Text, default="")  # 国庆节 …
    source: Mapped[str] = mapped_column(String(32))


class CertificateSeries(Base):
    """The last serial number issued per region and year (the number pattern is in the pack)."""
    __tablename__ = "certificate_series"

    region: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_serial: Mapped[int] = mapped_column(Integer, default=0)


class IssuedCertificate(Base):
    """A certificate number given to one recognised alliance. Printing again reuses the number.

    The alliance's name and lead unit are kept as printed (a later change of the application does
    not rewrite history); `application_id` is not a foreign key for the same reason."""
    __tablename__ = "issued_certificates"
    __table_args__ = (UniqueConstraint("application_id", "recognized_on", name="uq_certificates_application_date"),
                      UniqueConstraint("number", name="uq_certificates_number"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    number: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(32), index=True)
    year: Mapped[int] = mapped_column(Integer)
    serial: Mapped[int] = mapped_column(Integer)
    application_id: Mapped[str] = mapped_column(String(36), index=True)
    alliance_name: Mapped[str] = mapped_column(Text)
    lead_unit: Mapped[str] = mapped_column(Text)
    recognized_on: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    authority: Mapped[str] = mapped_column(Text)
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    last_printed_at: Mapped[datetime | None] = mapped_column(DateTime)


class PrinterCalibration(Base):
    """Offsets (mm) that move text printed on pre-printed certificate paper on one printer.

    Positive x moves text right, positive y moves it down."""
    __tablename__ = "printer_calibrations"

    printer: Mapped[str] = mapped_column(Text, primary_key=True)
    offset_x_mm: Mapped[float] = mapped_column(Float, default=0.0)
    offset_y_mm: Mapped[float] = mapped_column(Float, default=0.0)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class OfficeKey(Base):
    """This office's Ed25519 signing key for packages (one active key at a time).

    The private key is stored here, in the office's database, as unencrypted PKCS#8 PEM: every seat
    of the office signs with it, and whoever can read the database can already change its data.
    An office that wants more moves it out with `alliance-desk keys` (see alliance_desk/exchange/packages.py)."""
    __tablename__ = "office_keys"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(Text)   # raw 32 bytes, base64
    private_pem: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class TrustedKey(Base):
    """A sender's public key registered by this office: packages signed with it are accepted."""
    __tablename__ = "trusted_keys"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)
    office: Mapped[str] = mapped_column(Text)
    public_key: Mapped[str] = mapped_column(Text)   # raw 32 bytes, base64
    note: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(DateTime)


class PackageReceipt(Base):
    """A package imported here (the log a city office shows: who sent what, when)."""
    __tablename__ = "package_receipts"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    sender: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[str] = mapped_column(Text)  # as written in the manifest
    applications: Mapped[int] = mapped_column(Integer)
    first_imported_at: Mapped[datetime] = mapped_column(DateTime)
    last_imported_at: Mapped[datetime] = mapped_column(DateTime)
    times: Mapped[int] = mapped_column(Integer, default=1)
