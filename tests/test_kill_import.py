"""Crash safety: `python -m cli import` on 200 files is killed (SIGKILL) 50 times at random
points; every time the database passes PRAGMA integrity_check and holds either all of the import
or none of it — the applications, their children and their audit rows alike.

Half of the kills come after a random delay from the start (start-up, parsing, writing, after the
commit); the other half wait until the import's transaction starts reaching the disk (its
write-ahead log grows: a burst of about 10 ms before the commit frame) and strike within a few
milliseconds, so the middle of the write is hit many times.
`alliance-desk restore` is killed 25 times too: the database is always the old one, or the restored
one together with the audit row of the restore.
The random seed is printed (and can be set with KILL_SEED) so a failure can be replayed."""
from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from alliance_desk import exchange
from db.session import open_database
from factory import eligible

N_FILES = 200
N_KILLS = 50
REGIONS = ("chongqing", "gansu", "anshan", "jinzhong", "ganzhou")


def _files(folder: Path) -> tuple[list[str], list[str]]:
    folder.mkdir()
    paths, ids = [], []
    for i in range(N_FILES):
        doc = eligible(REGIONS[i % len(REGIONS)], n_members=5)
        doc["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kill-import/{i}"))
        doc["name"] = f"断电测试{i:03d}号产业技术创新联盟"
        path = folder / f"{i:03d}.json"
        exchange.write_file(doc, path)
        paths.append(str(path))
        ids.append(doc["id"])
    return paths, ids


def _inspect(path: Path, ids: list[str]) -> tuple[str, int, int, int]:
    """(integrity_check, imported applications, their members, audit rows) after recovery."""
    con = sqlite3.connect(str(path))
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
        marks = ",".join("?" * len(ids))
        apps = con.execute(f"SELECT COUNT(*) FROM applications WHERE id IN ({marks})", ids).fetchone()[0]
        members = con.execute(f"SELECT COUNT(*) FROM members WHERE application_id IN ({marks})", ids).fetchone()[0]
        audit = con.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0]
        return verdict, apps, members, audit
    finally:
        con.close()


def _wal_size(path: Path) -> int:
    try:
        return os.path.getsize(str(path) + "-wal")
    except OSError:
        return 0


def _trail_verifies(path: Path) -> bool:
    """The next open after a kill checks the file and carries on; the audit trail verifies."""
    from alliance_desk.store import audit

    db = open_database(path)
    try:
        return audit.verify(db).ok
    finally:
        db.dispose()


def _seeded() -> tuple[int, random.Random]:
    seed = int(os.environ.get("KILL_SEED", time.time_ns() % 1_000_000))
    return seed, random.Random(seed)


def _checkpoint(path: Path) -> None:
    """Fold the WAL into the database file, so that a copy of the file alone is the whole database."""
    con = sqlite3.connect(str(path))
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def _timed_run(command: list[str]) -> float:
    """Run `command` to its end once; how long it took (the kills strike within that time)."""
    t0 = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, timeout=300)
    full = time.monotonic() - t0
    assert done.returncode == 0, done.stderr
    return full


def _strike(command: list[str], rng: random.Random, full: float, k: int, begun, jitter: float) -> bool:
    """Run `command` and SIGKILL it: even `k` at a random moment of its run (`full` seconds when
    left alone), odd `k` just after `begun()` first holds (the phase under attack). Whether the
    phase was under way, and the process still running, when the kill landed."""
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if k % 2 == 0:
        time.sleep(rng.uniform(0.05, full * 1.1))
    else:
        deadline = time.monotonic() + full * 2
        while not begun() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0003)
        time.sleep(rng.uniform(0, jitter))
    during = begun() and proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    return during


@pytest.mark.slow
def test_killed_imports_leave_all_or_nothing(tmp_path):
    seed, rng = _seeded()
    paths, ids = _files(tmp_path / "files")
    template = tmp_path / "template.sqlite"
    open_database(template).dispose()
    _checkpoint(template)
    members_per_app = {i: len(eligible(REGIONS[i % len(REGIONS)], n_members=5)["members"]) for i in range(N_FILES)}
    all_members = sum(members_per_app.values())
    work = tmp_path / "work.sqlite"
    command = [sys.executable, "-m", "cli", "import", "--db", str(work), *paths]

    def fresh() -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        shutil.copy(template, work)

    # one full run: how long an import takes here, and what "all" looks like
    fresh()
    full = _timed_run(command)
    assert _inspect(work, ids) == ("ok", N_FILES, all_members, N_FILES)

    outcomes = {"none": 0, "all": 0}
    mid_write = 0
    for k in range(N_KILLS):
        fresh()
        # the transaction reaches the disk in a burst of write-ahead-log frames (about 10 ms here)
        # just before its commit frame: odd kills watch for it and strike inside it
        writing = _strike(command, rng, full, k, lambda: _wal_size(work) > 0, jitter=0.01)
        verdict, apps, members, audit = _inspect(work, ids)
        where = f"kill {k} (seed {seed})"
        assert verdict == "ok", f"{where}: integrity_check {verdict}"
        assert (apps, members, audit) in ((0, 0, 0), (N_FILES, all_members, N_FILES)), \
            f"{where}: partial import — {apps} applications, {members} members, {audit} audit rows"
        outcomes["all" if apps else "none"] += 1
        mid_write += writing and not apps
    # the kills did land in different phases, including the middle of the write transaction
    assert outcomes["none"] > 0 and outcomes["all"] > 0, (outcomes, seed)
    assert mid_write >= 5, (mid_write, outcomes, seed)
    print(f"kills: {outcomes}, {mid_write} while the transaction was being written (seed {seed})")
    # the next open after a kill checks the file and carries on normally
    assert _trail_verifies(work)


# ------------------------------------------------------------------ kills during restore

N_RESTORE_KILLS = 25


def _restore_state(path: Path) -> tuple[str, int, int]:
    """(integrity_check, applications, restore audit rows) after recovery."""
    con = sqlite3.connect(str(path))
    try:
        verdict = con.execute("PRAGMA integrity_check").fetchone()[0]
        apps = con.execute("SELECT COUNT(*) FROM applications").fetchone()[0]
        restores = con.execute("SELECT COUNT(*) FROM audit_log WHERE action = 'restore'").fetchone()[0]
        return verdict, apps, restores
    finally:
        con.close()


@pytest.mark.slow
def test_killed_restores_leave_the_data_with_its_audit_row(tmp_path):
    """`alliance-desk restore` killed 25 times at random points: the database is always either the
    old one without a restore row, or the restored one with its restore row — never the restored
    data without the row that says so. Half the kills strike once the replaced database has been
    set aside, i.e. while the staging copy is written and copied in."""
    from alliance_desk import store
    from alliance_desk.store import backup

    seed, rng = _seeded()
    template = tmp_path / "office-template.sqlite"
    db = open_database(template)
    docs = [eligible(REGIONS[i % len(REGIONS)], n_members=5) for i in range(60)]
    for i, d in enumerate(docs):
        d["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"kill-restore/{i}"))
    store.import_documents(db, [("", d) for d in docs[:40]])
    db.dispose()
    saved = backup.backup_to(template, tmp_path / "saved.sqlite")       # 40 applications
    db = open_database(template)
    store.import_documents(db, [("", d) for d in docs[40:]])          # the office has 60 since
    db.dispose()
    _checkpoint(template)
    work = tmp_path / "work" / "office.sqlite"
    work.parent.mkdir()
    command = [sys.executable, "-m", "cli", "restore", "--db", str(work), str(saved)]

    def fresh() -> None:
        for p in work.parent.iterdir():
            if p.is_file():
                p.unlink()
        shutil.copy(template, work)

    fresh()
    full = _timed_run(command)
    assert _restore_state(work) == ("ok", 40, 1)

    outcomes = {"old": 0, "restored": 0}
    for k in range(N_RESTORE_KILLS):
        fresh()
        _strike(command, rng, full, k, lambda: bool(list(work.parent.glob("office.replaced-*"))), jitter=0.02)
        verdict, apps, restores = _restore_state(work)
        where = f"kill {k} (seed {seed})"
        assert verdict == "ok", f"{where}: integrity_check {verdict}"
        assert (apps, restores) in ((60, 0), (40, 1)), \
            f"{where}: {apps} applications with {restores} restore rows"
        outcomes["restored" if restores else "old"] += 1
    assert outcomes["old"] > 0 and outcomes["restored"] > 0, (outcomes, seed)
    print(f"restore kills: {outcomes} (seed {seed})")
    assert _trail_verifies(work)
