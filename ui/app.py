"""Start the desktop app: `alliance-desk` (no arguments) and `alliance-desk gui`.

Start-up is benchmarked (bench/bench_startup.py), so the order matters: a plain thread starts
reading the newest list rows straight from an up-to-date SQLite file (alliance_desk/first_page.py:
stdlib sqlite3, read-only; the query runs without the interpreter lock) while Qt starts, the font is
registered and the main window is painted (no SQLAlchemy import on that path); right after the first
paint those rows are shown (or as soon as the read ends); then the database is opened the full way
(SQLAlchemy and Alembic imports, schema check and migrations, lock, backups: on a pool thread for
the screenshot and the benchmark; for a clerk, who may have to answer a question, the imports on a
pool thread and the guarded open on the GUI thread, the day's start-up backup in the background
after it), the whole list is read, then the search index in the background. Results come back as
queued signals (ui/workers.py), nothing is polled. Export libraries (openpyxl, ReportLab) are
imported only when an export runs.

With `--screenshot FILE.png` the window is rendered at `--size` (default 1366x768) once the list
is loaded (and the application of `--open` is open, on editor tab `--tab`), saved, and the process
exits without entering the interactive loop. Works with QT_QPA_PLATFORM=offscreen.

Set ALLIANCE_DESK_STARTUP_PROBE=1 to print `PAINTED <s>` at the first paint, `FIRST <s> from=file|database`
when the first page of a large list is on screen (read raw from the file, or after the full open), and `LISTED <s>` when
the list is loaded (seconds since `run` started) and quit: the start-up benchmark reads these.
"""
from __future__ import annotations

import os
import sys
import threading
import time

PROBE_ENV = "ALLIANCE_DESK_STARTUP_PROBE"
SCREENSHOT_SETTLE_MS = 300
SCREENSHOT_TIMEOUT_MS = 120_000


def _open_and_read_first(target: str | None, first=None):
    """Open the database and read the list's first page unless `first` already holds it (off the GUI
    thread: no Qt objects here). Returns (database, (first rows, call names) or None when that read
    failed: the window then loads the list itself and reports the error); an error opening the
    database is raised."""
    from db.session import open_database

    db = open_database(target)
    if first is not None:
        return db, first
    try:
        from alliance_desk import listing

        # the first page only: the window shows it at once and reads the rest itself
        return db, (listing.load_first(db, listing.FIRST_PAGE), listing.stored_call_names(db))
    except Exception:  # noqa: BLE001 - the window loads the list again and reports the error
        return db, None


class EarlyRead:
    """The list's first page, read on a plain thread from the moment the app starts (before Qt is
    imported: nothing of Qt is touched here). `result()` waits for it: call it on the GUI thread only
    once `done()`, else on a pool thread."""

    def __init__(self, target: str | None):
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._read, args=(target,), name="first-page", daemon=True)
        self._thread.start()

    def _read(self, target: str | None) -> None:
        try:
            from alliance_desk import first_page, listing

            self._value = first_page.read(target, listing.FIRST_PAGE)
        except BaseException as exc:  # noqa: BLE001 - handed to whoever asks for the result
            self._error = exc

    def done(self) -> bool:
        return not self._thread.is_alive()

    def result(self):
        """(first rows, call names), or None when the file is not one to read raw."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def _import_database_layer() -> None:
    """The modules opening a database needs (SQLAlchemy, Alembic, the store), without Qt."""
    import db.session  # noqa: F401
    from alliance_desk.store import backup, locking  # noqa: F401


def _say(line: str) -> None:
    try:
        print(line, flush=True)
    except OSError:  # the reader went away (benchmark done): never hang on it
        pass


def parse_size(text: str | None) -> tuple[int, int]:
    w, _, h = (text or "1366x768").lower().replace("×", "x").partition("x")
    width, height = int(w), int(h)
    if not (100 <= width <= 10000 and 100 <= height <= 10000):
        raise ValueError(text)
    return width, height


def install_translations(app) -> list:
    """Qt's own Chinese strings (standard buttons, dialogs) and, if present, the app's .qm for the
    system locale from resources/translations/. Returns the installed translators."""
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    from alliance_desk.paths import resource

    class QtChinese(QTranslator):
        """qtbase_zh_CN.qm lacks some strings Qt 6 gave an accelerator: QFileDialog's "&Look in:"
        and "Files of &type:" are there only as "Look in:" / "Files of type:". Those are used,
        with the accelerator put back (查找范围(&L)：)."""

        def translate(self, context, source, disambiguation=None, n=-1):  # noqa: N802 - Qt API
            # None, never "": PySide turns "" into an empty (not null) QString, which Qt would use
            # as the translation of every string this catalogue lacks, the app's own included
            text = super().translate(context, source, disambiguation, n)
            if text or "&" not in source or "&&" in source:
                return text or None
            text = super().translate(context, source.replace("&", ""), disambiguation, n)
            if not text:
                return None
            key = source[source.index("&") + 1:][:1].upper()
            for colon in ("：", ":"):
                if text.endswith(colon):
                    return f"{text[:-1]}(&{key}){colon}"
            return f"{text}(&{key})"

    out = []
    qt = QtChinese(app)
    if qt.load("qtbase_zh_CN", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        out.append(qt)
    name = QLocale.system().name()
    for candidate in (f"alliance_desk_{name}.qm", f"alliance_desk_{name.split('_')[0]}.qm"):
        path = resource("translations", candidate)
        if path.is_file():
            tr = QTranslator(app)
            if tr.load(str(path)):
                app.installTranslator(tr)
                out.append(tr)
            break
    return out


def show_dashboard_if_due(window, on=None) -> bool:
    """On start-up, show the lifecycle dashboard when something is due, overdue or at risk
    (nothing recognised may be late or forgotten)."""
    from datetime import date

    from alliance_desk import lifecycle

    if window.db is None:
        return False
    with window.db.Session() as s:
        board = lifecycle.dashboard(s, on or date.today(), lifecycle.DEFAULT_WITHIN_DAYS)
    if not (board.due_soon or board.overdue or board.at_risk or board.expiring):
        return False
    window.open_tool("dashboard")
    return True


def quit_on_signals(app, window):
    """Ctrl+C in the terminal, `kill` or a session logout close the window the way its close
    button does: edits are saved and the database lock is released. Qt's loop runs in C++, so a
    short timer lets Python run the handler. Returns the timer (keep it alive)."""
    import signal

    from PySide6.QtCore import QTimer

    def handler(_signum, _frame) -> None:
        QTimer.singleShot(0, lambda: window.close() and app.quit())

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)
    timer = QTimer(app)
    timer.timeout.connect(lambda: None)
    timer.start(200)
    return timer


def run(args) -> int:
    t0 = time.perf_counter()
    probe = bool(os.environ.get(PROBE_ENV))
    screenshot = getattr(args, "screenshot", None)
    open_id = getattr(args, "open", None)
    try:
        size = parse_size(getattr(args, "size", None))
    except ValueError:
        print(f"参数错误：--size 应为 宽x高，如 1366x768，实际「{args.size}」", file=sys.stderr)
        return 2
    target = getattr(args, "db", None)
    early = EarlyRead(target)

    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from ui import source_cache

    source_cache.install()  # before the database layer's imports: ~26 MB of source lines not kept

    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "alliance-desk"])
    app.setOrganizationName("AllianceDesk")
    app.setApplicationName("AllianceDesk")
    app.setApplicationDisplayName("Alliance Desk")  # = main_window.APP_DISPLAY_NAME, which titles end with

    from ui.fonts import ensure_cjk_font

    ensure_cjk_font(app)
    translators = install_translations(app)  # noqa: F841 - kept alive with the app

    from ui.main_window import MainWindow
    from ui.workers import run_in_background

    tmp = None
    if screenshot or probe:
        # a reproducible picture (and benchmark): no saved geometry or dock state, the user's
        # settings and recent databases untouched
        import tempfile

        tmp = tempfile.TemporaryDirectory(prefix="alliance-desk-shot-")
        settings = QSettings(os.path.join(tmp.name, "settings.ini"), QSettings.Format.IniFormat)
    else:
        settings = QSettings()
    window = MainWindow(None, settings)
    if screenshot:
        window.resize(*size)
    state = {"rc": 0, "opened": False, "finished": False, "raw": False}

    def elapsed() -> float:
        return time.perf_counter() - t0

    if probe:
        window.firstPainted.connect(lambda: _say(f"PAINTED {elapsed():.4f}"))

    def finish(rc: int) -> None:
        if not state["finished"]:
            state["finished"] = True
            state["rc"] = rc
            app.exit(rc)

    def take_screenshot() -> None:
        if state["finished"]:
            return
        if window.editor() is not None:
            window.set_editor_tab(int(getattr(args, "tab", 0) or 0))
        def grab() -> None:
            app.processEvents()
            ok = window.grab().save(screenshot)
            if not ok:
                print(f"无法保存截图 {screenshot}", file=sys.stderr)
            finish(0 if ok and state["rc"] == 0 else 1)
        QTimer.singleShot(SCREENSHOT_SETTLE_MS, grab)

    def on_listed(_n: int) -> None:
        if probe:
            finish(0)
            _say(f"LISTED {elapsed():.4f}")
            return
        if open_id and not state["opened"]:
            state["opened"] = True
            if window.model.find(open_id) is None:
                print(f"出错了：没有 id 为 {open_id} 的申报", file=sys.stderr)
                state["rc"] = 1
            elif window.open_application(open_id) is None:
                state["rc"] = 1
        if screenshot:
            take_screenshot()
        elif not state.get("dashboard_shown"):
            state["dashboard_shown"] = True
            QTimer.singleShot(0, lambda: show_dashboard_if_due(window))

    window.listLoaded.connect(on_listed)
    if probe:
        # and where the first rows came from: the file read raw at start-up, or the opened database
        window.firstRowsShown.connect(
            lambda n: _say(f"FIRST {elapsed():.4f} from={'file' if state['raw'] else 'database'}"))

    def open_fully(first) -> None:
        if not (screenshot or probe):
            # Interactive start: the writer's lock and the crash check may need to ask the clerk
            # (database in use, damaged), so they run on the GUI thread; the database layer's
            # modules (half a second of imports) are loaded on a pool thread first, so the window
            # with its first rows keeps responding meanwhile, and the day's backup runs after.
            def guarded(_result=None) -> None:
                from ui.open_database import guard_open

                db = guard_open(target, window, backup_now=False)
                if db is None:
                    app.quit()
                    return
                window.set_database(db, owned=True, preloaded=first)  # a read-only one says so itself
                window.daily_backup_in_background()

            run_in_background(_import_database_layer, on_done=guarded, on_error=guarded, parent=window)
            return

        def opened(res) -> None:
            db, rows = res
            window.set_database(db, owned=True, preloaded=rows)

        def failed(exc: BaseException) -> None:
            print(f"出错了：无法打开数据库：{exc}", file=sys.stderr)
            finish(1)

        run_in_background(lambda: _open_and_read_first(target, first), on_done=opened, on_error=failed,
                          parent=window)

    def show_first(first) -> None:
        if first is not None:
            state["raw"] = True
            window._first_rows_loaded(*first)
        open_fully(first)

    def hand_over() -> None:
        # The newest rows read while the window was built, then the full open. A read still running
        # is waited for on a pool thread; results come back as queued signals, no polling.
        if early.done():
            try:
                first = early.result()
            except Exception:  # noqa: BLE001 - the full open reads the list and reports the error
                first = None
            show_first(first)
            return
        run_in_background(early.result, on_done=show_first, on_error=lambda _exc: open_fully(None), parent=window)

    # Paint first, then the full open: opening the database is CPU-bound Python (imports), and started
    # earlier it would share the interpreter lock with Qt's start-up and delay the first paint (the
    # first-page read above is mostly SQLite's own work, done without the lock).
    window.firstPainted.connect(hand_over)
    window.show()
    signal_timer = None if (screenshot or probe) else quit_on_signals(app, window)  # noqa: F841
    if screenshot:
        QTimer.singleShot(SCREENSHOT_TIMEOUT_MS, lambda: (print("出错了：截图超时", file=sys.stderr), finish(1)))
    rc = app.exec()
    if screenshot or probe:
        window.close()
        if tmp is not None:
            tmp.cleanup()
        return state["rc"] if state["finished"] else rc
    return rc
