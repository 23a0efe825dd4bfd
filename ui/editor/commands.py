"""QUndoCommands of the application editor. Every edit is one of these, so Ctrl+Z undoes it and the
undo/redo itself lands in the autosave like any other edit."""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QUndoCommand

from ui.editor.docpath import MISSING

translate = QCoreApplication.translate

FIELD_TYPING_ID = 0x4144  # commands with this id merge while the clerk keeps typing in one field


class SetFieldCommand(QUndoCommand):
    """Set one value of the document (a form field, the material list, the secretariat on/off).

    Consecutive commands with the same `merge_key` and `burst` merge into one, so a typing burst in
    one field is undone by one Ctrl+Z. `merge_key=None` never merges (check boxes, combo boxes)."""

    def __init__(self, editor, path: str, value: Any, raw: str | None, text: str,
                 merge_key: str | None = None, burst: int = 0):
        super().__init__(text)
        self._editor = editor
        self.path = path
        self.old_value = editor.value_at(path)
        self.old_raw = editor.raw_at(path)
        self.new_value = copy.deepcopy(value)
        self.new_raw = raw
        self.merge_key = merge_key
        self.burst = burst
        self._created: list[str] | None = None

    def id(self) -> int:  # noqa: A003 - Qt API
        return FIELD_TYPING_ID if self.merge_key else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, SetFieldCommand) or other.merge_key != self.merge_key \
                or other.burst != self.burst or other.path != self.path:
            return False
        self.new_value = other.new_value
        self.new_raw = other.new_raw
        if _same(self.new_value, self.old_value) and self.new_raw == self.old_raw:
            self.setObsolete(True)  # typed and then erased: nothing left to undo
        return True

    def redo(self) -> None:
        created = self._editor.apply_field(self.path, self.new_value, self.new_raw)
        if self._created is None:
            self._created = created

    def undo(self) -> None:
        self._editor.apply_field(self.path, self.old_value, self.old_raw, cleanup=self._created or [])


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and a == b


class SetCellCommand(QUndoCommand):
    """One cell of a record table (members, council, expert committee)."""

    def __init__(self, model, row: int, key: str, old: Any, new: Any, old_raw: str | None,
                 new_raw: str | None, text: str):
        super().__init__(text)
        self._model = model
        self.row, self.key = row, key
        self.old, self.new = copy.deepcopy(old), copy.deepcopy(new)
        self.old_raw, self.new_raw = old_raw, new_raw

    def redo(self) -> None:
        self._model.apply_cell(self.row, self.key, self.new, self.new_raw)

    def undo(self) -> None:
        self._model.apply_cell(self.row, self.key, self.old, self.old_raw)


class ReplaceRowsCommand(QUndoCommand):
    """A structural change of a record table — add, delete, move, paste — as before/after snapshots
    (rows and their raw invalid texts), so one undo restores the table exactly."""

    def __init__(self, model, old_rows: list[dict], old_raws: list[dict], new_rows: list[dict],
                 new_raws: list[dict], text: str, select_after: tuple[int, int] = (-1, 0),
                 select_before: tuple[int, int] = (-1, 0)):
        super().__init__(text)
        self._model = model
        self._old = (copy.deepcopy(old_rows), copy.deepcopy(old_raws))
        self._new = (copy.deepcopy(new_rows), copy.deepcopy(new_raws))
        self._select_after = select_after
        self._select_before = select_before

    def redo(self) -> None:
        self._model.apply_rows(*self._new, select=self._select_after)

    def undo(self) -> None:
        self._model.apply_rows(*self._old, select=self._select_before)
