"""The lifecycle dashboard: 30 天内到期 / 已逾期 / 有取消资格风险 / 本年度届满 across alliances; one click
on a row emits `openApplication(app_id)`."""
from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QTreeWidget, QTreeWidgetItem,
                               QVBoxLayout, QWidget)

from alliance_desk import lifecycle as lc
from ui.lifecycle.common import _date_edit, from_qdate, to_qdate, translate

AppRole = Qt.ItemDataRole.UserRole + 1  # the application id on a row


class Dashboard(QWidget):
    """Four groups as of a date; one click on a row opens the alliance (`openApplication`)."""

    openApplication = Signal(str)

    GROUPS = (("due_soon", "{0} 天内到期"), ("overdue", "已逾期"), ("at_risk", "有取消资格风险"),
              ("expiring", "本年度届满"))

    def __init__(self, db, on: date | None = None, within: int = lc.DEFAULT_WITHIN_DAYS, parent=None):
        super().__init__(parent)
        self.db, self.within = db, within
        self.data: lc.Dashboard | None = None
        self.title = QLabel()
        f = self.title.font()
        f.setPointSizeF(f.pointSizeF() * 1.25)
        f.setBold(True)
        self.title.setFont(f)
        self.date = _date_edit(on or date.today())
        self.date.dateChanged.connect(lambda _q: self.refresh())
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels([translate("Lifecycle", "联盟"), translate("Lifecycle", "地区"),
                                   translate("Lifecycle", "事项 / 原因"), translate("Lifecycle", "日期")])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        hh = self.tree.header()
        hh.setStretchLastSection(False)
        hh.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        hh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        hh.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.itemActivated.connect(self._clicked)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(QLabel(translate("Lifecycle", "截至")))
        top.addWidget(self.date)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        self.group_items: dict[str, QTreeWidgetItem] = {}
        self.refresh()

    @property
    def on(self) -> date:
        return from_qdate(self.date.date())

    def set_date(self, on: date) -> None:
        self.date.setDate(to_qdate(on))  # refreshes through dateChanged

    def refresh(self) -> None:
        with self.db.Session() as s:
            self.data = d = lc.dashboard(s, self.on, self.within)
        self.title.setText(translate("Lifecycle", "认定后管理看板"))
        self.tree.clear()
        self.group_items = {}
        bold = QFont(self.tree.font())
        bold.setBold(True)
        colors = {"due_soon": "#e65100", "overdue": "#c62828", "at_risk": "#b71c1c", "expiring": "#1565c0"}
        for key, label in self.GROUPS:
            rows = getattr(d, key)
            g = QTreeWidgetItem([translate("Lifecycle", label).format(d.within) + f"（{len(rows)}）"])
            g.setFirstColumnSpanned(True)
            g.setFont(0, bold)
            g.setForeground(0, QBrush(QColor(colors[key])))
            g.setFlags(Qt.ItemFlag.ItemIsEnabled)
            for c in range(4):
                g.setBackground(c, QBrush(QColor("#f3f6fa")))
            self.tree.addTopLevelItem(g)
            g.setFirstColumnSpanned(True)
            self.group_items[key] = g
            for r in rows:
                if key in ("due_soon", "overdue"):
                    when = translate("Lifecycle", "还有 {0} 天").format(r.days) if key == "due_soon" else \
                        translate("Lifecycle", "逾期 {0} 天").format(-r.days)
                    cols = [r.alliance, lc.config(r.region).region_name, f"{r.period_label} {r.name}",
                            f"{r.due}（{when}）"]
                    app = r.application_id
                    tip = f"{r.clause}\n{r.reading}"
                elif key == "at_risk":
                    cols = [r.name, r.region_name, f"{r.state_label}：{r.risk_text()}", ""]
                    app, tip = r.application_id, r.risk_text()
                else:
                    cols = [r.name, r.region_name, translate("Lifecycle", "有效期届满"), r.expires_on.isoformat()]
                    app, tip = r.application_id, lc.config(r.region).validity_reading
                item = QTreeWidgetItem(cols)
                item.setData(0, AppRole, app)
                for c in range(4):
                    item.setToolTip(c, tip)
                g.addChild(item)
            if not rows:
                empty = QTreeWidgetItem([translate("Lifecycle", "（无）")])
                empty.setFlags(Qt.ItemFlag.NoItemFlags)
                g.addChild(empty)
            g.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        self.tree.setColumnWidth(0, min(max(self.tree.columnWidth(0), 200), 320))

    def rows(self, group: str) -> list[QTreeWidgetItem]:
        g = self.group_items[group]
        return [g.child(i) for i in range(g.childCount()) if g.child(i).data(0, AppRole)]

    def _clicked(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        app = item.data(0, AppRole)
        if app:
            self.openApplication.emit(app)
