"""The member list to and from Excel, from the editor, off the GUI thread.

`MemberExcelJobs` belongs to one ApplicationEditor: it saves the editor's pending edits, runs
`member_excel.export_members` / `import_members` through `ui.workers.run_in_background` with a
progress dialog and 取消, and reports on the editor's banner. An export is written beside the
target and moved into place only when not cancelled, so 取消 leaves no file. An import is one
transaction: 取消 is honoured until it starts writing; if the write happened anyway the editor
shows the stored list. Once the editor is closed, a late result is ignored (nothing to tell)."""
from __future__ import annotations

import os
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QObject
from PySide6.QtWidgets import QMessageBox, QWidget

from alliance_desk import store
from alliance_desk.exchange import member_excel

from ui import file_dialogs
from ui.workers import Task, run_in_background

_t = lambda text: QCoreApplication.translate("MemberExcel", text)  # noqa: E731


def ask_import_mode(parent: QWidget | None) -> str | None:
    """Ask whether the sheet replaces the member list or is appended to it: "replace", "append" or
    None (cancelled)."""
    box = QMessageBox(QMessageBox.Icon.Question, _t("导入成员名单"),
                      _t("用表格中的成员名单替换现有名单，还是追加到现有名单？"), QMessageBox.StandardButton.NoButton,
                      parent)
    box.setInformativeText(_t("表格中没有的信息（平台、联系人、地址等）按统一社会信用代码或单位名称保留。"))
    replace = box.addButton(_t("替换现有名单"), QMessageBox.ButtonRole.AcceptRole)
    append = box.addButton(_t("追加到名单"), QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    clicked = box.clickedButton()
    return {replace: "replace", append: "append"}.get(clicked)


class MemberExcelJobs(QObject):
    """Export and import of one editor's member list; `task` is the running (or last) Task."""

    def __init__(self, editor):
        super().__init__(editor)
        self._editor = editor
        self.task: Task | None = None
        self.pool = None  # a QThreadPool; None: the global one

    def _gone(self) -> bool:
        ed = self._editor
        return not shiboken6.isValid(ed) or ed.is_closed()

    def _say(self, text: str) -> None:
        if not self._gone():
            self._editor._show_banner(text, kind="info")

    def _saved_first(self) -> bool:
        try:
            return self._editor.flush()
        except store.StoreError:
            return False  # the banner already says why

    def _run(self, work, label: str, on_done, on_cancel) -> Task | None:
        def done(value):
            if not self._gone():
                on_done(value)

        def cancelled():
            if not self._gone():
                on_cancel()

        def failed(exc):
            if isinstance(exc, member_excel.MemberExcelError):
                self._say(_t("成员名单未导入，申报未作任何修改：") + "；".join(exc.problems))
            else:
                self._say(_t("成员名单的导入或导出没有完成：{0}").format(exc))

        self.task = run_in_background(work, on_done=done, on_error=failed, on_cancel=cancelled,
                                      parent=self._editor, label=label, progress=True, pool=self.pool)
        return self.task

    def export_dialog(self) -> Task | None:
        name = file_dialogs.safe_file_name(self._editor.doc().get("name") or self._editor.app_id)
        path = file_dialogs.save_file(self._editor, "members", _t("导出成员名单"), f"{name}-成员名单.xlsx",
                                      _t("Excel 工作簿 (*.xlsx)"), suffix=".xlsx")
        return self.export_to(path) if path else None

    def import_dialog(self) -> Task | None:
        path = file_dialogs.open_file(self._editor, "members", _t("导入成员名单"), _t("Excel 工作簿 (*.xlsx)"))
        mode = ask_import_mode(self._editor) if path else None
        return self.import_from(path, mode) if mode else None

    def export_to(self, path: str | Path) -> Task | None:
        """Write the stored member list (after saving pending edits) to `path` in the background."""
        if not self._saved_first():
            return None
        db, app_id, path = self._editor._db, self._editor.app_id, Path(path)
        partial = path.with_name(f".{path.stem}.partial{path.suffix}")

        def work(progress):
            progress.update(0, 2, _t("正在导出成员名单…"))
            try:
                n = member_excel.export_members(db, app_id, partial)
                progress.update(1, 2, _t("正在写入文件…"))  # 取消 here leaves no file behind
                os.replace(partial, path)
            finally:
                partial.unlink(missing_ok=True)
            progress.update(2, 2)
            return n

        return self._run(work, _t("正在导出成员名单…"),
                         lambda n: self._say(_t("已导出 {0} 家成员单位到 {1}").format(n, path)),
                         lambda: self._say(_t("已取消导出成员名单")))

    def import_from(self, path: str | Path, mode: str = "replace") -> Task | None:
        """Store the sheet's members into the application (mode "replace" or "append") in the
        background, then show the stored list in the editor."""
        if not self._saved_first():
            return None
        editor = self._editor
        db, app_id, before = editor._db, editor.app_id, editor.version

        def work(progress):
            progress.update(0, 1, _t("正在导入成员名单…"))
            return member_excel.import_members(db, app_id, path, mode)

        def done(n):
            editor.reload()
            self._say(_t("成员名单已导入，现有成员单位 {0} 家").format(n))

        def cancelled():
            with db.Session() as s:
                written = store.load_draft(s, app_id).version != before
            if written:  # the one transaction was already committed: show what is stored
                editor.reload()
                self._say(_t("取消时成员名单已经导入，现为表格中的名单"))
            else:
                self._say(_t("已取消导入成员名单，申报未作任何修改"))

        return self._run(work, _t("正在导入成员名单…"), done, cancelled)
