"""The list's first page, read from a SQLite file with the stdlib `sqlite3` module at start-up.

Before the window can show the newest applications, opening the database the full way imports
SQLAlchemy and Alembic and checks the schema revision: most of a second on a slow machine. A file
whose schema is already the newest one can be read straight away instead, read-only, with the same
query `listing.load_first` runs (tests/test_first_page.py holds the two equal); the full open
(lock, crash check, backups, migrations when needed) follows right after the first paint. A file
with an older or unknown schema, one with a non-empty log beside it (a crash, or a writer at work:
the full open checks it first), or anything that is not a plain SQLite file is not read here:
`read` returns None and the start-up takes the full path. Without `--db` the default database is
read (db/location.py finds it without importing SQLAlchemy).

The newest revision is read from the migration files' own `revision = "…"` lines (no Alembic
import); a build without those files simply never takes this path.
"""
from __future__ import annotations

import re
import sqlite3
from datetime import datetime
from pathlib import Path

from alliance_desk.listing import Row, region_name
from db.location import resolve_url, sqlite_file_of

VERSIONS_DIR = Path(__file__).resolve().parents[1] / "db" / "migrations" / "versions"

_REVISION = re.compile(r"""^revision\s*=\s*['"]([^'"]+)['"]""", re.M)
_DOWN = re.compile(r"""^down_revision\s*=\s*['"]([^'"]+)['"]""", re.M)

# listing._rows_query, ordered and limited as listing.load_first_rows: keep the two alike
_FIRST_PAGE_SQL = """
SELECT a.id, a.name, a.region, a.call_id, a.county, a.industry,
       (SELECT m.name FROM members AS m WHERE m.application_id = a.id AND m.role = 'lead'
        ORDER BY m.position LIMIT 1),
       (SELECT count(*) FROM members AS m WHERE m.application_id = a.id),
       a.submitted_at, a.stage, a.n_fail, a.n_warn, a.n_manual, a.eligible, a.updated_at
FROM applications AS a
ORDER BY a.submitted_at DESC, a.name
LIMIT ?
"""


def head_revision(versions: Path = VERSIONS_DIR) -> str | None:
    """The one revision no other migration builds on; None when the files are missing or branch."""
    revisions, downs = set(), set()
    try:
        files = list(versions.glob("*.py"))
    except OSError:
        return None
    for f in files:
        text = f.read_text(encoding="utf-8")
        found = _REVISION.search(text)
        if found:
            revisions.add(found.group(1))
            down = _DOWN.search(text)
            if down:
                downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def plain_sqlite_path(target: str | None) -> Path | None:
    """The file of a `--db` value (or, without one, of the default database) naming an existing
    SQLite file with no log left beside it."""
    path = sqlite_file_of(resolve_url(target))
    if path is None or not path.is_file():
        return None
    # a non-empty log: a crash (or another seat writing right now) — the full open checks the file
    # first (store.backup.crash_suspected, not imported here: it would import SQLAlchemy); an empty
    # one is what a read-only look, like this one, leaves
    for tail in ("-journal", "-wal"):
        try:
            if path.with_name(path.name + tail).stat().st_size > 0:
                return None
        except OSError:
            pass
    return path


def _when(text) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def read(target: str | None, limit: int) -> tuple[list[Row], dict[str, str]] | None:
    """(first `limit` list rows, call id -> name) of an up-to-date SQLite file, or None."""
    path = plain_sqlite_path(target)
    head = head_revision() if path is not None else None
    if head is None:
        return None
    try:
        # a writer holding the file makes this a quick miss, not a wait: the full open follows anyway
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        stored = con.execute("SELECT version_num FROM alembic_version").fetchall()
        if stored != [(head,)]:
            return None  # older (or newer) schema: the full open migrates it or refuses it first
        rows = [Row(t[0], t[1], t[2], region_name(t[2]), t[3], t[4], t[5], t[6] or "", t[7] or 0, t[8], t[9],
                    t[10] or 0, t[11] or 0, t[12] or 0, bool(t[13]), _when(t[14]))
                for t in con.execute(_FIRST_PAGE_SQL, (limit,))]
        names = dict(con.execute("SELECT id, name FROM calls"))
    except (sqlite3.Error, ValueError):
        return None  # damaged or unexpected: the full open finds out and says so
    finally:
        con.close()
    return rows, names
