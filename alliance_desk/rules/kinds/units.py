"""Kinds about the member units: the lead unit's registration, platforms and enterprise class
(`lead_in_region`, `lead_platform_level`, `lead_enterprise_class`), a fact every member (or every
member of some kinds) must have (`all_members`), and the USCC check (`uscc_valid`)."""
from __future__ import annotations

from alliance_desk.rules.kinds.base import member_fields, register
from alliance_desk.rules.labels import CLASS_LABELS, KIND_LABELS, LEVEL_LABELS, MEMBER_FIELD_LABELS
from alliance_desk.rules.view import AppView, Context, Outcome, lead_ref, member_ref

NO_LEAD = "未指定牵头单位"


def k_lead_in_region(a: AppView, p: dict, ctx: Context) -> Outcome:
    field = f"members[{a.lead_index}].in_region" if a.lead is not None else "members"
    if a.lead is None:
        return False, NO_LEAD, field
    where = ctx.pack.region_name
    if a.lead.get("in_region") is True:
        return True, f"{lead_ref(a)}在{where}内注册", field
    return False, f"{lead_ref(a)}不在{where}内注册，要求为{where}内注册的独立法人单位", field


register("lead_in_region", k_lead_in_region, reads=("lead.in_region",))


def _lead_fact(a: AppView, key: str, wanted: list, labels: dict) -> tuple[str, str]:
    """The lead's field `key` and the wanted values in words ("国家级或省级")."""
    return f"members[{a.lead_index}].{key}", "或".join(labels[x] for x in wanted)


def k_lead_platform_level(a: AppView, p: dict, ctx: Context) -> Outcome:
    levels = p["levels"]
    if a.lead is None:
        return False, NO_LEAD, "members"
    field, want = _lead_fact(a, "platforms", levels, LEVEL_LABELS)
    ok = [pl for pl in a.lead.get("platforms") or [] if pl.get("level") in levels]
    if ok:
        pl = ok[0]
        return True, f"{lead_ref(a)}建有{LEVEL_LABELS[pl['level']]}平台「{pl.get('name', '')}」", field
    have = "、".join(f"{LEVEL_LABELS.get(pl.get('level'), pl.get('level'))}「{pl.get('name', '')}」"
                    for pl in a.lead.get("platforms") or []) or "无"
    return False, f"{lead_ref(a)}没有{want}科技创新平台（现有：{have}）", field


register("lead_platform_level", k_lead_platform_level, ["levels"], reads=("lead.platforms",),
         validate=lambda p, chk: chk.known(p["levels"], LEVEL_LABELS, "平台级别", "levels"))


def k_lead_enterprise_class(a: AppView, p: dict, ctx: Context) -> Outcome:
    classes = p["classes"]
    if a.lead is None:
        return False, NO_LEAD, "members"
    field, want = _lead_fact(a, "enterprise_class", classes, CLASS_LABELS)
    has = [c for c in a.lead.get("enterprise_class") or [] if c in classes]
    if has:
        return True, f"{lead_ref(a)}为{CLASS_LABELS[has[0]]}，同等条件下优先支持", field
    return False, f"{lead_ref(a)}不是{want}，不享受同等条件下优先", field


register("lead_enterprise_class", k_lead_enterprise_class, ["classes"], reads=("lead.enterprise_class",),
         validate=lambda p, chk: chk.known(p["classes"], CLASS_LABELS, "企业类别", "classes"))


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
    names = "；".join(member_ref(i, a.members[i]) for i in bad[:5]) + (" 等" if len(bad) > 5 else "")
    verb = "未确认" if test == "true" else "未填写或为 0："
    return False, f"{len(bad)} 家{who}{verb}{label}{'：' if test == 'true' else ''}{names}", f"members[{bad[0]}].{field}"


def _check_all_members(params: dict, chk) -> None:
    if params["field"] not in member_fields():
        chk.error(f"规则 {chk.rid} 引用了未知的成员字段「{params['field']}」", "field")
    chk.one_of(params.get("test", "true"), ("true", "positive"), "test")
    chk.known(params.get("kinds", []), KIND_LABELS, "成员类型", "kinds")


register("all_members", k_all_members, ["field"], ["test", "kinds"], validate=_check_all_members,
         param_facts=lambda p: (f"members.{p['field']}",))


def k_uscc_valid(a: AppView, p: dict, ctx: Context) -> Outcome:
    problems = a.uscc_problems()
    if p.get("of", "members") == "lead":
        if a.lead is None:
            return False, NO_LEAD, "members"
        pr = problems[a.lead_index]
        field = f"members[{a.lead_index}].uscc"
        if pr:
            return False, f"{lead_ref(a)}统一社会信用代码「{a.lead.get('uscc', '')}」{pr}", field
        return True, f"{lead_ref(a)}统一社会信用代码有效（独立法人）", field
    bad = [i for i, pr in enumerate(problems) if pr]
    if not bad:
        return True, f"{len(a.members)} 家成员单位的统一社会信用代码均通过校验", "members"
    parts = [f"{member_ref(i, a.members[i])}「{a.members[i].get('uscc', '')}」{problems[i]}" for i in bad[:5]]
    more = f" 等 {len(bad)} 家" if len(bad) > 5 else ""
    return False, "统一社会信用代码校验未通过：" + "；".join(parts) + more, f"members[{bad[0]}].uscc"


register("uscc_valid", k_uscc_valid, [], ["of"], reads=("members.uscc",),
         validate=lambda p, chk: chk.one_of(p.get("of", "members"), ("members", "lead"), "of"))
