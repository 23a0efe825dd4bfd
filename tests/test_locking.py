"""One writer per database file: the lock file with host, user, pid and start time, a second
instance told who holds it and able to open the file read-only, stale locks of dead processes taken
over, and a read-only instance that can never change or corrupt the file."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from alliance_desk import store
from alliance_desk.store import backup
from alliance_desk.store import locking
from db.session import open_database
from factory import eligible

HOLDER = textwrap.dedent("""
    import sys, time
    from alliance_desk.store import locking
    lock = locking.acquire(sys.argv[1])
    print("LOCKED", flush=True)
    sys.stdin.readline()          # hold the lock until the test says so (or kills us)
    lock.release()
""")


def start_holder(path: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "LOCKED"
    return proc


@contextmanager
def held_by_another(path: Path) -> Iterator[subprocess.Popen]:
    """Another running instance holds the database's lock for the block, then lets it go."""
    proc = start_holder(path)
    try:
        yield proc
    finally:
        proc.stdin.write("\n")
        proc.stdin.flush()
        proc.wait(timeout=30)


@pytest.fixture
def office(tmp_path):
    path = tmp_path / "office.sqlite"
    db = open_database(path)
    store.import_documents(db, [("", eligible("chongqing"))])
    db.dispose()
    return path


def test_a_second_instance_is_told_who_holds_the_database(office):
    with held_by_another(office) as proc:
        info = json.loads(locking.lock_path(office).read_text(encoding="utf-8"))
        assert set(info) >= {"host", "user", "pid", "started_at"} and info["pid"] == proc.pid
        with pytest.raises(locking.DatabaseInUse) as exc:
            locking.acquire(office)
        held = exc.value.info
        assert held.pid == proc.pid and held.here and held.user and held.started_at
        assert f"进程 {proc.pid}" in str(exc.value) and held.user in str(exc.value)
        assert locking.holder(office).pid == proc.pid
    assert not locking.lock_path(office).exists()            # released on the way out
    with locking.acquire(office) as lock:
        assert lock.held and lock.took_over is None
    assert not locking.lock_path(office).exists()


def test_a_stale_lock_of_a_killed_process_is_taken_over(office):
    proc = start_holder(office)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert locking.lock_path(office).exists() and locking.holder(office) is None
    lock = locking.acquire(office)
    try:
        assert lock.took_over is not None and lock.took_over.pid == proc.pid
        assert json.loads(locking.lock_path(office).read_text())["pid"] == os.getpid()
    finally:
        lock.release()


def test_locks_of_other_machines_and_half_written_locks(office):
    path = locking.lock_path(office)
    path.write_text(json.dumps({"host": "clerk-pc-07", "user": "zhangsan", "pid": 4242,
                                "started_at": "2024-05-06T08:30:00+08:00"}), encoding="utf-8")
    with pytest.raises(locking.DatabaseInUse) as exc:       # cannot tell whether it runs: never taken over
        locking.acquire(office)
    assert "zhangsan（计算机 clerk-pc-07，进程 4242，自 2024-05-06 08:30:00 起）" in str(exc.value)
    path.write_text("", encoding="utf-8")                    # being written right now
    with pytest.raises(locking.DatabaseInUse):
        locking.acquire(office)
    old = time.time() - 60
    os.utime(path, (old, old))                               # left empty by a crash long ago
    lock = locking.acquire(office)
    lock.release()


def test_read_only_instance_reads_but_never_writes(office):
    with held_by_another(office):
        ro = locking.open_read_only(office)
        try:
            assert ro.read_only
            with ro.Session() as s:
                assert store.count_applications(s) == 1
                assert s.connection().exec_driver_sql("PRAGMA query_only").scalar() == 1
            doc = eligible("gansu")
            # every refused write reads the same to the clerk, whichever service tried it
            with pytest.raises(locking.ReadOnlyDatabase, match="以只读方式打开.*不能保存修改"):
                store.import_documents(ro, [("", doc)])
            with pytest.raises(store.StoreError, match="以只读方式打开"):
                store.save_draft(ro, doc)
        finally:
            ro.dispose()
    con = sqlite3.connect(str(office))
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT COUNT(*) FROM applications").fetchone()[0] == 1
    con.close()


WRITER = textwrap.dedent("""
    import sys
    from alliance_desk import store
    from db.session import open_database
    sys.path.insert(0, sys.argv[2])
    from factory import eligible
    db = open_database(sys.argv[1])
    doc = eligible("ganzhou")
    for i in range(40):
        doc["name"] = f"赣州市第{i}次修改的产业科技创新联合体"
        store.save_draft(db, doc)
    print("DONE", flush=True)
""")


def test_a_reader_beside_a_busy_writer_never_corrupts_the_file(office):
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(office), str(Path(__file__).parent)],
                              stdout=subprocess.PIPE, text=True)
    ro = locking.open_read_only(office)
    try:
        seen = set()
        while writer.poll() is None:
            with ro.Session() as s:
                seen.add(store.count_applications(s))
            time.sleep(0.01)
    finally:
        ro.dispose()
    assert writer.wait(timeout=120) == 0 and "DONE" in writer.stdout.read()
    assert seen <= {1, 2}
    assert not backup.quick_check(office)


def test_guard_open_in_use_offers_read_only_or_quit(office):
    from ui.open_database import QUIT, READ_ONLY, guard_open

    with held_by_another(office) as proc:
        told = []
        assert guard_open(office, ask_in_use=lambda info, path, parent: told.append(info) or QUIT) is None
        assert told[0].pid == proc.pid
        db = guard_open(office, ask_in_use=lambda info, path, parent: READ_ONLY)
        try:
            assert db.read_only
            with db.Session() as s:
                assert store.count_applications(s) == 1
        finally:
            db.dispose()
    db = guard_open(office, ask_in_use=lambda *a: pytest.fail("the database is free"), error=lambda *a: None)
    try:
        assert db.read_only is False and db.lock.held
        assert json.loads(locking.lock_path(office).read_text())["pid"] == os.getpid()
        assert [b.kind for b in backup.list_backups(office)] == ["startup"]      # the day's start-up backup
    finally:
        db.lock.release()
        db.dispose()
    assert not locking.lock_path(office).exists()


def test_guard_open_after_a_crash_checks_the_database(office):
    from ui.open_database import guard_open

    proc = start_holder(office)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    asked = []
    db = guard_open(office, ask_damaged=lambda h, parent: asked.append(h), error=lambda *a: None)
    try:
        assert db is not None and asked == [] and db.lock.took_over.pid == proc.pid   # checked: healthy
    finally:
        db.lock.release()
        db.dispose()


def test_restore_is_refused_while_another_instance_holds_the_database(office, tmp_path):
    saved = backup.backup_to(office, tmp_path / "saved.sqlite")
    with held_by_another(office):
        with pytest.raises(backup.BackupError, match="正在被使用"):
            backup.restore(office, saved)
    assert backup.restore(office, saved).replaced is not None


def test_the_dialogs_say_who_and_offer_the_choices(qtbot, office, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.fonts import ensure_cjk_font
    from ui.open_database import QUIT, READ_ONLY, RESTORE, ask_damaged, ask_in_use

    ensure_cjk_font(QApplication.instance())
    seen = []

    def click(label):
        def run():
            box = next(w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible())
            seen.append(box.text() + "\n" + box.informativeText())
            box.grab().save(str(tmp_path / f"dialog-{len(seen)}.png"))
            next(b for b in box.buttons() if b.text() == label).click()
        QTimer.singleShot(50, run)

    info = locking.LockInfo("clerk-pc-07", "zhangsan", 4242, "2024-05-06T08:30:00+08:00")
    click("只读打开")
    assert ask_in_use(info, office) == READ_ONLY
    assert "zhangsan（计算机 clerk-pc-07，进程 4242" in seen[-1] and "只读打开" in seen[-1]
    click("退出")
    assert ask_in_use(info, office) == QUIT
    good = backup.take_backup(office, "startup")
    health = backup.Health(office, False, ["*** in database main ***"], good)
    click("用备份恢复")
    assert ask_damaged(health, None) == RESTORE
    assert "未通过完整性检查" in seen[-1] and "最近一份完好的备份" in seen[-1]
    click("只读打开")
    assert ask_damaged(backup.Health(office, False, ["x"], None), None) == READ_ONLY
    assert "没有找到完好的备份" in seen[-1]
