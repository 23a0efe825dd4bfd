"""Record tables of the editor: member units (成员单位), council (理事会) and expert committee.

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
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from PySide6.QtCore import (QAbstractTableModel, QCoreApplication, QItemSelection, QItemSelectionModel,
                            QModelIndex, QT_TRANSLATE_NOOP, Qt, Signal)
from PySide6.QtGui import QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QToolButton,
                               QStyledItemDelegate, QTableView, QVBoxLayout, QWidget)

from alliance_desk.rules import uscc as uscc_mod

from ui.editor.commands import ReplaceRowsCommand, SetCellCommand
from ui.editor.docpath import MISSING
from ui.editor.fields import ElidedLabel, Spec, parse_text, show_problem, spec_for
from ui.editor.icons import warning_icon

translate = QCoreApplication.translate

INVALID_BG = QColor("#ffcdd2")
INVALID_FG = QColor("#8e0000")

KIND_TITLES = {
    "enterprise": QT_TRANSLATE_NOOP("MemberTable", "企业"),
    "university": QT_TRANSLATE_NOOP("MemberTable", "高校"),
    "research_institute": QT_TRANSLATE_NOOP("MemberTable", "科研院所"),
    "industry_association": QT_TRANSLATE_NOOP("MemberTable", "行业协会"),
    "intermediary": QT_TRANSLATE_NOOP("MemberTable", "中介机构"),
    "financial": QT_TRANSLATE_NOOP("MemberTable", "金融机构"),
    "testing": QT_TRANSLATE_NOOP("MemberTable", "检测机构"),
    "user": QT_TRANSLATE_NOOP("MemberTable", "用户单位"),
    "other": QT_TRANSLATE_NOOP("MemberTable", "其他"),
}
ROLE_TITLES = {
    "lead": QT_TRANSLATE_NOOP("MemberTable", "牵头单位"),
    "core": QT_TRANSLATE_NOOP("MemberTable", "核心成员"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "一般成员"),
}
COUNCIL_ROLE_TITLES = {
    "chair": QT_TRANSLATE_NOOP("MemberTable", "理事长"),
    "vice_chair": QT_TRANSLATE_NOOP("MemberTable", "副理事长"),
    "honorary_chair": QT_TRANSLATE_NOOP("MemberTable", "名誉理事长"),
    "director": QT_TRANSLATE_NOOP("MemberTable", "理事"),
    "secretary_general": QT_TRANSLATE_NOOP("MemberTable", "秘书长"),
    "deputy_secretary_general": QT_TRANSLATE_NOOP("MemberTable", "副秘书长"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "成员"),
}
EXPERT_ROLE_TITLES = {
    "chair": QT_TRANSLATE_NOOP("MemberTable", "主任委员"),
    "vice_chair": QT_TRANSLATE_NOOP("MemberTable", "副主任委员"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "委员"),
    "secretary_general": QT_TRANSLATE_NOOP("MemberTable", "秘书长"),
    "deputy_secretary_general": QT_TRANSLATE_NOOP("MemberTable", "副秘书长"),
    "honorary_chair": QT_TRANSLATE_NOOP("MemberTable", "名誉主任委员"),
    "director": QT_TRANSLATE_NOOP("MemberTable", "理事"),
}
# alternative spellings accepted when pasting or typing a choice
ENUM_ALIASES = {
    "enterprise": ("公司", "企业单位", "民营企业", "国有企业"),
    "university": ("大学", "高等院校", "高等学校", "院校", "学院"),
    "research_institute": ("科研机构", "研究院", "研究所", "科研单位"),
    "industry_association": ("协会", "学会", "行业组织"),
    "intermediary": ("中介", "服务机构", "科技服务机构"),
    "financial": ("金融", "银行", "投资机构"),
    "testing": ("检验检测机构", "检测"),
    "user": ("用户",),
    "lead": ("牵头", "理事长单位", "牵头单位（理事长单位）"),
    "core": ("核心", "核心单位", "副理事长单位"),
    "member": ("成员", "一般", "成员单位", "普通成员"),
}
TRUE_TEXTS = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "对", "本地", "良好", "是的"}
FALSE_TEXTS = {"否", "无", "×", "✗", "✘", "n", "no", "false", "0", "不是", "外地", "非本地"}


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # translated at display time (context MemberTable)
    kind: str  # index | text | uscc | enum | bool | int | number
    width: int = 100
    labels: dict = field(default_factory=dict)  # enum: value -> title
    aliases: tuple = ()  # header titles recognised when pasting


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s*＊:：]", "", t).lower()


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


# ------------------------------------------------------------------ the concrete tables

class MemberTableModel(RecordTableModel):
    """成员单位: the document's `members` list."""

    PATH = "members"
    COLUMNS = [
        Column("#", QT_TRANSLATE_NOOP("MemberTable", "序号"), "index", 44, aliases=("编号", "序"),),
        Column("name", QT_TRANSLATE_NOOP("MemberTable", "单位名称"), "text", 220,
               aliases=("成员单位", "成员单位名称", "单位", "名称", "企业名称", "机构名称")),
        Column("uscc", QT_TRANSLATE_NOOP("MemberTable", "统一社会信用代码"), "uscc", 175,
               aliases=("信用代码", "社会信用代码", "uscc", "统一信用代码", "组织机构代码")),
        Column("kind", QT_TRANSLATE_NOOP("MemberTable", "单位类型"), "enum", 90, labels=KIND_TITLES,
               aliases=("类型", "单位性质", "性质", "机构类型")),
        Column("role", QT_TRANSLATE_NOOP("MemberTable", "角色"), "enum", 90, labels=ROLE_TITLES,
               aliases=("联盟角色", "成员类别", "成员类型", "类别", "联盟职务")),
        Column("in_region", QT_TRANSLATE_NOOP("MemberTable", "本地注册"), "bool", 72,
               aliases=("是否本地注册", "在本地注册", "本地", "注册地在本地")),
        Column("legal_rep", QT_TRANSLATE_NOOP("MemberTable", "法定代表人"), "text", 86,
               aliases=("法人代表", "法人", "负责人")),
        Column("chain_segment", QT_TRANSLATE_NOOP("MemberTable", "所处产业链环节"), "text", 110,
               aliases=("产业链环节", "产业链位置", "环节")),
        Column("research_direction", QT_TRANSLATE_NOOP("MemberTable", "研究方向"), "text", 140,
               aliases=("主要研究方向", "研发方向")),
        Column("employees", QT_TRANSLATE_NOOP("MemberTable", "职工人数"), "int", 72,
               aliases=("职工总数", "员工人数", "职工数")),
        Column("rd_staff", QT_TRANSLATE_NOOP("MemberTable", "研发人员"), "int", 72,
               aliases=("研发人员数", "研发人数", "科研人员")),
        Column("rd_spend_wan", QT_TRANSLATE_NOOP("MemberTable", "研发投入（万元）"), "number", 110,
               aliases=("研发投入", "研发经费", "研发经费投入", "研发投入万元", "研发经费（万元）")),
        Column("integrity_ok", QT_TRANSLATE_NOOP("MemberTable", "诚信良好"), "bool", 72,
               aliases=("诚信", "诚信状况", "诚信状况良好", "无失信记录")),
    ]

    def blank_row(self) -> dict:
        return {"name": "", "uscc": "", "kind": "enterprise", "role": "member", "in_region": False}


class HolderTableModel(RecordTableModel):
    """理事会 / 专家咨询委员会: `organization.council` or `organization.expert_committee`."""

    def __init__(self, body: str, rows: list[dict] | None = None, parent=None):
        self.body = body
        titles = COUNCIL_ROLE_TITLES if body == "council" else EXPERT_ROLE_TITLES
        columns = [
            Column("name", QT_TRANSLATE_NOOP("MemberTable", "姓名"), "text", 80),
            Column("unit", QT_TRANSLATE_NOOP("MemberTable", "单位"), "text", 200,
                   aliases=("工作单位", "所在单位")),
            Column("title", QT_TRANSLATE_NOOP("MemberTable", "职务/职称"), "text", 110,
                   aliases=("职务", "职称")),
            Column("role", QT_TRANSLATE_NOOP("MemberTable", "角色"), "enum", 100, labels=titles,
                   aliases=("联盟职务", "担任职务")),
            Column("phone", QT_TRANSLATE_NOOP("MemberTable", "电话"), "text", 110, aliases=("联系电话", "手机")),
            Column("email", QT_TRANSLATE_NOOP("MemberTable", "邮箱"), "text", 150, aliases=("电子邮箱", "email")),
        ]
        super().__init__(rows, None, parent, columns=columns, path=f"organization.{body}")

    def blank_row(self) -> dict:
        return {"name": "", "unit": "", "role": "director" if self.body == "council" else "member"}


# ------------------------------------------------------------------ views

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
