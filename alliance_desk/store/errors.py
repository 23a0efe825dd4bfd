"""The store's refusals: one base class every service raises with a Chinese message (what and
where), and the conflict of optimistic locking. Its own module so that every part of the store,
however low, can raise them without importing the services above it.
"""
from __future__ import annotations


class StoreError(ValueError):
    """A refused store operation; the message is Chinese and says what and where."""


class ConflictError(StoreError):
    """Someone else saved the application since it was opened (optimistic locking)."""
