"""The review round screen and reviewer mode on real databases and real files, offscreen: a Ganzhou
round scored through the screens, conflicts shown and blocked in the grid, Excel sheets filled with
openpyxl and imported, a review package scored in reviewer mode and its signed score file imported,
the summary and the chart; screenshots go to a temporary folder, or to $REVIEW_SCREENSHOTS_DIR (e.g.
docs/screenshots, to refresh docs/screenshots/review-*.png) — a test run never changes the work tree."""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from alliance_desk import review as rv
from alliance_desk.review import scoring
from test_review import EXPECTED_RANK, EXPECTED_TRIMMED, EXPERTS, TOTALS, Scenario, load_apps, points_for
from test_score_sheets import fill, sheets_by_expert

SHOTS = Path(os.environ.get("REVIEW_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "alliance-desk-shots")


def shot(widget, name: str) -> Path:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()      # let layouts settle before rendering
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"review-{name}.png"
    assert widget.grab().save(str(path))
    return path


def wait_task(qtbot, widget):
    task = widget.last_task
    qtbot.waitUntil(lambda: task.done, timeout=30000)
    return task


def office_screen(qtbot, db):
    from ui.review import ReviewRoundWidget

    w = ReviewRoundWidget(db)
    qtbot.addWidget(w)
    w.resize(1366, 768)
    w.show()
    qtbot.waitExposed(w)
    return w


def set_up_round(qtbot, db) -> tuple[object, Scenario]:
    w = office_screen(qtbot, db)
    assert w.round_id is None and "新建轮次" in w.template_label.text()
    apps = load_apps(db)
    rid = w.create_round("ganzhou", "ganzhou-2022", "2022年联合体组建专家评审", "GZ-FORMATION", per_application=4)
    assert rid and w.round_combo.currentData() == rid and len(w.info.applications) == 3
    experts = {}
    for k, (name, unit, fld) in EXPERTS.items():
        from factory import uscc

        experts[k] = w.add_expert(name, unit, uscc(103, "ganzhou") if k == "E1" else None, fld, "教授级高工")
    assert w.pool.rowCount() == 5
    assert w.add_to_round(list(experts.values()))
    assert w.round_experts.rowCount() == 5
    return w, Scenario(db, rid, apps, experts)


@contextmanager
def expert_window(qtbot, db, tmp_path, width: int, height: int):
    """The office assigns the round and sends expert E4 a review package, which the expert opens in
    reviewer mode on a laptop database; yields (office screen, scenario, laptop database, window)."""
    from db.session import open_database
    from ui.review import ReviewerWidget

    w, sc = set_up_round(qtbot, db)
    w.auto_assign(4)
    w.export_package_to(sc.experts["E4"], tmp_path / "E4.adpkg")
    assert wait_task(qtbot, w).error is None
    laptop = open_database(tmp_path / "expert.sqlite")
    try:
        r = ReviewerWidget(laptop)
        qtbot.addWidget(r)
        r.resize(width, height)
        r.show()
        qtbot.waitExposed(r)
        assert r.open_package(tmp_path / "E4.adpkg")
        yield w, sc, laptop, r
    finally:
        laptop.dispose()


def test_round_screen_end_to_end(qtbot, db, tmp_path):
    w, sc = set_up_round(qtbot, db)
    assert w.progress_bar.text() == "未分配"

    # automatic assignment: the two conflicts are shown and blocked in the grid
    res = w.auto_assign(4)
    assert sorted(w.round_experts.item(r, 5).text() for r in range(5)) == ["2", "2", "2", "3", "3"]
    shot(w, "round")
    w.tabs.setCurrentIndex(1)
    assert {(sc.app_key(c.application_id), sc.expert_key(c.expert_id)) for c in res.refused} == {("A", "E1"),
                                                                                                ("B", "E2")}
    m = w.grid_model
    rows = {sc.app_key(a.id): i for i, a in enumerate(w.info.applications)}
    cols = {sc.expert_key(x.expert.id): i for i, x in enumerate(w.info.experts)}
    idx = m.index(rows["A"], cols["E1"])
    assert m.data(idx) == "回避" and m.data(idx, Qt.ItemDataRole.UserRole) == "conflict"
    assert "统一社会信用代码" in m.data(idx, Qt.ItemDataRole.ToolTipRole)
    assert "理事会" in m.data(m.index(rows["B"], cols["E2"]), Qt.ItemDataRole.ToolTipRole)
    assert w.conflict_list.count() == 2
    # clicking a blocked cell is refused with the reason; a free cell is assigned
    assert not w.toggle_cell(rows["A"], cols["E1"])
    assert "存在回避关系" in w.last_message and m.data(idx) == "回避"
    free = next(k for k, c in cols.items() if m.data(m.index(rows["C"], c)) == "")
    assert w.toggle_cell(rows["C"], cols[free])
    assert m.data(m.index(rows["C"], cols[free])) == "✓"
    assert m.data(m.index(rows["C"], m.columnCount() - 1)) == "5/4"
    assert w.progress_bar.maximum() == 13 and w.progress_bar.value() == 0
    shot(w, "assignment")

    # sheets out (background), filled with openpyxl, back in
    w.export_sheets_to(tmp_path / "sheets")
    assert wait_task(qtbot, w).error is None
    paths = sorted((tmp_path / "sheets").glob("*.xlsx"))
    sheets = sheets_by_expert(sc, paths)
    tpl = w.info.template
    good = [fill(sheets[k], sc, tpl) for k in ("E1", "E2", "E4", "E5")]
    from openpyxl import load_workbook

    bad = fill(sheets["E3"], sc, tpl)
    wb = load_workbook(bad)
    wb["评分"]["C2"] = 8
    wb.save(bad)
    w.import_files(good + [bad])
    assert wait_task(qtbot, w).error is None
    assert "未导入" in w.last_message and "第 2 行 C 列" in w.last_message and "超过该项满分 4 分" in w.last_message
    assert w.progress_bar.value() == 10
    fill(sheets["E3"], sc, tpl)
    w.import_files([sheets["E3"]])
    wait_task(qtbot, w)
    assert w.progress_bar.value() == 13 and "新增 3 份" in w.last_message
    assert m.data(m.index(rows["B"], cols["E3"])) == "已评 95"

    # the summary: trimmed means, ranks and disagreement flags
    w.tabs.setCurrentIndex(2)
    t = w.summary_table
    heads = [t.horizontalHeaderItem(c).text() for c in range(t.columnCount())]
    table = [{h: t.item(r, c).text() for c, h in enumerate(heads)} for r in range(t.rowCount())]
    by_name = {row["联盟名称"]: row for row in table}
    from test_review import APP_NAMES

    for k in "ABC":
        row = by_name[APP_NAMES[k]]
        assert float(row["汇总分"]) == pytest.approx(EXPECTED_TRIMMED[k], abs=0.01)
        assert row["排名"] == str(EXPECTED_RANK[k])
    assert by_name[APP_NAMES["B"]]["分歧"].startswith("⚠ 极差 35 分")
    # fewer than 5 scores: the "trimmed" mean is a plain mean, said in the cell's tooltip and under the table
    rows_by_name = {t.item(r, 1).text(): r for r in range(t.rowCount())}
    for col in (heads.index("去高低平均"), heads.index("汇总分")):
        cell = t.item(rows_by_name[APP_NAMES["A"]], col)
        assert cell.toolTip() == "仅 4 位专家评分（不足 5 位），未去掉最高分和最低分，按算术平均计算"
        assert cell.font().italic()
        assert t.item(rows_by_name[APP_NAMES["C"]], col).toolTip() == ""   # 5 scores: really trimmed
    assert w.trim_note_label.isVisibleTo(w)
    assert w.trim_note_label.text().startswith("橙色斜体：2 份申报评分专家不足 5 位")
    assert table[0]["联盟名称"] == APP_NAMES["C"]
    assert w.criteria_table.columnCount() == 7
    # switching the method re-ranks on the spot
    w.method_combo.setCurrentIndex(scoring.METHODS.index("median"))
    assert w.summary_data.method == "median"
    assert {sc.app_key(a.application): a.value for a in w.summary_data.aggregates} == {"A": 85, "B": 70.5, "C": 86}
    w.method_combo.setCurrentIndex(scoring.METHODS.index("trimmed"))
    shot(w, "summary")

    # the chart draws every application's scores
    w.tabs.setCurrentIndex(3)
    assert [g[0] for g in w.chart.groups] == [APP_NAMES[k] for k in "CAB"]
    assert sorted(t for _, t in w.chart.groups[0][1]) == sorted(v for (a, _), v in TOTALS.items() if a == "C")
    img = w.chart.grab().toImage()
    colors = {img.pixelColor(x, y).name() for x in range(0, img.width(), 7) for y in range(0, img.height(), 7)}
    assert "#4e79a7" in colors and "#f28e2b" in colors          # bars of the first two experts
    shot(w, "chart")

    # export of the summary (background) reads back
    w.export_summary_to(tmp_path / "汇总.xlsx")
    assert wait_task(qtbot, w).error is None
    wb = load_workbook(tmp_path / "汇总.xlsx")
    assert wb["评分汇总"]["A5"].value == 1 and wb["评分汇总"]["C5"].value == APP_NAMES["C"]


def test_draw_from_the_screen(qtbot, db, tmp_path):
    w, sc = set_up_round(qtbot, db)
    for i in range(4):
        w.add_expert(f"稀土专家{i}", f"稀土研究单位{i}", field="稀土材料")
    d = w.draw(2, 1, "稀土", seed=7)
    assert d is not None and d.seed == 7 and "随机种子 7" in w.last_message
    roles = [w.round_experts.item(r, 4).text() for r in range(w.round_experts.rowCount())]
    assert roles.count("备选") == 1 and len(roles) == 8
    assert w.draw(9, 0, "稀土") is None and "可抽取的专家只有" in w.last_message
    w.export_draw_record_to(d.id, tmp_path / "记录.xlsx")
    assert wait_task(qtbot, w).error is None and (tmp_path / "记录.xlsx").exists()
    # a template no notice gives is labelled as the office's own
    assert "本单位自定模板" not in w.template_label.text()
    gid = w.create_round("gansu", "gansu-standing", "甘肃组建审核")
    assert gid and w.round_id == gid and "本单位自定模板" in w.template_label.text()
    assert w.round_combo.count() == 2
    w.set_round(sc.round_id)
    assert "联合体组建评价指标" in w.template_label.text()


def test_reviewer_mode_scores_a_package_and_the_office_imports_it(qtbot, db, tmp_path):
    from ui.review import ReviewerWidget

    with expert_window(qtbot, db, tmp_path, 1366, 768) as (w, sc, laptop, r):
        names = [r.app_list.item(i).text().split("　")[0] for i in range(r.app_list.count())]
        expected = {sc.app_key(a.id) for a in rv.assignments_of(db, sc.round_id, sc.experts["E4"])}
        from test_review import APP_NAMES

        assert sorted(names) == sorted(APP_NAMES[k] for k in expected)
        assert "联合体组建评价指标" in r.header.text() and "赵敏" in r.header.text()
        tpl = r.pkg.template
        # the maximum is enforced as the expert types, and letters cannot be typed
        assert r.set_points("secretariat.staff", "9") == ""
        assert r.set_points("secretariat.staff", "45") == "4"
        assert r.set_points("secretariat.office", "五") == ""
        # objective items: pre-filled with the suggestion, the computed share shown, adoptable again
        row = r.rows["members.project_share"]
        assert not row.suggestion.isHidden() and "承担过市级以上项目的成员单位" in row.suggestion.text()
        assert r.rows["members.platform_share"].points.text() == "1"            # 1 of 12 members: < 30%
        assert r.rows["members.platform_share"].comment.text().startswith("系统建议：具有市级以上平台的成员单位 1/12")
        first = r.pkg.applications[0]
        for a in r.pkg.applications:
            r.select_application(a["id"])
            key = sc.app_key(a["id"])
            pts = points_for(tpl, TOTALS[(key, "E4")])
            for k, v in pts.items():
                r.set_points(k, scoring.fmt(v))
            if a is first:
                low = [k for k, v in pts.items() if v < tpl.leaf(k).comment_below]
                assert low and not r.rows[low[0]].problem.isHidden() and "须在该项填写评审意见" in r.rows[low[0]].problem.text()
                assert r.export_score_file_to(tmp_path / "early.adpkg") is None
                assert "评分文件未导出" in r.last_message
            for k, v in pts.items():
                if v < tpl.leaf(k).comment_below:
                    r.set_comment(k, "材料未体现")
            r.set_overall("总体材料齐全")
            assert not r.problems()
            assert r.total_label.text() == f"总分：{TOTALS[(key, 'E4')]} / 100"
        r.select_application(first["id"])
        r.adopt_suggestion("members.platform_share")
        assert r.rows["members.platform_share"].points.text() == "1"
        assert "1/12" in r.rows["members.platform_share"].comment.text()   # the share explains a low suggestion
        r.set_points("members.platform_share", scoring.fmt(points_for(tpl, TOTALS[(sc.app_key(first["id"]), "E4")])
                                                            ["members.platform_share"]))
        shot(r, "scoring")
        # declare a conflict on the last application
        last = r.pkg.applications[-1]
        r.select_application(last["id"])
        r.declare_conflict("与牵头单位有在研合作项目")
        assert "回避" in r.app_list.item(r.app_list.count() - 1).text()
        r.save_now()
        # drafts survive closing and reopening the package
        r2 = ReviewerWidget(laptop)
        qtbot.addWidget(r2)
        r2.open_package(tmp_path / "E4.adpkg")
        assert r2.drafts[last["id"]].conflict == "与牵头单位有在研合作项目"
        out = r.export_score_file_to(tmp_path / "E4-scores.adpkg")
        assert out is not None and "已导出签名评分文件" in r.last_message

        # a tampered package is refused with the reason
        import zipfile

        bad = tmp_path / "bad.adpkg"
        with zipfile.ZipFile(tmp_path / "E4.adpkg") as zin, zipfile.ZipFile(bad, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "review.json":
                    data = data.replace("赵敏".encode(), "钱某".encode())
                zout.writestr(info.filename, data)
        r3 = ReviewerWidget(laptop)
        qtbot.addWidget(r3)
        assert not r3.open_package(bad)
        assert "review.json 的 SHA-256 与清单不符" in r3.last_message and r3.pkg is None

    # the office imports the signed score file
    w.import_files([out])
    wait_task(qtbot, w)
    assert "声明回避 1 份" in w.last_message, w.last_message
    rows = {sc.app_key(a.id): i for i, a in enumerate(w.info.applications)}
    cols = {sc.expert_key(x.expert.id): i for i, x in enumerate(w.info.experts)}
    cell = w.grid_model.data(w.grid_model.index(rows[sc.app_key(last["id"])], cols["E4"]))
    assert cell == "回避！"
    scored = [k for k in rows if k != sc.app_key(last["id"])]
    for k in scored:
        assert w.grid_model.data(w.grid_model.index(rows[k], cols["E4"])) == f"已评 {TOTALS[(k, 'E4')]}"


def _filled_sheets(qtbot, w, sc, out_dir) -> list[Path]:
    """Score sheets written by the screen in the background, every one filled in by its expert."""
    w.export_sheets_to(out_dir)
    assert wait_task(qtbot, w).error is None
    return [fill(p, sc, w.info.template) for p in sorted(Path(out_dir).glob("*.xlsx"))]


def test_auto_assign_button_runs_in_the_background(qtbot, db):
    w, sc = set_up_round(qtbot, db)
    w.per_app.setValue(4)
    w.auto_btn.click()
    task = wait_task(qtbot, w)
    assert task.error is None and len(task.result.refused) == 2
    assert w.last_message.startswith("已自动分配")
    # the same balanced result as waiting for it, shown once the task is back
    assert sorted(w.round_experts.item(r, 5).text() for r in range(5)) == ["2", "2", "2", "3", "3"]
    assert w.progress_bar.maximum() == rv.progress(db, sc.round_id).expected > 0


def test_a_cancelled_import_stops_between_whole_files(qtbot, db, tmp_path):
    w, sc = set_up_round(qtbot, db)
    w.auto_assign(4)
    paths = _filled_sheets(qtbot, w, sc, tmp_path / "sheets")
    expected = {sc.expert_key(e): got for e, (got, _) in rv.progress(db, sc.round_id).per_expert.items()}
    assert len(paths) == 5 and not any(expected.values())
    task = w.import_files(paths)
    task.cancel()
    qtbot.waitUntil(lambda: task.done, timeout=30000)
    assert task.result is None and "已停止导入" in w.last_message
    per = rv.progress(db, sc.round_id).per_expert
    # at most the file under way when 取消 was pressed went in, and it went in whole
    whole = [e for e, (got, exp) in per.items() if got]
    assert len(whole) <= 1 and all(per[e][0] == per[e][1] for e in whole)


def test_a_task_ending_after_its_screen_closed_touches_nothing(qtbot, db, tmp_path):
    import shiboken6

    from ui.review import ReviewRoundWidget

    w, sc = set_up_round(qtbot, db)
    w.auto_assign(4)
    paths = _filled_sheets(qtbot, w, sc, tmp_path / "sheets")

    def closed_screen_task(start):
        """Start a task from a second screen of the round, then close (delete) that screen."""
        other = ReviewRoundWidget(db)      # not kept by qtbot: it is gone before the test ends
        other.set_round(sc.round_id)
        task = start(other)
        shiboken6.delete(other)
        qtbot.waitUntil(lambda: task.done, timeout=30000)
        return task

    done = closed_screen_task(lambda s: s.import_files(paths))
    # the import still stored every sheet; its callback did not reach the deleted screen
    got = rv.progress(db, sc.round_id)
    assert done.error is None and got.received == got.expected > 0
    # a cancelled task of a closed screen: its cancel callback finds nobody to tell either
    stopped = closed_screen_task(lambda s: s.export_sheets_to(tmp_path / "again") and s.last_task.cancel()
                                 or s.last_task)
    assert stopped.result is None and stopped.error is None
