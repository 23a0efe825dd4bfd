"""The export dialog: choices follow the region, preview, background export with progress, cancel,
and the produced files open cleanly."""
from __future__ import annotations

from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook
from PySide6.QtCore import Qt

from alliance_desk import demo, store
from alliance_desk.exchange import packages
from tests.ui.helpers import export_dialog_on_demo


@pytest.fixture
def dialog(qtbot, db, tmp_path):
    return export_dialog_on_demo(qtbot, db, directory=tmp_path)


def wait_settled(qtbot, dlg):
    qtbot.waitUntil(lambda: dlg.task is not None and dlg.task.done, timeout=30000)


def test_choices_follow_the_region(dialog):
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert kinds == ["recommendation-table", "application-form", "notice", "certificates", "package"]
    dialog.region.setCurrentIndex(dialog.region.findData("ganzhou"))
    kinds = [dialog.kind.itemData(i) for i in range(dialog.kind.count())]
    assert "member-table" in kinds and "application-form" in kinds
    assert dialog.call.currentData() == "ganzhou-2022"
    counties = [dialog.county.itemData(i) for i in range(dialog.county.count())]
    assert "" in counties and "章贡区" in counties
    assert dialog.apps.count() == 6
    dialog.kind.setCurrentIndex(dialog.kind.findData("notice"))
    assert dialog.notice_box.isVisibleTo(dialog) and not dialog.cert_box.isVisibleTo(dialog)
    assert [dialog.fmt.itemData(i) for i in range(dialog.fmt.count())] == [".pdf", ".docx"]
    assert dialog.output.text().endswith(".pdf")


def test_preview_then_export_recommendation_table(qtbot, dialog, tmp_path):
    dialog.set_selection("chongqing", "recommendation-table", "chongqing-2022")
    lines = dialog.preview()
    assert lines[0] == "推荐汇总表（Excel）：3 份申报"
    assert "重庆市智能网联汽车产业技术创新联盟" in dialog.preview_view.toPlainText()
    out = tmp_path / "汇总.xlsx"
    dialog.set_output(out)
    with qtbot.waitSignal(dialog.finished_export, timeout=30000) as sig:
        dialog.start_export()
    assert sig.args == [str(out)]
    assert dialog.last_result.count == 3 and "已导出" in dialog.status.text()
    assert dialog.open_button.isEnabled() and dialog.export_button.isEnabled()
    ws = load_workbook(out).active
    assert ws["A1"].value == "重庆市产业技术创新联盟推荐汇总表" and ws["B3"].value == "创新联盟名称"


def test_notice_docx_with_ticked_applications(qtbot, dialog, tmp_path):
    from alliance_desk.store import audit

    anshan = [d for d in demo.demo_applications() if d["region"] == "anshan"][:2]
    dialog.set_selection("anshan", "notice", "anshan-2024", ids=[a["id"] for a in anshan])
    assert set(dialog.selected_ids()) == {a["id"] for a in anshan}
    dialog.start.setDate(dialog.start.date().fromString("2025-09-30", "yyyy-MM-dd"))
    assert "2025年9月30日至2025年10月13日（5个工作日）" in "\n".join(dialog.preview())
    # neither was recommended: the preview lists both with the reason, the export refuses
    assert dialog.refused_box.isVisibleTo(dialog) and dialog.refused_list.count() == 2
    assert dialog.refused_list.item(0).text().startswith(f"「{anshan[0]['name']}」：未经推荐")
    assert dialog.minimumSizeHint().height() <= 720   # with the refusals shown it still fits 1366x768
    out = tmp_path / "公示.docx"
    dialog.set_output(out)
    assert dialog.fmt.currentData() == ".docx"
    dialog.start_export()
    wait_settled(qtbot, dialog)
    assert dialog.last_error is not None and not out.exists()
    assert "2 份申报不能列入公示" in dialog.status.text()
    # the override needs a reason
    dialog.override.setChecked(True)
    assert dialog.start_export() is None and "请写明强制列入的理由" in dialog.status.text()
    dialog.override_reason.setText("经局务会研究同意提前公示")
    dialog.start_export()
    wait_settled(qtbot, dialog)
    assert dialog.last_error is None, dialog.last_error
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert anshan[0]["name"] in text and anshan[1]["name"] in text
    rows = [r for r in audit.history(dialog.db, anshan[0]["id"]) if r.action == "override"]
    assert len(rows) == 1 and rows[0].after["reason"] == "经局务会研究同意提前公示"
    assert "未经推荐" in rows[0].after["refused"][0]


def test_cancel_leaves_no_file(qtbot, dialog, tmp_path):
    dialog.set_selection("chongqing", "application-form", "chongqing-2022")
    out = tmp_path / "申报表.pdf"
    dialog.set_output(out)
    dialog.start_export()
    dialog.cancel_export()  # before the worker's first progress report
    wait_settled(qtbot, dialog)
    assert dialog.cancelled and dialog.last_result is None
    assert "已取消" in dialog.status.text()
    assert not out.exists() and not [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]


def test_errors_are_shown_in_the_dialog(qtbot, dialog, tmp_path):
    dialog.set_selection("chongqing", "package", "chongqing-2022")
    dialog.set_output(tmp_path / "up.adpkg")
    dialog.start_export()
    wait_settled(qtbot, dialog)
    assert dialog.last_error is not None and "keys init" in dialog.status.text()
    packages.generate_office_key(dialog.db, "两江新区经济运行局")
    dialog.start_export()
    wait_settled(qtbot, dialog)
    assert dialog.last_result is not None and len(dialog.last_result.application_ids) == 3
    assert (tmp_path / "up.adpkg").exists()


def test_certificates_with_text_mode_options(qtbot, dialog, tmp_path):
    from alliance_desk import lifecycle

    doc = next(d for d in demo.demo_applications() if d["region"] == "anshan")
    lifecycle.decide(dialog.db, doc["id"], "recognized", date(2024, 7, 1), doc_no="鞍科发〔2024〕8号")
    dialog.set_selection("anshan", "certificates", "anshan-2024", ids=[doc["id"]])
    dialog.use_decision_date.setChecked(False)
    dialog.recognized.setDate(dialog.recognized.date().fromString("2024-07-01", "yyyy-MM-dd"))
    opts = dialog.options()
    assert opts == {"recognized_on": date(2024, 7, 1), "mode": "full"}
    dialog.set_output(tmp_path / "证书.pdf")
    dialog.start_export()
    wait_settled(qtbot, dialog)
    assert dialog.last_result.count == 1 and dialog.result_path().exists()
    assert any("AS-2024-001" in n for n in dialog.last_result.notes)
    item = dialog.apps.item(0)
    assert item.flags() & Qt.ItemFlag.ItemIsUserCheckable


def test_closing_the_dialog_stops_its_export_and_touches_nothing_after(qtbot, db, tmp_path):
    from PySide6.QtCore import QEvent
    from PySide6.QtWidgets import QApplication

    from ui.exports import ExportDialog

    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    dlg = ExportDialog(db, region="chongqing", directory=tmp_path)
    dlg.show()
    qtbot.waitExposed(dlg)
    dlg.set_selection("chongqing", "application-form", "chongqing-2022")
    out = tmp_path / "申报表.pdf"
    dlg.set_output(out)
    task = dlg.start_export()
    dlg.reject()  # the clerk closes the dialog while the export runs
    assert task.progress.cancelled
    dlg.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the dialog is gone before the worker reports back
    qtbot.waitUntil(lambda: task.done, timeout=30000)
    qtbot.wait(50)  # the queued callback has run (it must not touch the deleted dialog)
    assert task.result is None and not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.suffix == ".pdf"]
