"""Reviewer mode (专家评审模式): the expert opens a review package, sees only the applications assigned
to them (read-only), fills the region's scoring sheet and exports a signed score file.

The scoring sheet shows every item with its maximum (a validator refuses more, and letters), a
comment box (required when an item scores under 60% of its maximum), objective items' suggested
scores with the computed share and a 采用建议 button, the total, an overall opinion and a 回避
declaration. What the expert types is saved as a draft in the local database after every change.

`ReviewerWidget(db)` is standalone; `open_package(path)`, `select_application(app_id)`,
`set_points(key, text)`, `set_comment(key, text)`, `declare_conflict(reason)` and
`export_score_file_to(path)` drive it without dialogs.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QValidator
from PySide6.QtWidgets import (QAbstractItemView, QCheckBox, QFrame, QGridLayout, QGroupBox,
                               QHBoxLayout, QLabel, QLineEdit, QListWidget, QListWidgetItem, QPlainTextEdit,
                               QPushButton, QScrollArea, QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout,
                               QWidget)

from alliance_desk import review as rv
from alliance_desk.review import scoring
from alliance_desk.rules import KIND_LABELS, LEVEL_LABELS

from ui import file_dialogs

SAVE_DELAY_MS = 300
ROLE_LABELS = {"lead": "牵头单位", "core": "核心成员", "member": "一般成员"}


GAPS_LIST_HEIGHT = 120  # px: about five lines; the rest scrolls


def _t(text: str) -> str:
    return QCoreApplication.translate("ReviewerWidget", text)


class PointsValidator(QValidator):
    """Numbers from 0 to the item's maximum, at most one decimal; anything else cannot be typed."""

    def __init__(self, maximum: float, parent=None):
        super().__init__(parent)
        self.maximum = maximum

    def validate(self, text: str, pos: int):
        t = text.strip()
        if t == "":
            return QValidator.State.Intermediate, text, pos
        if t.endswith("."):
            body = t[:-1]
            if body.isdigit() and float(body) <= self.maximum:
                return QValidator.State.Intermediate, text, pos
            return QValidator.State.Invalid, text, pos
        parts = t.split(".")
        if len(parts) > 2 or not all(p.isdigit() for p in parts if p) or (len(parts) == 2 and len(parts[1]) > 1):
            return QValidator.State.Invalid, text, pos
        if float(t) > self.maximum + 1e-9:
            return QValidator.State.Invalid, text, pos
        return QValidator.State.Acceptable, text, pos


class _ItemRow:
    def __init__(self, item: scoring.Item, grid: QGridLayout, row: int, owner: "ReviewerWidget"):
        self.item = item
        self.name = QLabel(item.name)
        self.name.setWordWrap(True)
        self.points = QLineEdit()
        self.points.setValidator(PointsValidator(item.max, self.points))
        self.points.setMaximumWidth(64)
        self.points.setPlaceholderText(_t("未评"))
        self.max_label = QLabel(_t("/ {0} 分").format(scoring.fmt(item.max)))
        self.comment = QLineEdit()
        self.comment.setPlaceholderText(_t("评审意见（低于 {0} 分必填）").format(scoring.fmt(item.comment_below)))
        self.suggestion = QLabel()
        self.suggestion.setWordWrap(True)
        self.suggestion.setStyleSheet("color:#1565c0")
        self.adopt = QPushButton(_t("采用建议"))
        self.adopt.setVisible(False)
        self.problem = QLabel()
        self.problem.setStyleSheet("color:#b71c1c")
        self.problem.setWordWrap(True)
        self.problem.setVisible(False)
        grid.addWidget(self.name, row, 0)
        grid.addWidget(self.points, row, 1)
        grid.addWidget(self.max_label, row, 2)
        grid.addWidget(self.comment, row, 3)
        grid.addWidget(self.suggestion, row + 1, 0, 1, 3)
        grid.addWidget(self.adopt, row + 1, 3, Qt.AlignmentFlag.AlignLeft)
        grid.addWidget(self.problem, row + 2, 0, 1, 4)
        self.points.textEdited.connect(owner._edited)
        self.comment.textEdited.connect(owner._edited)
        self.adopt.clicked.connect(lambda: owner.adopt_suggestion(item.key))


class ReviewerWidget(QWidget):
    """Reviewer mode: one review package, its applications, the scoring sheet."""

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.pkg: rv.ReviewPackage | None = None
        self.drafts: dict[str, rv.Draft] = {}
        self.app_id: str | None = None
        self.rows: dict[str, _ItemRow] = {}
        self._loading = False
        self.last_message = ""
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)

        top = QHBoxLayout()
        self.open_btn = QPushButton(_t("打开评审包…"))
        self.open_btn.clicked.connect(self._open_dialog)
        top.addWidget(self.open_btn)
        self.header = QLabel(_t("请打开市（县）科技部门发来的评审包（.adpkg）"))
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setWordWrap(True)
        top.addWidget(self.header, 1)
        self.export_btn = QPushButton(_t("导出签名评分文件…"))
        self.export_btn.clicked.connect(self._export_dialog)
        self.export_btn.setEnabled(False)
        top.addWidget(self.export_btn)

        self.app_list = QListWidget()
        self.app_list.setMinimumWidth(220)
        self.app_list.currentRowChanged.connect(self._app_picked)

        # read-only application view
        self.app_info = QLabel()
        self.app_info.setWordWrap(True)
        self.app_info.setTextFormat(Qt.TextFormat.RichText)
        self.members = QTableWidget(0, 5)
        self.members.setHorizontalHeaderLabels([_t("成员单位"), _t("类型"), _t("角色"), _t("科研平台"),
                                                _t("市级以上项目")])
        self.members.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.members.verticalHeader().setVisible(False)
        self.members.setMaximumHeight(150)

        # scoring sheet
        self.sheet_box = QWidget()
        self.sheet_layout = QVBoxLayout(self.sheet_box)
        self.overall = QPlainTextEdit()
        self.overall.setPlaceholderText(_t("总体评审意见"))
        self.overall.setMaximumHeight(70)
        self.overall.textChanged.connect(self._edited)
        self.conflict_box = QCheckBox(_t("申请回避（与该申报存在利害关系）"))
        self.conflict_box.toggled.connect(self._conflict_toggled)
        self.conflict_reason = QLineEdit()
        self.conflict_reason.setPlaceholderText(_t("回避原因"))
        self.conflict_reason.setEnabled(False)
        self.conflict_reason.textEdited.connect(self._edited)
        self.total_label = QLabel()
        self.total_label.setStyleSheet("font-weight:bold")
        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setStyleSheet("color:#b71c1c")

        right = QWidget()
        rl = QVBoxLayout(right)
        rl.addWidget(self.app_info)
        rl.addWidget(self.members)
        self.sheet_scroll = scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.sheet_box)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        rl.addWidget(scroll, 1)
        foot = QGridLayout()
        foot.addWidget(QLabel(_t("总体意见")), 0, 0)
        foot.addWidget(self.overall, 0, 1, 1, 3)
        foot.addWidget(self.conflict_box, 1, 0, 1, 2)
        foot.addWidget(self.conflict_reason, 1, 2, 1, 2)
        foot.addWidget(self.total_label, 2, 0, 1, 2)
        foot.addWidget(self.problems_label, 3, 0, 1, 4)
        rl.addLayout(foot)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.app_list)
        split.addWidget(right)
        split.setSizes([240, 900])
        self.status = QLabel()
        self.status.setWordWrap(True)
        # what blocks the score file: a count, a short scrollable list and a jump to the first gap,
        # so 36 gaps fit a 1366x768 screen instead of 36 lines of labels
        self.gaps_box = QWidget()
        gl = QGridLayout(self.gaps_box)
        gl.setContentsMargins(0, 0, 0, 0)
        self.gaps_count = QLabel()
        self.gaps_count.setStyleSheet("color:#b71c1c; font-weight:bold")
        self.first_gap_btn = QPushButton(_t("跳到第一处"))
        self.first_gap_btn.clicked.connect(lambda: self.jump_to_gap(0))
        self.gaps_list = QListWidget()
        self.gaps_list.setMaximumHeight(GAPS_LIST_HEIGHT)
        self.gaps_list.itemActivated.connect(lambda it: self.jump_to_gap(self.gaps_list.row(it)))
        self.gaps_list.itemClicked.connect(lambda it: self.jump_to_gap(self.gaps_list.row(it)))
        gl.addWidget(self.gaps_count, 0, 0)
        gl.addWidget(self.first_gap_btn, 0, 1, Qt.AlignmentFlag.AlignRight)
        gl.addWidget(self.gaps_list, 1, 0, 1, 2)
        self.gaps_box.setVisible(False)
        self._gaps: list[tuple[str, scoring.Problem]] = []
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(split, 1)
        lay.addWidget(self.gaps_box)
        lay.addWidget(self.status)
        right.setEnabled(False)
        self._right = right

    # ---------------------------------------------------------------- package

    def open_package(self, path: str | Path) -> bool:
        """Verify and open a review package; a tampered or foreign one is refused with the reason."""
        self.save_now()
        try:
            pkg = rv.open_review_package(path)
        except rv.ReviewError as exc:
            self._report(_t("评审包未打开：") + "\n" + "\n".join(exc.problems), True)
            return False
        self.pkg = pkg
        self.drafts = rv.load_drafts(self.db, pkg)
        tpl = pkg.template
        own = "" if tpl.official else f" <span style='color:#8a4b00'>[{html.escape(_t(scoring.OWN_TEMPLATE))}]</span>"
        self.header.setText(
            f"<b>{html.escape(pkg.round_name)}</b>　{html.escape(pkg.region_name)}　{_t('评分模板')}："
            f"{html.escape(tpl.name)}{own}<br>{_t('评审专家')}：{html.escape(pkg.expert_name)}（{html.escape(pkg.expert_unit)}）"
            f"　{_t('截止')}：{html.escape(pkg.deadline or '—')}　{_t('发件单位')}：{html.escape(pkg.sender)}"
            f"（{_t('签名指纹')} {pkg.office_fingerprint}）")
        self._build_sheet(tpl)
        self.app_list.blockSignals(True)
        self.app_list.clear()
        for a in pkg.applications:
            QListWidgetItem(a["name"], self.app_list).setData(Qt.ItemDataRole.UserRole, a["id"])
        self.app_list.blockSignals(False)
        self._update_list_marks()
        self.export_btn.setEnabled(True)
        self._right.setEnabled(True)
        self.select_application(pkg.applications[0]["id"])
        self._report(_t("已打开评审包：分配给您的申报 {0} 份").format(len(pkg.applications)))
        return True

    def _build_sheet(self, tpl: scoring.Template) -> None:
        while self.sheet_layout.count():
            w = self.sheet_layout.takeAt(0).widget()
            if w is not None:
                w.deleteLater()
        self.rows = {}
        for c in tpl.criteria:
            box = QGroupBox(f"{c.name}（{scoring.fmt(c.max)} {_t('分')}）")
            grid = QGridLayout(box)
            grid.setColumnStretch(0, 3)
            grid.setColumnStretch(3, 2)
            for i, it in enumerate(c.items):
                self.rows[it.key] = _ItemRow(it, grid, i * 3, self)
            self.sheet_layout.addWidget(box)
            box.setVisible(True)   # added to a visible parent: show now, not after the next event loop turn
        self.sheet_layout.addStretch(1)

    # ---------------------------------------------------------------- application

    def _app_picked(self, row: int) -> None:
        if self.pkg is None or row < 0:
            return
        self.select_application(self.pkg.applications[row]["id"])

    def select_application(self, app_id: str) -> None:
        self.save_now()
        app = self.pkg.application(app_id)
        self.app_id = app_id
        idx = [a["id"] for a in self.pkg.applications].index(app_id)
        if self.app_list.currentRow() != idx:
            self.app_list.blockSignals(True)
            self.app_list.setCurrentRow(idx)
            self.app_list.blockSignals(False)
        doc = app["doc"]
        members = doc.get("members") or []
        self.app_info.setText(
            f"<b>{html.escape(app['name'])}</b><br>{_t('产业领域')}：{html.escape(doc.get('industry', ''))}　"
            f"{_t('所在地')}：{html.escape(doc.get('county', ''))}　{_t('牵头单位')}：{html.escape(app.get('lead') or '')}"
            f"　{_t('成员单位')} {len(members)} {_t('家')}<br>{_t('技术创新目标')}：{html.escape(doc.get('goals') or '—')}")
        self.members.setRowCount(len(members))
        for i, m in enumerate(members):
            plats = "、".join(f"{p.get('name')}（{LEVEL_LABELS.get(p.get('level'), p.get('level'))}）"
                             for p in m.get("platforms") or [])
            vals = (m.get("name", ""), KIND_LABELS.get(m.get("kind"), m.get("kind", "")),
                    ROLE_LABELS.get(m.get("role"), m.get("role", "")), plats,
                    "" if m.get("projects_municipal_or_above") is None else str(m["projects_municipal_or_above"]))
            for c, v in enumerate(vals):
                self.members.setItem(i, c, QTableWidgetItem(v))
        self.members.resizeColumnsToContents()
        self._load_draft()

    def _load_draft(self) -> None:
        self._loading = True
        d = self.drafts[self.app_id]
        sugg = self.pkg.application(self.app_id)["suggestions"]
        for key, row in self.rows.items():
            row.points.setText(d.points.get(key, ""))
            row.comment.setText(d.comments.get(key, ""))
            s = sugg.get(key)
            row.suggestion.setVisible(s is not None)
            row.adopt.setVisible(s is not None)
            if s is not None:
                row.suggestion.setText(_t("系统建议（可修改）：") + s["text"])
        self.overall.setPlainText(d.comment)
        self.conflict_box.setChecked(d.conflict is not None)
        self.conflict_reason.setText(d.conflict or "")
        self._loading = False
        self._show_state()

    # ---------------------------------------------------------------- editing

    def _edited(self, *_args) -> None:
        if self._loading or self.pkg is None:
            return
        if self.last_message and self.status.text().startswith("<span style='color:#b71c1c'>"):
            self._report("")
        d = self.drafts[self.app_id]
        d.points = {k: r.points.text().strip() for k, r in self.rows.items() if r.points.text().strip()}
        d.comments = {k: r.comment.text() for k, r in self.rows.items() if r.comment.text().strip()}
        d.comment = self.overall.toPlainText()
        d.conflict = self.conflict_reason.text() if self.conflict_box.isChecked() else None
        self._show_state()
        self._save_timer.start()

    def _conflict_toggled(self, on: bool) -> None:
        self.conflict_reason.setEnabled(on)
        for r in self.rows.values():
            r.points.setEnabled(not on)
            r.comment.setEnabled(not on)
            r.adopt.setEnabled(not on)
        self._edited()

    def save_now(self) -> None:
        """Write the current draft to the local database (also called after every pause in typing)."""
        self._save_timer.stop()
        if self.pkg is not None and self.app_id is not None:
            rv.save_draft(self.db, self.pkg, self.app_id, self.drafts[self.app_id])

    def set_points(self, key: str, text: str) -> str:
        """Type into an item's score box like the expert would; returns what the box holds (the
        validator refuses what exceeds the maximum or is not a number)."""
        edit = self.rows[key].points
        edit.setFocus()
        edit.clear()
        for ch in text:
            candidate = edit.text() + ch
            state = edit.validator().validate(candidate, len(candidate))[0]
            if state != QValidator.State.Invalid:
                edit.setText(candidate)
        self._edited()
        return edit.text()

    def set_comment(self, key: str, text: str) -> None:
        self.rows[key].comment.setText(text)
        self._edited()

    def set_overall(self, text: str) -> None:
        self.overall.setPlainText(text)

    def adopt_suggestion(self, key: str) -> None:
        s = self.pkg.application(self.app_id)["suggestions"].get(key)
        if s is None:
            return
        self.rows[key].points.setText(scoring.fmt(s["points"]))
        if s["points"] < self.rows[key].item.comment_below and not self.rows[key].comment.text().strip():
            self.rows[key].comment.setText(s["text"])
        self._edited()

    def declare_conflict(self, reason: str) -> None:
        self.conflict_box.setChecked(True)
        self.conflict_reason.setText(reason)
        self._edited()

    def problems(self) -> list[scoring.Problem]:
        return rv.draft_problems(self.pkg, self.pkg.application(self.app_id), self.drafts[self.app_id])

    def _show_state(self) -> None:
        d = self.drafts[self.app_id]
        probs = self.problems()
        by_key: dict[str, list[scoring.Problem]] = {}
        for p in probs:
            if p.key:
                by_key.setdefault(p.key, []).append(p)
        for key, row in self.rows.items():
            msgs = [p.message for p in by_key.get(key, []) if not p.missing] if d.conflict is None else []
            row.problem.setText("；".join(msgs))
            row.problem.setVisible(bool(msgs))
            wants_comment = d.conflict is None and any(p.field == "comment" for p in by_key.get(key, []))
            row.comment.setStyleSheet("border:1px solid #c62828" if wants_comment else "")
        pts = {k: v for k, v in ((k, scoring.parse_points(x)) for k, x in d.points.items()) if isinstance(v, float)}
        total = self.pkg.template.total
        self.total_label.setText(_t("总分：{0} / {1}").format(scoring.fmt(round(sum(pts.values()), 2)),
                                                            scoring.fmt(total)))
        missing = sum(1 for p in probs if p.missing)
        if d.conflict is not None:
            self.problems_label.setText(_t("已申请回避：该申报不评分") if not probs else probs[0].message)
        elif probs:
            self.problems_label.setText(_t("尚有 {0} 项未评分，{1} 项需处理").format(missing, len(probs) - missing))
        else:
            self.problems_label.setText("")
        self._update_list_marks()
        if self._gaps:  # the list follows what the expert fixes
            self.show_gaps([(a["id"], p) for a in self.pkg.applications
                            for p in rv.draft_problems(self.pkg, a, self.drafts[a["id"]])])

    def _update_list_marks(self) -> None:
        if self.pkg is None:
            return
        for i, a in enumerate(self.pkg.applications):
            d = self.drafts[a["id"]]
            probs = rv.draft_problems(self.pkg, a, d)
            item = self.app_list.item(i)
            if d.conflict is not None and not probs:
                mark, color = _t("回避"), "#8a4b00"
            elif not probs:
                mark, color = _t("已评"), "#1b5e20"
            elif d.points:
                mark, color = _t("未完成"), "#b71c1c"
            else:
                mark, color = _t("未评"), "#555555"
            item.setText(f"{a['name']}　[{mark}]")
            item.setForeground(QBrush(QColor(color)))

    # ---------------------------------------------------------------- export

    def export_score_file_to(self, path: str | Path) -> Path | None:
        self.save_now()
        try:
            out = rv.export_score_file(self.db, self.pkg, path)
        except rv.ReviewError as exc:
            if exc.gaps:
                self.show_gaps(exc.gaps)
                self._report(_t("评分文件未导出，请先处理下列 {0} 处").format(len(exc.gaps)), True)
            else:
                self._report(_t("评分文件未导出，请先处理：") + "\n" + "\n".join(exc.problems), True)
            return None
        self.show_gaps([])
        self._report(_t("已导出签名评分文件：{0}，请交回组织评审的单位").format(out))
        return out

    def show_gaps(self, gaps: list[tuple[str, scoring.Problem]]) -> None:
        """List what blocks the score file: one line per gap, the count, the jump button."""
        self._gaps = list(gaps)
        self.gaps_list.clear()
        names = {a["id"]: a["name"] for a in self.pkg.applications} if self.pkg else {}
        for app_id, p in self._gaps:
            self.gaps_list.addItem(QListWidgetItem(f"「{names.get(app_id, app_id)}」：{p.message}"))
        missing = sum(1 for _, p in self._gaps if p.missing)
        self.gaps_count.setText(_t("共 {0} 处需处理，其中 {1} 项未评分").format(len(self._gaps), missing))
        self.gaps_box.setVisible(bool(self._gaps))

    def jump_to_gap(self, n: int) -> None:
        """Open the application of the n-th gap and put the cursor in its score (or comment) field."""
        if not 0 <= n < len(self._gaps):
            return
        app_id, p = self._gaps[n]
        self.select_application(app_id)
        self.gaps_list.setCurrentRow(n)
        row = self.rows.get(p.key or "")
        if row is not None:
            target = row.comment if p.field == "comment" else row.points
            target.setFocus()
            self.sheet_scroll.ensureWidgetVisible(target)
        elif p.field == "conflict":
            self.conflict_reason.setFocus()

    def _report(self, text: str, error: bool = False) -> None:
        self.last_message = text
        color = "#b71c1c" if error else "#1b5e20"
        self.status.setText(f"<span style='color:{color}'>{html.escape(text).replace(chr(10), '<br>')}</span>")

    def _open_dialog(self) -> None:
        path = file_dialogs.open_file(self, "expert", _t("打开评审包"), _t("评审包 (*.adpkg)"))
        if path:
            self.open_package(path)

    def _export_dialog(self) -> None:
        path = file_dialogs.save_file(self, "expert", _t("导出签名评分文件"), f"评分_{self.pkg.expert_name}.adpkg",
                                      _t("评分文件 (*.adpkg)"), suffix=".adpkg")
        if path:
            self.export_score_file_to(path)

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt naming
        self.save_now()
        super().closeEvent(event)
