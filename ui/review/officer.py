"""The officer's review round screen (评审轮次): experts, the assignment grid (application × expert)
with conflicts shown and blocked, progress, aggregated scores with disagreement flags, ranking, and a bar chart
of every application's scores.

`ReviewRoundWidget(db)` is standalone (the main window hosts it). Every action is also a method
that takes ids or paths (`create_round`, `add_expert`, `draw`, `auto_assign`, `toggle_cell`,
`export_sheets_to`, `export_package_to`, `import_files`, `export_summary_to`), so tests and
scripts drive the screen without dialogs. Services come from `alliance_desk.review` and
`alliance_desk.review.score_sheets`; file work runs in the background through `ui.workers`.
The tabs are built in `officer_tabs`, the file actions live in `officer_files`, the grid model,
chart and dialogs in their own modules.
"""
from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QHBoxLayout, QLabel, QListWidgetItem, QProgressBar, QPushButton,
                               QTabWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from alliance_desk import review as rv
from alliance_desk.review import scoring

from ui import file_dialogs
from ui.review.chart import ScoreChart
from ui.review.common import TRIM_FALLBACK_FG, _fmt, _t
from ui.review.dialogs import ExpertDialog, NewRoundDialog
from ui.review.officer_files import RoundFiles
from ui.review.officer_tabs import RoundTabs
from ui.workers import Task


class ReviewRoundWidget(RoundTabs, RoundFiles, QWidget):
    """The review round screen."""

    roundChanged = Signal(str)

    def __init__(self, db, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.round_id: str | None = None
        self.info: rv.RoundInfo | None = None
        self.grid: rv.Grid | None = None
        self.summary_data: rv.Summary | None = None
        self.last_task: Task | None = None
        self.last_message = ""

        top = QHBoxLayout()
        top.addWidget(QLabel(_t("评审轮次")))
        self.round_combo = QComboBox()
        self.round_combo.setMinimumWidth(260)
        self.round_combo.currentIndexChanged.connect(self._round_picked)
        top.addWidget(self.round_combo)
        self.new_round_btn = QPushButton(_t("新建轮次…"))
        self.new_round_btn.clicked.connect(self._new_round_dialog)
        top.addWidget(self.new_round_btn)
        self.template_label = QLabel()
        self.template_label.setTextFormat(Qt.TextFormat.RichText)
        top.addWidget(self.template_label, 1)
        top.addWidget(QLabel(_t("进度")))
        self.progress_bar = QProgressBar()
        self.progress_bar.setFormat("%v/%m")
        self.progress_bar.setMaximumWidth(180)
        top.addWidget(self.progress_bar)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._experts_tab(), _t("专家"))
        self.tabs.addTab(self._assign_tab(), _t("分配"))
        self.tabs.addTab(self._summary_tab(), _t("评分汇总"))
        self.chart = ScoreChart()
        self.tabs.addTab(self.chart, _t("图表"))

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(self.status)
        self.reload_rounds()

    # ---------------------------------------------------------------- loading

    def reload_rounds(self, select: str | None = None) -> None:
        rounds = rv.list_rounds(self.db)
        keep = select or self.round_id
        self.round_combo.blockSignals(True)
        self.round_combo.clear()
        for x in rounds:
            self.round_combo.addItem(f"{x.name}（{x.region_name}）", x.id)
        idx = self.round_combo.findData(keep) if keep else (0 if rounds else -1)
        self.round_combo.setCurrentIndex(max(idx, 0) if rounds else -1)
        self.round_combo.blockSignals(False)
        self.set_round(self.round_combo.currentData())

    def _round_picked(self, _i: int) -> None:
        self.set_round(self.round_combo.currentData())

    def set_round(self, round_id: str | None) -> None:
        self.round_id = round_id
        if round_id is not None:
            i = self.round_combo.findData(round_id)
            if i >= 0 and i != self.round_combo.currentIndex():
                self.round_combo.blockSignals(True)
                self.round_combo.setCurrentIndex(i)
                self.round_combo.blockSignals(False)
        self.refresh()
        if round_id:
            self.roundChanged.emit(round_id)

    def _call_name(self) -> str:
        """The round's call as the clerk knows it (its name, not its id)."""
        from alliance_desk.listing import calls_for_region

        if not self.info.call_id:
            return ""
        return dict(calls_for_region(self.db, self.info.region)).get(self.info.call_id, "")

    def refresh(self) -> None:
        """Reload the round from the database into every tab."""
        has = self.round_id is not None
        for wdg in (self.auto_btn, self.sheets_btn, self.import_btn, self.summary_btn, self.draw_btn,
                    self.to_round_btn, self.package_btn, self.record_btn, self.promote_btn):
            wdg.setEnabled(has)
        if not has:
            self.info = self.grid = self.summary_data = None
            self._fill_pool()
            self.template_label.setText(_t("还没有评审轮次：点击“新建轮次…”"))
            self.grid_model.set_grid(None)
            self.chart.set_summary(None)
            return
        self.grid = rv.assignment_grid(self.db, self.round_id)
        self.info = self.grid.round
        tpl = self.info.template
        own = "" if tpl.official else f" <span style='color:#8a4b00'>[{html.escape(_t(scoring.OWN_TEMPLATE))}]</span>"
        self.template_label.setText(f"{_t('评分模板')}：<b>{html.escape(tpl.name)}</b>{own}　"
                                    f"{html.escape(self.info.region_name)}　{html.escape(self._call_name())}")
        self.template_label.setToolTip(tpl.note or tpl.origin)
        self.per_app.setValue(self.info.per_application)
        self.method_combo.blockSignals(True)
        self.method_combo.setCurrentIndex(scoring.METHODS.index(self.info.method))
        self.method_combo.blockSignals(False)
        self.grid_model.set_grid(self.grid)
        self._fill_pool()
        self._fill_round_experts()
        self._fill_conflicts()
        pr = rv.progress(self.db, self.round_id, self.grid)
        self.progress_bar.setMaximum(max(pr.expected, 1))
        self.progress_bar.setValue(pr.received)
        self.progress_bar.setFormat("%v/%m" if pr.expected else _t("未分配"))
        self.progress_bar.setToolTip(pr.text)
        self.refresh_summary()

    def _fill_pool(self) -> None:
        experts = rv.list_experts(self.db)
        in_round = {x.expert.id for x in self.info.experts} if self.info is not None else set()
        self.pool.setRowCount(len(experts))
        for i, e in enumerate(experts):
            for c, v in enumerate((e.name, e.unit, e.field or "", e.title or "")):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, e.id)
                if e.id in in_round:
                    item.setForeground(QBrush(QColor("#888888")))
                self.pool.setItem(i, c, item)

    def _fill_round_experts(self) -> None:
        xs = self.info.experts
        self.round_experts.setRowCount(len(xs))
        for i, x in enumerate(xs):
            vals = (x.expert.name, x.expert.unit, x.expert.field or "", x.expert.title or "",
                    _t(rv.ROLE_LABELS[x.role]), str(self.grid.load(x.expert.id)))
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                item.setData(Qt.ItemDataRole.UserRole, x.expert.id)
                self.round_experts.setItem(i, c, item)
        self.round_experts.resizeColumnToContents(0)

    def _fill_conflicts(self) -> None:
        self.conflict_list.clear()
        g = self.grid
        for a in g.round.applications:
            for x in g.round.experts:
                for reason in g.cell(a.id, x.expert.id).reasons:
                    QListWidgetItem(f"{a.name} × {x.expert.name}：{reason}", self.conflict_list)

    def current_method(self) -> str:
        return self.method_combo.currentData() or "trimmed"

    def refresh_summary(self) -> None:
        if self.round_id is None:
            return
        sm = rv.summary(self.db, self.round_id, self.current_method())
        self.summary_data = sm
        info = sm.round
        thr = []
        if info.threshold_range is not None:
            thr.append(_t("极差 > {0} 分").format(scoring.fmt(info.threshold_range)))
        if info.threshold_sd is not None:
            thr.append(_t("标准差 > {0}").format(scoring.fmt(info.threshold_sd)))
        self.threshold_label.setText(_t("分歧提示：") + (_t(" 或 ").join(thr) if thr else _t("未设阈值")))
        heads = [_t("排名"), _t("联盟名称"), _t("人数")] + [e.name for e in sm.experts] + \
            [_t("汇总分"), _t("平均"), _t("去高低平均"), _t("中位数"), _t("标准分"), _t("极差"), _t("标准差"), _t("分歧")]
        t = self.summary_table
        t.clear()
        t.setColumnCount(len(heads))
        t.setHorizontalHeaderLabels(heads)
        t.setRowCount(len(sm.aggregates))
        flag_bg = QBrush(QColor("#fde2e1"))
        for i, a in enumerate(sm.aggregates):
            vals = [str(a.rank or "—"), sm.app(a.application).name, str(a.n)]
            vals += [_fmt(sm.scores[(a.application, e.id)].total) if (a.application, e.id) in sm.scores else ""
                     for e in sm.experts]
            vals += [_fmt(a.value), _fmt(a.mean), _fmt(a.trimmed), _fmt(a.median), _fmt(a.zscore), _fmt(a.range),
                     _fmt(a.sd), "⚠ " + "；".join(a.flag_reasons) if a.flagged else ""]
            # a trimmed mean that fell back to a plain mean: orange italics, the reason as tooltip
            trimmed_cols = {3 + len(sm.experts) + 2} | ({3 + len(sm.experts)} if sm.method == "trimmed" else set())
            for c, v in enumerate(vals):
                item = QTableWidgetItem(v)
                if a.flagged:
                    item.setBackground(flag_bg)
                if a.trim_fallback and c in trimmed_cols:
                    item.setToolTip(a.trim_note)
                    item.setForeground(QBrush(TRIM_FALLBACK_FG))
                    f = item.font()
                    f.setItalic(True)
                    item.setFont(f)
                if c == 3 + len(sm.experts):
                    f = item.font()
                    f.setBold(True)
                    item.setFont(f)
                t.setItem(i, c, item)
        t.resizeColumnsToContents()
        t.setColumnWidth(1, min(max(t.columnWidth(1), 160), 280))
        fallback = [a for a in sm.aggregates if a.trim_fallback]
        self.trim_note_label.setText(
            _t("橙色斜体：{0} 份申报评分专家不足 {1} 位，“去高低平均”未去掉最高分和最低分，按算术平均计算")
            .format(len(fallback), scoring.TRIM_MIN) if fallback else "")
        self.trim_note_label.setVisible(bool(fallback))
        tpl = info.template
        ct = self.criteria_table
        ct.clear()
        heads = [_t("联盟名称")] + [f"{c.name}（{scoring.fmt(c.max)}）" for c in tpl.criteria]
        ct.setColumnCount(len(heads))
        ct.setHorizontalHeaderLabels(heads)
        ct.setRowCount(len(sm.aggregates))
        for i, a in enumerate(sm.aggregates):
            ct.setItem(i, 0, QTableWidgetItem(sm.app(a.application).name))
            for c, crit in enumerate(tpl.criteria, 1):
                ct.setItem(i, c, QTableWidgetItem(_fmt(a.criterion_means.get(crit.id))))
        ct.resizeColumnsToContents()
        self.chart.set_summary(sm)

    # ---------------------------------------------------------------- actions (methods first, dialogs call them)

    def _report(self, text: str, error: bool = False) -> None:
        self.last_message = text
        color = "#b71c1c" if error else "#1b5e20"
        self.status.setText(f"<span style='color:{color}'>{html.escape(text).replace(chr(10), '<br>')}</span>")

    def create_round(self, region: str, call: str | None, name: str, template_id: str | None = None,
                     method: str = "trimmed", per_application: int = 3,
                     threshold_range: float | None = rv.DEFAULT_THRESHOLD_RANGE) -> str | None:
        try:
            rid = rv.create_round(self.db, region, call, name, template_id, method=method,
                                  per_application=per_application, threshold_range=threshold_range)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return None
        self.reload_rounds(select=rid)
        self._report(_t("已新建评审轮次「{0}」，纳入申报 {1} 份").format(name, len(self.info.applications)))
        return rid

    def add_expert(self, name: str, unit: str, uscc: str | None = None, field: str | None = None,
                   title: str | None = None, phone: str | None = None) -> str | None:
        try:
            eid = rv.add_expert(self.db, name, unit, uscc, field, title, phone)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return None
        self.refresh()
        self._report(_t("已添加专家 {0}").format(name))
        return eid

    def add_to_round(self, expert_ids: list[str], role: str = rv.ROLE_PRIMARY) -> bool:
        try:
            rv.add_round_experts(self.db, self.round_id, expert_ids, role)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return False
        self.refresh()
        return True

    def draw(self, count: int, reserves: int = 0, field: str | None = None, seed: int | None = None,
             by: str = "") -> rv.DrawInfo | None:
        try:
            d = rv.draw_experts(self.db, self.round_id, count, reserves, field, seed, by)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return None
        self.last_draw = d
        self.refresh()
        self._report(_t("已抽取正式专家 {0} 位、备选 {1} 位（随机种子 {2}）：{3}").format(
            len(d.primary), len(d.reserve), d.seed, "、".join(e.name for e in d.primary + d.reserve)))
        return d

    def auto_assign(self, per_application: int) -> rv.AssignResult | None:
        """The balanced automatic assignment, waited for (scripts and tests); the screen's button runs
        it in the background through `start_auto_assign`."""
        try:
            res = rv.auto_assign(self.db, self.round_id, per_application)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return None
        self.refresh()
        self._report(self.assign_text(res), bool(res.shortfalls))
        return res

    @staticmethod
    def assign_text(res: rv.AssignResult) -> str:
        lines = [_t("已自动分配：新增 {0} 对，回避 {1} 对（已记录，未分配）").format(len(res.added), len(res.refused))]
        for a, k, got, why in res.shortfalls:
            lines.append(_t("「{0}」只分配到 {1}/{2} 位专家：{3}").format(res.names.get(a, a), got, k, why))
        return "\n".join(lines)

    def toggle_cell(self, row: int, col: int) -> bool:
        """Assign (or un-assign) the expert of column `col` to the application of row `row`. A conflict
        is refused with its reason shown. Returns True when something changed."""
        pair = self.grid_model.pair(row, col)
        if pair is None:
            return False
        cell = self.grid.cell(*pair)
        try:
            if cell.state == "assigned":
                rv.unassign(self.db, self.round_id, *pair)
                msg = _t("已取消分配")
            elif cell.state == "scored":
                raise rv.ReviewError(_t("该专家已提交这份申报的评分，不能取消分配"))
            elif cell.state == "conflict_assigned":
                rv.unassign(self.db, self.round_id, *pair)
                msg = _t("已取消有回避关系的分配")
            else:
                rv.assign(self.db, self.round_id, *pair)
                msg = _t("已分配")
        except rv.ReviewError as exc:
            self.refresh()
            self._report(str(exc), True)
            return False
        self.refresh()
        self._report(msg)
        return True

    def _promote_selected(self) -> None:
        rows = {i.row() for i in self.round_experts.selectedIndexes()}
        for r in rows:
            eid = self.round_experts.item(r, 0).data(Qt.ItemDataRole.UserRole)
            try:
                rv.set_expert_role(self.db, self.round_id, eid, rv.ROLE_PRIMARY)
            except rv.ReviewError as exc:
                self._report(str(exc), True)
        self.refresh()

    def _add_selected_to_round(self) -> None:
        rows = sorted({i.row() for i in self.pool.selectedIndexes()})
        ids = [self.pool.item(r, 0).data(Qt.ItemDataRole.UserRole) for r in rows]
        if ids:
            self.add_to_round(ids)

    def _new_round_dialog(self) -> None:
        dlg = NewRoundDialog(self.db, self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            self.create_round(dlg.region.currentData(), dlg.call.currentData(), dlg.name.text(),
                              dlg.template.currentData(), dlg.method.currentData(), dlg.per_app.value(),
                              dlg.threshold.value())

    def _expert_dialog(self) -> None:
        dlg = ExpertDialog(self)
        if dlg.exec() == QDialog.DialogCode.Accepted:
            f = {k: w.text() for k, w in dlg.fields.items()}
            self.add_expert(f["name"], f["unit"], f["uscc"] or None, f["field"] or None, f["title"] or None,
                            f["phone"] or None)

    def _draw_clicked(self) -> None:
        seed_text = self.draw_seed.text().strip()
        if seed_text and not seed_text.isdigit():
            self._report(_t("随机种子应为整数"), True)
            return
        self.draw(self.draw_count.value(), self.draw_reserves.value(), self.draw_field.text() or None,
                  int(seed_text) if seed_text else None)

    def _record_dialog(self) -> None:
        ds = rv.draws(self.db, self.round_id)
        if not ds:
            self._report(_t("本轮次还没有随机抽取记录"), True)
            return
        path = file_dialogs.save_file(self, "review", _t("导出专家抽取记录表"), "专家抽取记录表.xlsx", "Excel (*.xlsx)",
                                      suffix=".xlsx")
        if path:
            self.export_draw_record_to(ds[-1].id, path)
