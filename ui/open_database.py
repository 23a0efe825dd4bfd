"""Opening the database safely from the desktop app: one writer, damaged files, start-up backup.

    db = guard_open(path, parent)       # a Database, or None when the user chose to quit

For a SQLite file it
1. takes the lock `<db>.lock` (alliance_desk.store.locking). When another running Alliance Desk holds it,
   a dialog says who (user, computer, process, since when) and offers 只读打开 (read-only: the
   returned Database has `read_only = True` and cannot write) or 退出;
2. after a crash (a stale lock taken over, or a write-ahead log left behind) runs
   `PRAGMA quick_check`; when the file is damaged a dialog offers the newest good backup
   (用备份恢复), opening read-only to rescue what can be read, or 退出;
3. opens it (migrations back the file up first) and takes the day's start-up backup (or leaves it
   to the window, which takes it in the background: `backup_now=False`).
The Database keeps its lock as `database.lock` (released at exit).

PostgreSQL URLs are opened directly (the server handles concurrency, crash safety and backups).
The dialog functions are module-level (`ask_in_use`, `ask_damaged`) and can be replaced by the
caller (tests pass plain functions).
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QMessageBox, QWidget

from alliance_desk.store import backup
from alliance_desk.store import locking

translate = QCoreApplication.translate

READ_ONLY, QUIT, RESTORE = "read_only", "quit", "restore"


def ask_in_use(info: locking.LockInfo | None, path, parent: QWidget | None = None, leave: str | None = None) -> str:
    """Database in use: READ_ONLY or QUIT. `leave`: the other button's text (退出 at start-up, 取消
    when opening another database from the menu)."""
    who = info.text() if info is not None else translate("Safety", "另一个程序（锁文件无法读取）")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle(translate("Safety", "数据库正在使用"))
    box.setText(translate("Safety", "数据库 {name} 正在被 {who} 使用。").format(name=path.name, who=who))
    leave = leave or translate("Safety", "退出")
    box.setInformativeText(translate("Safety", "同一时间只能有一处修改数据。您可以只读打开（可以查看、导出，不能修改），或者{0}。").format(
        leave))
    ro = box.addButton(translate("Safety", "只读打开"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(leave, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(ro)
    box.exec()
    return READ_ONLY if box.clickedButton() is ro else QUIT


def ask_damaged(health: backup.Health, parent: QWidget | None = None) -> str:
    """Database damaged: RESTORE (only with a candidate backup), READ_ONLY or QUIT."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle(translate("Safety", "数据库已损坏"))
    box.setText(translate("Safety", "数据库 {name} 未通过完整性检查，可能在断电或程序异常退出时损坏。").format(
        name=health.path.name))
    detail = "\n".join(health.problems[:20])
    restore = None
    if health.candidate is not None:
        box.setInformativeText(translate("Safety", "可以用最近一份完好的备份恢复：{label}。当前数据库会另存一份，不会删除。").format(
            label=health.candidate.label))
        restore = box.addButton(translate("Safety", "用备份恢复"), QMessageBox.ButtonRole.AcceptRole)
    else:
        box.setInformativeText(translate("Safety", "没有找到完好的备份。可以只读打开，尽量导出还能读取的数据。"))
    box.setDetailedText(detail)
    ro = box.addButton(translate("Safety", "只读打开"), QMessageBox.ButtonRole.ActionRole)
    box.addButton(translate("Safety", "退出"), QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(restore or ro)
    box.exec()
    clicked = box.clickedButton()
    if restore is not None and clicked is restore:
        return RESTORE
    return READ_ONLY if clicked is ro else QUIT


def _error(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.critical(parent, title, text)


def guard_open(path=None, parent: QWidget | None = None, *, ask_in_use=ask_in_use, ask_damaged=ask_damaged,
               error=_error, backup_now: bool = True):
    """Open the database for the desktop app (see the module docstring); None = quit.

    `backup_now=False` leaves the day's start-up backup to the caller (the window takes it in the
    background: for a province's archive it copies more than a gigabyte)."""
    from db.session import open_database, resolve_url

    url = resolve_url(path)
    file = backup.sqlite_path(url)
    if file is None:
        return open_database(url)
    try:
        lock = locking.acquire(file)
    except locking.DatabaseInUse as exc:
        if ask_in_use(exc.info, file, parent) != READ_ONLY:
            return None
        return _read_only(file, parent, error)
    health = None
    if file.is_file() and (lock.took_over is not None or backup.crash_suspected(file)):
        health = backup.check_database(file)
    for _ in range(2):
        if health is not None and not health.ok:
            choice = ask_damaged(health, parent)
            if choice == RESTORE and health.candidate is not None:
                try:
                    backup.restore(file, health.candidate.path)
                except backup.BackupError as exc:
                    lock.release()
                    error(parent, translate("Safety", "恢复失败"), str(exc))
                    return None
            elif choice == READ_ONLY:
                lock.release()
                return _read_only(file, parent, error)
            else:
                lock.release()
                return None
        try:
            db = open_database(file)
            break
        except backup.DatabaseDamaged as exc:   # found damaged while opening: ask (once more at most)
            health = exc.health
        except backup.BackupError as exc:       # a newer schema, or the backup before migrating failed
            lock.release()
            error(parent, translate("Safety", "无法打开数据库"), str(exc))
            return None
    else:
        lock.release()
        error(parent, translate("Safety", "数据库已损坏"), health.text() if health else "")
        return None
    db.lock = lock
    db.read_only = False
    db.startup_backup = None
    if not backup_now:
        return db
    try:
        db.startup_backup = backup.daily_backup(file)
    except (backup.BackupError, OSError) as exc:   # never keep the clerk from working: say it, carry on
        db.startup_backup = None
        error(parent, translate("Safety", "自动备份失败"), str(exc))
    return db


def _read_only(file, parent, error):
    try:
        return locking.open_read_only(file)
    except Exception as exc:  # noqa: BLE001 - shown to the user, not a traceback
        error(parent, translate("Safety", "无法只读打开"), f"{type(exc).__name__}: {exc}")
        return None
