"""Moving applications in and out: delete, JSON import and export, the member list as Excel."""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from ui import file_dialogs
from ui.main_window.common import _safe_name
from ui.workers import Task


class TransferMixin:
    """Dialog wrappers and the path-taking methods behind them."""

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
        reloads and `importFinished(report)` is emitted; on failure the problems are shown. 取消
        works while the files are read; once the transaction is written it finishes."""
        if self.db is None or not paths:
            return None
        from alliance_desk import store

        db, files = self.db, [str(p) for p in paths]
        reading, writing = self.tr("正在读取 {name}（{i}/{n}）…"), self.tr("正在写入数据库…")

        def work(progress) -> store.ImportReport:
            def reported():  # the service reads the files in this order before it writes any
                for i, path in enumerate(files):
                    progress.update(i, len(files), reading.format(name=Path(path).name, i=i + 1, n=len(files)))
                    yield path
                progress.commit(writing)
            return store.import_files(db, reported())

        return self.run_task(work, on_done=self._import_done, on_error=self._import_failed, progress=True,
                             label=self.tr("正在导入 {n} 个文件…").format(n=len(files)))

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

    def _save_path_for_current(self, kind: str, title: str, suffix: str, filters: str) -> tuple[str, str] | None:
        """Ask where to save the current application (named after it + `suffix`): (app_id, path)."""
        app_id = self.current_application_id()
        if not app_id:
            return None
        row = self.model.find(app_id)
        path = file_dialogs.save_file(self, kind, title, f"{_safe_name(row.name if row else app_id)}{suffix}",
                                      filters, self.settings, suffix[suffix.rindex("."):])
        return (app_id, path) if path else None

    def export_json_dialog(self) -> None:
        chosen = self._save_path_for_current("json", self.tr("导出申报 JSON"), ".json", self.tr("申报 JSON (*.json)"))
        if chosen:
            self.export_json_to(*chosen)

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
        chosen = self._save_path_for_current("members", self.tr("导出成员名单"), "-成员名单.xlsx",
                                             self.tr("Excel 工作簿 (*.xlsx)"))
        if chosen:
            self.export_members_to(*chosen, background=True)

    def import_members_dialog(self) -> None:
        from ui.editor.member_io import ask_import_mode

        app_id = self.current_application_id()
        if not app_id:
            return
        path = file_dialogs.open_file(self, "members", self.tr("导入成员名单"), self.tr("Excel 工作簿 (*.xlsx)"),
                                      self.settings)
        mode = ask_import_mode(self) if path else None
        if mode:
            self.import_members_from(app_id, path, mode, background=True)

    def export_members_to(self, app_id: str, path: str | Path, background: bool = False) -> int | None:
        """Write the stored member list (an open editor saved first) to `path`: at once, returning the
        count, or with `background` off the GUI thread behind a progress dialog."""
        from alliance_desk.exchange import member_excel

        def done(n: int) -> int:
            self.statusBar().showMessage(self.tr("已导出 {n} 家成员单位到 {path}").format(n=n, path=path), 10000)
            return n

        return self._member_job(app_id, lambda: member_excel.export_members(self.db, app_id, path), done,
                                self.tr("导出失败"), self.tr("正在导出成员名单…"), background)

    def import_members_from(self, app_id: str, path: str | Path, mode: str = "replace",
                            background: bool = False) -> int | None:
        """Store the sheet's members into the application (mode "replace" or "append"); an open
        editor is saved first and reloaded afterwards, so it shows the new list."""
        from alliance_desk.exchange import member_excel

        def done(n: int) -> int:
            self.model.refresh_application(app_id)
            if app_id in self._open:
                self._reload_editor(app_id)
            self.statusBar().showMessage(self.tr("成员名单已导入，现有成员单位 {n} 家").format(n=n), 10000)
            return n

        return self._member_job(app_id, lambda: member_excel.import_members(self.db, app_id, path, mode), done,
                                self.tr("导入成员名单失败"), self.tr("正在导入成员名单…"), background)

    def _member_job(self, app_id: str, work, done, failed_title: str, label: str, background: bool) -> int | None:
        from alliance_desk import store
        from alliance_desk.exchange import member_excel

        def failed(exc: BaseException) -> None:
            if isinstance(exc, member_excel.MemberExcelError):
                self._problems(failed_title, self.tr("成员名单未导入，申报未作任何修改："), exc.problems)
            elif isinstance(exc, (store.StoreError, OSError)):
                self._error(failed_title, str(exc))
            else:
                raise exc

        if app_id in self._open and not self._flush(app_id):
            return None
        if background:  # one transaction: it cannot stop half-way, so the dialog offers no 取消
            self.run_task(work, on_done=done, on_error=failed, label=label, cancellable=False)
            return None
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            n = work()
        except (member_excel.MemberExcelError, store.StoreError, OSError) as exc:
            QGuiApplication.restoreOverrideCursor()
            failed(exc)
            return None
        QGuiApplication.restoreOverrideCursor()
        return done(n)
