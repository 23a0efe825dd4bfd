"""The office's signing keys as stored: its own active private key, and whom a key fingerprint
belongs to (a trusted office's key or this office's own). Low level on purpose: signed
application packages (exchange/packages.py) and signed pack versions (pack_versions.py) both
sign and verify with them; managing keys (creating, trusting, revoking) stays in packages.py.
"""
from __future__ import annotations

from alliance_desk.exchange.adpkg import PackageError
from db.session import unit_of_work


def private_key(db):
    """This office's name and signing key (its active key); PackageError when it has none."""
    from cryptography.hazmat.primitives import serialization
    from sqlalchemy import select

    from db.models_documents import OfficeKey

    with unit_of_work(db) as s:
        row = s.scalar(select(OfficeKey).where(OfficeKey.active.is_(True)))
        if row is None:
            raise PackageError("本单位还没有签名密钥：请先运行 alliance-desk keys init --office 本单位名称")
        return row.office, serialization.load_pem_private_key(row.private_pem.encode("ascii"), password=None)


def trusted_sender(db, fp: str) -> str | None:
    """The registered office name of a trusted key (or this office's own name), else None."""
    from sqlalchemy import select

    from db.models_documents import OfficeKey, TrustedKey

    with unit_of_work(db) as s:
        row = s.get(TrustedKey, fp)
        if row is not None:
            return row.office
        own = s.scalar(select(OfficeKey).where(OfficeKey.fingerprint == fp))
        return own.office if own is not None else None
