"""Shared fixtures. Every database a test touches is real: a SQLite file, or a PostgreSQL database
on the server named by ALLIANCE_DESK_TEST_PG_URL (scripts/test.sh starts a private one).

Backends: the `db` fixture (and `make_db`) is a fresh, migrated SQLite file by default. In the
modules listed in BOTH_BACKENDS — or marked `pytestmark = pytest.mark.backends("sqlite",
"postgresql")` — every test that uses `db` runs once per backend (ids `[sqlite]`, `[postgresql]`).
On PostgreSQL each test gets its own database, created from a template database migrated once per
session (CREATE DATABASE … TEMPLATE …, about 0.1 s) and dropped afterwards. Without
ALLIANCE_DESK_TEST_PG_URL the `[postgresql]` cases are skipped, saying so.
"""
import os
import sys
import uuid
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests import factory/strategies helpers

import pytest  # noqa: E402

PG_ENV = "ALLIANCE_DESK_TEST_PG_URL"
BACKENDS = ("sqlite", "postgresql")

# Modules whose `db` (and `make_db`) tests run on both backends: the storage, import, review,
# lifecycle, round-trip and package tests. test_cli opens its own SQLite files (its PostgreSQL twin
# is in test_postgres.py); listed here, its tests run on both as soon as they take `db`.
# A module may say so itself instead: pytestmark = pytest.mark.backends("sqlite", "postgresql").
BOTH_BACKENDS = {
    "test_store.py", "test_lifecycle.py", "test_review.py", "test_roundtrip.py", "test_packages.py",
    "test_cli.py", "test_optimistic_locking.py", "test_postgres.py",
}

# Tests in those modules that look inside the SQLite file itself; PostgreSQL twins of what they
# check live in tests/test_postgres.py.
SQLITE_ONLY = {
    "test_store.py::test_sqlite_pragmas_and_migration": "checks SQLite PRAGMAs",
    "test_store.py::test_failed_write_leaves_database_exactly_as_it_was":
        "digests the SQLite file (PostgreSQL: test_postgres.py::test_failed_import_leaves_the_database_as_it_was)",
    "test_lifecycle.py::test_refusals_are_chinese_and_write_nothing": "digests the SQLite file",
}


def pytest_configure(config):
    config.addinivalue_line("markers", "backends(*names): run this module's/test's `db` tests on these "
                                       "database backends (sqlite, postgresql)")


def _backends_for(metafunc) -> tuple[str, ...]:
    marker = metafunc.definition.get_closest_marker("backends")
    module = Path(str(metafunc.definition.fspath)).name
    if marker is not None:
        wanted = tuple(marker.args)
    elif module in BOTH_BACKENDS:
        wanted = BACKENDS
    else:
        wanted = ("sqlite",)
    unknown = set(wanted) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"unknown backend(s) {sorted(unknown)} on {metafunc.definition.nodeid}")
    if f"{module}::{metafunc.function.__name__}" in SQLITE_ONLY:
        wanted = tuple(b for b in wanted if b == "sqlite")
    return wanted


def pytest_generate_tests(metafunc):
    if "backend" not in metafunc.fixturenames:
        return
    wanted = _backends_for(metafunc)
    if wanted == ("sqlite",):
        return  # ids stay as they were
    params = []
    for name in wanted:
        marks = []
        if name == "postgresql" and not os.environ.get(PG_ENV):
            marks.append(pytest.mark.skip(reason=f"PostgreSQL: {PG_ENV} is not set (bash scripts/test.sh sets it)"))
        params.append(pytest.param(name, id=name, marks=marks))
    metafunc.parametrize("backend", params, indirect=True)


@pytest.fixture
def backend(request) -> str:
    """The database backend of this test: "sqlite" unless parametrised (see BOTH_BACKENDS)."""
    return getattr(request, "param", "sqlite")


class PgServer:
    """The test PostgreSQL server: a template database migrated to head, and fresh copies of it."""

    def __init__(self, url: str):
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        if self.url.drivername == "postgresql":
            self.url = self.url.set(drivername="postgresql+psycopg")
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=_null_pool())
        self.prefix = f"ad_{os.getpid()}_"
        self.template = self.prefix + "template"
        self.version = int(self._sql("SHOW server_version_num")[0][0])
        self._drop_stale()
        self._create(self.template)
        from db.session import open_database

        tpl = open_database(self.url_of(self.template))  # runs the migrations 0001 -> head
        tpl.dispose()

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _sql(self, sql: str) -> list:
        from sqlalchemy import text

        with self.admin.connect() as c:
            res = c.execute(text(sql))
            return res.fetchall() if res.returns_rows else []

    def _create(self, name: str, template: str | None = None) -> None:
        sql = f'CREATE DATABASE "{name}"'
        if template:
            # FILE_COPY (PostgreSQL 15+) copies the small template's files at once: ~0.03 s, not ~0.3 s
            sql += f' TEMPLATE "{template}"' + (" STRATEGY FILE_COPY" if self.version >= 150000 else "")
        self._sql(sql)

    def drop(self, name: str) -> None:
        self._sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def _drop_stale(self) -> None:
        """Databases left by an earlier test run that died (its process is gone)."""
        for (name,) in self._sql("SELECT datname FROM pg_database WHERE datname LIKE 'ad\\_%\\_%'"):
            pid = name.split("_")[1]
            if pid.isdigit() and int(pid) != os.getpid() and not Path(f"/proc/{pid}").exists():
                self.drop(name)

    def fresh(self) -> str:
        """A new database with the migrated schema; returns its name (url_of gives its URL)."""
        name = self.prefix + uuid.uuid4().hex[:12]
        self._create(name, template=self.template)
        return name

    def fresh_empty(self) -> str:
        """A new database without any schema (the caller drops it)."""
        name = self.prefix + "empty_" + uuid.uuid4().hex[:8]
        self._create(name)
        return name

    def close(self) -> None:
        for (name,) in self._sql(f"SELECT datname FROM pg_database WHERE datname LIKE '{self.prefix}%'"):
            self.drop(name)
        self.admin.dispose()


def _null_pool():
    from sqlalchemy.pool import NullPool

    return NullPool


@pytest.fixture(scope="session")
def pg_server():
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL: {PG_ENV} is not set")
    server = PgServer(url)
    yield server
    server.close()


@pytest.fixture
def make_db(request, backend, tmp_path):
    """A factory of fresh, migrated databases on this test's backend: make_db("county") …"""
    from db.session import open_database

    opened: list = []
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if backend == "postgresql" else None

    def make(label: str = "test"):
        if server is None:
            database = open_database(tmp_path / f"{label}.sqlite")
        else:
            name = server.fresh()
            made.append(name)
            database = open_database(server.url_of(name))
        opened.append(database)
        return database

    yield make
    for database in opened:
        database.dispose()
    for name in made:
        server.drop(name)


@pytest.fixture
def db(make_db):
    """A fresh, migrated database for each test: a SQLite file, or (parametrised) a PostgreSQL database."""
    return make_db("test")
