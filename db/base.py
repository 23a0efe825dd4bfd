"""The declarative base and the column types every model module shares.

Its own module so the model modules (db/models_*.py) import it without importing db/models.py,
which gathers them all (one direction, no import cycle).
"""
from __future__ import annotations

from sqlalchemy import JSON, BigInteger, Integer
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# JSON columns store lists/persons exactly as exchanged; SQL NULL stands for "key absent".
JSONValue = JSON(none_as_null=True)

# Counts from the exchange format (the schema gives no upper bound; the store refuses beyond 64 bits):
# BIGINT on PostgreSQL, whose INTEGER is 32-bit; INTEGER on SQLite, which is 64-bit already.
Count = BigInteger().with_variant(Integer(), "sqlite")
