"""Loading the application list: the first rows, all rows, the search index, other seats' changes, and
the filter boxes feeding the list model.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer, Qt
from PySide6.QtWidgets import QComboBox

from alliance_desk.listing import FIRST_PAGE, Filters, Row, distinct_values

from ui.main_window.common import _short
from ui.workers import Task, run_in_background


class AppListMixin:
    """Reads the list in the background and keeps it, its filters and its counts current."""

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
