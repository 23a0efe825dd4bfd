"""Applications open in editor tabs: opening, saving, closing and reloading them, and undo with the
actions' enabled state.
"""
from __future__ import annotations

import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from ui.main_window.common import K_SPLITTER, LIST_WIDTH_WITH_EDITOR, _Open, _short

if TYPE_CHECKING:  # imported when the first application opens (start-up speed)
    from ui.checklist import ChecklistPanel
    from ui.editor import ApplicationEditor


class EditorTabsMixin:
    """One editor tab and one checklist per open application."""

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
