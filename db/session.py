"""Engine and session factory. The database is always passed in; there is no global connection."""
from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db import sqlite_file
from db.location import ENV_URL, default_db_path, normalize_url, resolve_url  # noqa: F401  (re-exported)
from db.revisions import MIGRATIONS_DIR, head_revision  # noqa: F401  (head_revision: re-exported)

BUSY_TIMEOUT_MS = 5000


def is_postgresql(url_or_engine) -> bool:
    url = url_or_engine.url if isinstance(url_or_engine, Engine) else url_or_engine
    return str(url).startswith(("postgresql", "postgres:"))


def sqlite_setup(engine: Engine, read_only: bool = False) -> None:
    """The connection settings of every SQLite engine: the writer's (write-ahead log, durable
    commits) or a read-only one's (`query_only`, for a database another seat is writing)."""
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (pysqlite quirk).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA query_only=ON" if read_only else "PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if not read_only:
            # FULL: a committed autosave survives power loss, not just a process crash.
            cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


PG_CONNECT_TIMEOUT_S = 10


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        sqlite_setup(engine)
        return engine
    url = normalize_url(url)
    if is_postgresql(url):
        return _postgresql_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _postgresql_engine(url: str) -> Engine:
    """A seat's engine on the office's PostgreSQL server.

    - pre-ping: a connection the server or the LAN dropped (overnight, a server restart) is
      replaced instead of failing the next save;
    - a connect timeout, so an unreachable server is reported instead of hanging the window;
    - READ COMMITTED (PostgreSQL's default), with the application's own row claims where two seats
      may write the same rows (store.save_draft: optimistic locking that holds between seats);
    - the server sees each seat as `alliance-desk` in pg_stat_activity.
    Timestamps are stored as the seat wrote them (TIMESTAMP WITHOUT TIME ZONE, naive local time,
    as on SQLite); the schema has no server-side defaults.
    """
    connect_args = {"connect_timeout": PG_CONNECT_TIMEOUT_S, "application_name": "alliance-desk"}
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5, pool_recycle=3600,
                         connect_args=connect_args)


def postgresql_advisory_lock_key(name: str) -> int:
    """A stable 63-bit key for pg_advisory_lock (e.g. one per purpose: "migrate")."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"alliance-desk:{name}".encode()).digest()[:8], "big") >> 1


class migration_lock:
    """Context manager: on PostgreSQL, seats opening the database at the same moment take turns to
    check and run the migrations (a session-level advisory lock), so two first starts never race to
    create the same tables. On SQLite it does nothing (SQLite's own write lock serialises them)."""

    def __init__(self, engine: Engine):
        self.engine = engine
        self.conn = None

    def __enter__(self):
        if self.engine.dialect.name == "postgresql":
            self.conn = self.engine.connect()
            self.conn.exec_driver_sql(f"SELECT pg_advisory_lock({postgresql_advisory_lock_key('migrate')})")
            self.conn.commit()
        return self

    def __exit__(self, *exc):
        if self.conn is not None:
            try:
                self.conn.exec_driver_sql(
                    f"SELECT pg_advisory_unlock({postgresql_advisory_lock_key('migrate')})")
                self.conn.commit()
            finally:
                self.conn.close()
                self.conn = None
        return False


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest migration (Alembic owns the schema)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


@dataclass
class Database:
    url: str
    engine: Engine
    Session: sessionmaker[Session]
    lock: object | None = None  # alliance_desk.store.locking lock of the desktop app's writer, if any
    read_only: bool = False

    def session(self) -> Session:
        return self.Session()

    def dispose(self) -> None:
        self.engine.dispose()
        if self.lock is not None:  # the next start must not mistake a clean exit for a crash
            self.lock.release()
            self.lock = None

    @property
    def label(self) -> str:
        if self.url.startswith("sqlite"):
            # a read-only engine connects through a creator ("sqlite://"): the file is in self.url
            return self.engine.url.database or make_url(self.url).database or self.url
        return self.engine.url.render_as_string(hide_password=True)


@contextmanager
def unit_of_work(db: "Database | Session", write: bool = False) -> Iterator[Session]:
    """The one way a service reaches the database.

    Every service takes the database first as `db`: a `Database` (the service opens its own session,
    and with `write=True` its own transaction, committed when the block ends) or an open `Session`
    (the service joins the caller's session and transaction; the caller commits). So one service can
    run alone or as a step of a larger transaction without two versions of it.
    """
    if isinstance(db, Session):
        yield db
    elif write:
        with db.Session.begin() as s:
            yield s
    else:
        with db.Session() as s:
            yield s


def open_database(db: str | os.PathLike | None = None, migrate: bool = True) -> Database:
    url = resolve_url(db)
    # SQLite files: checked with PRAGMA quick_check when the last session left its log behind
    # (a crash; raises DatabaseDamaged), copied aside before any migration, and any database is
    # refused when its schema comes from a newer build (BackupError) so an old build never mangles it
    from sqlalchemy.exc import DBAPIError

    path = sqlite_file.sqlite_path(url)
    if path is not None:
        sqlite_file.check_on_open(path)
    engine = make_engine(url)
    try:
        revision = current_revision(engine) if migrate else None
    except Exception as exc:
        engine.dispose()
        if path is not None and isinstance(exc, DBAPIError):  # e.g. "database disk image is malformed"
            health = sqlite_file.check_database(path)
            if not health.ok:
                raise sqlite_file.DatabaseDamaged(health) from exc
        raise
    if migrate and revision != head_revision():
        try:
            sqlite_file.before_migration(path, revision)  # refuses a newer schema; backs a SQLite file up
            with migration_lock(engine):  # PostgreSQL: seats starting together take turns
                if current_revision(engine) != head_revision():
                    upgrade(engine)
        except BaseException:
            engine.dispose()
            raise
    return Database(url=url, engine=engine, Session=sessionmaker(engine, expire_on_commit=False))
