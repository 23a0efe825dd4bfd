"""The checklist header counts what waits for a person; the 条款对照 tab shows the notice's clauses."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from alliance_desk.rules import engine
from alliance_desk.rules.engine import OUTCOME_MET, Confirmation
from factory import eligible
from ui.checklist import ChecklistPanel


def test_header_says_how_many_wait_for_a_person_and_they_never_block(qtbot):
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.show()
    doc = eligible("ganzhou")
    res = engine.evaluate(doc)
    assert res.eligible and res.counts["manual"] == 5
    panel.set_result(res)
    assert panel.verdict_text() == "符合条件"
    assert panel.waiting_text() == "5 项须由人工对照材料判断，确认前不影响上面的结论"
    assert panel.waiting.isVisible()
    confs = {r: Confirmation(r, OUTCOME_MET, "刘科长", "2026-12-01T09:00", "")
             for r in ("GZ-LEAD-STANDING", "GZ-LEAD-ORGANIZING", "GZ-LEAD-TALENT", "GZ-MEMBERS-ACADEMIC",
                       "GZ-MEMBERS-ENTERPRISE")}
    panel.set_result(engine.evaluate(doc, confirmations=confs))
    assert panel.waiting_text() == "" and not panel.waiting.isVisible()
    # the manual item shows the clause's own words with who confirmed it
    it = next(i for i in panel.result().items if i.rule == "GZ-LEAD-TALENT")
    assert "高层次人才领衔科研工作" in it.message and "刘科长" in it.message


def test_clause_tab_shows_each_clause_in_its_words_with_the_live_status(qtbot):
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    panel.resize(420, 700)
    panel.show()
    doc = eligible("chongqing")
    doc["materials_sealed_by_all"] = False
    panel.set_result(engine.evaluate(doc))
    assert panel.tabs.tabText(1) == "条款对照"
    panel.tabs.setCurrentIndex(1)
    text = panel.register.text()
    assert "重庆市产业技术创新联盟认定（004）" in text
    assert "004 § 三(一)" in text and "经联盟所有成员单位盖章后" in text
    assert "规则 CQ-SEALED" in text and "【不符合】" in text
    assert "不设条件：扶持政策，不对申报设条件" in text
    doc["materials_sealed_by_all"] = True
    panel.set_result(engine.evaluate(doc))  # visible: refreshed at once
    assert "【不符合】" not in panel.register.text()
    panel.set_result(None)
    assert "打开一份申报后" in panel.register.text()


# ------------------------------------------------------------------ the new facts have editor widgets

def _editor(qtbot, db, doc):
    from alliance_desk import store
    from ui.editor import ApplicationEditor

    store.import_documents(db, [("", doc)])
    editor = ApplicationEditor(db, doc["id"], user="张三")
    qtbot.addWidget(editor)
    editor.resize(1000, 700)
    editor.show()
    qtbot.waitExposed(editor)
    return editor


def _status(editor, rule):
    return next(i for i in engine.evaluate(editor.doc()).items if i.rule == rule).status


def _type(qtbot, widget, text):
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)
    widget.clearFocus()


@pytest.mark.parametrize("path,rule", [("materials_sealed_by_all", "CQ-SEALED"),
                                       ("systems.operation_mechanism", "CQ-MECHANISMS"),
                                       ("systems.management_mechanism", "CQ-MECHANISMS"),
                                       ("systems.collaborative_innovation", "CQ-COLLAB")])
def test_chongqing_facts_toggle_their_rule_from_the_editor(qtbot, db, path, rule):
    editor = _editor(qtbot, db, eligible("chongqing"))
    box = editor.widget_for(path)
    assert box is not None and box.isChecked()
    assert _status(editor, rule) == "pass"
    box.click()
    assert _status(editor, rule) == "fail"


def test_anshan_recognition_date_from_the_editor(qtbot, db):
    from factory import member

    doc = eligible("anshan")
    doc["members"] = [member(1, "anshan", role="lead")]
    doc["provincial_recognized"] = True
    editor = _editor(qtbot, db, doc)
    date = editor.widget_for("provincial_recognized_on")
    assert date is not None and _status(editor, "AS-PROVINCIAL") == "na"
    _type(qtbot, date, "2016-08-22")
    assert editor.doc()["provincial_recognized_on"] == "2016-08-22"
    assert _status(editor, "AS-PROVINCIAL") == "pass"
    _type(qtbot, date, "2016-08-23")
    assert _status(editor, "AS-PROVINCIAL") == "na"


def test_ganzhou_industry_takes_a_sub_item_or_an_unlisted_industry(qtbot, db):
    editor = _editor(qtbot, db, eligible("ganzhou"))
    ind = editor.widget_for("industry")
    assert ind.completer() is not None
    ind.setFocus()
    ind.selectAll()
    qtbot.keyClick(ind, Qt.Key.Key_Backspace)
    ind.clearFocus()
    assert _status(editor, "GZ-INDUSTRY") == "fail"
    for text, expected in (("医药食品产业—中药材", "pass"), ("稀土产业", "warn")):
        ind.setFocus()
        ind.selectAll()
        ev = QInputMethodEvent("", [])  # Chinese arrives from the input method as a commit string
        ev.setCommitString(text)
        QApplication.sendEvent(ind, ev)
        ind.clearFocus()
        assert editor.doc()["industry"] == text
        assert _status(editor, "GZ-INDUSTRY") == expected
