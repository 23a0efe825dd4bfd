"""ApplicationEditor on a real temporary SQLite database: typing, validation, autosave, undo/redo."""
from __future__ import annotations

import copy


import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent, QTextCursor
from PySide6.QtWidgets import QApplication, QLineEdit

from alliance_desk import store
from factory import eligible

CTRL = Qt.KeyboardModifier.ControlModifier


def open_editor(qtbot, db, region="jinzhong", doc=None, user="张三", show=True):
    from ui.editor import ApplicationEditor

    if doc is None:
        doc = eligible(region)
        store.import_documents(db, [("", doc)])
    editor = ApplicationEditor(db, doc["id"], user=user)
    qtbot.addWidget(editor)
    if show:
        editor.resize(1000, 700)
        editor.show()
        qtbot.waitExposed(editor)
    return editor, doc


def commit_text(widget, text: str) -> None:
    """Chinese arrives from the input method as a commit string (QTest.keyClicks is ASCII only)."""
    ev = QInputMethodEvent("", [])
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def replace_text(qtbot, widget: QLineEdit, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    if text.isascii():
        qtbot.keyClicks(widget, text)
    else:
        commit_text(widget, text)


def stored(db, app_id):
    with db.Session() as s:
        return store.load_draft(s, app_id)


def wait_saved(qtbot, editor, timeout=3000):
    qtbot.waitUntil(lambda: not editor.has_unsaved_changes(), timeout=timeout)


def test_tabs_and_fields(qtbot, db):
    editor, doc = open_editor(qtbot, db, show=False)
    names = [editor.tabs.widget(i).objectName() for i in range(editor.tabs.count())]
    assert names == ["tab_basic", "tab_members", "tab_org", "tab_agreement", "tab_materials", "tab_recommendation"]
    assert [editor.tabs.tabText(i) for i in range(6)] == ["基本信息", "成员单位", "组织机构", "协议与制度", "申报材料",
                                                          "推荐意见"]
    assert editor.widget_for("name").text() == doc["name"]
    assert editor.widget_for("submitted_at").text() == "2023-09-20 10:00"
    assert editor.widget_for("industry").currentText().startswith("新能源汽车")  # a combo: Jinzhong has a list
    assert editor.widget_for("tier_requested") is None and editor.widget_for("provincial_recognized") is None
    assert editor.doc() == stored(db, doc["id"]).doc
    assert editor.invalid() == {}


def test_region_specific_fields(qtbot, db):
    cq, _ = open_editor(qtbot, db, "chongqing", show=False)
    assert cq.widget_for("tier_requested") is not None and cq.widget_for("previously_pilot") is not None
    assert isinstance(cq.widget_for("industry"), QLineEdit)  # free text in Chongqing
    an, _ = open_editor(qtbot, db, "anshan", show=False)
    assert an.widget_for("provincial_recognized") is not None and an.widget_for("tier_requested") is None
    from alliance_desk.rules.packs import get_pack
    assert list(an.materials_editor.rows) == [m.code for m in get_pack("anshan").materials]


def test_typing_autosaves(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    v0 = editor.version
    name = editor.widget_for("name")
    replace_text(qtbot, name, "晋中市新能源汽车产业技术创新战略联盟")
    qtbot.keyClicks(name, " 2024")
    assert editor.doc()["name"] == "晋中市新能源汽车产业技术创新战略联盟 2024"
    with qtbot.waitSignal(editor.saved, timeout=2000) as blocker:
        pass
    assert blocker.args[0] > v0
    wait_saved(qtbot, editor)
    d = stored(db, doc["id"])
    assert d.doc["name"] == "晋中市新能源汽车产业技术创新战略联盟 2024"
    assert d.version == editor.version
    # numbers, dates and check boxes
    replace_text(qtbot, editor.widget_for("investment_wan"), "１,２00.5")
    replace_text(qtbot, editor.widget_for("agreement.signed_on"), "2021/3/2")
    editor.widget_for("systems.charter").click()
    wait_saved(qtbot, editor)
    d = stored(db, doc["id"])
    assert d.doc["investment_wan"] == 1200.5
    assert d.doc["agreement"]["signed_on"] == "2021-03-02"
    assert d.doc["systems"]["charter"] is False
    assert d.invalid == {}


def test_invalid_values_are_kept_and_shown_again(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    expires = editor.widget_for("agreement.expires_on")
    replace_text(qtbot, expires, "2023-13-01")
    assert expires.property("invalid") is True
    assert "不是真实存在的日期" in expires.toolTip()
    staff = editor.widget_for("tech_staff_total")
    replace_text(qtbot, staff, "三十")
    assert "整数" in staff.toolTip()
    name = editor.widget_for("name")
    replace_text(qtbot, name, "联盟")
    assert "长度至少 4 个字符" in name.toolTip()
    replace_text(qtbot, editor.widget_for("organization.secretariat.full_time_staff"), "-1")
    editor.member_model.setData(editor.member_model.index(2, editor.member_model.column_of("employees")), "很多")
    assert editor.invalid() == {"agreement.expires_on": "2023-13-01", "tech_staff_total": "三十", "name": "联盟",
                                "organization.secretariat.full_time_staff": "-1", "members[2].employees": "很多"}
    qtbot.waitUntil(lambda: any(p.startswith("name:") for p in editor.schema_problems()), timeout=2000)
    assert editor.schema_button.isVisible()  # the schema's own message (exchange.validate_document)
    editor.schema_button.click()
    assert editor.tabs.currentWidget() is editor.tab_basic
    editor.flush()
    d = stored(db, doc["id"])
    assert d.invalid == editor.invalid()
    assert d.doc["agreement"]["expires_on"] is None  # no valid value yet: nothing made up
    assert "tech_staff_total" not in d.doc and "full_time_staff" not in d.doc["organization"]["secretariat"]
    assert d.doc["name"] == "联盟"
    # the checklist judges the valid part: the agreement has no term now
    assert next(i for i in editor.check_result().items if i.rule == "JZ-AGREEMENT-TERM").status == "fail"
    editor.close()

    again, _ = open_editor(qtbot, db, doc=doc)
    e2 = again.widget_for("agreement.expires_on")
    assert e2.text() == "2023-13-01" and e2.property("invalid") is True and "不是真实存在的日期" in e2.toolTip()
    assert again.widget_for("tech_staff_total").text() == "三十"
    assert again.widget_for("name").problem()
    m = again.member_model
    assert m.data(m.index(2, m.column_of("employees"))) == "很多"
    assert again.invalid() == d.invalid
    # fixing a value removes it from `invalid`
    replace_text(qtbot, e2, "2027-12-31")
    assert e2.property("invalid") is False and "agreement.expires_on" not in again.invalid()
    again.flush()
    d2 = stored(db, doc["id"])
    assert d2.doc["agreement"]["expires_on"] == "2027-12-31" and "agreement.expires_on" not in d2.invalid


def test_autosave_debounce_and_cap(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    saves: list[int] = []
    editor.saved.connect(lambda v: saves.append(v))
    county = editor.widget_for("county")
    county.setFocus()
    county.end(False)
    for _ in range(20):  # a continuous burst: one key every 80 ms, never a 300 ms pause
        qtbot.keyClicks(county, "x")
        qtbot.wait(80)
    assert saves, "a continuous burst must still save at least every second"
    wait_saved(qtbot, editor)
    assert stored(db, doc["id"]).doc["county"] == county.text()
    # a single quick edit is not saved at once, but after a pause, and once
    saves.clear()
    qtbot.keyClicks(county, "y")
    assert not saves
    qtbot.waitUntil(lambda: bool(saves), timeout=2000)
    qtbot.wait(400)
    assert len(saves) == 1


def test_undo_redo_typing(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    county = editor.widget_for("county")
    county.setFocus()
    county.end(False)
    qtbot.keyClicks(county, "ABC")
    assert editor.doc()["county"] == "测试区ABC"
    assert editor.undo_stack.count() == 1  # the typing burst merged into one command
    wait_saved(qtbot, editor)
    assert stored(db, doc["id"]).doc["county"] == "测试区ABC"

    qtbot.keyClick(county, Qt.Key.Key_Z, CTRL)
    assert county.text() == "测试区" and editor.doc()["county"] == "测试区"
    wait_saved(qtbot, editor)
    assert stored(db, doc["id"]).doc["county"] == "测试区"

    qtbot.keyClick(county, Qt.Key.Key_Y, CTRL)
    assert county.text() == "测试区ABC"
    wait_saved(qtbot, editor)
    assert stored(db, doc["id"]).doc["county"] == "测试区ABC"

    qtbot.keyClick(county, Qt.Key.Key_Z, CTRL)
    qtbot.keyClick(county, Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier)  # Ctrl+Shift+Z = redo too
    assert county.text() == "测试区ABC"


def test_bursts_and_fields_are_separate_commands(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    county, name = editor.widget_for("county"), editor.widget_for("name")
    county.setFocus()
    qtbot.keyClicks(county, "1")
    name.setFocus()  # leaving the field ends the burst
    qtbot.keyClicks(name, "2")
    county.setFocus()
    qtbot.keyClicks(county, "3")
    assert editor.undo_stack.count() == 3
    editor.undo_stack.undo()
    assert county.text().endswith("1") and not county.text().endswith("3")
    # an invalid intermediate value and its raw text are undone together
    staff = editor.widget_for("tech_staff_total")
    replace_text(qtbot, staff, "12x")
    assert editor.invalid() == {"tech_staff_total": "12x"}
    qtbot.keyClick(staff, Qt.Key.Key_Z, CTRL)
    assert editor.invalid() == {} and staff.text() == "120" and editor.doc()["tech_staff_total"] == 120


def test_undo_of_checkbox_secretariat_materials_and_holders(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    box = editor.widget_for("agreement.sealed")
    box.click()
    assert editor.doc()["agreement"]["sealed"] is False
    sec = editor.widget_for("organization.secretariat")
    sec.click()
    assert editor.doc()["organization"]["secretariat"] is None
    assert not editor.widget_for("organization.secretariat.address").isEnabled()
    mat = editor.materials_editor.rows["JZ-M1"]
    mat["copies"].setValue(2)
    mat["received"].click()
    assert editor.doc()["materials"][0] == {"code": "JZ-M1", "received": False, "copies": 2}
    editor.council_panel.btn_add.click()
    editor.experts_panel.view.setCurrentIndex(editor.experts_model.index(0, 0))
    editor.experts_panel.btn_delete.click()
    assert len(editor.doc()["organization"]["council"]) == 8
    assert len(editor.doc()["organization"]["expert_committee"]) == 9
    wait_saved(qtbot, editor)
    d = stored(db, doc["id"]).doc
    assert d["organization"]["secretariat"] is None and len(d["organization"]["council"]) == 8
    while editor.undo_stack.canUndo():
        editor.undo_stack.undo()
    cur = editor.doc()
    assert cur["agreement"]["sealed"] is True
    assert cur["organization"]["secretariat"] == doc["organization"]["secretariat"]
    assert editor.widget_for("organization.secretariat.address").isEnabled()
    assert cur["materials"][0] == {"code": "JZ-M1", "received": True, "copies": 4}
    assert mat["copies"].value() == 4 and mat["received"].isChecked()
    assert len(cur["organization"]["council"]) == 7 and len(cur["organization"]["expert_committee"]) == 10
    wait_saved(qtbot, editor)
    d = stored(db, doc["id"]).doc
    assert d["agreement"]["sealed"] is True and d["materials"][0]["copies"] == 4
    assert len(d["organization"]["expert_committee"]) == 10


def test_contact_and_recommendation_created_and_undone(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    assert "contact" not in editor.doc() and "recommendation" not in editor.doc()
    replace_text(qtbot, editor.widget_for("contact.phone"), "0354-1234567")
    editor.widget_for("recommendation.recommended").click()
    replace_text(qtbot, editor.widget_for("recommendation.on"), "2023-09-25")
    editor.flush()
    d = stored(db, doc["id"]).doc
    assert d["contact"] == {"phone": "0354-1234567"}
    assert d["recommendation"] == {"recommended": True, "on": "2023-09-25"}
    while editor.undo_stack.canUndo():
        editor.undo_stack.undo()
    assert "contact" not in editor.doc() and "recommendation" not in editor.doc()  # exactly as before


def test_focus_field(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    editor.activateWindow()
    assert editor.focus_field("members[7].uscc")
    assert editor.tabs.currentWidget() is editor.tab_members
    view = editor.members_panel.view
    assert view.currentIndex().row() == 7
    assert view.currentIndex().column() == editor.member_model.column_of("uscc")
    assert view.selectionModel().isSelected(view.currentIndex())
    assert editor.focus_field("agreement.expires_on")
    assert editor.tabs.currentWidget() is editor.tab_agreement
    qtbot.waitUntil(lambda: editor.widget_for("agreement.expires_on").hasFocus(), timeout=1000)
    assert editor.focus_field("organization.secretariat.full_time_staff")
    assert editor.tabs.currentWidget() is editor.tab_org
    assert editor.focus_field("organization.council[2].name")
    assert editor.council_panel.view.currentIndex().row() == 2
    assert editor.focus_field("materials") and editor.tabs.currentWidget() is editor.tab_materials
    assert editor.focus_field("industry") and editor.tabs.currentWidget() is editor.tab_basic
    assert editor.focus_field("members[0].platforms")
    assert view.currentIndex().row() == 0
    assert not editor.focus_field("no.such.path")


def test_conflict_is_reported_not_overwritten(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    other = dict(doc, name="别人改过的联盟名称")
    store.save_draft(db, other, None, expected_version=editor.version)  # someone else saved meanwhile
    replace_text(qtbot, editor.widget_for("name"), "我的联盟名称修改")
    with qtbot.waitSignal(editor.saveFailed, timeout=2000) as blocker:
        pass
    assert "已被其他人修改" in blocker.args[0]
    assert editor.banner.isVisible() and "已被其他人修改" in editor.banner_text()
    assert editor.reload_button.isVisible()
    assert stored(db, doc["id"]).doc["name"] == "别人改过的联盟名称"
    assert editor.doc()["name"] == "我的联盟名称修改"  # kept in the editor, not lost
    with pytest.raises(store.ConflictError):
        editor.flush()  # the main window keeps the tab open on an exception
    assert stored(db, doc["id"]).doc["name"] == "别人改过的联盟名称"
    # the way out: reload the stored version, then edit and save again
    editor.reload_button.click()
    assert editor.widget_for("name").text() == "别人改过的联盟名称" and not editor.banner_text()
    assert not editor.undo_stack.canUndo()
    replace_text(qtbot, editor.widget_for("county"), "太谷区")
    assert editor.flush() is True
    d = stored(db, doc["id"]).doc
    assert d["name"] == "别人改过的联盟名称" and d["county"] == "太谷区"


def test_conflict_reload_and_reapply_keeps_both_seats_changes(qtbot, db, tmp_path):
    editor, doc = open_editor(qtbot, db)
    # another seat changes the county and the lead's name and saves first
    theirs = copy.deepcopy(doc)
    theirs["county"] = "太谷区"
    theirs["members"][0]["name"] = "对方改过的牵头单位名称有限公司"
    store.save_draft(db, theirs, None, expected_version=editor.version)
    # this seat meanwhile changes the alliance's name and the same lead's name
    replace_text(qtbot, editor.widget_for("name"), "我的联盟名称修改")
    with qtbot.waitSignal(editor.saveFailed, timeout=2000):
        pass
    editor.member_model.setData(editor.member_model.index(0, editor.member_model.column_of("name")),
                                "本窗口改过的牵头单位名称有限公司")
    assert editor.reapply_button.isVisible() and editor.reload_button.isVisible()
    editor.grab().save(str(tmp_path / "conflict.png"))
    editor.reapply_button.click()
    # theirs is the base now; both seats' changes are there; the clash is named in the banner
    assert editor.widget_for("name").text() == "我的联盟名称修改"
    assert editor.widget_for("county").text() == "太谷区"
    assert editor.doc()["members"][0]["name"] == "本窗口改过的牵头单位名称有限公司"
    banner = editor.banner_text()
    assert "并重新应用了本窗口的 2 处修改" in banner and "其中 1 处对方也改过" in banner
    assert "members[0].name" in banner and not editor.reapply_button.isVisible()
    assert editor.flush() is True
    d = stored(db, doc["id"]).doc
    assert (d["name"], d["county"], d["members"][0]["name"]) == (
        "我的联盟名称修改", "太谷区", "本窗口改过的牵头单位名称有限公司")


def test_close_flushes_immediately(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    area = editor.widget_for("goals")
    area.setFocus()
    area.moveCursor(QTextCursor.MoveOperation.End)
    commit_text(area, "，并培育一批骨干企业")
    editor.close()  # before the 300 ms timer fires
    assert stored(db, doc["id"]).doc["goals"] == "突破关键共性技术，并培育一批骨干企业"


def test_document_changed_signal(qtbot, db):
    editor, doc = open_editor(qtbot, db)
    with qtbot.waitSignal(editor.documentChanged, timeout=500) as blocker:
        replace_text(qtbot, editor.widget_for("county"), "榆次区")
    assert blocker.args[0]["county"] == "榆次区"
    blocker.args[0]["county"] = "changed by a listener"
    assert editor.doc()["county"] == "榆次区"  # listeners get a copy


def test_undo_keys_inside_a_window_with_its_own_ctrl_z(qtbot, db):
    """The main window has a window-wide Ctrl+Z action; inside the editor the editor's stack wins."""
    from PySide6.QtGui import QAction, QKeySequence
    from PySide6.QtWidgets import QMainWindow

    doc = eligible("jinzhong")
    store.import_documents(db, [("", doc)])
    from ui.editor import ApplicationEditor

    win = QMainWindow()
    qtbot.addWidget(win)
    window_undo = []
    act = QAction("撤销", win)
    act.setShortcut(QKeySequence(QKeySequence.StandardKey.Undo))
    act.triggered.connect(lambda: window_undo.append(1))
    win.addAction(act)
    editor = ApplicationEditor(db, doc["id"], user="张三")
    win.setCentralWidget(editor)
    win.show()
    qtbot.waitExposed(win)
    county = editor.widget_for("county")
    county.setFocus()
    county.end(False)
    qtbot.keyClicks(county, "Q")
    qtbot.keyClick(county, Qt.Key.Key_Z, CTRL)
    assert county.text() == "测试区" and not window_undo
    view = editor.members_panel.view
    editor.focus_field("members[1].name")
    editor.member_model.setData(editor.member_model.index(1, 1), "改名单位")
    qtbot.keyClick(view, Qt.Key.Key_Z, CTRL)
    assert editor.doc()["members"][1]["name"] == doc["members"][1]["name"] and not window_undo
    qtbot.keyClick(view, Qt.Key.Key_Y, CTRL)
    assert editor.doc()["members"][1]["name"] == "改名单位"


def test_read_only_database_shows_but_does_not_edit(qtbot, db):
    """A second seat opens a database in use read-only: the editor shows the application and
    offers no way to change it."""
    from alliance_desk import store
    from alliance_desk.store import locking
    from factory import eligible
    from ui.editor import ApplicationEditor

    doc = eligible("jinzhong")
    store.import_documents(db, [("", doc)])
    ro = locking.open_read_only(db.engine.url.database)
    try:
        editor = ApplicationEditor(ro, doc["id"], user="李四")
        qtbot.addWidget(editor)
        assert editor.read_only
        assert "只读" in editor.banner_text()
        assert all(not editor.tabs.widget(i).isEnabled() for i in range(editor.tabs.count()))
        assert editor.widget_for("name").text() == doc["name"]
        assert editor.flush() is True  # nothing to save
    finally:
        ro.dispose()


def test_the_seal_field_is_offered_where_the_pack_judges_it(qtbot, db):
    cq, _ = open_editor(qtbot, db, "chongqing", show=False)
    seal = cq.widget_for("materials_sealed_by_all")
    assert seal is not None and cq._page_of(seal) is cq.tab_materials
    an, _ = open_editor(qtbot, db, "anshan", show=False)
    assert an.widget_for("materials_sealed_by_all") is None
    tiers = cq.widget_for("tier_requested")
    assert tiers._values[1:3] == ["demonstration", "pilot"]
    assert [tiers.itemText(i) for i in (1, 2)] == ["示范", "试点"]
