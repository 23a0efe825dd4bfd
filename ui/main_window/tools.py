"""Screens beside the list: review, reviewer mode, dashboard, document exports, calls, audit history,
procedure, and the new-application wizard.
"""
from __future__ import annotations

from PySide6.QtWidgets import QMainWindow, QVBoxLayout, QWidget


class ToolsMixin:
    """Opens the other screens, each for the current database or application."""

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
                from ui.review import ReviewerWidget as factory
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

    def _current_row(self):
        """The list row of the application actions apply to, if any (it preselects region and call)."""
        app_id = self.current_application_id()
        return self.model.find(app_id) if app_id else None

    def open_exports(self) -> QWidget | None:
        if self.db is None:
            return None
        from ui.exports import ExportDialog

        row = self._current_row()
        dlg = ExportDialog(self.db, self, region=row.region if row else None, call=row.call_id if row else None,
                           settings=self.settings)
        dlg.show()
        return dlg

    def open_calls(self) -> QWidget | None:
        """申报批次: open, edit and close calls; revise the region's pack after a new notice."""
        if self.db is None:
            return None
        from ui.calls import CallsDialog

        row = self._current_row()
        dlg = CallsDialog(self.db, row.region if row else None, self)
        dlg.finished.connect(lambda _r: self.reload_list())
        dlg.show()
        return dlg

    def _application_window(self, what: str, title: str) -> tuple[str, QMainWindow] | None:
        """A window of its own for the current application, titled `title` with its name (`what`
        names the screen when no application is selected)."""
        app_id = self.current_application_id()
        if self.db is None or not app_id:
            self._error(what, self.tr("请先在列表中选中一份申报。"))
            return None
        win = QMainWindow(self)
        row = self.model.find(app_id)
        win.setWindowTitle(title.format(name=row.name if row else app_id))
        win.resize(1100, 640)
        return app_id, win

    def open_history(self) -> QWidget | None:
        """Who changed what and when for the current application (the hash-chained audit trail)."""
        opened = self._application_window(self.tr("修改历史"), self.tr("修改历史 — {name}"))
        if opened is None:
            return None
        from ui.history import HistoryView

        app_id, win = opened
        win.setCentralWidget(HistoryView(self.db, app_id))
        win.show()
        return win

    def open_procedure(self) -> QWidget | None:
        """Stage bar and obligations of the current application, in a window of their own."""
        opened = self._application_window(self.tr("办理进度"), self.tr("办理进度与认定后义务 — {name}"))
        if opened is None:
            return None
        from ui.lifecycle import ObligationList, StageBar

        app_id, win = opened
        body = QWidget(win)
        lay = QVBoxLayout(body)
        bar = StageBar(self.db, app_id)
        obligations = ObligationList(self.db, app_id)
        bar.changed.connect(obligations.refresh)
        bar.changed.connect(lambda a=app_id: self.model.refresh_application(a))
        lay.addWidget(bar)
        lay.addWidget(obligations, 1)
        win.setCentralWidget(body)
        win.show()
        return win

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
