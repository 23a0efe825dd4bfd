"""What the lifecycle shows: the read views (transitions, decision, records, procedure state,
obligations, alerts, an alliance's status, the dashboard) and the few queries that load them from rows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import models as m
from db import models_lifecycle as lm

from alliance_desk.lifecycle.pack_config import Config, StageInfo, config
from alliance_desk.lifecycle.vocabulary import POSITIVE, RESULTS, STATUS_LABELS, OPEN_STATUSES, LifecycleError, _d


# ------------------------------------------------------------------ views

@dataclass
class TransitionView:
    id: int
    from_stage: str | None
    to_stage: str
    direction: str
    on: date
    by: str
    note: str

    def as_dict(self) -> dict:
        return {"from": self.from_stage, "to": self.to_stage, "direction": self.direction,
                "on": self.on.isoformat(), "by": self.by, "note": self.note}


@dataclass
class DecisionView:
    outcome: str
    label: str
    decided_on: date
    doc_no: str | None
    by: str
    note: str

    @property
    def positive(self) -> bool:
        return self.outcome in POSITIVE

    def as_dict(self) -> dict:
        return {"outcome": self.outcome, "label": self.label, "on": self.decided_on.isoformat(),
                "doc_no": self.doc_no, "by": self.by, "note": self.note}


@dataclass
class RecordView:
    id: int
    kind: str
    period: int | None
    on: date
    result: str | None
    score: float | None
    items: dict | None
    topic: str | None
    doc_no: str | None
    by: str
    note: str

    @property
    def result_label(self) -> str:
        return RESULTS.get(self.result or "", "")

    def as_dict(self) -> dict:
        d = {"id": self.id, "kind": self.kind, "period": self.period, "on": self.on.isoformat(),
             "result": self.result, "score": self.score, "topic": self.topic, "doc_no": self.doc_no,
             "by": self.by, "note": self.note}
        if self.items is not None:
            d["items"] = self.items
        return d


@dataclass
class ProcedureState:
    application_id: str
    name: str
    region: str
    region_name: str
    stages: list[StageInfo]
    current: str | None
    transitions: list[TransitionView]
    decision: DecisionView | None

    @property
    def current_index(self) -> int:
        return next((i for i, s in enumerate(self.stages) if s.id == self.current), -1)

    def last_on(self) -> date | None:
        return self.transitions[-1].on if self.transitions else None

    def stage(self, stage_id: str | None) -> StageInfo | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def entered(self, stage_id: str) -> TransitionView | None:
        """The latest transition into `stage_id` (None if never reached)."""
        return next((t for t in reversed(self.transitions) if t.to_stage == stage_id), None)

    def forward_targets(self) -> list[str]:
        """Stages the procedure may move forward to now (the next one, past optional ones)."""
        cfg = config(self.region)
        if self.decision is not None and not self.decision.positive:
            return []
        out = []
        for i in range(self.current_index + 1, len(self.stages)):
            if i > cfg.decision_index and not (self.decision and self.decision.positive):
                break
            out.append(self.stages[i].id)
            if not self.stages[i].optional:
                break
        return out

    def back_targets(self) -> list[str]:
        if self.decision is not None and not self.decision.positive:
            return []
        floor = config(self.region).decision_index if self.decision else 0
        return [s.id for s in self.stages[floor:max(self.current_index, 0)]]

    def as_dict(self) -> dict:
        return {"application": self.application_id, "region": self.region, "current": self.current,
                "stages": [{"id": s.id, "name": s.name, "short": s.short, "clause": s.clause, "actor": s.actor,
                            "decision": s.decision} for s in self.stages],
                "transitions": [t.as_dict() for t in self.transitions],
                "decision": self.decision.as_dict() if self.decision else None}


@dataclass
class Obligation:
    application_id: str
    alliance: str  # the alliance's name
    region: str
    kind: str
    name: str
    period: int | None
    period_label: str
    opens: date
    due: date
    status: str
    record: RecordView | None
    clause: str
    configured_by: str
    office_configured: tuple
    reading: str
    days: int  # due − as-of date (negative when overdue)

    @property
    def status_label(self) -> str:
        label = STATUS_LABELS[self.status]
        r = self.record
        if r is not None and (r.result or r.score is not None):
            bits = [b for b in (r.result_label, f"{r.score:g} 分" if r.score is not None else "") if b]
            label += f"（{'，'.join(bits)}）"
        return label

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def as_dict(self) -> dict:
        return {"alliance": self.application_id, "alliance_name": self.alliance, "region": self.region,
                "kind": self.kind, "name": self.name, "period": self.period, "period_label": self.period_label,
                "opens": self.opens.isoformat(), "due": self.due.isoformat(), "status": self.status,
                "status_label": self.status_label, "days": self.days, "clause": self.clause,
                "configured_by": self.configured_by, "office_configured": list(self.office_configured),
                "record": self.record.as_dict() if self.record else None}


@dataclass
class Alert:
    level: str  # note | warning | risk | revocable | ended
    text: str
    clause: str = ""
    on: date | None = None

    def as_dict(self) -> dict:
        return {"level": self.level, "text": self.text, "clause": self.clause,
                "on": self.on.isoformat() if self.on else None}


@dataclass
class AllianceStatus:
    application_id: str
    name: str
    region: str
    region_name: str
    on: date
    decision: DecisionView | None
    state: str
    state_label: str
    expires_on: date | None
    revoked_on: date | None
    obligations: list[Obligation]
    alerts: list[Alert]
    records: list[RecordView]

    @property
    def ended(self) -> bool:
        return self.state in ("revoked", "expired", "pending", "rejected")

    @property
    def at_risk(self) -> bool:
        return self.state in ("warned", "at_risk", "revocable")

    def risk_text(self) -> str:
        return "；".join(a.text for a in self.alerts if a.level in ("warning", "risk", "revocable"))

    def as_dict(self) -> dict:
        return {"alliance": self.application_id, "name": self.name, "region": self.region, "on": self.on.isoformat(),
                "decision": self.decision.as_dict() if self.decision else None, "state": self.state,
                "state_label": self.state_label,
                "expires_on": self.expires_on.isoformat() if self.expires_on else None,
                "revoked_on": self.revoked_on.isoformat() if self.revoked_on else None,
                "obligations": [o.as_dict() for o in self.obligations],
                "alerts": [a.as_dict() for a in self.alerts]}


@dataclass
class Dashboard:
    on: date
    within: int
    due_soon: list[Obligation]
    overdue: list[Obligation]
    at_risk: list[AllianceStatus]
    expiring: list[AllianceStatus]

    def as_dict(self) -> dict:
        return {"on": self.on.isoformat(), "within": self.within,
                "due_soon": [o.as_dict() for o in self.due_soon], "overdue": [o.as_dict() for o in self.overdue],
                "at_risk": [{"alliance": a.application_id, "name": a.name, "region": a.region, "state": a.state,
                             "state_label": a.state_label, "reason": a.risk_text()} for a in self.at_risk],
                "expiring": [{"alliance": a.application_id, "name": a.name, "region": a.region,
                              "expires_on": a.expires_on.isoformat()} for a in self.expiring]}


# ------------------------------------------------------------------ loading rows

def _claim(session: Session, app_id: str) -> None:
    """Take the application's row first (a no-op UPDATE), so two seats writing the same alliance's
    procedure at once take turns and the second judges what the first wrote (PostgreSQL row lock;
    SQLite's write lock) — e.g. two decisions at once: one is recorded, the other is refused."""
    A = m.Application.__table__
    session.execute(update(A).where(A.c.id == app_id).values(stage=A.c.stage))


def _app_row(session: Session, app_id: str):
    A = m.Application.__table__
    row = session.execute(select(A.c.id, A.c.name, A.c.region, A.c.stage).where(A.c.id == app_id)).first()
    if row is None:
        raise LifecycleError(f"没有 id 为 {app_id} 的联盟（申报）")
    return row


def _decision_view(cfg: Config, row) -> DecisionView | None:
    if row is None:
        return None
    return DecisionView(row.outcome, cfg.outcome_label(row.outcome), _d(row.decided_on), row.doc_no, row.by or "",
                        row.note or "")


def _record_view(r) -> RecordView:
    return RecordView(r.id, r.kind, r.period, _d(r.on), r.result, r.score, r.items, r.topic, r.doc_no, r.by or "",
                      r.note or "")


def _transitions(session: Session, app_id: str) -> list[TransitionView]:
    T = lm.StageTransition
    return [TransitionView(t.id, t.from_stage, t.to_stage, t.direction, _d(t.on), t.by or "", t.note or "")
            for t in session.scalars(select(T).where(T.application_id == app_id).order_by(T.id))]


def _decision_row(session: Session, app_id: str):
    return session.scalar(select(lm.Decision).where(lm.Decision.application_id == app_id))


def _records(session: Session, app_id: str) -> list[RecordView]:
    R = lm.ObligationRecord
    return [_record_view(r) for r in session.scalars(select(R).where(R.application_id == app_id)
                                                     .order_by(R.on, R.id))]
