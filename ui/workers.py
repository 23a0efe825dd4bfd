"""Run a function off the GUI thread and get its result (or exception) back on the GUI thread.

    task = run_in_background(lambda: store.import_files(db, paths),
                             on_done=show_report, on_error=show_problems,
                             parent=window, label="正在导入…")

With `label` a QProgressDialog appears after a short delay (quick jobs never flash a dialog). When
`progress=True` the function receives a `Progress` as keyword argument `progress`: it reports with
`progress.update(done, total, text)` and the dialog's 取消 button makes the next `update()` raise
`Cancelled` (or the function may poll `progress.cancelled`). A cancelled task calls `on_cancel`,
never `on_done`. Work that ends in a write it cannot take back calls `progress.commit(text)` first:
a cancel pressed before that stops it there, one pressed after is ignored and the 取消 button goes.

The function must not touch widgets; the callbacks run on the GUI thread and may.
"""
from __future__ import annotations

import threading
import traceback
from typing import Any, Callable

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

PROGRESS_DELAY_MS = 400


class Cancelled(Exception):
    """Raised inside a background function when the user pressed 取消."""


class Progress:
    """Handed to a background function; thread-safe."""

    def __init__(self, task: "Task"):
        self._task = task
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._committed = False

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def cancel(self) -> None:
        with self._lock:  # after commit() the work finishes: a late cancel must not hide its result
            if not self._committed:
                self._event.set()

    def commit(self, text: str = "") -> None:
        """The point of no return (e.g. a transaction about to be written): raises `Cancelled` when
        cancelled before; from here on cancel requests are ignored and the dialog loses its 取消."""
        with self._lock:
            if self._event.is_set():
                raise Cancelled()
            self._committed = True
        self._task.committed.emit(str(text))

    def update(self, done: int, total: int = 0, text: str = "") -> None:
        if self._event.is_set():
            raise Cancelled()
        self._task.progressed.emit(int(done), int(total), str(text))


class Task(QObject):
    """One background job. Signals are delivered on the GUI thread (queued across threads)."""

    finished = Signal(object)   # the function's return value
    failed = Signal(object)     # the exception (with __traceback_text__ set)
    cancelled = Signal()
    progressed = Signal(int, int, str)
    committed = Signal(str)     # the work can no longer be cancelled (text: what it does now)
    settled = Signal()          # after any of finished / failed / cancelled

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.progress = Progress(self)
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self.dialog: QProgressDialog | None = None

    def cancel(self) -> None:
        self.progress.cancel()


_alive: set[Task] = set()  # keep tasks (and their callbacks) alive until they settle


class _Runnable(QRunnable):
    def __init__(self, task: Task, fn: Callable[..., Any], with_progress: bool):
        super().__init__()
        self.setAutoDelete(True)
        self._task, self._fn, self._with_progress = task, fn, with_progress

    def run(self) -> None:  # worker thread: no widgets here
        task = self._task
        try:
            value = self._fn(progress=task.progress) if self._with_progress else self._fn()
        except Cancelled:
            _emit(task, "cancelled")
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the GUI thread
            exc.__traceback_text__ = traceback.format_exc()
            _emit(task, "cancelled" if task.progress.cancelled else "failed", exc)
        else:
            _emit(task, "cancelled" if task.progress.cancelled else "finished", value)


def _emit(task: Task, signal: str, *args) -> None:
    """Send a result back, unless whoever asked is gone: a task belongs to its window, and a window
    closed (and deleted) while the work ran has no one to tell."""
    try:
        getattr(task, signal).emit(*(() if signal == "cancelled" else args))
    except RuntimeError:
        if shiboken6.isValid(task):
            raise


def _tr(text: str) -> str:
    return QCoreApplication.translate("workers", text)


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> QMessageBox:
    """A non-blocking Chinese error box; the technical trace goes in the details."""
    box = QMessageBox(QMessageBox.Icon.Critical, title or _tr("出错了"), str(exc) or type(exc).__name__,
                      QMessageBox.StandardButton.Ok, parent)
    box.setDetailedText(getattr(exc, "__traceback_text__", "") or repr(exc))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def run_in_background(fn: Callable[..., Any], *, on_done: Callable[[Any], None] | None = None,
                      on_error: Callable[[BaseException], None] | None = None,
                      on_cancel: Callable[[], None] | None = None, parent: QWidget | None = None,
                      label: str | None = None, progress: bool = False, cancellable: bool = True,
                      pool: QThreadPool | None = None) -> Task:
    """Start `fn()` (or `fn(progress=…)`) on a thread-pool thread and return its Task.

    Callbacks run on the GUI thread. Without `on_error` an error box is shown over `parent`.
    With `label`, a QProgressDialog (modal to `parent`) shows after 400 ms; it has a 取消 button when
    `cancellable`, which sets `progress.cancelled` (the function decides when to stop)."""
    task = Task()
    _alive.add(task)

    if label is not None:
        dlg = QProgressDialog(label, _tr("取消") if cancellable else "", 0, 0, parent)
        dlg.setWindowTitle(_tr("请稍候"))
        dlg.setWindowModality(Qt.WindowModality.WindowModal)
        dlg.setMinimumDuration(PROGRESS_DELAY_MS)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        if not cancellable:
            dlg.setCancelButton(None)
        dlg.canceled.connect(task.cancel)
        task.dialog = dlg

        def on_progress(done: int, total: int, text: str) -> None:
            if not shiboken6.isValid(dlg):   # deleted with the window that asked
                return
            dlg.setMaximum(max(total, 0))
            dlg.setValue(done if total else 0)
            if text:
                dlg.setLabelText(text)
        task.progressed.connect(on_progress)

        def on_commit(text: str) -> None:
            if task.dialog is not None and shiboken6.isValid(task.dialog):
                task.dialog.setCancelButton(None)
                if text:
                    task.dialog.setLabelText(text)
        task.committed.connect(on_commit, Qt.ConnectionType.QueuedConnection)
        # QProgressDialog only pops up from setValue(); a busy (0..0) job has to nudge it itself
        QTimer.singleShot(PROGRESS_DELAY_MS, lambda: (not task.done and task.dialog is not None
                                                      and shiboken6.isValid(task.dialog)
                                                      and task.dialog.setValue(0)))

    def settle() -> None:
        task.done = True
        if task.dialog is not None and shiboken6.isValid(task.dialog):
            task.dialog.canceled.disconnect(task.cancel)
            task.dialog.close()
            task.dialog.deleteLater()
        task.dialog = None
        task.settled.emit()
        _alive.discard(task)

    def gone() -> bool:
        # the window that asked was closed and deleted meanwhile: nobody is left to tell
        return parent is not None and not shiboken6.isValid(parent)

    def finished(value: Any) -> None:
        task.result = value
        settle()
        if on_done is not None and not gone():
            on_done(value)

    def failed(exc: BaseException) -> None:
        task.error = exc
        settle()
        if gone():
            return
        if on_error is not None:
            on_error(exc)
        else:
            show_error(parent, exc)

    def cancelled() -> None:
        settle()
        if on_cancel is not None:
            on_cancel()

    # The task lives on the GUI thread, so these connections are queued from the worker.
    task.finished.connect(finished, Qt.ConnectionType.QueuedConnection)
    task.failed.connect(failed, Qt.ConnectionType.QueuedConnection)
    task.cancelled.connect(cancelled, Qt.ConnectionType.QueuedConnection)
    (pool or QThreadPool.globalInstance()).start(_Runnable(task, fn, progress))
    return task
