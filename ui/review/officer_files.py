"""Long operations of the officer's review screen: the automatic assignment, score sheets, review
packages, the summary and the draw record written, score sheets and score files imported. Every one
runs through `ui.workers.run_in_background` with a progress dialog; the sheets and the imports can be
stopped between whole files (取消), the single-transaction or single-file ones cannot stop half-way
and offer no 取消. A result or a cancel arriving after the screen closed touches nothing. A mixin of
`ReviewRoundWidget`.
"""
from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from alliance_desk import review as rv

from ui import file_dialogs
from ui.review.common import _t
from ui.workers import Task, run_in_background


class RoundFiles:
    """The screen's file actions, each a background task."""

    def _run(self, fn, done_text, label: str, progress: bool = False, cancel_text: str | None = None,
             error_if=None) -> Task:
        """Run `fn` in the background with a progress dialog. With `cancel_text` the dialog has 取消,
        which stops `fn` at its next progress step (`progress=True`); without it the job is one
        transaction or one file that cannot stop half-way, so no 取消 is offered."""
        def on_done(value):
            self.refresh()
            text = done_text(value)      # None: the caller reported the result itself
            if text is not None:
                self._report(text, bool(error_if and error_if(value)))

        def on_error(exc):
            self.refresh()
            self._report(str(exc), True)

        def on_cancel():
            # ui.workers calls this even when the screen was closed meanwhile: then nobody is left to tell
            if shiboken6.isValid(self):
                self.refresh()
                self._report(cancel_text, True)

        self.last_task = run_in_background(fn, on_done=on_done, on_error=on_error, on_cancel=on_cancel, parent=self,
                                           label=label, progress=progress, cancellable=cancel_text is not None)
        return self.last_task

    def start_auto_assign(self, per_application: int) -> Task:
        """The balanced automatic assignment (`auto_assign`) as a background task: one transaction."""
        db, rid = self.db, self.round_id
        return self._run(lambda: rv.auto_assign(db, rid, per_application), self.assign_text,
                         _t("正在自动均衡分配…"), error_if=lambda res: bool(res.shortfalls))

    def export_sheets_to(self, out_dir: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_sheets

        db, rid = self.db, self.round_id
        return self._run(lambda progress: write_sheets(db, rid, out_dir, progress.update),
                         lambda paths: _t("已为 {0} 位专家生成评分表：{1}").format(len(paths), out_dir),
                         _t("正在生成评分表…"), progress=True,
                         cancel_text=_t("已停止生成评分表；停止前已生成的评分表完整可用，保存在：{0}").format(out_dir))

    def export_package_to(self, expert_id: str, path: str | Path) -> Task:
        db, rid = self.db, self.round_id
        return self._run(lambda: rv.export_review_package(db, rid, expert_id, path),
                         lambda p: _t("已导出评审包：{0}").format(p), _t("正在导出评审包…"))

    def import_files(self, paths: list[str | Path], allow_older: bool = False) -> Task:
        """Import score sheets / score files one by one; each is all-or-nothing, problems are listed.
        A score file older than the scores already taken is not imported unless the clerk confirms,
        in a dialog that says which scores it would take back (`ask_older`)."""
        db, rid = self.db, self.round_id

        def work(progress):
            lines, bad, older = [], False, []
            for n, p in enumerate(paths):
                progress.update(n, len(paths), _t("正在导入 {0}（{1}/{2}）…").format(Path(p).name, n + 1, len(paths)))
                try:
                    lines.append(rv.import_file(db, p, rid, allow_older).summary())
                except rv.OlderScoreFile as exc:
                    older.append((p, exc.undo))
                    lines.append(_t("未导入 {0}：比已导入的评分更早").format(Path(p).name))
                except rv.ReviewError as exc:
                    bad = True
                    lines.append(_t("未导入 {0}：").format(Path(p).name))
                    lines.extend("  " + x for x in exc.problems)
            return lines, bad, older

        def done(value):
            lines, bad, older = value
            self._report("\n".join(lines), bad or bool(older))
            again = [p for p, undo in older if self.ask_older(Path(p).name, undo)]
            if again:
                self.import_files(again, allow_older=True)

        # each file is imported whole or not at all, so stopping between files leaves no half-import
        return self._run(work, done, _t("正在导入评分…"), progress=True,
                         cancel_text=_t("已停止导入；停止前已导入的文件保留，其余文件未导入"))

    def ask_older(self, name: str, undo: str) -> bool:
        """Whether to take an older score file anyway (default: no)."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle(_t("评分文件比已导入的更早"))
        box.setText(_t("{0} 比已导入的评分更早：{1}。").format(name, undo))
        box.setInformativeText(_t("仍然导入会用较早的评分覆盖较新的评分，并记入审计记录。通常应请专家重新发送最新的评分文件。"))
        take = box.addButton(_t("仍然导入"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(_t("不导入"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.exec()
        return box.clickedButton() is take

    def export_summary_to(self, path: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_summary

        db, rid, method = self.db, self.round_id, self.current_method()
        return self._run(lambda: write_summary(db, rid, path, method),
                         lambda p: _t("已导出评分汇总表：{0}").format(p), _t("正在导出评分汇总表…"))

    def export_draw_record_to(self, draw_id: int, path: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_draw_record

        db = self.db
        return self._run(lambda: write_draw_record(db, draw_id, path),
                         lambda p: _t("已导出专家抽取记录表：{0}").format(p), _t("正在导出抽取记录表…"))

    # ---------------------------------------------------------------- dialogs

    def _sheets_dialog(self) -> None:
        d = file_dialogs.directory(self, "review", _t("选择评分表保存位置"))
        if d:
            self.export_sheets_to(d)

    def _package_dialog(self) -> None:
        rows = sorted({i.row() for i in self.round_experts.selectedIndexes()})
        if not rows:
            self._report(_t("请先在“本轮专家”中选择一位专家"), True)
            return
        eid = self.round_experts.item(rows[0], 0).data(Qt.ItemDataRole.UserRole)
        name = self.round_experts.item(rows[0], 0).text()
        path = file_dialogs.save_file(self, "review", _t("导出评审包"), f"评审包_{name}.adpkg", _t("评审包 (*.adpkg)"),
                                      suffix=".adpkg")
        if path:
            self.export_package_to(eid, path)

    def _import_dialog(self) -> None:
        paths = file_dialogs.open_files(self, "review", _t("导入评分"), _t("评分表或评分文件 (*.xlsx *.adpkg)"))
        if paths:
            self.import_files(paths)

    def _summary_dialog(self) -> None:
        path = file_dialogs.save_file(self, "review", _t("导出评分汇总表"), "评分汇总表.xlsx", "Excel (*.xlsx)",
                                      suffix=".xlsx")
        if path:
            self.export_summary_to(path)
