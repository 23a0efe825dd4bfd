"""File work of the officer's review screen: score sheets, review packages, the summary and the
draw record written, score sheets and score files imported. Every one runs through
`ui.workers.run_in_background` with a progress dialog; a result arriving after the screen closed is
dropped there. A mixin of `ReviewRoundWidget`.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from alliance_desk import review as rv

from ui import file_dialogs
from ui.review.common import _t
from ui.workers import Task, run_in_background


class RoundFiles:
    """The screen's file actions, each a background task."""

    def _run(self, fn, done_text, label: str) -> Task:
        def on_done(value):
            self.refresh()
            self._report(done_text(value))

        def on_error(exc):
            self.refresh()
            self._report(str(exc), True)

        self.last_task = run_in_background(fn, on_done=on_done, on_error=on_error, parent=self, label=label)
        return self.last_task

    def export_sheets_to(self, out_dir: str | Path) -> Task:
        from alliance_desk.review.score_sheets import write_sheets

        db, rid = self.db, self.round_id
        return self._run(lambda: write_sheets(db, rid, out_dir),
                         lambda paths: _t("已为 {0} 位专家生成评分表：{1}").format(len(paths), out_dir),
                         _t("正在生成评分表…"))

    def export_package_to(self, expert_id: str, path: str | Path) -> Task:
        db, rid = self.db, self.round_id
        return self._run(lambda: rv.export_review_package(db, rid, expert_id, path),
                         lambda p: _t("已导出评审包：{0}").format(p), _t("正在导出评审包…"))

    def import_files(self, paths: list[str | Path], allow_older: bool = False) -> Task:
        """Import score sheets / score files one by one; each is all-or-nothing, problems are listed.
        A score file older than the scores already taken is not imported unless the clerk confirms,
        in a dialog that says which scores it would take back (`ask_older`)."""
        db, rid = self.db, self.round_id

        def work():
            lines, bad, older = [], False, []
            for p in paths:
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
            self.refresh()
            self._report("\n".join(lines), bad or bool(older))
            again = [p for p, undo in older if self.ask_older(Path(p).name, undo)]
            if again:
                self.import_files(again, allow_older=True)

        self.last_task = run_in_background(work, on_done=done, parent=self, label=_t("正在导入评分…"))
        return self.last_task

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
