"""The confirm dialog for an older score file: not imported unless the clerk confirms, and then
taken with its audit row."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from alliance_desk.store import audit
from alliance_desk import review as rv
from test_trust import score_comment, two_score_files

SHOTS = Path(os.environ.get("REVIEW_SCREENSHOTS_DIR") or Path(tempfile.gettempdir()) / "alliance-desk-shots")


def _score_files(db, tmp_path):
    return two_score_files(db, tmp_path, "评分_第一次.adpkg", "评分_第二次.adpkg")


def test_an_older_score_file_needs_the_clerks_confirmation(qtbot, db, tmp_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ui.fonts import ensure_cjk_font
    from ui.review import ReviewRoundWidget

    ensure_cjk_font(QApplication.instance())
    sc, first, second = _score_files(db, tmp_path)
    rv.import_file(db, second)
    w = ReviewRoundWidget(db)
    qtbot.addWidget(w)
    w.show()
    assert w.round_id == sc.round_id
    asked = []
    answers = iter([False, True])

    def ask(name, undo):
        asked.append((name, undo))
        return next(answers)

    w.ask_older = ask
    w.import_files([first])
    qtbot.waitUntil(lambda: w.last_task.done, timeout=30000)
    assert asked and asked[0][0] == first.name and "早于已接受的同一发送方文件" in asked[0][1]
    assert "比已导入的评分更早" in w.last_message
    assert score_comment(db, sc.apps["B"], sc.experts["E3"]) == "复核后意见：较好"      # declined: unchanged
    w.import_files([first])
    qtbot.waitUntil(lambda: w.last_task.done, timeout=30000)
    qtbot.waitUntil(lambda: w.last_task.done and "已导入" in w.last_message, timeout=30000)
    assert score_comment(db, sc.apps["B"], sc.experts["E3"]) == "总体较好"              # confirmed: taken
    assert audit.history(db, limit=1, newest_first=True)[0].action == "older_accepted"

    # the real dialog: says what it would take back, defaults to not importing
    seen = []

    def look():
        box = next(x for x in QApplication.topLevelWidgets() if isinstance(x, QMessageBox) and x.isVisible())
        SHOTS.mkdir(parents=True, exist_ok=True)
        box.grab().save(str(SHOTS / "trust-older-score-file.png"))
        seen.append((box.text(), box.defaultButton().text()))
        box.defaultButton().click()

    QTimer.singleShot(200, look)
    assert ReviewRoundWidget.ask_older(w, first.name, asked[0][1]) is False
    assert first.name in seen[0][0] and "早于" in seen[0][0] and seen[0][1] == "不导入"
