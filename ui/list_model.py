"""Table model of the application list: all rows in memory, filtered and sorted in Python."""
from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import (QAbstractTableModel, QCollator, QCoreApplication, QLocale, QModelIndex,
                            QPersistentModelIndex, Qt, Signal)
from PySide6.QtGui import QBrush, QColor, QFont

from alliance_desk.listing import Filters, Row, apply_filters
from alliance_desk.search_index import SearchIndex

_T = "ApplicationListModel"


def _tr(text: str) -> str:
    return QCoreApplication.translate(_T, text)


# column ids, in display order
(COL_NAME, COL_REGION, COL_CALL, COL_COUNTY, COL_INDUSTRY, COL_LEAD, COL_MEMBERS, COL_SUBMITTED,
 COL_FAIL, COL_WARN, COL_MANUAL, COL_VERDICT) = range(12)

HEADERS = ("联盟名称", "地区", "申报批次", "县区/推荐单位", "产业领域", "牵头单位", "成员数", "提交时间",
           "不符合", "提示", "待确认", "结论")
NUMERIC = frozenset({COL_MEMBERS, COL_FAIL, COL_WARN, COL_MANUAL})

# columns that show a Row field unchanged
_SHOWN_AS_IS = {
    COL_NAME: "name", COL_REGION: "region_name", COL_COUNTY: "county", COL_INDUSTRY: "industry",
    COL_LEAD: "lead_name", COL_MEMBERS: "member_count", COL_FAIL: "n_fail", COL_WARN: "n_warn",
    COL_MANUAL: "n_manual",
}

AppIdRole = Qt.ItemDataRole.UserRole + 1
RowRole = Qt.ItemDataRole.UserRole + 2
SortRole = Qt.ItemDataRole.UserRole + 3

ELIGIBLE_FG = QColor("#1b7f3b")
INELIGIBLE_FG = QColor("#c62828")
WARN_FG = QColor("#b26a00")
MANUAL_FG = QColor("#1565c0")
ELIGIBLE_BG = QColor("#e8f5e9")
DUPLICATE_BG = QColor("#fff4e0")
INELIGIBLE_BG = QColor("#fdecea")


def _warning_icon():
    from PySide6.QtWidgets import QApplication, QStyle

    return QApplication.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)


class ApplicationListModel(QAbstractTableModel):
    """Rows are `alliance_desk.listing.Row`s. `set_rows` loads everything once; `set_filters` and
    `sort` only rearrange the rows already in memory; `refresh_application` re-reads one row after
    a save (needs the database given to the constructor or `set_database`)."""

    countsChanged = Signal(int, int, int)  # total, shown, shown with a failed rule

    def __init__(self, db=None, parent=None):
        super().__init__(parent)
        self._db = db
        self._all: list[Row] = []
        self._shown: list[Row] = []
        self._pos: dict[str, int] = {}  # id -> row number in _shown
        self._index: dict[str, str] = {}
        self._unsearched: set[str] | None = None  # rows the index cannot search (see _filtered)
        self._filters = Filters()
        self._call_names: dict[str, str] = {}
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._collator = QCollator(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        self._collator.setNumericMode(True)
        self._bold = QFont()
        self._bold.setBold(True)

    # ------------------------------------------------------------ data in

    def set_database(self, db) -> None:
        self._db = db

    def set_rows(self, rows: list[Row], index: dict[str, str] | None = None) -> None:
        self._all = list(rows)
        self._unsearched = None
        if index is not None:
            self._index = index
        if self._sort_column >= 0:
            self._sort_all()
        self._refilter()

    def set_search_index(self, index: dict[str, str]) -> None:
        """The member-name/USCC index arrives after the rows; re-apply a text filter with it."""
        self._index = index
        self._unsearched = None
        if self._filters.text.strip():
            self._refilter()

    def set_call_names(self, names: dict[str, str]) -> None:
        self._call_names = dict(names)
        if self._shown:
            self.dataChanged.emit(self.index(0, COL_CALL), self.index(len(self._shown) - 1, COL_CALL))

    def call_names(self) -> dict[str, str]:
        return self._call_names

    def set_filters(self, filters: Filters) -> None:
        self._filters = Filters(filters.region, filters.call, filters.county, filters.industry, filters.status,
                                filters.text)
        self._refilter()

    def filters(self) -> Filters:
        return Filters(self._filters.region, self._filters.call, self._filters.county, self._filters.industry,
                       self._filters.status, self._filters.text)

    def refresh_application(self, app_id: str) -> Row | None:
        """Re-read one application (after a save) and update, add or drop its row."""
        if self._db is None:
            return None
        from alliance_desk.listing import refresh

        row, entry = refresh(self._db, app_id)
        self.apply_row(app_id, row, entry)
        return row

    def apply_row(self, app_id: str, row: Row | None, index_entry: str | None = None) -> None:
        """Put a freshly loaded row in place (None removes it), keeping the list's order."""
        self._unsearched = None
        if index_entry is not None:
            self._index[app_id] = index_entry
        elif row is None:
            self._index.pop(app_id, None)
        pos_all = next((i for i, r in enumerate(self._all) if r.id == app_id), None)
        if row is None:
            if pos_all is not None:
                del self._all[pos_all]
        elif pos_all is None:
            self._all.insert(0, row)
        else:
            self._all[pos_all] = row
        if self._sort_column >= 0 and row is not None:
            # an edit may change the sorted value (name, time, verdict): the row goes where it sorts
            self._sort_all()
        new_shown = self._filtered()
        old = self._pos.get(app_id)
        if row is not None and old is not None and len(new_shown) == len(self._shown):
            if new_shown[old].id == app_id:
                # the row stays where it is: update in place, selection and scroll position survive
                self._shown = new_shown
                self.dataChanged.emit(self.index(old, 0), self.index(old, len(HEADERS) - 1))
                self._emit_counts()
            else:
                self._move_shown(new_shown)
                self._emit_counts()
            return
        self._set_shown(new_shown)

    # ------------------------------------------------------------ access

    @property
    def all_rows(self) -> list[Row]:
        return self._all

    @property
    def shown_rows(self) -> list[Row]:
        return self._shown

    @property
    def search_index(self) -> dict[str, str]:
        return self._index

    def row_at(self, row: int) -> Row:
        return self._shown[row]

    def app_id_at(self, row: int) -> str:
        return self._shown[row].id

    def row_of(self, app_id: str) -> int:
        """Row number of an application among the shown rows, -1 if filtered out or unknown."""
        return self._pos.get(app_id, -1)

    def find(self, app_id: str) -> Row | None:
        return next((r for r in self._all if r.id == app_id), None)

    def counts(self) -> tuple[int, int, int]:
        return len(self._all), len(self._shown), sum(1 for r in self._shown if r.n_fail)

    # ------------------------------------------------------------ Qt model API

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._shown)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return _tr(HEADERS[section])
            if role == Qt.ItemDataRole.ToolTipRole and section in (COL_FAIL, COL_WARN, COL_MANUAL):
                return _tr("审查清单中该状态的条目数")
        elif role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._shown):
            return None
        r = self._shown[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == AppIdRole:
            return r.id
        if role == RowRole:
            return r
        if role == SortRole:
            return _SORT_KEYS[col](r)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(r, col)
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._foreground(r, col)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_VERDICT:
            return QBrush(ELIGIBLE_BG if r.eligible else INELIGIBLE_BG)
        if role == Qt.ItemDataRole.BackgroundRole and col == COL_NAME and r.duplicate:
            return QBrush(DUPLICATE_BG)
        if role == Qt.ItemDataRole.DecorationRole and col == COL_NAME and r.duplicate:
            return _warning_icon()
        if role == Qt.ItemDataRole.FontRole and col == COL_VERDICT:
            return self._bold
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in NUMERIC:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if col == COL_VERDICT:
                return int(Qt.AlignmentFlag.AlignCenter)
        return None

    def _display(self, r: Row, col: int):
        attr = _SHOWN_AS_IS.get(col)
        if attr is not None:
            return getattr(r, attr)
        if col == COL_CALL:
            return self._call_names.get(r.call_id or "", r.call_id or "")
        if col == COL_SUBMITTED:
            return (r.submitted_at or "").replace("T", " ")
        if col == COL_VERDICT:
            return _tr("符合条件") if r.eligible else _tr("不符合条件")
        return None

    def _tooltip(self, r: Row, col: int):
        if col == COL_NAME and r.duplicate:
            return f"{r.name}\n{r.duplicate}"
        if col == COL_CALL and r.call_id:
            return self._call_names.get(r.call_id, r.call_id)
        if col == COL_VERDICT:
            return _tr("不符合 %1 项 · 提示 %2 项 · 待确认 %3 项").replace("%1", str(r.n_fail)) \
                .replace("%2", str(r.n_warn)).replace("%3", str(r.n_manual))
        text = self._display(r, col)
        return text if isinstance(text, str) and text else None

    @staticmethod
    def _foreground(r: Row, col: int):
        if col == COL_VERDICT:
            return QBrush(ELIGIBLE_FG if r.eligible else INELIGIBLE_FG)
        if col == COL_FAIL and r.n_fail:
            return QBrush(INELIGIBLE_FG)
        if col == COL_WARN and r.n_warn:
            return QBrush(WARN_FG)
        if col == COL_MANUAL and r.n_manual:
            return QBrush(MANUAL_FG)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(HEADERS):
            return
        self._sort_column, self._sort_order = column, order
        self._sort_all()
        self._move_shown(self._filtered())

    def _move_shown(self, rows: list[Row]) -> None:
        """The same rows in a new order: a layout change, so the selection follows its rows."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        ids = [self._shown[p.row()].id if 0 <= p.row() < len(self._shown) else None for p in persistent]
        self._shown = rows
        self._pos = {r.id: i for i, r in enumerate(self._shown)}
        if persistent:
            self.changePersistentIndexList(persistent, [
                self.index(self._pos[i], p.column()) if i in self._pos else QModelIndex()
                for p, i in zip(persistent, ids)])
        self.layoutChanged.emit()

    def sort_column(self) -> tuple[int, Qt.SortOrder]:
        return self._sort_column, self._sort_order

    # ------------------------------------------------------------ internals

    def _sort_all(self) -> None:
        col = self._sort_column
        reverse = self._sort_order == Qt.SortOrder.DescendingOrder
        if col in _TEXT_COLUMNS:
            get = _TEXT_COLUMNS[col] if col != COL_CALL else (
                lambda r: self._call_names.get(r.call_id or "", r.call_id or ""))
            key = self._text_key(get)
        else:
            key = _SORT_KEYS[col]
        # stable sort: ties keep their previous order, so sorting by two columns in turn works
        self._all.sort(key=key, reverse=reverse)

    def _text_key(self, get: Callable[[Row], str]) -> Callable[[Row], Any]:
        # Chinese collation (pinyin) through Qt; sort keys are computed once per distinct value
        cache: dict[str, Any] = {}
        coll = self._collator

        def key(r: Row):
            s = get(r) or ""
            k = cache.get(s)
            if k is None:
                k = cache[s] = coll.sortKey(s)
            return k
        return key

    def _filtered(self) -> list[Row]:
        """apply_filters over all rows. Which rows the search index cannot search changes only with
        the rows or the index, not with each keystroke: it is worked out once and kept."""
        unsearched = None
        if isinstance(self._index, SearchIndex) and self._filters.text.strip():
            if self._unsearched is None:
                self._unsearched = self._index.unsearched(r.id for r in self._all)
            unsearched = self._unsearched
        return apply_filters(self._all, self._filters, self._index, unsearched)

    def _refilter(self) -> None:
        self._set_shown(self._filtered())

    def _set_shown(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self._shown = rows
        self._pos = {r.id: i for i, r in enumerate(rows)}
        self.endResetModel()
        self._emit_counts()

    def _emit_counts(self) -> None:
        self.countsChanged.emit(*self.counts())


_TEXT_COLUMNS: dict[int, Callable[[Row], str]] = {
    COL_NAME: lambda r: r.name, COL_REGION: lambda r: r.region_name, COL_CALL: lambda r: r.call_id or "",
    COL_COUNTY: lambda r: r.county, COL_INDUSTRY: lambda r: r.industry, COL_LEAD: lambda r: r.lead_name,
}
_SORT_KEYS: dict[int, Callable[[Row], Any]] = {
    **_TEXT_COLUMNS,
    COL_MEMBERS: lambda r: r.member_count,
    COL_SUBMITTED: lambda r: r.submitted_at or "",
    COL_FAIL: lambda r: r.n_fail,
    COL_WARN: lambda r: r.n_warn,
    COL_MANUAL: lambda r: r.n_manual,
    COL_VERDICT: lambda r: (r.eligible, -r.n_fail),
}
