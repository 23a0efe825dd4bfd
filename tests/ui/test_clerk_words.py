"""A clerk's first hour in the window: Chinese all through (messages, file names, Qt's own
dialogs), pickers that remember the folder, a preview that follows the choice, a wizard that speaks
the region's words and starts inside the call's window, a list that re-sorts after an edit."""
from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QLineEdit

from alliance_desk import store
from alliance_desk.rules.engine import evaluate
from alliance_desk.rules.packs import all_packs
from tests.ui.helpers import commit_text, export_dialog_on_demo, make_window

REGION_IDS = ("chongqing", "jinzhong", "ganzhou", "gansu", "anshan")


@pytest.fixture
def window(qtbot, db, docs, settings):
    return make_window(qtbot, db, settings)


@pytest.fixture
def export_dialog(qtbot, db, tmp_path, settings):
    return export_dialog_on_demo(qtbot, db, settings=settings)


def no_ids_or_flags(text: str) -> None:
    for word in ("--", *REGION_IDS, "chongqing-2022", "jinzhong-2023"):
        assert word not in text, (word, text)


# ------------------------------------------------------------------ 5: Chinese all through

def test_export_refusal_speaks_to_the_clerk(export_dialog):
    d = export_dialog
    d.set_selection("chongqing", "certificates", "chongqing-2022")
    d.use_decision_date.setChecked(True)
    assert d.preview() == []
    text = d.preview_view.toPlainText()
    assert "重庆市「2022年度重庆市产业技术创新联盟认定」没有已认定的申报" in text
    no_ids_or_flags(text)
    # the call combo shows names only
    no_ids_or_flags(" ".join(d.call.itemText(i) for i in range(d.call.count())))


def test_the_cli_keeps_its_own_wording(db):
    from alliance_desk import exports

    with pytest.raises(exports.ExportError) as err:
        exports.export(db, "notice", "chongqing", "chongqing-2022", "x.pdf")
    assert "可用 --application 指定申报 id" in str(err.value) and "chongqing-2022" in str(err.value)
    assert "--" not in err.value.clerk and "重庆市" in err.value.clerk


@pytest.mark.parametrize("kind, region, expected", [
    ("notice", "chongqing", "公示-重庆市-2022年度重庆市产业技术创新联盟认定.pdf"),
    ("recommendation-table", "jinzhong", "推荐汇总表-晋中市-2023年度晋中市产业技术创新战略联盟认定.xlsx"),
    ("package", "ganzhou", "上报包-赣州市-2022年赣州市产业科技创新联合体备案.adpkg"),
])
def test_default_export_file_names_are_chinese(export_dialog, kind, region, expected):
    d = export_dialog
    d.set_selection(region, kind)
    assert Path(d.output.text()).name == expected
    no_ids_or_flags(Path(d.output.text()).name)


def test_stale_preview_error_goes_when_the_document_type_changes(export_dialog):
    d = export_dialog
    d.set_selection("chongqing", "certificates", "chongqing-2022")
    d.preview()
    assert "没有已认定的申报" in d.preview_view.toPlainText()
    d.kind.setCurrentIndex(d.kind.findData("recommendation-table"))
    text = d.preview_view.toPlainText()
    assert "没有已认定的申报" not in text
    assert text.startswith("推荐汇总表（Excel）：3 份申报")  # the preview follows the new choice
    d.county.setCurrentIndex(d.county.findData("渝北区") if d.county.findData("渝北区") >= 0 else 1)
    assert "没有已认定的申报" not in d.preview_view.toPlainText()


def test_qt_file_dialog_speaks_chinese(qtbot, qapp):
    from ui.app import install_translations

    translators = install_translations(qapp)
    try:
        dlg = QFileDialog(None, "导入申报 JSON")
        dlg.setOption(QFileDialog.Option.DontUseNativeDialog, True)
        qtbot.addWidget(dlg)
        dlg.show()
        labels = {lab.objectName(): lab.text() for lab in dlg.findChildren(QLabel)}
        assert labels["lookInLabel"] == "查找范围(&L)："
        assert labels["fileTypeLabel"] == "文件类型(&T)："
        assert labels["fileNameLabel"] == "文件名称(&N)："
        # the app's own words, which no Qt catalogue holds, stay as written
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QPushButton

        assert QCoreApplication.translate("ApplicationEditor", "成员单位") == "成员单位"
        assert QCoreApplication.translate("QFileDialog", "no such Qt string") == "no such Qt string"
        button = QPushButton(QCoreApplication.translate("MainWindow", "新建"))
        qtbot.addWidget(button)
        assert button.text() == "新建"
        dlg.close()
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def _answer_file_dialog(qtbot, path: Path, seen: list) -> None:
    """When the modal picker is up: note the folder it opened in, choose `path`. (The offscreen
    platform has no native picker: this is Qt's own dialog.)"""
    def act():
        dlg = next((x for x in QApplication.topLevelWidgets() if isinstance(x, QFileDialog) and x.isVisible()), None)
        if dlg is None:
            QTimer.singleShot(50, act)
            return
        seen.append(Path(dlg.directory().absolutePath()))
        dlg.findChild(QLineEdit, "fileNameEdit").setText(str(path))  # typed into 文件名称
        dlg.accept()
    QTimer.singleShot(50, act)


def test_file_pickers_open_in_the_last_folder_used(qtbot, window, docs, db, tmp_path, settings):  # noqa: F811
    w = window
    folder = tmp_path / "从区县收来的申报"
    folder.mkdir()
    target = folder / "申报.json"
    target.write_text(store.export_json(db, docs["small"]["id"]), encoding="utf-8")
    seen: list[Path] = []
    _answer_file_dialog(qtbot, target, seen)
    with qtbot.waitSignals([w.importFinished, w.indexLoaded], timeout=20000):  # the list reloaded too
        w.import_json_dialog()
    assert seen == [Path.home()]  # first time: the home folder
    assert settings.value("folders/json") == str(folder)
    # a second import, and the JSON export, open where the clerk was
    _answer_file_dialog(qtbot, target, seen)
    with qtbot.waitSignals([w.importFinished, w.indexLoaded], timeout=20000):
        w.import_json_dialog()
    assert seen[-1] == folder
    assert w.select_application(docs["small"]["id"])
    out = folder / "导出.json"
    _answer_file_dialog(qtbot, out, seen)
    w.export_json_dialog()
    assert seen[-1] == folder and out.exists()
    # other kinds keep their own folder; the remembered one survives a restart (QSettings file)
    assert settings.value("folders/members") is None
    reread = QSettings(settings.fileName(), QSettings.Format.IniFormat)
    assert reread.value("folders/json") == str(folder)


def test_export_dialog_browse_remembers_its_folder(qtbot, export_dialog, tmp_path, settings):  # noqa: F811
    d = export_dialog
    d.set_selection("chongqing", "notice", "chongqing-2022")
    there = tmp_path / "公文"
    there.mkdir()
    seen: list[Path] = []
    _answer_file_dialog(qtbot, there / "公示.pdf", seen)
    d._browse()
    assert Path(d.output.text()) == there / "公示.pdf"
    from ui.exports import ExportDialog

    again = ExportDialog(d.db, region="jinzhong", settings=settings)
    qtbot.addWidget(again)
    assert Path(again.output.text()).parent == there  # the next export starts where the last went


# ------------------------------------------------------------------ 6: the first hour

@pytest.mark.parametrize("region", sorted(all_packs()))
def test_wizard_name_example_is_the_regions(qtbot, window, region):
    wiz = window.new_application()
    wiz.set_region(region)
    wiz.region_page.county.setEditText("某某区")
    wiz.next()
    pack = all_packs()[region]
    example = wiz.alliance_page.name.placeholderText()
    assert example.startswith(f"如：{pack.region_name}")
    assert ("晋中市" in example) == (region == "jinzhong")
    wiz.reject()


def _create_with_wizard(qtbot, w, region: str, name: str) -> dict:
    wiz = w.new_application()
    wiz.set_region(region)
    wiz.region_page.county.setEditText("两江新区")
    when = wiz.region_page.when.text()
    wiz.next()
    wiz.alliance_page.name.setText(name)
    wiz.alliance_page.industry.setEditText("智能网联新能源汽车")
    if not wiz.alliance_page.isComplete():
        wiz.alliance_page.industry.setCurrentIndex(0)
    wiz.next()
    wiz.lead_page.lead.setText("重庆长安智能汽车有限公司")
    with qtbot.waitSignal(w.applicationCreated, timeout=5000) as blocker:
        wiz.accept()
    with w.db.Session() as s:
        return {"doc": store.get_document(s, blocker.args[0]), "when": when}


def test_new_application_of_a_past_call_starts_inside_its_window(qtbot, window):
    got = _create_with_wizard(qtbot, window, "chongqing", "重庆市智能网联汽车产业技术创新联盟")
    doc = got["doc"]
    assert doc["call"] == "chongqing-2022"
    assert doc["submitted_at"] == "2022-05-30T23:59"  # the call's deadline, not today
    # the wizard said so before creating it
    assert got["when"].startswith("2022-05-30 23:59") and "截止" in got["when"]
    deadline = [i for i in evaluate(doc).items if i.kind == "deadline"]
    assert deadline and all(i.status == "pass" for i in deadline)


def test_wizard_default_time_is_now_for_a_call_still_open():
    from datetime import datetime

    from alliance_desk.rules.packs import Call
    from ui.wizard import default_submitted_at

    call = Call("x", "chongqing", "2030年度", datetime(2030, 5, 30, 23, 59))
    assert default_submitted_at(call, datetime(2030, 5, 1, 9, 0, 40)) == ("2030-05-01T09:01", False)
    assert default_submitted_at(call, datetime(2030, 6, 1, 9, 0)) == ("2030-05-30T23:59", True)
    assert default_submitted_at(None, datetime(2030, 6, 1, 9, 0)) == ("2030-06-01T09:00", False)
    # a call that states its opening (packs may come to carry it): before it, the opening time
    from types import SimpleNamespace

    later = SimpleNamespace(opens=datetime(2031, 3, 1, 8, 30), deadline=datetime(2031, 5, 30, 23, 59))
    assert default_submitted_at(later, datetime(2030, 6, 1, 9, 0)) == ("2031-03-01T08:30", True)


def test_the_list_re_sorts_after_an_edit(qtbot, window, docs):
    from ui.list_model import COL_NAME

    w = window
    w.view.horizontalHeader().setSortIndicator(COL_NAME, Qt.SortOrder.AscendingOrder)
    names = [w.model.row_at(r).name for r in range(w.model.rowCount())]
    app_id = docs["small"]["id"]
    before = w.model.row_of(app_id)
    assert 0 < before  # not first: the new name sorts first
    w.view.selectRow(before)
    editor = w.open_application(app_id)
    name = editor.widget_for("name")
    name.setFocus()
    name.selectAll()
    commit_text(name, "阿坝州产业技术创新战略联盟")  # "a" sorts before every other name (pinyin)
    qtbot.waitUntil(lambda: w.model.find(app_id).name == "阿坝州产业技术创新战略联盟", timeout=5000)
    assert w.model.row_of(app_id) == 0
    after = [w.model.row_at(r).name for r in range(w.model.rowCount())]
    assert after[1:] == [n for n in names if n != docs["small"]["name"]]
    # the selection followed the row
    assert w.view.selectionModel().isRowSelected(0)


def test_window_title_names_the_program_once(window):
    from ui.main_window import APP_DISPLAY_NAME

    title = window.windowTitle()
    assert title.count("Alliance Desk") == 1
    # ends with the display name, so X11 and Windows do not append it a second time
    assert title.endswith(APP_DISPLAY_NAME) and Path(window.db.label).name in title
