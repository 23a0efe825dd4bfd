"""Backups, restore and the health check of the SQLite database file.

- `backup_to(db, out)`: an online copy with SQLite's backup API (consistent even while the app
  writes; the copy is a self-contained rollback-journal file).
- Automatic backups live in `backups/` beside the database, named
  `<stem>-<kind>-YYYYmmdd-HHMMSS.sqlite`: `startup` (the first start of each day, `daily_backup`)
  and `migration` (before every schema migration, `before_migration`, called by
  `db.session.open_database`). Each kind is kept in rotation: the newest backup of each of the
  7 most recent days that have one, and the newest of each of the 4 most recent ISO weeks.
- `restore(db, file)` refuses a file that is not an Alliance Desk database, is damaged, or comes
  from a newer schema (an Alembic revision this build does not know); the replaced database is
  kept beside it as `<stem>.replaced-<timestamp>.sqlite`.
- `check_database(db)` runs `PRAGMA quick_check` and returns the verdict with the newest backup
  that passes the same check (the candidate the UI offers). `check_on_open(db)` does it when a
  crash is suspected (a write-ahead log left behind) and raises `DatabaseDamaged`.

Only for SQLite files; PostgreSQL servers are backed up with the server's own tools. No Qt, and
nothing heavy at import time (db/session.py imports this module when it opens a database).
"""
from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.request import pathname2url

BACKUP_DIR = "backups"
KEEP_DAILY = 7
KEEP_WEEKLY = 4
AUTO_KINDS = ("startup", "migration")
SQLITE_HEADER = b"SQLite format 3\x00"
_STAMP = "%Y%m%d-%H%M%S"


class BackupError(ValueError):
    """A refused backup or restore; the message is Chinese and says what and where."""


@dataclass
class BackupInfo:
    path: Path
    kind: str
    taken_at: datetime

    @property
    def label(self) -> str:
        kinds = {"startup": "启动时自动备份", "migration": "升级前自动备份", "manual": "手动备份"}
        return f"{self.taken_at:%Y-%m-%d %H:%M:%S}（{kinds.get(self.kind, self.kind)}）"


@dataclass
class Health:
    path: Path
    ok: bool
    problems: list[str] = field(default_factory=list)
    candidate: BackupInfo | None = None   # the newest backup that passes the check

    def text(self) -> str:
        if self.ok:
            return f"数据库 {self.path.name} 完整性检查通过"
        lines = [f"数据库 {self.path.name} 已损坏（完整性检查未通过）："] + [f"  {p}" for p in self.problems[:10]]
        if self.candidate is not None:
            lines.append(f"最近一份完好的备份：{self.candidate.path.name}，{self.candidate.label}")
        else:
            lines.append("没有找到完好的备份")
        return "\n".join(lines)


class DatabaseDamaged(BackupError):
    def __init__(self, health: Health):
        self.health = health
        super().__init__(health.text())


@dataclass
class RestoreResult:
    path: Path
    source: Path
    replaced: Path | None
    revision: str


# ------------------------------------------------------------------ paths and connections

def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases, memory and URI forms."""
    if not url.startswith("sqlite"):
        return None
    from sqlalchemy.engine import make_url

    u = make_url(url)
    db = u.database
    if not db or db == ":memory:" or db.startswith("file:") or u.query.get("mode") == "memory":
        return None
    return Path(db)


def backups_dir(db_path: str | os.PathLike) -> Path:
    return Path(db_path).parent / BACKUP_DIR


def _uri(path: Path, mode: str) -> str:
    return f"file:{pathname2url(str(Path(path).resolve()))}?mode={mode}"


def _connect(path: Path, mode: str = "rw") -> sqlite3.Connection:
    """A plain connection that never creates the file (mode rw or ro)."""
    conn = sqlite3.connect(_uri(path, mode), uri=True, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(str(path), os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def backup_to(db_path: str | os.PathLike, out: str | os.PathLike) -> Path:
    """Copy the live database to `out` with SQLite's online backup API (the file appears complete
    or not at all)."""
    src_path, out = Path(db_path), Path(out)
    if not src_path.is_file():
        raise BackupError(f"数据库文件不存在：{src_path}")
    if out.exists() and out.resolve() == src_path.resolve():
        raise BackupError("备份文件不能是数据库本身")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    tmp.unlink(missing_ok=True)
    try:
        src = _connect(src_path, "rw")
    except sqlite3.Error as exc:
        raise BackupError(f"无法打开数据库 {src_path.name}：{exc}") from None
    try:
        dst = sqlite3.connect(str(tmp), isolation_level=None)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")   # one self-contained file
        finally:
            dst.close()
    except sqlite3.Error as exc:
        tmp.unlink(missing_ok=True)
        raise BackupError(f"备份 {src_path.name} 失败：{exc}") from None
    finally:
        src.close()
    with open(tmp, "rb+") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, out)
    _fsync_dir(out.parent)
    return out


# ------------------------------------------------------------------ automatic backups and rotation

_NAME = re.compile(r"^(?P<stem>.+)-(?P<kind>startup|migration|manual)-(?P<stamp>\d{8}-\d{6})(?:-\d+)?\.sqlite$")


def list_backups(db_path: str | os.PathLike, kinds: tuple[str, ...] | None = None) -> list[BackupInfo]:
    """Backups of this database in its backups folder, newest first."""
    db_path = Path(db_path)
    folder = backups_dir(db_path)
    out = []
    if not folder.is_dir():
        return out
    for p in folder.iterdir():
        m = _NAME.match(p.name)
        if not m or m.group("stem") != db_path.stem or (kinds and m.group("kind") not in kinds):
            continue
        try:
            taken = datetime.strptime(m.group("stamp"), _STAMP)
        except ValueError:
            continue
        out.append(BackupInfo(p, m.group("kind"), taken))
    out.sort(key=lambda b: (b.taken_at, b.path.name), reverse=True)
    return out


def take_backup(db_path: str | os.PathLike, kind: str = "manual", now: datetime | None = None) -> BackupInfo:
    """A backup into the backups folder."""
    db_path = Path(db_path)
    now = (now or datetime.now()).replace(microsecond=0)
    folder = backups_dir(db_path)
    base = f"{db_path.stem}-{kind}-{now.strftime(_STAMP)}"
    out, n = folder / f"{base}.sqlite", 2
    while out.exists():
        out, n = folder / f"{base}-{n}.sqlite", n + 1
    backup_to(db_path, out)
    return BackupInfo(out, kind, now)


def rotate(db_path: str | os.PathLike, now: datetime | None = None) -> list[Path]:
    """Delete automatic backups outside the rotation (per kind: newest of each of the 7 most recent
    days with a backup, newest of each of the 4 most recent ISO weeks). Returns the deleted files."""
    removed = []
    for kind in AUTO_KINDS:
        backups = list_backups(db_path, (kind,))     # newest first
        keep: set[Path] = set()
        days: list = []
        weeks: list = []
        for b in backups:
            d = b.taken_at.date()
            if d not in days and len(days) < KEEP_DAILY:
                days.append(d)
                keep.add(b.path)
            w = b.taken_at.isocalendar()[:2]
            if w not in weeks and len(weeks) < KEEP_WEEKLY:
                weeks.append(w)
                keep.add(b.path)
        for b in backups:
            if b.path not in keep:
                try:
                    b.path.unlink()
                    removed.append(b.path)
                except OSError:
                    pass
    return removed


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


def known_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from db.session import MIGRATIONS_DIR

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return {s.revision for s in ScriptDirectory.from_config(cfg).walk_revisions()}


def _newer_schema(revision: str) -> str:
    return (f"数据库来自更新版本的 Alliance Desk（数据库结构版本 {revision}，本程序不认识），"
            "请先升级本程序再打开；数据库未作任何修改")


def before_migration(db_path: str | os.PathLike | None, revision: str | None, now: datetime | None = None
                     ) -> BackupInfo | None:
    """Called before migrating an existing database: refuse a schema from a newer build (any
    database), else back a SQLite file up (`db_path` None: not a SQLite file; a brand-new, empty
    database needs no backup)."""
    if revision is not None and revision not in known_revisions():
        raise BackupError(_newer_schema(revision))
    if db_path is None:
        return None
    db_path = Path(db_path)
    if revision is None or not db_path.is_file() or db_path.stat().st_size == 0:
        return None
    info = take_backup(db_path, "migration", now)
    rotate(db_path, now)
    return info


# ------------------------------------------------------------------ health

def quick_check(path: str | os.PathLike) -> list[str]:
    """Problems `PRAGMA quick_check` finds (empty = fine); a file that is not a database is one."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        return [f"无法读取：{exc.strerror or exc}"]
    if head != SQLITE_HEADER:
        return ["文件头不是 SQLite 数据库（文件被覆盖或严重损坏）"]
    try:
        conn = _connect(path, "rw")
        try:
            rows = [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [f"无法读取：{exc}"]
    return [] if rows == ["ok"] else [str(r) for r in rows]


def crash_suspected(db_path: str | os.PathLike) -> bool:
    """A write-ahead log is left behind: the last session did not close the database (a crash,
    a kill, a power cut) — or another process has it open right now."""
    wal = Path(str(db_path) + "-wal")
    try:
        return wal.stat().st_size > 0
    except OSError:
        return False


def latest_good_backup(db_path: str | os.PathLike) -> BackupInfo | None:
    for b in list_backups(db_path):
        if not quick_check(b.path):
            return b
    return None


def check_database(db_path: str | os.PathLike) -> Health:
    """The verdict of `PRAGMA quick_check` and, when damaged, the newest good backup."""
    db_path = Path(db_path)
    problems = quick_check(db_path)
    if not problems:
        return Health(db_path, True)
    return Health(db_path, False, problems, latest_good_backup(db_path))


def check_on_open(db_path: str | os.PathLike) -> None:
    """Run the quick check when a crash is suspected; raise DatabaseDamaged when it fails."""
    db_path = Path(db_path)
    if db_path.is_file() and crash_suspected(db_path):
        health = check_database(db_path)
        if not health.ok:
            raise DatabaseDamaged(health)


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
        conn = _connect(path, "ro")
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
        raise BackupError(f"{path.name}：" + _newer_schema(revision).replace("；数据库未作任何修改", "，不能用来恢复"))
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
    _fsync_dir(db_path.parent)
    return RestoreResult(db_path, source, replaced, revision)


def _copy_into(source: Path, db_path: Path) -> None:
    """Overwrite the content of `db_path` with `source` through SQLite (one transaction on the
    destination: a crash in the middle leaves the old content)."""
    src = _connect(source, "ro")
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
    conn = _connect(staging, "rw")   # one self-contained file for _copy_into's read-only open
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()
