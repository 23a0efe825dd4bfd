"""One writer per database file: the lock file `<db>.lock` and read-only opening.

The app takes the lock when it opens a SQLite database (`acquire`); a second instance on the same
file — on this machine or another one sharing the folder — is told who holds it (host, user,
process id, since when) and may open the database read-only (`open_read_only`: SQLite `mode=ro`
plus `PRAGMA query_only`), which can never change or corrupt it. A lock left by a process that no
longer runs on this same machine (a crash, a kill) is stale and taken over; the caller is told
(`Lock.took_over`) so it can check the database (backup.check_database).

The lock file is JSON: {"format", "host", "user", "pid", "started_at", "token"}. It is created
atomically (written to a temporary file, then hard-linked into place, which fails if the lock
exists; O_EXCL where hard links are not available) and removed on release (only when it still
carries our token) and at interpreter exit. A lock from another machine cannot be checked for
liveness and is never taken over automatically.

No Qt.
"""
from __future__ import annotations

import atexit
import json
import os
import socket
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from alliance_desk.store.errors import StoreError

LOCK_FORMAT = "alliance-desk/lock@1"
UNREADABLE_GRACE_S = 10.0   # an empty/garbled lock younger than this may be one being written


@dataclass
class LockInfo:
    host: str
    user: str
    pid: int
    started_at: str
    token: str = ""
    purpose: str = "app"     # "app": a desktop seat; "command": a command-line writer

    def text(self) -> str:
        who = self.user or "未知用户"
        since = f"，自 {self.started_at[:19].replace('T', ' ')} 起" if self.started_at else ""
        return f"{who}（计算机 {self.host or '未知'}，进程 {self.pid}{since}）"

    @property
    def here(self) -> bool:
        return self.host == _host()


class DatabaseInUse(RuntimeError):
    """Another running instance holds the database; `info` says who (None: unreadable lock)."""

    def __init__(self, path: Path, info: LockInfo | None):
        self.path = path
        self.info = info
        who = info.text() if info is not None else "另一个程序（锁文件无法读取）"
        super().__init__(f"数据库 {path.name} 正在被 {who} 使用")


def _host() -> str:
    try:
        return socket.gethostname()
    except OSError:
        return ""


def lock_path(db_path: str | os.PathLike) -> Path:
    p = Path(db_path)
    return p.with_name(p.name + ".lock")


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine."""
    if pid <= 0:
        return False
    if sys.platform == "win32":
        import ctypes

        PROCESS_QUERY_LIMITED_INFORMATION, STILL_ACTIVE = 0x1000, 259
        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
        if not handle:
            return False
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def read_lock(db_path: str | os.PathLike) -> LockInfo | None:
    """The lock's content; None when there is no lock or it cannot be read."""
    try:
        return _parse(lock_path(db_path).read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


def _parse(text: str) -> LockInfo:
    data = json.loads(text)
    return LockInfo(str(data.get("host", "")), str(data.get("user", "")), int(data.get("pid", 0)),
                    str(data.get("started_at", "")), str(data.get("token", "")), str(data.get("purpose", "app")))


def is_stale(info: LockInfo) -> bool:
    """A lock of a process that no longer runs on this machine."""
    return info.here and info.pid != os.getpid() and not pid_alive(info.pid)


def holder(db_path: str | os.PathLike) -> LockInfo | None:
    """Who else holds the database (another live process, or a lock of another machine); None
    when it is free, stale, or held by this process."""
    path = lock_path(db_path)
    if not path.exists():
        return None
    info = read_lock(db_path)
    if info is None:
        return None if _age(path) > UNREADABLE_GRACE_S else LockInfo("", "", 0, "")
    if info.here and (info.pid == os.getpid() or not pid_alive(info.pid)):
        return None
    return info


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


class Lock:
    """A held database lock; `took_over` is the stale lock this one replaced (a crash before)."""

    def __init__(self, db_path: Path, info: LockInfo, took_over: LockInfo | None):
        self.db_path = db_path
        self.path = lock_path(db_path)
        self.info = info
        self.took_over = took_over
        self._released = False
        atexit.register(self.release)

    def release(self) -> None:
        if self._released:
            return
        self._released = True
        current = read_lock(self.db_path)
        if current is not None and current.token == self.info.token:
            try:
                self.path.unlink()
            except OSError:
                pass

    @property
    def held(self) -> bool:
        return not self._released

    def __enter__(self) -> "Lock":
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def _create(path: Path, text: str) -> None:
    """Create `path` holding `text`, atomically; FileExistsError when it exists."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise
    except OSError:
        # no hard links here (some network shares): exclusive create, then write
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


def acquire(db_path: str | os.PathLike, purpose: str = "app") -> Lock:
    """Take the database's lock; DatabaseInUse when another live instance holds it. A stale lock
    (dead process on this machine, or an unreadable lock older than a few seconds) is taken over."""
    from alliance_desk.store.audit import default_actor

    db_path = Path(db_path)
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    info = LockInfo(_host(), default_actor(), os.getpid(), datetime.now().astimezone().isoformat(timespec="seconds"),
                    uuid.uuid4().hex, purpose)
    text = json.dumps({"format": LOCK_FORMAT, "host": info.host, "user": info.user, "pid": info.pid,
                       "started_at": info.started_at, "token": info.token, "purpose": purpose}, ensure_ascii=False)
    took_over: LockInfo | None = None
    for _ in range(5):
        try:
            _create(path, text)
            return Lock(db_path, info, took_over)
        except FileExistsError:
            pass
        current = read_lock(db_path)
        if current is None:
            if _age(path) <= UNREADABLE_GRACE_S:
                raise DatabaseInUse(db_path, None)
            stale = LockInfo("", "", 0, "")
        elif is_stale(current):
            stale = current
        else:
            raise DatabaseInUse(db_path, current)
        # move the stale lock aside under a unique name, and make sure it is the one we judged
        aside = path.with_name(f"{path.name}.stale-{os.getpid()}-{uuid.uuid4().hex[:8]}")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            continue
        moved = _read_info(aside)
        if moved is not None and current is not None and moved.token != current.token:
            # another instance replaced it in between: put theirs back and look again
            try:
                os.link(aside, path)
            except OSError:
                pass
            aside.unlink(missing_ok=True)
            continue
        aside.unlink(missing_ok=True)
        took_over = stale
    raise DatabaseInUse(db_path, read_lock(db_path))


def _read_info(path: Path) -> LockInfo | None:
    try:
        return _parse(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, TypeError, AttributeError):
        return None


COMMAND_WAIT_S = 60.0   # how long a command-line writer waits for another command to finish


def acquire_for_command(db_path: str | os.PathLike, wait_s: float | None = None) -> Lock:
    """The writer lock for a command-line writer (import, decide, restore …): the same lock as the
    desktop app, so the two never write at once. Another command holding it (a second import
    started at the same moment) is waited for, up to `wait_s`; a desktop seat is not (it may stay
    open for hours): DatabaseInUse at once."""
    wait_s = COMMAND_WAIT_S if wait_s is None else wait_s
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return acquire(db_path, purpose="command")
        except DatabaseInUse as exc:
            waiting = exc.info is None or exc.info.purpose == "command"
            if not waiting or time.monotonic() >= deadline:
                raise
        time.sleep(0.1)


# ------------------------------------------------------------------ read-only opening

class ReadOnlyDatabase(StoreError):
    """A write was tried on a database opened read-only."""

    def __init__(self, path):
        super().__init__(f"数据库 {Path(path).name} 以只读方式打开（正被他人使用或已损坏），不能保存修改；"
                         "请等对方关闭后重新打开")


def open_read_only(db_path: str | os.PathLike):
    """A `db.session.Database` on the file that can only read (SQLite `mode=ro` and
    `PRAGMA query_only`); no migration, no lock. `database.read_only` is True."""
    import sqlite3

    from sqlalchemy import create_engine, event
    from sqlalchemy.orm import sessionmaker
    from sqlalchemy.pool import QueuePool

    from db.session import BUSY_TIMEOUT_MS, Database, sqlite_setup
    from db.sqlite_file import file_uri

    db_path = Path(db_path).resolve()
    if not db_path.is_file():
        raise FileNotFoundError(f"数据库文件不存在：{db_path}")
    uri = file_uri(db_path, "ro")

    def connect():
        return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    engine = create_engine("sqlite://", creator=connect, poolclass=QueuePool)

    sqlite_setup(engine, read_only=True)

    @event.listens_for(engine, "handle_error")
    def _on_error(context):
        # Every refused write becomes one message the clerk understands, whichever screen tried it.
        err = context.original_exception
        if isinstance(err, sqlite3.OperationalError) and "readonly" in str(err).replace(" ", "").lower():
            return ReadOnlyDatabase(db_path)
        return None

    database = Database(url="sqlite:///" + str(db_path), engine=engine,
                        Session=sessionmaker(engine, expire_on_commit=False))
    database.read_only = True
    return database
