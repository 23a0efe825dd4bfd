"""申报批次 window: a region's calls, open ones first; add, edit, close or reopen one, and choose the
pack version that judges it. Everything goes through alliance_desk.store.calls (audited there)."""
from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QPushButton, QSpinBox, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from alliance_desk.store import calls as calls_mod
from alliance_desk.rules.packs import PackError, all_packs
from alliance_desk.store import StoreError

COLUMNS = ("状态", "年度", "批次名称", "通知文号", "申报截止", "县区报送截止", "审查依据（规则包）", "申报")


def _when(v) -> str:
    if v is None:
        return ""
    return v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "hour") else v.isoformat()


class CallForm(QDialog):
    """Add a call (call=None) or edit one. Checks as the clerk types; saves only what is valid."""

    saved = Signal(str)

    def __init__(self, db, region: str, call=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db, self.region, self.call = db, region, call
        pack = all_packs()[region]
        self.setWindowTitle(self.tr("修改申报批次") if call else self.tr("新增申报批次 — {0}").format(pack.region_name))
        form = QFormLayout()
        self.year = QSpinBox(self)
        self.year.setRange(calls_mod.YEAR_MIN, calls_mod.YEAR_MAX)
        self.year.setObjectName("yearSpin")
        self.name = QLineEdit(self)
        self.name.setObjectName("nameEdit")
        self.doc_no = QLineEdit(self)
        self.doc_no.setPlaceholderText(self.tr("如：渝经信科技〔2026〕3号"))
        self.doc_date = QLineEdit(self)
        self.deadline = QLineEdit(self)
        self.deadline.setObjectName("deadlineEdit")
        self.county_deadline = QLineEdit(self)
        self.publicity_on = QLineEdit(self)
        self.decision_on = QLineEdit(self)
        for e in (self.doc_date, self.publicity_on, self.decision_on):
            e.setPlaceholderText(self.tr("年-月-日，如 2026-03-01；不知道可留空"))
        self.deadline.setPlaceholderText(self.tr("如 2026-05-30 17:00；只写日期为当天 23:59"))
        self.county_deadline.setPlaceholderText(self.tr("通知规定县区向市里报送截止时间的才填"))
        self.note = QLineEdit(self)
        self.version = QComboBox(self)
        self.version.setObjectName("versionCombo")
        self.version.addItem(pack.version_label, None)
        from alliance_desk.store.pack_versions import list_versions

        for v in list_versions(db, region):
            self.version.addItem(f"{v.label}（{v.notice}）", v.id)
        form.addRow(self.tr("年度(&Y)："), self.year)
        form.addRow(self.tr("批次名称(&N)："), self.name)
        form.addRow(self.tr("通知文号："), self.doc_no)
        form.addRow(self.tr("通知日期："), self.doc_date)
        form.addRow(self.tr("申报截止时间(&D)："), self.deadline)
        form.addRow(self.tr("县区报送截止："), self.county_deadline)
        form.addRow(self.tr("公示日期："), self.publicity_on)
        form.addRow(self.tr("决定日期："), self.decision_on)
        form.addRow(self.tr("备注："), self.note)
        form.addRow(self.tr("审查依据："), self.version)
        self.problem = QLabel(self)
        self.problem.setObjectName("problemLabel")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #c62828;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("保存"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.problem)
        lay.addWidget(self.buttons)
        if call is not None:
            self.year.setValue(call.year or calls_mod.YEAR_MIN)
            self.name.setText(call.name)
            self.doc_no.setText(call.doc_no or "")
            for edit, value in ((self.doc_date, call.doc_date), (self.deadline, call.deadline),
                                (self.county_deadline, call.county_deadline), (self.publicity_on, call.publicity_on),
                                (self.decision_on, call.decision_on)):
                edit.setText(_when(value))
            self.note.setText(call.note)
            i = self.version.findData(call.pack_version)
            self.version.setCurrentIndex(max(i, 0))
        else:
            from datetime import date

            self.year.setValue(date.today().year)
            self.name.setText(self.tr("{0}年{1}").format(date.today().year, pack.name))
        for e in (self.name, self.doc_no, self.doc_date, self.deadline, self.county_deadline, self.publicity_on,
                  self.decision_on):
            e.textChanged.connect(self._validate)
        self.year.valueChanged.connect(self._validate)
        self._validate()
        self.resize(560, 420)

    def values(self) -> dict:
        """The form as service arguments; StoreError names the first bad field."""
        p = calls_mod
        return {"year": self.year.value(), "name": self.name.text().strip(), "doc_no": self.doc_no.text().strip(),
                "doc_date": p.parse_day(self.doc_date.text(), "通知日期"),
                "deadline": p.parse_when(self.deadline.text(), "申报截止时间"),
                "county_deadline": p.parse_when(self.county_deadline.text(), "县区报送截止时间"),
                "publicity_on": p.parse_day(self.publicity_on.text(), "公示日期"),
                "decision_on": p.parse_day(self.decision_on.text(), "决定日期"), "note": self.note.text().strip()}

    def _validate(self) -> bool:
        try:
            v = self.values()
            calls_mod.check_values(self.region, v)
            self.problem.setText("")
            ok = True
        except StoreError as exc:
            self.problem.setText(str(exc))
            ok = False
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(ok)
        return ok

    def save(self) -> str | None:
        if not self._validate():
            return None
        try:
            v = self.values()
            version = self.version.currentData()
            if self.call is None:
                c = calls_mod.add_call(self.db, self.region, pack_version=version, **v)
            else:
                changes = {k: val for k, val in v.items() if getattr(self.call, k) != val}
                if version != self.call.pack_version:
                    changes["pack_version"] = version
                c = calls_mod.edit_call(self.db, self.call.id, **changes) if changes else self.call
        except (StoreError, PackError) as exc:
            self.problem.setText(str(exc))
            return None
        self.saved.emit(c.id)
        self.accept()
        return c.id


class CallsDialog(QDialog):
    """The region's calls; 新增 / 修改 / 关闭 / 规则包版本."""

    def __init__(self, db, region: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.db = db
        self.setWindowTitle(self.tr("申报批次"))
        self.region = QComboBox(self)
        self.region.setObjectName("regionCombo")
        for pack in sorted(all_packs().values(), key=lambda p: p.region_name):
            self.region.addItem(pack.region_name, pack.id)
        if region:
            self.region.setCurrentIndex(max(self.region.findData(region), 0))
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("callsTable")
        self.table.setHorizontalHeaderLabels([self.tr(c) for c in COLUMNS])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.add_button = QPushButton(self.tr("新增批次(&A)…"), self)
        self.edit_button = QPushButton(self.tr("修改(&E)…"), self)
        self.close_button = QPushButton(self.tr("关闭批次"), self)
        self.versions_button = QPushButton(self.tr("按新通知修订规则包(&V)…"), self)
        self.hint = QLabel(self)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: palette(mid);")
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("地区：")))
        top.addWidget(self.region)
        top.addStretch(1)
        buttons = QHBoxLayout()
        for b in (self.add_button, self.edit_button, self.close_button, self.versions_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        done = QPushButton(self.tr("完成"), self)
        done.clicked.connect(self.accept)
        buttons.addWidget(done)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.hint)
        lay.addLayout(buttons)
        self.region.currentIndexChanged.connect(lambda _i: self.refresh())
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.add_button.clicked.connect(lambda: self.open_form(None))
        self.edit_button.clicked.connect(lambda: self.open_form(self.selected()))
        self.close_button.clicked.connect(self.toggle_closed)
        self.versions_button.clicked.connect(self.open_versions)
        self.calls: list = []
        self.refresh()
        self.resize(1200, 520)

    def current_region(self) -> str:
        return self.region.currentData()

    def refresh(self, select: str | None = None) -> None:
        self.calls = calls_mod.list_calls(self.db, self.current_region())
        self.table.setRowCount(len(self.calls))
        for r, c in enumerate(self.calls):
            cells = (self.tr("已关闭") if c.closed else self.tr("开放"), str(c.year or ""), c.name, c.doc_no or "",
                     _when(c.deadline) or self.tr("不设截止"), _when(c.county_deadline), c.pack_label,
                     self.tr("{0} 份（已决定 {1}）").format(c.applications, c.decided))
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c.closed:
                    item.setForeground(Qt.GlobalColor.gray)
                self.table.setItem(r, col, item)
        if self.calls:
            ids = [c.id for c in self.calls]
            self.table.selectRow(ids.index(select) if select in ids else 0)
        self._selection_changed()

    def select(self, call_id: str) -> None:
        self.table.selectRow([c.id for c in self.calls].index(call_id))

    def selected(self):
        rows = self.table.selectionModel().selectedRows()
        return self.calls[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        c = self.selected()
        self.edit_button.setEnabled(c is not None and c.editable)
        self.close_button.setEnabled(c is not None)
        self.close_button.setText(self.tr("重新开放") if c is not None and c.closed else self.tr("关闭批次"))
        if c is None:
            self.hint.setText(self.tr("本地区还没有申报批次，请新增。"))
        elif not c.editable:
            self.hint.setText(self.tr("该批次已有 {0} 份申报作出决定，作为记录保存，不能再修改，可以关闭。").format(c.decided))
        else:
            self.hint.setText(self.tr("新建申报时优先列出开放的批次；截止时间改动后，该批次的申报立即按新时间重新审查。"))

    def open_form(self, call) -> CallForm:
        form = CallForm(self.db, self.current_region(), call, self)
        form.saved.connect(lambda cid: self.refresh(cid))
        form.open()
        return form

    def toggle_closed(self) -> None:
        c = self.selected()
        if c is None:
            return
        try:
            calls_mod.close_call(self.db, c.id, reopen=c.closed)
        except StoreError as exc:
            self.hint.setText(str(exc))
            return
        self.refresh(c.id)

    def open_versions(self):
        from ui.pack_version import PackVersionDialog

        dlg = PackVersionDialog(self.db, self.current_region(), self)
        dlg.finished.connect(lambda _r: self.refresh(getattr(self.selected(), "id", None)))
        dlg.open()
        return dlg
