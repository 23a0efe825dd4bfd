"""The member list to and from Excel from the editor runs in the background (ui.workers), with
progress and 取消; a result arriving after the editor closed does nothing."""
from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QRunnable, QThreadPool

from alliance_desk import store
from alliance_desk.exchange import member_excel as me
from factory import eligible


@pytest.fixture
def editor(qtbot, db):
    from ui.editor import ApplicationEditor

    doc = eligible("jinzhong")
    store.import_documents(db, [("", doc)])
    ed = ApplicationEditor(db, doc["id"], user="张三")
    qtbot.addWidget(ed)
    return ed


class _Gate(QRunnable):
    """Holds the only thread of a pool until opened, so a test decides when a queued job starts."""

    def __init__(self):
        super().__init__()
        self.event = threading.Event()

    def run(self):
        self.event.wait(30)


@pytest.fixture
def gate(editor):
    """The editor's jobs run on a one-thread pool held shut until the test sets the returned event."""
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    holder = _Gate()
    pool.start(holder)
    editor.member_excel.pool = pool
    yield holder.event
    holder.event.set()
    pool.waitForDone(30000)


def two_member_sheet(editor, tmp_path):
    path = tmp_path / "in.xlsx"
    me.write_members(editor.doc()["members"][:2], path)
    return path


def stored_members(db, app_id):
    with db.Session() as s:
        return store.load_draft(s, app_id).doc["members"]


def test_export_runs_in_the_background_and_writes_the_sheet(qtbot, editor, tmp_path):
    out = tmp_path / "sheets"
    out.mkdir()
    path = out / "成员名单.xlsx"
    task = editor.member_excel.export_to(path)
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert task.result == len(editor.doc()["members"])
    back = me.read_members(path)
    assert back.problems == [] and [m["uscc"] for m in back.members] == [m["uscc"] for m in editor.doc()["members"]]
    assert "已导出" in editor.banner_text()
    assert [p.name for p in out.iterdir()] == ["成员名单.xlsx"]  # no partial file left over


def test_import_runs_in_the_background_and_the_editor_shows_the_new_list(qtbot, db, editor, tmp_path):
    path = tmp_path / "in.xlsx"
    members = editor.doc()["members"][:3]
    members[1]["name"] = "改名后的成员单位"
    me.write_members(members, path)
    task = editor.member_excel.import_from(path, "replace")
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert [m["name"] for m in editor.doc()["members"]] == [m["name"] for m in members]
    assert [m["name"] for m in stored_members(db, editor.app_id)] == [m["name"] for m in members]
    assert "现有成员单位 3 家" in editor.banner_text()


def test_a_bad_sheet_is_named_on_the_banner_and_nothing_is_stored(qtbot, db, editor, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"not a workbook")
    before = stored_members(db, editor.app_id)
    task = editor.member_excel.import_from(path, "replace")
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert task.error is not None and "成员名单" in editor.banner_text()
    assert stored_members(db, editor.app_id) == before


def test_cancelled_export_leaves_no_file(qtbot, editor, tmp_path, gate):
    out = tmp_path / "sheets"
    out.mkdir()
    path = out / "out.xlsx"
    task = editor.member_excel.export_to(path)
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert task.result is None and list(out.iterdir()) == []
    assert "已取消导出" in editor.banner_text()


def test_cancelled_import_changes_nothing(qtbot, db, editor, tmp_path, gate):
    path = two_member_sheet(editor, tmp_path)
    before = stored_members(db, editor.app_id)
    task = editor.member_excel.import_from(path, "replace")
    task.cancel()
    gate.set()
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert stored_members(db, editor.app_id) == before
    assert "已取消导入" in editor.banner_text()


def test_a_result_after_the_editor_closed_does_nothing(qtbot, db, editor, tmp_path, gate):
    path = two_member_sheet(editor, tmp_path)
    shown = editor.doc()["members"]
    task = editor.member_excel.import_from(path, "replace")
    editor.close()
    gate.set()
    qtbot.waitUntil(lambda: task.done, timeout=20000)
    assert len(stored_members(db, editor.app_id)) == 2  # the import itself ran
    assert editor.doc()["members"] == shown and editor.banner_text() == ""  # the closed editor was left alone


def test_the_members_bar_offers_import_and_export(editor):
    from PySide6.QtWidgets import QToolButton

    names = [b.objectName() for b in editor.members_panel.findChildren(QToolButton)]
    assert "import_members_button" in names and "export_members_button" in names
    assert editor.members_panel.findChild(QToolButton, "export_members_button").text() == "导出到 Excel…"
