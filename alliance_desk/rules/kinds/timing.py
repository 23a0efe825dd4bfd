"""Kinds about dates: the agreement's term (`agreement_years`), the call's deadline (`deadline`),
a date on or before the submission (`on_or_before_submission`), and the exemption a recognised
alliance earns before a given date (`exempt_if`)."""
from __future__ import annotations

from datetime import date

from alliance_desk import dates
from alliance_desk.rules.kinds.base import register
from alliance_desk.rules.labels import FIELD_LABELS
from alliance_desk.rules.view import AppView, Context, Outcome


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


register("agreement_years", k_agreement_years, ["years"], reads=("agreement.expires_on", "submitted_at"))


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


register("deadline", k_deadline, reads=("call", "submitted_at"))


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


register("on_or_before_submission", k_on_or_before_submission, ["field"],
         validate=lambda p, chk: chk.app_fields([p["field"]]), param_facts=lambda p: (p["field"],))


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


def _check_exempt(params: dict, chk) -> None:
    if ("date_field" in params) != isinstance(params.get("before"), date):
        chk.error(f"规则 {chk.rid} 的 date_field 与 before（日期）须同时给出", "before")
    chk.app_fields([params["field"]] + ([params["date_field"]] if "date_field" in params else []))


register("exempt_if", k_exempt_if, ["field"], ["met_text", "unmet_text", "date_field", "before"],
         validate=_check_exempt, param_facts=lambda p: (p["field"],))
