"""The field table of the application forms: which labels print and read which value.

One `Field` per value the form carries: its place in the application (a dotted path; in a row table
the key inside the row), how the value is written and read (`kind`), the label printed first and
the variants applicants write instead. The writer prints `labels[0]`; the reader accepts any of
`labels` (compared without spaces, punctuation or bracketed units, see normalise.label_key).
A new fact of the exchange format is one more line here and one more mention in a layout.

Kinds: text, code (spaces dropped, upper case: 统一社会信用代码), lines (one item per line), date, datetime, int, money (万元; 元 accepted), bool
(☑是 ☐否), choice (one of `choices`, printed in Chinese), multi (☑ items of `choices`).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from alliance_desk.exports.common import CLASS_ZH, KIND_ZH, LEVEL_ZH, TIER_ZH


@dataclass(frozen=True)
class Field:
    path: str
    kind: str
    labels: tuple[str, ...]
    choices: dict[str, str] = field(default_factory=dict)   # code -> printed label
    aliases: dict[str, str] = field(default_factory=dict)   # other spellings -> code
    required: bool = False

    @property
    def label(self) -> str:
        return self.labels[0]


def F(path: str, kind: str, *labels: str, choices: dict | None = None, aliases: dict | None = None,
      required: bool = False) -> Field:
    return Field(path, kind, tuple(labels), dict(choices or {}), dict(aliases or {}), required)


ROLE_ZH = {"lead": "牵头单位", "core": "核心成员", "member": "一般成员"}
ROLE_ALIASES = {"牵头": "lead", "牵头成员": "lead", "核心": "core", "核心单位": "core", "成员": "member",
                "一般": "member", "成员单位": "member", "普通成员": "member"}
KIND_ALIASES = {"高等院校": "university", "大学": "university", "学院": "university", "科研机构": "research_institute",
                "研究院所": "research_institute", "科研单位": "research_institute", "协会": "industry_association",
                "服务机构": "intermediary", "金融": "financial", "检验检测机构": "testing", "用户": "user",
                "其它": "other"}
CLASS_ALIASES = {"领军": "leading", "链主": "chain_master", "国家级专精特新": "specialized_national",
                 "专精特新小巨人": "specialized_national", "市级专精特新": "specialized_municipal",
                 "高新技术企业": "high_tech", "高企": "high_tech", "国家高新技术企业": "high_tech"}
LEVEL_ALIASES = {"国家": "national", "省": "provincial", "省部级": "provincial", "市": "municipal", "其它": "other"}
TALENT_ZH = {"provincial_or_above": "省级及以上", "municipal": "市级", "none": "无"}
TALENT_ALIASES = {"省级以上": "provincial_or_above", "国家级": "provincial_or_above", "省级": "provincial_or_above",
                  "没有": "none", "否": "none"}
COUNCIL_ROLE_ZH = {"honorary_chair": "名誉理事长", "chair": "理事长", "vice_chair": "副理事长", "director": "常务理事",
                   "secretary_general": "秘书长", "deputy_secretary_general": "副秘书长", "member": "理事"}
EXPERT_ROLE_ZH = {"honorary_chair": "名誉主任", "chair": "主任", "vice_chair": "副主任", "director": "常务委员",
                  "secretary_general": "秘书长", "deputy_secretary_general": "副秘书长", "member": "委员"}
HOLDER_ALIASES = {"理事成员": "member", "理事会成员": "member", "成员": "member", "主任委员": "chair",
                  "副主任委员": "vice_chair", "名誉主席": "honorary_chair", "主席": "chair", "副主席": "vice_chair",
                  "委员": "member", "理事": "member"}

# ------------------------------------------------------------------ the application itself

APPLICATION = {f.path: f for f in (
    F("name", "text", "联盟名称", "创新联合体名称", "联合体名称", "申报联盟名称", "名称", required=True),
    F("industry", "text", "产业领域", "技术领域", "所属产业链", "产业链", "所属产业", required=True),
    F("county", "text", "推荐单位", "所在区县", "推荐县区", "所在县（市、区）", "区县", "推荐部门", required=True),
    F("tier_requested", "choice", "申报类别", "申报层级", "认定类别", choices=TIER_ZH,
      aliases={"示范创新联盟": "demonstration", "示范联盟": "demonstration", "试点创新联盟": "pilot", "试点联盟": "pilot"}),
    F("previously_pilot", "bool", "往年已认定为试点", "是否往年试点联盟", "已是试点创新联盟"),
    F("provincial_recognized", "bool", "已被省科技厅认定为省级联盟", "是否省级联盟", "已认定为省级联盟"),
    F("established_on", "date", "联盟成立时间", "成立时间", "成立日期", "组建时间"),
    F("submitted_at", "datetime", "填报日期", "申报日期", "填表日期", "申报时间", required=True),
    F("investment_wan", "money", "联盟组建资金投入（万元）", "组建资金投入", "资金投入", "联盟组建资金"),
    F("tech_staff_total", "int", "科技工作人员总数", "技术研发人员数", "联盟技术研发人员数", "科技人员总数", "研发人员总数"),
    F("goals", "text", "联盟技术创新目标", "技术创新目标", "创新联合体技术创新目标", "建设目标"),
    F("research_directions", "lines", "联盟研究方向", "研究方向", "联合体研究方向", "主要研究方向"),
    F("cooperation_results", "text", "近三年合作成果", "前期合作成果", "合作基础及成果", "近三年联盟创新成果"),
    F("contact.name", "text", "联系人", "联 系 人", "联盟联系人"),
    F("contact.title", "text", "联系人职务", "职务"),
    F("contact.phone", "text", "联系电话", "电话", "办公电话"),
    F("contact.mobile", "text", "手机", "手机号码", "移动电话"),
    F("contact.email", "text", "电子邮箱", "E-mail", "邮箱", "Email"),
    F("organization.secretariat.address", "text", "联盟办公室地址", "秘书处地址", "办公地址", "办公室地址",
      "办公场所地址"),
    F("organization.secretariat.in_lead_unit", "bool", "秘书处设在牵头单位", "办公室设在牵头单位"),
    F("organization.secretariat.full_time_staff", "int", "秘书处专职人员数", "专职人员数", "专职工作人员",
      "固定人员数"),
    F("organization.secretariat.office_area_m2", "number", "办公面积（平方米）", "办公场所面积", "办公面积"),
    F("organization.external_liability_body", "bool", "已明确对外承担责任的主体", "明确对外承担责任的主体",
      "对外承担责任主体"),
    F("organization.legal_entity_registered", "bool", "联盟已进行法人登记", "已登记为法人", "法人登记"),
    F("agreement.signed_on", "date", "联盟协议签署日期", "协议签署日期", "协议签订日期", "签署日期"),
    F("agreement.effective_on", "date", "联合体协议生效时间", "协议生效日期", "协议生效时间", "生效日期"),
    F("agreement.expires_on", "date", "协议有效期至", "协议截止日期", "协议到期日期", "有效期至"),
    F("agreement.signed_by_legal_reps", "bool", "协议由成员单位法定代表人共同签署", "法定代表人共同签署",
      "法人代表共同签署"),
    F("agreement.sealed", "bool", "协议已由成员单位盖章", "成员单位盖章", "已盖章"),
    F("agreement.innovation_goals", "bool", "协议含明确的技术创新目标", "协议含技术创新目标"),
    F("agreement.task_division", "bool", "协议含任务分工", "协议明确任务分工"),
    F("agreement.ip_terms", "bool", "协议含知识产权归属及收益分配条款", "知识产权条款"),
    F("agreement.breach_terms", "bool", "协议含违约及科研失信责任追究条款", "违约责任条款"),
    F("systems.charter", "bool", "联盟章程"),
    F("systems.council_rules", "bool", "理事会运行制度"),
    F("systems.project_management", "bool", "项目管理制度", "项目管理办法"),
    F("systems.funding_management", "bool", "经费内部管理办法", "经费管理制度", "经费管理办法"),
    F("systems.funding_supervision", "bool", "经费使用内部监督机制", "经费监督机制"),
    F("systems.confidentiality", "bool", "保密制度", "保密管理制度"),
    F("systems.iur_cooperation", "bool", "产学研合作管理制度", "产学研合作制度"),
    F("systems.rd_management", "bool", "科技研发管理办法", "研发管理办法"),
    F("systems.open_membership", "bool", "吸收新成员的开放机制", "开放发展机制", "吸收新成员机制"),
    F("systems.results_diffusion", "bool", "成果扩散机制", "成果转化扩散机制"),
)}

# ------------------------------------------------------------------ one member unit

MEMBER = {f.path: f for f in (
    F("name", "text", "成员单位名称", "单位名称", "成员单位", "名称", required=True),
    F("uscc", "code", "统一社会信用代码", "社会信用代码", "信用代码", "统一代码", required=True),
    F("kind", "choice", "单位类型", "单位性质", "类型", "类别", choices=KIND_ZH, aliases=KIND_ALIASES, required=True),
    F("role", "choice", "联盟中角色", "角色", "成员类别", "在联盟中角色", choices=ROLE_ZH, aliases=ROLE_ALIASES,
      required=True),
    F("in_region", "bool", "是否本地注册", "是否本地单位", "是否市内单位", "是否市内注册", "本地注册", required=True),
    F("legal_rep", "text", "法定代表人", "法人代表", "机构负责人", "法定代表人或负责人"),
    F("address", "text", "详细地址", "联系地址", "地址", "通讯地址"),
    F("research_direction", "text", "所属研究方向", "研究方向"),
    F("chain_segment", "text", "所处产业链环节及分工", "所处产业链环节", "产业链环节"),
    F("revenue_wan", "money", "前一年营业收入（万元）", "上年度营业收入", "营业收入", "上年度销售收入"),
    F("rd_spend_wan", "money", "上年度研发投入（万元）", "研发投入", "上年度内部研发投入经费", "上年度科研投入"),
    F("employees", "int", "职工人数", "职工总数", "员工人数"),
    F("rd_staff", "int", "研发人员数", "研发人员", "其中研发人员", "其中科技人员", "科技人员数"),
    F("senior_titles", "int", "高级职称人数", "高级职称", "其中高级职称人数"),
    F("enterprise_class", "multi", "企业类别", "企业类型", choices=CLASS_ZH, aliases=CLASS_ALIASES),
    F("projects_municipal_or_above", "int", "承担市级及以上项目数", "市级以上项目数", "承担市级以上科研项目数"),
    F("high_level_talent", "choice", "高层次人才", "高层次人才领衔", choices=TALENT_ZH, aliases=TALENT_ALIASES),
    F("integrity_ok", "bool", "无严重科研失信记录", "无失信记录", "诚信情况", "无科研失信记录"),
)}

PLATFORM = {f.path: f for f in (
    F("member", "text", "依托成员单位", "成员单位", "所属单位", "依托单位", required=True),
    F("name", "text", "平台名称", "拥有平台名称", "研发机构名称", required=True),
    F("level", "choice", "平台级别", "级别", "省级/市级", "国家级/省级/市级", choices=LEVEL_ZH, aliases=LEVEL_ALIASES,
      required=True),
    F("kind", "text", "平台类别", "类别", "学科/产业领域"),
    F("approved_by", "text", "批准单位", "平台批准部门", "批准部门", "授予单位"),
    F("approved_on", "date", "批准时间", "建设时间", "批准日期", "认定时间"),
)}


def holder_fields(body: str) -> dict[str, Field]:
    roles = COUNCIL_ROLE_ZH if body == "council" else EXPERT_ROLE_ZH
    role_labels = (("理事会职务", "在理事会职务", "理事会中职务") if body == "council"
                   else ("专家委员会职务", "在专家委职务", "专家委职务", "委员会职务"))
    return {f.path: f for f in (
        F("name", "text", "姓名", "姓 名", required=True),
        F("unit", "text", "所在单位", "单位", "工作单位", required=True),
        F("title", "text", "职务/职称", "职称/职务", "职称", "职务"),
        F("role", "choice", *role_labels, choices=roles, aliases=HOLDER_ALIASES, required=True),
        F("phone", "text", "联系电话", "电话"),
        F("email", "text", "E-mail", "电子邮箱", "邮箱"),
    )}


COUNCIL = holder_fields("council")
EXPERTS = holder_fields("expert_committee")

# the lead unit's own block (Chongqing 004 § 附件1 二、牵头单位信息): the member fields under "lead."
LEAD = {"lead." + key: (F("lead.name", "text", "牵头单位名称", "创新联合体牵头单位", "联盟牵头单位", "牵头单位",
                          "单位名称", required=True) if key == "name"
                        else Field("lead." + key, f.kind, f.labels, f.choices, f.aliases, f.required))
        for key, f in MEMBER.items() if key != "role"}

ROW_TABLES = {"members": MEMBER, "platforms": PLATFORM, "organization.council": COUNCIL,
              "organization.expert_committee": EXPERTS}
