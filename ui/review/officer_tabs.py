"""The tabs of the officer's review screen (experts and draw, assignment grid, score summary),
built as a mixin of `ReviewRoundWidget` so the screen's module keeps to the screen's behaviour.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QGroupBox, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QListWidget, QPushButton, QSpinBox, QSplitter, QTableView, QTableWidget,
                               QVBoxLayout, QWidget)

from alliance_desk.review import scoring

from ui.review.common import _t
from ui.review.grid import GridModel


class RoundTabs:
    """Builds the screen's tabs; the widgets it creates become attributes of the screen."""

    def _experts_tab(self) -> QWidget:
        w = QWidget()
        split = QSplitter(Qt.Orientation.Horizontal)
        left = QGroupBox(_t("本轮专家"))
        ll = QVBoxLayout(left)
        self.round_experts = _expert_table([_t("姓名"), _t("单位"), _t("专业领域"), _t("职称"), _t("类别"), _t("负担")])
        ll.addWidget(self.round_experts)
        self.promote_btn = QPushButton(_t("备选递补为正式"))
        self.package_btn = QPushButton(_t("导出评审包…"))
        ll.addLayout(_button_row((self.promote_btn, self._promote_selected), (self.package_btn, self._package_dialog)))
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
        self.pool = _expert_table([_t("姓名"), _t("单位"), _t("专业领域"), _t("职称")])
        rl.addWidget(self.pool)
        self.add_expert_btn = QPushButton(_t("添加专家…"))
        self.to_round_btn = QPushButton(_t("加入本轮 →"))
        rl.addLayout(_button_row((self.add_expert_btn, self._expert_dialog),
                                 (self.to_round_btn, self._add_selected_to_round)))
        split.addWidget(left)
        split.addWidget(right)
        split.setSizes([640, 420])
        QVBoxLayout(w).addWidget(split)
        return w

    def _assign_tab(self) -> QWidget:
        w, lay, bar = _tab_with_bar(_t("每份申报专家数"))
        self.per_app = QSpinBox()
        self.per_app.setRange(1, 50)
        self.per_app.setValue(3)
        bar.addWidget(self.per_app)
        self.auto_btn = _button(_t("自动均衡分配"), lambda: self.start_auto_assign(self.per_app.value()))
        bar.addWidget(self.auto_btn)
        bar.addStretch(1)
        self.sheets_btn = _button(_t("导出评分表…"), self._sheets_dialog)
        self.import_btn = _button(_t("导入评分…"), self._import_dialog)
        bar.addWidget(self.sheets_btn)
        bar.addWidget(self.import_btn)
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
        w, lay, bar = _tab_with_bar(_t("汇总方法"))
        self.method_combo = QComboBox()
        for m in scoring.METHODS:
            self.method_combo.addItem(_t(scoring.METHOD_LABELS[m]), m)
        self.method_combo.currentIndexChanged.connect(lambda _i: self.refresh_summary())
        bar.addWidget(self.method_combo)
        self.threshold_label = QLabel()
        bar.addWidget(self.threshold_label, 1)
        self.summary_btn = _button(_t("导出评分汇总表…"), self._summary_dialog)
        bar.addWidget(self.summary_btn)
        split = QSplitter(Qt.Orientation.Vertical)
        self.summary_table = _read_only_table()
        self.criteria_table = _read_only_table()
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


def _expert_table(labels: list[str]) -> QTableWidget:
    """A read-only list of experts, selected by whole rows, the unit column taking the spare width."""
    table = QTableWidget(0, len(labels))
    table.setHorizontalHeaderLabels(labels)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setVisible(False)
    return table


def _tab_with_bar(caption: str) -> tuple[QWidget, QVBoxLayout, QHBoxLayout]:
    """A tab page laid out top to bottom, its first row a bar that begins with `caption`."""
    w = QWidget()
    lay = QVBoxLayout(w)
    bar = QHBoxLayout()
    bar.addWidget(QLabel(caption))
    lay.addLayout(bar)
    return w, lay, bar


def _button(text: str, slot) -> QPushButton:
    button = QPushButton(text)
    button.clicked.connect(slot)
    return button


def _read_only_table() -> QTableWidget:
    """A table the code fills (columns set later), without row numbers."""
    table = QTableWidget(0, 0)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    return table


def _button_row(*buttons) -> QHBoxLayout:
    """Buttons (each with the slot its click runs) left-aligned in one row."""
    row = QHBoxLayout()
    for button, slot in buttons:
        button.clicked.connect(slot)
        row.addWidget(button)
    row.addStretch(1)
    return row
