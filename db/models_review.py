"""Models for expert review rounds, assignments and scores (issue 4)."""
from __future__ import annotations

from db.models import Base  # noqa: F401
