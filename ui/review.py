"""Review round screen (评审轮次): experts, the assignment grid (application × expert) with conflicts
shown and blocked, progress, aggregated scores with disagreement flags, ranking, and a bar chart
of every application's scores.

`ReviewRoundWidget(db)` is standalone (the main window hosts it). Every action is also a method
that takes ids or paths (`create_round`, `add_expert`, `draw`, `auto_assign`, `toggle_cell`,
`export_sheets_to`, `export_package_to`, `import_files`, `export_summary_to`), so tests and
scripts drive the screen without dialogs. Services come from `alliance_desk.review` and
`alliance_desk.review.score_sheets`; file work runs in the background through `ui.workers`.
"""
from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox,
                               QFormLayout, QGroupBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QMessageBox, QProgressBar, QPushButton, QSpinBox,
                               QSplitter, QTableView, QTableWidget, QTableWidgetItem, QTabWidget, QVBoxLayout,
                               QWidget)

from alliance_desk import review as rv
from alliance_desk.review import scoring

from ui import file_dialogs
from ui.workers import Task, run_in_background


TRIM_FALLBACK_FG = QColor("#b35c00")


def _t(text: str) -> str:
    return QCoreApplication.translate("ReviewRoundWidget", text)


STATE_COLORS = {"assigned": QColor("#d6eaff"), "scored": QColor("#c8e6c9"), "conflict": QColor("#f8d7da"),
                "conflict_assigned": QColor("#f5b7b1"), "free": QColor("#ffffff")}
SERIES_COLORS = [QColor(c) for c in ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                                     "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")]


def _fmt(x) -> str:
    return "—" if x is None else scoring.fmt(round(x, 2))


# ------------------------------------------------------------------ assignment grid model

class GridModel(QAbstractTableModel):
    """Rows: applications; columns: experts, then the number of experts of the application."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid: rv.Grid | None = None

    def set_grid(self, grid: rv.Grid | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.round.applications)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.round.experts) + 1

    def pair(self, row: int, col: int) -> tuple[str, str] | None:
        g = self.grid
        if g is None or col >= len(g.round.experts):
            return None
        return g.round.applications[row].id, g.round.experts[col].expert.id

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        g = self.grid
        if g is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(g.round.experts):
                return _t("专家数") if role == Qt.ItemDataRole.DisplayRole else None
            x = g.round.experts[section]
            if role == Qt.ItemDataRole.DisplayRole:
                tag = "" if x.role == rv.ROLE_PRIMARY else _t("（备选）")
                return f"{x.expert.name}{tag}\n{_t('负担')} {g.load(x.expert.id)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{x.expert.name}（{x.expert.unit}）{x.expert.field or ''}"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return g.round.applications[section].name
        if role == Qt.ItemDataRole.ToolTipRole:
            a = g.round.applications[section]
            return f"{a.name}\n{_t('牵头单位')}：{a.lead}\n{a.id}"
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        g = self.grid
        if g is None or not index.isValid():
            return None
        app = g.round.applications[index.row()]
        if index.column() >= len(g.round.experts):
            n = g.count(app.id)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{n}/{g.round.per_application}"
            if role == Qt.ItemDataRole.ForegroundRole and n < g.round.per_application:
                return QBrush(QColor("#b71c1c"))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            return None
        cell = g.cell(*self.pair(index.row(), index.column()))
        if role == Qt.ItemDataRole.DisplayRole:
            return {"assigned": "✓", "scored": f"{_t('已评')} {_fmt(cell.total)}", "conflict": _t("回避"),
                    "conflict_assigned": _t("回避！"), "free": ""}[cell.state]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(STATE_COLORS[cell.state])
        if role == Qt.ItemDataRole.ToolTipRole and cell.reasons:
            return "\n".join(cell.reasons)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.UserRole:
            return cell.state
        return None


# ------------------------------------------------------------------ chart

class ScoreChart(QWidget):
    """Grouped bars: for each application (in rank order), every expert's total; a dark line marks
    the aggregate; a red label marks disagreement. Drawn with QPainter (QtCharts is not part of
    PySide6-Essentials)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[tuple[str, float]], float | None, bool, int | None]] = []
        self.experts: list[str] = []
        self.maximum = 100.0
        self.method_label = ""
        self.setMinimumSize(480, 300)

    def set_summary(self, sm: rv.Summary | None) -> None:
        self.groups, self.experts = [], []
        if sm is not None:
            self.maximum = sm.round.template.total
            self.method_label = scoring.METHOD_LABELS[sm.method]
            self.experts = [e.name for e in sm.experts]
            for a in sm.aggregates:
                bars = [(e.name, sm.scores[(a.application, e.id)].total) for e in sm.experts
                        if (a.application, e.id) in sm.scores]
                self.groups.append((sm.app(a.application).name, bars, a.value, a.flagged, a.rank))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 420)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        fm = QFontMetrics(self.font())
        if not self.groups:
            p.setPen(QColor("#777777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _t("还没有评分"))
            return
        left, right, top, bottom = 46, 16, 34 + fm.height(), 20 + 2 * fm.height() + 8
        w, h = self.width() - left - right, self.height() - top - bottom
        # legend
        x = left
        for i, name in enumerate(self.experts):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            p.fillRect(QRectF(x, 10, 12, 12), color)
            p.setPen(QColor("#333333"))
            p.drawText(int(x + 16), 10 + fm.ascent() - 1, name)
            x += 16 + fm.horizontalAdvance(name) + 14
        p.setPen(QPen(QColor("#333333"), 2))
        p.drawLine(int(x), 16, int(x + 18), 16)
        p.drawText(int(x + 22), 10 + fm.ascent() - 1, _t("汇总分") + f"（{self.method_label}）")
        # axes and grid
        step = 20 if self.maximum >= 60 else 10 if self.maximum >= 20 else 1
        v = 0.0
        while v <= self.maximum + 1e-9:
            y = top + h - h * v / self.maximum
            p.setPen(QPen(QColor("#e0e0e0"), 1))
            p.drawLine(left, int(y), left + w, int(y))
            p.setPen(QColor("#555555"))
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), scoring.fmt(v))
            v += step
        p.setPen(QPen(QColor("#555555"), 1))
        p.drawLine(left, top + h, left + w, top + h)
        gw = w / len(self.groups)
        color_of = {n: SERIES_COLORS[i % len(SERIES_COLORS)] for i, n in enumerate(self.experts)}
        for gi, (label, bars, value, flagged, rank) in enumerate(self.groups):
            gx = left + gi * gw
            inner = gw * 0.8
            bw = inner / max(1, len(bars))
            for bi, (expert, total) in enumerate(bars):
                bh = h * min(total, self.maximum) / self.maximum
                p.fillRect(QRectF(gx + gw * 0.1 + bi * bw + 1, top + h - bh, bw - 2, bh), color_of[expert])
            if value is not None:
                y = top + h - h * value / self.maximum
                p.setPen(QPen(QColor("#222222"), 2))
                p.drawLine(int(gx + gw * 0.06), int(y), int(gx + gw * 0.94), int(y))
                p.drawText(QRectF(gx, y - fm.height() - 2, gw, fm.height()), int(Qt.AlignmentFlag.AlignHCenter),
                           _fmt(value))
            p.setPen(QColor("#b71c1c") if flagged else QColor("#333333"))
            text = (f"{rank}. " if rank else "") + label + (" ⚠" if flagged else "")
            rect = QRectF(gx + 2, top + h + 6, gw - 4, 2 * fm.height() + 2)
            p.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                       text)
        p.end()


# ------------------------------------------------------------------ dialogs

class NewRoundDialog(QDialog):
    def __init__(self, db, parent=None):
        super().__init__(parent)
        from alliance_desk.listing import calls_for_region
        from alliance_desk.rules.packs import all_packs

        self._calls = lambda region: calls_for_region(db, region)
        self.setWindowTitle(_t("新建评审轮次"))
        form = QFormLayout(self)
        self.region = QComboBox()
        for pid, pack in all_packs().items():
            self.region.addItem(pack.region_name, pid)
        self.call = QComboBox()
        self.template = QComboBox()
        self.name = QLineEdit()
        self.method = QComboBox()
        for m in scoring.METHODS:
            self.method.addItem(_t(scoring.METHOD_LABELS[m]), m)
        self.method.setCurrentIndex(scoring.METHODS.index("trimmed"))
        self.per_app = QSpinBox()
        self.per_app.setRange(1, 50)
        self.per_app.setValue(3)
        self.threshold = QDoubleSpinBox()
        self.threshold.setRange(0, 1000)
        self.threshold.setValue(rv.DEFAULT_THRESHOLD_RANGE)
        form.addRow(_t("地区"), self.region)
        form.addRow(_t("申报批次"), self.call)
        form.addRow(_t("评分模板"), self.template)
        form.addRow(_t("轮次名称"), self.name)
        form.addRow(_t("汇总方法"), self.method)
        form.addRow(_t("每份申报专家数"), self.per_app)
        form.addRow(_t("极差阈值（分）"), self.threshold)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.region.currentIndexChanged.connect(self._region_changed)
        self._region_changed()

    def _region_changed(self) -> None:
        region = self.region.currentData()
        self.call.clear()
        for cid, name in self._calls(region):
            self.call.addItem(name, cid)
        self.template.clear()
        for t in scoring.templates_for(region):
            self.template.addItem(t.label, t.id)


class ExpertDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(_t("添加专家到专家库"))
        form = QFormLayout(self)
        self.fields = {k: QLineEdit() for k in ("name", "unit", "uscc", "field", "title", "phone")}
        labels = {"name": "姓名", "unit": "所在单位", "uscc": "单位统一社会信用代码", "field": "专业领域",
                  "title": "职称", "phone": "联系电话"}
        for k, w in self.fields.items():
            form.addRow(_t(labels[k]), w)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


# ------------------------------------------------------------------ the screen

class ReviewRoundWidget(QWidget):
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

    # ---------------------------------------------------------------- tabs

    def _experts_tab(self) -> QWidget:
        w = QWidget()
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QGroupBox(_t("本轮专家"))
        ll = QVBoxLayout(left)
        self.round_experts = QTableWidget(0, 6)
        self.round_experts.setHorizontalHeaderLabels([_t("姓名"), _t("单位"), _t("专业领域"), _t("职称"), _t("类别"),
                                                      _t("负担")])
        self.round_experts.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.round_experts.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.round_experts.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.round_experts.verticalHeader().setVisible(False)
        ll.addWidget(self.round_experts)
        row = QHBoxLayout()
        self.promote_btn = QPushButton(_t("备选递补为正式"))
        self.promote_btn.clicked.connect(self._promote_selected)
        self.package_btn = QPushButton(_t("导出评审包…"))
        self.package_btn.clicked.connect(self._package_dialog)
        row.addWidget(self.promote_btn)
        row.addWidget(self.package_btn)
        row.addStretch(1)
        ll.addLayout(row)
        draw = QGroupBox(_t("专家随机抽取"))
        dl = QHBoxLayout(draw)
        self.draw_field = QLineEdit()
        self.draw_field.setPlaceholderText(_t("专业领域（可空）"))
        self.draw_count = QSpinBox()
        self.draw_count.setRange(1, 99)
        self.draw_count.setValue(5)
        self.draw_reserves = QSpinBox()
        self.draw_reserves.setRange(0, 99)
        self.draw_reserves.setValue(2)
        self.draw_seed = QLineEdit()
        self.draw_seed.setPlaceholderText(_t("随机种子（可空）"))
        self.draw_btn = QPushButton(_t("抽取"))
        self.draw_btn.clicked.connect(self._draw_clicked)
        self.record_btn = QPushButton(_t("导出抽取记录表…"))
        self.record_btn.clicked.connect(self._record_dialog)
        for label, widget in ((_t("领域"), self.draw_field), (_t("正式"), self.draw_count),
                              (_t("备选"), self.draw_reserves), (_t("种子"), self.draw_seed)):
            dl.addWidget(QLabel(label))
            dl.addWidget(widget)
        dl.addWidget(self.draw_btn)
        dl.addWidget(self.record_btn)
        ll.addWidget(draw)

        right = QGroupBox(_t("专家库"))
        rl = QVBoxLayout(right)
        self.pool = QTableWidget(0, 4)
        self.pool.setHorizontalHeaderLabels([_t("姓名"), _t("单位"), _t("专业领域"), _t("职称")])
        self.pool.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.pool.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.pool.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.pool.verticalHeader().setVisible(False)
        rl.addWidget(self.pool)
        row = QHBoxLayout()
        self.add_expert_btn = QPushButton(_t("添加专家…"))
        self.add_expert_btn.clicked.connect(self._expert_dialog)
        self.to_round_btn = QPushButton(_t("加入本轮 →"))
        self.to_round_btn.clicked.connect(self._add_selected_to_round)
        row.addWidget(self.add_expert_btn)
        row.addWidget(self.to_round_btn)
        row.addStretch(1)
        rl.addLayout(row)
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([640, 420])
        QVBoxLayout(w).addWidget(split)
        return w

    def _assign_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_t("每份申报专家数")))
        self.per_app = QSpinBox()
        self.per_app.setRange(1, 50)
        self.per_app.setValue(3)
        bar.addWidget(self.per_app)
        self.auto_btn = QPushButton(_t("自动均衡分配"))
        self.auto_btn.clicked.connect(lambda: self.auto_assign(self.per_app.value()))
        bar.addWidget(self.auto_btn)
        bar.addStretch(1)
        self.sheets_btn = QPushButton(_t("导出评分表…"))
        self.sheets_btn.clicked.connect(self._sheets_dialog)
        self.import_btn = QPushButton(_t("导入评分…"))
        self.import_btn.clicked.connect(self._import_dialog)
        bar.addWidget(self.sheets_btn)
        bar.addWidget(self.import_btn)
        lay.addLayout(bar)
        legend = QLabel(_t("点击单元格分配或取消分配。✓ 已分配　已评 n 已收到评分　回避：存在回避关系，不能分配（悬停看原因）"))
        legend.setWordWrap(True)
        lay.addWidget(legend)
        split = QSplitter(Qt.Orientation.Vertical)
        self.grid_model = GridModel(self)
        self.grid_view = QTableView()
        self.grid_view.setModel(self.grid_model)
        self.grid_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.grid_view.horizontalHeader().setDefaultSectionSize(96)
        self.grid_view.verticalHeader().setDefaultSectionSize(30)
        self.grid_view.verticalHeader().setMinimumWidth(220)
        self.grid_view.clicked.connect(lambda idx: self.toggle_cell(idx.row(), idx.column()))
        split.addWidget(self.grid_view)
        box = QGroupBox(_t("回避关系（已记录，禁止分配）"))
        bl = QVBoxLayout(box)
        self.conflict_list = QListWidget()
        bl.addWidget(self.conflict_list)
        split.addWidget(box)
        split.setSizes([380, 150])
        lay.addWidget(split, 1)
        return w

    def _summary_tab(self) -> QWidget:
        w = QWidget()
        lay = QVBoxLayout(w)
        bar = QHBoxLayout()
        bar.addWidget(QLabel(_t("汇总方法")))
        self.method_combo = QComboBox()
        for m in scoring.METHODS:
            self.method_combo.addItem(_t(scoring.METHOD_LABELS[m]), m)
        self.method_combo.currentIndexChanged.connect(lambda _i: self.refresh_summary())
        bar.addWidget(self.method_combo)
        self.threshold_label = QLabel()
        bar.addWidget(self.threshold_label, 1)
        self.summary_btn = QPushButton(_t("导出评分汇总表…"))
        self.summary_btn.clicked.connect(self._summary_dialog)
        bar.addWidget(self.summary_btn)
        lay.addLayout(bar)
        split = QSplitter(Qt.Orientation.Vertical)
        self.summary_table = QTableWidget(0, 0)
        self.summary_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.summary_table.verticalHeader().setVisible(False)
        self.criteria_table = QTableWidget(0, 0)
        self.criteria_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.criteria_table.verticalHeader().setVisible(False)
        split.addWidget(self.summary_table)
        split.addWidget(self.criteria_table)
        split.setSizes([300, 180])
        lay.addWidget(split, 1)
        self.trim_note_label = QLabel()
        self.trim_note_label.setWordWrap(True)
        self.trim_note_label.setStyleSheet("color:#8a4b00")
        self.trim_note_label.setVisible(False)
        lay.addWidget(self.trim_note_label)
        return w

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
        try:
            res = rv.auto_assign(self.db, self.round_id, per_application)
        except rv.ReviewError as exc:
            self._report(str(exc), True)
            return None
        self.refresh()
        lines = [_t("已自动分配：新增 {0} 对，回避 {1} 对（已记录，未分配）").format(len(res.added), len(res.refused))]
        for a, k, got, why in res.shortfalls:
            lines.append(_t("「{0}」只分配到 {1}/{2} 位专家：{3}").format(res.names.get(a, a), got, k, why))
        self._report("\n".join(lines), bool(res.shortfalls))
        return res

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

    def _run(self, fn, done_text, label: str) -> Task:
        def on_done(value):
            self.refresh()
            self._report(done_text(value))

        def on_error(exc):
            self.refresh()
            self._report(str(exc), True)

        self.last_task = run_in_background(fn, on_done=on_done, on_error=on_error, parent=self, label=label)
        return self.last_task

    def export_sheets_to(self, out_dir: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_sheets

        db, rid = self.db, self.round_id
        return self._run(lambda: write_sheets(db, rid, out_dir),
                         lambda paths: _t("已为 {0} 位专家生成评分表：{1}").format(len(paths), out_dir),
                         _t("正在生成评分表…"))

    def export_package_to(self, expert_id: str, path: str | Path) -> Task:
        db, rid = self.db, self.round_id
        return self._run(lambda: rv.export_review_package(db, rid, expert_id, path),
                         lambda p: _t("已导出评审包：{0}").format(p), _t("正在导出评审包…"))

    def import_files(self, paths: list[str | Path], allow_older: bool = False) -> Task:
        """Import score sheets / score files one by one; each is all-or-nothing, problems are listed.
        A score file older than the scores already taken is not imported unless the clerk confirms,
        in a dialog that says which scores it would take back (`ask_older`)."""
        db, rid = self.db, self.round_id

        def work():
            lines, bad, older = [], False, []
            for p in paths:
                try:
                    lines.append(rv.import_file(db, p, rid, allow_older).summary())
                except rv.OlderScoreFile as exc:
                    older.append((p, exc.undo))
                    lines.append(_t("未导入 {0}：比已导入的评分更早").format(Path(p).name))
                except rv.ReviewError as exc:
                    bad = True
                    lines.append(_t("未导入 {0}：").format(Path(p).name))
                    lines.extend("  " + x for x in exc.problems)
            return lines, bad, older

        def done(value):
            lines, bad, older = value
            self.refresh()
            self._report("\n".join(lines), bad or bool(older))
            again = [p for p, undo in older if self.ask_older(Path(p).name, undo)]
            if again:
                self.import_files(again, allow_older=True)

        self.last_task = run_in_background(work, on_done=done, parent=self, label=_t("正在导入评分…"))
        return self.last_task

    def ask_older(self, name: str, undo: str) -> bool:
        """Whether to take an older score file anyway (default: no)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_t("评分文件比已导入的更早"))
        box.setText(_t("{0} 比已导入的评分更早：{1}。").format(name, undo))
        box.setInformativeText(_t("仍然导入会用较早的评分覆盖较新的评分，并记入审计记录。通常应请专家重新发送最新的评分文件。"))
        take = box.addButton(_t("仍然导入"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_t("不导入"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is take

    def export_summary_to(self, path: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_summary

        db, rid, method = self.db, self.round_id, self.current_method()
        return self._run(lambda: write_summary(db, rid, path, method),
                         lambda p: _t("已导出评分汇总表：{0}").format(p), _t("正在导出评分汇总表…"))

    def export_draw_record_to(self, draw_id: int, path: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_draw_record

        db = self.db
        return self._run(lambda: write_draw_record(db, draw_id, path),
                         lambda p: _t("已导出专家抽取记录表：{0}").format(p), _t("正在导出抽取记录表…"))

    # ---------------------------------------------------------------- dialogs

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

    def _sheets_dialog(self) -> None:
        d = file_dialogs.directory(self, "review", _t("选择评分表保存位置"))
        if d:
            self.export_sheets_to(d)

    def _package_dialog(self) -> None:
        rows = sorted({i.row() for i in self.round_experts.selectedIndexes()})
        if not rows:
            self._report(_t("请先在“本轮专家”中选择一位专家"), True)
            return
        eid = self.round_experts.item(rows[0], 0).data(Qt.ItemDataRole.UserRole)
        name = self.round_experts.item(rows[0], 0).text()
        path = file_dialogs.save_file(self, "review", _t("导出评审包"), f"评审包_{name}.adpkg", _t("评审包 (*.adpkg)"),
                                      suffix=".adpkg")
        if path:
            self.export_package_to(eid, path)

    def _import_dialog(self) -> None:
        paths = file_dialogs.open_files(self, "review", _t("导入评分"), _t("评分表或评分文件 (*.xlsx *.adpkg)"))
        if paths:
            self.import_files(paths)

    def _summary_dialog(self) -> None:
        path = file_dialogs.save_file(self, "review", _t("导出评分汇总表"), "评分汇总表.xlsx", "Excel (*.xlsx)",
                                      suffix=".xlsx")
        if path:
            self.export_summary_to(path)
