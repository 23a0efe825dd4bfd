"""Background work and the window's life: a cancel counts only before the point of no return, and a
window closed while its work runs is left alone by that work's late results."""
from __future__ import annotations

import threading

import pytest

from alliance_desk import exchange, listing
from factory import variant
from tests.ui.helpers import make_window
from ui.workers import Cancelled, Task, run_in_background


def test_commit_refuses_after_a_cancel_and_a_cancel_after_commit_is_ignored():
    cancelled_first = Task().progress
    cancelled_first.cancel()
    with pytest.raises(Cancelled):
        cancelled_first.commit()
    committed_first = Task().progress
    committed_first.commit()
    committed_first.cancel()
    assert not committed_first.cancelled


def test_a_cancel_pressed_while_writing_neither_stops_nor_hides_the_result(qtbot):
    at_commit, release, outcome = threading.Event(), threading.Event(), []

    def work(progress):
        progress.update(1, 2, "读取中")
        progress.commit("正在写入数据库…")
        at_commit.set()
        release.wait(10)
        return "written"

    task = run_in_background(work, on_done=outcome.append, on_cancel=lambda: outcome.append("cancelled"),
                             label="正在导入…", progress=True)
    assert at_commit.wait(10)
    task.dialog.cancel()  # the 取消 button, pressed while the transaction is written
    release.set()
    qtbot.waitUntil(lambda: task.done)
    assert outcome == ["written"] and task.result == "written"


def test_closing_the_window_while_its_work_runs_drops_the_result(qtbot, db, docs, settings):
    w = make_window(qtbot, db, settings)
    started, release, outcome = threading.Event(), threading.Event(), []

    def work():
        started.set()
        release.wait(10)
        return "late"

    task = w.run_task(work, on_done=outcome.append, on_error=outcome.append,
                      on_cancel=lambda: outcome.append("cancelled"))
    assert started.wait(10)
    w.close()
    release.set()
    qtbot.waitUntil(lambda: task.done)
    assert task.progress.cancelled and outcome == []
    assert w.last_message is None and not w.change_timer.isActive()


def test_closing_the_window_during_a_json_import_writes_all_or_nothing_and_shows_nothing(qtbot, db, docs,
                                                                                        settings, tmp_path):
    w = make_window(qtbot, db, settings)
    new = [variant("gansu", f"closing{i}", name=f"甘肃省关窗测试{i}号产业技术创新联盟") for i in range(3)]
    paths = []
    for i, doc in enumerate(new):
        paths.append(tmp_path / f"closing{i}.json")
        exchange.write_file(doc, paths[-1])
    finished = []
    w.importFinished.connect(finished.append)
    before = {r.id for r in listing.load_list(db)}
    task = w.import_json_files(paths)
    w.close()  # before the event loop runs again: the result can only arrive at a closed window
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    added = {r.id for r in listing.load_list(db)} - before
    assert added in (set(), {d["id"] for d in new})  # cancelled while reading, or written whole
    assert finished == [] and w.last_message is None
    assert w.statusBar().currentMessage() == ""


def test_work_that_outlives_its_task_ends_quietly(qtbot, capfd):
    """The app quits while work still runs (the search index loading as the clerk closes the
    window): the task is deleted with the rest, the result has no one to go to, and the worker
    thread says nothing (no traceback on the terminal)."""
    import shiboken6
    from PySide6.QtCore import QThreadPool

    for outcome in ("finished", "failed"):
        started, release, seen = threading.Event(), threading.Event(), []

        def work(outcome=outcome):
            started.set()
            release.wait(10)
            if outcome == "failed":
                raise ValueError("late")
            return "late"

        task = run_in_background(work, on_done=seen.append, on_error=seen.append)
        assert started.wait(10)
        shiboken6.delete(task)
        release.set()
        assert QThreadPool.globalInstance().waitForDone(10000)
        qtbot.wait(50)
        assert seen == []
    err = capfd.readouterr().err
    assert "Traceback" not in err and "has been deleted" not in err, err
