"""Evaluate one application against its region pack."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from alliance_desk.rules.kinds import KINDS
from alliance_desk.rules.labels import STATUSES
from alliance_desk.rules.packs import Call, Pack, get_pack
from alliance_desk.rules.view import AppView, Context

OUTCOME_MET = "met"
OUTCOME_NOT_MET = "not_met"


@dataclass(frozen=True)
class Confirmation:
    """A person's judgement of a manual item (stored in the database)."""
    rule: str
    outcome: str  # "met" | "not_met"
    by: str
    at: str  # ISO local date-time
    note: str = ""


@dataclass
class Item:
    rule: str
    status: str
    message: str
    clause: str
    text: str
    field: str | None = None
    kind: str = ""
    confirmation: Confirmation | None = None

    def as_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"rule": self.rule, "status": self.status, "message": self.message,
                             "clause": self.clause, "text": self.text, "field": self.field}
        if self.kind == "manual":
            d["confirmation"] = None if self.confirmation is None else {
                "outcome": self.confirmation.outcome, "by": self.confirmation.by,
                "at": self.confirmation.at, "note": self.confirmation.note}
        return d


@dataclass
class CheckResult:
    application: str
    region: str
    items: list[Item]
    counts: dict[str, int] = field(default_factory=dict)
    pack_version: str = ""  # which rules judged: the shipped pack or an office's version (its label)
    pack_digest: str = ""

    @property
    def eligible(self) -> bool:
        return self.counts.get("fail", 0) == 0

    def as_dict(self) -> dict[str, Any]:
        return {"application": self.application, "region": self.region, "eligible": self.eligible,
                "pack_version": self.pack_version, "pack_digest": self.pack_digest,
                "counts": dict(self.counts), "items": [i.as_dict() for i in self.items]}


def _clause(pack: Pack, rule) -> str:
    # Cite as `file § clause`, e.g. "000 § 三(三)"; a rule a revised notice changed cites that
    # notice and the clause it replaced, e.g. "甘工信发〔2026〕1号 § 二(一)（原 001 § 二(一)）".
    if getattr(rule, "notice", ""):
        cite = f"{rule.notice} § {rule.clause}"
        return f"{cite}（原 {rule.replaces}）" if rule.replaces else cite
    return f"{pack.seed[:3]} § {rule.clause}"


def evaluate(doc: dict, pack: Pack | None = None, calls: dict[str, Call] | None = None,
             confirmations: dict[str, Confirmation] | None = None,
             uscc_problems: list[str | None] | None = None) -> CheckResult:
    """Judge `doc` (a schema-valid application dict). `calls` defaults to the pack's own calls;
    `uscc_problems` (one verdict per member, as stored) spares re-checking every USCC."""
    pack = pack or get_pack(doc["region"])
    if calls is None:
        calls = {c.id: c for c in pack.calls}
    confirmations = confirmations or {}
    ctx = Context(pack=pack, calls=calls)
    view = AppView(doc, uscc_problems)

    exempt: tuple[str, str] | None = None
    items: list[Item] = []
    for rule in pack.rules:
        if rule.kind == "exempt_if":
            met, msg, fld = KINDS[rule.kind].evaluate(view, rule.params, ctx)
            if met:
                exempt = (rule.id, msg)
            items.append(Item(rule.id, "pass" if met else "na", msg, _clause(pack, rule), rule.text,
                              fld, rule.kind))
            continue
        if exempt is not None:
            items.append(Item(rule.id, "na", f"已按 {exempt[0]} 自动具备资格，本项不再审查",
                              _clause(pack, rule), rule.text, None, rule.kind))
            continue
        if rule.kind == "manual":
            conf = confirmations.get(rule.id)
            if conf is None:
                items.append(Item(rule.id, "manual", f"待人工确认：{rule.text}", _clause(pack, rule),
                                  rule.text, None, rule.kind))
            else:
                ok = conf.outcome == OUTCOME_MET
                note = f"：{conf.note}" if conf.note else ""
                # the clause's words stay on the item once answered: what was confirmed, by whom, when
                msg = (f"已人工确认{'符合' if ok else '不符合'}：{rule.text}"
                       f"（{conf.by}，{conf.at.replace('T', ' ')}）{note}")
                items.append(Item(rule.id, "pass" if ok else "fail", msg, _clause(pack, rule),
                                  rule.text, None, rule.kind, conf))
            continue
        met, msg, fld = KINDS[rule.kind].evaluate(view, rule.params, ctx)
        # a kind may answer "warn" itself: a soft outcome of a rule whose unmet status is harder
        status = "na" if met is None else ("warn" if met == "warn" else ("pass" if met else rule.status))
        items.append(Item(rule.id, status, msg, _clause(pack, rule), rule.text, fld, rule.kind))

    counts = {s: 0 for s in STATUSES}
    for it in items:
        counts[it.status] += 1
    return CheckResult(application=doc.get("id", ""), region=pack.id, items=items, counts=counts,
                       pack_version=pack.version_label, pack_digest=pack.digest)
