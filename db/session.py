"""Engine and session factory. The database is always passed in; there is no global connection."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect
from sqlalchemy.orm import Session, sessionmaker

ENV_URL = "ALLIANCE_DESK_DATABASE_URL"
BUSY_TIMEOUT_MS = 5000
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def default_db_path() -> Path:
    import appdirs

    return Path(appdirs.user_data_dir("AllianceDesk")) / "alliance-desk.sqlite"


def resolve_url(db: str | os.PathLike | None = None) -> str:
    """`--db` wins, then ALLIANCE_DESK_DATABASE_URL, then the user data directory."""
    if db:
        text = str(db)
        if "://" in text:
            return text
        return "sqlite:///" + str(Path(text).expanduser().resolve())
    env = os.environ.get(ENV_URL)
    if env:
        return env
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return "sqlite:///" + str(path)


def _sqlite_setup(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        # Let SQLAlchemy, not the driver, decide where transactions begin (pysqlite quirk).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # FULL: a committed autosave survives power loss, not just a process crash.
        cur.execute("PRAGMA synchronous=FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        _sqlite_setup(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return ScriptDirectory.from_config(cfg).get_current_head()


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

    def session(self) -> Session:
        return self.Session()

    def dispose(self) -> None:
        self.engine.dispose()

    @property
    def label(self) -> str:
        return self.engine.url.database or self.url if self.url.startswith("sqlite") else \
            self.engine.url.render_as_string(hide_password=True)


def open_database(db: str | os.PathLike | None = None, migrate: bool = True) -> Database:
    url = resolve_url(db)
    engine = make_engine(url)
    if migrate and current_revision(engine) != head_revision():
        upgrade(engine)
    return Database(url=url, engine=engine, Session=sessionmaker(engine, expire_on_commit=False))
