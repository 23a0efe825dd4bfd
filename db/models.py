"""SQLAlchemy 2.0 typed models: every table, importable from here (`from db.models import X`).

The models live in one module per capability (db/models_*.py, on the shared base of db/base.py);
importing this module puts every table in Base.metadata for Alembic and for tests.
"""
from __future__ import annotations

from db.base import Base, Count, JSONValue  # noqa: F401
from db.models_applications import *  # noqa: F401,F403
from db.models_archive import *  # noqa: F401,F403
from db.models_audit import *  # noqa: F401,F403
from db.models_calls import *  # noqa: F401,F403
from db.models_documents import *  # noqa: F401,F403
from db.models_lifecycle import *  # noqa: F401,F403
from db.models_review import *  # noqa: F401,F403
from db.models_trust import *  # noqa: F401,F403
