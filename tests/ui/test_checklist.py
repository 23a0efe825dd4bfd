"""ChecklistPanel alone and attached to an ApplicationEditor (live results, confirmations, jumps)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from alliance_desk import store
from alliance_desk.rules import engine
from factory import eligible
from tests.ui.editor_helpers import editor_with_panel
from ui.checklist import ChecklistPanel, StatusRole


def item(panel, rule):
    return next(i for i in panel.result().items if i.rule == rule)


def test_panel_alone_shows_verdict_counts_and_items(qtbot):
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    assert panel.verdict_text() == "—"
    doc = eligible("jinzhong")
    panel.set_result(engine.evaluate(doc))
    assert panel.verdict_text() == "符合条件"
    assert panel.counts_text() == "不符合 0 · 提示 0 · 待确认 3"  # 000 § 三(一), 三(二), 三(三) judged by a person
    assert "#1b5e20" in panel.header.styleSheet()  # green
    doc["agreement"]["sealed"] = False
    doc["members"] = doc["members"][:40]
    res = engine.evaluate(doc)
    panel.set_result(res)
    assert panel.verdict_text() == "不符合条件"
    assert "#b71c1c" in panel.header.styleSheet()  # red
    assert panel.counts_text() == f"不符合 {res.counts['fail']} · 提示 {res.counts['warn']} · 待确认 {res.counts['manual']}"
    m = panel.model
    assert m.rowCount() == len(res.items)
    idx = panel.index_of("JZ-AGREEMENT-SIGNED")
    assert idx.data(StatusRole) == "fail" and "协议加盖公章" in idx.data(Qt.ItemDataRole.DisplayRole)
    assert "000 § 三(四)" in idx.data(Qt.ItemDataRole.ToolTipRole)
    assert not idx.data(Qt.ItemDataRole.DecorationRole).isNull()
    gansu = engine.evaluate(eligible("gansu"))
    panel.set_result(gansu)  # another region: the list is rebuilt, manual items get their confirm strip
    assert panel.confirm_box("GS-POLICY") is not None and panel.note_edit("GS-POLICY") is not None
    assert panel.confirm_box("GS-CHARTER") is None
    assert "待确认 " in panel.counts_text() and gansu.counts["manual"] > 0
    panel.set_result(None)
    assert panel.model.rowCount() == 0


def test_live_update_while_typing(qtbot, db):
    editor, panel, doc = editor_with_panel(qtbot, db, "jinzhong")
    assert panel.verdict_text() == "符合条件"
    assert item(panel, "JZ-CORE-MIN").status == "pass"
    m = editor.member_model
    # demote one of the 4 core members: 4 core members left (lead included) -> JZ-CORE-MIN fails
    m.setData(m.index(4, m.column_of("role")), "一般成员")
    assert item(panel, "JZ-CORE-MIN").status == "fail"
    assert "核心成员（含牵头单位） 4 家，要求不少于 5 家" in item(panel, "JZ-CORE-MIN").message
    assert panel.verdict_text() == "不符合条件"
    assert panel.counts_text().startswith("不符合 1 ·")
    assert panel.index_of("JZ-CORE-MIN").data(StatusRole) == "fail"
    # typing in a form field updates the panel before any autosave
    expires = editor.widget_for("agreement.expires_on")
    expires.setFocus()
    expires.selectAll()
    qtbot.keyClicks(expires, "2024-01-01")
    assert editor.has_unsaved_changes()
    assert item(panel, "JZ-AGREEMENT-TERM").status == "fail"
    editor.undo_stack.undo()
    editor.undo_stack.undo()
    assert panel.verdict_text() == "符合条件"


def test_confirm_manual_item_through_the_panel(qtbot, db):
    editor, panel, doc = editor_with_panel(qtbot, db, "gansu", user="王科员")
    assert item(panel, "GS-POLICY").status == "manual"
    panel.note_edit("GS-POLICY").setText("对照申请书第 3 页")
    panel.confirm_box("GS-POLICY").click()
    it = item(panel, "GS-POLICY")
    assert it.status == "pass" and it.confirmation.by == "王科员" and it.confirmation.note == "对照申请书第 3 页"
    assert panel.confirm_box("GS-POLICY").isChecked()
    with db.Session() as s:  # stored: who, when, note
        conf = next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "GS-POLICY").confirmation
    assert conf.by == "王科员" and conf.note == "对照申请书第 3 页" and conf.at
    editor.close()

    again, panel2, _ = editor_with_panel(qtbot, db, "gansu", doc=doc, user="另一人")
    it2 = item(panel2, "GS-POLICY")
    assert it2.status == "pass" and it2.confirmation.by == "王科员"
    assert panel2.confirm_box("GS-POLICY").isChecked()
    assert panel2.note_edit("GS-POLICY").text() == "对照申请书第 3 页"
    from ui.checklist import confirmation_text
    assert confirmation_text(it2.confirmation).startswith("已确认：王科员 ")
    assert confirmation_text(it2.confirmation).endswith("对照申请书第 3 页")
    # 不符合, then withdraw the confirmation
    panel2.not_met_box("GS-POLICY").click()
    assert item(panel2, "GS-POLICY").status == "fail" and not panel2.confirm_box("GS-POLICY").isChecked()
    assert panel2.verdict_text() == "不符合条件"
    panel2.not_met_box("GS-POLICY").click()
    assert item(panel2, "GS-POLICY").status == "manual"
    with db.Session() as s:
        assert next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "GS-POLICY").confirmation is None


def test_confirm_without_user_is_refused_visibly(qtbot, db):
    editor, panel, doc = editor_with_panel(qtbot, db, "gansu", user="")
    panel.confirm_box("GS-POLICY").click()
    assert item(panel, "GS-POLICY").status == "manual"
    assert not panel.confirm_box("GS-POLICY").isChecked()  # the box follows the stored state
    assert "请填写确认人" in editor.banner_text()


def test_click_item_jumps_to_field(qtbot, db):
    from factory import uscc

    doc = eligible("jinzhong")
    doc["members"][7]["uscc"] = uscc(8, "jinzhong", valid=False)
    store.import_documents(db, [("", doc)])
    editor, panel, _ = editor_with_panel(qtbot, db, "jinzhong", doc=doc)
    assert item(panel, "JZ-USCC").field == "members[7].uscc"
    idx = panel.index_of("JZ-USCC")
    panel.view.scrollTo(idx)
    rect = panel.view.visualRect(idx)
    with qtbot.waitSignal(panel.jumpRequested, timeout=1000) as blocker:
        qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == ["members[7].uscc"]
    assert editor.tabs.currentWidget() is editor.tab_members
    view = editor.members_panel.view
    assert view.currentIndex().row() == 7
    assert view.currentIndex().column() == editor.member_model.column_of("uscc")
    assert view.selectionModel().isSelected(view.currentIndex())
    # an agreement item jumps to the agreement tab
    idx = panel.index_of("JZ-AGREEMENT-TERM")
    panel.view.scrollTo(idx)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=panel.view.visualRect(idx).center())
    assert editor.tabs.currentWidget() is editor.tab_agreement


def test_items_wrap_to_the_panel_width(qtbot):
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.resize(300, 600)
    panel.show()
    qtbot.waitExposed(panel)
    doc = eligible("jinzhong")
    doc["agreement"]["expires_on"] = "2024-01-01"
    panel.set_result(engine.evaluate(doc))
    idx = panel.index_of("JZ-AGREEMENT-TERM")
    narrow = panel.view.visualRect(idx).height()
    panel.resize(800, 600)
    qtbot.waitUntil(lambda: panel.view.visualRect(panel.index_of("JZ-AGREEMENT-TERM")).height() < narrow,
                    timeout=2000)
    assert panel.view.visualRect(idx).width() <= panel.view.viewport().width()
