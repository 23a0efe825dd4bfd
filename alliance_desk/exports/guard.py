"""Which applications an official document may carry, and why not.

- Publicity notice (公示): only applications the office has recommended, i.e. that have reached
  the step just before publicity in the region's procedure (`[[stages]]`; where the procedure has
  no publicity step, the step just before the decision), and that have not been refused.
- Certificates (证书): only applications with a recorded positive decision that has both its date
  and its document number (文号).
- Neither carries the second of two duplicate applications (duplicates.py): the one entered first
  is the alliance, the other is refused with the reason.

Anything else is refused, one Chinese line per application naming the alliance, unless the
caller gives an override reason; an override is written to the audit trail (action "override"),
one row per overridden application, in the same transaction as nothing else, after the file is
written.

Recommendation tables and submission packages are not refused: an application that fails its
checklist is marked there (`checklist_failures`), e.g. 「未通过审查：CQ-LEAD-RD」.
"""
from __future__ import annotations

from dataclasses import dataclass

from alliance_desk.store import audit
from alliance_desk.exports.common import ExportError
from db.session import unit_of_work

NOTICE, CERTIFICATES = "notice", "certificates"
GUARDED = (NOTICE, CERTIFICATES)
DOCUMENT_ZH = {NOTICE: "公示", CERTIFICATES: "证书"}
OVERRIDE_ACTION = "override"


@dataclass(frozen=True)
class Refusal:
    application_id: str
    name: str
    reasons: tuple[str, ...]

    def line(self) -> str:
        return f"「{self.name}」：" + "；".join(self.reasons)


class DocumentsRefused(ExportError):
    """Some applications may not be in the document; `refusals` says which and why."""

    def __init__(self, kind: str, refusals: list[Refusal]):
        self.kind = kind
        self.refusals = refusals
        lines = [f"以下 {len(refusals)} 份申报不能列入{DOCUMENT_ZH[kind]}："] + [r.line() for r in refusals]
        lines.append("如确需列入，须写明理由强制列入，理由记入修改历史。")
        super().__init__("\n".join(lines))


def publicity_gate(cfg):
    """The step an application must have reached before it may be publicised."""
    pub = next((i for i, st in enumerate(cfg.stages)
                if st.publicity or st.id == "publicity" or "公示" in (st.name or "")), None)
    at = pub if pub is not None else cfg.decision_index
    return cfg.stages[max(at - 1, 0)]


def _facts(s, ids: list[str]) -> dict[str, tuple]:
    from sqlalchemy import select

    from db import models as m
    from db import models_lifecycle as lm

    a, d = m.Application.__table__, lm.Decision.__table__
    q = (select(a.c.id, a.c.region, a.c.stage, d.c.outcome, d.c.decided_on, d.c.doc_no)
         .select_from(a.outerjoin(d, d.c.application_id == a.c.id)).where(a.c.id.in_(ids)))
    return {r.id: r for r in s.execute(q)}


def check(db, kind: str, docs: list[dict]) -> list[Refusal]:
    """The refusals for putting `docs` into a `kind` document (empty: all may go in)."""
    if kind not in GUARDED or not docs:
        return []
    from alliance_desk import lifecycle
    from alliance_desk.store import duplicates

    ids = [d["id"] for d in docs]
    with unit_of_work(db) as s:
        facts = _facts(s, ids)
        dups = duplicates.later_duplicates(s, ids)
    out = []
    for doc in docs:
        f = facts[doc["id"]]
        cfg = lifecycle.config(f.region)
        reasons: list[str] = []
        if kind == NOTICE:
            gate = publicity_gate(cfg)
            now = cfg.stage(f.stage)
            if f.outcome == "rejected":
                reasons.append(f"已决定{cfg.outcome_label('rejected')}")
            elif f.outcome is None and cfg.index(f.stage) < cfg.index(gate.id):
                # a positive decision (possibly taken without the procedure tracked here) is past the gate
                where = f"目前在「{now.short}」" if now else "尚未开始办理"
                reasons.append(f"未经推荐：{where}，公示前须到「{gate.short}」（{gate.clause}）")
        else:
            positive = lifecycle.POSITIVE_BY_SCHEME.get(cfg.scheme, "认定")
            if f.outcome is None:
                reasons.append(f"没有记录{positive}决定")
            elif f.outcome not in lifecycle.POSITIVE:
                reasons.append(f"决定为{cfg.outcome_label(f.outcome)}")
            else:
                if f.decided_on is None:
                    reasons.append("决定没有日期")
                if not (f.doc_no or "").strip():
                    reasons.append("决定没有文号")
        reasons += [d.text() + "，后录入的一份不能同时发布" for d in dups.get(doc["id"], [])]
        if reasons:
            out.append(Refusal(doc["id"], doc["name"], tuple(reasons)))
    return out


def enforce(db, kind: str, docs: list[dict], override_reason: str | None) -> list[Refusal]:
    """Raise DocumentsRefused unless nothing is refused or an override reason is given; returns the
    refusals being overridden (record them with `record_override` once the file is written)."""
    refusals = check(db, kind, docs)
    if refusals and not (override_reason or "").strip():
        raise DocumentsRefused(kind, refusals)
    return refusals


def record_override(db, kind: str, refusals: list[Refusal], reason: str, out: str, actor: str | None = None) -> None:
    if not refusals:
        return
    with unit_of_work(db, write=True) as s:
        audit.record_many(s, [(actor, OVERRIDE_ACTION, "application", r.application_id, None,
                               {"paper": DOCUMENT_ZH[kind], "file": str(out), "refused": list(r.reasons),
                                "reason": reason.strip()}, None) for r in refusals])


def override_notes(refusals: list[Refusal], reason: str) -> list[str]:
    return [f"强制列入（理由：{reason.strip()}）：{r.line()}" for r in refusals]


# ------------------------------------------------------------------ checklist marks

def checklist_failures(db, docs: list[dict]) -> dict[str, list[str]]:
    """Application id -> the rule ids its checklist fails (only those that fail), judged as the
    stored checklist is (`store.check_stored`: the call's pack, the clerk's confirmations)."""
    from alliance_desk import store
    from alliance_desk.rules.engine import evaluate

    out: dict[str, list[str]] = {}
    with unit_of_work(db) as s:
        calls: dict[str, dict] = {}
        packs: dict = {}
        confirmations = store.confirmations_of(s, [doc["id"] for doc in docs])
        for doc in docs:
            region = doc["region"]
            if region not in calls:
                calls[region] = store.calls_for(s, region)
            result = evaluate(doc, pack=store.judging_pack(s, region, doc.get("call"), packs), calls=calls[region],
                              confirmations=confirmations.get(doc["id"]))
            failing = [i.rule for i in result.items if i.status == "fail"]
            if failing:
                out[doc["id"]] = failing
    return out


def failure_mark(rules: list[str]) -> str:
    return "未通过审查：" + " ".join(rules) if rules else ""
