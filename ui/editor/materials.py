"""申报材料: the region's material list (from its pack) with received / copies / note per material."""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QGridLayout, QLabel, QLineEdit, QSpinBox, QVBoxLayout, QWidget

from ui.editor.docpath import MISSING

translate = QCoreApplication.translate

NO_COPIES = -1  # the spin box's "not filled" position (shown as —)


class MaterialsEditor(QWidget):
    """Edits the document's `materials` list as a whole; entries for codes the pack does not list
    (from an older pack or another office) are kept untouched."""

    edited = Signal(object, object, object)  # new list, raw (always None), merge key or None
    burstEnded = Signal()

    def __init__(self, pack, parent=None):
        super().__init__(parent)
        self.path = "materials"
        self._pack = pack
        self._current: list[dict] = []
        self._members = 0
        self.rows: dict[str, dict[str, Any]] = {}
        grid = QGridLayout(self)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(8)
        heads = [translate("ApplicationEditor", "编号"), translate("ApplicationEditor", "材料名称"),
                 translate("ApplicationEditor", "已收到"), translate("ApplicationEditor", "份数"),
                 translate("ApplicationEditor", "备注")]
        for c, h in enumerate(heads):
            lab = QLabel(f"<b>{h}</b>")
            grid.addWidget(lab, 0, c)
        for r, mat in enumerate(pack.materials, start=1):
            code = QLabel(mat.code)
            code.setStyleSheet("color: #616161;")
            name = QLabel(mat.name)
            name.setWordWrap(True)
            name.setMinimumWidth(220)
            need = QLabel()
            need.setStyleSheet("color: #757575; font-size: 11px;")
            box = QWidget()
            v = QVBoxLayout(box)
            v.setContentsMargins(0, 0, 0, 0)
            v.setSpacing(0)
            v.addWidget(name)
            v.addWidget(need)
            received = QCheckBox()
            received.setAccessibleName(translate("ApplicationEditor", "已收到") + " " + mat.name)
            received.setObjectName(f"material_{mat.code}_received")
            copies = QSpinBox()
            copies.setObjectName(f"material_{mat.code}_copies")
            copies.setRange(NO_COPIES, 9999)
            copies.setSpecialValueText("—")
            copies.setValue(NO_COPIES)
            copies.setSuffix(translate("ApplicationEditor", " 份"))
            copies.setMinimumWidth(80)
            note = QLineEdit()
            note.setObjectName(f"material_{mat.code}_note")
            note.setPlaceholderText(translate("ApplicationEditor", "备注"))
            grid.addWidget(code, r, 0, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(box, r, 1)
            grid.addWidget(received, r, 2, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(copies, r, 3, Qt.AlignmentFlag.AlignTop)
            grid.addWidget(note, r, 4, Qt.AlignmentFlag.AlignTop)
            self.rows[mat.code] = {"received": received, "copies": copies, "note": note, "need": need,
                                   "spec": mat}
            received.clicked.connect(lambda checked, c=mat.code: self._edit(c, "received", bool(checked), None))
            copies.valueChanged.connect(lambda value, c=mat.code: self._edit(
                c, "copies", MISSING if value == NO_COPIES else int(value), f"{c}.copies"))
            note.textEdited.connect(lambda text, c=mat.code: self._edit(
                c, "note", text if text.strip() else MISSING, f"{c}.note"))
            note.editingFinished.connect(self.burstEnded)
            copies.editingFinished.connect(self.burstEnded)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(4, 2)
        grid.setRowStretch(len(pack.materials) + 1, 1)
        self._update_needs()

    def problem(self) -> str | None:
        return None

    def set_member_count(self, n: int) -> None:
        if n != self._members:
            self._members = n
            self._update_needs()

    def _update_needs(self) -> None:
        for code, row in self.rows.items():
            need = row["spec"].min_copies
            if need == "members":
                text = translate("ApplicationEditor", "每家成员单位 1 份（现共 {0} 份）").format(self._members)
            elif need:
                text = translate("ApplicationEditor", "至少 {0} 份").format(need)
            else:
                text = ""
            row["need"].setText(text)
            row["need"].setVisible(bool(text))

    def set_value(self, value: Any, raw: str | None = None) -> None:
        self._current = copy.deepcopy(value) if isinstance(value, list) else []
        by_code = {m.get("code"): m for m in self._current if isinstance(m, dict)}
        for code, row in self.rows.items():
            entry = by_code.get(code, {})
            for w in (row["received"], row["copies"], row["note"]):
                w.blockSignals(True)
            row["received"].setChecked(entry.get("received") is True)
            copies = entry.get("copies")
            row["copies"].setValue(copies if isinstance(copies, int) else NO_COPIES)
            note = entry.get("note") or ""
            if row["note"].text() != note:
                row["note"].setText(note)
            for w in (row["received"], row["copies"], row["note"]):
                w.blockSignals(False)

    def _edit(self, code: str, key: str, value: Any, merge: str | None) -> None:
        new = copy.deepcopy(self._current)
        entry = next((m for m in new if isinstance(m, dict) and m.get("code") == code), None)
        if entry is None:
            entry = {"code": code, "received": False}
            new.append(entry)
        if value is MISSING:
            entry.pop(key, None)
        else:
            entry[key] = value
        order = {m.code: i for i, m in enumerate(self._pack.materials)}
        new.sort(key=lambda m: order.get(m.get("code"), len(order)))  # stable: foreign codes keep their order
        self._current = new
        self.edited.emit(new, None, merge)
