"""The record table model of the editor (member units, council, expert committee).

`RecordTableModel` is a plain QAbstractTableModel over a list of dicts (the document's own list),
usable without any window: `setData`, `paste_text`, `insert_blank`, `remove_rows`, `move_row`.
When `undo_stack` is set every change is a QUndoCommand (see commands.py); without it changes
apply directly. Text that is not a valid value (`三十` as 职工人数) is kept as raw text, shown red
and reported by `invalid()` as `members[3].employees`.
"""
from __future__ import annotations

import copy
import csv
import io
import re
import unicodedata
from functools import lru_cache
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QColor

from alliance_desk.rules import uscc as uscc_mod

from ui.editor.commands import ReplaceRowsCommand, SetCellCommand
from ui.editor.docpath import MISSING
from ui.editor.fields import Spec, parse_text, spec_for
from ui.editor.icons import warning_icon

from ui.editor.columns import ENUM_ALIASES, FALSE_TEXTS, INVALID_BG, INVALID_FG, TRUE_TEXTS, Column, _norm, translate


@lru_cache(maxsize=4096)
def _uscc_problem(code: str) -> str | None:
    return uscc_mod.problem(code)


class RecordTableModel(QAbstractTableModel):
    """A table over a list of dicts; subclasses give the columns, the JSON path and the blank row."""

    COLUMNS: list[Column] = []
    PATH = "records"
    NOUN = QT_TRANSLATE_NOOP("MemberTable", "行")

    contentChanged = Signal()  # after every applied change (edit, undo, redo)
    selectHint = Signal(int, int)  # (first row, count) to select after a structural change

    def __init__(self, rows: list[dict] | None = None, invalid: dict[str, str] | None = None, parent=None,
                 columns: list[Column] | None = None, path: str | None = None):
        super().__init__(parent)
        if columns is not None:
            self.COLUMNS = columns
        if path is not None:
            self.PATH = path
        self.undo_stack = None  # a QUndoStack; None = apply directly
        self._rows: list[dict] = rows if rows is not None else []
        self._raws: list[dict[str, str]] = []
        self._key_col = {c.key: i for i, c in enumerate(self.COLUMNS)}
        self._load_raws(invalid or {})

    # ---------------------------------------------------------------- contents

    def set_rows(self, rows: list[dict], invalid: dict[str, str] | None = None) -> None:
        """Show `rows` (the list object is kept and edited in place) with raw texts from `invalid`."""
        self.beginResetModel()
        self._rows = rows
        self._load_raws(invalid or {})
        self.endResetModel()

    def _load_raws(self, invalid: dict[str, str]) -> None:
        self._raws = [{} for _ in self._rows]
        pat = re.compile(re.escape(self.PATH) + r"\[(\d+)\]\.(\w+)$")
        for path, raw in invalid.items():
            m = pat.match(path)
            if m and int(m.group(1)) < len(self._rows) and isinstance(raw, str):
                self._raws[int(m.group(1))][m.group(2)] = raw

    def rows(self) -> list[dict]:
        """The live list of records (the document's own list)."""
        return self._rows

    def raws(self) -> list[dict[str, str]]:
        return self._raws

    def invalid(self) -> dict[str, str]:
        """Raw texts that are not yet valid values, by JSON path (`members[3].employees`)."""
        return {f"{self.PATH}[{i}].{k}": v for i, r in enumerate(self._raws) for k, v in r.items()}

    def column_of(self, key: str) -> int:
        return self._key_col.get(key, -1)

    def blank_row(self) -> dict:
        raise NotImplementedError

    def enum_titles(self, col: Column) -> dict[str, str]:
        return {k: translate("MemberTable", v) for k, v in col.labels.items()}

    # ---------------------------------------------------------------- Qt model API

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return translate("MemberTable", self.COLUMNS[section].title)
        elif orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        col = self.COLUMNS[index.column()]
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if col.kind == "bool":
            return f | Qt.ItemFlag.ItemIsUserCheckable
        if col.kind != "index":
            f |= Qt.ItemFlag.ItemIsEditable
        return f

    def spec(self, key: str) -> Spec:
        return spec_for(f"{self.PATH}[0].{key}")

    def problem(self, row: int, key: str) -> str | None:
        """The Chinese reason the cell is marked, or None."""
        col = self.COLUMNS[self.column_of(key)]
        raw = self._raws[row].get(key)
        if raw is not None:
            return self._raw_problem(col, raw)
        value = self._rows[row].get(key)
        if col.kind == "uscc":
            pr = _uscc_problem(value or "")
            return translate("MemberTable", "统一社会信用代码{0}").format(pr) if pr else None
        if col.kind == "text":
            return parse_text(self.spec(key), value if isinstance(value, str) else "").problem
        return None

    def problem_for_text(self, col: Column, text: str) -> str | None:
        """The reason `text`, typed into a cell of `col`, would be marked (None if fine)."""
        value, raw = self.convert(col, text)
        if raw is not None:
            return self._raw_problem(col, raw)
        if col.kind == "uscc":
            pr = _uscc_problem(value or "")
            return translate("MemberTable", "统一社会信用代码{0}").format(pr) if pr else None
        if col.kind == "text":
            return parse_text(self.spec(col.key), text).problem
        return None

    def _raw_problem(self, col: Column, raw: str) -> str:
        if col.kind == "enum":
            allowed = "、".join(self.enum_titles(col).values())
            return translate("MemberTable", "「{0}」不是可选的{1}（可选：{2}）").format(
                raw, translate("MemberTable", col.title), allowed)
        if col.kind == "bool":
            return translate("MemberTable", "「{0}」无法识别为“是”或“否”").format(raw)
        return parse_text(self.spec(col.key), raw).problem or translate("MemberTable", "无效的值")

    def display_text(self, row: int, col: Column) -> str:
        if col.kind == "index":
            return str(row + 1)
        raw = self._raws[row].get(col.key)
        if raw is not None:
            return raw
        value = self._rows[row].get(col.key)
        if value is None or value is MISSING:
            return ""
        if col.kind == "enum":
            return self.enum_titles(col).get(value, str(value))
        if col.kind == "bool":
            return ""
        if isinstance(value, float):
            return str(int(value)) if value.is_integer() else repr(value)
        return str(value)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row, col = index.row(), self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.display_text(row, col)
        if role == Qt.ItemDataRole.EditRole:
            if col.kind == "enum" and col.key not in self._raws[row]:
                return self._rows[row].get(col.key)
            return self.display_text(row, col)
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == "bool":
            if col.key in self._raws[row]:
                return Qt.CheckState.PartiallyChecked
            return Qt.CheckState.Checked if self._rows[row].get(col.key) is True else Qt.CheckState.Unchecked
        if col.kind == "index":
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor("#757575")
            return None
        if role in (Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                    Qt.ItemDataRole.ForegroundRole):
            pr = self.problem(row, col.key)
            if role == Qt.ItemDataRole.ToolTipRole:
                return pr
            if pr is None:
                return None
            if role == Qt.ItemDataRole.BackgroundRole:
                return INVALID_BG
            if role == Qt.ItemDataRole.ForegroundRole:
                return INVALID_FG
            if role == Qt.ItemDataRole.DecorationRole and col.kind != "bool":
                return warning_icon()
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in ("int", "number"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole):  # noqa: N802
        if not index.isValid() or index.row() >= len(self._rows):
            return False
        row, col = index.row(), self.COLUMNS[index.column()]
        if col.kind == "index":
            return False
        if role == Qt.ItemDataRole.CheckStateRole and col.kind == "bool":
            checked = _check_state(value) == Qt.CheckState.Checked
            self.set_cell(row, col.key, checked, None)
            return True
        if role != Qt.ItemDataRole.EditRole:
            return False
        new_value, new_raw = self.convert(col, value, current=self._rows[row].get(col.key, MISSING))
        self.set_cell(row, col.key, new_value, new_raw)
        return True

    # ---------------------------------------------------------------- conversion of typed/pasted text

    def enum_lookup(self, col: Column, text: str) -> str | None:
        t = _norm(str(text))
        for code, title in col.labels.items():
            if t in (_norm(code), _norm(title), _norm(translate("MemberTable", title))):
                return code
        for code in col.labels:
            if any(t == _norm(a) for a in ENUM_ALIASES.get(code, ())):
                return code
        return None

    def convert(self, col: Column, value: Any, current: Any = MISSING) -> tuple[Any, str | None]:
        """(document value, raw text if not valid) for what was typed or pasted into a cell."""
        if col.kind == "bool":
            if isinstance(value, bool):
                return value, None
            t = _norm(str(value))
            if t in TRUE_TEXTS:
                return True, None
            if t in FALSE_TEXTS or not t:
                return False, None
            return (current if isinstance(current, bool) else False), str(value).strip()
        if col.kind == "enum":
            code = self.enum_lookup(col, value) if value is not None else None
            if code is not None:
                return code, None
            if not str(value or "").strip():
                return current, None
            return current, str(value).strip()
        text = "" if value is None else str(value)
        if col.kind == "uscc":
            return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).upper(), None
        parsed = parse_text(self.spec(col.key), text)
        raw = text.strip() if parsed.problem and text.strip() else None
        return parsed.value, raw

    # ---------------------------------------------------------------- edits (undoable)

    def set_cell(self, row: int, key: str, value: Any, raw: str | None) -> None:
        old, old_raw = copy.deepcopy(self._rows[row].get(key, MISSING)), self._raws[row].get(key)
        if _same(old, value) and old_raw == raw:
            return
        col = self.COLUMNS[self.column_of(key)]
        text = translate("MemberTable", "修改第 {0} 行「{1}」").format(row + 1, translate("MemberTable", col.title))
        if self.undo_stack is not None:
            self.undo_stack.push(SetCellCommand(self, row, key, old, value, old_raw, raw, text))
        else:
            self.apply_cell(row, key, value, raw)

    def _replace(self, new_rows: list[dict], new_raws: list[dict], text: str,
                 select_after: tuple[int, int], select_before: tuple[int, int]) -> None:
        if self.undo_stack is not None:
            self.undo_stack.push(ReplaceRowsCommand(self, self._rows, self._raws, new_rows, new_raws, text,
                                                    select_after, select_before))
        else:
            self.apply_rows(new_rows, new_raws, select=select_after)

    def insert_rows_at(self, at: int, rows: list[dict], raws: list[dict] | None = None, text: str = "") -> None:
        at = max(0, min(at, len(self._rows)))
        raws = raws if raws is not None else [{} for _ in rows]
        new_rows = self._rows[:at] + rows + self._rows[at:]
        new_raws = self._raws[:at] + raws + self._raws[at:]
        self._replace(new_rows, new_raws, text or translate("MemberTable", "添加 {0} 行").format(len(rows)),
                      (at, len(rows)), (max(0, at - 1), 1 if self._rows else 0))

    def insert_blank(self, at: int | None = None) -> int:
        """Add an empty record at `at` (default: the end); returns its row."""
        at = len(self._rows) if at is None else at
        self.insert_rows_at(at, [self.blank_row()], text=translate("MemberTable", "添加一行"))
        return max(0, min(at, len(self._rows) - 1))

    def remove_rows(self, rows: list[int]) -> None:
        drop = sorted({r for r in rows if 0 <= r < len(self._rows)})
        if not drop:
            return
        keep = [i for i in range(len(self._rows)) if i not in set(drop)]
        new_rows = [self._rows[i] for i in keep]
        new_raws = [self._raws[i] for i in keep]
        after = min(drop[0], len(new_rows) - 1)
        self._replace(new_rows, new_raws, translate("MemberTable", "删除 {0} 行").format(len(drop)),
                      (after, 1 if new_rows else 0), (drop[0], 1))

    def move_row(self, row: int, delta: int) -> bool:
        target = row + delta
        if not (0 <= row < len(self._rows)) or not (0 <= target < len(self._rows)):
            return False
        new_rows, new_raws = list(self._rows), list(self._raws)
        new_rows.insert(target, new_rows.pop(row))
        new_raws.insert(target, new_raws.pop(row))
        text = translate("MemberTable", "上移第 {0} 行") if delta < 0 else translate("MemberTable", "下移第 {0} 行")
        self._replace(new_rows, new_raws, text.format(row + 1), (target, 1), (row, 1))
        return True

    def paste_text(self, text: str, at: int | None = None) -> int:
        """Insert rows copied from Excel/WPS (tab-separated) at `at` (default: the end), as ONE undo
        step. Returns how many rows were added."""
        rows, raws = self.parse_rows(text)
        if not rows:
            return 0
        at = len(self._rows) if at is None else at
        self.insert_rows_at(at, rows, raws, translate("MemberTable", "粘贴 {0} 行").format(len(rows)))
        return len(rows)

    # ---------------------------------------------------------------- applying (used by the commands)

    def apply_cell(self, row: int, key: str, value: Any, raw: str | None) -> None:
        if value is MISSING:
            self._rows[row].pop(key, None)
        else:
            self._rows[row][key] = copy.deepcopy(value)
        if raw is None:
            self._raws[row].pop(key, None)
        else:
            self._raws[row][key] = raw
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))
        self.contentChanged.emit()

    def apply_rows(self, rows: list[dict], raws: list[dict], select: tuple[int, int] = (-1, 0)) -> None:
        self.beginResetModel()
        self._rows[:] = copy.deepcopy(rows)  # in place: the document keeps the same list object
        self._raws = copy.deepcopy(raws)
        self.endResetModel()
        self.contentChanged.emit()
        if select[0] >= 0 and self._rows:
            self.selectHint.emit(min(select[0], len(self._rows) - 1), select[1])

    # ---------------------------------------------------------------- pasting

    def paste_columns(self) -> list[Column]:
        """Column order assumed for pasted rows without a header row."""
        return [c for c in self.COLUMNS if c.kind != "index"]

    def _header_map(self, cells: list[str]) -> list[str | None] | None:
        known: dict[str, str] = {}
        for c in self.COLUMNS:
            for title in (c.title, translate("MemberTable", c.title), c.key) + c.aliases:
                known[_norm(title)] = c.key
        keys = [known.get(_norm(x)) for x in cells]
        hits = sum(1 for k in keys if k)
        filled = sum(1 for x in cells if x.strip())
        if hits >= 2 or (hits == 1 and filled == 1):
            return keys
        return None

    def parse_rows(self, text: str) -> tuple[list[dict], list[dict]]:
        table = split_tsv(text)
        if not table:
            return [], []
        header = self._header_map(table[0])
        if header is not None:
            keys = header
            header_norm = [_norm(x) for x in table[0]]
            body = [r for r in table[1:] if [_norm(x) for x in r] != header_norm]
        else:
            keys = [c.key for c in self.paste_columns()]
            body = table
            firsts = [r[0].strip() for r in body if r and r[0].strip()]
            widest = max(len(r) for r in body)
            serials = sum(1 for x in firsts if re.fullmatch(r"\d{1,4}", _norm(x)))
            if widest >= 2 and firsts and serials * 2 > len(firsts):
                keys = ["#"] + keys  # a leading 序号 column
        cols = {c.key: c for c in self.COLUMNS}
        rows, raws = [], []
        for cells in body:
            rec, raw = self.blank_row(), {}
            for i, key in enumerate(keys):
                if key is None or key not in cols or cols[key].kind == "index" or i >= len(cells):
                    continue
                cell = cells[i]
                if not cell.strip():
                    continue
                value, r = self.convert(cols[key], cell, current=rec.get(key, MISSING))
                if value is MISSING:
                    rec.pop(key, None)
                else:
                    rec[key] = value
                if r is not None:
                    raw[key] = r
            rows.append(rec)
            raws.append(raw)
        return rows, raws


def split_tsv(text: str) -> list[list[str]]:
    """Rows of tab-separated text as Excel/WPS put it on the clipboard (quoted cells may hold line
    breaks); empty lines are dropped."""
    if not text:
        return []
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
    try:
        table = list(csv.reader(io.StringIO(text), delimiter="\t", quotechar='"', strict=False))
    except csv.Error:
        table = [line.split("\t") for line in text.split("\n")]
    out = []
    for row in table:
        cells = [c.strip() for c in row]
        if any(cells):
            out.append(cells)
    return out


def _check_state(value: Any) -> Qt.CheckState:
    if isinstance(value, Qt.CheckState):
        return value
    try:
        return Qt.CheckState(int(value))
    except (TypeError, ValueError):
        return Qt.CheckState.Checked if value else Qt.CheckState.Unchecked


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and a == b

