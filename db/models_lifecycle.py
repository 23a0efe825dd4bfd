"""Models for procedure stages, decisions and obligations (issue 6)."""
from __future__ import annotations

from db.models import Base  # noqa: F401
