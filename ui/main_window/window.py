"""The main window shell: its signals, actions, menus, toolbar, saved geometry, message boxes and
events; the rest comes from the mixins of this package.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QSettings, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QLineEdit, QMainWindow, QMenu, QMessageBox, QSizePolicy, QStyle, QToolBar, QWidget

from alliance_desk import __version__

from ui.list_model import ApplicationListModel
from ui.main_window.app_list import AppListMixin
from ui.main_window.common import (K_GEOMETRY, K_HEADER, K_SHOW_CHECKLIST, K_SHOW_LIST, K_SPLITTER, K_STATE,
                                   K_USER, _as_bool, _login_name, _Open)
from ui.main_window.database import DatabaseMixin
from ui.main_window.panel import ListPanelMixin
from ui.main_window.tabs import EditorTabsMixin
from ui.main_window.tools import ToolsMixin
from ui.main_window.transfer import TransferMixin
from ui.workers import Task, run_in_background, show_error


class MainWindow(AppListMixin, ListPanelMixin, DatabaseMixin, EditorTabsMixin, TransferMixin, ToolsMixin,
                 QMainWindow):
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
        self._closed = False  # set when the window closes: late results of background work are dropped
        self._tasks: set[Task] = set()
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

    # ================================================================ background work

    def run_task(self, fn, *, on_done=None, on_error=None, on_cancel=None, **options) -> Task:
        """`ui.workers.run_in_background` for this window. Closing the window cancels what still runs
        (work past its point of no return finishes) and drops the callbacks from then on, so a closed
        window's widgets are never touched."""
        def while_open(callback):
            return None if callback is None else (lambda *args: None if self._closed else callback(*args))

        task = run_in_background(fn, on_done=while_open(on_done),
                                 on_error=while_open(on_error or (lambda exc: show_error(self, exc))),
                                 on_cancel=while_open(on_cancel), parent=self, **options)
        self._tasks.add(task)
        task.settled.connect(lambda: self._tasks.discard(task))
        return task

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
        SP, Key = QStyle.StandardPixmap, QKeySequence.StandardKey
        tool = self.open_tool
        # attribute, menu text, slot, shortcut, toolbar icon, toolbar text, tip
        table = (
            ("new", self.tr("新建申报…"), self.new_application, Key.New, SP.SP_FileIcon, self.tr("新建"),
             self.tr("新建一份联盟申报")),
            ("open_db", self.tr("打开数据库…"), self.open_database_dialog, Key.Open, SP.SP_DirOpenIcon, self.tr("打开")),
            ("import_json", self.tr("导入申报 JSON…"), self.import_json_dialog, "Ctrl+I", SP.SP_DialogOpenButton,
             self.tr("导入"), self.tr("导入交换格式的申报 JSON 文件")),
            ("export_json", self.tr("导出申报 JSON…"), self.export_json_dialog, "Ctrl+E", SP.SP_DialogSaveButton,
             self.tr("导出"), self.tr("把选中的申报导出为 JSON")),
            ("import_members", self.tr("导入成员名单（Excel）…"), self.import_members_dialog),
            ("export_members", self.tr("导出成员名单（Excel）…"), self.export_members_dialog),
            ("quit", self.tr("退出"), self.close, Key.Quit),
            ("undo", self.tr("撤销"), self.undo, Key.Undo, SP.SP_ArrowBack, self.tr("撤销")),
            ("redo", self.tr("重做"), self.redo, Key.Redo, SP.SP_ArrowForward, self.tr("重做")),
            ("delete", self.tr("删除申报"), self.delete_selected_dialog, None, SP.SP_TrashIcon, self.tr("删除"),
             self.tr("从数据库中删除选中的申报")),
            ("open_app", self.tr("打开申报"), self.open_selected),
            ("close_tab", self.tr("关闭申报"), self.close_current_tab, Key.Close),
            ("find", self.tr("搜索"), self.focus_search, Key.Find),
            ("reload", self.tr("刷新列表"), self.reload_list, Key.Refresh),
            ("review", self.tr("专家评审…"), lambda: tool("review"), "Ctrl+Shift+R"),
            ("reviewer", self.tr("评审专家模式（打开评审包评分）…"), lambda: tool("reviewer")),
            ("exports", self.tr("导出文书（推荐表、申请表、公示、证书）…"), self.open_exports, "Ctrl+Shift+E"),
            ("procedure", self.tr("办理进度与认定后义务…"), self.open_procedure, "Ctrl+Shift+P"),
            ("dashboard", self.tr("认定后管理看板…"), lambda: tool("dashboard"), "Ctrl+Shift+D"),
            ("history", self.tr("修改历史（审计记录）…"), self.open_history, "Ctrl+Shift+H"),
            ("calls", self.tr("申报批次…"), self.open_calls),
            ("about", self.tr("关于"), self.about_dialog),
        )
        for name, *args in table:
            setattr(self, f"act_{name}", self._act(*args))
        self.act_quit.setMenuRole(QAction.MenuRole.QuitRole)
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
        # attribute, title, entries: an action's name, "-" a separator, "recent" the recent databases
        menus = (
            ("file_menu", self.tr("文件(&F)"), ("new", "-", "open_db", "recent", "-", "import_json", "export_json",
                                               "-", "import_members", "export_members", "-", "close_tab", "quit")),
            ("edit_menu", self.tr("编辑(&E)"), ("undo", "redo", "-", "find", "-", "delete")),
            ("view_menu", self.tr("视图(&V)"), ("show_list", "show_checklist", "-", "reload")),
            ("work_menu", self.tr("办理(&W)"), ("calls", "-", "procedure", "dashboard", "history", "-", "review",
                                               "reviewer", "-", "exports")),
            ("help_menu", self.tr("帮助(&H)"), ("about",)),
        )
        for attr, title, entries in menus:
            m = self.menuBar().addMenu(title)
            for entry in entries:
                if entry == "-":
                    m.addSeparator()
                elif entry == "recent":
                    self.recent_menu = m.addMenu(self.tr("最近打开的数据库"))
                    self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
                    self._fill_recent_menu()
                else:
                    m.addAction(getattr(self, f"act_{entry}"))
            setattr(self, attr, m)

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


    # ================================================================ about

    def about_text(self) -> str:
        import html

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
        self._closed = True
        self.change_timer.stop()
        for task in list(self._tasks):
            task.cancel()
        if self._owned_db and self.db is not None:
            self.db.dispose()
        event.accept()

