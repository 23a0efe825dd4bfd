"""Word forms in the main window: two forms dropped on the list, one doubtful field corrected in the
preview, the checklist on the result, saved in one import; reading shows progress and can be
cancelled; the menu exports blank and filled forms."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from alliance_desk import demo, store
from alliance_desk.forms.reader import read_form
from alliance_desk.forms.writer import write_form
from tests.ui.helpers import make_window


def _window(qtbot, db, tmp_path):
    from PySide6.QtCore import QSettings

    return make_window(qtbot, db, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))


def _two_forms(tmp_path: Path) -> tuple[list[Path], list[dict]]:
    docs = demo.demo_applications()
    cq = next(d for d in docs if d["region"] == "chongqing")
    gz = next(d for d in docs if d["region"] == "ganzhou")
    bad = dict(cq, members=[dict(m) for m in cq["members"]])
    lead = next(m for m in bad["members"] if m["role"] == "lead")
    lead["uscc"] = lead["uscc"][:-1] + ("0" if lead["uscc"][-1] != "0" else "1")   # a wrong check character
    bad["tech_staff_total"] = None
    paths = [write_form("chongqing", tmp_path / "重庆.docx", bad), write_form("ganzhou", tmp_path / "赣州.docx", gz)]
    # the applicant wrote the staff count with full-width digits and a unit, the agreement date the Chinese way
    from docx import Document

    d = Document(paths[0])
    for t in d.tables:
        for row in t.rows:
            if row.cells[0].text == "科技工作人员总数":
                row.cells[1].text = "２００人"
    d.save(paths[0])
    return paths, [cq, gz]


def _drop(w, paths):
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    vp = w.view.viewport()
    enter = QDragEnterEvent(vp.rect().center(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, enter)    # a drop is delivered to the widget that accepted the drag
    if not enter.isAccepted():
        return False
    ev = QDropEvent(QPointF(vp.rect().center()), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                    Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(vp, ev)
    return bool(ev.isAccepted())


def test_drop_two_forms_correct_a_doubtful_field_and_save(qtbot, db, tmp_path):
    paths, (cq, gz) = _two_forms(tmp_path)
    w = _window(qtbot, db, tmp_path)
    assert _drop(w, paths)
    assert w.forms.task is not None
    qtbot.waitUntil(lambda: w.forms.preview is not None and w.forms.preview.isVisible(), timeout=20000)
    dlg = w.forms.preview
    assert dlg.files.count() == 2
    dlg.files.setCurrentRow(0)
    c = dlg.current()
    assert c.read.region == "chongqing"
    # the wrong USCC is yellow with its reason; the checklist on the result fails CQ-USCC
    row = dlg.row_of("members[0].uscc")
    cell = dlg.table.item(row, 1)
    assert cell.background().color().name() == "#fff3b0"
    assert "校验位" in dlg.table.item(row, 3).text()
    assert dlg.table.item(dlg.row_of("tech_staff_total"), 1).text() == "200"
    assert dlg.table.item(dlg.row_of("tech_staff_total"), 2).text() == "科技工作人员总数"
    status = {i.rule: i.status for i in dlg.checklist.result().items}
    assert status["CQ-USCC"] == "fail"
    # the clerk corrects it in place, as typing in the table does
    cell.setText(cq["members"][0]["uscc"])
    assert dlg.table.item(row, 1).background().color().name() != "#fff3b0"
    assert {i.rule: i.status for i in dlg.checklist.result().items}["CQ-USCC"] == "pass"
    assert dlg.save_button.isEnabled()
    with qtbot.waitSignal(w.importFinished, timeout=10000) as blocker:
        dlg.save_button.click()
    report = blocker.args[0]
    assert len(report.created) == 2
    with db.Session() as s:
        stored = [store.get_document(s, i) for i in report.created]
    got = {d["region"]: d for d in stored}
    assert got["chongqing"]["members"][0]["uscc"] == cq["members"][0]["uscc"]
    assert got["chongqing"]["tech_staff_total"] == 200
    assert got["ganzhou"]["name"] == gz["name"]
    qtbot.waitUntil(lambda: w.model.rowCount() == 2, timeout=10000)


def test_dropping_a_form_of_a_stored_alliance_is_offered_as_an_update(qtbot, db, tmp_path):
    docs = demo.demo_applications()
    gz = next(d for d in docs if d["region"] == "ganzhou")
    store.import_documents(db, [("demo", gz)])
    path = write_form("ganzhou", tmp_path / "gz.docx", dict(gz, county="章贡区（改）"))
    w = _window(qtbot, db, tmp_path)
    w.forms.import_forms([str(path)])
    qtbot.waitUntil(lambda: w.forms.preview is not None and w.forms.preview.isVisible(), timeout=20000)
    dlg = w.forms.preview
    assert "保存将更新它" in dlg.summary.text() and "章贡区（改）" in dlg.summary.text()
    assert dlg.files.item(0).text().startswith("↻")


def test_reading_can_be_cancelled_and_writes_nothing(qtbot, db, tmp_path):
    paths = [write_form("jinzhong", tmp_path / f"{i}.docx", demo.demo_applications()[0]) for i in range(30)]
    w = _window(qtbot, db, tmp_path)
    task = w.forms.import_forms([str(p) for p in paths])
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=30000)
    assert w.forms.preview is None
    with db.Session() as s:
        assert store.count_applications(s) == 0


def test_menu_exports_blank_and_filled_forms(qtbot, db, tmp_path):
    docs = demo.demo_applications()
    store.import_documents(db, [("demo", docs[0])])
    w = _window(qtbot, db, tmp_path)
    texts = [a.text() for a in w.file_menu.actions()]
    assert {"导入申报表（Word）…", "导出申报表模板（Word）…", "导出已填申报表（Word）…"} <= set(texts)
    out = w.forms.export("gansu", str(tmp_path / "blank.docx"))
    assert read_form(out).region == "gansu"
    out = w.forms.export(None, str(tmp_path / "filled.docx"), docs[0]["id"])
    assert read_form(out).items["name"].value == docs[0]["name"]
