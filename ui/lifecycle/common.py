"""Shared by the lifecycle widgets: status and state colours, QDate conversion, the date field and
the error line of a write dialog, and `_WriteDialog` — a dialog that shows the service's refusal
(Chinese, with the clause) and stays open until the input is accepted."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import QCoreApplication, QDate, Signal
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton, QVBoxLayout,
                               QWidget)

from alliance_desk import lifecycle as lc

translate = QCoreApplication.translate


STATUS_COLORS = {"upcoming": "#616161", "due": "#e65100", "overdue": "#c62828", "done": "#2e7d32",
                 "late": "#827717", "failed": "#b71c1c"}
STATE_COLORS = {"active": "#2e7d32", "warned": "#e65100", "at_risk": "#c62828", "revocable": "#b71c1c",
                "revoked": "#616161", "expired": "#616161", "pending": "#1565c0", "rejected": "#616161"}
ALERT_COLORS = {"note": "#1565c0", "warning": "#e65100", "risk": "#c62828", "revocable": "#b71c1c",
                "ended": "#616161"}


def to_qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def from_qdate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


def _date_edit(d: date) -> QDateEdit:
    w = QDateEdit(to_qdate(d))
    w.setCalendarPopup(True)
    w.setDisplayFormat("yyyy-MM-dd")
    return w


def _error_label() -> QLabel:
    lab = QLabel()
    lab.setWordWrap(True)
    lab.setStyleSheet("color: #b71c1c;")
    lab.hide()
    return lab


class _WriteDialog(QDialog):
    """A form whose OK runs `write()`; a LifecycleError is shown in the dialog, which stays open."""

    def __init__(self, title: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = QFormLayout()
        self.errors = _error_label()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(translate("Lifecycle", "确定"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(translate("Lifecycle", "取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(self.form)
        lay.addWidget(self.errors)
        lay.addWidget(self.buttons)
        self.result_value = None

    def ok_button(self) -> QPushButton:
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def write(self):  # pragma: no cover - overridden
        raise NotImplementedError

    def problems(self) -> list[str]:
        return self.errors.text().splitlines()

    def accept(self) -> None:
        try:
            self.result_value = self.write()
        except lc.LifecycleError as exc:
            self.errors.setText("\n".join(exc.problems))
            self.errors.show()
            return
        super().accept()


class _AppPanel(QWidget):
    """A panel about one application whose write dialogs, once accepted, refresh it and emit `changed`.
    Subclasses provide `refresh()`."""

    changed = Signal()

    def __init__(self, db, app_id: str, parent=None):
        super().__init__(parent)
        self.db, self.app_id = db, app_id
        self.dialog: QDialog | None = None  # the last dialog opened (tests drive it)

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.accepted.connect(self._written)
        dialog.open()
        return dialog

    def _written(self) -> None:
        self.refresh()
        self.changed.emit()
