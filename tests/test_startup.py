"""Start-up of `alliance-desk gui`, in a fresh process as a clerk starts it: the window is painted,
the database opened off the GUI thread and handed over by a signal, the list shown; a damaged file
is reported and left as it was."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_desk import store
from factory import eligible

ROOT = Path(__file__).resolve().parents[1]


def _gui(db_path: str | None, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", "gui", *(["--db", db_path] if db_path else [])], cwd=ROOT,
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "ALLIANCE_DESK_STARTUP_PROBE": "1",
                               **env})


@pytest.mark.slow
def test_probe_sees_the_window_painted_then_the_list(make_db):
    db = make_db("start")
    store.import_documents(db, [("", eligible(r)) for r in ("jinzhong", "gansu")])
    path = db.label
    db.dispose()
    proc = _gui(path)
    assert proc.returncode == 0, proc.stderr
    marks = [line.split()[0] for line in proc.stdout.splitlines() if line.split()]
    assert marks[0] == "PAINTED" and marks[-1] == "LISTED" and "FIRST" in marks
    times = [float(line.split()[1]) for line in proc.stdout.splitlines() if line.split()]
    assert times == sorted(times)


@pytest.mark.slow
@pytest.mark.parametrize("named", [True, False], ids=["--db", "default database"])
def test_the_first_rows_are_read_raw_before_the_database_layer_loads(make_db, tmp_path, named):
    """The newest rows come straight from the SQLite file (read while the window is built), for a
    database named with --db and for the clerk's default one alike."""
    db = make_db("start")
    if not str(db.url).startswith("sqlite"):
        pytest.skip("the first page is read raw from SQLite files only")
    store.import_documents(db, [("", eligible(r)) for r in ("jinzhong", "gansu")])
    db.dispose()
    home = tmp_path / "data"
    (home / "AllianceDesk").mkdir(parents=True)
    default = home / "AllianceDesk" / "alliance-desk.sqlite"
    Path(db.label).replace(default)
    env = {"XDG_DATA_HOME": str(home)}  # where appdirs puts the user's data on Linux
    proc = _gui(str(default) if named else None, ALLIANCE_DESK_DATABASE_URL="", **env)
    assert proc.returncode == 0, proc.stderr
    first = next(line for line in proc.stdout.splitlines() if line.startswith("FIRST"))
    assert first.endswith("from=file"), proc.stdout
    assert "LISTED" in proc.stdout


@pytest.mark.slow
def test_damaged_file_is_reported_and_left_alone(tmp_path):
    bad = tmp_path / "archive.sqlite"
    bad.write_bytes(b"not a database at all\n" * 100)
    before = bad.read_bytes()
    proc = _gui(str(bad))
    assert proc.returncode == 1
    assert "无法打开数据库" in proc.stderr and "LISTED" not in proc.stdout
    assert bad.read_bytes() == before


def test_the_window_starts_without_sqlalchemy():
    """A reading command (the window) passes the command guard without importing SQLAlchemy: the
    window is painted before the database is opened, and that import is the slow part of opening."""
    code = ("import sys, argparse; import cli; from cli.guard import run; "
            "a = argparse.Namespace(db=None, json=False); "
            "print(run('gui', a, lambda _a: int('sqlalchemy' in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "0"
