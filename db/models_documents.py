"""Models for working-day calendar, certificates and submission packages (issue 5)."""
from __future__ import annotations

from db.models import Base  # noqa: F401
