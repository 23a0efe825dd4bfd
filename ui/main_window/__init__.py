"""The main window: application list with filters, editors in tabs, the checklist dock.

Every dialog is a thin wrapper around a method that takes paths or ids (`import_json_files`,
`export_json_to`, `open_database_path`, `import_members_from`, …), so tests and scripts drive the
window without file dialogs. Database work goes through `alliance_desk` services; lists load in
the background and come back to the GUI thread through `ui.workers`.
"""
from __future__ import annotations

import getpass
import html
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QItemSelectionModel, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QKeySequence, QUndoGroup, QUndoStack
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QGridLayout, QHeaderView,
                               QLabel, QLineEdit, QMainWindow, QMenu, QMessageBox, QPushButton, QSizePolicy,
                               QSplitter, QStackedWidget, QStyle, QTableView, QTabWidget, QToolBar, QVBoxLayout,
                               QWidget)

from alliance_desk import __version__
from alliance_desk.listing import (FIRST_PAGE, STATUS_ELIGIBLE, STATUS_FAIL, STATUS_MANUAL, STATUS_WARN, Filters,
                                   Row, distinct_values)

from ui import file_dialogs
from ui.list_model import (COL_CALL, COL_COUNTY, COL_FAIL, COL_INDUSTRY, COL_LEAD, COL_MANUAL, COL_MEMBERS,
                         COL_NAME, COL_REGION, COL_SUBMITTED, COL_VERDICT, COL_WARN, ApplicationListModel)
from ui.workers import Task, run_in_background

if TYPE_CHECKING:  # imported when the first application opens (start-up speed)
    from ui.checklist import ChecklistPanel
    from ui.editor import ApplicationEditor

MAX_RECENT = 8
SEARCH_DELAY_MS = 120
LIST_WIDTH_WITH_EDITOR = 380

K_GEOMETRY, K_STATE, K_HEADER = "window/geometry", "window/state", "list/header"
K_SPLITTER, K_RECENT, K_USER = "window/splitter", "recentDatabases", "user/name"
K_SHOW_CHECKLIST, K_SHOW_LIST = "view/checklist", "view/list"

# fits a 1366-pixel-wide window without horizontal scrolling
COLUMN_WIDTHS = {COL_NAME: 282, COL_REGION: 60, COL_CALL: 146, COL_COUNTY: 96, COL_INDUSTRY: 116, COL_LEAD: 196,
                 COL_MEMBERS: 56, COL_SUBMITTED: 124, COL_FAIL: 56, COL_WARN: 48, COL_MANUAL: 56,
                 COL_VERDICT: 84}


def _as_bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)


@dataclass
class _Open:
    """An application open in a tab."""
    app_id: str
    editor: ApplicationEditor
    panel: ChecklistPanel
    undo_stack: QUndoStack


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


class MainWindow(QMainWindow):
    """Alliance Desk's main window. `db` is a `db.session.Database` (or None until one is opened with
    `set_database`); `settings` defaults to the user's QSettings (tests pass one on a temp ini file)."""

    firstRowsShown = Signal(int)      # the first rows are on screen (the rest still loading)
    listLoaded = Signal(int)          # rows loaded (the list is usable)
    indexLoaded = Signal()            # member-name/USCC search index ready
    databaseChanged = Signal(str)     # label (path) of the database now shown
    applicationOpened = Signal(str)
    applicationCreated = Signal(str)
    importFinished = Signal(object)   # ImportReport
    firstPainted = Signal()

    def __init__(self, db, settings: QSettings | None = None, user: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.db = None
        self._owned_db = False
        self.settings = settings if settings is not None else QSettings()
        self.user = user or str(self.settings.value(K_USER, "") or "") or _login_name()
        self.index_ready = False
        self.list_ready = False
        self.last_message: QMessageBox | None = None
        self.wizard = None
        self._load_gen = 0
        self._seen_change: int | None = None  # newest audit row this window's list reflects
        self._polling = False
        self._painted = False
        self._syncing_dock = False
        self._open: dict[str, _Open] = {}
        self._tools: dict[str, QMainWindow] = {}  # review, reviewer mode, dashboard: one window each
        self._want_checklist = _as_bool(self.settings.value(K_SHOW_CHECKLIST), True)
        self._want_list = _as_bool(self.settings.value(K_SHOW_LIST), True)

        self.model = ApplicationListModel(parent=self)
        self.undo_group = QUndoGroup(self)
        self._build_actions()
        self._build_central()
        self._build_dock()
        self._build_menus()
        self._build_toolbar()
        self._build_statusbar()
        from ui.forms import install_forms

        install_forms(self)  # Word application forms: menu items and dropping files on the list
        self.model.countsChanged.connect(self._show_counts)
        self._default_size()
        self._restore_settings()
        self._sync_layout()
        self._update_actions()
        # other seats (a shared PostgreSQL server, or a CLI import beside a read-only seat) change
        # the data too: a one-row read of the audit trail's head tells when, and what
        self.change_timer = QTimer(self)
        self.change_timer.setInterval(self.CHANGE_POLL_MS)
        self.change_timer.timeout.connect(self.poll_changes)
        self.change_timer.start()
        if db is not None:
            self.set_database(db)
        else:
            self._show_db_label()

    # ================================================================ building

    def _act(self, text: str, slot, shortcut=None, icon: QStyle.StandardPixmap | None = None,
             icon_text: str | None = None, tip: str | None = None) -> QAction:
        a = QAction(text, self)
        if shortcut is not None:
            a.setShortcut(QKeySequence(shortcut))
        if icon is not None:
            a.setIcon(self.style().standardIcon(icon))
        if icon_text:
            a.setIconText(icon_text)
        if tip:
            a.setStatusTip(tip)
            a.setToolTip(tip)
        a.triggered.connect(lambda _checked=False: slot())
        return a

    def _build_actions(self) -> None:
        SP = QStyle.StandardPixmap
        self.act_new = self._act(self.tr("新建申报…"), self.new_application, QKeySequence.StandardKey.New,
                                 SP.SP_FileIcon, self.tr("新建"), self.tr("新建一份联盟申报"))
        self.act_open_db = self._act(self.tr("打开数据库…"), self.open_database_dialog, QKeySequence.StandardKey.Open,
                                     SP.SP_DirOpenIcon, self.tr("打开"))
        self.act_import_json = self._act(self.tr("导入申报 JSON…"), self.import_json_dialog, "Ctrl+I",
                                         SP.SP_DialogOpenButton, self.tr("导入"), self.tr("导入交换格式的申报 JSON 文件"))
        self.act_export_json = self._act(self.tr("导出申报 JSON…"), self.export_json_dialog, "Ctrl+E",
                                         SP.SP_DialogSaveButton, self.tr("导出"), self.tr("把选中的申报导出为 JSON"))
        self.act_import_members = self._act(self.tr("导入成员名单（Excel）…"), self.import_members_dialog)
        self.act_export_members = self._act(self.tr("导出成员名单（Excel）…"), self.export_members_dialog)
        self.act_quit = self._act(self.tr("退出"), self.close, QKeySequence.StandardKey.Quit)
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.act_undo = self._act(self.tr("撤销"), self.undo, QKeySequence.StandardKey.Undo, SP.SP_ArrowBack,
                                  self.tr("撤销"))
        self.act_redo = self._act(self.tr("重做"), self.redo, QKeySequence.StandardKey.Redo, SP.SP_ArrowForward,
                                  self.tr("重做"))
        self.act_delete = self._act(self.tr("删除申报"), self.delete_selected_dialog, None, SP.SP_TrashIcon,
                                    self.tr("删除"), self.tr("从数据库中删除选中的申报"))
        self.act_open_app = self._act(self.tr("打开申报"), self.open_selected)
        self.act_close_tab = self._act(self.tr("关闭申报"), self.close_current_tab, QKeySequence.StandardKey.Close)
        self.act_find = self._act(self.tr("搜索"), self.focus_search, QKeySequence.StandardKey.Find)
        self.act_reload = self._act(self.tr("刷新列表"), self.reload_list, QKeySequence.StandardKey.Refresh)
        self.act_review = self._act(self.tr("专家评审…"), lambda: self.open_tool("review"), "Ctrl+Shift+R")
        self.act_reviewer = self._act(self.tr("评审专家模式（打开评审包评分）…"), lambda: self.open_tool("reviewer"))
        self.act_exports = self._act(self.tr("导出文书（推荐表、申请表、公示、证书）…"), self.open_exports, "Ctrl+Shift+E")
        self.act_procedure = self._act(self.tr("办理进度与认定后义务…"), self.open_procedure, "Ctrl+Shift+P")
        self.act_dashboard = self._act(self.tr("认定后管理看板…"), lambda: self.open_tool("dashboard"), "Ctrl+Shift+D")
        self.act_history = self._act(self.tr("修改历史（审计记录）…"), self.open_history, "Ctrl+Shift+H")
        self.act_calls = self._act(self.tr("申报批次…"), self.open_calls)
        self.act_about = self._act(self.tr("关于"), self.about_dialog)
        self.act_about.setMenuRole(QAction.MenuRole.AboutRole)

        self.act_show_list = QAction(self.tr("申报列表"), self, checkable=True)
        self.act_show_list.setChecked(self._want_list)
        self.act_show_list.toggled.connect(self._set_list_wanted)
        self.act_show_checklist = QAction(self.tr("审查清单"), self, checkable=True)
        self.act_show_checklist.setShortcut(QKeySequence("F9"))
        self.act_show_checklist.setChecked(self._want_checklist)
        self.act_show_checklist.toggled.connect(self._set_checklist_wanted)

        self.undo_group.canUndoChanged.connect(lambda _b: self._update_actions())
        self.undo_group.canRedoChanged.connect(lambda _b: self._update_actions())
        self.undo_group.undoTextChanged.connect(lambda _t: self._update_actions())
        self.undo_group.redoTextChanged.connect(lambda _t: self._update_actions())

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(self.tr("文件(&F)"))
        m.addAction(self.act_new)
        m.addSeparator()
        m.addAction(self.act_open_db)
        self.recent_menu = m.addMenu(self.tr("最近打开的数据库"))
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self._fill_recent_menu()
        m.addSeparator()
        m.addAction(self.act_import_json)
        m.addAction(self.act_export_json)
        m.addSeparator()
        m.addAction(self.act_import_members)
        m.addAction(self.act_export_members)
        m.addSeparator()
        m.addAction(self.act_close_tab)
        m.addAction(self.act_quit)
        self.file_menu = m

        m = mb.addMenu(self.tr("编辑(&E)"))
        m.addAction(self.act_undo)
        m.addAction(self.act_redo)
        m.addSeparator()
        m.addAction(self.act_find)
        m.addSeparator()
        m.addAction(self.act_delete)
        self.edit_menu = m

        m = mb.addMenu(self.tr("视图(&V)"))
        m.addAction(self.act_show_list)
        m.addAction(self.act_show_checklist)
        m.addSeparator()
        m.addAction(self.act_reload)
        self.view_menu = m

        m = mb.addMenu(self.tr("办理(&W)"))
        m.addAction(self.act_calls)
        m.addSeparator()
        m.addAction(self.act_procedure)
        m.addAction(self.act_dashboard)
        m.addAction(self.act_history)
        m.addSeparator()
        m.addAction(self.act_review)
        m.addAction(self.act_reviewer)
        m.addSeparator()
        m.addAction(self.act_exports)
        self.work_menu = m

        m = mb.addMenu(self.tr("帮助(&H)"))
        m.addAction(self.act_about)
        self.help_menu = m

    def _build_toolbar(self) -> None:
        tb = QToolBar(self.tr("常用操作"), self)
        tb.setObjectName("mainToolBar")
        tb.setMovable(False)
        tb.setIconSize(QSize(18, 18))
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        for a in (self.act_new, self.act_import_json, self.act_export_json, self.act_delete):
            tb.addAction(a)
        tb.addSeparator()
        tb.addAction(self.act_undo)
        tb.addAction(self.act_redo)
        spacer = QWidget(tb)
        spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        tb.addWidget(spacer)
        self.search_edit = QLineEdit(tb)
        self.search_edit.setObjectName("searchEdit")
        self.search_edit.setPlaceholderText(self.tr("搜索联盟、成员单位或统一社会信用代码"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(300)
        self.search_edit.setMaximumWidth(420)
        self.search_edit.addAction(self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogContentsView),
                                   QLineEdit.ActionPosition.LeadingPosition)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters_now)
        self.search_edit.installEventFilter(self)
        tb.addWidget(self.search_edit)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, tb)
        self.toolbar = tb

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

    # ================================================================ settings

    def _default_size(self) -> None:
        """1366×768 (the smallest common office laptop screen), or the screen if it is smaller."""
        w, h = 1366, 768
        screen = self.screen()
        if screen is not None:
            avail = screen.availableGeometry()
            w, h = min(w, avail.width()), min(h, avail.height())
        self.resize(w, h)

    def _restore_settings(self) -> None:
        s = self.settings
        geo = s.value(K_GEOMETRY)
        if geo:
            self.restoreGeometry(geo)
        state = s.value(K_STATE)
        if state:
            self.restoreState(state)
        header = s.value(K_HEADER)
        if header:
            self.view.horizontalHeader().restoreState(header)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue(K_GEOMETRY, self.saveGeometry())
        s.setValue(K_STATE, self.saveState())
        s.setValue(K_HEADER, self.view.horizontalHeader().saveState())
        if self._open and self.list_panel.isVisible():
            s.setValue(K_SPLITTER, self.splitter.saveState())
        s.setValue(K_SHOW_CHECKLIST, self._want_checklist)
        s.setValue(K_SHOW_LIST, self._want_list)
        s.sync()

    def recent_databases(self) -> list[str]:
        value = self.settings.value(K_RECENT) or []
        if isinstance(value, str):
            value = [value]
        return [str(v) for v in value if v][:MAX_RECENT]

    def _add_recent(self, path: str) -> None:
        items = [p for p in self.recent_databases() if p != path]
        items.insert(0, path)
        self.settings.setValue(K_RECENT, items[:MAX_RECENT])
        self.settings.sync()

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        items = self.recent_databases()
        for i, path in enumerate(items, start=1):
            a = self.recent_menu.addAction(f"&{i} {path}")
            a.triggered.connect(lambda _c=False, p=path: self.open_database_path(p))
        if not items:
            a = self.recent_menu.addAction(self.tr("（无）"))
            a.setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("清除列表"), self._clear_recent)

    def _clear_recent(self) -> None:
        self.settings.setValue(K_RECENT, [])

    # ================================================================ database and list

    def set_database(self, db, owned: bool = False, preloaded: tuple | None = None) -> bool:
        """Show `db` (a db.session.Database). Open editors are saved and closed first. `owned`: the
        window disposes of it when done. `preloaded`: (first rows, call names) already read from it.
        Returns False (and keeps the current database) when an open editor could not be saved."""
        if not self.close_all_applications():
            return False
        if self.db is not None and self._owned_db and self.db is not db:
            self.db.dispose()
        self.db, self._owned_db = db, owned
        self.model.set_database(db)
        self.model.set_rows([], {})
        self.list_ready = self.index_ready = False
        path = self._db_path()
        if path:
            self._add_recent(path)
        self._show_db_label()
        self._update_actions()
        if self.read_only:  # the title, the database label and the greyed-out actions say it too
            self.statusBar().showMessage(self.tr("数据库正被他人使用，已只读打开：可以查看、导出，不能修改"))
        self._warn_broken_versions()
        self.databaseChanged.emit(self.db_label.text())
        if preloaded is not None:  # the first rows, read while the window was painted
            self._first_rows_loaded(*preloaded)
        self.reload_list()
        return True

    @property
    def read_only(self) -> bool:
        """The open database cannot be written (opened read-only beside another seat's writer)."""
        return bool(getattr(self.db, "read_only", False))

    def _db_path(self) -> str | None:
        if self.db is None or not str(self.db.url).startswith("sqlite"):
            return None
        label = self.db.label
        return label if label and label != ":memory:" else None

    def _show_db_label(self) -> None:
        if self.db is None:
            self.db_label.setText(self.tr("未打开数据库"))
            self._set_title(self.tr("产业技术创新联盟申报审查"))
            return
        label = self.db.label
        ro = self.tr("（只读）") if self.read_only else ""
        self.db_label.setText(label + ro)
        self.db_label.setToolTip(label + (self.tr("\n只读：可以查看、导出，不能修改") if ro else ""))
        name = Path(label).name if self._db_path() else label
        self._set_title(self.tr("{name}{ro} — 产业技术创新联盟申报审查").format(name=name, ro=ro))

    def _set_title(self, text: str) -> None:
        # X11 and Windows append " — <display name>" (ui/app.py sets APP_DISPLAY_NAME) unless the
        # title already ends with it: end with it here, so the name is shown once on every platform
        self.setWindowTitle(f"{text} — {APP_DISPLAY_NAME}")

    def open_database_dialog(self) -> None:
        path = file_dialogs.open_file(self, "database", self.tr("打开数据库"),
                                      self.tr("Alliance Desk 数据库 (*.sqlite *.db);;所有文件 (*)"), self.settings)
        if path:
            self.open_database_path(path)

    def open_database_path(self, path: str | Path) -> bool:
        """Open (creating or migrating if needed) the SQLite database at `path` and show it, the same
        guarded way as at start-up: the writer's lock (in use elsewhere: read-only or cancel), the
        crash check and the day's backup."""
        from ui import safety

        current = self._db_path()
        if current and Path(current).resolve() == Path(path).resolve():
            return True  # already open here; taking its lock again would find ourselves "in use"

        def ask_in_use(info, file, parent):
            return safety.ask_in_use(info, file, parent, leave=self.tr("取消"))

        def error(parent, title, text):
            self._error(title, text)

        try:
            db = safety.guard_open(path, self, ask_in_use=ask_in_use, error=error)
        except Exception as exc:  # noqa: BLE001 - any failure: tell the clerk, keep the current database
            self._error(self.tr("无法打开数据库"), self.tr("无法打开数据库 {path}：{err}").format(
                path=path, err=exc), traceback.format_exc())
            return False
        if db is None:
            return False
        if not self.set_database(db, owned=True):
            db.dispose()
            return False
        return True

    #: rows painted at start-up before the whole list has been read (the newest submissions)
    FIRST_PAGE = FIRST_PAGE

    def reload_list(self) -> Task | None:
        """Load rows (one query) in the background, then the search index. An empty list (start-up,
        another database) first shows the newest FIRST_PAGE rows, read through an index, while the
        rest loads: a large archive shows something at once."""
        if self.db is None:
            return None
        from alliance_desk import listing

        self._load_gen += 1
        gen, db = self._load_gen, self.db

        def work():
            head = listing.changes_since(db, None).head  # before the rows: a change in between is seen again
            return listing.load_list(db), listing.stored_call_names(db), head

        def load_all() -> Task:
            return run_in_background(work, on_done=lambda res: self._rows_loaded(gen, *res),
                                     on_error=lambda exc: self._load_failed(gen, exc), parent=self)

        if self.model.all_rows or not self.current_filters().is_empty():
            return load_all()
        first = self.FIRST_PAGE

        def first_done(res) -> None:
            if gen != self._load_gen:  # superseded, or the window was closed
                return
            if not self.list_ready:
                self._first_rows_loaded(*res)
            load_all()

        return run_in_background(lambda: (listing.load_first(db, first), listing.stored_call_names(db)),
                                 on_done=first_done, on_error=lambda exc: self._load_failed(gen, exc), parent=self)

    def _first_rows_loaded(self, rows: list[Row], call_names: dict[str, str]) -> None:
        """Show the first rows; sorting, filters and counts wait for the whole list."""
        self.model.set_call_names(call_names)
        self.model.set_rows(rows)
        QTimer.singleShot(0, lambda: self.firstRowsShown.emit(len(rows)))

    def _rows_loaded(self, gen: int, rows: list[Row], call_names: dict[str, str], head: int | None = None) -> None:
        if gen != self._load_gen:
            return
        from alliance_desk import listing

        self._seen_change = head

        keep = self.selected_application_ids()
        self.model.set_call_names(call_names)
        col, order = self.view.horizontalHeader().sortIndicatorSection(), \
            self.view.horizontalHeader().sortIndicatorOrder()
        if self.model.sort_column()[0] < 0 and 0 <= col:
            self.model.sort(col, order)
        self.model.set_rows(rows)
        self._fill_combos()
        self.model.set_filters(self.current_filters())
        self._select_ids(keep)
        self.list_ready = True
        self._show_counts(*self.model.counts())
        self.listLoaded.emit(len(rows))
        db = self.db
        run_in_background(lambda: listing.load_index(db), on_done=lambda idx: self._index_loaded(gen, idx),
                          on_error=lambda exc: self._load_failed(gen, exc), parent=self)

    # ================================================================ other seats' changes

    CHANGE_POLL_MS = 5000

    def poll_changes(self) -> Task | None:
        """Look (in the background) for what other seats changed since the list was read; update
        those rows in place, and reload open editors that have nothing unsaved."""
        if self.db is None or self._polling or not self.list_ready:
            return None
        from alliance_desk import listing

        db, gen, after = self.db, self._load_gen, self._seen_change
        self._polling = True

        def done(changes) -> None:
            self._polling = False
            if gen == self._load_gen and self.db is db:
                self._apply_changes(changes, first=after is None)

        def failed(_exc) -> None:  # a dropped connection is retried at the next tick, quietly
            self._polling = False

        return run_in_background(lambda: listing.changes_since(db, after), on_done=done, on_error=failed,
                                 parent=self)

    def _apply_changes(self, changes, first: bool = False) -> None:
        self._seen_change = changes.head
        if first or not changes.any:
            return
        if changes.rows is None:  # much changed at once (a big import elsewhere): read the list again
            self.reload_list()
            return
        names, gone = [], []
        for app_id, (row, entry) in changes.rows.items():
            self.model.apply_row(app_id, row, entry)
            if app_id not in self._open:
                continue
            if row is None:
                gone.append(self._open[app_id].editor.doc().get("name") or app_id)
            elif self._refresh_editor_from_elsewhere(app_id, changes.versions.get(app_id)):
                names.append(row.name)
        if gone:
            self.statusBar().showMessage(self.tr("「{names}」已被其他座席删除；在本窗口继续编辑并保存会重新建立这份申报").format(
                names="」「".join(_short(n) for n in gone)), 15000)
        elif names:
            self.statusBar().showMessage(self.tr("其他座席更新了「{names}」，已重新载入").format(
                names="」「".join(_short(n) for n in names)), 10000)

    def _refresh_editor_from_elsewhere(self, app_id: str, version: int | None) -> bool:
        """Reload an open editor whose application another seat saved (True when reloaded). One
        with unsaved edits is left alone: its next save is refused and offers to re-apply them."""
        o = self._open.get(app_id)
        if o is None or version is None or o.editor.has_unsaved_changes():
            return False
        if version <= o.editor.version:
            return False  # this window's own save, or a change that left the document as it was
        self._reload_editor(app_id)
        return True

    def _index_loaded(self, gen: int, index: dict[str, str]) -> None:
        if gen != self._load_gen:
            return
        self.model.set_search_index(index)
        self.index_ready = True
        self.indexLoaded.emit()

    def _load_failed(self, gen: int, exc: BaseException) -> None:
        if gen != self._load_gen:
            return
        self._error(self.tr("无法读取申报列表"), self.tr("读取数据库失败：{err}").format(err=exc),
                    getattr(exc, "__traceback_text__", ""))

    # ================================================================ filters

    def current_filters(self) -> Filters:
        return Filters(region=self.region_combo.currentData(), call=self.call_combo.currentData(),
                       county=self.county_combo.currentData(), industry=self.industry_combo.currentData(),
                       status=self.status_combo.currentData(), text=self.search_edit.text())

    def set_filters(self, f: Filters) -> None:
        """Put `f` into the filter widgets and apply it (values not present are ignored)."""
        self._set_combo(self.region_combo, f.region)
        self._fill_combos()
        for combo, value in ((self.call_combo, f.call), (self.county_combo, f.county),
                             (self.industry_combo, f.industry), (self.status_combo, f.status)):
            self._set_combo(combo, value)
        self.search_edit.blockSignals(True)
        self.search_edit.setText(f.text)
        self.search_edit.blockSignals(False)
        self.apply_filters_now()

    @staticmethod
    def _set_combo(combo: QComboBox, value) -> None:
        i = combo.findData(value) if value is not None else 0
        combo.blockSignals(True)
        combo.setCurrentIndex(max(i, 0))
        combo.blockSignals(False)

    def clear_filters(self) -> None:
        self.set_filters(Filters())

    def apply_filters_now(self) -> None:
        self._search_timer.stop()
        keep = self.selected_application_ids()
        self.model.set_filters(self.current_filters())
        self._select_ids(keep)

    def _combo_changed(self, combo: QComboBox) -> None:
        if combo is self.region_combo:
            self._fill_combos()
        self.apply_filters_now()

    def _fill_combos(self) -> None:
        rows = self.model.all_rows
        choices = distinct_values(rows)
        self._refill(self.region_combo, [(name, rid) for rid, name in choices.regions])
        region = self.region_combo.currentData()
        if region:
            choices = distinct_values(r for r in rows if r.region == region)
        names = self.model.call_names()
        self._refill(self.call_combo, [(names.get(c, c), c) for c in choices.calls])
        self._refill(self.county_combo, [(c, c) for c in choices.counties])
        self._refill(self.industry_combo, [(c, c) for c in choices.industries])

    @staticmethod
    def _refill(combo: QComboBox, items: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        while combo.count() > 1:
            combo.removeItem(1)
        for text, value in items:
            combo.addItem(text, value)
            combo.setItemData(combo.count() - 1, text, Qt.ItemDataRole.ToolTipRole)
        i = combo.findData(current) if current is not None else 0
        combo.setCurrentIndex(max(i, 0))
        combo.blockSignals(False)

    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    def _show_counts(self, total: int, shown: int, failing: int) -> None:
        if not self.list_ready and total:  # the first page only: the totals are not known yet
            self.counts_label.setText(self.tr("正在读取全部申报… 先显示最新提交的 {shown} 份").format(shown=shown))
        else:
            self.counts_label.setText(self.tr("共 {total} 份 · 显示 {shown} 份 · 不符合 {fail} 份").format(
                total=total, shown=shown, fail=failing))
        empty = self.list_ready and total == 0
        self.empty_label.setVisible(empty)
        self.view.setVisible(not empty)

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

    # ================================================================ other screens

    def open_tool(self, key: str) -> QWidget | None:
        """Show the review round screen, reviewer mode or the dashboard in its own window (one each)."""
        if self.db is None:
            return None
        win = self._tools.get(key)
        if win is None or win.property("databaseUrl") != self.db.url:
            if key == "review":
                from ui.review import ReviewRoundWidget as factory
                title = self.tr("专家评审")
            elif key == "reviewer":
                from ui.reviewer import ReviewerWidget as factory
                title = self.tr("评审专家模式")
            else:
                from ui.lifecycle import Dashboard as factory
                title = self.tr("认定后管理看板")
            widget = factory(self.db)
            if key == "dashboard":
                widget.openApplication.connect(self.open_application)
            win = QMainWindow(self)
            win.setWindowTitle(title)
            win.setCentralWidget(widget)
            win.setProperty("databaseUrl", self.db.url)
            win.resize(1200, 720)
            self._tools[key] = win
        win.show()
        win.raise_()
        win.activateWindow()
        return win

    def open_exports(self) -> QWidget | None:
        if self.db is None:
            return None
        from ui.exports import ExportDialog

        app_id = self.current_application_id()
        row = self.model.find(app_id) if app_id else None
        dlg = ExportDialog(self.db, self, region=row.region if row else None, call=row.call_id if row else None,
                           settings=self.settings)
        dlg.show()
        return dlg

    def _warn_broken_versions(self) -> None:
        """A stored pack version this app cannot load (hand-edited, or from a newer app) is named with
        its line and reason; nothing uses it, and the shipped packs work on."""
        from alliance_desk.store.pack_versions import broken_versions

        broken = broken_versions(self.db) if self.db is not None else []
        label = getattr(self, "broken_versions_label", None)
        if label is None:  # stays in the status bar, beside passing messages
            label = self.broken_versions_label = QLabel(self)
            label.setStyleSheet("color: #c62828;")
            self.statusBar().addPermanentWidget(label)
        label.setVisible(bool(broken))
        label.setText(self.tr("有 {0} 个规则包版本无法载入，未使用").format(len(broken)) if broken else "")
        label.setToolTip("\n".join(broken))
        if broken:
            self.statusBar().showMessage(self.tr("有 {0} 个规则包版本无法载入，未使用：{1}").format(
                len(broken), "；".join(broken)))

    def open_calls(self) -> QWidget | None:
        """申报批次: open, edit and close calls; revise the region's pack after a new notice."""
        if self.db is None:
            return None
        from ui.calls import CallsDialog

        app_id = self.current_application_id()
        row = self.model.find(app_id) if app_id else None
        dlg = CallsDialog(self.db, row.region if row else None, self)
        dlg.finished.connect(lambda _r: self.reload_list())
        dlg.show()
        return dlg

    def open_history(self) -> QWidget | None:
        """Who changed what and when for the current application (the hash-chained audit trail)."""
        app_id = self.current_application_id()
        if self.db is None or not app_id:
            self._error(self.tr("修改历史"), self.tr("请先在列表中选中一份申报。"))
            return None
        from ui.history import HistoryView

        win = QMainWindow(self)
        row = self.model.find(app_id)
        win.setWindowTitle(self.tr("修改历史 — {name}").format(name=row.name if row else app_id))
        win.setCentralWidget(HistoryView(self.db, app_id))
        win.resize(1100, 640)
        win.show()
        return win

    def open_procedure(self) -> QWidget | None:
        """Stage bar and obligations of the current application, in a window of their own."""
        app_id = self.current_application_id()
        if self.db is None or not app_id:
            self._error(self.tr("办理进度"), self.tr("请先在列表中选中一份申报。"))
            return None
        from ui.lifecycle import ObligationList, StageBar

        win = QMainWindow(self)
        row = self.model.find(app_id)
        win.setWindowTitle(self.tr("办理进度与认定后义务 — {name}").format(name=row.name if row else app_id))
        body = QWidget(win)
        lay = QVBoxLayout(body)
        bar = StageBar(self.db, app_id)
        obligations = ObligationList(self.db, app_id)
        bar.changed.connect(obligations.refresh)
        bar.changed.connect(lambda a=app_id: self.model.refresh_application(a))
        lay.addWidget(bar)
        lay.addWidget(obligations, 1)
        win.setCentralWidget(body)
        win.resize(1100, 640)
        win.show()
        return win

    # ================================================================ open applications

    def open_selected(self) -> None:
        for app_id in self.selected_application_ids()[:1]:
            self.open_application(app_id)

    def open_application(self, app_id: str) -> ApplicationEditor | None:
        """Open `app_id` in an editor tab (or switch to its tab) with its checklist in the dock."""
        if self.db is None:
            return None
        if app_id in self._open:
            self.tabs.setCurrentWidget(self._open[app_id].editor)
            return self._open[app_id].editor
        editor = self._create_editor(app_id)
        if editor is None:
            return None
        panel = self._create_checklist(editor)
        self.undo_group.addStack(editor.undo_stack)
        was_empty = not self._open
        self._open[app_id] = _Open(app_id, editor, panel, editor.undo_stack)
        self.checklist_stack.addWidget(panel)
        row = self.model.find(app_id)
        title = row.name if row else app_id
        i = self.tabs.addTab(editor, _short(title))
        self.tabs.setTabToolTip(i, title)
        self.tabs.setCurrentIndex(i)
        self._sync_layout()
        if was_empty:
            self.filter_bar.arrange_for(LIST_WIDTH_WITH_EDITOR)
            QTimer.singleShot(0, self._size_splitter)  # once the dock and the tabs are laid out
        self.select_application(app_id)
        self.applicationOpened.emit(app_id)
        return editor

    def _create_editor(self, app_id: str) -> ApplicationEditor | None:
        from ui.editor import ApplicationEditor

        try:
            editor = ApplicationEditor(self.db, app_id, user=self.user)
        except Exception as exc:  # noqa: BLE001 - e.g. the application was deleted meanwhile
            self._error(self.tr("无法打开申报"), str(exc), traceback.format_exc())
            return None
        editor.setProperty("applicationId", app_id)
        editor.saved.connect(lambda _version, a=app_id: self._editor_saved(a))
        editor.saveFailed.connect(lambda msg, a=app_id: self._editor_save_failed(a, msg))
        editor.documentChanged.connect(lambda doc, a=app_id: self._editor_changed(a, doc))
        return editor

    def _create_checklist(self, editor: ApplicationEditor) -> ChecklistPanel:
        from ui.checklist import ChecklistPanel

        panel = ChecklistPanel()
        editor.attach_checklist(panel)
        return panel

    def editor(self, app_id: str | None = None) -> ApplicationEditor | None:
        """The editor of `app_id` (default: the current tab)."""
        if app_id is None:
            app_id = self._app_id_of_tab(self.tabs.currentIndex())
        o = self._open.get(app_id) if app_id else None
        return o.editor if o else None

    def checklist(self, app_id: str | None = None) -> ChecklistPanel | None:
        if app_id is None:
            app_id = self._app_id_of_tab(self.tabs.currentIndex())
        o = self._open.get(app_id) if app_id else None
        return o.panel if o else None

    def open_application_ids(self) -> list[str]:
        return [self._app_id_of_tab(i) for i in range(self.tabs.count())]

    def set_editor_tab(self, index: int) -> bool:
        """Switch the current editor to its tab `index` (basic info, members, …)."""
        ed = self.editor()
        if ed is None or not 0 <= index < ed.tabs.count():
            return False
        ed.tabs.setCurrentIndex(index)
        return True

    def _app_id_of_tab(self, i: int) -> str | None:
        w = self.tabs.widget(i) if i >= 0 else None
        if w is None:
            return None
        return next((a for a, o in self._open.items() if o.editor is w), None)

    def _flush(self, app_id: str) -> bool:
        """Save the editor's pending edits; False (and the reason shown) when they cannot be saved."""
        o = self._open.get(app_id)
        if o is None:
            return True
        try:
            o.editor.flush()  # store.StoreError (ConflictError when someone else saved meanwhile)
        except Exception as exc:  # noqa: BLE001 - report, keep the tab open so nothing is lost
            self._error(self.tr("保存失败"), self.tr("「{name}」未能保存：{err}").format(
                name=self.tabs.tabToolTip(self.tabs.indexOf(o.editor)), err=exc), traceback.format_exc())
            return False
        return True

    def close_application(self, app_id: str | None, save: bool = True) -> bool:
        if not app_id or app_id not in self._open:
            return False
        if save and not self._flush(app_id):
            return False
        o = self._open.pop(app_id)
        self.undo_group.removeStack(o.undo_stack)
        self.tabs.removeTab(self.tabs.indexOf(o.editor))
        self.checklist_stack.removeWidget(o.panel)
        o.editor.deleteLater()
        o.panel.deleteLater()
        if self._open and self.list_panel.isVisible():
            self.settings.setValue(K_SPLITTER, self.splitter.saveState())
        self._sync_layout()
        self._update_actions()
        return True

    def _reload_editor(self, app_id: str) -> None:
        """Show the stored application again in its open editor (after an import changed it)."""
        o = self._open.get(app_id)
        if o is None:
            return
        try:
            o.editor.reload()
        except Exception:  # noqa: BLE001 - fall back to reopening the tab
            traceback.print_exc()
            self.close_application(app_id, save=False)
            self.open_application(app_id)

    def close_current_tab(self) -> None:
        self.close_application(self._app_id_of_tab(self.tabs.currentIndex()))

    def close_all_applications(self, save: bool = True) -> bool:
        for app_id in list(self._open):
            if not self.close_application(app_id, save) and save:
                return False
        return True

    def _tab_changed(self, i: int) -> None:
        o = self._open.get(self._app_id_of_tab(i) or "")
        if o is not None:
            self.checklist_stack.setCurrentWidget(o.panel)
            self.undo_group.setActiveStack(o.undo_stack)
        else:
            self.undo_group.setActiveStack(None)
        self._update_actions()

    def _editor_saved(self, app_id: str) -> None:
        row = self.model.refresh_application(app_id)
        o = self._open.get(app_id)
        if row is not None and o is not None:
            i = self.tabs.indexOf(o.editor)
            self.tabs.setTabText(i, _short(row.name))
            self.tabs.setTabToolTip(i, row.name)

    def _editor_save_failed(self, app_id: str, message: str) -> None:
        self.statusBar().showMessage(self.tr("保存失败：{msg}").format(msg=message), 15000)

    def _editor_changed(self, app_id: str, doc: dict) -> None:
        o = self._open.get(app_id)
        name = doc.get("name")
        if o is not None and name:
            i = self.tabs.indexOf(o.editor)
            self.tabs.setTabText(i, _short(name))
            self.tabs.setTabToolTip(i, name)

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

    # ================================================================ undo

    def undo(self) -> None:
        """Undo in the current editor (its undo stack is the group's active one)."""
        self.undo_group.undo()

    def redo(self) -> None:
        self.undo_group.redo()

    def _update_actions(self) -> None:
        g = self.undo_group
        if g.activeStack() is not None:
            self.act_undo.setEnabled(g.canUndo())
            self.act_redo.setEnabled(g.canRedo())
            self.act_undo.setToolTip(self.tr("撤销 {what}").format(what=g.undoText()) if g.undoText()
                                     else self.tr("撤销"))
            self.act_redo.setToolTip(self.tr("重做 {what}").format(what=g.redoText()) if g.redoText()
                                     else self.tr("重做"))
        else:
            self.act_undo.setEnabled(False)
            self.act_redo.setEnabled(False)
        has_db = self.db is not None
        writable = has_db and not self.read_only
        has_app = has_db and self.current_application_id() is not None
        for a in (self.act_export_json, self.act_export_members):
            a.setEnabled(has_app)
        for a in (self.act_import_members, self.act_delete):
            a.setEnabled(has_app and writable)
        for a in (self.act_new, self.act_import_json, self.act_calls):
            a.setEnabled(writable)
        self.act_reload.setEnabled(has_db)
        # the toolbar's tooltip says why a write is greyed out
        why = self.tr("数据库以只读方式打开，不能修改") if has_db and self.read_only else ""
        for a in (self.act_new, self.act_import_json, self.act_import_members, self.act_delete):
            a.setToolTip(f"{a.text().rstrip('…')}（{why}）" if why else a.text().rstrip("…"))
        self.act_close_tab.setEnabled(bool(self._open))

    # ================================================================ new application

    def new_application(self):
        """Open the new-application wizard (non-blocking); the created application opens in a tab."""
        if self.db is None:
            return None
        from ui.wizard import NewApplicationWizard

        wiz = NewApplicationWizard(self.db, self)
        wiz.created.connect(self.on_application_created)
        wiz.finished.connect(lambda _r: wiz.deleteLater())
        self.wizard = wiz
        wiz.open()
        return wiz

    def on_application_created(self, app_id: str) -> None:
        self.model.refresh_application(app_id)
        self._fill_combos()
        self.applicationCreated.emit(app_id)
        self.open_application(app_id)

    # ================================================================ delete

    def delete_selected_dialog(self) -> None:
        ids = self.selected_application_ids() if (self.view.hasFocus() or not self._open) else []
        if not ids:
            app_id = self.current_application_id()
            ids = [app_id] if app_id else []
        if not ids:
            return
        names = [(self.model.find(i).name if self.model.find(i) else i) for i in ids]
        text = self.tr("确定要从数据库中删除以下 {n} 份申报吗？此操作不能撤销。").format(n=len(ids))
        box = QMessageBox(QMessageBox.Icon.Warning, self.tr("删除申报"), text,
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
        box.setInformativeText("\n".join(names[:10]) + ("\n…" if len(names) > 10 else ""))
        box.button(QMessageBox.StandardButton.Yes).setText(self.tr("删除"))
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        if box.exec() == QMessageBox.StandardButton.Yes:
            self.delete_applications(ids)

    def delete_applications(self, ids: list[str]) -> int:
        from alliance_desk import store

        done = 0
        for app_id in ids:
            self.close_application(app_id, save=False)
            try:
                store.delete_application(self.db, app_id)
            except store.StoreError as exc:
                self._error(self.tr("删除失败"), str(exc))
                continue
            self.model.apply_row(app_id, None)
            done += 1
        self._fill_combos()
        self.statusBar().showMessage(self.tr("已删除 {n} 份申报").format(n=done), 8000)
        return done

    # ================================================================ JSON import / export

    def import_json_dialog(self) -> None:
        paths = file_dialogs.open_files(self, "json", self.tr("导入申报 JSON"),
                                        self.tr("申报 JSON (*.json);;所有文件 (*)"), self.settings)
        if paths:
            self.import_json_files(paths)

    def import_json_files(self, paths: list[str | Path]) -> Task | None:
        """Validate and import the files in one transaction, in the background. On success the list
        reloads and `importFinished(report)` is emitted; on failure the problems are shown."""
        if self.db is None or not paths:
            return None
        from alliance_desk import store

        db, files = self.db, [str(p) for p in paths]
        return run_in_background(lambda: store.import_files(db, files), on_done=self._import_done,
                                 on_error=self._import_failed, parent=self,
                                 label=self.tr("正在导入 {n} 个文件…").format(n=len(files)), cancellable=False)

    def _import_done(self, report) -> None:
        self.statusBar().showMessage(report.summary(), 15000)
        if getattr(report, "warnings", None):
            self._problems(self.tr("疑似重复申报"), self.tr("导入已完成，但以下申报疑似重复："), report.warnings)
        for app_id in report.created + report.updated:
            if app_id in self._open:  # the stored version changed under the editor
                self._reload_editor(app_id)
        self.reload_list()
        self.importFinished.emit(report)

    def _import_failed(self, exc: BaseException) -> None:
        problems = getattr(exc, "problems", None) or [str(exc)]
        self._problems(self.tr("导入失败"), self.tr("导入失败，数据库未作任何修改："), problems)

    def export_json_dialog(self) -> None:
        app_id = self.current_application_id()
        if not app_id:
            return
        row = self.model.find(app_id)
        path = file_dialogs.save_file(self, "json", self.tr("导出申报 JSON"),
                                      f"{_safe_name(row.name if row else app_id)}.json",
                                      self.tr("申报 JSON (*.json)"), self.settings, ".json")
        if path:
            self.export_json_to(app_id, path)

    def export_json_to(self, app_id: str, path: str | Path) -> bool:
        from alliance_desk import store

        if app_id in self._open and not self._flush(app_id):
            return False
        try:
            text = store.export_json(self.db, app_id)
            Path(path).write_text(text, encoding="utf-8", newline="\n")
        except (store.StoreError, OSError) as exc:
            self._error(self.tr("导出失败"), str(exc))
            return False
        self.statusBar().showMessage(self.tr("已导出到 {path}").format(path=path), 10000)
        return True

    # ================================================================ member list (Excel)

    def export_members_dialog(self) -> None:
        app_id = self.current_application_id()
        if not app_id:
            return
        row = self.model.find(app_id)
        path = file_dialogs.save_file(self, "members", self.tr("导出成员名单"),
                                      f"{_safe_name(row.name if row else app_id)}-成员名单.xlsx",
                                      self.tr("Excel 工作簿 (*.xlsx)"), self.settings, ".xlsx")
        if path:
            self.export_members_to(app_id, path)

    def export_members_to(self, app_id: str, path: str | Path) -> int | None:
        from alliance_desk import store
        from alliance_desk.exchange import member_excel

        if app_id in self._open and not self._flush(app_id):
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            n = member_excel.export_members(self.db, app_id, path)
        except (store.StoreError, OSError) as exc:
            self._error(self.tr("导出失败"), str(exc))
            return None
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.statusBar().showMessage(self.tr("已导出 {n} 家成员单位到 {path}").format(n=n, path=path), 10000)
        return n

    def import_members_dialog(self) -> None:
        app_id = self.current_application_id()
        if not app_id:
            return
        path = file_dialogs.open_file(self, "members", self.tr("导入成员名单"), self.tr("Excel 工作簿 (*.xlsx)"),
                                      self.settings)
        if not path:
            return
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("导入成员名单"),
                          self.tr("用表格中的成员名单替换现有名单，还是追加到现有名单？"), QMessageBox.StandardButton.NoButton,
                          self)
        box.setInformativeText(self.tr("表格中没有的信息（平台、联系人、地址等）按统一社会信用代码或单位名称保留。"))
        replace = box.addButton(self.tr("替换现有名单"), QMessageBox.ButtonRole.AcceptRole)
        append = box.addButton(self.tr("追加到名单"), QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if clicked in (replace, append):
            self.import_members_from(app_id, path, "replace" if clicked is replace else "append")

    def import_members_from(self, app_id: str, path: str | Path, mode: str = "replace") -> int | None:
        """Store the sheet's members into the application (mode "replace" or "append"); an open
        editor is saved first and reloaded afterwards, so it shows the new list."""
        from alliance_desk import store
        from alliance_desk.exchange import member_excel

        if app_id in self._open and not self._flush(app_id):
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            n = member_excel.import_members(self.db, app_id, path, mode)
        except member_excel.MemberExcelError as exc:
            QGuiApplication.restoreOverrideCursor()
            self._problems(self.tr("导入成员名单失败"), self.tr("成员名单未导入，申报未作任何修改："), exc.problems)
            return None
        except (store.StoreError, OSError) as exc:
            QGuiApplication.restoreOverrideCursor()
            self._error(self.tr("导入成员名单失败"), str(exc))
            return None
        QGuiApplication.restoreOverrideCursor()
        self.model.refresh_application(app_id)
        if app_id in self._open:
            self._reload_editor(app_id)
        self.statusBar().showMessage(self.tr("成员名单已导入，现有成员单位 {n} 家").format(n=n), 10000)
        return n

    # ================================================================ about

    def about_text(self) -> str:
        from alliance_desk.rules.packs import all_packs

        notices = "".join(
            f"<li>{html.escape(p.info.get('authority', ''))}：{html.escape(p.name)}"
            f"（{html.escape(str(p.info.get('doc_no', '')))}，{p.info.get('issued_on', '')}）</li>"
            for p in all_packs().values())
        return self.tr(
            "<h3>Alliance Desk {version}</h3>"
            "<p>产业技术创新联盟申报审查工具：录入与导入申报，按地区规则审查，导出汇总材料。</p>"
            "<p><b>规则依据（五份原始通知）</b></p><ul>{notices}</ul>"
            "<p><b>字体</b>：内置 Noto Sans SC（思源黑体），系统没有中文字体时用于界面，并嵌入导出的 PDF；"
            "SIL Open Font License 1.1 授权，许可证全文见 resources/fonts/OFL.txt。</p>"
            "<p>Qt for Python (PySide6) 以 LGPLv3 授权使用。</p>").format(version=__version__, notices=notices)

    def about_dialog(self) -> None:
        QMessageBox.about(self, self.tr("关于 Alliance Desk"), self.about_text())

    # ================================================================ messages

    def _error(self, title: str, text: str, details: str = "") -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Critical, title, text, QMessageBox.StandardButton.Ok, self)
        if details:
            box.setDetailedText(details)
        return self._show_box(box)

    def _problems(self, title: str, text: str, problems: list[str]) -> QMessageBox:
        shown = problems[:12]
        more = len(problems) - len(shown)
        body = "\n".join(shown) + (self.tr("\n……另有 {n} 个问题，见详细信息").format(n=more) if more > 0 else "")
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText(body)
        box.setDetailedText("\n".join(problems))
        return self._show_box(box)

    def _show_box(self, box: QMessageBox) -> QMessageBox:
        # non-blocking (window-modal): tests and the event loop keep running
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_message = box
        box.destroyed.connect(lambda *_: setattr(self, "last_message", None) if self.last_message is box else None)
        box.open()
        return box

    # ================================================================ events

    def _list_menu(self, pos) -> None:
        if not self.selected_application_ids():
            return
        menu = QMenu(self)
        menu.addAction(self.act_open_app)
        menu.addSeparator()
        menu.addAction(self.act_export_json)
        menu.addAction(self.act_export_members)
        menu.addAction(self.act_import_members)
        menu.addSeparator()
        menu.addAction(self.act_delete)
        menu.exec(self.view.viewport().mapToGlobal(pos))

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if obj is self.view and key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self.open_selected()
                return True
            if obj is self.search_edit and key == Qt.Key.Key_Escape:
                self.search_edit.clear()
                self.apply_filters_now()
                return True
            if obj is self.search_edit and key == Qt.Key.Key_Down:
                self.view.setFocus()
                if not self.selected_application_ids() and self.model.rowCount():
                    self._select_ids([self.model.app_id_at(0)])
                return True
        elif event.type() == QEvent.Type.FocusIn and obj is self.view:
            self._update_actions()
        return super().eventFilter(obj, event)

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self.firstPainted.emit)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        for app_id in list(self._open):
            if not self._flush(app_id):
                box = QMessageBox(QMessageBox.Icon.Warning, self.tr("退出"),
                                  self.tr("有申报未能保存。仍然退出吗？未保存的修改将丢失。"),
                                  QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel, self)
                box.setDefaultButton(QMessageBox.StandardButton.Cancel)
                if box.exec() != QMessageBox.StandardButton.Yes:
                    event.ignore()
                    return
                break
        self.save_settings()
        self.close_all_applications(save=False)
        self._load_gen += 1  # list loads still running must not fill a closed window
        if self._owned_db and self.db is not None:
            self.db.dispose()
        event.accept()


APP_DISPLAY_NAME = "Alliance Desk"


def _short(title: str, n: int = 18) -> str:
    return title if len(title) <= n else title[:n - 1] + "…"


def _safe_name(name: str) -> str:
    return file_dialogs.safe_file_name(name) or "申报"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some sandboxes
        return ""

