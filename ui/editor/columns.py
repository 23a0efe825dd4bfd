"""The vocabulary of the editor's record tables: the column description (`Column`) and the
Chinese titles and accepted spellings of member kinds, roles and council/committee roles, and
the words read as yes/no when pasting from Excel/WPS."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from PySide6.QtCore import QCoreApplication, QT_TRANSLATE_NOOP
from PySide6.QtGui import QColor

translate = QCoreApplication.translate

INVALID_BG = QColor("#ffcdd2")
INVALID_FG = QColor("#8e0000")

KIND_TITLES = {
    "enterprise": QT_TRANSLATE_NOOP("MemberTable", "企业"),
    "university": QT_TRANSLATE_NOOP("MemberTable", "高校"),
    "research_institute": QT_TRANSLATE_NOOP("MemberTable", "科研院所"),
    "industry_association": QT_TRANSLATE_NOOP("MemberTable", "行业协会"),
    "intermediary": QT_TRANSLATE_NOOP("MemberTable", "中介机构"),
    "financial": QT_TRANSLATE_NOOP("MemberTable", "金融机构"),
    "testing": QT_TRANSLATE_NOOP("MemberTable", "检测机构"),
    "user": QT_TRANSLATE_NOOP("MemberTable", "用户单位"),
    "other": QT_TRANSLATE_NOOP("MemberTable", "其他"),
}
ROLE_TITLES = {
    "lead": QT_TRANSLATE_NOOP("MemberTable", "牵头单位"),
    "core": QT_TRANSLATE_NOOP("MemberTable", "核心成员"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "一般成员"),
}
COUNCIL_ROLE_TITLES = {
    "chair": QT_TRANSLATE_NOOP("MemberTable", "理事长"),
    "vice_chair": QT_TRANSLATE_NOOP("MemberTable", "副理事长"),
    "honorary_chair": QT_TRANSLATE_NOOP("MemberTable", "名誉理事长"),
    "director": QT_TRANSLATE_NOOP("MemberTable", "理事"),
    "secretary_general": QT_TRANSLATE_NOOP("MemberTable", "秘书长"),
    "deputy_secretary_general": QT_TRANSLATE_NOOP("MemberTable", "副秘书长"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "成员"),
}
EXPERT_ROLE_TITLES = {
    "chair": QT_TRANSLATE_NOOP("MemberTable", "主任委员"),
    "vice_chair": QT_TRANSLATE_NOOP("MemberTable", "副主任委员"),
    "member": QT_TRANSLATE_NOOP("MemberTable", "委员"),
    "secretary_general": QT_TRANSLATE_NOOP("MemberTable", "秘书长"),
    "deputy_secretary_general": QT_TRANSLATE_NOOP("MemberTable", "副秘书长"),
    "honorary_chair": QT_TRANSLATE_NOOP("MemberTable", "名誉主任委员"),
    "director": QT_TRANSLATE_NOOP("MemberTable", "理事"),
}
# alternative spellings accepted when pasting or typing a choice
ENUM_ALIASES = {
    "enterprise": ("公司", "企业单位", "民营企业", "国有企业"),
    "university": ("大学", "高等院校", "高等学校", "院校", "学院"),
    "research_institute": ("科研机构", "研究院", "研究所", "科研单位"),
    "industry_association": ("协会", "学会", "行业组织"),
    "intermediary": ("中介", "服务机构", "科技服务机构"),
    "financial": ("金融", "银行", "投资机构"),
    "testing": ("检验检测机构", "检测"),
    "user": ("用户",),
    "lead": ("牵头", "理事长单位", "牵头单位（理事长单位）"),
    "core": ("核心", "核心单位", "副理事长单位"),
    "member": ("成员", "一般", "成员单位", "普通成员"),
}
TRUE_TEXTS = {"是", "有", "√", "✓", "✔", "y", "yes", "true", "1", "对", "本地", "良好", "是的"}
FALSE_TEXTS = {"否", "无", "×", "✗", "✘", "n", "no", "false", "0", "不是", "外地", "非本地"}


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # translated at display time (context MemberTable)
    kind: str  # index | text | uscc | enum | bool | int | number
    width: int = 100
    labels: dict = field(default_factory=dict)  # enum: value -> title
    aliases: tuple = ()  # header titles recognised when pasting


def _norm(text: str) -> str:
    t = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"[\s*＊:：]", "", t).lower()

