"""Where the database is: `--db`, else ALLIANCE_DESK_DATABASE_URL, else the user data directory.

Plain strings only (no SQLAlchemy import), so the window's start-up can find the SQLite file and
read its first page before the database layer is loaded (alliance_desk/first_page.py).
"""
from __future__ import annotations

import os
from pathlib import Path

ENV_URL = "ALLIANCE_DESK_DATABASE_URL"
SQLITE_PREFIX = "sqlite:///"


def default_db_path() -> Path:
    import appdirs

    return Path(appdirs.user_data_dir("AllianceDesk")) / "alliance-desk.sqlite"


def normalize_url(url: str) -> str:
    """PostgreSQL URLs use the psycopg (3) driver the app ships with: `postgresql://…` and
    `postgres://…` (as psql and many hosting panels write them) mean `postgresql+psycopg://…`."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """`--db` wins, then ALLIANCE_DESK_DATABASE_URL, then the user data directory.

    A value with `://` is a database URL (e.g. `postgresql+psycopg://user:pw@server/alliance` for an
    office whose seats share one PostgreSQL server); anything else is a SQLite file path."""
    if db:
        text = str(db)
        if "://" in text:
            return normalize_url(text)
        return SQLITE_PREFIX + str(Path(text).expanduser().resolve())
    env = os.environ.get(ENV_URL)
    if env:
        return normalize_url(env)
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return SQLITE_PREFIX + str(path)


def sqlite_file_of(url: str) -> Path | None:
    """The file of a plain `sqlite:///…` URL; None for other databases, in-memory ones and URLs with
    options (`db.sqlite_file.sqlite_path` reads those with SQLAlchemy's URL parser)."""
    if not url.startswith(SQLITE_PREFIX) or "?" in url:
        return None
    rest = url[len(SQLITE_PREFIX):]
    return Path(rest) if rest and rest != ":memory:" and not rest.startswith("file:") else None
