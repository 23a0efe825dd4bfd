"""Start-up time of the desktop app on a 5,000-application database, against a bare PySide6 window.

Both are started the same way, in fresh subprocesses (offscreen), and report when their main window
is first painted; the app also reports when the list rows are shown. Runs alternate (bare, app,
bare, app …) after one warm-up each, so a busy machine slows both alike; medians of 5 are printed:

    startup: X s (ratio R to bare Y s, target ≤ 2.0)

Bytecode is cached under bench/.data/pycache (PYTHONPYCACHEPREFIX) for both, as an installed app
has it. The database is built once with `alliance_desk.demo.bulk_applications(5000)` through
`store.import_documents` and cached as bench/.data/startup-5000-<key>.sqlite, where the key
changes with the models, migrations, store and demo sources (a stale cache is rebuilt).
Nothing is asserted: this prints figures. Run: python bench/bench_startup.py [--runs 5]
"""
from __future__ import annotations

import hashlib
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import startup_commands, startup_options

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
N = 5000
LARGE = 20000  # from this size on the database is cached once (see ensure_database)
TARGET = 2.0

BARE = r"""
import sys
from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QMainWindow, QTableView

app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QTableView())
window.resize(1366, 768)


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            obj.removeEventFilter(self)
            QTimer.singleShot(0, lambda: (print("PAINTED", flush=True), app.quit()))
        return False


probe = FirstPaint()
window.installEventFilter(probe)
window.show()
app.exec()
"""


def _key() -> str:
    h = hashlib.sha1()
    files = sorted((ROOT / "db").glob("models*.py")) + [ROOT / "alliance_desk" / "demo.py"]
    files += sorted((ROOT / "alliance_desk" / "store").rglob("*.py"))
    files += sorted((ROOT / "db" / "migrations" / "versions").glob("*.py"))
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def ensure_database(n: int = N) -> Path:
    """The cached n-application database (built on first use or when the code that shapes it changed)."""
    DATA.mkdir(parents=True, exist_ok=True)
    ignore = DATA / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    path = DATA / f"startup-{n}-{_key()}.sqlite"
    if n >= LARGE:
        # built once and kept: the bulk data do not change with the code, and opening the database
        # applies any newer migration (a rebuild would take several minutes)
        path = DATA / f"bulk-{n}.sqlite"
    if path.exists():
        return path
    if n < LARGE:
        for old in DATA.glob(f"startup-{n}-*.sqlite*"):
            old.unlink()
    sys.path.insert(0, str(ROOT))
    from alliance_desk import store
    from db.session import open_database

    try:
        from alliance_desk.demo import bulk_applications
    except ImportError:
        sys.exit("alliance_desk.demo.bulk_applications is not available: cannot build the benchmark database")
    tmp = path.with_name(path.name + ".building")
    for f in DATA.glob(tmp.name + "*"):
        f.unlink()
    print(f"(building {path.name}: {n} applications, once — about a minute or two)", flush=True)
    t0 = time.perf_counter()
    db = open_database(tmp)
    store.import_documents(db, (("", d) for d in bulk_applications(n)))
    db.dispose()  # checkpoints the WAL into the file
    tmp.replace(path)
    for f in DATA.glob(tmp.name + "-*"):
        f.unlink()
    print(f"(built in {time.perf_counter() - t0:.0f} s)", flush=True)
    return path


def _env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(DATA / "pycache")
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["ALLIANCE_DESK_STARTUP_PROBE"] = "1"
    return env


def _run(cmd: list[str], env: dict, timeout: float = 120) -> dict[str, float]:
    """Seconds from process start to each reported line (PAINTED, LISTED)."""
    marks: dict[str, float] = {}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            word = line.split(" ", 1)[0].strip()
            if word in ("PAINTED", "FIRST", "LISTED"):  # the first time each is reported
                marks.setdefault(word, time.perf_counter() - t0)
        proc.wait(timeout=timeout)
    finally:
        if proc.poll() is None:
            proc.kill()
    return marks


def main() -> int:
    args = startup_options(__doc__, 5, N)
    db = ensure_database(args.n)
    env = _env()
    bare_cmd, app_cmd = startup_commands(BARE, db)
    _run(bare_cmd, env)  # warm-ups: bytecode cache, page cache
    _run(app_cmd, env)
    bare, painted, listed, first = [], [], [], []
    for _ in range(args.runs):
        b = _run(bare_cmd, env)
        a = _run(app_cmd, env)
        if "PAINTED" not in b or "PAINTED" not in a:
            print("a run did not report its first paint; is a display (or QT_QPA_PLATFORM=offscreen) usable?")
            return 1
        bare.append(b["PAINTED"])
        painted.append(a["PAINTED"])
        if "LISTED" in a:
            listed.append(a["LISTED"])
            # the list is shown when its first rows are (a small database: when all of them are)
            first.append(a.get("FIRST", a["LISTED"]))
    y, x = statistics.median(bare), statistics.median(painted)
    print(f"startup: {x:.3f} s (ratio {x / y:.2f} to bare {y:.3f} s, target ≤ {TARGET})")
    if listed:
        f, z = statistics.median(first), statistics.median(listed)
        print(f"list of {args.n} applications shown: {f:.3f} s after process start (ratio {f / y:.2f} to bare "
              f"window {y:.3f} s, target ≤ 2.0 at 50000)")
        print(f"  whole list of {args.n} loaded: {z:.3f} s after process start (ratio {z / y:.2f} to bare)")
    print(f"runs (s): bare {[round(v, 3) for v in bare]}, app painted {[round(v, 3) for v in painted]}, "
          f"app first rows {[round(v, 3) for v in first]}, app listed {[round(v, 3) for v in listed]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
