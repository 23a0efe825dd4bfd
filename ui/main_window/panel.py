"""The application list panel: filter bar, table, editor tabs, checklist dock and status bar; the
selection and how list and editors share the width.
"""
from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QGridLayout, QHeaderView, QLabel,
                               QPushButton, QSplitter, QStackedWidget, QTableView, QTabWidget, QVBoxLayout, QWidget)

from alliance_desk.listing import STATUS_ELIGIBLE, STATUS_FAIL, STATUS_MANUAL, STATUS_WARN

from ui.list_model import (COL_CALL, COL_COUNTY, COL_FAIL, COL_INDUSTRY, COL_LEAD, COL_MANUAL, COL_MEMBERS,
                           COL_NAME, COL_REGION, COL_SUBMITTED, COL_VERDICT, COL_WARN)
from ui.main_window.common import K_SPLITTER, LIST_WIDTH_WITH_EDITOR, SEARCH_DELAY_MS


# fits a 1366-pixel-wide window without horizontal scrolling
COLUMN_WIDTHS = {COL_NAME: 282, COL_REGION: 60, COL_CALL: 146, COL_COUNTY: 96, COL_INDUSTRY: 116, COL_LEAD: 196,
                 COL_MEMBERS: 56, COL_SUBMITTED: 124, COL_FAIL: 56, COL_WARN: 48, COL_MANUAL: 56,
                 COL_VERDICT: 84}


class _FilterBar(QWidget):
    """The filter combos in one row when the list is wide, in two rows when an editor squeezes it."""

    TWO_ROWS_BELOW = 900

    def __init__(self, label: QLabel, combos: list[QComboBox], button: QPushButton, parent: QWidget):
        super().__init__(parent)
        self._label, self._combos, self._button = label, combos, button
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setHorizontalSpacing(6)
        self._grid.setVerticalSpacing(4)
        self._two_rows: bool | None = None
        self._arrange(False)

    def _arrange(self, two_rows: bool) -> None:
        if two_rows == self._two_rows:
            return
        self._two_rows = two_rows
        for w in [self._label, *self._combos, self._button]:
            self._grid.removeWidget(w)
        for c in range(8):
            self._grid.setColumnStretch(c, 0)
        if two_rows:
            self._label.hide()
            cells = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
            for combo, (r, c) in zip(self._combos, cells):
                self._grid.addWidget(combo, r, c)
            self._grid.addWidget(self._button, 1, 2)
            for c in range(3):
                self._grid.setColumnStretch(c, 1)
        else:
            self._label.show()
            self._grid.addWidget(self._label, 0, 0)
            for i, combo in enumerate(self._combos, start=1):
                self._grid.addWidget(combo, 0, i)
                self._grid.setColumnStretch(i, 1)
            self._grid.addWidget(self._button, 0, len(self._combos) + 1)

    def arrange_for(self, width: int) -> None:
        self._arrange(width < self.TWO_ROWS_BELOW)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.arrange_for(event.size().width())
        super().resizeEvent(event)



class ListPanelMixin:
    """Builds and lays out the list panel, the tabs and the dock; reads and sets the selection."""

    def _combo(self, name: str, all_text: str) -> QComboBox:
        c = QComboBox(self)
        c.setObjectName(name)
        c.addItem(all_text, None)
        c.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        c.setMinimumContentsLength(5)
        c.currentIndexChanged.connect(lambda _i, combo=c: self._combo_changed(combo))
        return c

    def _build_central(self) -> None:
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self.apply_filters_now)

        self.list_panel = QWidget(self)
        self.list_panel.setObjectName("listPanel")
        lay = QVBoxLayout(self.list_panel)
        lay.setContentsMargins(6, 4, 6, 0)
        lay.setSpacing(4)

        self.region_combo = self._combo("regionCombo", self.tr("全部地区"))
        self.call_combo = self._combo("callCombo", self.tr("全部申报批次"))
        self.county_combo = self._combo("countyCombo", self.tr("全部县区"))
        self.status_combo = self._combo("statusCombo", self.tr("全部结论"))
        for text, value in ((self.tr("符合条件"), STATUS_ELIGIBLE), (self.tr("不符合条件"), STATUS_FAIL),
                            (self.tr("有待确认项"), STATUS_MANUAL), (self.tr("有提示项"), STATUS_WARN)):
            self.status_combo.addItem(text, value)
        self.industry_combo = self._combo("industryCombo", self.tr("全部产业领域"))
        self.filter_label = QLabel(self.tr("筛选："), self)
        self.clear_filters_button = QPushButton(self.tr("清除筛选"), self)
        self.clear_filters_button.clicked.connect(self.clear_filters)
        self.filter_bar = _FilterBar(self.filter_label, [self.region_combo, self.call_combo, self.county_combo,
                                                         self.status_combo, self.industry_combo],
                                     self.clear_filters_button, self.list_panel)
        lay.addWidget(self.filter_bar)

        self.view = QTableView(self)
        self.view.setObjectName("applicationList")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.setSortingEnabled(True)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setSortIndicator(COL_SUBMITTED, Qt.SortOrder.DescendingOrder)
        for col, w in COLUMN_WIDTHS.items():
            self.view.setColumnWidth(col, w)
        self.view.doubleClicked.connect(lambda idx: self.open_application(self.model.app_id_at(idx.row())))
        self.view.installEventFilter(self)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._list_menu)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_actions())
        lay.addWidget(self.view, 1)

        self.empty_label = QLabel(self.tr("数据库中还没有申报。请使用「文件 → 新建申报…」录入，"
                                          "或「文件 → 导入申报 JSON…」导入。"), self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.hide()
        lay.addWidget(self.empty_label, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("editorTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.tabCloseRequested.connect(lambda i: self.close_application(self._app_id_of_tab(i)))
        self.tabs.currentChanged.connect(self._tab_changed)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.list_panel)
        self.splitter.addWidget(self.tabs)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.setCentralWidget(self.splitter)

    def _build_dock(self) -> None:
        self.checklist_dock = QDockWidget(self.tr("审查清单"), self)
        self.checklist_dock.setObjectName("checklistDock")
        self.checklist_dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea
                                            | Qt.DockWidgetArea.RightDockWidgetArea)
        self.checklist_stack = QStackedWidget(self.checklist_dock)
        self.checklist_dock.setWidget(self.checklist_stack)
        self.checklist_dock.visibilityChanged.connect(self._dock_visibility_changed)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.checklist_dock)
        self.resizeDocks([self.checklist_dock], [340], Qt.Orientation.Horizontal)

    def _build_statusbar(self) -> None:
        sb = self.statusBar()
        self.counts_label = QLabel(self)
        self.counts_label.setObjectName("countsLabel")
        self.db_label = QLabel(self)
        self.db_label.setObjectName("dbLabel")
        self.db_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sb.addPermanentWidget(self.counts_label)
        sb.addPermanentWidget(self.db_label)
        self._show_counts(0, 0, 0)

    # ================================================================ selection

    def selected_application_ids(self) -> list[str]:
        sm = self.view.selectionModel()
        rows = sorted({i.row() for i in sm.selectedRows()}) if sm else []
        return [self.model.app_id_at(r) for r in rows if r < self.model.rowCount()]

    def _select_ids(self, ids: list[str]) -> None:
        sm = self.view.selectionModel()
        first = True
        for app_id in ids:
            r = self.model.row_of(app_id)
            if r < 0:
                continue
            flags = QItemSelectionModel.SelectionFlag.Rows | (
                QItemSelectionModel.SelectionFlag.ClearAndSelect if first else QItemSelectionModel.SelectionFlag.Select)
            sm.select(self.model.index(r, 0), flags)
            if first:
                sm.setCurrentIndex(self.model.index(r, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
                self.view.scrollTo(self.model.index(r, 0))
            first = False

    def select_application(self, app_id: str) -> bool:
        if self.model.row_of(app_id) < 0:
            return False
        self._select_ids([app_id])
        return True

    def current_application_id(self) -> str | None:
        """The application an action applies to: the list selection when the list has focus or no
        editor is open, else the application in the current tab."""
        list_focus = self.view.hasFocus() or not self._open
        selected = self.selected_application_ids()
        if list_focus and selected:
            return selected[0]
        tab_id = self._app_id_of_tab(self.tabs.currentIndex())
        return tab_id or (selected[0] if selected else None)

    # ================================================================ layout

    def _sync_layout(self) -> None:
        has = bool(self._open)
        self.tabs.setVisible(has)
        self.list_panel.setVisible(self._want_list or not has)
        self._syncing_dock = True
        try:
            self.checklist_dock.setVisible(has and self._want_checklist)
        finally:
            self._syncing_dock = False

    def _size_splitter(self) -> None:
        if not self._open:
            return
        state = self.settings.value(K_SPLITTER)
        if state and self.splitter.restoreState(state):
            self.tabs.setVisible(True)
            sizes = self.splitter.sizes()
            if len(sizes) == 2 and all(s > 50 for s in sizes):
                return
        total = max(self.splitter.width(), 800)
        self.splitter.setSizes([LIST_WIDTH_WITH_EDITOR, total - LIST_WIDTH_WITH_EDITOR])

    def _set_list_wanted(self, on: bool) -> None:
        self._want_list = on
        self._sync_layout()

    def _set_checklist_wanted(self, on: bool) -> None:
        self._want_checklist = on
        self._sync_layout()

    def _dock_visibility_changed(self, visible: bool) -> None:
        # the user closed the dock with its own button: remember that
        if not self._syncing_dock and self._open and not visible and self.checklist_dock.isHidden():
            self._want_checklist = False
            self.act_show_checklist.blockSignals(True)
            self.act_show_checklist.setChecked(False)
            self.act_show_checklist.blockSignals(False)
