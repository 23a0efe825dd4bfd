"""The command line's writers take the desktop app's writer lock (alliance_desk.store.locking).

Every subcommand that may write a SQLite database takes the lock `<db>.lock` for as long as it
runs: while a desktop seat holds it the command refuses at once with 「数据库正在被使用…」 and
writes nothing; while another command holds it (two imports started together) it waits its turn.
Commands that only read run without it. A write the database itself still turns away (SQLite's
"database is locked" after its busy timeout) is reported in Chinese, never as a raw driver error.
PostgreSQL databases have no lock file: the server serialises writers itself.
"""
from __future__ import annotations

import sys

# (command, subcommand …) that never write the database; everything else is treated as a writer
READERS = {
    ("validate",), ("check",), ("export-json",), ("check-db",), ("gui",), ("info",), ("backup",),
    ("check-integrity",), ("audit",), ("lifecycle", "due"), ("lifecycle", "show"), ("lifecycle", "dashboard"),
    ("package", "verify"), ("keys", "show"), ("keys", "export"), ("keys", "list"), ("calendar", "publicity-end"),
    ("calendar", "years"), ("calendar", "show"), ("certificates", "printers"),
    ("certificates", "calibration-sheet"), ("review", "round", "list"), ("review", "expert", "list"),
    ("review", "summary"), ("review", "export-summary"), ("clauses",), ("call", "list"),
    ("pack-version", "list"), ("pack-version", "params"), ("form", "blank"), ("form", "filled"),
}
EXIT_FAIL, EXIT_INVALID = 1, 2
UNCHANGED = "数据库未作任何修改"


def writes(command: str, args) -> bool:
    subs = {v for k, v in vars(args).items() if k.endswith("_command") and isinstance(v, str)}
    return not any(r[0] == command and set(r[1:]) <= subs for r in READERS)


def run(command: str, args, handler) -> int:
    """Run `handler(args)` holding the writer lock when the command writes a SQLite file."""
    lock = None
    if writes(command, args):
        # here, not above: a reading command (the window above all) starts without SQLAlchemy
        from db.session import resolve_url

        from alliance_desk.store import locking
        from alliance_desk.store.backup import sqlite_path

        path = sqlite_path(resolve_url(getattr(args, "db", None)))
        if path is not None:
            try:
                lock = locking.acquire_for_command(path)
            except locking.DatabaseInUse as exc:
                print(f"{exc}；本命令未执行，{UNCHANGED}。请等对方关闭 Alliance Desk 后再试", file=sys.stderr)
                return EXIT_INVALID
    try:
        return handler(args)
    except Exception as exc:
        sa = sys.modules.get("sqlalchemy.exc")  # not imported: the error cannot be one of its kind
        if sa is None or not isinstance(exc, sa.OperationalError) or (
                "locked" not in str(exc.orig).lower() and "busy" not in str(exc.orig).lower()):
            raise
        print(f"数据库正忙（另一个程序正在写入，等待超时），{UNCHANGED}；请稍后再试", file=sys.stderr)
        return EXIT_FAIL
    finally:
        if lock is not None:
            lock.release()
