"""Kinds about what the application states and hands in: facts that must be true or filled in
(`flags_true`), the industry within the region's list (`industry_in_list`), the materials received
in enough copies (`materials`), a clause only a person can judge (`manual`), and several checks
that must all hold (`all_of`)."""
from __future__ import annotations

from alliance_desk.rules.kinds.base import REGISTRY, check_params, register
from alliance_desk.rules.labels import FIELD_LABELS, VALUE_LABELS
from alliance_desk.rules.view import AppView, Context, Outcome, truthy


def k_flags_true(a: AppView, p: dict, ctx: Context) -> Outcome:
    missing = [f for f in p["fields"] if not truthy(a.get(f))]
    if missing:
        return False, "缺少：" + "；".join(FIELD_LABELS.get(f, f) for f in missing), missing[0]
    return True, "已具备：" + "；".join(FIELD_LABELS.get(f, f) for f in p["fields"]), p["fields"][0]


register("flags_true", k_flags_true, ["fields"], validate=lambda p, chk: chk.app_fields(p["fields"]),
         param_facts=lambda p: p["fields"])


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


register("industry_in_list", k_industry_in_list, [], ["subitems", "other"], reads=("industry",))


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


def _check_materials(params: dict, chk) -> None:
    chk.app_fields(params.get("when", {}))
    for c in params["codes"]:
        if c not in chk.codes:
            chk.error(f"规则 {chk.rid} 引用了未在 [[materials]] 中定义的材料「{c}」", "codes")


register("materials", k_materials, ["codes"], ["when"], validate=_check_materials, reads=("materials",))


def k_manual(a: AppView, p: dict, ctx: Context) -> Outcome:
    return None, "需人工对照纸质材料判断并确认", None


register("manual", k_manual)

# kinds that judge the whole application and so cannot be one check among several
NOT_IN_ALL_OF = ("all_of", "manual", "exempt_if")


def k_all_of(a: AppView, p: dict, ctx: Context) -> Outcome:
    fails, passes, field = [], [], None
    for sub in p["checks"]:
        met, msg, f = REGISTRY[sub["kind"]].fn(a, sub, ctx)
        if met is False:
            fails.append(msg)
            field = field or f
        else:
            passes.append(msg)
    if fails:
        return False, "；".join(fails), field
    return True, "；".join(passes), p["checks"][0].get("field") if p["checks"] else None


def _check_all_of(params: dict, chk) -> None:
    for sub in params["checks"]:
        sk = sub.get("kind")
        if sk not in REGISTRY or sk in NOT_IN_ALL_OF:
            chk.error(f"规则 {chk.rid} 的子检查使用了未知或不允许的规则类型「{sk}」", "kind")
        check_params({k: v for k, v in sub.items() if k != "kind"}, sk, chk.rid, chk.codes, chk.fail)


def _all_of_facts(params: dict) -> set[str]:
    out: set[str] = set()
    for sub in params.get("checks", []):
        out |= REGISTRY[sub["kind"]].facts(sub)
    return out


register("all_of", k_all_of, ["checks"], validate=_check_all_of, param_facts=_all_of_facts)
