"""StageBar, ObligationList and Dashboard on a real SQLite file, real widgets offscreen.

Screenshots are saved to tmp_path; set LIFECYCLE_SCREENSHOTS_DIR (e.g. docs/screenshots) to keep
them as docs/screenshots/lifecycle-*.png."""
from __future__ import annotations

import os
from datetime import date
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtTest import QTest

from alliance_desk import lifecycle as lc
from alliance_desk import store
from factory import eligible
from ui.lifecycle import Dashboard, ObligationList, StageBar, to_qdate

D = date.fromisoformat


def imported(db, region):
    doc = eligible(region)
    store.import_documents(db, [("", doc)])
    return doc["id"]


def shot(widget, tmp_path, name) -> QImage:
    from PySide6.QtWidgets import QApplication

    widget.clearFocus()
    QApplication.processEvents()  # let layouts settle after the last change
    img = widget.grab()
    assert img.save(str(tmp_path / f"{name}.png"))
    keep = os.environ.get("LIFECYCLE_SCREENSHOTS_DIR")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        assert img.save(str(Path(keep) / f"{name}.png"))
    return img.toImage()


def transitions(db, app):
    with db.Session() as s:
        return lc.procedure(s, app).transitions


def test_stage_bar_advances_goes_back_with_a_note_and_records_the_decision(qtbot, db, tmp_path):
    app = imported(db, "anshan")
    bar = StageBar(db, app, today=D("2024-06-03"))
    qtbot.addWidget(bar)
    bar.resize(1000, 110)
    bar.show()
    qtbot.waitExposed(bar)
    assert "办理程序尚未开始：共 7 步，第一步「提交申请」" in bar.info.text()
    assert not bar.back_button.isEnabled()

    for on in ("2024-06-03", "2024-06-10", "2024-06-20"):
        qtbot.mouseClick(bar.advance_button, Qt.MouseButton.LeftButton)
        dlg = bar.dialog
        dlg.on.setDate(to_qdate(D(on)))
        qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
        assert not dlg.isVisible()
    assert bar.state.current == "expert_review" and bar.strip.kind_of(2) == "current"
    assert [bar.strip.kind_of(i) for i in range(7)] == ["done", "done", "current", "todo", "todo", "todo", "todo"]
    assert bar.advance_button.toolTip() == "下一步：局长办公会"

    # going back without a note is refused in the dialog, which stays open; nothing is written
    qtbot.mouseClick(bar.back_button, Qt.MouseButton.LeftButton)
    dlg = bar.dialog
    assert [dlg.target.itemData(i) for i in range(dlg.target.count())] == ["apply", "county_review"]
    assert dlg.target.currentData() == "county_review"
    dlg.on.setDate(to_qdate(D("2024-06-21")))
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.problems() == ["退回到「县区审查推荐」须填写说明"]
    assert len(transitions(db, app)) == 3
    dlg.note.setPlainText("补充全部成员营业执照复印件")
    dlg.actor.setText("王科长")
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert not dlg.isVisible() and bar.state.current == "county_review"
    assert "（2024-06-21 退回，王科长：补充全部成员营业执照复印件）" in bar.info.text()
    assert "退回：2024-06-21，王科长，补充全部成员营业执照复印件" in bar.strip.tooltip_for(1)

    for on in ("2024-06-24", "2024-06-28", "2024-07-01"):
        qtbot.mouseClick(bar.advance_button, Qt.MouseButton.LeftButton)
        bar.dialog.on.setDate(to_qdate(D(on)))
        qtbot.mouseClick(bar.dialog.ok_button(), Qt.MouseButton.LeftButton)
    assert bar.state.current == "publicity"
    img = shot(bar, tmp_path, "lifecycle-stagebar")
    # the current step is painted in the highlight colour, a done one in green, one to come in grey
    r = bar.strip._rects()
    ratio = img.width() / bar.width()
    y = int((bar.strip.y() + r[4].center().y()) * ratio)
    assert img.pixelColor(int((bar.strip.x() + r[4].left() + 22) * ratio), y).name() == "#1565c0"
    assert img.pixelColor(int((bar.strip.x() + r[0].left() + 8) * ratio), y).name() == "#c8e6c9"
    assert img.pixelColor(int((bar.strip.x() + r[6].left() + 22) * ratio), y).name() == "#eeeeee"

    # the next step needs the decision: the advance dialog says so; the decision dialog records it
    qtbot.mouseClick(bar.advance_button, Qt.MouseButton.LeftButton)
    assert [bar.dialog.target.itemData(i) for i in range(bar.dialog.target.count())] == ["recognition"]
    bar.dialog.reject()
    qtbot.mouseClick(bar.decide_button, Qt.MouseButton.LeftButton)
    dlg = bar.dialog
    assert [dlg.outcome.itemText(i) for i in range(dlg.outcome.count())] == ["认定", "不予认定"]
    dlg.on.setDate(to_qdate(D("2024-07-10")))
    dlg.doc_no.setText("鞍科发〔2024〕30号")
    with qtbot.waitSignal(bar.changed):
        qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert bar.state.current == "recognition" and bar.state.decision.doc_no == "鞍科发〔2024〕30号"
    assert "决定：认定（2024-07-10，鞍科发〔2024〕30号）" in bar.info.text() and not bar.decide_button.isVisible()
    assert bar.back_button.isEnabled() is False  # nothing before the decision can be reopened


def test_stage_bar_shows_a_refused_decision_in_the_dialog(qtbot, db):
    app = imported(db, "ganzhou")
    lc.move_stage(db, app, "lead_confirmed", D("2022-06-01"))  # 第一步 skipped: it is optional
    bar = StageBar(db, app, today=D("2022-06-05"))
    qtbot.addWidget(bar)
    assert bar.strip.kind_of(0) == "skipped" and bar.strip.kind_of(1) == "current"
    assert "可跳过此步" in bar.strip.tooltip_for(0) and "未经过此步骤" in bar.strip.tooltip_for(0)
    qtbot.mouseClick(bar.decide_button, Qt.MouseButton.LeftButton)
    dlg = bar.dialog
    assert dlg.outcome.currentData() == "filed"
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.problems()[0].startswith("办理程序尚未到达作出决定的步骤：当前「确定牵头单位」")
    with db.Session() as s:
        assert lc.get_decision(s, app) is None


def test_obligation_list_shows_statuses_readings_and_records_what_arrived(qtbot, db, tmp_path):
    app = imported(db, "gansu")
    lc.decide(db, app, "approved", D("2024-09-10"), doc_no="甘工信发〔2024〕88号")
    lc.record(db, app, "summary", D("2025-02-20"))
    lc.record(db, app, "assessment", D("2025-11-20"), result="fail", score=48)
    lc.record(db, app, "change", D("2026-04-01"), topic="lead_renamed")
    w = ObligationList(db, app, on=D("2026-04-05"))
    qtbot.addWidget(w)
    w.resize(1000, 420)
    w.show()
    qtbot.waitExposed(w)
    m = w.model
    rows = [(m.data(m.index(i, 0)), m.data(m.index(i, 2)), m.data(m.index(i, 3))) for i in range(m.rowCount())]
    assert rows == [("上一年度工作总结", "2025-02-28", "已完成"),
                    ("两年一次考核", "2025-12-31", "未通过（不合格，48 分）"),
                    ("上一年度工作总结", "2026-02-28", "已逾期（36 天）"),
                    ("重大调整报备（牵头单位更名）", "2026-12-31", "未到期"),
                    ("上一年度工作总结", "2027-02-28", "未到期")]
    assert m.data(m.index(2, 3), Qt.ItemDataRole.ForegroundRole).color().name() == "#c62828"
    assert "有取消资格风险" in w.header.text() and "不设有效期" in w.header.text()
    assert "连续两次考核不合格将取消资格（001 § 四3）" in w.alerts.text()
    assert w.select_kind("assessment") == 1
    assert "【部分本单位配置】" in w.reading.text() and "2025、2027、2029" in w.reading.text()
    shot(w, tmp_path, "lifecycle-obligations")

    # record the overdue summary through the dialog (kind preselected from the selected open row)
    w.select_kind("summary", 2025)
    dlg = w.open_record()
    assert dlg.kind.currentData() == "summary" and not dlg.form.isRowVisible(dlg.result)
    assert (dlg.period, dlg.period_label.text()) == (2025, "2025 年度")
    dlg.on.setDate(to_qdate(D("2024-01-01")))  # before the approval: refused, dialog stays open
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.problems() == ["登记日期 2024-01-01 早于批复成立日期 2024-09-10"]
    dlg.on.setDate(to_qdate(D("2026-04-05")))
    with qtbot.waitSignal(w.changed):
        qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert m.data(m.index(2, 3)) == "逾期完成" and m.data(m.index(2, 4)) == "2026-04-05"
    assert "未报送" not in w.alerts.text()

    # a change report: the topic list comes from the pack
    dlg = w.open_record("change_report")
    assert [dlg.topic.itemText(i) for i in range(dlg.topic.count())] == ["牵头单位更名", "牵头单位重组", "成员单位变更"]
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert m.data(m.index(3, 3)) == "已完成"


def test_ganzhou_annual_tasks_scored_item_by_item_in_the_dialog(qtbot, db):
    app = imported(db, "ganzhou")
    lc.decide(db, app, "filed", D("2022-09-10"))
    w = ObligationList(db, app, on=D("2023-12-20"))
    qtbot.addWidget(w)
    dlg = w.open_record("annual_tasks")
    assert dlg.form.isRowVisible(dlg.items) and dlg.items.rowCount() == 12
    assert dlg.items.item(0, 0).text() == "成员单位对标企业清单" and dlg.items.item(0, 1).text() == "10"
    for i, pts in enumerate((10, 10, 10, 8, 10, 10, 10, 7, 5, 5, 0, 0)):
        dlg.items.item(i, 2).setText(str(pts))
    dlg.items.item(0, 2).setText("12")
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert dlg.problems() == ["「成员单位对标企业清单」得分 12 应在 0 到满分 10 之间"]
    dlg.items.item(0, 2).setText("10")
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert not dlg.isVisible()
    m = w.model
    assert m.data(m.index(0, 3)) == "已完成（合格，85 分）"


def test_dashboard_groups_and_one_click_opens_the_alliance(qtbot, db, tmp_path):
    ids = {r: imported(db, r) for r in ("anshan", "gansu", "ganzhou", "chongqing", "jinzhong")}
    lc.decide(db, ids["anshan"], "recognized", D("2024-07-10"))
    lc.decide(db, ids["gansu"], "approved", D("2024-09-10"))
    lc.record(db, ids["gansu"], "summary", D("2025-02-20"))
    lc.record(db, ids["gansu"], "assessment", D("2025-11-20"), result="fail")
    lc.decide(db, ids["ganzhou"], "filed", D("2022-09-10"))
    lc.decide(db, ids["chongqing"], "demonstration", D("2023-04-20"))
    lc.decide(db, ids["jinzhong"], "recognized", D("2023-12-01"))
    dash = Dashboard(db, on=D("2026-04-05"))
    qtbot.addWidget(dash)
    dash.resize(1000, 560)
    dash.show()
    qtbot.waitExposed(dash)
    d = dash.data
    assert [dash.group_items[k].text(0) for k in ("due_soon", "overdue", "at_risk", "expiring")] == [
        f"30 天内到期（{len(d.due_soon)}）", f"已逾期（{len(d.overdue)}）", "有取消资格风险（1）", "本年度届满（2）"]
    assert [r.text(0) for r in dash.rows("expiring")] == ["测试智能网联新能源汽车产业技术创新联盟",
                                                          "测试新能源汽车产业技术创新联盟"]
    assert [r.text(3) for r in dash.rows("expiring")] == ["2026-04-19", "2026-11-30"]
    assert dash.rows("at_risk")[0].text(2).startswith("有取消资格风险：两年一次考核（2025 年）不合格")
    assert any(r.text(2) == "2025 年度 年度工作任务考核（100 分）" for r in dash.rows("overdue"))
    shot(dash, tmp_path, "lifecycle-dashboard")

    item = dash.rows("at_risk")[0]
    rect = dash.tree.visualItemRect(item)
    with qtbot.waitSignal(dash.openApplication) as sig:
        QTest.mouseClick(dash.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         rect.center())
    assert sig.args == [ids["gansu"]]
    # a group header opens nothing
    opened = []
    dash.openApplication.connect(opened.append)
    QTest.mouseClick(dash.tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     dash.tree.visualItemRect(dash.group_items["expiring"]).center())
    assert opened == []

    dash.set_date(D("2027-01-05"))  # moving the date recomputes every group
    assert [r.text(0) for r in dash.rows("expiring")] == []
    assert dash.group_items["at_risk"].text(0) == "有取消资格风险（1）"


def test_stage_bar_shows_the_publicity_period_and_the_dialog_refuses_an_early_decision(qtbot, db, tmp_path):
    from alliance_desk.lifecycle import workdays

    workdays.ensure_seeded(db)
    app = imported(db, "anshan")
    for stage, on in [("apply", "2024-08-01"), ("county_review", "2024-08-10"), ("expert_review", "2024-08-20"),
                      ("director_meeting", "2024-09-10"), ("publicity", "2024-09-30")]:
        lc.move_stage(db, app, stage, D(on))
    bar = StageBar(db, app, today=D("2024-10-09"))
    qtbot.addWidget(bar)
    bar.resize(1000, 130)
    # 002 § 第九条4: five working days around the National Day holiday
    assert "公示期：2024-09-30 至 2024-10-11，期满后方可进入下一步（002 § 第九条4）" in bar.info.text()
    shot(bar, tmp_path, "lifecycle-publicity")
    qtbot.mouseClick(bar.decide_button, Qt.MouseButton.LeftButton)
    dlg = bar.dialog
    dlg.outcome.setCurrentIndex(dlg.outcome.findData("recognized"))
    qtbot.mouseClick(dlg.ok_button(), Qt.MouseButton.LeftButton)
    assert dlg.isVisible() and dlg.problems()[0].startswith("公示期未满：自 2024-09-30 起公示 5 个工作日")
    with db.Session() as s:
        assert lc.get_decision(s, app) is None
