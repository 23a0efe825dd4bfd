"""What arrived or happened for a decided alliance: summaries, assessment results, scored annual
tasks, events and their reports, rectifications and revocations — each recorded against the right
occurrence, refused with reasons otherwise, and removable when typed in error."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete

from db import models_lifecycle as lm
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.lifecycle.pack_config import Config, ObligationSpec, config
from alliance_desk.lifecycle.status import _compute
from alliance_desk.lifecycle.vocabulary import (POSITIVE_BY_SCHEME, RECTIFICATION, RESULT_ALIASES, RESULTS, REVOCATION,
                                                LifecycleError)
from alliance_desk.lifecycle.views import (Alert, AllianceStatus, Obligation, RecordView, _app_row, _claim,
                                           _decision_row, _decision_view, _record_view, _records)


# ------------------------------------------------------------------ records

def normalise_result(text: str | None) -> str | None:
    if text is None or not str(text).strip():
        return None
    t = str(text).strip()
    if t in RESULTS:
        return t
    zh = {v: k for k, v in RESULTS.items()}
    zh.update(RESULT_ALIASES)
    return zh.get(t, t)


def scoring_leaves(template: dict) -> list[tuple[str, str, float]]:
    """(id, name, max) of every item that gets points in a scoring template."""
    out = []
    for c in template["criteria"]:
        if "items" in c:
            out += [(i["id"], i["name"], i["max"]) for i in c["items"]]
        else:
            out.append((c["id"], c["name"], c["max"]))
    return out


@dataclass
class RecordOutcome:
    record: RecordView
    label: str  # what was recorded, in Chinese
    consequences: list[Alert]
    status: AllianceStatus


def record(db: Database, app_id: str, kind: str, on: date, *, result: str | None = None,
           score: float | None = None, period: int | None = None, items: dict | None = None,
           topic: str | None = None, doc_no: str | None = None, by: str = "", note: str = "") -> RecordOutcome:
    """Record what arrived or happened for a decided alliance: a summary received (kind = the
    obligation id), an assessment result (`result`, optional `score`), a Ganzhou annual task
    score (`score` or per-item `items`), an event (`change` with `topic`), a change report, a
    rectification, a revocation. `period` (a year, or a year of validity) says which occurrence it
    answers; by default the oldest outstanding one (the earliest overdue, else the open one due
    soonest). Refused with reasons; nothing is written."""
    with unit_of_work(db, write=True) as s:
        _claim(s, app_id)
        row = _app_row(s, app_id)
        cfg = config(row.region)
        dec = _decision_view(cfg, _decision_row(s, app_id))
        kinds = cfg.record_kinds()
        if kind not in kinds:
            listing = "、".join(f"{k}（{v}）" for k, v in kinds.items())
            raise LifecycleError(f"{cfg.region_name}没有「{kind}」这一登记事项；可登记：{listing}")
        label = kinds[kind]
        if dec is None:
            raise LifecycleError(f"「{row.name}」尚未{POSITIVE_BY_SCHEME.get(cfg.scheme, '认定')}（还没有记录决定），"
                                 f"不能登记「{label}」")
        if not dec.positive:
            raise LifecycleError(f"「{row.name}」已于 {dec.decided_on} 被决定{dec.label}，不能登记「{label}」")
        records = _records(s, app_id)
        st = _compute(cfg, app_id, row.name, dec, records, on)
        problems: list[str] = []
        if on < dec.decided_on:
            problems.append(f"登记日期 {on} 早于{dec.label}日期 {dec.decided_on}")
        revoked = next((r for r in records if r.kind == REVOCATION), None)
        if revoked is not None and on >= revoked.on:
            problems.append(f"「{row.name}」已于 {revoked.on} 取消资格，不能再登记")
        if problems:
            raise LifecycleError(problems)

        result = normalise_result(result)
        new: dict[str, Any] = {"application_id": app_id, "kind": kind, "on": on, "by": by.strip(),
                               "note": note.strip(), "doc_no": (doc_no or "").strip() or None}
        pre: list[dict] = []  # an implied event recorded before the report (same transaction)
        spec = cfg.obligation(kind)
        events = cfg.event_specs
        if kind == REVOCATION:
            if st.expires_on is not None and on > st.expires_on:
                problems.append(f"有效期已于 {st.expires_on} 届满，无需取消资格")
            if result or score is not None or items:
                problems.append("取消资格只登记日期、文号和说明，不需要结果或分数")
        elif kind in events:
            espec = events[kind]
            t = (topic or result or "").strip()
            key = t if t in espec.topics else {v: k for k, v in espec.topics.items()}.get(t)
            if key is None:
                listing = "、".join(f"{k}（{v}）" for k, v in espec.topics.items())
                problems.append(f"请指明{espec.event_name}的类型（--topic）：{listing}" if not t else
                                f"{espec.event_name}类型「{t}」未知；可选：{listing}")
            if st.expires_on is not None and on > st.expires_on:
                problems.append(f"有效期已于 {st.expires_on} 届满，不能再登记{espec.event_name}")
            new["topic"] = key
            if key:
                label = f"{label}（{espec.topics[key]}）"
        else:
            # records dated after `on` count too: a period is answered once, whatever the order of entry
            taken = {r.period for r in records if r.kind == kind}
            open_ones = [o for o in st.obligations if o.kind == kind and o.record is None and o.period not in taken]
            if spec is not None and spec.schedule == "on_event":
                # a report answers the earliest open event; a report of an unrecorded event records both
                topic, result = topic or result, None  # what changed may come as --result, as for the event
                cands = [o for o in open_ones if o.opens <= on]
                if period is not None:
                    cands = [o for o in cands if o.period == period]
                if cands:
                    new["period"] = cands[0].period
                else:
                    if st.expires_on is not None and on > st.expires_on:
                        problems.append(f"有效期已于 {st.expires_on} 届满，不能再登记{spec.event_name}")
                    t = (topic or "").strip()
                    key = t if t in spec.topics else {v: k for k, v in spec.topics.items()}.get(t)
                    if key is None:
                        listing = "、".join(f"{k}（{v}）" for k, v in spec.topics.items())
                        problems.append(f"没有待报备的{spec.event_name}；如报备的是新的调整，请用 --topic 指明类型：{listing}")
                    pre.append({"application_id": app_id, "kind": spec.event, "on": on, "by": by.strip(),
                                "note": "随报备一并登记", "topic": key})
            else:
                problems += _resolve_period(cfg, kind, label, st, open_ones, on, period, new,
                                            {r.period: r for r in records if r.kind == kind})
            if kind == RECTIFICATION or spec is None or not spec.scoring:
                results_allowed = ("pass", "fail") if kind == RECTIFICATION else (spec.results if spec else ())
                if results_allowed:
                    if result is None and kind != RECTIFICATION:
                        listing = "、".join(f"{r}（{RESULTS[r]}）" for r in results_allowed)
                        problems.append(f"请给出「{label}」的结果（--result）：{listing}")
                    elif result is not None and result not in results_allowed:
                        listing = "、".join(f"{r}（{RESULTS[r]}）" for r in results_allowed)
                        problems.append(f"「{label}」的结果「{result}」无效；可选：{listing}")
                    if score is not None and not 0 <= score <= 100:
                        problems.append(f"分数 {score:g} 应在 0 到 100 之间")
                    new["result"], new["score"] = result, score
                elif result is not None or score is not None:
                    problems.append(f"「{label}」只登记收到日期，不需要结果或分数")
            else:
                problems += _scored(cfg, spec, label, result, score, items, new)
        if problems:
            raise LifecycleError(problems)
        if pre:
            ev = lm.ObligationRecord(**pre[0])
            s.add(ev)
            s.flush()
            new["period"] = ev.id
        rec = lm.ObligationRecord(**new)
        s.add(rec)
        s.flush()
        audit.record(s, by, "record", "obligation_record", rec.id, None,
                     {**{k: v for k, v in new.items() if k != "application_id"}, "label": label,
                      **({"event": pre[0]} if pre else {})}, application_id=app_id)
        view = _record_view(rec)
        after = _compute(cfg, app_id, row.name, dec, _records(s, app_id), on)
        before = {(a.level, a.text) for a in st.alerts}
        consequences = [a for a in after.alerts if (a.level, a.text) not in before]
        known = {(o.kind, o.period) for o in st.obligations}
        consequences += [Alert("note", f"新增事项：{o.name}，应于 {o.due} 前完成", o.clause, o.opens)
                         for o in after.obligations
                         if (o.kind, o.period) not in known and o.is_open and cfg.obligation(o.kind) is not None
                         and cfg.obligation(o.kind).schedule == "on_event"]
        return RecordOutcome(view, label, consequences, after)


def _resolve_period(cfg: Config, kind: str, label: str, st: AllianceStatus, open_ones: list[Obligation], on: date,
                    period: int | None, new: dict, taken: dict[int | None, RecordView]) -> list[str]:
    all_of_kind = [o for o in st.obligations if o.kind == kind]
    if period is not None:
        match = [o for o in all_of_kind if o.period == period] or \
            [o for o in all_of_kind if o.due.year == period and kind != RECTIFICATION]
        if not match:
            if kind == RECTIFICATION:
                return [f"没有编号为 {period} 的整改事项"]
            known = "、".join(o.period_label for o in all_of_kind) or "无"
            return [f"{period} 不是「{label}」的期次；目前的期次：{known}"]
        o = match[0]
        if o.period in taken:
            return [f"{o.period_label}「{label}」已于 {taken[o.period].on} 登记"]
        if o.opens > on:
            return [f"{o.period_label}「{label}」自 {o.opens} 起才可登记"]
        new["period"] = o.period
        return []
    cands = [o for o in open_ones if o.opens <= on]
    if not cands:
        nxt = next((o for o in all_of_kind if o.period not in taken), None)
        if kind == RECTIFICATION:
            return ["没有待登记的整改事项（整改因考核评估结果较差而产生）"]
        hint = f"下一期：{nxt.period_label}，{nxt.opens} 起可登记" if nxt else "没有待登记的期次"
        return [f"「{st.name}」没有待登记的「{label}」（{hint}）；补录请用 --year 指明期次"]
    # oldest outstanding first: the earliest overdue period, else the open one due soonest
    # (a summary that arrives in April answers last year's overdue one, not this year's)
    overdue = [o for o in cands if o.due < on]
    o = min(overdue or cands, key=lambda x: (x.due, x.period or 0))
    new["period"] = o.period
    return []


def _scored(cfg: Config, spec: ObligationSpec, label: str, result: str | None, score: float | None,
            items: dict | None, new: dict) -> list[str]:
    template = cfg.scoring[spec.scoring]
    total_max = float(template.get("total", 100))
    problems = []
    if result is not None:
        try:
            num = float(result)
        except ValueError:
            return [f"「{label}」按{template['name']}打分：请给出分数（--score 或 --result 分数），不需要「{result}」"]
        if score is not None and score != num:
            return [f"--result {result} 与 --score {score:g} 不一致"]
        score = num
    if items:
        leaves = {i: (n, mx) for i, n, mx in scoring_leaves(template)}
        clean = {}
        for k, v in items.items():
            if k not in leaves:
                problems.append(f"评分项「{k}」不在{template['name']}中；可用：{', '.join(leaves)}")
                continue
            try:
                pts = float(v)
            except (TypeError, ValueError):
                problems.append(f"「{leaves[k][0]}」的得分「{v}」不是数字")
                continue
            if not 0 <= pts <= leaves[k][1]:
                problems.append(f"「{leaves[k][0]}」得分 {pts:g} 应在 0 到满分 {leaves[k][1]} 之间")
            clean[k] = pts
        if problems:
            return problems
        summed = sum(clean.values())
        if score is not None and abs(score - summed) > 1e-9:
            return [f"总分 {score:g} 与各项得分之和 {summed:g} 不一致"]
        score = summed
        new["items"] = clean
    if score is None:
        return [f"请给出「{label}」的得分（--score，满分 {total_max:g}）"]
    if not 0 <= score <= total_max:
        return [f"得分 {score:g} 应在 0 到满分 {total_max:g} 之间"]
    new["score"] = score
    mark = spec.pass_mark if spec.pass_mark is not None else 0
    new["result"] = "pass" if score >= mark else "fail"
    return problems


def delete_record(db: Database, app_id: str, record_id: int) -> None:
    """Remove a record typed in error (and a report that answered it stays unanswered)."""
    with unit_of_work(db, write=True) as s:
        _claim(s, app_id)
        _app_row(s, app_id)
        R = lm.ObligationRecord
        row = s.get(R, record_id)
        n = s.execute(delete(R).where(R.application_id == app_id, R.id == record_id)).rowcount
        if not n:
            raise LifecycleError(f"没有编号为 {record_id} 的登记")
        audit.record(s, None, "delete_record", "obligation_record", record_id,
                     {c.key: getattr(row, c.key) for c in R.__table__.columns}, None, application_id=app_id)
