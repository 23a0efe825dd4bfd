"""Dialogs of the officer's review screen: a new review round, a new expert for the pool.
"""
from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLineEdit,
                               QSpinBox)

from alliance_desk import review as rv
from alliance_desk.review import scoring

from ui.review.common import _t


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
