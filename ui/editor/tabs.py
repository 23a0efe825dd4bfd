"""The editor's tabs: the header with undo/redo and save status, the banner, and one builder per
tab (基本信息, 成员单位, 组织机构, 协议与制度, 申报材料, 推荐意见). Which region-specific fields
appear is what the pack declares: the facts its rules read (`rule_facts.reads`) and its tiers.
Mixed into ApplicationEditor; every field is bound through `_bind` so edits become undo commands."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCompleter, QFormLayout, QFrame, QGridLayout, QGroupBox, QHBoxLayout, QLabel,
                               QPushButton, QScrollArea, QSizePolicy, QTabWidget, QToolButton, QVBoxLayout, QWidget)

from alliance_desk.rules import VALUE_LABELS
from alliance_desk.rules.rule_facts import reads

from ui.editor.docpath import MISSING
from ui.editor.fields import CheckField, ComboField, ElidedLabel, LineField, TextAreaField
from ui.editor.lead import LeadFactsPanel
from ui.editor.materials import MaterialsEditor
from ui.editor.members import RecordTablePanel


def _page() -> tuple[QWidget, QVBoxLayout]:
    """A tab's page and its column layout."""
    page = QWidget()
    return page, QVBoxLayout(page)


class EditorTabs:
    """Builds the editor's widgets (mixed into ApplicationEditor)."""

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
        page, lay = _page()
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
        page, lay = _page()
        lay.setContentsMargins(4, 8, 4, 4)
        self.members_panel = RecordTablePanel(
            self.member_model, self.tr("家成员单位"), page,
            hint=self.tr("双击单元格编辑；可从 Excel/WPS 复制多行后按 Ctrl+V 粘贴。"
                           "红色单元格有问题，鼠标停留可查看原因。牵头单位有且只有一家。"))
        self.members_panel.setObjectName("members_panel")
        lay.addWidget(self.members_panel, 3)
        # the member list to and from Excel, in the background (ui/editor/member_io.py)
        for name, text, slot in (
                ("import_members_button", self.tr("从 Excel 导入…"), self.member_excel.import_dialog),
                ("export_members_button", self.tr("导出到 Excel…"), self.member_excel.export_dialog)):
            button = QToolButton(self.members_panel)  # owned by the panel from the start
            button.setText(text)
            button.setObjectName(name)
            button.clicked.connect(slot)
            self.members_panel.add_tool(button)
        # facts of the lead unit that only some regions judge: offered where the pack's rules read them
        platforms, classes = reads(self.pack, "lead.platforms"), reads(self.pack, "lead.enterprise_class")
        self.lead_panel = LeadFactsPanel(self, platforms, classes, page) if platforms or classes else None
        if self.lead_panel is not None:
            lay.addWidget(self.lead_panel, 1)
        return page

    def _build_org(self) -> QWidget:
        page, lay = _page()
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
        page, lay = _page()
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
        page, lay = _page()
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
        page, lay = _page()
        box, form = self._form(self.tr("推荐意见"))
        form.addRow("", self._check("recommendation.recommended", self.tr("同意推荐")))
        form.addRow(self.tr("推荐意见"), self._area(
            "recommendation.opinion", self.tr("推荐意见"), self.tr("审核推荐意见"), height=150))
        form.addRow(self.tr("签署人"), self._line("recommendation.by", self.tr("推荐意见签署人")))
        form.addRow(self.tr("日期"), self._line("recommendation.on", self.tr("推荐日期")))
        lay.addWidget(box)
        lay.addStretch(1)
        return page

