"""The SQLite database file itself: its path in a URL, its health and its automatic copies.

- `sqlite_path(url)`: the file of a SQLite URL (None for servers, memory and URI forms).
- `backup_to(path, out)`: an online copy with SQLite's backup API (consistent even while the app
  writes; the copy is a self-contained rollback-journal file). Automatic copies live in `backups/`
  beside the database, named `<stem>-<kind>-YYYYmmdd-HHMMSS.sqlite`, each kind kept in rotation
  (the newest of each of the 7 most recent days that have one, the newest of each of the 4 most
  recent ISO weeks).
- `before_migration(path, revision)`: refuses a schema from a newer build (any database), else
  copies a SQLite file aside before its schema is migrated.
- `check_database(path)` runs `PRAGMA quick_check` and returns the verdict with the newest backup
  that passes the same check; `check_on_open(path)` does it when a crash is suspected (a
  write-ahead log left behind) and raises `DatabaseDamaged`.

It lives in db/ because `db.session.open_database` needs all of it before any session exists; the
backup and restore *service* (daily backups, restoring a file) is alliance_desk/store/backup.py.
Plain sqlite3, no Qt, nothing heavy at import time.
"""
from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.request import pathname2url

from db.location import sqlite_file_of
from db.revisions import known_revisions, newer_schema_message

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


# ------------------------------------------------------------------ paths and connections

def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases, memory and URI forms."""
    plain = sqlite_file_of(url)  # the usual `sqlite:///path`, without SQLAlchemy
    if plain is not None:
        return plain
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


def file_uri(path: Path, mode: str) -> str:
    return f"file:{pathname2url(str(Path(path).resolve()))}?mode={mode}"


def connect(path: Path, mode: str = "rw") -> sqlite3.Connection:
    """A plain connection that never creates the file (mode rw or ro)."""
    conn = sqlite3.connect(file_uri(path, mode), uri=True, timeout=30, isolation_level=None)
    conn.execute("PRAGMA busy_timeout=30000")
    return conn


def fsync_dir(path: Path) -> None:
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
        src = connect(src_path, "rw")
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
    fsync_dir(out.parent)
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


def before_migration(db_path: str | os.PathLike | None, revision: str | None, now: datetime | None = None
                     ) -> BackupInfo | None:
    """Called before migrating an existing database: refuse a schema from a newer build (any
    database), else back a SQLite file up (`db_path` None: not a SQLite file; a brand-new, empty
    database needs no backup)."""
    if revision is not None and revision not in known_revisions():
        raise BackupError(newer_schema_message(revision))
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
        conn = connect(path, "rw")
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
