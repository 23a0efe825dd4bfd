"""The publicity (公示) window: a procedure at a `publicity = true` step leaves it only after the
pack's `[publicity]` period has run, counted in working days on the office's stored calendar."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from db.session import Database, unit_of_work

from alliance_desk.lifecycle.workdays import CalendarError, calendar_from_session, period, seed_from_library
from alliance_desk.lifecycle.pack_config import config
from alliance_desk.lifecycle.views import ProcedureState, TransitionView


def _publicity_entered(state: ProcedureState) -> TransitionView | None:
    """The transition into the running publicity step (None: the procedure is not at one)."""
    cfg = config(state.region)
    cur = cfg.stage(state.current)
    if cur is None or not cur.publicity or cfg.publicity_days < 1:
        return None
    return state.entered(cur.id)


def _publicity_period(state: ProcedureState, session: Session, seed: bool = False):
    """(transition into the step, workdays.Period) of the running publicity step; None when there is
    none. Working days are counted on the office's calendar (seeded from the library first when
    `seed`, in the caller's transaction, as everywhere else); CalendarError when it lacks the year."""
    entered = _publicity_entered(state)
    if entered is None:
        return None
    cfg = config(state.region)
    calendar = None
    if cfg.publicity_unit == "working":
        if seed:
            seed_from_library(session)
        calendar = calendar_from_session(session)
    return entered, period(calendar, entered.on, cfg.publicity_days, cfg.publicity_unit)


def publicity_problem(session: Session, state: ProcedureState, on: date) -> str | None:
    """Why the procedure may not yet leave its publicity step forward on `on` (None: it may, or it is
    not at one). The period starts on the day the step was entered (a working period on the first
    working day from then) and the next step may come the day after it ends."""
    try:
        found = _publicity_period(state, session, seed=True)
    except CalendarError as exc:
        return f"无法判断公示期是否届满：{exc}"
    if found is None or on > found[1].end:
        return None
    (entered, period), cfg = found, config(state.region)
    unit = "个工作日" if cfg.publicity_unit == "working" else "天"
    where = f"（{cfg.publicity_clause}）" if cfg.publicity_clause else ""
    return (f"公示期未满：自 {entered.on} 起公示 {cfg.publicity_days} {unit}，至 {period.end} 期满{where}；"
            f"最早可于 {period.end + timedelta(days=1)} 进入下一步")


def publicity_window(db: Database | Session, state: ProcedureState) -> tuple[date, date] | None:
    """(first day, last day) of the running publicity period, for display; None when the procedure
    is not at a publicity step or the stored calendar lacks the year (the guard then says why)."""
    with unit_of_work(db) as session:
        try:
            found = _publicity_period(state, session)
        except CalendarError:
            return None
        return (found[1].start, found[1].end) if found else None
