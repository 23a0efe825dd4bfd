"""The assignment grid's table model (application x expert): each cell's state, colour, tooltip with
the conflict reasons, and the pair behind a cell.
"""
from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from alliance_desk import review as rv

from ui.review.common import STATE_COLORS, _fmt, _t


# ------------------------------------------------------------------ assignment grid model

class GridModel(QAbstractTableModel):
    """Rows: applications; columns: experts, then the number of experts of the application."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.grid: rv.Grid | None = None

    def set_grid(self, grid: rv.Grid | None) -> None:
        self.beginResetModel()
        self.grid = grid
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.round.applications)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() or self.grid is None else len(self.grid.round.experts) + 1

    def pair(self, row: int, col: int) -> tuple[str, str] | None:
        g = self.grid
        if g is None or col >= len(g.round.experts):
            return None
        return g.round.applications[row].id, g.round.experts[col].expert.id

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        g = self.grid
        if g is None:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if section >= len(g.round.experts):
                return _t("专家数") if role == Qt.ItemDataRole.DisplayRole else None
            x = g.round.experts[section]
            if role == Qt.ItemDataRole.DisplayRole:
                tag = "" if x.role == rv.ROLE_PRIMARY else _t("（备选）")
                return f"{x.expert.name}{tag}\n{_t('负担')} {g.load(x.expert.id)}"
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{x.expert.name}（{x.expert.unit}）{x.expert.field or ''}"
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return g.round.applications[section].name
        if role == Qt.ItemDataRole.ToolTipRole:
            a = g.round.applications[section]
            return f"{a.name}\n{_t('牵头单位')}：{a.lead}\n{a.id}"
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        g = self.grid
        if g is None or not index.isValid():
            return None
        app = g.round.applications[index.row()]
        if index.column() >= len(g.round.experts):
            n = g.count(app.id)
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{n}/{g.round.per_application}"
            if role == Qt.ItemDataRole.ForegroundRole and n < g.round.per_application:
                return QBrush(QColor("#b71c1c"))
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return Qt.AlignmentFlag.AlignCenter
            return None
        cell = g.cell(*self.pair(index.row(), index.column()))
        if role == Qt.ItemDataRole.DisplayRole:
            return {"assigned": "✓", "scored": f"{_t('已评')} {_fmt(cell.total)}", "conflict": _t("回避"),
                    "conflict_assigned": _t("回避！"), "free": ""}[cell.state]
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(STATE_COLORS[cell.state])
        if role == Qt.ItemDataRole.ToolTipRole and cell.reasons:
            return "\n".join(cell.reasons)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        if role == Qt.ItemDataRole.UserRole:
            return cell.state
        return None


# ------------------------------------------------------------------ chart
