"""The procedure: where an application stands in its region's stages, which moves are allowed
(forward past optional steps, back with a note, never before the decision once decided) and the
move itself, written with the application's stage in one transaction."""
from __future__ import annotations

from datetime import date
from typing import Iterable

from sqlalchemy import update
from sqlalchemy.orm import Session

from db import models as m
from db import models_lifecycle as lm
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.lifecycle.pack_config import Config, config
from alliance_desk.lifecycle.publicity import publicity_problem
from alliance_desk.lifecycle.vocabulary import LifecycleError
from alliance_desk.lifecycle.views import (ProcedureState, TransitionView, _app_row, _claim, _decision_row,
                                           _decision_view, _transitions)


# ------------------------------------------------------------------ procedure

def procedure(db: Database | Session, app_id: str) -> ProcedureState:
    """Where an application stands in its region's procedure, with every transition so far."""
    with unit_of_work(db) as session:
        row = _app_row(session, app_id)
        cfg = config(row.region)
        return ProcedureState(row.id, row.name, row.region, cfg.region_name, list(cfg.stages), row.stage,
                              _transitions(session, app_id), _decision_view(cfg, _decision_row(session, app_id)))


def _names(cfg: Config, ids: Iterable[str]) -> str:
    return "、".join(f"「{cfg.stage(i).short}」" for i in ids)


def transition_problems(state: ProcedureState, to: str, on: date, note: str = "") -> list[str]:
    """Why moving `state` to stage `to` on `on` is not allowed (empty list: it is allowed)."""
    cfg = config(state.region)
    target = cfg.stage(to)
    if target is None:
        choices = "、".join(f"{s.id}（{s.short}）" for s in cfg.stages)
        return [f"「{to}」不是{cfg.region_name}办理程序中的步骤；可选：{choices}"]
    problems = []
    dec = state.decision
    if dec is not None and not dec.positive:
        return [f"已于 {dec.decided_on} 作出{dec.label}决定，办理程序已终止，不能再变更步骤"]
    cur = state.stage(state.current)
    i_to, i_cur = cfg.index(to), state.current_index
    if cur is not None and to == cur.id:
        return [f"已处于「{target.short}」步骤"]
    if i_to > i_cur:
        skipped = [s for s in cfg.stages[i_cur + 1:i_to] if not s.optional]
        if skipped:
            head = f"不能从「{cur.short}」直接到「{target.short}」" if cur else \
                f"办理程序须从「{cfg.stages[0].short}」开始，不能直接到「{target.short}」"
            problems.append(f"{head}：须先经过{_names(cfg, [s.id for s in skipped])}（{skipped[0].clause}）")
        elif i_to > cfg.decision_index and not (dec and dec.positive):
            d = cfg.stages[cfg.decision_index]
            problems.append(f"进入「{target.short}」须先在「{d.short}」步骤记录决定（{d.clause}）")
    else:
        if not note.strip():
            problems.append(f"退回到「{target.short}」须填写说明")
        if dec is not None and i_to < cfg.decision_index:
            problems.append(f"已于 {dec.decided_on} 作出{dec.label}决定，不能退回到作出决定之前的「{target.short}」")
    last = state.last_on()
    if last is not None and on < last:
        problems.append(f"日期 {on} 早于上一步的日期 {last}（「{cfg.stage(state.transitions[-1].to_stage).short}」）")
    if dec is not None and on < dec.decided_on:
        problems.append(f"日期 {on} 早于决定日期 {dec.decided_on}")
    return problems


def move_stage(db: Database, app_id: str, to: str, on: date, by: str | None = None, note: str = "") -> TransitionView:
    """Move an application to stage `to` (the next step forward, or back to an earlier one with a
    note). `by` is who did it; by default the step's actor from the pack. Refused with the reason."""
    with unit_of_work(db, write=True) as s:
        _claim(s, app_id)
        state = procedure(s, app_id)
        problems = transition_problems(state, to, on, note)
        if not problems and config(state.region).index(to) > state.current_index:
            why = publicity_problem(s, state, on)
            if why:
                problems.append(why)
        if problems:
            raise LifecycleError(problems)
        cfg = config(state.region)
        i_to = cfg.index(to)
        direction = "start" if state.current is None else ("forward" if i_to > state.current_index else "back")
        actor = (by or "").strip() or cfg.stage(to).actor
        view = _write_transition(s, app_id, state.current, to, direction, on, actor, note.strip())
        audit.record(s, by, "stage", "stage_transition", view.id, {"stage": state.current},
                     {"stage": to, "direction": direction, "on": on, "by": actor, "note": view.note},
                     application_id=app_id)
        return view


def _write_transition(s: Session, app_id: str, frm: str | None, to: str, direction: str, on: date, by: str,
                      note: str) -> TransitionView:
    t = lm.StageTransition(application_id=app_id, from_stage=frm, to_stage=to, direction=direction, on=on, by=by,
                           note=note)
    s.add(t)
    s.flush()
    A = m.Application.__table__
    # the stage is office bookkeeping, not part of the document: the version stays (no editor conflict)
    s.execute(update(A).where(A.c.id == app_id).values(stage=to))
    return TransitionView(t.id, frm, to, direction, on, by, note)
