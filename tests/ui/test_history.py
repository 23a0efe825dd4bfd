"""HistoryView on a real SQLite file, offscreen: an application's audit rows newest first, the
selected row's before and after, and a tampered trail shown as such."""
from __future__ import annotations

import copy
import sqlite3
from datetime import date

from PySide6.QtCore import Qt

from alliance_desk import lifecycle as lc
from alliance_desk import store
from factory import eligible
from ui.history import HistoryView


def test_history_lists_changes_newest_first_with_before_and_after(qtbot, db, tmp_path):
    doc = eligible("anshan")
    store.import_documents(db, [("县区/申报.json", doc)])
    edited = copy.deepcopy(doc)
    edited["name"] = "鞍山市改名后的产业技术创新联盟"
    store.save_draft(db, edited)
    lc.move_stage(db, doc["id"], lc.stages("anshan")[0].id, date(2024, 6, 3), by="王科长")
    other = eligible("gansu")
    store.import_documents(db, [("", other)])               # another application: not in this history

    view = HistoryView(db, doc["id"])
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    qtbot.waitExposed(view)
    t = view.table
    assert t.rowCount() == 3
    assert [t.item(r, 1).text() for r in range(3)][0] == "王科长"
    assert [t.item(r, 2).text() for r in range(3)] == ["办理步骤", "修改申报", "导入申报"]
    assert "县区/申报.json" in t.item(2, 3).text() and "开始 → apply（2024-06-03，王科长）" in t.item(0, 3).text()
    assert "审计记录完整" in view.status.text() and "共 3 条修改记录" in view.status.text()

    t.selectRow(1)
    assert doc["name"] in view.before.toPlainText() and edited["name"] in view.after.toPlainText()
    t.selectRow(2)
    assert view.before.toPlainText() == "（无）" and '"document"' in view.after.toPlainText()
    assert view.grab().save(str(tmp_path / "history.png"))

    # someone edits the trail behind the app's back: the view says so
    con = sqlite3.connect(db.engine.url.database)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = '别人' WHERE id = 1")
    con.commit()
    con.close()
    qtbot.mouseClick(view.reload_button, Qt.MouseButton.LeftButton)
    assert "断裂" in view.status.text() and "第 1 条" in view.status.text()


def test_history_of_an_application_without_changes_is_empty(qtbot, db):
    view = HistoryView(db, "00000000-0000-0000-0000-000000000000")
    qtbot.addWidget(view)
    assert view.table.rowCount() == 0 and "共 0 条修改记录" in view.status.text()
