"""alliance_desk.first_page: the first page read with the stdlib sqlite3 module equals
listing.load_first, and a file it must not read raw (older schema, crash leftovers, not a plain
SQLite path) is left to the full open."""
from __future__ import annotations

import shutil
from pathlib import Path
import sqlite3

import pytest

from alliance_desk import first_page, listing, store
from db.session import head_revision as alembic_head
from factory import eligible, variant


@pytest.fixture
def stored(make_db, tmp_path):
    db = make_db("first")
    if not str(db.url).startswith("sqlite"):
        pytest.skip("the raw first page reads SQLite files only")
    docs = [eligible(r) for r in ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")]
    docs.append(variant("gansu", "no-members", name="甘肃省无成员产业技术创新联盟"))
    docs[-1]["members"] = []
    store.import_documents(db, [("", d) for d in docs])
    path = db.label
    return db, path


def test_head_revision_read_from_the_files_is_alembics():
    assert first_page.head_revision() == alembic_head()


def test_first_page_equals_load_first(stored):
    db, path = stored
    expected = {limit: listing.load_first(db, limit) for limit in (1, 3, 200)}
    calls = listing.stored_call_names(db)
    db.dispose()  # as at start-up: no connection open, so no write-ahead log beside the file
    for limit, rows in expected.items():
        assert first_page.read(path, limit) == (rows, calls)
    assert any(r.member_count == 0 and r.lead_name == "" for r in first_page.read(path, 200)[0])


def test_old_schema_is_not_read_raw(stored, tmp_path):
    db, path = stored
    old = tmp_path / "old.sqlite"
    db.dispose()
    shutil.copy(path, old)
    with sqlite3.connect(old) as con:
        con.execute("UPDATE alembic_version SET version_num = '0008'")
    assert first_page.read(str(old), 200) is None
    with sqlite3.connect(old) as con:
        con.execute("DROP TABLE alembic_version")
    assert first_page.read(str(old), 200) is None
    assert first_page.read(path, 200) is not None


def test_crash_leftovers_and_other_targets_are_not_read_raw(stored, tmp_path, monkeypatch):
    db, path = stored
    db.dispose()
    wal = tmp_path / "first.sqlite-wal"
    wal.write_bytes(b"\0" * 32)  # a log a crashed session left behind
    assert first_page.read(path, 200) is None
    wal.unlink()
    assert first_page.read(path, 200) is not None
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/x")
    assert first_page.read(None, 200) is None
    assert first_page.read("postgresql+psycopg://postgres@127.0.0.1:1/x", 200) is None
    assert first_page.read(str(tmp_path / "missing.sqlite"), 200) is None
    assert not (tmp_path / "missing.sqlite").exists()
    garbage = tmp_path / "garbage.sqlite"
    garbage.write_bytes(b"not a database" * 50)
    assert first_page.read(str(garbage), 200) is None
    assert garbage.read_bytes() == b"not a database" * 50


def test_without_a_path_the_default_database_is_read(stored, monkeypatch, tmp_path):
    """A clerk starts the app with no arguments: the first page comes from the default database
    (the environment's URL, else the user data directory) just as from a named file."""
    db, path = stored
    expected = listing.load_first(db, 200), listing.stored_call_names(db)
    db.dispose()
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", f"sqlite:///{path}")
    assert first_page.read(None, 200) == expected
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", f"sqlite:///{path}?mode=ro")
    assert first_page.read(None, 200) is None  # options: the full open reads them
    monkeypatch.delenv("ALLIANCE_DESK_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # where appdirs puts user data on Linux
    home = tmp_path / "data" / "AllianceDesk"
    assert first_page.read(None, 200) is None  # no database yet: the full open creates it
    shutil.copy(path, home / "alliance-desk.sqlite")
    assert first_page.read(None, 200) == expected


@pytest.mark.parametrize("url, plain", [
    ("sqlite:///x.db", True), ("sqlite:////tmp/a.sqlite", True), ("sqlite:///:memory:", False), ("sqlite://", False),
    ("sqlite:///x.db?mode=ro", False), ("sqlite:///file:x", False), ("sqlite:///file:x?mode=memory&uri=true", False),
    ("sqlite+pysqlite:////tmp/b.db", False), ("postgresql+psycopg://u@h/db", False),
])
def test_the_start_up_reading_of_a_url_agrees_with_the_full_open(url, plain):
    """db.location reads plain SQLite URLs without SQLAlchemy (anything else waits for the full
    open); where it names a file, it is the file the full open (db.sqlite_file.sqlite_path) names."""
    from db.location import sqlite_file_of
    from db.sqlite_file import sqlite_path
    from sqlalchemy.engine import make_url

    found = sqlite_file_of(url)
    assert (found is not None) is plain
    if plain:
        assert found == sqlite_path(url) == Path(make_url(url).database)
