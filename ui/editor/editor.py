"""ApplicationEditor: one application in tabs, with undo, validation as typed and autosave.

The editor holds the document (a dict in the exchange format) and the raw texts that are not yet
valid values (`invalid`, by JSON path). Every edit is a QUndoCommand; every applied command
(including undo/redo) emits `documentChanged`, re-evaluates the checklist live and restarts the
autosave timer. Saving is `store.save_draft` on the GUI thread (a few milliseconds).
"""
from __future__ import annotations

import copy
import time
from datetime import datetime
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QUndoStack
from PySide6.QtWidgets import (QCompleter, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSizePolicy, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from alliance_desk import exchange, store
from alliance_desk.rules import VALUE_LABELS, engine
from alliance_desk.exchange import merge
from alliance_desk.rules.packs import get_pack
from alliance_desk.rules.rule_facts import reads

from ui.editor import docpath
from ui.editor.commands import SetFieldCommand
from ui.editor.docpath import MISSING
from ui.editor.fields import CheckField, ComboField, ElidedLabel, LineField, TextAreaField, UndoKeyFilter
from ui.editor.lead import LeadFactsPanel
from ui.editor.materials import MaterialsEditor
from ui.editor.members import HolderTableModel, MemberTableModel, RecordTablePanel

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

class ApplicationEditor(QWidget):
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

    # ================================================================ building the tabs

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 8)
        outer.setSpacing(6)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.setSpacing(0)
        self.title_label = ElidedLabel()
        self.title_label.setObjectName("title")
        self.subtitle_label = ElidedLabel()
        self.subtitle_label.setObjectName("subtitle")
        titles.addWidget(self.title_label)
        titles.addWidget(self.subtitle_label)
        head.addLayout(titles, 1)
        self.undo_button = QToolButton()
        self.undo_button.setText(self.tr("撤销"))
        self.redo_button = QToolButton()
        self.redo_button.setText(self.tr("重做"))
        for b, name, action in ((self.undo_button, "undo_button", self.undo_action),
                                (self.redo_button, "redo_button", self.redo_action)):
            b.setObjectName(name)
            b.clicked.connect(action.trigger)
            head.addWidget(b)
        for sig in (self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged):
            sig.connect(self._update_undo_buttons)
        for sig in (self.undo_stack.undoTextChanged, self.undo_stack.redoTextChanged):
            sig.connect(self._update_undo_buttons)
        self._update_undo_buttons()
        self.save_status = QLabel(self.tr("已保存"))
        self.save_status.setObjectName("save_status")
        head.addWidget(self.save_status)
        outer.addLayout(head)

        self.banner_box = QWidget()
        row = QHBoxLayout(self.banner_box)
        row.setContentsMargins(0, 0, 0, 0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.banner, 1)
        self.reapply_button = QPushButton(self.tr("载入对方版本并重新应用我的修改"))
        self.reapply_button.setObjectName("reapply_button")
        self.reapply_button.clicked.connect(self.reload_and_reapply)
        row.addWidget(self.reapply_button, 0, Qt.AlignmentFlag.AlignTop)
        self.reload_button = QPushButton(self.tr("重新载入（放弃本窗口的修改）"))
        self.reload_button.setObjectName("reload_button")
        self.reload_button.clicked.connect(self.reload)
        row.addWidget(self.reload_button, 0, Qt.AlignmentFlag.AlignTop)
        self.close_banner_button = QToolButton()
        self.close_banner_button.setText("×")
        self.close_banner_button.setToolTip(self.tr("关闭提示"))
        self.close_banner_button.clicked.connect(lambda: self.banner_box.hide())
        row.addWidget(self.close_banner_button, 0, Qt.AlignmentFlag.AlignTop)
        self.banner_box.hide()
        outer.addWidget(self.banner_box)
        # suspected duplicate (same name, or same lead-unit USCC in the call): a note of its own, so a
        # save error in the banner never hides it
        self.duplicate_note = QLabel()
        self.duplicate_note.setObjectName("duplicate_note")
        self.duplicate_note.setWordWrap(True)
        self.duplicate_note.setStyleSheet("color: #8a4b00; background: #fff4e0; padding: 4px;")
        self.duplicate_note.hide()
        outer.addWidget(self.duplicate_note)
        self.schema_button = QPushButton()
        self.schema_button.setObjectName("schema_problems")
        self.schema_button.setFlat(True)
        self.schema_button.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.schema_button.hide()
        self.schema_button.clicked.connect(self._jump_to_schema_problem)
        outer.addWidget(self.schema_button)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("tabs")
        self.tabs.setDocumentMode(True)
        outer.addWidget(self.tabs, 1)

        self.tab_basic = self._scroll_page("tab_basic", self._build_basic())
        self.tabs.addTab(self.tab_basic, self.tr("基本信息"))
        self.tab_members = self._build_members()
        self.tab_members.setObjectName("tab_members")
        self.tabs.addTab(self.tab_members, self.tr("成员单位"))
        self.tab_org = self._scroll_page("tab_org", self._build_org())
        self.tabs.addTab(self.tab_org, self.tr("组织机构"))
        self.tab_agreement = self._scroll_page("tab_agreement", self._build_agreement())
        self.tabs.addTab(self.tab_agreement, self.tr("协议与制度"))
        self.tab_materials = self._scroll_page("tab_materials", self._build_materials())
        self.tabs.addTab(self.tab_materials, self.tr("申报材料"))
        self.tab_recommendation = self._scroll_page("tab_recommendation", self._build_recommendation())
        self.tabs.addTab(self.tab_recommendation, self.tr("推荐意见"))

    def _scroll_page(self, name: str, content: QWidget) -> QScrollArea:
        area = QScrollArea()
        area.setObjectName(name)
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setWidget(content)
        return area

    def _form(self, title: str) -> tuple[QGroupBox, QFormLayout]:
        box = QGroupBox(title)
        form = QFormLayout(box)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(12)
        form.setVerticalSpacing(7)
        return box, form

    def _bind(self, widget: QWidget, label: str) -> QWidget:
        path = widget.path
        self._fields[path] = widget
        self._labels[path] = label
        widget.edited.connect(lambda value, raw, typing, p=path: self._on_field_edited(p, value, raw, typing))
        widget.burstEnded.connect(self._end_burst)
        return widget

    def _line(self, path: str, label: str, placeholder: str = "", hint: str = "") -> LineField:
        return self._bind(LineField(path, placeholder=placeholder, hint=hint), label)

    def _check(self, path: str, label: str) -> CheckField:
        return self._bind(CheckField(path, label), label)

    def _area(self, path: str, label: str, placeholder: str = "", height: int = 64) -> TextAreaField:
        return self._bind(TextAreaField(path, placeholder=placeholder, height=height), label)

    def _build_basic(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        box, form = self._form(self.tr("基本情况"))
        form.addRow(self.tr("联盟名称"), self._line(
            "name", self.tr("联盟名称"), self.tr("4–100 个字，如 {0}新能源汽车产业技术创新联盟").format(
                self.pack.region_name)))
        open_list = any(r.kind == "industry_in_list" and (r.params.get("subitems") or r.params.get("other"))
                        for r in self.pack.rules)
        if open_list:
            # the list admits sub-items and an 其他产业 row (003 § 附件1): typed text, with the chains offered
            industry = self._line("industry", self.tr("产业领域"),
                                  self.tr("所属产业链，可写子项，如 医药食品产业—中药材"))
            industry.setCompleter(QCompleter([i.name for i in self.pack.industries], industry))
        elif self.pack.industry_mode == "list":
            items = [(self.tr("（请选择）"), "")]
            items += [(f"{i.name}（{i.group}）" if i.group else i.name, i.name) for i in self.pack.industries]
            industry = self._bind(ComboField("industry", items, required_hint=True), self.tr("产业领域"))
        else:
            industry = self._line("industry", self.tr("产业领域"), self.tr("所属产业链或技术领域"))
        form.addRow(self.tr("产业领域"), industry)
        form.addRow(self.tr("推荐单位（县区）"), self._line(
            "county", self.tr("推荐单位（县区）"), self.tr("负责审核推荐的县（区、市）或开发区")))
        calls = [(self.tr("（未指定）"), MISSING)]
        calls += [(c.name, c.id) for c in self._calls.values()]
        form.addRow(self.tr("申报批次"),
                    self._bind(ComboField("call", calls), self.tr("申报批次")))
        form.addRow(self.tr("提交时间"), self._line(
            "submitted_at", self.tr("提交时间"), hint=self.tr("材料提交的本地时间，YYYY-MM-DD HH:MM")))
        form.addRow(self.tr("联盟成立日期"), self._line("established_on", self.tr("联盟成立日期")))
        if self.pack.info.get("tiers"):  # a region that recognises 示范/试点 tiers (重庆 三(二))
            tiers = [(self.tr("（未选择）"), MISSING)]
            tiers += [(VALUE_LABELS.get(t, t), t) for t in self.pack.info["tiers"]]
            form.addRow(self.tr("申报类别"), self._bind(
                ComboField("tier_requested", tiers), self.tr("申报类别")))
            form.addRow("", self._check("previously_pilot", self.tr("往年已为试点创新联盟")))
        if reads(self.pack, "provincial_recognized"):
            form.addRow("", self._check("provincial_recognized", self.tr("已认定为省级联盟")))
            form.addRow(self.tr("省级认定日期"), self._line(
                "provincial_recognized_on", self.tr("省级联盟认定日期"),
                self.tr("YYYY-MM-DD；本办法制发（2016-08-23）前认定的自动具备资格")))
        lay.addWidget(box)

        box, form = self._form(self.tr("建设内容"))
        form.addRow(self.tr("技术创新目标"), self._area("goals", self.tr("技术创新目标"), height=72))
        form.addRow(self.tr("研究方向"), self._area(
            "research_directions", self.tr("研究方向"), self.tr("每行一项"), height=60))
        form.addRow(self.tr("组建资金投入（万元）"), self._line(
            "investment_wan", self.tr("组建资金投入（万元）"), self.tr("万元，如 500")))
        form.addRow(self.tr("科技工作人员总数"), self._line(
            "tech_staff_total", self.tr("科技工作人员总数"), self.tr("人")))
        form.addRow(self.tr("合作初步成效"), self._area(
            "cooperation_results", self.tr("合作初步成效"), height=60))
        lay.addWidget(box)

        box, form = self._form(self.tr("联系人"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        pairs = [("contact.name", self.tr("姓名")), ("contact.title", self.tr("职务")),
                 ("contact.phone", self.tr("电话")), ("contact.mobile", self.tr("手机")),
                 ("contact.email", self.tr("邮箱"))]
        for i, (path, label) in enumerate(pairs):
            r, c = divmod(i, 2)
            grid.addWidget(QLabel(label), r, c * 2)
            grid.addWidget(self._line(path, self.tr("联系人") + label), r, c * 2 + 1)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        form.addRow(grid)
        lay.addWidget(box)
        lay.addStretch(1)
        return page

    def _build_members(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        lay.setContentsMargins(4, 8, 4, 4)
        self.members_panel = RecordTablePanel(
            self.member_model, self.tr("家成员单位"), page,
            hint=self.tr("双击单元格编辑；可从 Excel/WPS 复制多行后按 Ctrl+V 粘贴。"
                           "红色单元格有问题，鼠标停留可查看原因。牵头单位有且只有一家。"))
        self.members_panel.setObjectName("members_panel")
        lay.addWidget(self.members_panel, 3)
        # facts of the lead unit that only some regions judge: offered where the pack's rules read them
        platforms, classes = reads(self.pack, "lead.platforms"), reads(self.pack, "lead.enterprise_class")
        self.lead_panel = LeadFactsPanel(self, platforms, classes, page) if platforms or classes else None
        if self.lead_panel is not None:
            lay.addWidget(self.lead_panel, 1)
        return page

    def _build_org(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        for body, model, title, noun in (
                ("council", self.council_model, self.tr("理事会"), self.tr("人")),
                ("expert_committee", self.experts_model, self.tr("专家咨询委员会"),
                 self.tr("人"))):
            box = QGroupBox(title)
            v = QVBoxLayout(box)
            panel = RecordTablePanel(model, noun, box, paste=True, move=True)
            panel.setObjectName(f"{body}_panel")
            panel.view.setMinimumHeight(190)
            v.addWidget(panel)
            lay.addWidget(box)
            if body == "council":
                self.council_panel = panel
            else:
                self.experts_panel = panel

        box, form = self._form(self.tr("常设执行机构（秘书处）"))
        present = CheckField("organization.secretariat", self.tr("设有常设执行机构（秘书处）"))
        self._fields[present.path] = present
        self._labels[present.path] = self.tr("常设执行机构")
        present.edited.connect(lambda value, raw, typing: self._on_secretariat_toggled(bool(value)))
        form.addRow("", present)
        form.addRow(self.tr("固定办公场所"), self._line(
            "organization.secretariat.address", self.tr("秘书处固定办公场所"), self.tr("地址")))
        form.addRow("", self._check("organization.secretariat.in_lead_unit", self.tr("秘书处设在牵头单位内")))
        form.addRow(self.tr("专职人员（人）"), self._line(
            "organization.secretariat.full_time_staff", self.tr("秘书处专职人员")))
        form.addRow(self.tr("办公面积（平方米）"), self._line(
            "organization.secretariat.office_area_m2", self.tr("办公面积")))
        lay.addWidget(box)

        box, form = self._form(self.tr("法律地位"))
        form.addRow("", self._check("organization.external_liability_body", self.tr("明确对外承担责任的主体")))
        form.addRow("", self._check("organization.legal_entity_registered", self.tr("联盟已进行法人登记")))
        lay.addWidget(box)
        lay.addStretch(1)
        return page

    def _build_agreement(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        box, form = self._form(self.tr("联盟协议"))
        form.addRow(self.tr("签订日期"), self._line("agreement.signed_on", self.tr("协议签订日期")))
        form.addRow(self.tr("生效日期"),
                    self._line("agreement.effective_on", self.tr("协议生效日期")))
        form.addRow(self.tr("到期日期"), self._line(
            "agreement.expires_on", self.tr("协议到期日"), self.tr("YYYY-MM-DD，协议未写明期限则留空")))
        for key, label in (("signed_by_legal_reps", self.tr("协议由成员单位法定代表人共同签署")),
                           ("sealed", self.tr("协议加盖公章")),
                           ("innovation_goals", self.tr("协议有明确的技术创新目标")),
                           ("task_division", self.tr("协议有明确的任务分工")),
                           ("ip_terms", self.tr("协议明确成果和知识产权归属、许可使用和收益分配")),
                           ("breach_terms", self.tr("协议明确违约责任追究"))):
            form.addRow("", self._check(f"agreement.{key}", label))
        lay.addWidget(box)

        box = QGroupBox(self.tr("管理制度"))
        grid = QGridLayout(box)
        systems = (("charter", self.tr("联盟章程")),
                   ("funding_management", self.tr("经费内部管理办法")),
                   ("funding_supervision", self.tr("经费使用内部监督机制")),
                   ("project_management", self.tr("项目管理制度")),
                   ("confidentiality", self.tr("保密管理制度")),
                   ("iur_cooperation", self.tr("产学研合作管理制度")),
                   ("council_rules", self.tr("理事会运行制度")),
                   ("rd_management", self.tr("科技研发管理办法")),
                   ("open_membership", self.tr("吸收新成员的开放机制")),
                   ("results_diffusion", self.tr("成果扩散机制")),
                   ("operation_mechanism", self.tr("明确的运行机制")),
                   ("management_mechanism", self.tr("明确的管理机制")),
                   ("collaborative_innovation", self.tr("长效的协同创新机制")))
        for i, (key, label) in enumerate(systems):
            grid.addWidget(self._check(f"systems.{key}", label), i // 2, i % 2)
        lay.addWidget(box)
        lay.addStretch(1)
        return page

    def _build_materials(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        intro = QLabel(self.tr("{0}要求的申报材料（{1}）").format(
            self.pack.region_name, self.pack.name))
        intro.setWordWrap(True)
        intro.setStyleSheet("color: #616161;")
        lay.addWidget(intro)
        self.materials_editor = MaterialsEditor(self.pack)
        self.materials_editor.setObjectName("materials_editor")
        self._bind(self.materials_editor, self.tr("申报材料"))
        lay.addWidget(self.materials_editor)
        if reads(self.pack, "materials_sealed_by_all"):  # offered where the region's rules judge the seals
            lay.addWidget(self._check("materials_sealed_by_all", self.tr("申报材料经联盟所有成员单位盖章")))
        lay.addStretch(1)
        return page

    def _build_recommendation(self) -> QWidget:
        page = QWidget()
        lay = QVBoxLayout(page)
        box, form = self._form(self.tr("推荐意见"))
        form.addRow("", self._check("recommendation.recommended", self.tr("同意推荐")))
        form.addRow(self.tr("推荐意见"), self._area(
            "recommendation.opinion", self.tr("推荐意见"), self.tr("审核推荐意见"), height=150))
        form.addRow(self.tr("签署人"), self._line("recommendation.by", self.tr("推荐意见签署人")))
        form.addRow(self.tr("日期"), self._line("recommendation.on", self.tr("推荐日期")))
        lay.addWidget(box)
        lay.addStretch(1)
        return page

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

    def reload_and_reapply(self) -> merge.MergeReport:
        """Load what the other seat saved, then re-apply this editor's own edits on top (the other
        way out of a save conflict): where both changed the same value, this editor's value wins
        and the banner names it. The result is saved like any edit."""
        base, mine = self._base, copy.deepcopy(self._doc)
        my_invalid = self.invalid()
        self.reload()
        merged, report = merge.three_way(base, mine, self._doc)
        if not report.applied and not my_invalid:
            self._show_banner(self.tr("已载入对方保存的版本；本窗口没有需要重新应用的修改。"), kind="info")
            return report
        # raw texts typed into table rows stay only where the rows did not shift
        tables = {"members[": ("members",), "organization.council[": ("organization", "council"),
                  "organization.expert_committee[": ("organization", "expert_committee")}

        def rows(doc, keys):
            for k in keys:
                doc = doc.get(k) or {}
            return doc or []

        same = {prefix: len(rows(merged, keys)) == len(rows(mine, keys)) for prefix, keys in tables.items()}
        self._show_document(merged, {k: v for k, v in my_invalid.items()
                                     if next((same[p] for p in tables if k.startswith(p)), True)})
        self.documentChanged.emit(copy.deepcopy(self._doc))
        self._emit_result()
        self._dirty = True
        self._schedule_save()
        text = self.tr("已载入对方保存的第 {0} 版，并重新应用了本窗口的 {1} 处修改。").format(
            self._version, len(report.applied))
        if report.overridden:
            shown = "、".join(report.overridden[:6]) + (self.tr(" 等") if len(report.overridden) > 6 else "")
            text += self.tr("其中 {0} 处对方也改过，现为本窗口的内容：{1}。").format(len(report.overridden), shown)
        self._show_banner(text, kind="info")
        return report

    # ================================================================ autosave

    def _schedule_save(self) -> None:
        if self._conflict:
            return
        now = time.monotonic()
        if self._pending_since is None:
            self._pending_since = now
        remaining = self.AUTOSAVE_MAX_MS - (now - self._pending_since) * 1000.0
        self._save_timer.start(int(max(0.0, min(float(self.AUTOSAVE_DELAY_MS), remaining))))
        self.save_status.setText(self.tr("有未保存的修改…"))

    def _autosave(self) -> None:
        self._save()

    def _save_now(self) -> None:
        self._save_timer.stop()
        self._save()

    def _save(self) -> bool:
        if not self._dirty:
            return True
        if self._conflict:
            return False
        try:
            version = store.save_draft(self._db, self._doc, self.invalid(), self._version)
        except store.ConflictError as exc:
            self._conflict = True
            self._pending_since = None
            msg = str(exc)
            self._last_error = msg
            self._show_banner(msg + self.tr("。本窗口的修改未保存，也不会覆盖对方的修改。"),
                              kind="conflict")
            self.save_status.setText(self.tr("未保存（冲突）"))
            self.saveFailed.emit(msg)
            return False
        except Exception as exc:  # noqa: BLE001 - any failure is shown, the edits stay in memory
            self._pending_since = None
            msg = self.tr("自动保存失败：{0}").format(exc)
            self._last_error = msg
            self._show_banner(msg)
            self.save_status.setText(self.tr("未保存"))
            self.saveFailed.emit(msg)
            QTimer.singleShot(3000, self, self._retry_save)
            return False
        self._version = version
        self._base = copy.deepcopy(self._doc)
        self._dirty = False
        self._pending_since = None
        self._last_error = None
        if self.banner.property("kind") == "save":
            self.banner_box.hide()
        self.save_status.setText(
            self.tr("已自动保存 {0}").format(datetime.now().strftime("%H:%M:%S")))
        self.check_duplicates()
        self.saved.emit(version)
        return True

    def check_duplicates(self) -> list[str]:
        """Show (or clear) the duplicate note for the stored applications this one duplicates."""
        from alliance_desk.store import duplicates

        with self._db.Session() as s:
            found = duplicates.for_document(s, self._doc)
        lines = [d.text() for d in found]
        self.duplicate_note.setText(self.tr("疑似重复申报：") + "；".join(lines)
                                    + self.tr("。公示和证书只会列入先录入的一份。") if lines else "")
        self.duplicate_note.setVisible(bool(lines))
        return lines

    def _retry_save(self) -> None:
        if self._dirty and not self._conflict and not self._save_timer.isActive():
            self._save()

    def _show_banner(self, message: str, kind: str = "save") -> None:
        """kind: save (cleared by the next successful save), conflict (offers 重新载入) or info."""
        self.banner.setText(message)
        self.banner.setProperty("kind", kind)
        self.reload_button.setVisible(kind == "conflict")
        self.reapply_button.setVisible(kind == "conflict")
        self.banner_box.show()

    def banner_text(self) -> str:
        return self.banner.text() if not self.banner_box.isHidden() else ""

    def closeEvent(self, event):  # noqa: N802
        self._save_now()  # a failure is on the banner and was signalled by saveFailed
        super().closeEvent(event)

    # ================================================================ header and schema problems

    def _update_header(self) -> None:
        name = self._doc.get("name") or self.tr("（未命名联盟）")
        self.title_label.set_full_text(name)
        self.subtitle_label.set_full_text(self.tr("{0} · {1} · {2} 家成员单位").format(
            self.pack.region_name, self.pack.scheme, len(self._doc["members"])))
        self.setWindowTitle(name)

    def _check_schema(self) -> None:
        problems = exchange.validate_document(self._doc)
        self._schema_problems = problems
        if not problems:
            self.schema_button.hide()
            return
        self.schema_button.setText(self.tr("⚠ 草稿中有 {0} 处不符合格式要求（点击定位第一处）：{1}").format(
            len(problems), problems[0]))
        self.schema_button.setToolTip("\n".join(problems[:30]))
        self.schema_button.show()

    def schema_problems(self) -> list[str]:
        return list(self._schema_problems)

    def _jump_to_schema_problem(self) -> None:
        if self._schema_problems:
            self.focus_field(self._schema_problems[0].split(":", 1)[0])

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
