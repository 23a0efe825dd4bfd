"""ApplicationEditor: one application in tabs, with undo, validation as typed and autosave.

The editor holds the document (a dict in the exchange format) and the raw texts that are not yet
valid values (`invalid`, by JSON path). Every edit is a QUndoCommand; every applied command
(including undo/redo) emits `documentChanged`, re-evaluates the checklist live and restarts the
autosave timer. Saving is `store.save_draft` on the GUI thread (a few milliseconds).
"""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import QScrollArea, QWidget

from alliance_desk import store
from alliance_desk.rules import engine
from alliance_desk.rules.packs import get_pack

from ui.editor import docpath
from ui.editor.commands import SetFieldCommand
from ui.editor.docpath import MISSING
from ui.editor.fields import UndoKeyFilter
from ui.editor.member_io import MemberExcelJobs
from ui.editor.members import HolderTableModel, MemberTableModel, RecordTablePanel
from ui.editor.saving import EditorSaving
from ui.editor.tabs import EditorTabs

STYLE = """
QLineEdit[invalid="true"], QComboBox[invalid="true"], QPlainTextEdit[invalid="true"] {
    border: 1px solid #d32f2f; border-radius: 2px; background: #fff4f4;
}
QLabel#banner { background: #fdecea; color: #8e0000; border: 1px solid #f5c2c0; border-radius: 3px;
    padding: 6px 8px; }
QPushButton#schema_problems { color: #8a5300; background: #fff8e1; border: 1px solid #ffe082;
    border-radius: 3px; padding: 3px 8px; text-align: left; }
QLabel#title { font-size: 16px; font-weight: bold; }
QLabel#subtitle, QLabel#save_status { color: #616161; }
"""

class ApplicationEditor(EditorTabs, EditorSaving, QWidget):
    """Edits one stored application. Public API: doc(), invalid(), undo_stack, focus_field(path),
    flush(), check_result(), attach_checklist(panel); signals documentChanged(dict), saved(int),
    saveFailed(str), resultChanged(object)."""

    documentChanged = Signal(dict)
    saved = Signal(int)
    saveFailed = Signal(str)
    resultChanged = Signal(object)  # engine.CheckResult of the in-memory document

    AUTOSAVE_DELAY_MS = 300  # after the last edit
    AUTOSAVE_MAX_MS = 1000  # at the latest after the first unsaved edit, even while typing on

    def __init__(self, db, app_id: str, user: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("application_editor")
        self._db = db
        self.app_id = app_id
        self.user = user
        with db.Session() as s:
            draft = store.load_draft(s, app_id)
            region = draft.doc["region"]
            self._calls = store.calls_for(s, region)
            # the pack of each call (an adopted version, else the shipped pack): the call may change here
            self._packs = {cid: store.judging_pack(s, region, cid) for cid in self._calls}
            stored = store.check_stored(s, app_id)
        self._confirmations = {i.rule: i.confirmation for i in stored.items if i.confirmation is not None}
        self._doc: dict = draft.doc
        self._version: int = draft.version
        self.pack = self._packs.get(draft.doc.get("call")) or get_pack(region)
        self._normalise()
        self._base = copy.deepcopy(self._doc)  # as stored: what "my edits" are measured against
        member_invalid = {k: v for k, v in draft.invalid.items() if k.startswith("members[")}
        self._invalid: dict[str, str] = {k: v for k, v in draft.invalid.items() if k not in member_invalid}

        self._fields: dict[str, QWidget] = {}
        self._labels: dict[str, str] = {}
        self._burst = 0
        self._dirty = False
        self._pending_since: float | None = None
        self._conflict = False
        self._secretariat_stash: dict | None = None
        self._panels: list = []
        self._last_result = None
        self._schema_problems: list[str] = []
        self._last_error: str | None = None
        self._closed = False
        self.member_excel = MemberExcelJobs(self)

        self.undo_stack = QUndoStack(self)
        self.undo_action = self.undo_stack.createUndoAction(self, self.tr("撤销"))
        self.redo_action = self.undo_stack.createRedoAction(self, self.tr("重做"))
        self.undo_action.setShortcuts([QKeySequence(QKeySequence.StandardKey.Undo)])
        redo_keys = [QKeySequence(QKeySequence.StandardKey.Redo), QKeySequence("Ctrl+Y"),
                     QKeySequence("Ctrl+Shift+Z")]
        unique: list[QKeySequence] = []
        for k in redo_keys:
            if not k.isEmpty() and k not in unique:
                unique.append(k)
        self.redo_action.setShortcuts(unique)
        for a in (self.undo_action, self.redo_action):
            a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(a)
        self.undo_action.triggered.connect(self._end_burst)
        self.redo_action.triggered.connect(self._end_burst)
        self._key_filter = UndoKeyFilter(self.undo_action, self.redo_action, self)

        self.member_model = MemberTableModel(self._doc["members"], member_invalid, self)
        org = self._doc["organization"]
        self.council_model = HolderTableModel("council", org["council"], self)
        self.experts_model = HolderTableModel("expert_committee", org["expert_committee"], self)
        for model in (self.member_model, self.council_model, self.experts_model):
            model.undo_stack = self.undo_stack
            model.contentChanged.connect(self._changed)

        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.timeout.connect(self._autosave)
        self._schema_timer = QTimer(self)
        self._schema_timer.setSingleShot(True)
        self._schema_timer.setInterval(250)
        self._schema_timer.timeout.connect(self._check_schema)

        self.setStyleSheet(STYLE)
        self._build()
        for w in [self] + self.findChildren(QWidget):
            self._key_filter.watch(w)
        self._refresh_all()
        self._update_header()
        self._check_schema()
        self.check_duplicates()
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self._save_now)
        self.read_only = bool(getattr(db, "read_only", False))
        if self.read_only:
            # another seat holds the writer's lock: show everything, change nothing
            for i in range(self.tabs.count()):
                self.tabs.widget(i).setEnabled(False)
            self.undo_action.setEnabled(False)
            self.redo_action.setEnabled(False)
            self._show_banner(self.tr("数据库正被他人使用，本窗口只读：可以查看，不能修改。"), kind="info")

    # ================================================================ public API

    def doc(self) -> dict:
        """The current document (a copy)."""
        return copy.deepcopy(self._doc)

    def invalid(self) -> dict[str, str]:
        """Raw texts that are not yet valid values, by JSON path (saved with the draft)."""
        out = dict(self._invalid)
        for model in (self.member_model, self.council_model, self.experts_model):
            out.update(model.invalid())
        return out

    @property
    def version(self) -> int:
        return self._version

    def is_closed(self) -> bool:
        return self._closed

    def has_unsaved_changes(self) -> bool:
        return self._dirty

    def widget_for(self, path: str) -> QWidget | None:
        """The field widget bound to `path` (e.g. `name`, `agreement.expires_on`), if any."""
        return self._fields.get(path)

    def check_result(self) -> engine.CheckResult:
        """The region's checklist evaluated on the in-memory document (with stored confirmations)."""
        pack = self._packs.get(self._doc.get("call")) or self.pack
        return engine.evaluate(self._doc, pack=pack, calls=self._calls, confirmations=self._confirmations)

    def flush(self) -> bool:
        """Save pending edits now (synchronously). Returns True; raises store.StoreError
        (store.ConflictError when someone else saved meanwhile) if they could not be saved — the
        edits then stay in the editor, and the banner says why."""
        self._save_timer.stop()
        if self._save():
            return True
        error = store.ConflictError if self._conflict else store.StoreError
        raise error(self._last_error or self.tr("未能保存"))

    def reload(self) -> None:
        """Discard this editor's unsaved edits and show the stored application again (the way out
        of a save conflict)."""
        self._save_timer.stop()
        with self._db.Session() as s:
            draft = store.load_draft(s, self.app_id)
            stored = store.check_stored(s, self.app_id)
        self._confirmations = {i.rule: i.confirmation for i in stored.items if i.confirmation is not None}
        self._version = draft.version
        self._show_document(draft.doc, draft.invalid)
        self._base = copy.deepcopy(self._doc)
        self.undo_stack.clear()
        self._dirty = self._conflict = False
        self._pending_since = None
        self._secretariat_stash = None
        self._last_error = None
        self.banner_box.hide()
        self.save_status.setText(self.tr("已重新载入（版本 {0}）").format(self._version))
        self.documentChanged.emit(copy.deepcopy(self._doc))
        self._emit_result()

    def _show_document(self, doc: dict, invalid: dict[str, str]) -> None:
        """Put `doc` (with raw texts `invalid`, by JSON path) into every field and table."""
        self._doc = doc
        self._normalise()
        member_invalid = {k: v for k, v in invalid.items() if k.startswith("members[")}
        self._invalid = {k: v for k, v in invalid.items() if k not in member_invalid}
        self.member_model.set_rows(self._doc["members"], member_invalid)
        self.council_model.set_rows(self._doc["organization"]["council"])
        self.experts_model.set_rows(self._doc["organization"]["expert_committee"])
        self._refresh_all()
        self._update_header()
        self._check_schema()

    def focus_field(self, path: str | None) -> bool:
        """Show the tab holding `path` and focus its widget (or select the member cell)."""
        if not path:
            return False
        parts = docpath.parse(path)
        if not parts:
            return False
        if parts[0] == "members":
            self.tabs.setCurrentWidget(self.tab_members)
            return self._focus_record(self.members_panel, parts[1:], "name")
        if parts[0] == "organization" and len(parts) >= 2 and parts[1] in ("council", "expert_committee"):
            self.tabs.setCurrentWidget(self.tab_org)
            panel = self.council_panel if parts[1] == "council" else self.experts_panel
            self._scroll_to(panel)
            return self._focus_record(panel, parts[2:], "name")
        if parts[0] == "materials":
            self.tabs.setCurrentWidget(self.tab_materials)
            first = next(iter(self.materials_editor.rows.values()), None)
            if first:
                first["received"].setFocus(Qt.FocusReason.OtherFocusReason)
            return True
        widget = self._fields.get(path)
        probe = list(parts)
        while widget is None and probe:
            # a child path (`organization.secretariat.address`) or a parent one (`recommendation`)
            widget = next((w for p, w in self._fields.items() if p.startswith(docpath.join(probe) + ".")), None) \
                or self._fields.get(docpath.join(probe))
            probe = probe[:-1]
        if widget is None:
            return False
        page = self._page_of(widget)
        if page is not None:
            self.tabs.setCurrentWidget(page)
        self._scroll_to(widget)
        if not widget.isEnabled():
            sec = self._fields.get("organization.secretariat")
            widget = sec if sec is not None and path.startswith("organization.secretariat") else widget
        widget.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def attach_checklist(self, panel) -> None:
        """Connect a ChecklistPanel: live results, confirmations through the store, jump to field."""
        self._panels.append(panel)
        self.resultChanged.connect(panel.set_result)
        panel.confirmRequested.connect(self.confirm_rule)
        if hasattr(panel, "unconfirmRequested"):
            panel.unconfirmRequested.connect(self.unconfirm_rule)
        panel.jumpRequested.connect(self.focus_field)
        panel.set_result(self.check_result())

    def confirm_rule(self, rule: str, met: bool, note: str = "") -> engine.CheckResult | None:
        """Record a manual item's confirmation (by this editor's user) and refresh the checklist."""
        outcome = engine.OUTCOME_MET if met else engine.OUTCOME_NOT_MET
        try:
            result = store.confirm(self._db, self.app_id, rule, outcome, by=self.user, note=note)
        except store.StoreError as exc:
            self._show_banner(self.tr("无法确认 {0}：{1}").format(rule, exc), kind="info")
            self._emit_result()
            return None
        self._confirmations = {i.rule: i.confirmation for i in result.items if i.confirmation is not None}
        self._emit_result()
        return result

    def unconfirm_rule(self, rule: str) -> None:
        try:
            result = store.unconfirm(self._db, self.app_id, rule)
        except store.StoreError as exc:
            self._show_banner(self.tr("无法撤销确认 {0}：{1}").format(rule, exc), kind="info")
            self._emit_result()
            return
        self._confirmations = {i.rule: i.confirmation for i in result.items if i.confirmation is not None}
        self._emit_result()

    # ================================================================ used by the undo commands

    def value_at(self, path: str) -> Any:
        return copy.deepcopy(docpath.get(self._doc, path))

    def raw_at(self, path: str) -> str | None:
        return self._invalid.get(path)

    def apply_field(self, path: str, value: Any, raw: str | None, cleanup: list[str] = ()) -> list[str]:
        created = docpath.set_value(self._doc, path, value)
        if raw is None:
            self._invalid.pop(path, None)
        else:
            self._invalid[path] = raw
        for parent in reversed(list(cleanup)):
            docpath.remove_if_empty(self._doc, parent)
        self._refresh(path)
        self._changed()
        return created

    # ================================================================ edits

    def _on_field_edited(self, path: str, value: Any, raw: str | None, typing) -> None:
        current = docpath.get(self._doc, path)
        if _same(current, value) and self._invalid.get(path) == raw:
            return
        if typing:
            merge_key = path + (f":{typing}" if isinstance(typing, str) else "")
        else:
            merge_key = None
        label = self._labels.get(path, path)
        text = self.tr("修改「{0}」").format(label)
        self.undo_stack.push(SetFieldCommand(self, path, value, raw, text, merge_key, self._burst))

    def _on_secretariat_toggled(self, on: bool) -> None:
        current = docpath.get(self._doc, "organization.secretariat")
        if on and not isinstance(current, dict):
            value = self._secretariat_stash or {}
        elif not on and isinstance(current, dict):
            self._secretariat_stash = copy.deepcopy(current)
            value = None
        else:
            return
        self.undo_stack.push(SetFieldCommand(
            self, "organization.secretariat", value, None,
            self.tr("设有常设执行机构") if on else self.tr("取消常设执行机构")))

    def _update_undo_buttons(self, *args) -> None:
        st = self.undo_stack
        self.undo_button.setEnabled(st.canUndo())
        self.redo_button.setEnabled(st.canRedo())
        self.undo_button.setToolTip(self.tr("撤销：{0}（Ctrl+Z）").format(st.undoText())
                                    if st.canUndo() else self.tr("没有可撤销的操作"))
        self.redo_button.setToolTip(self.tr("重做：{0}（Ctrl+Y）").format(st.redoText())
                                    if st.canRedo() else self.tr("没有可重做的操作"))

    def _end_burst(self, *args) -> None:
        self._burst += 1

    def _refresh(self, path: str) -> None:
        for p, w in self._fields.items():
            if p == path or p.startswith(path + ".") or path.startswith(p + "."):
                w.set_value(docpath.get(self._doc, p), self._invalid.get(p))
        if path.startswith("organization.secretariat") or path == "organization":
            self._update_secretariat_enabled()

    def _refresh_all(self) -> None:
        for p, w in self._fields.items():
            w.set_value(docpath.get(self._doc, p), self._invalid.get(p))
        self._update_secretariat_enabled()
        self.materials_editor.set_member_count(len(self._doc["members"]))

    def _update_secretariat_enabled(self) -> None:
        on = isinstance(docpath.get(self._doc, "organization.secretariat"), dict)
        for p, w in self._fields.items():
            if p.startswith("organization.secretariat."):
                w.setEnabled(on)

    def _changed(self) -> None:
        self._dirty = True
        self._schedule_save()
        self.materials_editor.set_member_count(len(self._doc["members"]))
        self._update_header()
        self._schema_timer.start()
        self.documentChanged.emit(copy.deepcopy(self._doc))
        self._emit_result()

    def _emit_result(self) -> None:
        self._last_result = self.check_result()
        self.resultChanged.emit(self._last_result)

    # ================================================================ helpers

    def _normalise(self) -> None:
        """Containers the editor edits in place always exist."""
        d = self._doc
        d.setdefault("members", [])
        org = d.setdefault("organization", {})
        org.setdefault("council", [])
        org.setdefault("expert_committee", [])
        org.setdefault("secretariat", None)
        ag = d.setdefault("agreement", {})
        ag.setdefault("signed_on", None)
        ag.setdefault("expires_on", None)
        ag.setdefault("signed_by_legal_reps", False)
        ag.setdefault("sealed", False)
        d.setdefault("systems", {})
        for key in ("name", "industry", "county", "submitted_at"):
            if not isinstance(d.get(key), str):
                d[key] = ""

    def _focus_record(self, panel: RecordTablePanel, rest: list, default_key: str) -> bool:
        view, model = panel.view, panel.model
        view.setFocus(Qt.FocusReason.OtherFocusReason)
        if not rest or not isinstance(rest[0], int) or rest[0] >= model.rowCount():
            return True
        row = rest[0]
        key = rest[1] if len(rest) > 1 and isinstance(rest[1], str) else default_key
        col = model.column_of(key)
        if col < 0:
            col = model.column_of(default_key)
        idx = model.index(row, col)
        view.selectionModel().setCurrentIndex(idx, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        view.scrollTo(idx)
        return True

    def _page_of(self, widget: QWidget) -> QWidget | None:
        w = widget
        while w is not None:
            if self.tabs.indexOf(w) >= 0:
                return w
            w = w.parentWidget()
        return None

    def _scroll_to(self, widget: QWidget) -> None:
        w = widget.parentWidget()
        while w is not None and not isinstance(w, QScrollArea):
            w = w.parentWidget()
        if isinstance(w, QScrollArea):
            w.ensureWidgetVisible(widget, 20, 40)
            # a page that was hidden until now lays itself out on the next turn: scroll again then
            QTimer.singleShot(0, w, lambda a=w, x=widget: a.ensureWidgetVisible(x, 20, 40))


def _same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return type(a) is type(b) and a == b
