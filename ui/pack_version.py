"""按新通知修订规则包: derive a version of the region's pack, parameter by parameter, the rule's
current clause beside the new notice's clause; validated as it is edited; a test bench shows how
the latest call's applications would be judged before the version is saved and adopted; signed
export and import. Everything goes through alliance_desk.store.pack_versions / alliance_desk.store.calls."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from alliance_desk.store import calls as calls_mod
from alliance_desk.store import pack_versions as pv
from alliance_desk.rules.packs import PackError, all_packs
from alliance_desk.store import StoreError

# the rule's clause and the new notice's clause side by side
COLUMNS = ("参数", "现行值", "新值", "现行条款", "新通知条款")
COL_NEW, COL_OLD_CLAUSE, COL_CLAUSE = 2, 3, 4
STATUS = {"pass": "符合", "fail": "不符合", "warn": "提示", "manual": "待确认", "na": "不适用", "—": "（原无此项）"}


def _shown(value) -> str:
    if value is None:
        return "—"
    if value == "members":
        return "每家成员一份"
    if isinstance(value, list):
        return "、".join(value)
    return str(value)


class PackVersionDialog(QDialog):
    def __init__(self, db, region: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.region = db, region
        self.pack = all_packs()[region]
        self.base_text, self.earlier = pv.shipped_text(region), []
        self.params = pv.parameters(self.pack)
        self.candidate = None  # the validated Pack of what is typed, or None
        self.setWindowTitle(self.tr("按新通知修订规则包 — {0}").format(self.pack.region_name))
        form = QFormLayout()
        # a revision of the shipped pack, or of a version already in use (its changes are kept)
        self.base = QComboBox(self)
        self.base.setObjectName("baseCombo")
        self.base.addItem(self.pack.version_label, None)
        for v in pv.list_versions(db, region):
            self.base.addItem(f"{v.label}（{v.notice}）", v.id)
        form.addRow(self.tr("修订对象："), self.base)
        self.label = QLineEdit(self)
        self.label.setObjectName("labelEdit")
        self.label.setPlaceholderText(self.tr("如：{0} 2026 年修订").format(self.pack.region_name))
        self.notice = QLineEdit(self)
        self.notice.setObjectName("noticeEdit")
        self.notice.setPlaceholderText(self.tr("新通知的文号，如 甘工信发〔2026〕1号"))
        self.notice_date = QLineEdit(self)
        self.notice_date.setPlaceholderText(self.tr("年-月-日"))
        form.addRow(self.tr("版本名称："), self.label)
        form.addRow(self.tr("新通知文号："), self.notice)
        form.addRow(self.tr("通知日期："), self.notice_date)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("paramTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c, width in ((1, 150), (2, 150), (3, 190), (4, 190)):
            hh.setSectionResizeMode(c, QHeaderView.ResizeMode.Interactive)
            self.table.setColumnWidth(c, width)
        self._fill_table()
        self.status = QLabel(self)
        self.status.setObjectName("statusLabel")
        self.status.setWordWrap(True)
        self.bench_view = QPlainTextEdit(self)
        self.bench_view.setObjectName("benchView")
        self.bench_view.setReadOnly(True)
        self.bench_view.setPlaceholderText(self.tr("点「试算」：本地区最近一个批次的申报按现行规则和修订后的规则分别审查，列出结论不同的申报。"))
        self.bench_button = QPushButton(self.tr("试算(&T)"), self)
        self.save_button = QPushButton(self.tr("保存为新版本(&S)"), self)
        self.call_combo = QComboBox(self)
        self.call_combo.setObjectName("adoptCallCombo")
        self.adopt_button = QPushButton(self.tr("采用于该批次"), self)
        self.export_button = QPushButton(self.tr("导出签名文件…"), self)
        self.import_button = QPushButton(self.tr("导入签名文件…"), self)
        row = QHBoxLayout()
        for w in (self.bench_button, self.save_button, QLabel(self.tr("批次：")), self.call_combo, self.adopt_button):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.import_button)
        row.addWidget(self.export_button)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.table, 3)
        lay.addWidget(self.status)
        lay.addWidget(self.bench_view, 2)
        lay.addLayout(row)
        self.saved_version: pv.VersionInfo | None = None
        for c in calls_mod.list_calls(db, region):
            if c.editable:
                self.call_combo.addItem(c.name, c.id)
        self.table.itemChanged.connect(lambda _i: self.validate())
        self.base.currentIndexChanged.connect(lambda _i: self.set_base(self.base.currentData()))
        for e in (self.label, self.notice, self.notice_date):
            e.textChanged.connect(lambda _t: self.validate())
        self.bench_button.clicked.connect(self.run_bench)
        self.save_button.clicked.connect(self.save)
        self.adopt_button.clicked.connect(self.adopt)
        self.export_button.clicked.connect(lambda: self.export_to(None))
        self.import_button.clicked.connect(lambda: self.import_from(None))
        self.validate()
        self.resize(1280, 720)

    # -------------------------------------------------------- editing

    def _fill_table(self) -> None:
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.params))
        for r, p in enumerate(self.params):
            for c, text in ((0, p.label), (1, _shown(p.value)), (COL_OLD_CLAUSE, p.clause)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(r, c, item)
            self.table.setItem(r, COL_NEW, QTableWidgetItem(""))
            self.table.setItem(r, COL_CLAUSE, QTableWidgetItem(""))
        self.table.blockSignals(False)

    def set_base(self, version_id: str | None) -> None:
        """Revise the shipped pack (None) or a stored version; the table shows that one's values."""
        try:
            self.base_text, self.earlier, self.pack = pv.base_of(self.db, self.region, version_id)
        except PackError as exc:
            self.status.setText(str(exc))
            return
        self.params = pv.parameters(self.pack)
        self._fill_table()
        self.validate()

    def set_value(self, path: tuple, value: str, clause: str = "") -> None:
        r = next(i for i, p in enumerate(self.params) if p.path == path)
        self.table.item(r, COL_CLAUSE).setText(clause)
        self.table.item(r, COL_NEW).setText(value)

    def changes(self) -> list[dict]:
        """The typed changes; ValueError names the row and what is wrong."""
        out = []
        for r, p in enumerate(self.params):
            text = self.table.item(r, COL_NEW).text().strip()
            clause = self.table.item(r, COL_CLAUSE).text().strip()
            if not text:
                continue
            if p.kind == "lines":
                value = [x.strip() for x in re.split(r"[、,，\n]", text) if x.strip()]
            elif p.kind == "copies" and text in ("每家成员一份", "members"):
                value = "members"
            elif text.isdigit():
                value = int(text)
            else:
                raise ValueError(self.tr("第 {0} 行「{1}」的新值应为整数（实际：{2}）").format(r + 1, p.label, text))
            if value == p.value:
                continue
            ch = {"path": list(p.path), "value": value, "clause": clause}
            if p.path == ("new_rule", "min_members") and p.clause:
                ch["replaces"] = p.clause
            out.append(ch)
        return out

    def validate(self):
        """Build the version from what is typed, as the engine would load it; say what is wrong."""
        self.table.blockSignals(True)
        try:
            changes = self.changes()
            for r in range(len(self.params)):
                changed = bool(self.table.item(r, COL_NEW).text().strip())
                for c in (COL_NEW, COL_CLAUSE):
                    self.table.item(r, c).setBackground(QColor("#fff8e1") if changed else QColor(Qt.GlobalColor.white))
            if not changes:
                raise ValueError(self.tr("在「新值」一列填写新通知改动的参数，在「新通知条款」一列填写它在新通知中的条款。"))
            if not self.notice.text().strip():
                raise ValueError(self.tr("请填写新通知文号。"))
            self.candidate = pv.build(self.region, self.base_text, self.earlier + changes, self.notice.text().strip(),
                                      self.label.text().strip() or self.tr("（未命名的修订）"), self.tr("修订后的规则包"))
            self.status.setText(self.tr("✓ 校验通过：{0} 项修改，{1} 条规则").format(len(changes), len(self.candidate.rules)))
            self.status.setStyleSheet("color: #1b7f3b;")
        except (ValueError, PackError) as exc:
            self.candidate = None
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828;")
        finally:
            self.table.blockSignals(False)
        ok = self.candidate is not None
        self.bench_button.setEnabled(ok)
        self.save_button.setEnabled(ok and bool(self.label.text().strip()))
        self.adopt_button.setEnabled(self.saved_version is not None and self.call_combo.count() > 0)
        return self.candidate

    # -------------------------------------------------------- bench, save, adopt

    def run_bench(self) -> pv.Bench | None:
        if self.validate() is None:
            return None
        b = pv.bench(self.db, self.region, self.candidate)
        lines = [self.tr("试算批次：{0}，{1} 份申报；现行：{2}；修订后：{3}。结论或条目不同的 {4} 份：").format(
            b.call_name, b.checked, b.old_label, b.new_label, len(b.rows))]
        for row in b.rows:
            verdict = (lambda ok: self.tr("符合条件") if ok else self.tr("不符合条件"))
            lines.append(f"· {row.name}：{verdict(row.old_eligible)} → {verdict(row.new_eligible)}")
            for rule, old, new, msg, clause in row.changed:
                lines.append(f"    {rule} {STATUS.get(old, old)} → {STATUS.get(new, new)}：{msg}  [{clause}]")
        if not b.rows:
            lines.append(self.tr("（没有申报的结论因修订而改变）"))
        self.bench_view.setPlainText("\n".join(lines))
        return b

    def save(self) -> pv.VersionInfo | None:
        if self.validate() is None:
            return None
        try:
            nd = calls_mod.parse_day(self.notice_date.text(), "通知日期")
            self.saved_version = pv.derive(self.db, self.region, self.label.text(), self.notice.text(), self.changes(), nd,
                                           from_version=self.base.currentData())
        except (StoreError, PackError) as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828;")
            return None
        self.status.setText(self.tr("已保存为规则包版本「{0}」；可选择批次后点「采用于该批次」。").format(self.saved_version.label))
        self.status.setStyleSheet("color: #1b7f3b;")
        self.adopt_button.setEnabled(self.call_combo.count() > 0)
        return self.saved_version

    def adopt(self) -> bool:
        if self.saved_version is None or self.call_combo.currentData() is None:
            return False
        try:
            c = calls_mod.adopt_version(self.db, self.call_combo.currentData(), self.saved_version.id)
        except (StoreError, PackError) as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828;")
            return False
        self.status.setText(self.tr("「{0}」今后按「{1}」审查；其他批次不受影响。").format(c.name, c.pack_label))
        self.status.setStyleSheet("color: #1b7f3b;")
        return True

    # -------------------------------------------------------- exchange

    def export_to(self, path: str | None) -> bool:
        if self.saved_version is None:
            self.status.setText(self.tr("请先保存为新版本，再导出。"))
            return False
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("导出规则包版本"), f"{self.saved_version.id}.adpkg",
                                                  self.tr("签名文件 (*.adpkg)"))
            if not path:
                return False
        try:
            pv.export_version(self.db, self.saved_version.id, path)
        except (PackError, ValueError) as exc:
            self.status.setText(str(exc))
            return False
        self.status.setText(self.tr("已导出 {0}，可交给下级单位导入。").format(path))
        return True

    def import_from(self, path: str | None) -> pv.VersionInfo | None:
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self, self.tr("导入规则包版本"), "", self.tr("签名文件 (*.adpkg)"))
            if not path:
                return None
        try:
            v = pv.import_version(self.db, path)
        except PackError as exc:
            self.status.setText(str(exc))
            self.status.setStyleSheet("color: #c62828;")
            return None
        self.saved_version = v
        self.status.setText(self.tr("已导入「{0}」（{1}），来源 {2}").format(v.label, v.notice, v.source))
        self.status.setStyleSheet("color: #1b7f3b;")
        self.adopt_button.setEnabled(self.call_combo.count() > 0)
        return v
