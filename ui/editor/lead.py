"""The lead unit's R&D platforms (研发平台) and enterprise classes (专精特新、高新技术企业…): facts
some regions' rules judge (Chongqing 一(一)1 市级及以上企业研发机构, Ganzhou 省级以上平台), kept on
the lead member (`members[i].platforms`, `members[i].enterprise_class`). The editor shows this
panel under the member table when the region's pack has rules that read them.

Every change is one `SetFieldCommand` on the lead member's path, so Ctrl+Z undoes it like any
other field; the panel redraws from the document after each change (edit, undo, reload)."""
from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtWidgets import QCheckBox, QGridLayout, QGroupBox, QLabel, QVBoxLayout, QWidget

from alliance_desk.rules import CLASS_LABELS, LEVEL_LABELS

from ui.editor.commands import SetFieldCommand
from ui.editor.columns import Column
from ui.editor.record_model import RecordTableModel
from ui.editor.record_view import RecordTablePanel

translate = QCoreApplication.translate


class PlatformTableModel(RecordTableModel):
    """The lead's platforms; edits go to the editor as one command (no undo stack of its own)."""

    COLUMNS = [
        Column("name", QT_TRANSLATE_NOOP("MemberTable", "平台名称"), "text", 220,
               aliases=("名称", "研发平台", "研发机构", "平台")),
        Column("level", QT_TRANSLATE_NOOP("MemberTable", "级别"), "enum", 80, labels=LEVEL_LABELS,
               aliases=("平台级别", "认定级别")),
        Column("kind", QT_TRANSLATE_NOOP("MemberTable", "类型"), "text", 130,
               aliases=("平台类型", "类别")),
        Column("approved_by", QT_TRANSLATE_NOOP("MemberTable", "认定部门"), "text", 140,
               aliases=("批准部门", "认定单位")),
        Column("approved_on", QT_TRANSLATE_NOOP("MemberTable", "认定日期"), "text", 96,
               aliases=("批准日期", "认定时间")),
    ]

    def __init__(self, parent=None):
        super().__init__([], None, parent, path="members[0].platforms")

    def blank_row(self) -> dict:
        return {"name": "", "level": "municipal"}


class LeadFactsPanel(QGroupBox):
    """牵头单位的研发平台与企业类别, bound to whichever member is the lead."""

    def __init__(self, editor, platforms: bool, classes: bool, parent: QWidget | None = None):
        super().__init__(translate("LeadFacts", "牵头单位的研发平台与企业类别"), parent)
        self.setObjectName("lead_facts")
        self._editor = editor
        self._lead: int | None = None
        self._showing = False
        lay = QVBoxLayout(self)
        self.lead_label = QLabel()
        self.lead_label.setObjectName("lead_label")
        self.lead_label.setWordWrap(True)
        lay.addWidget(self.lead_label)
        self.platform_model = PlatformTableModel(self)
        self.platform_model.contentChanged.connect(self._platforms_edited)
        self.platform_panel = RecordTablePanel(
            self.platform_model, translate("LeadFacts", "个研发平台"), self, paste=True, move=False,
            hint=translate("LeadFacts", "企业技术中心、重点实验室、工程技术研究中心等；级别为国家级、省级、市级或其他。"))
        self.platform_panel.setObjectName("platform_panel")
        self.platform_panel.view.setMinimumHeight(110)
        self.platform_panel.setVisible(platforms)
        lay.addWidget(self.platform_panel)
        self.class_box = QWidget()
        grid = QGridLayout(self.class_box)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(QLabel(translate("LeadFacts", "企业类别：")), 0, 0)
        self.class_checks: dict[str, QCheckBox] = {}
        for i, (code, label) in enumerate(CLASS_LABELS.items()):
            box = QCheckBox(translate("LeadFacts", label))
            box.setObjectName(f"class_{code}")
            box.toggled.connect(lambda _on: self._classes_edited())
            self.class_checks[code] = box
            grid.addWidget(box, i // 3, 1 + i % 3)
        self.class_box.setVisible(classes)
        lay.addWidget(self.class_box)
        editor.documentChanged.connect(lambda _doc: self.show_document())
        self.show_document()

    # ---------------------------------------------------------------- document -> widgets

    def lead_index(self) -> int | None:
        members = self._editor.value_at("members") or []
        return next((i for i, m in enumerate(members) if m.get("role") == "lead"), None)

    def show_document(self) -> None:
        self._showing = True
        try:
            self._lead = self.lead_index()
            lead = self._editor.value_at(f"members[{self._lead}]") if self._lead is not None else None
            if lead is None:
                self.lead_label.setText(translate("LeadFacts", "请先在上表中把一家成员单位的角色设为“牵头单位”。"))
            else:
                self.lead_label.setText(translate("LeadFacts", "牵头单位：{0}").format(lead.get("name") or "—"))
            self.setEnabled(lead is not None and not getattr(self._editor, "read_only", False))
            self.platform_model.PATH = f"members[{self._lead or 0}].platforms"
            self.platform_model.set_rows(copy.deepcopy((lead or {}).get("platforms") or []))
            have = set((lead or {}).get("enterprise_class") or [])
            for code, box in self.class_checks.items():
                box.setChecked(code in have)
        finally:
            self._showing = False

    # ---------------------------------------------------------------- widgets -> document

    def _push(self, key: str, value: Any, text: str) -> None:
        if self._showing or self._lead is None:
            return
        path = f"members[{self._lead}].{key}"
        if self._editor.value_at(path) == value:
            return
        self._editor.undo_stack.push(SetFieldCommand(self._editor, path, value, None, text))

    def _platforms_edited(self) -> None:
        rows = [{k: v for k, v in r.items() if k in ("name", "level") or v not in ("", None)}
                for r in self.platform_model.rows()]
        self._push("platforms", rows, translate("LeadFacts", "修改「牵头单位研发平台」"))

    def _classes_edited(self) -> None:
        codes = [c for c, box in self.class_checks.items() if box.isChecked()]
        self._push("enterprise_class", codes, translate("LeadFacts", "修改「牵头单位企业类别」"))

    def set_class(self, code: str, on: bool) -> None:
        self.class_checks[code].setChecked(on)

