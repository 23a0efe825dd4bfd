"""An alliance's standing as of a day: its state (active, warned, at risk, revocable, revoked,
expired), its obligations with their statuses and alerts from the pack's revoke rules; and the
lists built from it (every alliance, what is due, the dashboard)."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import models as m
from db import models_lifecycle as lm
from db.session import Database, unit_of_work

from alliance_desk.dates import validity_end
from alliance_desk.lifecycle.obligations import _instances, _status
from alliance_desk.lifecycle.pack_config import Config, config
from alliance_desk.lifecycle.vocabulary import DEFAULT_WITHIN_DAYS, POSITIVE, RECTIFICATION, REVOCATION, STATE_LABELS
from alliance_desk.lifecycle.views import (Alert, AllianceStatus, Dashboard, DecisionView, Obligation, RecordView,
                                           _app_row, _decision_row, _decision_view, _record_view, _records)
from alliance_desk.rules.packs import PackError


def _trailing(flags: list[bool]) -> int:
    n = 0
    for f in reversed(flags):
        if not f:
            break
        n += 1
    return n


def _compute(cfg: Config, app_id: str, name: str, decision: DecisionView | None, all_records: list[RecordView],
             on: date, within: int = DEFAULT_WITHIN_DAYS) -> AllianceStatus:
    """The alliance as of `on`: only what was recorded on or before `on` counts."""
    def status(state, obligations=(), alerts=(), expires=None, revoked=None, records=()):
        label = STATE_LABELS[state] if state != "rejected" else cfg.outcome_label("rejected")
        return AllianceStatus(app_id, name, cfg.region, cfg.region_name, on, decision, state, label, expires, revoked,
                              list(obligations), list(alerts), list(records))

    if decision is None or decision.decided_on > on:
        return status("pending")
    if not decision.positive:
        return status("rejected")
    records = [r for r in all_records if r.on <= on]
    start = decision.decided_on
    expires = validity_end(start, cfg.validity_years)
    revocation = next((r for r in records if r.kind == REVOCATION), None)
    revoked = revocation.on if revocation else None
    end = min([d for d in (expires, revoked) if d is not None], default=None)
    horizon = date.max if expires is not None else max(on, start) + timedelta(days=366)
    insts = _instances(cfg, start, expires, expires, horizon, records)
    by_key = {(r.kind, r.period): r for r in records if r.kind not in (REVOCATION,)}
    obligations = []
    for inst in insts:
        rec = by_key.get((inst.ob.kind, inst.ob.period))
        if end is not None and inst.due > end and rec is None:
            continue  # nothing falls due after the alliance ended, except what was already answered
        st = _status(inst, rec, on, within)
        obligations.append(replace(inst.ob, application_id=app_id, alliance=name, region=cfg.region, status=st,
                                   record=rec, days=(inst.due - on).days))

    alerts: list[Alert] = []
    revocable = risk = warned = False
    covered: set[str] = set()  # obligation kinds whose failures a revoke rule already judges
    for rule in cfg.revoke_when:
        covered.add(rule.of)
        obs = [o for o in obligations if o.kind == rule.of]
        if rule.condition == "failed":
            judged = [o for o in obs if o.record is not None]
            flags = [o.status == "failed" for o in judged]
        else:
            judged = [o for o in obs if o.due < on]
            flags = [o.status == "overdue" for o in judged]
        run = _trailing(flags)
        tag = "（本单位配置）" if rule.configured_by == "office" else ""
        if run >= rule.consecutive:
            revocable = True
            alerts.append(Alert("revocable", f"{rule.text}{tag}：已满足取消资格条件（"
                                + "、".join(o.period_label for o in judged[-run:]) + "）", rule.clause, on))
        elif run >= 1:
            risk = True
            what = "不合格" if rule.condition == "failed" else "未报送"
            alerts.append(Alert("risk", f"{judged[-1].name}（{judged[-1].period_label}）{what}；"
                                f"{rule.text}{tag}将取消资格", rule.clause, on))
    for o in obligations:
        spec = cfg.obligation(o.kind)
        rec = o.record
        if o.kind == RECTIFICATION:
            if o.status == "failed":
                risk = True
                alerts.append(Alert("risk", f"整改未通过（{o.period_label}）", o.clause, rec.on))
            elif o.status == "overdue":
                risk = True
                alerts.append(Alert("risk", f"整改已逾期：应于 {o.due} 前完成（{o.period_label}）", o.clause, o.due))
            elif o.status in ("due", "upcoming"):
                warned = True
                alerts.append(Alert("warning", f"{o.name.removeprefix('限期整改（').removesuffix('）')}：已给予告诫，限期于 {o.due} 前整改", o.clause,
                                    o.opens))
            continue
        if spec is None or rec is None:
            continue
        if rec.result and spec.notes.get(rec.result):
            alerts.append(Alert("note", spec.notes[rec.result], spec.clause, rec.on))
        if o.status != "failed" or spec.on_fail == "rectify" or spec.id in covered:
            continue
        if spec.on_fail == "revoke":
            revocable = True
            alerts.append(Alert("revocable", f"{spec.name}{rec.result_label}：应取消资格", spec.clause, rec.on))
        else:
            risk = True
            alerts.append(Alert("risk", f"{spec.name}（{o.period_label}）{rec.result_label}", spec.clause, rec.on))

    if revoked is not None:
        state = "revoked"
        doc = f"（{revocation.doc_no}）" if revocation.doc_no else ""
        alerts.insert(0, Alert("ended", f"已于 {revoked} 取消资格{doc}", "", revoked))
    elif expires is not None and expires < on:
        state = "expired"
        alerts.insert(0, Alert("ended", f"有效期已于 {expires} 届满", cfg.validity_clause, expires))
    elif revocable:
        state = "revocable"
    elif risk:
        state = "at_risk"
    elif warned:
        state = "warned"
    else:
        state = "active"
    return status(state, obligations, alerts, expires, revoked, all_records)


def alliance_status(db: Database | Session, app_id: str, on: date, within: int = DEFAULT_WITHIN_DAYS) -> AllianceStatus:
    """One alliance as of `on`: decision, state, validity, every obligation with its status, alerts."""
    with unit_of_work(db) as session:
        row = _app_row(session, app_id)
        cfg = config(row.region)
        return _compute(cfg, row.id, row.name, _decision_view(cfg, _decision_row(session, app_id)),
                        _records(session, app_id), on, within)


def all_statuses(db: Database | Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> list[AllianceStatus]:
    """Every application with a positive decision, as of `on` (three queries in all)."""
    with unit_of_work(db) as session:
        A, D, R = m.Application.__table__, lm.Decision.__table__, lm.ObligationRecord.__table__
        rows = session.execute(select(A.c.id, A.c.name, A.c.region, D.c.outcome, D.c.decided_on, D.c.doc_no, D.c.by,
                                      D.c.note).join(D, D.c.application_id == A.c.id)
                               .where(D.c.outcome.in_(POSITIVE)).order_by(A.c.name, A.c.id)).all()
        recs: dict[str, list[RecordView]] = {}
        for r in session.execute(select(R).order_by(R.c.on, R.c.id)):
            recs.setdefault(r.application_id, []).append(_record_view(r))
        out = []
        for row in rows:
            try:
                cfg = config(row.region)
            except PackError:
                continue  # a region whose pack is gone: nothing can be computed for it
            out.append(_compute(cfg, row.id, row.name, _decision_view(cfg, row), recs.get(row.id, []), on, within))
        return out


def due_obligations(db: Database | Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> list[Obligation]:
    """Every obligation of a current alliance that is overdue on `on` or due within `within` days."""
    with unit_of_work(db) as session:
        out = [o for a in all_statuses(session, on, within) if not a.ended
               for o in a.obligations if o.status in ("due", "overdue")]
        out.sort(key=lambda o: (o.due, o.alliance, o.kind))
        return out


def dashboard(db: Database | Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> Dashboard:
    """The four groups of the lifecycle dashboard as of `on`."""
    with unit_of_work(db) as session:
        statuses = all_statuses(session, on, within)
        live = [a for a in statuses if not a.ended]
        obs = sorted((o for a in live for o in a.obligations), key=lambda o: (o.due, o.alliance, o.kind))
        order = {"revocable": 0, "at_risk": 1, "warned": 2}
        return Dashboard(
            on, within,
            due_soon=[o for o in obs if o.status == "due"],
            overdue=[o for o in obs if o.status == "overdue"],
            at_risk=sorted((a for a in live if a.at_risk), key=lambda a: (order[a.state], a.name)),
            expiring=sorted((a for a in live if a.expires_on is not None and a.expires_on.year == on.year),
                            key=lambda a: (a.expires_on, a.name)))
