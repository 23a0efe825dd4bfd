"""An application's history (修改历史) from the audit trail: who changed what, when, before and after.

    view = HistoryView(db, app_id)      # a QWidget; call refresh() after a save to show the new rows

Top: a table of the application's audit rows, newest first (时间, 操作人, 操作, 内容). Bottom: the
selected row's before and after, side by side (changed fields for edits, the whole document for
imports and creation). A line above the table says whether the audit chain of the whole database
verifies (`alliance_desk.store.audit.verify`), so a tampered trail is visible where it is read.

Calls alliance_desk.store.audit only (no SQL here).
"""
from __future__ import annotations

import json

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QPlainTextEdit, QPushButton,
                               QSplitter, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget)

from alliance_desk.store import audit

translate = QCoreApplication.translate

COLUMNS = ("时间", "操作人", "操作", "内容")


def _pretty(value) -> str:
    if value is None:
        return "（无）"
    if isinstance(value, dict) and set(value) <= {"changes"}:
        value = value.get("changes") or {}
        if not value:
            return "（无）"
        return "\n".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in value.items())
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


class HistoryView(QWidget):
    """The audit history of one application."""

    def __init__(self, db, app_id: str, parent: QWidget | None = None, verify_chain: bool = True):
        super().__init__(parent)
        self.db = db
        self.app_id = app_id
        self.verify_chain = verify_chain
        self.rows: list[audit.AuditRow] = []
        self.verdict: audit.VerifyResult | None = None

        self.status = QLabel()
        self.status.setWordWrap(True)
        self.reload_button = QPushButton(translate("HistoryView", "刷新"))
        self.reload_button.clicked.connect(self.refresh)
        top = QHBoxLayout()
        top.addWidget(self.status, 1)
        top.addWidget(self.reload_button)

        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels([translate("HistoryView", c) for c in COLUMNS])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for c in range(len(COLUMNS) - 1):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(len(COLUMNS) - 1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._show_selected)

        self.before = QPlainTextEdit()
        self.after = QPlainTextEdit()
        for w in (self.before, self.after):
            w.setReadOnly(True)
            w.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        detail = QWidget()
        dl = QHBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        for title, w in ((translate("HistoryView", "修改前"), self.before), (translate("HistoryView", "修改后"), self.after)):
            box = QVBoxLayout()
            box.addWidget(QLabel(title))
            box.addWidget(w)
            dl.addLayout(box)

        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        self.refresh()

    def refresh(self) -> None:
        self.rows = audit.history(self.db, self.app_id, newest_first=True)
        self.table.setRowCount(len(self.rows))
        for i, r in enumerate(self.rows):
            values = (r.at[:19].replace("T", " "), r.actor, r.label, r.summary())
            for c, v in enumerate(values):
                item = QTableWidgetItem(v)
                item.setToolTip(v if c == 3 else f"#{r.id}  {r.hash[:16]}…")
                self.table.setItem(i, c, item)
        n = len(self.rows)
        text = translate("HistoryView", "共 {n} 条修改记录").format(n=n)
        if self.verify_chain:
            self.verdict = audit.verify(self.db)
            if self.verdict.ok:
                text += translate("HistoryView", "；审计记录完整（哈希链校验通过）")
                self.status.setStyleSheet("color: #2e7d32;")
            else:
                text += "；" + self.verdict.text()
                self.status.setStyleSheet("color: #b71c1c; font-weight: bold;")
        self.status.setText(text)
        if n:
            self.table.selectRow(0)
        else:
            self.before.setPlainText("")
            self.after.setPlainText("")

    def _show_selected(self) -> None:
        sel = self.table.selectionModel().selectedRows()
        if not sel:
            return
        r = self.rows[sel[0].row()]
        self.before.setPlainText(_pretty(r.before))
        self.after.setPlainText(_pretty(r.after))
