"""What a backup must prove before it replaces the database (backup.restore).

- Its audit trail is whole: the hash chain verifies and, from schema 0008 on, its applications
  match the trail (audit.verify on the file opened read-only). A broken backup is refused.
- It is this office's database: the first row of its trail (the database's birth certificate,
  hashed into every later row) and its active signing key are those of the current database. A
  backup of another database is refused unless the restore is confirmed naming the difference.
Databases too damaged to read, or still empty, have nothing to compare against.

The other way round, the backups are the trail's anchor outside the database (`backup_problems`,
run by `audit verify`): every backup taken since the last restore holds the chain's head at that
moment, and the current chain must still hold that row with that hash — a trail rewritten
consistently (every hash recomputed) or cut back before a backup no longer matches it. No Qt.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from db.session import unit_of_work


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _identity(path: Path) -> tuple[str | None, str | None] | None:
    """(hash of the trail's first row, active office key fingerprint) of a database file; None when
    it cannot be read."""
    from db.sqlite_file import connect

    try:
        conn = connect(path, "ro")
        try:
            tables = _tables(conn)
            first = conn.execute("SELECT hash FROM audit_log WHERE id = 1").fetchone() if "audit_log" in tables \
                else None
            key = conn.execute("SELECT fingerprint, office FROM office_keys WHERE active = 1").fetchone() \
                if "office_keys" in tables else None
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return (first[0] if first else None, f"{key[1]}（指纹 {key[0][:16]}）" if key else None)


def chain_problem(source: Path) -> str | None:
    """Why the backup's audit trail does not verify (None when it does, or it has none yet)."""
    from alliance_desk.store import audit
    from alliance_desk.store import locking

    from db.sqlite_file import connect

    try:
        conn = connect(source, "ro")
        try:
            tables = _tables(conn)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(applications)")}
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"无法读取：{exc}"
    if "audit_log" not in tables:
        return None   # a backup from before the audit trail existed
    db = locking.open_read_only(source)
    try:
        # schema 0008 on: applications are checked against the trail too; older ones: the chain
        result = audit.verify(db) if "audit_id" in columns else audit._verify_chain(db)
    finally:
        db.dispose()
    return None if result.ok else result.text().replace("\n", "；")


def difference(db_path: Path, source: Path) -> str | None:
    """How the backup differs in identity from the current database (None: the same, or nothing to
    compare against)."""
    if not db_path.is_file():
        return None
    mine, theirs = _identity(db_path), _identity(source)
    if mine is None or theirs is None:
        return None
    parts = []
    if mine[0] and theirs[0] and mine[0] != theirs[0]:
        parts.append("备份的审计记录与当前数据库不是同一条链（第一条记录不同），来自另一个数据库")
    if mine[1] and theirs[1] and mine[1] != theirs[1]:
        parts.append(f"备份中的本单位签名密钥为 {theirs[1]}，当前数据库为 {mine[1]}")
    return "；".join(parts) or None


BACKUPS_CHECKED = 5


def _head(path: Path) -> tuple[int, str] | None:
    from db.sqlite_file import connect

    try:
        conn = connect(path, "ro")
        try:
            if "audit_head" not in _tables(conn):
                return None
            row = conn.execute("SELECT last_id, last_hash FROM audit_head WHERE id = 1").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return (int(row[0]), str(row[1])) if row and row[0] else None


def backup_problems(db_path: Path, db) -> list[str]:
    """One line per recent backup (since the last restore) whose chain head the current trail no
    longer holds."""
    from datetime import datetime

    from sqlalchemy import func, select

    from db.models_audit import AuditEntry as E

    from db.sqlite_file import list_backups

    with unit_of_work(db) as s:
        restored = s.scalar(select(func.max(E.at)).where(E.action == "restore"))
        since = None
        if restored:
            try:
                since = datetime.fromisoformat(restored).astimezone().replace(tzinfo=None)
            except ValueError:
                since = None
        problems = []
        for b in list_backups(db_path)[:BACKUPS_CHECKED]:
            if since is not None and b.taken_at <= since:
                continue   # before the restore: a history the database has left on purpose
            head = _head(b.path)
            if head is None:
                continue
            now = s.scalar(select(E.hash).where(E.id == head[0]))
            if now != head[1]:
                problems.append(f"备份 {b.path.name}（{b.label}）时审计记录已有 {head[0]} 条，当前审计链的第 {head[0]} 条"
                                f"{'已不存在' if now is None else '与备份中的不同'}：审计记录在此之后被改写或截断")
        return problems
