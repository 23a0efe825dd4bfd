"""The main window driven as a clerk would, on a real temporary SQLite database (offscreen)."""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from alliance_desk import exchange, store
from factory import eligible, uscc, variant
from tests.ui.helpers import commit_text, edit_member_cell, make_window

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def window(qtbot, db, docs, settings):
    return make_window(qtbot, db, settings)


def stored(db, app_id) -> store.Draft:
    with db.Session() as s:
        return store.load_draft(s, app_id)


def type_at_end(qtbot, field, text: str) -> None:
    """Type ASCII at the end of a line field, as a clerk would."""
    field.setFocus()
    field.end(False)
    qtbot.keyClicks(field, text)


def shown_ids(w) -> set[str]:
    return {w.model.app_id_at(r) for r in range(w.model.rowCount())}


def choose(combo, text: str) -> None:
    i = combo.findText(text)
    assert i >= 0, (text, [combo.itemText(k) for k in range(combo.count())])
    combo.setCurrentIndex(i)


# ------------------------------------------------------------------ list, filters, status bar

def test_list_and_status_bar(window, db, docs):
    w = window
    assert w.model.rowCount() == 7
    assert w.counts_label.text() == "共 7 份 · 显示 7 份 · 不符合 2 份"
    assert w.db_label.text() == db.label and db.label.endswith("test.sqlite")
    assert "test.sqlite" in w.windowTitle()
    header = [w.model.headerData(c, Qt.Orientation.Horizontal) for c in range(w.model.columnCount())]
    assert header[0] == "联盟名称" and header[-1] == "结论"
    assert [m.title() for m in (w.file_menu, w.edit_menu, w.view_menu, w.help_menu)] == [
        "文件(&F)", "编辑(&E)", "视图(&V)", "帮助(&H)"]
    texts = [a.text() for a in w.file_menu.actions() if a.text()]
    for t in ("新建申报…", "打开数据库…", "最近打开的数据库", "导入申报 JSON…", "导出申报 JSON…", "导入成员名单（Excel）…",
              "导出成员名单（Excel）…", "退出"):
        assert t in texts
    assert [a.text() for a in w.edit_menu.actions() if a.text()][:2] == ["撤销", "重做"]
    assert "删除申报" in [a.text() for a in w.edit_menu.actions()]
    assert [a.text() for a in w.view_menu.actions()][:2] == ["申报列表", "审查清单"]


def test_search_box_filters_as_you_type(qtbot, window, docs):
    w = window
    w.search_edit.setFocus()
    commit_text(w.search_edit, "晋华特种")  # a member's name, typed through the input method
    qtbot.waitUntil(lambda: w.model.rowCount() == 1)
    assert shown_ids(w) == {docs["small"]["id"]}
    assert w.counts_label.text() == "共 7 份 · 显示 1 份 · 不符合 1 份"

    w.search_edit.clear()
    qtbot.waitUntil(lambda: w.model.rowCount() == 7)
    qtbot.keyClicks(w.search_edit, uscc(777, "jinzhong").lower())  # a member's USCC, any case
    qtbot.waitUntil(lambda: w.model.rowCount() == 1)
    assert shown_ids(w) == {docs["small"]["id"]}

    qtbot.keyClick(w.search_edit, Qt.Key.Key_Escape)  # Esc clears the search
    assert w.search_edit.text() == "" and w.model.rowCount() == 7
    qtbot.keyClicks(w.search_edit, "no such unit")
    qtbot.waitUntil(lambda: w.model.rowCount() == 0)
    assert w.counts_label.text() == "共 7 份 · 显示 0 份 · 不符合 0 份"


def test_region_combo_filters_and_narrows_the_other_combos(qtbot, window, docs):
    w = window
    assert w.region_combo.itemText(0) == "全部地区"
    assert {w.region_combo.itemText(i) for i in range(1, w.region_combo.count())} == {
        "晋中市", "甘肃省", "鞍山市", "赣州市", "重庆市"}
    choose(w.region_combo, "甘肃省")
    assert w.model.rowCount() == 2 and all(r.region == "gansu" for r in w.model.shown_rows)
    assert w.county_combo.itemText(0) == "全部县区"
    assert sorted(w.county_combo.itemText(i) for i in range(1, w.county_combo.count())) == sorted(["天水市", "测试区"])
    assert [w.call_combo.itemData(i) for i in range(1, w.call_combo.count())] == ["gansu-standing"]
    choose(w.status_combo, "不符合条件")
    assert shown_ids(w) == {docs["typo"]["id"]}
    w.clear_filters()
    assert w.model.rowCount() == 7 and w.region_combo.currentIndex() == 0
    choose(w.county_combo, "榆次区")
    assert shown_ids(w) == {docs["small"]["id"]}
    w.clear_filters()
    choose(w.industry_combo, "精品钢材")
    assert {r.region for r in w.model.shown_rows} == {"anshan"}
    w.clear_filters()
    choose(w.call_combo, "2022年度重庆市产业技术创新联盟认定")
    assert {r.region for r in w.model.shown_rows} == {"chongqing"}


def test_sorting_by_clicking_the_header(qtbot, window):
    w = window
    from ui.list_model import COL_FAIL

    header = w.view.horizontalHeader()
    header.setSortIndicator(COL_FAIL, Qt.SortOrder.DescendingOrder)
    fails = [w.model.row_at(r).n_fail for r in range(w.model.rowCount())]
    assert fails == sorted(fails, reverse=True) and fails[0] > 0


# ------------------------------------------------------------------ opening applications

def _row_center(w, app_id):
    r = w.model.row_of(app_id)
    assert r >= 0
    w.view.scrollTo(w.model.index(r, 0))
    return w.view.visualRect(w.model.index(r, 0)).center()


def test_double_click_opens_the_application_with_its_checklist(qtbot, window, docs):
    w = window
    app_id = docs["small"]["id"]
    pos = _row_center(w, app_id)
    qtbot.mouseClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)  # press, then the double click
    qtbot.mouseDClick(w.view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.waitUntil(lambda: w.tabs.count() == 1)
    assert w.open_application_ids() == [app_id]
    assert w.tabs.isVisible() and w.checklist_dock.isVisible()
    assert w.tabs.tabToolTip(0) == docs["small"]["name"]
    editor = w.editor(app_id)
    assert editor is not None and w.editor() is editor
    assert w.checklist(app_id) is w.checklist_stack.currentWidget()
    # opening it again switches to its tab instead of opening a second one
    assert w.open_application(app_id) is editor and w.tabs.count() == 1
    # the list makes room for the editor but stays visible
    qtbot.waitUntil(lambda: w.list_panel.width() < 700)
    assert w.list_panel.isVisible()
    # hiding the list and the checklist from the 视图 menu
    w.act_show_checklist.setChecked(False)
    assert not w.checklist_dock.isVisible()
    w.act_show_list.setChecked(False)
    assert not w.list_panel.isVisible()
    w.act_show_list.setChecked(True)
    w.act_show_checklist.setChecked(True)
    assert w.checklist_dock.isVisible() and w.list_panel.isVisible()
    assert w.close_application(app_id)
    assert w.tabs.count() == 0 and not w.tabs.isVisible() and not w.checklist_dock.isVisible()


def test_enter_opens_the_selected_row(qtbot, window, docs):
    w = window
    w.select_application(docs["typo"]["id"])
    w.view.setFocus()
    qtbot.keyClick(w.view, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.tabs.count() == 1)
    assert w.open_application_ids() == [docs["typo"]["id"]]


def test_real_editor_is_hosted_when_installed(qtbot, window, docs):
    from ui.checklist import ChecklistPanel
    from ui.editor import ApplicationEditor

    w = window
    app_id = docs["small"]["id"]
    editor = w.open_application(app_id)
    assert isinstance(editor, ApplicationEditor) and editor.app_id == app_id and editor.user == w.user
    panel = w.checklist(app_id)
    assert isinstance(panel, ChecklistPanel) and w.checklist_stack.currentWidget() is panel
    # attach_checklist(panel): the dock shows the editor's live result
    assert panel.result() is not None and panel.verdict_text() == "不符合条件"
    assert [i.rule for i in panel.result().items] == [i.rule for i in editor.check_result().items]
    assert w.undo_group.activeStack() is editor.undo_stack
    assert w.set_editor_tab(1) and editor.tabs.currentIndex() == 1
    assert editor.tabs.tabText(editor.tabs.currentIndex()) == "成员单位"
    assert not w.set_editor_tab(editor.tabs.count()) and editor.tabs.currentIndex() == 1


# ------------------------------------------------------------------ hosting the real editor: typing, autosave, undo

def test_typing_autosaves_and_refreshes_the_row_and_the_tab(qtbot, window, docs, db):
    from ui.list_model import COL_NAME

    w = window
    app_id = docs["small"]["id"]
    editor = w.open_application(app_id)
    v0 = editor.version
    name = editor.widget_for("name")
    name.setFocus()
    name.selectAll()
    commit_text(name, "晋中市改名后的产业技术创新战略联盟")  # Chinese through the input method
    qtbot.keyClicks(name, " 2024")
    new = "晋中市改名后的产业技术创新战略联盟 2024"
    i = w.tabs.indexOf(editor)
    # documentChanged: the tab follows the typing before anything is saved
    assert w.tabs.tabToolTip(i) == new and w.tabs.tabText(i) == new[:17] + "…"
    assert editor.has_unsaved_changes() and w.model.find(app_id).name == docs["small"]["name"]
    # saved(version) after the autosave: the list row is read again from the database
    qtbot.waitUntil(lambda: w.model.find(app_id).name == new, timeout=3000)
    assert not editor.has_unsaved_changes() and editor.version > v0
    assert w.model.data(w.model.index(w.model.row_of(app_id), COL_NAME)) == new
    assert w.tabs.tabToolTip(i) == new
    draft = stored(db, app_id)
    assert draft.doc["name"] == new and draft.version == editor.version
    # set_editor_tab switches the editor's own tabs
    assert w.set_editor_tab(2) and editor.tabs.currentIndex() == 2
    assert editor.tabs.tabText(2) == "组织机构"
    assert w.set_editor_tab(0)
    # closing the tab saves edits the autosave has not written yet
    type_at_end(qtbot, name, " B")
    assert editor.has_unsaved_changes()
    assert w.close_application(app_id)
    assert w.open_application_ids() == [] and stored(db, app_id).doc["name"] == new + " B"
    assert w.model.find(app_id).name == new + " B"


def test_undo_and_redo_act_on_the_current_editor(qtbot, window, docs, db):
    w = window
    small, typo = docs["small"], docs["typo"]
    first = w.open_application(small["id"])
    second = w.open_application(typo["id"])
    assert w.undo_group.activeStack() is second.undo_stack
    assert not w.act_undo.isEnabled() and not w.act_redo.isEnabled()
    w.tabs.setCurrentWidget(first)
    assert w.undo_group.activeStack() is first.undo_stack
    name = first.widget_for("name")
    type_at_end(qtbot, name, " 2024")  # one typing burst: one undo step
    typed = small["name"] + " 2024"
    assert first.doc()["name"] == typed
    assert w.act_undo.isEnabled() and not w.act_redo.isEnabled()
    assert w.act_undo.toolTip() == "撤销 修改「联盟名称」"
    w.tabs.setCurrentWidget(second)  # the other editor has nothing to undo
    assert not w.act_undo.isEnabled() and second.doc()["name"] == typo["name"]
    w.tabs.setCurrentWidget(first)
    w.act_undo.trigger()
    assert name.text() == small["name"] and first.doc()["name"] == small["name"]
    assert not w.act_undo.isEnabled() and w.act_redo.isEnabled()
    assert w.tabs.tabToolTip(w.tabs.indexOf(first)) == small["name"]
    w.act_redo.trigger()
    assert name.text() == typed and w.act_undo.isEnabled() and not w.act_redo.isEnabled()
    qtbot.waitUntil(lambda: not first.has_unsaved_changes(), timeout=3000)
    assert stored(db, small["id"]).doc["name"] == typed
    assert not second.has_unsaved_changes() and stored(db, typo["id"]).version == second.version
    w.close_application(typo["id"])
    w.close_application(small["id"])
    assert w.undo_group.activeStack() is None and not w.act_undo.isEnabled() and not w.act_redo.isEnabled()


# ------------------------------------------------------------------ settings

def test_recent_databases_are_remembered(qtbot, window, tmp_path, settings, db):
    w = window
    paths = []
    for i in range(9):
        p = tmp_path / f"office-{i}.sqlite"
        assert w.open_database_path(p)
        qtbot.waitUntil(lambda: w.list_ready)
        paths.append(str(p.resolve()))
    assert w.db_label.text() == paths[-1]
    assert w.model.rowCount() == 0 and w.empty_label.isVisible()
    recent = w.recent_databases()
    assert recent == list(reversed(paths))[:8]          # newest first, at most 8
    w._fill_recent_menu()
    assert any(paths[-1] in a.text() for a in w.recent_menu.actions())
    # back to the first database through the recent list
    assert w.open_database_path(db.label)
    qtbot.waitUntil(lambda: w.model.rowCount() == 7)
    settings.sync()
    again = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    from ui.main_window import MainWindow

    w2 = MainWindow(None, again)
    qtbot.addWidget(w2)
    assert w2.recent_databases()[0] == db.label and len(w2.recent_databases()) == 8
    assert w2.db_label.text() == "未打开数据库"


def test_geometry_and_dock_state_are_restored(qtbot, db, docs, settings):
    w = make_window(qtbot, db, settings)
    w.resize(760, 540)  # within the offscreen screen (800x600): restoreGeometry keeps windows on screen
    qtbot.waitUntil(lambda: w.size().width() == 760)
    w.close()
    settings.sync()
    w2 = make_window(qtbot, db, QSettings(settings.fileName(), QSettings.Format.IniFormat), show=False)
    assert (w2.size().width(), w2.size().height()) == (760, 540)
    assert w2.settings.value("window/state") is not None


# ------------------------------------------------------------------ new application wizard

def test_wizard_creates_a_stored_application_and_opens_it(qtbot, window, db):
    w = window
    wiz = w.new_application()
    assert wiz is w.wizard and wiz.isVisible()
    wiz.set_region("chongqing")
    rp, ap, lp = wiz.region_page, wiz.alliance_page, wiz.lead_page
    assert rp.call.currentData() == "chongqing-2022"
    assert not rp.isComplete()
    rp.county.setEditText("两江新区")
    assert rp.isComplete()
    wiz.next()
    ap.name.setText("重庆市智能网联汽车产业技术创新联盟")
    ap.industry.setEditText("智能网联新能源汽车")
    assert ap.isComplete()
    wiz.next()
    lp.lead.setText("重庆长安智能汽车有限公司")
    qtbot.keyClicks(lp.uscc, uscc(11, "chongqing")[:-1].lower() + "0")
    assert lp.uscc.text() == lp.uscc.text().upper()           # typed lower case, shown upper case
    assert lp.uscc_hint.text().startswith("校验位错误（第 18 位应为")  # checked as typed
    lp.uscc.setText(uscc(11, "chongqing"))
    assert lp.uscc_hint.text() == "✓ 校验通过"
    with qtbot.waitSignal(w.applicationCreated, timeout=5000) as blocker:
        wiz.accept()
    app_id = blocker.args[0]
    with db.Session() as s:
        doc = store.get_document(s, app_id)
    assert doc["region"] == "chongqing" and doc["call"] == "chongqing-2022" and doc["county"] == "两江新区"
    assert doc["name"] == "重庆市智能网联汽车产业技术创新联盟" and doc["industry"] == "智能网联新能源汽车"
    assert doc["members"] == [{"name": "重庆长安智能汽车有限公司", "uscc": uscc(11, "chongqing"),
                               "kind": "enterprise", "role": "lead", "in_region": True}]
    assert doc["organization"] == {"council": [], "expert_committee": [], "secretariat": None}
    assert doc["agreement"] == {"signed_on": None, "expires_on": None, "signed_by_legal_reps": False,
                                "sealed": False}
    assert doc["materials"] == [] and doc["systems"] == {}
    assert len(doc["submitted_at"]) == 16 and uuid.UUID(app_id).version == 4
    assert w.model.find(app_id) is not None and w.model.rowCount() == 8
    assert w.open_application_ids() == [app_id]
    editor = w.editor(app_id)
    assert editor is w.editor() and editor.widget_for("name").text() == "重庆市智能网联汽车产业技术创新联盟"
    assert w.tabs.tabToolTip(w.tabs.indexOf(editor)) == "重庆市智能网联汽车产业技术创新联盟"


def test_wizard_offers_the_region_list_of_industries(qtbot, window):
    wiz = window.new_application()
    wiz.set_region("ganzhou")
    wiz.region_page.county.setEditText("于都县")
    wiz.next()
    ind = wiz.alliance_page.industry
    assert not ind.isEditable() and ind.findText("纺织服装产业") >= 0
    wiz.reject()


# ------------------------------------------------------------------ import / export through the window's services

def test_import_json_through_the_menu_service(qtbot, window, tmp_path, db):
    w = window
    doc = variant("anshan", "imported", name="鞍山市新导入的产业技术创新战略联盟")
    path = tmp_path / "new.json"
    exchange.write_file(doc, path)
    with qtbot.waitSignal(w.importFinished, timeout=10000) as blocker:
        w.import_json_files([path])
    assert blocker.args[0].created == [doc["id"]]
    qtbot.waitUntil(lambda: w.model.find(doc["id"]) is not None and w.index_ready)
    assert "新增 1 份" in w.statusBar().currentMessage()
    assert w.counts_label.text().startswith("共 8 份")


def test_import_json_problems_are_listed_in_chinese(qtbot, window, tmp_path):
    w = window
    bad = tmp_path / "bad.json"
    doc = variant("anshan", "bad")
    doc["members"][0]["kind"] = "company"
    bad.write_text(exchange.dumps(doc), encoding="utf-8")
    w.import_json_files([bad])
    qtbot.waitUntil(lambda: w.last_message is not None, timeout=10000)
    box = w.last_message
    assert box.windowTitle() == "导入失败" and "数据库未作任何修改" in box.text()
    assert "members[0].kind" in box.informativeText() and "company" in box.informativeText()
    assert w.model.rowCount() == 7
    box.close()


def test_export_json_writes_the_stored_document(window, docs, db, tmp_path):
    path = tmp_path / "out.json"
    assert window.export_json_to(docs["small"]["id"], path)
    assert path.read_text(encoding="utf-8") == store.export_json(db, docs["small"]["id"])
    assert exchange.read_file(path)["id"] == docs["small"]["id"]


def test_member_list_excel_from_the_menus_runs_off_the_gui_thread(qtbot, window, docs, db, tmp_path):
    """The menu commands write and read the sheet on a worker thread; the list and the open editor
    follow when it is done, and a broken sheet is refused with nothing stored."""
    from openpyxl import load_workbook

    w = window
    app_id = docs["small"]["id"]
    editor = w.open_application(app_id)
    path = tmp_path / "members.xlsx"
    assert w.export_members_to(app_id, path, background=True) is None  # started, not finished
    qtbot.waitUntil(lambda: not w._tasks, timeout=10000)
    assert "已导出 3 家成员单位" in w.statusBar().currentMessage()
    wb = load_workbook(path)
    wb.active.append([4, "新加入的晋中检测有限公司", uscc(404, "jinzhong"), "检测机构", "一般成员", "是"])
    wb.save(path)
    w.import_members_from(app_id, path, "append", background=True)
    qtbot.waitUntil(lambda: w.model.find(app_id).member_count == 4, timeout=10000)
    qtbot.waitUntil(lambda: editor.member_model.rowCount() == 4, timeout=10000)
    assert len(stored(db, app_id).doc["members"]) == 4
    wb.active["F3"] = "不确定"
    wb.save(path)
    w.import_members_from(app_id, path, "replace", background=True)
    qtbot.waitUntil(lambda: w.last_message is not None and "第 3 行「本地注册」" in w.last_message.informativeText(),
                    timeout=10000)
    assert len(stored(db, app_id).doc["members"]) == 4


def test_member_list_excel_through_the_window(qtbot, window, docs, db, tmp_path):
    from openpyxl import load_workbook

    w = window
    app_id = docs["small"]["id"]
    editor = w.open_application(app_id)
    # rename the third member in the editor's table; export before the autosave has run
    model = editor.member_model
    cell_editor = edit_member_cell(editor, 2, "name")
    commit_text(cell_editor, "晋中市精密仪器有限公司")
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)  # the view commits on the next event loop turn
    qtbot.waitUntil(lambda: editor.doc()["members"][2]["name"] == "晋中市精密仪器有限公司", timeout=1000)
    assert editor.has_unsaved_changes()
    path = tmp_path / "members.xlsx"
    assert w.export_members_to(app_id, path) == 3
    assert not editor.has_unsaved_changes()  # pending edits saved before exporting
    assert stored(db, app_id).doc["members"][2]["name"] == "晋中市精密仪器有限公司"
    wb = load_workbook(path)
    ws = wb.active
    names = [m["name"] for m in docs["small"]["members"][:2]] + ["晋中市精密仪器有限公司"]
    assert [c.value for c in ws["B"]][-3:] == names  # the sheet has the name typed a moment ago
    ws.append([4, "新加入的晋中检测有限公司", uscc(404, "jinzhong"), "检测机构", "一般成员", "是"])
    wb.save(path)
    assert w.import_members_from(app_id, path, "replace") == 4
    assert w.model.find(app_id).member_count == 4
    # the open editor shows the imported list (reloaded from the database)
    assert model.rowCount() == 4 and editor.version == stored(db, app_id).version
    assert [m["name"] for m in editor.doc()["members"]][2:] == ["晋中市精密仪器有限公司", "新加入的晋中检测有限公司"]
    w.search_edit.setText("晋中检测")
    w.apply_filters_now()
    assert shown_ids(w) == {app_id}
    # a sheet with a problem: nothing changes, the problem is shown
    ws["F3"] = "不确定"
    wb.save(path)
    assert w.import_members_from(app_id, path) is None
    assert "第 3 行「本地注册」" in w.last_message.informativeText()
    assert w.model.find(app_id).member_count == 4


def test_delete_application(window, docs, db):
    w = window
    app_id = docs["typo"]["id"]
    w.open_application(app_id)
    assert w.delete_applications([app_id]) == 1
    assert w.model.find(app_id) is None and app_id not in w.open_application_ids()
    assert w.counts_label.text() == "共 6 份 · 显示 6 份 · 不符合 1 份"
    with db.Session() as s:
        assert store.count_applications(s) == 6


def test_about_names_version_font_licence_and_the_five_notices(window):
    text = window.about_text()
    from alliance_desk import __version__

    assert __version__ in text and "SIL Open Font License 1.1" in text
    for authority in ("晋中市科学技术局", "甘肃省工业和信息化厅", "鞍山市科学技术局", "赣州市科技局", "重庆市经济和信息化委员会"):
        assert authority in text


# ------------------------------------------------------------------ the command line

@pytest.mark.slow
def test_gui_screenshot_subprocess(db, docs, tmp_path):
    out = tmp_path / "shot.png"
    app_id = docs["small"]["id"]
    proc = subprocess.run([sys.executable, "-m", "cli", "gui", "--db", db.label, "--open", app_id,
                           "--tab", "1", "--screenshot", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 0, proc.stderr
    img = QImage(str(out))
    assert (img.width(), img.height()) == (1366, 768)
    # an unknown application: the picture is still taken, the exit code says it failed
    proc = subprocess.run([sys.executable, "-m", "cli", "gui", "--db", db.label, "--open", "nope",
                           "--screenshot", str(tmp_path / "x.png"), "--size", "800x600"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert proc.returncode == 1 and "没有 id 为 nope 的申报" in proc.stderr
    assert QImage(str(tmp_path / "x.png")).width() == 800


def test_switching_database_is_refused_while_an_editor_cannot_save(qtbot, window, docs, db, tmp_path):
    from db.session import open_database

    w = window
    app_id, original = docs["small"]["id"], docs["small"]["name"]
    editor = w.open_application(app_id)
    # someone else saves the same application through their own connection: the version moves on
    other = open_database(db.label)
    try:
        with other.Session() as s:
            theirs = store.load_draft(s, app_id).doc
        theirs["county"] = "太谷区"
        assert store.save_draft(other, theirs) > editor.version
    finally:
        other.dispose()
    # this editor's autosave is refused (ConflictError): saveFailed reaches the status bar
    with qtbot.waitSignal(editor.saveFailed, timeout=3000) as blocker:
        type_at_end(qtbot, editor.widget_for("name"), " 2024")
    assert "已被其他人修改" in blocker.args[0]
    assert w.statusBar().currentMessage() == f"保存失败：{blocker.args[0]}"
    assert "已被其他人修改" in editor.banner_text() and editor.reload_button.isVisible()

    before = w.db
    assert not w.open_database_path(tmp_path / "other.sqlite")
    assert w.db is before and w.db_label.text() == db.label and w.open_application_ids() == [app_id]
    box = w.last_message
    assert box.windowTitle() == "保存失败" and "未能保存" in box.text() and "已被其他人修改" in box.text()
    box.close()
    # nothing was overwritten: theirs is stored, the typing is still in the editor
    draft = stored(db, app_id)
    assert draft.doc["county"] == "太谷区" and draft.doc["name"] == original
    assert editor.doc()["name"] == original + " 2024" and editor.has_unsaved_changes()

    # the way out: reload the stored application, then the database can be switched
    qtbot.mouseClick(editor.reload_button, Qt.MouseButton.LeftButton)
    assert editor.doc()["county"] == "太谷区" and editor.doc()["name"] == original
    assert not editor.has_unsaved_changes() and editor.banner_text() == ""
    assert w.open_database_path(tmp_path / "other.sqlite")
    qtbot.waitUntil(lambda: w.list_ready)
    assert w.open_application_ids() == [] and w.db_label.text() == str((tmp_path / "other.sqlite").resolve())


# ------------------------------------------------------------------ fonts, background work, fast start

def test_bundled_font_renders_chinese(qapp):
    from PySide6.QtGui import QFontDatabase

    from ui.fonts import ensure_cjk_font

    family = ensure_cjk_font(qapp)
    assert QFontDatabase.WritingSystem.SimplifiedChinese in QFontDatabase.writingSystems(family)
    assert ensure_cjk_font(qapp) == family  # idempotent


def test_run_in_background_delivers_on_the_gui_thread(qtbot):
    import threading

    from ui.workers import run_in_background

    gui = threading.get_ident()
    seen = {}

    def work():
        seen["worker"] = threading.get_ident()
        return 42

    task = run_in_background(work, on_done=lambda v: seen.update(value=v, done_on=threading.get_ident()))
    qtbot.waitUntil(lambda: task.done)
    assert seen["value"] == 42 and seen["done_on"] == gui and seen["worker"] != gui and task.result == 42

    errors = []
    task = run_in_background(lambda: 1 / 0, on_error=lambda e: errors.append((e, threading.get_ident())))
    qtbot.waitUntil(lambda: task.done)
    assert isinstance(errors[0][0], ZeroDivisionError) and errors[0][1] == gui
    assert "ZeroDivisionError" in errors[0][0].__traceback_text__


def test_run_in_background_progress_and_cancel(qtbot):
    import threading

    from ui.workers import run_in_background

    started, release = threading.Event(), threading.Event()
    outcome, steps = [], []

    def work(progress):
        for i in range(1000):
            started.set()
            release.wait(5)
            progress.update(i, 1000, f"第 {i} 份")  # raises Cancelled once cancelled
        return "finished"

    parent = QWidget()
    qtbot.addWidget(parent)
    task = run_in_background(work, progress=True, label="正在导出…", parent=parent,
                             on_done=lambda v: outcome.append(v), on_cancel=lambda: outcome.append("cancelled"))
    task.progressed.connect(lambda d, t, s: steps.append(d))
    assert started.wait(5)
    assert task.dialog is not None and task.dialog.labelText() == "正在导出…"
    from PySide6.QtWidgets import QPushButton

    button = task.dialog.findChild(QPushButton)
    assert button.text() == "取消"
    button.click()
    release.set()
    qtbot.waitUntil(lambda: task.done)
    assert outcome == ["cancelled"] and task.dialog is None


def test_fast_start_imports(tmp_path):
    """The window is painted before SQLAlchemy, openpyxl or ReportLab are imported."""
    code = ("import sys; import ui.app, ui.main_window, ui.list_model, ui.workers, ui.fonts; "
            "print(sorted(m for m in ('sqlalchemy', 'openpyxl', 'reportlab', 'jsonschema', 'alembic') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_installed_pyside_keeps_references():
    """PySide6-Essentials 6.12.0 on CPython 3.11 loses a reference to None per void call and to True
    per emit, and the interpreter aborts after a few hundred; pyproject excludes that release."""
    from PySide6.QtCore import QObject, QPoint

    class Emitter(QObject):
        fired = Signal()

    p, e = QPoint(), Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(20000):  # far more than the ~600 references True has in a fresh interpreter
        p.setX(1)
        e.fired.emit()
    assert abs(sys.getrefcount(None) - none_before) < 100
    assert abs(sys.getrefcount(True) - true_before) < 100


def anshan_window(qtbot, tmp_path, name: str, show: bool = True):
    """A window (not yet loaded) on a new database file holding one eligible anshan application."""
    from db.session import open_database
    from ui.main_window import MainWindow

    db = open_database(tmp_path / name)
    doc = eligible("anshan")
    store.import_documents(db, [("", doc)])
    win = MainWindow(db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    if show:
        win.show()
    return db, doc, win


def test_work_menu_opens_review_dashboard_exports_and_procedure(qtbot, tmp_path):
    """The screens of review, lifecycle and documents are reachable from the 办理 menu."""
    db, doc, win = anshan_window(qtbot, tmp_path, "w.sqlite")
    qtbot.waitUntil(lambda: win.model.rowCount() == 1)
    titles = [a.text() for a in win.work_menu.actions() if a.text()]
    assert any("专家评审" in t for t in titles) and any("导出文书" in t for t in titles)
    from ui.lifecycle import Dashboard
    from ui.review import ReviewRoundWidget
    review = win.open_tool("review")
    assert isinstance(review.centralWidget(), ReviewRoundWidget)
    assert win.open_tool("review") is review  # one window each
    dash = win.open_tool("dashboard")
    assert isinstance(dash.centralWidget(), Dashboard)
    dash.centralWidget().openApplication.emit(doc["id"])
    assert win.open_application_ids() == [doc["id"]]
    exports = win.open_exports()
    assert exports.isVisible()
    exports.close()
    proc = win.open_procedure()
    assert proc is not None and doc["name"] in proc.windowTitle()
    from ui.history import HistoryView
    history = win.open_history()
    assert isinstance(history.centralWidget(), HistoryView) and doc["name"] in history.windowTitle()
    for w in (review, dash, proc, history):
        w.close()


def test_dashboard_shown_on_start_when_something_is_due(qtbot, tmp_path):
    from datetime import date

    from alliance_desk import lifecycle
    from ui.app import show_dashboard_if_due

    db, doc, win = anshan_window(qtbot, tmp_path, "d.sqlite", show=False)
    assert show_dashboard_if_due(win, on=date(2025, 3, 1)) is False  # nothing recognised yet
    lifecycle.decide(db, doc["id"], "recognized", date(2024, 7, 10), doc_no="鞍科发〔2024〕1号")
    assert show_dashboard_if_due(win, on=date(2025, 3, 1)) is True  # the 2024 summary (due 12-31) is overdue
    assert win._tools["dashboard"].isVisible()
    win._tools["dashboard"].close()


def test_interactive_open_takes_the_lock_and_closing_releases_it(qtbot, tmp_path):
    """The desktop start goes through ui.open_database.guard_open; disposing the database frees the lock,
    so the next start is not mistaken for a crash or a second seat."""
    from PySide6.QtCore import QSettings
    from ui.main_window import MainWindow
    from ui.open_database import guard_open

    path = tmp_path / "locked.sqlite"
    db = guard_open(path)
    assert db is not None and not db.read_only
    lock_file = tmp_path / "locked.sqlite.lock"
    assert lock_file.exists()
    win = MainWindow(None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.set_database(db, owned=True)
    win.close()
    assert not lock_file.exists()
    again = guard_open(path)
    assert again is not None and not again.read_only
    again.dispose()


def test_opening_a_database_takes_the_days_backup_in_the_background(qtbot, tmp_path):
    """Opening a database from the menu answers at once; the day's start-up backup (a copy of the
    whole file: seconds for a province's archive) follows off the GUI thread, once a day."""
    from PySide6.QtCore import QSettings
    from db.session import open_database
    from db.sqlite_file import backups_dir
    from ui.main_window import MainWindow

    path = tmp_path / "office.sqlite"
    made = open_database(path)
    store.import_documents(made, [("", eligible("gansu"))])
    made.dispose()
    win = MainWindow(None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert win.open_database_path(path)
    assert win.db.startup_backup is None         # not taken while the clerk waits
    assert win._tasks                            # but by a task of the window, in the background
    qtbot.waitUntil(lambda: win.db.startup_backup is not None, timeout=20000)
    taken = list(backups_dir(path).glob("office-startup-*.sqlite"))
    assert [b.name for b in taken] == [win.db.startup_backup.path.name]
    assert "自动备份" in win.statusBar().currentMessage()
    with sqlite3.connect(taken[0]) as con:        # a whole database, the application in it
        assert con.execute("SELECT count(*) FROM applications").fetchone() == (1,)
    other = tmp_path / "other.sqlite"
    assert win.open_database_path(other) and win.open_database_path(path)
    assert win.daily_backup_in_background() is not None
    qtbot.waitUntil(lambda: not win._tasks, timeout=20000)
    assert win.db.startup_backup is None         # today's is there already: no second copy
    assert len(list(backups_dir(path).glob("office-startup-*.sqlite"))) == 1
    win.close()


def test_a_failed_background_backup_is_told_and_the_clerk_works_on(qtbot, tmp_path):
    from PySide6.QtCore import QSettings
    from db.sqlite_file import backups_dir
    from ui.main_window import MainWindow

    path = tmp_path / "office.sqlite"
    backups_dir(path).write_text("a file where the backups folder should be", encoding="utf-8")
    win = MainWindow(None, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    assert win.open_database_path(path)
    qtbot.waitUntil(lambda: win.last_message is not None, timeout=20000)
    assert win.last_message.windowTitle() == "自动备份失败"
    assert win.db is not None and not win.read_only and win.db.startup_backup is None
    store.import_documents(win.db, [("", eligible("gansu"))])  # the database works on
    win.last_message.close()
    win.close()


# ------------------------------------------------------------------ a database in use by another seat

def test_a_database_in_use_elsewhere_opens_read_only_with_writes_greyed_out(qtbot, window, tmp_path, monkeypatch):
    from db.session import open_database
    from tests.test_locking import start_holder
    from ui import open_database as safety

    office = tmp_path / "office.sqlite"
    other = open_database(office)
    doc = eligible("chongqing")
    store.import_documents(other, [("", doc)])
    other.dispose()
    holder = start_holder(office)
    try:
        w = window
        asked = []
        # the clerk cancels: nothing changes
        monkeypatch.setattr(safety, "ask_in_use",
                            lambda info, file, parent, leave=None: asked.append((info.pid, leave)) or safety.QUIT)
        before = w.db
        assert not w.open_database_path(office)
        assert w.db is before and asked == [(holder.pid, "取消")]
        # the clerk chooses 只读打开
        monkeypatch.setattr(safety, "ask_in_use", lambda info, file, parent, leave=None: safety.READ_ONLY)
        assert w.open_database_path(office)
        qtbot.waitUntil(lambda: w.list_ready and w.model.rowCount() == 1)
        assert w.read_only and "（只读）" in w.windowTitle()
        assert w.db_label.text() == str(office.resolve()) + "（只读）"
        assert "已只读打开" in w.statusBar().currentMessage()
        w.view.selectRow(0)
        assert w.current_application_id() == doc["id"]
        assert not any(a.isEnabled() for a in (w.act_new, w.act_import_json, w.act_import_members, w.act_delete))
        assert w.act_export_json.isEnabled() and w.act_export_members.isEnabled()
        assert "只读" in w.act_delete.toolTip()
        w.grab().save(str(tmp_path / "read-only.png"))
        # the editor opens for reading; nothing can be written through it
        editor = w.open_application(doc["id"])
        assert editor is not None and editor.read_only
    finally:
        holder.stdin.write("\n")
        holder.stdin.flush()
        holder.wait(timeout=30)


def test_changes_by_another_seat_show_up_without_a_manual_refresh(qtbot, window, docs, db):
    """Another seat (its own Database on the same file, as on a shared server) saves, moves a step
    and deletes; the list follows at the next poll, an idle editor reloads, a busy one is left alone."""
    from datetime import date

    from alliance_desk import lifecycle as lc
    from db.session import open_database

    w = window
    qtbot.waitUntil(lambda: w.list_ready)
    small, typo = docs["small"], docs["typo"]
    idle = w.open_application(small["id"])
    busy = w.open_application(typo["id"])
    type_at_end(qtbot, busy.widget_for("name"), " draft")
    assert busy.has_unsaved_changes()
    busy._save_timer.stop()  # keep it unsaved while the other seat works

    def poll():
        w.poll_changes()
        qtbot.waitUntil(lambda: not w._polling, timeout=5000)

    poll()  # nothing changed yet
    other = open_database(db.label)
    try:
        with other.Session() as s:
            theirs = store.load_draft(s, small["id"]).doc
            typo_theirs = store.load_draft(s, typo["id"]).doc
        theirs["name"] = "晋中市其他座席改过名称的产业技术创新战略联盟"
        store.save_draft(other, theirs)
        typo_theirs["county"] = "秦州区"
        store.save_draft(other, typo_theirs)
        lc.move_stage(other, docs["all"][0]["id"], lc.stages(docs["all"][0]["region"])[0].id, date(2024, 6, 3))
        poll()
        row = w.model.find(small["id"])
        assert row.name == theirs["name"]
        assert idle.widget_for("name").text() == theirs["name"] and not idle.has_unsaved_changes()
        assert busy.has_unsaved_changes() and busy.doc()["county"] != "秦州区"  # left alone
        assert "其他座席更新了" in w.statusBar().currentMessage()
        stage_row = w.model.find(docs["all"][0]["id"])
        assert stage_row.stage == lc.stages(docs["all"][0]["region"])[0].id
        # this window's own save is not mistaken for someone else's
        type_at_end(qtbot, idle.widget_for("county"), " 2")
        assert idle.flush() is True
        w.statusBar().clearMessage()
        poll()
        assert w.statusBar().currentMessage() == "" and idle.widget_for("county").text().endswith(" 2")
        store.delete_application(other, small["id"])
        poll()
        assert w.model.find(small["id"]) is None
        assert "已被其他座席删除" in w.statusBar().currentMessage()
        # the busy editor's save is refused now (the other seat saved first): drop its draft to close
        busy.reload()
        w.close_all_applications(save=False)
    finally:
        other.dispose()


def test_first_rows_are_shown_before_the_whole_list(qtbot, db, docs, settings, monkeypatch):
    """A large archive: the newest rows are painted first, the whole list (and its counts) follow."""
    from alliance_desk import listing
    from ui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "FIRST_PAGE", 3)
    w = MainWindow(db, settings)  # starts reading in the background; results arrive on the event loop
    qtbot.addWidget(w)
    seen = []
    w.firstRowsShown.connect(lambda n: seen.append(("first", n, [r.id for r in w.model.all_rows],
                                                     w.counts_label.text())))
    w.listLoaded.connect(lambda n: seen.append(("all", n, [r.id for r in w.model.all_rows], "")))
    w.show()
    qtbot.waitUntil(lambda: w.index_ready, timeout=10000)
    newest = [r.id for r in listing.load_list(db)]
    assert seen[0][0] == "first" and seen[0][1] == 3 and seen[0][2] == newest[:3]
    assert "先显示最新提交的 3 份" in seen[0][3]
    assert seen[-1][0] == "all" and seen[-1][1] == len(docs["all"]) and sorted(seen[-1][2]) == sorted(newest)
    assert w.counts_label.text().startswith(f"共 {len(docs['all'])} 份")


def test_a_row_picked_among_the_first_rows_stays_picked_when_the_database_opens(qtbot, db, docs, settings):
    """At start-up the newest rows are on screen before the database is fully open; a clerk who
    picks one meanwhile still has it picked once the whole list is there."""
    from alliance_desk import first_page, listing
    from ui.main_window import MainWindow

    if not str(db.url).startswith("sqlite"):
        pytest.skip("the first page is read raw from SQLite files only")
    db.dispose()  # as at start-up: nothing open, no log beside the file
    first = first_page.read(db.label, listing.FIRST_PAGE)
    assert first is not None
    w = MainWindow(None, settings)
    qtbot.addWidget(w)
    w.show()
    w._first_rows_loaded(*first)
    picked = first[0][1].id
    w._select_ids([picked])
    assert w.selected_application_ids() == [picked]
    resets = []
    w.model.modelReset.connect(lambda: resets.append(1))
    w.set_database(db, preloaded=first)
    assert resets == []                      # the rows on screen stay as they are, not shown again
    assert w.selected_application_ids() == [picked]
    qtbot.waitUntil(lambda: w.index_ready, timeout=10000)
    assert w.selected_application_ids() == [picked]
