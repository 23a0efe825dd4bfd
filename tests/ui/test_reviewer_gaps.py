"""Reviewer mode on a 1366x768 screen: a score file blocked by 36 gaps shows a count, a short
scrollable list and a jump to the first gap, and the window stays within the screen."""
from __future__ import annotations

from PySide6.QtWidgets import QApplication

from alliance_desk.review import scoring
from tests.ui.test_review_ui import expert_window, shot

SCREEN_W, SCREEN_H = 1366, 768


def test_problem_says_whether_it_is_a_gap():
    tpl = scoring.get_template("ganzhou", "GZ-FORMATION")
    _, probs = scoring.validate(tpl, {}, {}, "", "item")
    assert len(probs) == len(tpl.leaves) and all(p.missing for p in probs)
    _, probs = scoring.validate(tpl, {tpl.leaves[0].key: -1}, {}, "", "item")
    assert not next(p for p in probs if p.key == tpl.leaves[0].key).missing


def test_36_gaps_fit_the_screen_and_jump_to_the_first(qtbot, db, tmp_path):
    with expert_window(qtbot, db, tmp_path, SCREEN_W, SCREEN_H) as (_w, _sc, _laptop, r):
        tpl = r.pkg.template
        # 12 leaves left unscored in each of the 3 applications: 36 gaps (the others get full marks)
        assert len(r.pkg.applications) == 3 and len(tpl.leaves) > 12
        for a in r.pkg.applications:
            r.select_application(a["id"])
            for k, leaf in enumerate(tpl.leaves):
                r.set_points(leaf.key, "" if k >= len(tpl.leaves) - 12 else scoring.fmt(leaf.max))
        r.select_application(r.pkg.applications[-1]["id"])
        assert r.export_score_file_to(tmp_path / "scores.adpkg") is None
        QApplication.processEvents()
        assert r.gaps_box.isVisibleTo(r)
        assert r.gaps_list.count() == 36 and r.gaps_count.text() == "共 36 处需处理，其中 36 项未评分"
        assert r.last_message == "评分文件未导出，请先处理下列 36 处"
        # the window did not grow: its height and the height it asks for stay within the screen
        assert r.height() <= SCREEN_H and r.sizeHint().height() <= SCREEN_H
        assert r.minimumSizeHint().height() <= SCREEN_H
        assert r.gaps_list.height() <= 160 and r.gaps_list.verticalScrollBar().maximum() > 0  # it scrolls
        shot(r, "gaps")
        # the jump opens the first gap's application and puts the cursor in its score
        first_app, first = r._gaps[0]
        r.first_gap_btn.click()
        assert r.app_id == first_app == r.pkg.applications[0]["id"]
        assert r.gaps_list.currentRow() == 0
        assert QApplication.focusWidget() is r.rows[first.key].points
        # fixing a gap shrinks the list
        r.set_points(first.key, scoring.fmt(tpl.leaf(first.key).max))
        qtbot.waitUntil(lambda: r.gaps_list.count() == 35, timeout=3000)
