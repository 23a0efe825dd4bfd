"""Backups and restore of the SQLite database file: the service the app and the CLI call.

- `daily_backup(db)`: the start-up backup (the first start of each day), then the rotation.
- `restore(db, file)` refuses a file that is not an Alliance Desk database, is damaged, or comes
  from a newer schema (an Alembic revision this build does not know); the replaced database is
  kept beside it as `<stem>.replaced-<timestamp>.sqlite`.

The file-level parts (copies, rotation, `PRAGMA quick_check`, the pre-migration copy) live in
db/sqlite_file.py, which db.session.open_database uses before any session exists; their names are
re-exported here for the callers that reach them as `backup.X`. Only for SQLite files; PostgreSQL
servers are backed up with the server's own tools. No Qt.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from db.revisions import known_revisions, newer_schema_message
from db.sqlite_file import (  # noqa: F401  (re-exported: callers use backup.X)
    AUTO_KINDS, BACKUP_DIR, KEEP_DAILY, KEEP_WEEKLY, SQLITE_HEADER, _STAMP, BackupError, BackupInfo,
    DatabaseDamaged, Health, connect, fsync_dir, backup_to, backups_dir, before_migration,
    check_database, check_on_open, crash_suspected, latest_good_backup, list_backups, quick_check,
    rotate, sqlite_path, take_backup)


@dataclass
class RestoreResult:
    path: Path
    source: Path
    replaced: Path | None
    revision: str


def daily_backup(db_path: str | os.PathLike, now: datetime | None = None) -> BackupInfo | None:
    """The start-up backup: taken when this database has none from today yet; then rotate."""
    db_path = Path(db_path)
    now = now or datetime.now()
    if not db_path.is_file():
        return None
    if any(b.taken_at.date() == now.date() for b in list_backups(db_path, ("startup",))):
        return None
    info = take_backup(db_path, "startup", now)
    rotate(db_path, now)
    return info



# ------------------------------------------------------------------ restore

def inspect_file(path: str | os.PathLike) -> str:
    """The schema revision of an Alliance Desk database file; BackupError saying why not."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"文件不存在：{path}")
    problems = quick_check(path)
    if problems == ["文件头不是 SQLite 数据库（文件被覆盖或严重损坏）"]:
        raise BackupError(f"{path.name} 不是 Alliance Desk 数据库（不是 SQLite 数据库文件）")
    if problems:
        raise BackupError(f"{path.name} 已损坏，不能用来恢复：{'；'.join(problems[:3])}")
    try:
        conn = connect(path, "ro")
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if "alembic_version" not in tables or "applications" not in tables:
                raise BackupError(f"{path.name} 不是 Alliance Desk 数据库（缺少申报表或版本信息）")
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise BackupError(f"{path.name} 无法读取：{exc}") from None
    if not row or not row[0]:
        raise BackupError(f"{path.name} 不是 Alliance Desk 数据库（没有数据库结构版本）")
    revision = str(row[0])
    if revision not in known_revisions():
        raise BackupError(f"{path.name}：" + newer_schema_message(revision).replace("；数据库未作任何修改", "，不能用来恢复"))
    return revision


def restore(db_path: str | os.PathLike, source: str | os.PathLike, now: datetime | None = None,
            actor: str | None = None, accept_other: bool = False) -> RestoreResult:
    """Replace the database with `source` (an Alliance Desk database or backup). The database must
    not be open in the app (lock file); the backup's audit trail must verify, and a backup of
    another database (restore_guard.difference) is refused unless `accept_other`; the replaced one
    is kept as `<stem>.replaced-<ts>.sqlite`. The restored data and the audit row of the restore
    land in one step: the row is written into a staging copy first, which then replaces the
    database's content in one SQLite transaction (a kill leaves the old or the new, never the data
    without its row)."""
    from alliance_desk.store import locking
    from alliance_desk.store import restore_guard

    db_path, source = Path(db_path), Path(source)
    if db_path.exists() and source.exists() and db_path.resolve() == source.resolve():
        raise BackupError("要恢复的文件就是当前数据库本身")
    revision = inspect_file(source)
    holder = locking.holder(db_path)
    if holder is not None:
        raise BackupError(f"数据库正在被使用：{holder.text()}；请先关闭那边的 Alliance Desk 再恢复")
    broken = restore_guard.chain_problem(source)
    if broken:
        raise BackupError(f"{source.name} 的审计记录校验未通过，不能用来恢复：{broken}")
    other = restore_guard.difference(db_path, source)
    if other and not accept_other:
        raise BackupError(f"{source.name} 不是本数据库的备份：{other}。如确要用它替换当前数据库，请确认"
                          "（命令行加 --other-database）")
    now = (now or datetime.now()).replace(microsecond=0)
    replaced = None
    if db_path.exists():
        replaced = db_path.with_name(f"{db_path.stem}.replaced-{now.strftime(_STAMP)}.sqlite")
        n = 2
        while replaced.exists():
            replaced = db_path.with_name(f"{db_path.stem}.replaced-{now.strftime(_STAMP)}-{n}.sqlite")
            n += 1
    staging = db_path.with_name(f"{db_path.stem}.restoring-{os.getpid()}.sqlite")
    try:
        backup_to(source, staging)
        _record_restore(staging, db_path, source, replaced, revision, actor, other)
        if replaced is not None:
            try:
                backup_to(db_path, replaced)
                _copy_into(staging, db_path)
            except (BackupError, sqlite3.Error):
                # the current file is too damaged for SQLite to copy or overwrite: move it (and its
                # log) aside as it is, and restore into a fresh file
                os.replace(db_path, replaced)
                for suffix in ("-wal", "-shm"):
                    side = Path(str(db_path) + suffix)
                    if side.exists():
                        os.replace(side, Path(str(replaced) + suffix))
                _copy_into(staging, db_path)
        else:
            _copy_into(staging, db_path)
    finally:
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(staging) + suffix).unlink(missing_ok=True)
    fsync_dir(db_path.parent)
    return RestoreResult(db_path, source, replaced, revision)


def _copy_into(source: Path, db_path: Path) -> None:
    """Overwrite the content of `db_path` with `source` through SQLite (one transaction on the
    destination: a crash in the middle leaves the old content)."""
    src = connect(source, "ro")
    try:
        dst = sqlite3.connect(str(db_path), timeout=30, isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=WAL")
        finally:
            dst.close()
    finally:
        src.close()


def _record_restore(staging: Path, db_path: Path, source: Path, replaced: Path | None, revision: str,
                    actor: str | None, other: str | None) -> None:
    """Bring the staging copy to this build's schema and write the restore's audit row into it."""
    from sqlalchemy.orm import sessionmaker

    from db.session import current_revision, head_revision, make_engine, upgrade

    from alliance_desk.store import audit

    engine = make_engine("sqlite:///" + str(staging))
    try:
        if current_revision(engine) != head_revision():
            upgrade(engine)      # an older backup: migrated in the copy (the backup stays as it was)
        after = {"restored_from": str(source), "revision": revision}
        if other:
            after["other_database_confirmed"] = other
        with sessionmaker(engine).begin() as s:
            audit.record(s, actor, "restore", "database", db_path.name,
                         {"replaced_kept_as": replaced.name if replaced else None}, after)
    finally:
        engine.dispose()
    conn = connect(staging, "rw")   # one self-contained file for _copy_into's read-only open
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
