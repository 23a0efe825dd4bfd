"""The views of the editor's record tables: the choice and validating cell editors, the table
view (paste, delete, selection) and the panel with its tool buttons (添加, 删除, 上移, 下移, 粘贴)."""
from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QToolButton,
                               QStyledItemDelegate, QTableView, QVBoxLayout, QWidget)

from ui.editor.columns import translate
from ui.editor.fields import ElidedLabel, show_problem
from ui.editor.record_model import RecordTableModel


class EnumDelegate(QStyledItemDelegate):
    """A combo box for enum columns; commits as soon as a choice is made."""

    def createEditor(self, parent, option, index):  # noqa: N802
        model = index.model()
        col = model.COLUMNS[index.column()]
        box = QComboBox(parent)
        for code, title in model.enum_titles(col).items():
            box.addItem(title, code)
        box.activated.connect(lambda _i, b=box: (self.commitData.emit(b), self.closeEditor.emit(b)))
        return box

    def setEditorData(self, editor, index):  # noqa: N802
        code = index.model().data(index, Qt.ItemDataRole.EditRole)
        i = editor.findData(code)
        editor.setCurrentIndex(max(0, i))

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


class ValidatingDelegate(QStyledItemDelegate):
    """A line editor that checks the cell as it is typed (red border and the reason as tooltip),
    before the value is committed — USCC check digits, integers, required names."""

    def createEditor(self, parent, option, index):  # noqa: N802
        editor = QLineEdit(parent)
        editor.setFrame(False)
        model, col = index.model(), index.model().COLUMNS[index.column()]
        editor.textEdited.connect(lambda text, e=editor: show_problem(e, model.problem_for_text(col, text), ""))
        return editor

    def setEditorData(self, editor, index):  # noqa: N802
        text = index.model().data(index, Qt.ItemDataRole.EditRole) or ""
        editor.setText(str(text))
        col = index.model().COLUMNS[index.column()]
        show_problem(editor, index.model().problem_for_text(col, editor.text()) if editor.text() else None, "")

    def setModelData(self, editor, model, index):  # noqa: N802
        model.setData(index, editor.text(), Qt.ItemDataRole.EditRole)


class RecordTableView(QTableView):
    """Table view with Ctrl+V = paste rows from the clipboard."""

    def __init__(self, model: RecordTableModel, parent=None):
        super().__init__(parent)
        self.setModel(model)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        trig = QAbstractItemView.EditTrigger
        self.setEditTriggers(trig.DoubleClicked | trig.EditKeyPressed | trig.AnyKeyPressed | trig.SelectedClicked)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(26)
        self.horizontalHeader().setHighlightSections(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setStretchLastSection(True)
        self._enum_delegate = EnumDelegate(self)
        self._text_delegate = ValidatingDelegate(self)
        for i, c in enumerate(model.COLUMNS):
            self.setColumnWidth(i, c.width)
            if c.kind == "enum":
                self.setItemDelegateForColumn(i, self._enum_delegate)
            elif c.kind in ("text", "uscc", "int", "number"):
                self.setItemDelegateForColumn(i, self._text_delegate)
        model.selectHint.connect(self.select_rows)

    def select_rows(self, first: int, count: int) -> None:
        model = self.model()
        if first < 0 or first >= model.rowCount():
            return
        col = self.currentIndex().column() if self.currentIndex().isValid() else 1
        col = max(0, min(col, model.columnCount() - 1))
        last = min(model.rowCount() - 1, first + max(1, count) - 1)
        sel = QItemSelection(model.index(first, 0), model.index(last, model.columnCount() - 1))
        sm = self.selectionModel()
        sm.setCurrentIndex(model.index(first, col), QItemSelectionModel.SelectionFlag.NoUpdate)
        sm.select(sel, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        self.scrollTo(model.index(first, col))

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.selectionModel().selectedIndexes()}
        if not rows and self.currentIndex().isValid():
            rows = {self.currentIndex().row()}
        return sorted(rows)

    def paste_clipboard(self) -> int:
        text = QGuiApplication.clipboard().text()
        cur = self.currentIndex()
        at = cur.row() + 1 if cur.isValid() else self.model().rowCount()
        return self.model().paste_text(text, at)

    def keyPressEvent(self, event):  # noqa: N802
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_clipboard()
            event.accept()
            return
        super().keyPressEvent(event)


class RecordTablePanel(QWidget):
    """A record table with its tool buttons: 添加, 删除, 上移, 下移, 从剪贴板粘贴."""

    def __init__(self, model: RecordTableModel, noun: str, parent=None, paste: bool = True,
                 move: bool = True, hint: str = ""):
        super().__init__(parent)
        self.model = model
        self.view = RecordTableView(model, self)
        self._noun = noun
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        self.btn_add = QToolButton()
        self.btn_add.setText(translate("MemberTable", "添加"))
        self.btn_delete = QToolButton()
        self.btn_delete.setText(translate("MemberTable", "删除"))
        self.btn_up = QToolButton()
        self.btn_up.setText(translate("MemberTable", "上移"))
        self.btn_down = QToolButton()
        self.btn_down.setText(translate("MemberTable", "下移"))
        self.btn_paste = QToolButton()
        self.btn_paste.setText(translate("MemberTable", "从剪贴板粘贴"))
        self.btn_paste.setToolTip(translate(
            "MemberTable", "粘贴从 Excel/WPS 复制的行（制表符分隔；可带标题行，如 单位名称、统一社会信用代码）"))
        for name, b in (("btn_add", self.btn_add), ("btn_delete", self.btn_delete), ("btn_up", self.btn_up),
                        ("btn_down", self.btn_down), ("btn_paste", self.btn_paste)):
            b.setObjectName(name)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        bar.addWidget(self.btn_add)
        bar.addWidget(self.btn_delete)
        if move:
            bar.addWidget(self.btn_up)
            bar.addWidget(self.btn_down)
        else:
            self.btn_up.hide()
            self.btn_down.hide()
        if paste:
            bar.addWidget(self.btn_paste)
        else:
            self.btn_paste.hide()
        self.count_label = ElidedLabel()
        self.count_label.setObjectName("count_label")
        self.count_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        bar.addWidget(self.count_label, 1)
        self._bar = bar
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(4)
        lay.addLayout(bar)
        if hint:
            tip = QLabel(hint)
            tip.setWordWrap(True)
            tip.setStyleSheet("color: #616161;")
            lay.addWidget(tip)
        lay.addWidget(self.view, 1)
        self.btn_add.clicked.connect(self.add_row)
        self.btn_delete.clicked.connect(self.delete_rows)
        self.btn_up.clicked.connect(lambda: self.move(-1))
        self.btn_down.clicked.connect(lambda: self.move(1))
        self.btn_paste.clicked.connect(self.view.paste_clipboard)
        model.modelReset.connect(self._update)
        model.dataChanged.connect(self._update)
        model.rowsInserted.connect(self._update)
        model.rowsRemoved.connect(self._update)
        self.view.selectionModel().currentChanged.connect(self._update)
        self._update()

    def add_tool(self, button: QWidget) -> None:
        """Another tool button on the bar, after the table's own (before the count)."""
        self._bar.insertWidget(self._bar.indexOf(self.count_label), button)

    def add_row(self) -> None:
        cur = self.view.currentIndex()
        at = cur.row() + 1 if cur.isValid() else self.model.rowCount()
        row = self.model.insert_blank(at)
        first_text = next((i for i, c in enumerate(self.model.COLUMNS) if c.kind == "text"), 0)
        idx = self.model.index(row, first_text)
        self.view.setCurrentIndex(idx)
        self.view.setFocus()
        self.view.edit(idx)

    def delete_rows(self) -> None:
        self.model.remove_rows(self.view.selected_rows())

    def move(self, delta: int) -> None:
        cur = self.view.currentIndex()
        if cur.isValid():
            self.model.move_row(cur.row(), delta)

    def _update(self, *args) -> None:
        n = self.model.rowCount()
        bad = sum(1 for r in range(n) for c in self.model.COLUMNS
                  if c.kind != "index" and self.model.problem(r, c.key))
        text = translate("MemberTable", "共 {0} {1}").format(n, self._noun)
        if bad:
            text += translate("MemberTable", " · {0} 处待修正").format(bad)
        self.count_label.set_full_text(text)
        cur = self.view.currentIndex()
        has = cur.isValid()
        self.btn_delete.setEnabled(n > 0)
        self.btn_up.setEnabled(has and cur.row() > 0)
        self.btn_down.setEnabled(has and cur.row() < n - 1)

