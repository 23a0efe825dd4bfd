"""Backups and restore on real SQLite files: online copies while the app writes, rotation (7 daily,
4 weekly), a backup before every migration, refusal of newer schemas and foreign or damaged files,
the replaced database kept aside, and a damaged database met with the last good backup."""
from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from alliance_desk import store
from alliance_desk.store import audit
from alliance_desk.store import backup
from cli import main as cli_main
from db.session import open_database
from factory import eligible


def cli(capsys, *argv):
    code = cli_main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


def _scalar(path, sql: str):
    """The one value `sql` selects from the SQLite file at `path`, read without the app's layers."""
    con = sqlite3.connect(str(path))
    try:
        return con.execute(sql).fetchone()[0]
    finally:
        con.close()


def n_apps(path) -> int:
    return _scalar(path, "SELECT COUNT(*) FROM applications")


def revision(path) -> str:
    return _scalar(path, "SELECT version_num FROM alembic_version")


def db_file(db) -> Path:
    return Path(db.engine.url.database)


def damage(path: Path) -> None:
    """Overwrite pages in the middle of the file (the header stays): what a torn write looks like."""
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    size = path.stat().st_size
    assert size > 12 * 4096
    with open(path, "r+b") as fh:
        for page in range(3, size // 4096 - 1, 2):
            fh.seek(page * 4096)
            fh.write(os.urandom(4096))


def test_online_backup_is_consistent_while_another_connection_writes(db, tmp_path, capsys):
    store.import_documents(db, [("", eligible("chongqing")), ("", eligible("gansu"))])
    writer = sqlite3.connect(str(db_file(db)), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE applications SET county = '未提交的修改'")
    out = backup.backup_to(db_file(db), tmp_path / "copy.sqlite")
    writer.execute("ROLLBACK")
    writer.close()
    assert n_apps(out) == 2 and not backup.quick_check(out)
    con = sqlite3.connect(str(out))
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "delete"       # one self-contained file
    assert con.execute("SELECT COUNT(*) FROM applications WHERE county = '未提交的修改'").fetchone()[0] == 0
    con.close()
    code, stdout, err = cli(capsys, "backup", "--db", db_file(db), "-o", tmp_path / "cli.sqlite")
    assert code == 0 and "已备份" in stdout and n_apps(tmp_path / "cli.sqlite") == 2
    code, stdout, err = cli(capsys, "backup", "--db", db_file(db))
    assert code == 0 and [b.kind for b in backup.list_backups(db_file(db))] == ["manual"]
    with pytest.raises(backup.BackupError, match="不能是数据库本身"):
        backup.backup_to(db_file(db), db_file(db))


def test_rotation_keeps_seven_daily_and_four_weekly(tmp_path):
    path = tmp_path / "office.sqlite"
    open_database(path).dispose()
    start = datetime(2024, 3, 1, 9, 0, 0)
    for day in range(45):                                  # two start-up backups a day for 45 days
        for hour in (9, 15):
            backup.take_backup(path, "startup", start + timedelta(days=day, hours=hour - 9))
    backup.take_backup(path, "manual", start)              # manual backups are never rotated away
    backup.rotate(path, start + timedelta(days=44))
    kept = [b.taken_at for b in backup.list_backups(path, ("startup",))]
    last = start + timedelta(days=44)
    daily = {(last - timedelta(days=i)).replace(hour=15) for i in range(7)}
    weeks: dict = {}
    for day in range(44, -1, -1):
        t = (start + timedelta(days=day)).replace(hour=15)
        weeks.setdefault(t.isocalendar()[:2], t)
    weekly = set(sorted(weeks.values(), reverse=True)[:4])
    assert set(kept) == daily | weekly and len(kept) <= 11
    assert [b.kind for b in backup.list_backups(path, ("manual",))] == ["manual"]


def test_daily_backup_is_taken_once_a_day(tmp_path):
    path = tmp_path / "office.sqlite"
    open_database(path).dispose()
    day = datetime(2024, 5, 6, 8, 30)
    first = backup.daily_backup(path, day)
    assert first is not None and first.path.parent == tmp_path / "backups"
    assert first.path.name == "office-startup-20240506-083000.sqlite"
    assert backup.daily_backup(path, day + timedelta(hours=5)) is None
    assert backup.daily_backup(path, day + timedelta(days=1)) is not None
    assert len(backup.list_backups(path)) == 2


def test_a_backup_is_taken_before_every_migration_and_newer_schemas_are_refused(tmp_path):
    from alembic import command

    from db.session import alembic_config, head_revision

    path = tmp_path / "office.sqlite"
    db = open_database(path)
    store.import_documents(db, [("", eligible("ganzhou"))])
    command.downgrade(alembic_config(db.engine), "0004")
    db.dispose()
    assert revision(path) == "0004" and backup.list_backups(path) == []
    db = open_database(path)                                # migrates 0004 → head, after a backup
    db.dispose()
    (taken,) = backup.list_backups(path)
    assert taken.kind == "migration" and revision(taken.path) == "0004" and n_apps(taken.path) == 1
    assert revision(path) == head_revision()
    db = open_database(path)                                # nothing to migrate: no new backup
    db.dispose()
    assert len(backup.list_backups(path)) == 1

    con = sqlite3.connect(str(path))
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    before = path.read_bytes()
    with pytest.raises(backup.BackupError, match="更新版本.*0099"):
        open_database(path)
    assert revision(path) == "0099" and path.read_bytes() == before


def test_restore_replaces_the_database_and_keeps_the_old_one(db, tmp_path, capsys):
    path = db_file(db)
    store.import_documents(db, [("", eligible("chongqing"))])
    saved = backup.backup_to(path, tmp_path / "saved.sqlite")
    store.import_documents(db, [("", eligible("gansu")), ("", eligible("anshan"))])
    db.dispose()
    assert n_apps(path) == 3
    code, out, err = cli(capsys, "restore", "--db", path, saved)
    assert code == 0, err
    assert n_apps(path) == 1
    replaced = sorted(tmp_path.glob("test.replaced-*.sqlite"))
    assert len(replaced) == 1 and n_apps(replaced[0]) == 3 and str(replaced[0]) in out
    assert not backup.quick_check(path)
    db2 = open_database(path)
    try:
        last = audit.history(db2)[-1]
        assert last.action == "restore" and last.after["restored_from"] == str(saved)
        assert last.before["replaced_kept_as"] == replaced[0].name and audit.verify(db2).ok
    finally:
        db2.dispose()


def test_restore_refuses_foreign_damaged_and_newer_files(db, tmp_path, capsys):
    path = db_file(db)
    store.import_documents(db, [("", eligible("chongqing"))])
    db.dispose()
    before = n_apps(path)
    text = tmp_path / "notes.sqlite"
    text.write_text("这不是数据库", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(str(other))
    con.execute("CREATE TABLE contacts (name TEXT)")
    con.commit()
    con.close()
    newer = backup.backup_to(path, tmp_path / "newer.sqlite")
    con = sqlite3.connect(str(newer))
    con.execute("UPDATE alembic_version SET version_num = 'ffff01'")
    con.commit()
    con.close()
    damaged = tmp_path / "damaged.sqlite"
    store_db = open_database(tmp_path / "big.sqlite")
    store.import_documents(store_db, [("", eligible(r, n_members=40)) for r in ("ganzhou", "gansu", "anshan")])
    store_db.dispose()
    shutil.copy(tmp_path / "big.sqlite", damaged)
    damage(damaged)
    for f, message in ((text, "不是 Alliance Desk 数据库"), (other, "不是 Alliance Desk 数据库"),
                       (newer, "更新版本.*ffff01"), (damaged, "已损坏"), (tmp_path / "missing.sqlite", "不存在")):
        code, out, err = cli(capsys, "restore", "--db", path, f)
        assert code == 2, (f, out, err)
        assert "恢复失败，数据库未作任何修改" in err
        import re

        assert re.search(message, err), err
    assert n_apps(path) == before and not list(tmp_path.glob("test.replaced-*"))


def test_a_damaged_database_is_detected_and_the_last_good_backup_offered(tmp_path, capsys):
    from ui.open_database import QUIT, RESTORE, guard_open

    path = tmp_path / "office.sqlite"
    db = open_database(path)
    store.import_documents(db, [("", eligible(r, n_members=40)) for r in ("ganzhou", "gansu", "anshan")])
    db.dispose()
    good = backup.take_backup(path, "startup", datetime(2024, 5, 6, 8, 0))
    bad = backup.take_backup(path, "startup", datetime(2024, 5, 7, 8, 0))
    damage(bad.path)                                        # the newest backup is damaged too
    damage(path)
    health = backup.check_database(path)
    assert not health.ok and health.problems and health.candidate.path == good.path
    assert "已损坏" in health.text() and good.path.name in health.text()
    code, out, err = cli(capsys, "check-integrity", "--db", path)
    assert code == 2 and "完整性检查未通过" in err

    Path(str(path) + "-wal").write_bytes(b"\0" * 64)         # what a crash leaves behind
    with pytest.raises(backup.DatabaseDamaged) as exc:
        open_database(path)
    assert exc.value.health.candidate.path == good.path

    asked = []
    assert guard_open(path, ask_damaged=lambda h, parent: asked.append(h) or QUIT, error=lambda *a: None) is None
    assert asked and asked[0].candidate.path == good.path
    db = guard_open(path, ask_damaged=lambda h, parent: RESTORE, error=lambda *a: None)
    try:
        assert db is not None and not db.read_only and n_apps(path) == 3
        assert not backup.quick_check(path)
        assert len(list(tmp_path.glob("office.replaced-*.sqlite"))) == 1
    finally:
        db.lock.release()
        db.dispose()


def test_sqlite_paths():
    assert backup.sqlite_path("sqlite:////data/a.sqlite") == Path("/data/a.sqlite")
    assert backup.sqlite_path("sqlite://") is None and backup.sqlite_path("sqlite:///:memory:") is None
    assert backup.sqlite_path("postgresql+psycopg://u:p@h/db") is None
