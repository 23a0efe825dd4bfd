"""The fixed set of rule kinds. A region pack only chooses kinds and parameters; nothing is eval-ed.

Each kind is a function (app view, params) -> (met: bool | None, message, field).
`met is None` means "cannot be judged here" and reports `na` with the reason; `met == "warn"` is a
soft outcome of a rule that otherwise fails (Ganzhou's 其他产业: accepted, but the clerk checks it).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Callable

from alliance_desk import dates
from alliance_desk.rules import uscc as uscc_mod

STATUSES = ("pass", "fail", "warn", "manual", "na")

# Chinese labels for the application fields a pack may name.
FIELD_LABELS = {
    "organization.council": "理事会",
    "organization.expert_committee": "专家咨询委员会",
    "organization.secretariat": "常设执行机构（秘书处）",
    "organization.secretariat.address": "秘书处固定办公场所",
    "organization.secretariat.in_lead_unit": "秘书处设在牵头单位内",
    "organization.secretariat.full_time_staff": "秘书处专职人员",
    "organization.external_liability_body": "明确对外承担责任的主体",
    "organization.legal_entity_registered": "联盟法人登记",
    "agreement.signed_by_legal_reps": "协议由成员单位法定代表人共同签署",
    "agreement.sealed": "协议加盖公章",
    "agreement.innovation_goals": "协议有明确的技术创新目标",
    "agreement.task_division": "协议有明确的任务分工",
    "agreement.ip_terms": "协议明确成果和知识产权归属、许可使用和收益分配",
    "agreement.breach_terms": "协议明确违约责任追究",
    "agreement.expires_on": "协议到期日",
    "systems.charter": "联盟章程",
    "systems.funding_management": "经费内部管理办法",
    "systems.funding_supervision": "经费使用内部监督机制",
    "systems.project_management": "项目管理制度",
    "systems.confidentiality": "保密管理制度",
    "systems.iur_cooperation": "产学研合作管理制度",
    "systems.council_rules": "理事会运行制度",
    "systems.rd_management": "科技研发管理办法",
    "systems.open_membership": "吸收新成员的开放机制",
    "systems.results_diffusion": "成果扩散机制",
    "cooperation_results": "技术创新合作活动的初步成效",
    "goals": "技术创新目标",
    "established_on": "联盟成立日期",
    "provincial_recognized": "已认定为省级联盟",
    "provincial_recognized_on": "省级联盟认定日期",
    "tier_requested": "申报类别",
    "materials_sealed_by_all": "申报材料经联盟所有成员单位盖章",
    "systems.operation_mechanism": "明确的运行机制",
    "systems.management_mechanism": "明确的管理机制",
    "systems.collaborative_innovation": "长效的协同创新机制",
    "previously_pilot": "往年已为试点创新联盟",
    "tech_staff_total": "科技工作人员总数",
    "investment_wan": "联盟组建资金投入",
}

MEMBER_FIELD_LABELS = {
    "integrity_ok": "诚信状况良好（无科研严重失信记录、无信用黑名单记录）",
    "rd_spend_wan": "研发经费投入",
    "in_region": "在本地注册",
    "employees": "职工人数",
    "rd_staff": "研发人员",
}

KIND_LABELS = {
    "enterprise": "企业", "university": "高校", "research_institute": "科研院所",
    "industry_association": "行业协会", "intermediary": "中介机构", "financial": "金融机构",
    "testing": "检测机构", "user": "用户单位", "other": "其他",
}

VALUE_LABELS = {"demonstration": "示范", "pilot": "试点"}

LEVEL_LABELS = {"national": "国家级", "provincial": "省级", "municipal": "市级", "other": "其他"}

CLASS_LABELS = {
    "leading": "领军企业", "chain_master": "链主企业", "specialized_national": "国家级专精特新企业",
    "specialized_municipal": "市级专精特新企业", "high_tech": "高新技术企业",
}


# ------------------------------------------------------------------ the application, read-only view

class AppView:
    """Derived facts of one application, computed once per evaluation."""

    def __init__(self, doc: dict, uscc_problems: list[str | None] | None = None):
        self.doc = doc
        self.members: list[dict] = doc.get("members") or []
        self.lead_index = next((i for i, m in enumerate(self.members) if m.get("role") == "lead"), None)
        self.lead = self.members[self.lead_index] if self.lead_index is not None else None
        # the store passes the verdicts it computed with python-stdnum at save time
        self._uscc = uscc_problems

    def get(self, path: str) -> Any:
        node: Any = self.doc
        for part in path.split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node

    def uscc_problems(self) -> list[str | None]:
        if self._uscc is None:
            self._uscc = [uscc_mod.problem(m.get("uscc")) for m in self.members]
        return self._uscc

    def submitted(self) -> datetime | None:
        try:
            return datetime.strptime(self.doc.get("submitted_at", ""), "%Y-%m-%dT%H:%M")
        except (TypeError, ValueError):
            return None


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, (list, dict)):
        return bool(value)
    return value is True


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# ------------------------------------------------------------------ selectors for counting rules

def _sel_members(a: AppView):
    return len(a.members), "成员单位", "家"


def _sel_core(a: AppView):
    return sum(1 for m in a.members if m.get("role") in ("lead", "core")), "核心成员（含牵头单位）", "家"


def _sel_enterprises(a: AppView):
    return sum(1 for m in a.members if m.get("kind") == "enterprise"), "企业成员", "家"


def _sel_academic(a: AppView):
    n = sum(1 for m in a.members if m.get("kind") in ("university", "research_institute"))
    return n, "高校、科研院所成员", "家"


def _sel_council(a: AppView):
    return len(a.get("organization.council") or []), "理事会成员", "人"


def _sel_experts(a: AppView):
    return len(a.get("organization.expert_committee") or []), "专家咨询委员会成员", "人"


def _sel_staff(a: AppView):
    sec = a.get("organization.secretariat")
    n = _count(sec.get("full_time_staff")) if isinstance(sec, dict) else None
    return (n or 0), "秘书处专职人员", "人"


def _sel_tech_staff(a: AppView):
    return _count(a.get("tech_staff_total")), "科技工作人员总数", "人"


SELECTORS: dict[str, Callable[[AppView], tuple[int | None, str, str]]] = {
    "members": _sel_members,
    "core_members": _sel_core,
    "enterprises": _sel_enterprises,
    "universities_or_institutes": _sel_academic,
    "council": _sel_council,
    "expert_committee": _sel_experts,
    "secretariat_staff": _sel_staff,
    "tech_staff_total": _sel_tech_staff,
}

SELECTOR_FIELDS = {
    "members": "members", "core_members": "members", "enterprises": "members",
    "universities_or_institutes": "members", "council": "organization.council",
    "expert_committee": "organization.expert_committee",
    "secretariat_staff": "organization.secretariat.full_time_staff", "tech_staff_total": "tech_staff_total",
}


# ------------------------------------------------------------------ context given to every kind

@dataclass
class Context:
    pack: Any  # packs.Pack
    calls: dict  # call id -> packs.Call


Outcome = tuple  # (met: bool | None, message: str, field: str | None)


def k_count(a: AppView, p: dict, ctx: Context) -> Outcome:
    value, label, unit = SELECTORS[p["of"]](a)
    field = SELECTOR_FIELDS[p["of"]]
    lo, hi = p.get("min"), p.get("max")
    if value is None:
        return False, f"{label}未填写", field
    if lo is not None and hi is not None:
        req = f"要求 {lo}–{hi} {unit}"
    elif lo is not None:
        req = f"要求不少于 {lo} {unit}"
    else:
        req = f"要求不超过 {hi} {unit}"
    met = (lo is None or value >= lo) and (hi is None or value <= hi)
    return met, f"{label} {value} {unit}，{req}", field


def k_has_kind(a: AppView, p: dict, ctx: Context) -> Outcome:
    missing = []
    have = []
    for group in p["groups"]:
        names = "或".join(KIND_LABELS[k] for k in group)
        n = sum(1 for m in a.members if m.get("kind") in group)
        (have if n else missing).append(f"{names} {n} 家")
    if missing:
        return False, "缺少" + "、".join(g.split(" ")[0] for g in missing) + "成员（现有：" + "，".join(have + missing) + "）", "members"
    return True, "成员构成：" + "，".join(have), "members"


def _lead_ref(a: AppView) -> str:
    if a.lead is None:
        return "牵头单位"
    return f"牵头单位「{a.lead.get('name', '')}」"


def k_lead_in_region(a: AppView, p: dict, ctx: Context) -> Outcome:
    field = f"members[{a.lead_index}].in_region" if a.lead is not None else "members"
    if a.lead is None:
        return False, "未指定牵头单位", field
    where = ctx.pack.region_name
    if a.lead.get("in_region") is True:
        return True, f"{_lead_ref(a)}在{where}内注册", field
    return False, f"{_lead_ref(a)}不在{where}内注册，要求为{where}内注册的独立法人单位", field


def k_lead_platform_level(a: AppView, p: dict, ctx: Context) -> Outcome:
    levels = p["levels"]
    want = "或".join(LEVEL_LABELS[x] for x in levels)
    if a.lead is None:
        return False, "未指定牵头单位", "members"
    field = f"members[{a.lead_index}].platforms"
    ok = [pl for pl in a.lead.get("platforms") or [] if pl.get("level") in levels]
    if ok:
        pl = ok[0]
        return True, f"{_lead_ref(a)}建有{LEVEL_LABELS[pl['level']]}平台「{pl.get('name', '')}」", field
    have = "、".join(f"{LEVEL_LABELS.get(pl.get('level'), pl.get('level'))}「{pl.get('name', '')}」"
                    for pl in a.lead.get("platforms") or []) or "无"
    return False, f"{_lead_ref(a)}没有{want}科技创新平台（现有：{have}）", field


def k_agreement_years(a: AppView, p: dict, ctx: Context) -> Outcome:
    # counted inclusively from the submission day: 2023-09-08 … 2026-09-07 is three full years
    years = p["years"]
    field = "agreement.expires_on"
    expires = a.get("agreement.expires_on")
    if not expires:
        return False, f"协议未写明期限，要求自申报日起不少于 {years} 年", field
    sub = a.submitted()
    if sub is None:
        return None, "申报时间无效，无法计算协议期", "submitted_at"
    try:
        exp = date.fromisoformat(expires)
    except ValueError:
        return False, f"协议到期日 {expires} 无效", field
    start = sub.date()
    if dates.covers_years(start, exp, years):
        return True, f"协议期至 {exp.isoformat()}，自申报日 {start.isoformat()} 起不少于 {years} 年", field
    need = dates.period_end(start, years)
    return False, (f"协议期至 {exp.isoformat()}，自申报日 {start.isoformat()} 起不足 {years} 年"
                   f"（到期日应不早于 {need.isoformat()}）"), field


def k_flags_true(a: AppView, p: dict, ctx: Context) -> Outcome:
    missing = [f for f in p["fields"] if not _truthy(a.get(f))]
    if missing:
        return False, "缺少：" + "；".join(FIELD_LABELS.get(f, f) for f in missing), missing[0]
    return True, "已具备：" + "；".join(FIELD_LABELS.get(f, f) for f in p["fields"]), p["fields"][0]


SUBITEM_SEPARATORS = "—－-·/／:：（( "


def _industry_message(item, prefix: str = "") -> str:
    msg = f"{prefix}产业领域「{item.name}」属于{item.group or '支持领域'}"
    if item.division:
        msg += f"；对口科室：{item.division}"
        if item.leader:
            msg += f"（责任领导：{item.leader}）"
    return msg


def k_industry_in_list(a: AppView, p: dict, ctx: Context) -> Outcome:
    industry = (a.get("industry") or "").strip()
    if not industry:
        return False, "产业领域未填写", "industry"
    item = ctx.pack.industry(industry)
    if item is not None:
        return True, _industry_message(item), "industry"
    other = p.get("other")
    if p.get("subitems"):
        # a sub-item of a listed chain ("医药食品产业—中药材"): 每个产业可以根据需要细分为2-3个不同的子项
        for it in ctx.pack.industries:
            rest = industry[len(it.name):] if industry.startswith(it.name) else ""
            if it.name != other and rest and rest[0] in SUBITEM_SEPARATORS:
                return True, _industry_message(it, f"「{industry}」为子项，"), "industry"
    if other and ctx.pack.industry(other) is not None:
        item = ctx.pack.industry(other)
        return "warn", (f"产业领域「{industry}」不在所列产业链中，按「{other}」办理"
                        f"（对口科室：{item.division or '未指定'}），请核对"), "industry"
    names = "、".join(i.name for i in ctx.pack.industries)
    return False, f"产业领域「{industry}」不在支持领域内（{names}）", "industry"


def k_deadline(a: AppView, p: dict, ctx: Context) -> Outcome:
    call_id = a.get("call")
    if not call_id:
        return None, "未指定申报批次，无法判断是否逾期", "call"
    call = ctx.calls.get(call_id)
    if call is None:
        return None, f"申报批次「{call_id}」不在本地区的批次中，无法判断是否逾期", "call"
    county_dl = call.county_deadline
    if call.deadline is None and county_dl is None:
        return None, f"申报批次「{call.name}」没有截止时间（{call.note or '常态申报'}）", "call"
    sub = a.submitted()
    if sub is None:
        return None, "申报时间无效", "submitted_at"
    when = sub.strftime("%Y-%m-%d %H:%M")
    if call.deadline is not None:
        dl = call.deadline.strftime("%Y-%m-%d %H:%M")
        if sub <= call.deadline:
            return True, f"提交时间 {when}，未超过截止时间 {dl}", "submitted_at"
        return False, f"提交时间 {when}，已超过截止时间 {dl}", "submitted_at"
    # only the county's deadline to the city is set: an application the county receives after it
    # cannot reach the city in time; the earlier date the county sets for applicants is its own
    dl = county_dl.strftime("%Y-%m-%d %H:%M")
    if sub <= county_dl:
        return True, (f"提交时间 {when}，早于区县报送截止时间 {dl}"
                      "（牵头单位报送区县的时间由区县确定）"), "submitted_at"
    return False, f"提交时间 {when}，已超过区县报送截止时间 {dl}，无法按期报送", "submitted_at"


def _member_ref(i: int, m: dict) -> str:
    return f"第 {i + 1} 家「{m.get('name', '')}」"


def k_all_members(a: AppView, p: dict, ctx: Context) -> Outcome:
    field, test, kinds = p["field"], p.get("test", "true"), p.get("kinds")
    label = MEMBER_FIELD_LABELS.get(field, field)
    bad = []
    checked = 0
    for i, m in enumerate(a.members):
        if kinds and m.get("kind") not in kinds:
            continue
        checked += 1
        v = m.get(field)
        ok = v is True if test == "true" else (isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0)
        if not ok:
            bad.append(i)
    who = "、".join(KIND_LABELS[k] for k in kinds) + "成员" if kinds else "成员单位"
    if not bad:
        return True, f"{checked} 家{who}均{'' if test == 'true' else '有'}{label}", "members"
    names = "；".join(_member_ref(i, a.members[i]) for i in bad[:5]) + (" 等" if len(bad) > 5 else "")
    verb = "未确认" if test == "true" else "未填写或为 0："
    return False, f"{len(bad)} 家{who}{verb}{label}{'：' if test == 'true' else ''}{names}", f"members[{bad[0]}].{field}"


def k_uscc_valid(a: AppView, p: dict, ctx: Context) -> Outcome:
    problems = a.uscc_problems()
    if p.get("of", "members") == "lead":
        if a.lead is None:
            return False, "未指定牵头单位", "members"
        pr = problems[a.lead_index]
        field = f"members[{a.lead_index}].uscc"
        if pr:
            return False, f"{_lead_ref(a)}统一社会信用代码「{a.lead.get('uscc', '')}」{pr}", field
        return True, f"{_lead_ref(a)}统一社会信用代码有效（独立法人）", field
    bad = [i for i, pr in enumerate(problems) if pr]
    if not bad:
        return True, f"{len(a.members)} 家成员单位的统一社会信用代码均通过校验", "members"
    parts = [f"{_member_ref(i, a.members[i])}「{a.members[i].get('uscc', '')}」{problems[i]}" for i in bad[:5]]
    more = f" 等 {len(bad)} 家" if len(bad) > 5 else ""
    return False, "统一社会信用代码校验未通过：" + "；".join(parts) + more, f"members[{bad[0]}].uscc"


def _when_text(when: dict) -> str:
    parts = []
    for f, v in when.items():
        label = FIELD_LABELS.get(f, f)
        if isinstance(v, bool):
            parts.append(label if v else f"非{label}")
        else:
            parts.append(f"{label}为{VALUE_LABELS.get(v, v)}")
    return "、".join(parts)


def k_materials(a: AppView, p: dict, ctx: Context) -> Outcome:
    when = p.get("when")
    if when and any(a.get(f) != v for f, v in when.items()):
        return None, f"仅适用于{_when_text(when)}的申报，本申报不适用", "materials"
    got = {m.get("code"): m for m in a.get("materials") or []}
    problems = []
    for code in p["codes"]:
        spec = ctx.pack.material(code)
        rec = got.get(code)
        if not rec or rec.get("received") is not True:
            problems.append(f"未收到 {code} {spec.name}")
            continue
        need = spec.min_copies
        if need == "members":
            need = len(a.members)
            what = f"（成员单位共 {need} 家）"
        else:
            what = ""
        if need:
            copies = rec.get("copies")
            if copies is None:
                problems.append(f"{code} {spec.name} 未填写份数，要求至少 {need} 份{what}")
            elif copies < need:
                problems.append(f"{code} {spec.name} {copies} 份，要求至少 {need} 份{what}")
    if problems:
        return False, "；".join(problems), "materials"
    return True, f"申报材料齐全（{len(p['codes'])} 项）", "materials"


def k_manual(a: AppView, p: dict, ctx: Context) -> Outcome:
    return None, "需人工对照纸质材料判断并确认", None


def k_on_or_before_submission(a: AppView, p: dict, ctx: Context) -> Outcome:
    field = p["field"]
    label = FIELD_LABELS.get(field, field)
    value = a.get(field)
    if not value:
        return False, f"{label}未填写，要求联盟已正式成立", field
    sub = a.submitted()
    if sub is None:
        return None, "申报时间无效", "submitted_at"
    if date.fromisoformat(value) <= sub.date():
        return True, f"{label} {value}，早于申报日 {sub.date().isoformat()}", field
    return False, f"{label} {value} 晚于申报日 {sub.date().isoformat()}，申报时联盟尚未正式成立", field


def k_lead_enterprise_class(a: AppView, p: dict, ctx: Context) -> Outcome:
    classes = p["classes"]
    want = "或".join(CLASS_LABELS[c] for c in classes)
    if a.lead is None:
        return False, "未指定牵头单位", "members"
    field = f"members[{a.lead_index}].enterprise_class"
    has = [c for c in a.lead.get("enterprise_class") or [] if c in classes]
    if has:
        return True, f"{_lead_ref(a)}为{CLASS_LABELS[has[0]]}，同等条件下优先支持", field
    return False, f"{_lead_ref(a)}不是{want}，不享受同等条件下优先", field


def k_exempt_if(a: AppView, p: dict, ctx: Context) -> Outcome:
    field = p["field"]
    if a.get(field) is not True:
        return None, p.get("unmet_text", "不适用"), field
    date_field, before = p.get("date_field"), p.get("before")
    if date_field:
        label = FIELD_LABELS.get(date_field, date_field)
        value = a.get(date_field)
        if not value:
            return None, f"未填写{label}，无法判断是否在 {before.isoformat()} 之前，按其他条件逐项审查", date_field
        on = date.fromisoformat(value)
        if on >= before:
            return None, (f"{label} {value} 不早于 {before.isoformat()}，不适用自动具备资格，"
                          "按其他条件逐项审查"), date_field
    return True, p.get("met_text", "符合免审条件"), field


def k_all_of(a: AppView, p: dict, ctx: Context) -> Outcome:
    fails, passes, field = [], [], None
    for sub in p["checks"]:
        met, msg, f = KINDS[sub["kind"]].fn(a, sub, ctx)
        if met is False:
            fails.append(msg)
            field = field or f
        else:
            passes.append(msg)
    if fails:
        return False, "；".join(fails), field
    return True, "；".join(passes), p["checks"][0].get("field") if p["checks"] else None


@dataclass(frozen=True)
class Kind:
    fn: Callable[[AppView, dict, Context], Outcome]
    required: frozenset
    optional: frozenset = frozenset()


def _k(fn, required=(), optional=()):
    return Kind(fn, frozenset(required), frozenset(optional))


KINDS: dict[str, Kind] = {
    "min_count": _k(k_count, ["of", "min"]),
    "max_count": _k(k_count, ["of", "max"]),
    "range": _k(k_count, ["of", "min", "max"]),
    "has_kind": _k(k_has_kind, ["groups"]),
    "lead_in_region": _k(k_lead_in_region),
    "lead_platform_level": _k(k_lead_platform_level, ["levels"]),
    "agreement_years": _k(k_agreement_years, ["years"]),
    "flags_true": _k(k_flags_true, ["fields"]),
    "industry_in_list": _k(k_industry_in_list, [], ["subitems", "other"]),
    "deadline": _k(k_deadline),
    "all_members": _k(k_all_members, ["field"], ["test", "kinds"]),
    "uscc_valid": _k(k_uscc_valid, [], ["of"]),
    "materials": _k(k_materials, ["codes"], ["when"]),
    "manual": _k(k_manual),
    "on_or_before_submission": _k(k_on_or_before_submission, ["field"]),
    "lead_enterprise_class": _k(k_lead_enterprise_class, ["classes"]),
    "exempt_if": _k(k_exempt_if, ["field"], ["met_text", "unmet_text", "date_field", "before"]),
    "all_of": _k(k_all_of, ["checks"]),
}
