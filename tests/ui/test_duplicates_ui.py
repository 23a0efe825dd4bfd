"""Duplicates through the real window: marked in the list, warned in the editor and the wizard, and
listed after an import."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from alliance_desk import exchange, store
from factory import eligible, uscc, variant
from tests.ui.helpers import make_window
from ui.list_model import COL_NAME, COL_REGION, DUPLICATE_BG

NAME = "晋中市新能源汽车产业技术创新战略联盟"


@pytest.fixture
def docs(db):
    first = variant("jinzhong", "first", name=NAME)
    # the same alliance typed again with full-width brackets and a space: a duplicate by name
    again = variant("jinzhong", "again", name="晋中市新能源汽车产业技术创新战略联盟 ")
    again["members"][0]["uscc"] = uscc(501, "jinzhong")
    other = variant("jinzhong", "other", name="晋中市煤机装备产业技术创新战略联盟")
    other["members"][0]["uscc"] = uscc(502, "jinzhong")
    store.import_documents(db, [("", first)])
    store.import_documents(db, [("", again), ("", other), ("", eligible("gansu"))])
    return {"first": first, "again": again, "other": other}


@pytest.fixture
def window(qtbot, db, docs, settings):
    return make_window(qtbot, db, settings)


def test_list_marks_both_and_the_editor_warns(qtbot, window, docs):
    m = window.model
    r = m.row_of(docs["again"]["id"])
    tip = m.data(m.index(r, COL_NAME), Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith(f"疑似重复申报：与「{NAME}」名称相同")
    assert m.data(m.index(r, COL_NAME), Qt.ItemDataRole.DecorationRole) is not None
    assert m.data(m.index(r, COL_NAME), Qt.ItemDataRole.BackgroundRole).color() == DUPLICATE_BG
    assert m.data(m.index(r, COL_REGION), Qt.ItemDataRole.DecorationRole) is None
    first = m.row_of(docs["first"]["id"])
    assert "疑似重复申报" in m.data(m.index(first, COL_NAME), Qt.ItemDataRole.ToolTipRole)
    other = m.row_of(docs["other"]["id"])
    assert m.data(m.index(other, COL_NAME), Qt.ItemDataRole.DecorationRole) is None

    editor = window.open_application(docs["again"]["id"])
    assert editor.duplicate_note.isVisibleTo(editor)
    assert f"与「{NAME}」名称相同" in editor.duplicate_note.text()

    # typing the name of an existing alliance into another application warns after the save
    editor = window.open_application(docs["other"]["id"])
    assert not editor.duplicate_note.isVisibleTo(editor)
    name = editor.widget_for("name")
    name.setFocus()
    name.selectAll()
    ev = QInputMethodEvent("", [])  # Chinese arrives from the input method as a commit string
    ev.setCommitString("晋中市新能源汽车产业技术创新战略联盟")
    QApplication.sendEvent(name, ev)
    qtbot.waitUntil(lambda: editor.duplicate_note.isVisibleTo(editor), timeout=5000)
    assert f"与「{NAME}」名称相同" in editor.duplicate_note.text()
    qtbot.waitUntil(lambda: window.model.find(docs["other"]["id"]).duplicate != "", timeout=5000)


def _fill_wizard(wiz, name: str, lead_uscc: str):
    wiz.set_region("jinzhong")
    wiz.region_page.county.setEditText("榆次区")
    wiz.next()
    wiz.alliance_page.name.setText(name)
    wiz.alliance_page.industry.setEditText(wiz.alliance_page.industry.itemText(0))
    wiz.next()
    wiz.lead_page.lead.setText("晋中测试科技有限公司")
    wiz.lead_page.uscc.setText(lead_uscc)


def test_wizard_warns_before_creating_a_duplicate(qtbot, window, db, docs):
    wiz = window.new_application()
    _fill_wizard(wiz, "晋中市新能源汽车产业技术创新战略联盟", uscc(503, "jinzhong"))
    before = len(window.model.all_rows)
    wiz.accept()
    box = wiz.duplicate_box
    assert box is not None and box.isVisible()
    assert f"与「{NAME}」名称相同" in box.text()
    assert wiz.isVisible() and len(window.model.all_rows) == before  # nothing created yet
    back = next(b for b in box.buttons() if b.text() == "返回修改")
    back.click()
    qtbot.waitUntil(lambda: wiz.duplicate_box is None)
    assert wiz.isVisible() and wiz.application_id is None
    wiz.accept()
    go = next(b for b in wiz.duplicate_box.buttons() if b.text() == "仍然创建")
    with qtbot.waitSignal(window.applicationCreated, timeout=5000):
        go.click()
    assert wiz.application_id is not None
    with db.Session() as s:
        assert store.get_document(s, wiz.application_id)["name"] == "晋中市新能源汽车产业技术创新战略联盟"


def test_import_lists_duplicates_per_file(qtbot, window, tmp_path, docs):
    doc = variant("jinzhong", "imported", name="晋中市新能源汽车产业技术创新战略联盟")
    doc["members"][0]["uscc"] = uscc(504, "jinzhong")
    path = tmp_path / "again.json"
    exchange.write_file(doc, path)
    with qtbot.waitSignal(window.importFinished, timeout=10000) as blocker:
        window.import_json_files([path])
    assert blocker.args[0].warnings
    qtbot.waitUntil(lambda: window.last_message is not None, timeout=5000)
    box = window.last_message
    assert box.windowTitle() == "疑似重复申报"
    assert f"{path}：「{doc['name']}」疑似重复申报：与「{NAME}」名称相同" in box.informativeText()
    box.close()
    QApplication.processEvents()
