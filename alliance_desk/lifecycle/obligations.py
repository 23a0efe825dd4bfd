"""What falls due after a positive decision: the occurrences of each obligation in the pack
(yearly, every n years, in a year of validity, after an event, rectifications after a failing
result) and the status of each against what was recorded."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from alliance_desk.dates import add_years, period_end
from alliance_desk.lifecycle.pack_config import Config, ObligationSpec
from alliance_desk.lifecycle.vocabulary import RECTIFICATION, RESULTS, month_day
from alliance_desk.lifecycle.views import Obligation, RecordView


@dataclass(frozen=True)
class _Instance:
    """One occurrence before it is judged: the Obligation with its period, dates and provenance
    (status, record and days are filled in when it is judged) and the results that fail it."""
    ob: Obligation
    failing: tuple = ()

    @property
    def due(self) -> date:
        return self.ob.due


def _instance(kind: str, name: str, period: int | None, label: str, opens: date, due: date, clause: str,
              configured_by: str, office_configured: tuple, reading: str, failing: tuple = ()) -> _Instance:
    return _Instance(Obligation("", "", "", kind, name, period, label, opens, due, "upcoming", None, clause,
                                configured_by, office_configured, reading, 0), failing)


def _of_spec(spec: ObligationSpec, name: str, period: int | None, label: str, opens: date, due: date,
             failing: tuple) -> _Instance:
    return _instance(spec.id, name, period, label, opens, due, spec.clause, spec.configured_by,
                     spec.office_configured, spec.reading, failing)


def _yearly_instances(spec: ObligationSpec, start: date, end: date | None, horizon: date) -> list[_Instance]:
    out = []
    off = 1 if spec.due_year == "next" else 0
    first = start.year + (1 if spec.start == "next_year" else 0)
    step = spec.every if spec.schedule == "every_n_years" else 1
    year = first
    while True:
        due = month_day(year + off, spec.due)
        if (end is not None and due > end) or due > horizon:
            break
        if spec.schedule == "yearly":
            opens = month_day(year - 1 + off, spec.due) + timedelta(days=1)
            label = f"{year} 年度"
        else:
            opens = date(year, 1, 1)
            label = f"{year} 年"
        out.append(_of_spec(spec, spec.name, year, label, max(opens, start), due, spec.failing))
        year += step
    return out


def _instances(cfg: Config, decided_on: date, expires: date | None, end: date | None, horizon: date,
               records: list[RecordView]) -> list[_Instance]:
    out: list[_Instance] = []
    for spec in cfg.obligations:
        if spec.schedule in ("yearly", "every_n_years"):
            out += _yearly_instances(spec, decided_on, end, horizon)
        elif spec.schedule == "validity_year":
            opens = add_years(decided_on, spec.year - 1)
            due = period_end(decided_on, spec.year)
            if end is None or due <= end:
                out.append(_of_spec(spec, spec.name, spec.year, f"第 {spec.year} 年（{due.year} 年）", opens, due,
                                    spec.failing))
        else:  # on_event: one per recorded event
            for r in records:
                if r.kind == spec.event:
                    topic = spec.topics.get(r.topic or "", r.topic or "")
                    due = month_day(r.on.year, spec.due)
                    out.append(_of_spec(spec, f"{spec.name}（{topic}）" if topic else spec.name, r.id,
                                        f"{r.on} {spec.event_name or '事件'}", r.on, due, ()))
    for spec in cfg.rectify_specs:  # a failing result with on_fail = rectify opens a rectification
        for r in records:
            if r.kind == spec.id and r.result in spec.failing:
                due = r.on + timedelta(days=spec.rectify_days)
                out.append(_instance(RECTIFICATION, f"限期整改（{spec.name}{RESULTS[r.result]}）", r.id,
                                     f"{r.on} 告诫", r.on, due, spec.clause, "office", ("rectify_days",),
                                     f"{spec.name}{RESULTS[r.result]}的，给予告诫、限期整改；整改期限 {spec.rectify_days} 天"
                                     "为本单位配置", ("fail",)))
    out.sort(key=lambda i: (i.ob.due, i.ob.kind, i.ob.period or 0))
    return out


def _status(inst: _Instance, rec: RecordView | None, on: date, within: int) -> str:
    if rec is not None:
        if rec.result is not None and rec.result in inst.failing:
            return "failed"
        return "done" if rec.on <= inst.due else "late"
    if inst.due < on:
        return "overdue"
    if (inst.due - on).days <= within:
        return "due"
    return "upcoming"
