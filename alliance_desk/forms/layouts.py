"""The form of each region, section by section, as data the writer prints and the reader reads.

- chongqing: 重庆市产业技术创新联盟申报表 (004 § 附件1): 一、基本信息表, 二、牵头单位信息 (企业类别 as ☐
  items), 三、联盟成员信息 (member tables), 四、审核意见表; the notice's 主要成员情况表 facts that the
  exchange format holds sit in the member tables.
- ganzhou: 赣州市产业科技创新联合体组建申请表 (003 § 组建申请表, 填表说明): cover, 填表说明, the main
  table, 三、创新联合体成员情况, 五、已建市级及以上科研平台, 理事推荐名单 / 秘书处 (文件6),
  专家咨询委员会推荐名单 (文件7), the two opinion boxes.
- jinzhong, gansu, anshan: the notices print no form; an office template built from the pack, which
  says on its first page that the office may replace it (`[exports] office_form_fields` adds what a
  region asks beyond the common basics).

A pack picks its printed form by `[exports] application_form` (FORM_LAYOUTS); a sixth region is one
TOML file, plus one layout function here if its notice prints its own form.

Blocks: Title, Para (not read back), Section (a heading row), Pairs (label | value cells),
Rows (a table with a header row and one row per item; blank rows are room to add more),
Opinion (a signature box, not read back), PageBreak.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from alliance_desk.exports.form_tables import GANZHOU_NOTES
from alliance_desk.rules.packs import get_pack
from alliance_desk.forms.fields import APPLICATION, LEAD, ROW_TABLES, Field



@dataclass(frozen=True)
class Title:
    text: str
    size: float = 18


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Section:
    text: str


@dataclass(frozen=True)
class Pairs:
    fields: tuple[Field, ...]
    per_row: int = 2


@dataclass(frozen=True)
class Rows:
    key: str                       # members | platforms | organization.council | organization.expert_committee
    title: str
    columns: tuple[Field, ...]
    lead: bool = True              # members: does the table list the lead unit too?
    blank_rows: int = 3


@dataclass(frozen=True)
class Opinion:
    text: str


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass
class Layout:
    region: str
    title: str
    blocks: list = field(default_factory=list)
    landscape: bool = False

    def pair_fields(self) -> list[Field]:
        return [f for b in self.blocks if isinstance(b, Pairs) for f in b.fields]

    def row_tables(self) -> list[Rows]:
        return [b for b in self.blocks if isinstance(b, Rows)]


def _relabel(f: Field, label: str | None) -> Field:
    if not label or label == f.label:
        return f
    return Field(f.path, f.kind, (label,) + tuple(x for x in f.labels if x != label), f.choices, f.aliases, f.required)


def app(*specs) -> Pairs:
    """Pairs of application (or lead.) fields: "path" or ("path", printed label)."""
    out = []
    for s in specs:
        path, label = (s, None) if isinstance(s, str) else s
        out.append(_relabel(APPLICATION.get(path) or LEAD[path], label))
    return Pairs(tuple(out))


def rows(key: str, title: str, *specs, lead: bool = True, blank_rows: int = 3) -> Rows:
    table = ROW_TABLES[key]
    cols = []
    for s in specs:
        path, label = (s, None) if isinstance(s, str) else s
        cols.append(_relabel(table[path], label))
    return Rows(key, title, tuple(cols), lead, blank_rows)


MEMBER_MORE = ("address", "enterprise_class", "projects_municipal_or_above", "high_level_talent", "integrity_ok")
AGREEMENT_AND_SYSTEMS = (
    "agreement.signed_on", "agreement.effective_on", "agreement.expires_on", "agreement.signed_by_legal_reps",
    "agreement.sealed", "agreement.innovation_goals", "agreement.task_division", "agreement.ip_terms",
    "agreement.breach_terms", "organization.external_liability_body", "organization.legal_entity_registered",
    "systems.charter", "systems.council_rules", "systems.project_management", "systems.funding_management",
    "systems.funding_supervision", "systems.confidentiality", "systems.iur_cooperation", "systems.rd_management",
    "systems.open_membership", "systems.results_diffusion")
SECRETARIAT = ("organization.secretariat.address", "organization.secretariat.in_lead_unit",
               "organization.secretariat.full_time_staff", "organization.secretariat.office_area_m2")
LEAD_FACTS = ("lead.legal_rep", "lead.address", "lead.research_direction", "lead.chain_segment", "lead.revenue_wan",
              "lead.rd_spend_wan", "lead.employees", "lead.rd_staff", "lead.senior_titles",
              "lead.projects_municipal_or_above", "lead.high_level_talent", "lead.integrity_ok")


def _holders(key: str, title: str) -> Rows:
    return rows(key, title, "name", "unit", "title", "role", "phone", "email")


def _platforms(title: str) -> Rows:
    return rows("platforms", title, "member", "name", "level", "kind", "approved_by", "approved_on", blank_rows=4)


def _member_tables(lead: bool, first: tuple, rest: tuple) -> list:
    return [rows("members", "成员单位名单", *first, lead=lead, blank_rows=5),
            rows("members", "成员单位基本情况", "name", *rest, lead=lead, blank_rows=5),
            rows("members", "成员单位其他情况", "name", *MEMBER_MORE, lead=lead, blank_rows=5)]


def chongqing() -> Layout:
    in_region = ("in_region", "是否市内单位")
    return Layout("chongqing", "重庆市产业技术创新联盟申报表", [
        Title("重庆市产业技术创新联盟申报表"),
        Section("一、基本信息表"),
        app(("name", "联盟名称"), ("industry", "技术领域"), ("tier_requested", "申报类别"), "previously_pilot",
            ("county", "所在区县"), "established_on", ("submitted_at", "填报日期"), "investment_wan",
            "tech_staff_total", ("organization.secretariat.address", "联盟办公室地址"),
            "organization.secretariat.in_lead_unit", "organization.secretariat.full_time_staff",
            "organization.secretariat.office_area_m2", ("contact.name", "联系人"), ("contact.title", "职务"),
            ("contact.phone", "电话"), ("contact.mobile", "手机"), ("contact.email", "E-mail")),
        Section("二、牵头单位信息"),
        app(("lead.name", "单位名称"), "lead.uscc", ("lead.kind", "单位类型"), ("lead.in_region", "是否重庆市内注册"),
            ("lead.enterprise_class", "企业类别"), ("lead.legal_rep", "机构负责人"), ("lead.address", "联系地址"),
            ("lead.revenue_wan", "上年度营业收入（万元）"), ("lead.rd_spend_wan", "上年度内部研发投入经费（万元）"),
            ("lead.employees", "职工人数"), ("lead.rd_staff", "其中研发人员"), ("lead.senior_titles", "高级职称"),
            *LEAD_FACTS[2:4], *LEAD_FACTS[9:]),
        _platforms("已建市级以上企业研发机构及成员单位科研平台"),
        Section("三、联盟成员信息"),
        *_member_tables(False, ("name", "uscc", "kind", "role", in_region, "legal_rep"),
                        ("research_direction", "chain_segment", "revenue_wan", "rd_spend_wan", "employees",
                         "rd_staff", "senior_titles")),
        _holders("organization.council", "联盟理事会组成单位及人员"),
        _holders("organization.expert_committee", "联盟专家委员会组成人员"),
        Section("联盟运行机制、管理机制、保障机制"),
        app("goals", "research_directions", "cooperation_results", *AGREEMENT_AND_SYSTEMS),
        PageBreak(),
        Section("四、审核意见表"),
        Opinion("联盟牵头单位意见：\n我单位承诺提交的全部申报材料真实可靠，如有弄虚作假行为，愿意承担法律责任。\n\n"
                "单位负责人（签字或盖章）　　　　（公章）\n　　　　年　　月　　日"),
        Opinion("区（县）产业主管部门意见：\n\n单位负责人（签字或盖章）　　　　（公章）\n　　　　年　　月　　日"),
    ])


def ganzhou() -> Layout:
    return Layout("ganzhou", "赣州市产业科技创新联合体组建申请表", [
        Title("赣州市产业科技创新联合体\n组建申请表", 22),
        Para("赣州市科学技术局制"),
        Section("填表说明"),
        *[Para(t) for t in GANZHOU_NOTES],
        PageBreak(),
        app(("name", "创新联合体名称"), ("agreement.effective_on", "联合体协议生效时间"),
            ("lead.name", "创新联合体牵头单位"), "lead.uscc", ("lead.kind", "牵头单位类型"),
            ("lead.in_region", "是否市内注册"), ("industry", "产业领域"), ("county", "所在县（市、区）"),
            ("submitted_at", "填报日期"), "established_on", "investment_wan", "tech_staff_total",
            ("contact.name", "联系人"), ("contact.phone", "电话"), ("contact.mobile", "手机"),
            ("contact.email", "电子邮箱"), ("contact.title", "职务"), ("research_directions", "联合体研究方向"),
            ("goals", "创新联合体技术创新目标"), ("cooperation_results", "前期合作成果")),
        Section("三、创新联合体成员情况"),
        *_member_tables(True, ("name", "uscc", "research_direction", "chain_segment", "revenue_wan", "kind", "role",
                               ("in_region", "是否市内单位")),
                        ("legal_rep", "rd_spend_wan", "employees", "rd_staff", "senior_titles")),
        Section("五、创新联合体已建市级及以上科研平台"),
        _platforms("科研平台（含重点实验室、工程技术研究中心、企业技术创新中心等）"),
        Section("理事推荐名单、秘书处"),
        _holders("organization.council", "理事推荐名单"),
        app(*SECRETARIAT),
        Section("专家咨询委员会推荐名单"),
        _holders("organization.expert_committee", "专家咨询委员会推荐名单"),
        Section("组建协议与工作制度"),
        app(*AGREEMENT_AND_SYSTEMS),
        PageBreak(),
        Opinion("县（市、区）科技主管部门推荐意见：\n\n\n（盖章）\n　　　　年　　月　　日"),
        Opinion("市科技局审核意见：\n\n\n（盖章）\n　　　　年　　月　　日"),
    ])


def office(region: str) -> Layout:
    pack = get_pack(region)
    noun = _exports(pack).get("alliance_noun") or "产业技术创新联盟"
    title = f"{pack.region_name}{noun}申请表"
    basics = ["name", "industry", ("county", "推荐单位"), "established_on", "submitted_at", "investment_wan",
              "tech_staff_total"]
    # what a region asks beyond the common basics is in its pack (e.g. 鞍山's 第十三条 recognition)
    basics += _exports(pack).get("office_form_fields", [])
    return Layout(region, title, [
        Title(title),
        Para(f"（本表为{pack.authority or pack.region_name}办理{pack.name}的参考格式，由本程序按规则包生成；"
             "主管部门另行印发申请表格式的，以其格式为准，可替换本模板。）", bold=True),
        Section("一、联盟基本情况"),
        app(*basics, "contact.name", "contact.title", "contact.phone", "contact.mobile", "contact.email"),
        Section("二、牵头单位"),
        app("lead.name", "lead.uscc", "lead.kind", "lead.in_region", "lead.enterprise_class", *LEAD_FACTS),
        Section("三、成员单位"),
        *_member_tables(False, ("name", "uscc", "kind", "role", "in_region", "legal_rep"),
                        ("research_direction", "chain_segment", "revenue_wan", "rd_spend_wan", "employees",
                         "rd_staff", "senior_titles")),
        Section("四、科研平台"),
        _platforms("成员单位科研平台"),
        Section("五、组织机构"),
        _holders("organization.council", "理事会"),
        _holders("organization.expert_committee", "专家委员会"),
        app(*SECRETARIAT),
        Section("六、联盟协议与管理制度"),
        app(*AGREEMENT_AND_SYSTEMS),
        Section("七、技术创新目标与合作基础"),
        app("goals", "research_directions", "cooperation_results"),
        Opinion("牵头单位意见：\n我单位承诺所填内容真实可靠。\n\n（公章）\n　　　　年　　月　　日"),
        Opinion("推荐单位意见：\n\n（公章）\n　　　　年　　月　　日"),
    ])


def _exports(pack) -> dict:
    return pack.raw.get("exports", {})


#: the forms a notice prints, by the form id a pack names in `[exports] application_form`; a region
#: without one gets the office template built from its pack
FORM_LAYOUTS = {"chongqing": chongqing, "ganzhou": ganzhou}

_CACHE: dict[str, Layout] = {}


def layout_for(region: str) -> Layout:
    if region not in _CACHE:
        build = FORM_LAYOUTS.get(_exports(get_pack(region)).get("application_form", ""))
        if build is None:
            _CACHE[region] = office(region)
        else:
            lay = build()
            lay.region = region
            _CACHE[region] = lay
    return _CACHE[region]


def carried_members_fields(lay: Layout) -> set[str]:
    return {c.path for r in lay.row_tables() if r.key == "members" for c in r.columns}
