"""The schema revisions this build knows: where the Alembic migrations live, the newest one, and
all of them (a database stamped with a revision outside this set comes from a newer build).

Low level on purpose: db/session.py (migrating on open) and db/sqlite_file.py (refusing a newer
schema before any change) both read it, and it imports nothing of the application.
"""
from __future__ import annotations

from pathlib import Path

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def _script_directory():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg)


def head_revision() -> str:
    return _script_directory().get_current_head()


def known_revisions() -> set[str]:
    return {s.revision for s in _script_directory().walk_revisions()}


def newer_schema_message(revision: str) -> str:
    return (f"数据库来自更新版本的 Alliance Desk（数据库结构版本 {revision}，本程序不认识），"
            "请先升级本程序再打开；数据库未作任何修改")
