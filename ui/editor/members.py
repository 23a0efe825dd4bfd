"""The editor's concrete record tables: member units (成员单位, the document's `members`) and
the council / expert committee (`organization.council`, `organization.expert_committee`).
The generic model lives in record_model.py, the views in record_view.py; their names are
re-exported here for callers that import them from this module."""
from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

from ui.editor.columns import COUNCIL_ROLE_TITLES, EXPERT_ROLE_TITLES, KIND_TITLES, ROLE_TITLES, Column
from ui.editor.record_model import RecordTableModel, split_tsv
from ui.editor.record_view import RecordTablePanel, RecordTableView

__all__ = ["Column", "HolderTableModel", "MemberTableModel", "RecordTableModel", "RecordTablePanel",
           "RecordTableView", "split_tsv"]


class MemberTableModel(RecordTableModel):
    """成员单位: the document's `members` list."""

    PATH = "members"
    COLUMNS = [
        Column("#", QT_TRANSLATE_NOOP("MemberTable", "序号"), "index", 44, aliases=("编号", "序"),),
        Column("name", QT_TRANSLATE_NOOP("MemberTable", "单位名称"), "text", 220,
               aliases=("成员单位", "成员单位名称", "单位", "名称", "企业名称", "机构名称")),
        Column("uscc", QT_TRANSLATE_NOOP("MemberTable", "统一社会信用代码"), "uscc", 175,
               aliases=("信用代码", "社会信用代码", "uscc", "统一信用代码", "组织机构代码")),
        Column("kind", QT_TRANSLATE_NOOP("MemberTable", "单位类型"), "enum", 90, labels=KIND_TITLES,
               aliases=("类型", "单位性质", "性质", "机构类型")),
        Column("role", QT_TRANSLATE_NOOP("MemberTable", "角色"), "enum", 90, labels=ROLE_TITLES,
               aliases=("联盟角色", "成员类别", "成员类型", "类别", "联盟职务")),
        Column("in_region", QT_TRANSLATE_NOOP("MemberTable", "本地注册"), "bool", 72,
               aliases=("是否本地注册", "在本地注册", "本地", "注册地在本地")),
        Column("legal_rep", QT_TRANSLATE_NOOP("MemberTable", "法定代表人"), "text", 86,
               aliases=("法人代表", "法人", "负责人")),
        Column("chain_segment", QT_TRANSLATE_NOOP("MemberTable", "所处产业链环节"), "text", 110,
               aliases=("产业链环节", "产业链位置", "环节")),
        Column("research_direction", QT_TRANSLATE_NOOP("MemberTable", "研究方向"), "text", 140,
               aliases=("主要研究方向", "研发方向")),
        Column("employees", QT_TRANSLATE_NOOP("MemberTable", "职工人数"), "int", 72,
               aliases=("职工总数", "员工人数", "职工数")),
        Column("rd_staff", QT_TRANSLATE_NOOP("MemberTable", "研发人员"), "int", 72,
               aliases=("研发人员数", "研发人数", "科研人员")),
        Column("rd_spend_wan", QT_TRANSLATE_NOOP("MemberTable", "研发投入（万元）"), "number", 110,
               aliases=("研发投入", "研发经费", "研发经费投入", "研发投入万元", "研发经费（万元）")),
        Column("integrity_ok", QT_TRANSLATE_NOOP("MemberTable", "诚信良好"), "bool", 72,
               aliases=("诚信", "诚信状况", "诚信状况良好", "无失信记录")),
    ]

    def blank_row(self) -> dict:
        return {"name": "", "uscc": "", "kind": "enterprise", "role": "member", "in_region": False}


class HolderTableModel(RecordTableModel):
    """理事会 / 专家咨询委员会: `organization.council` or `organization.expert_committee`."""

    def __init__(self, body: str, rows: list[dict] | None = None, parent=None):
        self.body = body
        titles = COUNCIL_ROLE_TITLES if body == "council" else EXPERT_ROLE_TITLES
        columns = [
            Column("name", QT_TRANSLATE_NOOP("MemberTable", "姓名"), "text", 80),
            Column("unit", QT_TRANSLATE_NOOP("MemberTable", "单位"), "text", 200,
                   aliases=("工作单位", "所在单位")),
            Column("title", QT_TRANSLATE_NOOP("MemberTable", "职务/职称"), "text", 110,
                   aliases=("职务", "职称")),
            Column("role", QT_TRANSLATE_NOOP("MemberTable", "角色"), "enum", 100, labels=titles,
                   aliases=("联盟职务", "担任职务")),
            Column("phone", QT_TRANSLATE_NOOP("MemberTable", "电话"), "text", 110, aliases=("联系电话", "手机")),
            Column("email", QT_TRANSLATE_NOOP("MemberTable", "邮箱"), "text", 150, aliases=("电子邮箱", "email")),
        ]
        super().__init__(rows, None, parent, columns=columns, path=f"organization.{body}")

    def blank_row(self) -> dict:
        return {"name": "", "unit": "", "role": "director" if self.body == "council" else "member"}
