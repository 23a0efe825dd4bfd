"""The preview of read forms before anything is saved.

Left: the files of the batch (✔ ready, ⚠ problems, ↻ updates a stored application). Middle: field by
field what was read, from which label of the form and where; doubtful or unread fields are yellow
with the reason; the clerk corrects a value in place (it is read again like the form's text). Right:
the region's checklist on the result, live. Above the fields: whether the form creates a new
application or updates a stored one, with the changes. 保存 imports the whole batch in one
transaction (all or nothing); it is enabled only when no file has a problem.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout, QHeaderView, QLabel,
                               QListWidget, QListWidgetItem, QSplitter, QTableWidget, QTableWidgetItem,
                               QVBoxLayout, QWidget)

from alliance_desk.forms import normalise as nz
from alliance_desk.forms import service
from alliance_desk.rules.packs import get_pack
from ui.checklist import ChecklistPanel

tr = QCoreApplication.translate
YELLOW = QColor("#fff3b0")
COL_FIELD, COL_VALUE, COL_LABEL, COL_NOTE = range(4)
KeyRole = Qt.ItemDataRole.UserRole + 1


def _text(item) -> str:
    """An item's value as the clerk edits it: the form's own wording for it."""
    if item.value is None or item.value == []:
        return nz.clean(item.raw) if item.doubt else ""
    if item.field.kind == "bool":
        return "是" if item.value else "否"
    return nz.fmt(item.value, item.field, boxes=False)


class FormPreviewDialog(QDialog):
    """Shows `candidates` (service.Candidate); `saved(report)` after a successful import."""

    saved = Signal(object)

    def __init__(self, db, candidates: list, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formPreview")
        self.setWindowTitle(tr("FormPreview", "导入申报表 — 预览"))
        self.db = db
        self.cands = candidates
        self._filling = False
        self.report = None

        self.files = QListWidget(self)
        self.files.setObjectName("formFiles")
        self.files.currentRowChanged.connect(self._show)
        self.summary = QLabel(self)
        self.summary.setObjectName("formSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.table = QTableWidget(0, 4, self)
        self.table.setObjectName("formFields")
        self.table.setHorizontalHeaderLabels([tr("FormPreview", "栏目"), tr("FormPreview", "读到的内容（可修改）"),
                                              tr("FormPreview", "表中标签"), tr("FormPreview", "说明")])
        self.table.verticalHeader().setVisible(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        h = self.table.horizontalHeader()
        h.setSectionResizeMode(COL_FIELD, QHeaderView.ResizeMode.Interactive)
        h.setSectionResizeMode(COL_NOTE, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(COL_FIELD, 300)
        self.table.setColumnWidth(COL_VALUE, 220)
        self.table.setColumnWidth(COL_LABEL, 120)
        self.table.itemChanged.connect(self._edited)
        self.checklist = ChecklistPanel(self)

        middle = QWidget(self)
        mv = QVBoxLayout(middle)
        mv.setContentsMargins(0, 0, 0, 0)
        mv.addWidget(self.summary)
        mv.addWidget(self.table, 1)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        split.addWidget(self.files)
        split.addWidget(middle)
        split.addWidget(self.checklist)
        split.setStretchFactor(1, 1)
        split.setSizes([190, 700, 330])

        self.buttons = QDialogButtonBox(self)
        self.save_button = self.buttons.addButton(tr("FormPreview", "保存全部"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(tr("FormPreview", "取消"), QDialogButtonBox.ButtonRole.RejectRole)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        self.status = QLabel(self)
        self.status.setObjectName("formStatus")
        self.status.setWordWrap(True)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.buttons)
        lay = QVBoxLayout(self)
        lay.addWidget(split, 1)
        lay.addLayout(bottom)
        self.resize(1280, 720)
        self._fill_files()
        if self.cands:
            self.files.setCurrentRow(0)

    # ------------------------------------------------------------ state
    def current(self):
        row = self.files.currentRow()
        return self.cands[row] if 0 <= row < len(self.cands) else None

    def _file_text(self, c) -> str:
        mark = "⚠" if c.problems else ("↻" if c.existing_id else "✔")
        return f"{mark} {c.name}"

    def _fill_files(self) -> None:
        for c in self.cands:
            it = QListWidgetItem(self._file_text(c))
            it.setToolTip("\n".join(c.problems) or c.name)
            self.files.addItem(it)
        self._update_buttons()

    def _update_buttons(self) -> None:
        bad = [c for c in self.cands if c.problems]
        self.save_button.setEnabled(bool(self.cands) and not bad)
        doubts = sum(len(c.doubts()) for c in self.cands)
        if bad:
            self.status.setText(tr("FormPreview", "{n} 份表还有必须改正的问题（黄色栏目），改正后才能保存；"
                                                  "保存时整批一起写入，任何一份不行都不写入。").format(n=len(bad)))
        else:
            self.status.setText(tr("FormPreview", "共 {n} 份，可以保存；还有 {d} 处黄色栏目建议核对。")
                                .format(n=len(self.cands), d=doubts))

    def row_of(self, key: str) -> int:
        for r in range(self.table.rowCount()):
            if self.table.item(r, COL_FIELD).data(KeyRole) == key:
                return r
        return -1

    def _show(self, _row: int = -1) -> None:
        c = self.current()
        self._filling = True
        self.table.setRowCount(0)
        if c is None:
            self._filling = False
            return
        items = list(c.read.items.values())
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            f = QTableWidgetItem(service.label_of(c, item.key))
            f.setData(KeyRole, item.key)
            f.setFlags(f.flags() & ~Qt.ItemFlag.ItemIsEditable)
            v = QTableWidgetItem(_text(item))
            lab = QTableWidgetItem(item.label or tr("FormPreview", "（表中没有）"))
            lab.setFlags(lab.flags() & ~Qt.ItemFlag.ItemIsEditable)
            lab.setToolTip(item.where)
            note = QTableWidgetItem(item.doubt or "")
            note.setFlags(note.flags() & ~Qt.ItemFlag.ItemIsEditable)
            for col, cell in ((COL_FIELD, f), (COL_VALUE, v), (COL_LABEL, lab), (COL_NOTE, note)):
                self.table.setItem(r, col, cell)
            self._paint_row(r, item)
        self._filling = False
        self._show_summary(c)

    def _paint_row(self, r: int, item) -> None:
        brush = QBrush(YELLOW) if item.doubt else QBrush()
        for col in range(4):
            cell = self.table.item(r, col)
            cell.setBackground(brush)
            cell.setToolTip(item.doubt or "")
        self.table.item(r, COL_NOTE).setText(item.doubt or "")

    def _show_summary(self, c) -> None:
        lines = []
        if c.read.region:
            pack = get_pack(c.read.region)
            call = next((x.name for x in pack.calls if x.id == c.read.call), tr("FormPreview", "（未识别）"))
            lines.append(tr("FormPreview", "地区：{r}　批次：{c}").format(r=pack.name, c=call))
        if c.existing_id:
            changes = "；".join(f"{label}：{_short(old)} → {_short(new)}" for _, label, old, new in c.diff[:8])
            more = tr("FormPreview", " 等 {n} 处").format(n=len(c.diff)) if len(c.diff) > 8 else ""
            lines.append(tr("FormPreview", "数据库中已有「{name}」（同名、牵头单位相同）：保存将更新它，不会新建。"
                                           "变化：{changes}{more}").format(
                name=c.doc["name"], changes=changes or tr("FormPreview", "无"), more=more))
        elif c.doc is not None:
            lines.append(tr("FormPreview", "保存后新建申报「{name}」。").format(name=c.doc.get("name", "")))
        if c.problems:
            lines.append(tr("FormPreview", "必须改正：") + "；".join(c.problems[:6]))
        self.summary.setText("\n".join(lines))
        self.checklist.set_result(c.check)

    # ------------------------------------------------------------ editing
    def _edited(self, cell: QTableWidgetItem) -> None:
        if self._filling or cell.column() != COL_VALUE:
            return
        c = self.current()
        key = self.table.item(cell.row(), COL_FIELD).data(KeyRole)
        self.set_value(key, cell.text(), c)

    def set_value(self, key: str, text: str, cand=None) -> None:
        """Correct one field of the shown (or given) form, as the clerk does in the table."""
        c = cand or self.current()
        c.edit(key, text)
        service.refresh(self.db, c)
        row = self.cands.index(c)
        self.files.item(row).setText(self._file_text(c))
        self.files.item(row).setToolTip("\n".join(c.problems) or c.name)
        if c is self.current():
            self._filling = True
            for r in range(self.table.rowCount()):
                k = self.table.item(r, COL_FIELD).data(KeyRole)
                self._paint_row(r, c.read.items[k])
                if k == key:
                    self.table.item(r, COL_VALUE).setText(_text(c.read.items[k]))
                    self.table.item(r, COL_LABEL).setText(c.read.items[k].label)
            self._filling = False
            self._show_summary(c)
        self._update_buttons()

    # ------------------------------------------------------------ saving
    def save(self) -> None:
        try:
            self.report = service.save(self.db, self.cands)
        except service.FormImportError as exc:
            self.status.setText(tr("FormPreview", "未保存（数据库未作任何修改）：") + "；".join(exc.problems[:5]))
            return
        except Exception as exc:  # noqa: BLE001 - a refusal by the store: shown, nothing written
            self.status.setText(tr("FormPreview", "未保存（数据库未作任何修改）：{e}").format(e=exc))
            return
        self.saved.emit(self.report)
        self.accept()


def _short(v) -> str:
    if v is None or v == []:
        return "（空）"
    text = "、".join(map(str, v)) if isinstance(v, list) else str(v)
    return text if len(text) <= 24 else text[:23] + "…"
