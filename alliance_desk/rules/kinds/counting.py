"""Counting kinds: how many members, core members, enterprises, council or committee members,
secretariat or technical staff an application has (`min_count`, `max_count`, `range`), and which
kinds of member unit it includes (`has_kind`)."""
from __future__ import annotations

from typing import Callable

from alliance_desk.rules.kinds.base import register
from alliance_desk.rules.labels import KIND_LABELS
from alliance_desk.rules.view import AppView, Context, Outcome, count


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
    n = count(sec.get("full_time_staff")) if isinstance(sec, dict) else None
    return (n or 0), "秘书处专职人员", "人"


def _sel_tech_staff(a: AppView):
    return count(a.get("tech_staff_total")), "科技工作人员总数", "人"


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

# the editor field each counted thing is typed into
SELECTOR_FIELDS = {
    "members": "members", "core_members": "members", "enterprises": "members",
    "universities_or_institutes": "members", "council": "organization.council",
    "expert_committee": "organization.expert_committee",
    "secretariat_staff": "organization.secretariat.full_time_staff", "tech_staff_total": "tech_staff_total",
}


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


def _check_selector(params: dict, chk) -> None:
    if params["of"] not in SELECTORS:
        chk.error(f"规则 {chk.rid} 的统计对象「{params['of']}」未知（可用：{', '.join(sorted(SELECTORS))}）", "of")


def _selector_fact(params: dict):
    return (SELECTOR_FIELDS[params["of"]],)


for _id, _required in (("min_count", ["of", "min"]), ("max_count", ["of", "max"]),
                       ("range", ["of", "min", "max"])):
    register(_id, k_count, _required, validate=_check_selector, param_facts=_selector_fact)


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


def _check_groups(params: dict, chk) -> None:
    for group in params["groups"]:
        chk.known(group, KIND_LABELS, "成员类型", "groups")


register("has_kind", k_has_kind, ["groups"], validate=_check_groups, reads=("members.kind",))
