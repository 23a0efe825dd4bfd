"""Which database the window shows: opening one (guarded like start-up), its label and title, the
recent list, and its stored pack versions that cannot load.
"""
from __future__ import annotations

import traceback
from pathlib import Path

from PySide6.QtWidgets import QLabel

from ui import file_dialogs
from ui.main_window.common import APP_DISPLAY_NAME, K_RECENT, MAX_RECENT


class DatabaseMixin:
    """Opens and shows a database; remembers the recent ones."""

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
        # the first rows may be on screen already (read from the file while the window was painted):
        # then they stay as they are, with the row the clerk picked meanwhile and the scroll position
        shown = preloaded is not None and [r.id for r in self.model.all_rows] == [r.id for r in preloaded[0]]
        if self.db is not None and self._owned_db and self.db is not db:
            self.db.dispose()
        self.db, self._owned_db = db, owned
        self.model.set_database(db)
        if not shown:
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
        if preloaded is not None and not shown:  # the first rows, read while the window was painted
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
        from ui import open_database as safety

        current = self._db_path()
        if current and Path(current).resolve() == Path(path).resolve():
            return True  # already open here; taking its lock again would find ourselves "in use"

        def ask_in_use(info, file, parent):
            return safety.ask_in_use(info, file, parent, leave=self.tr("取消"))

        def error(parent, title, text):
            self._error(title, text)

        try:
            db = safety.guard_open(path, self, ask_in_use=ask_in_use, error=error, backup_now=False)
        except Exception as exc:  # noqa: BLE001 - any failure: tell the clerk, keep the current database
            self._error(self.tr("无法打开数据库"), self.tr("无法打开数据库 {path}：{err}").format(
                path=path, err=exc), traceback.format_exc())
            return False
        if db is None:
            return False
        if not self.set_database(db, owned=True):
            db.dispose()
            return False
        self.daily_backup_in_background()
        return True

    def daily_backup_in_background(self):
        """The day's start-up backup of the database shown (when it has none from today yet), taken
        off the GUI thread: for a province's archive it copies more than a gigabyte, seconds in which
        the window would not respond. SQLite's online backup copies a consistent state while the
        clerk works on. Returns the task, or None when there is nothing to back up."""
        from alliance_desk.store import backup

        db, path = self.db, self._db_path()
        if db is None or path is None or self.read_only:
            return None

        def done(info) -> None:
            db.startup_backup = info
            if info is not None and db is self.db:
                self.statusBar().showMessage(self.tr("已完成今天的自动备份：{name}").format(name=info.path.name), 8000)

        def failed(exc: BaseException) -> None:  # never keeps the clerk from working: say it, carry on
            self._error(self.tr("自动备份失败"), str(exc))

        return self.run_task(lambda: backup.daily_backup(path), on_done=done, on_error=failed)

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
