"""The office's decision on an application: one per application; a positive one moves the
procedure to the decision step, a refusal ends it where it stands."""
from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from db import models_lifecycle as lm
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.lifecycle.pack_config import config
from alliance_desk.lifecycle.publicity import publicity_problem
from alliance_desk.lifecycle.stages import _names, _write_transition, procedure
from alliance_desk.lifecycle.vocabulary import OUTCOMES, POSITIVE, LifecycleError
from alliance_desk.lifecycle.views import DecisionView, _app_row, _claim, _decision_row, _decision_view


# ------------------------------------------------------------------ decisions

def normalise_outcome(text: str) -> str | None:
    t = (text or "").strip()
    if t in OUTCOMES:
        return t
    zh = {v: k for k, v in OUTCOMES.items()}
    zh.update({"批复": "approved", "不予批复": "rejected", "不予备案": "rejected", "示范创新联盟": "demonstration",
               "试点创新联盟": "pilot"})
    return zh.get(t)


def decide(db: Database, app_id: str, outcome: str, on: date, doc_no: str | None = None, by: str = "",
           note: str = "") -> DecisionView:
    """Record the office's decision. A positive decision moves the procedure to the decision step
    (an application whose procedure was not tracked here, stage NULL, may be decided directly);
    a refusal ends the procedure where it stands. One decision per application."""
    with unit_of_work(db, write=True) as s:
        _claim(s, app_id)
        state = procedure(s, app_id)
        cfg = config(state.region)
        problems = []
        key = normalise_outcome(outcome)
        choices = "、".join(f"{cfg.outcome_label(o)}（{o}）" for o in cfg.outcomes)
        if key is None:
            problems.append(f"决定「{outcome}」未知；{cfg.region_name}可作的决定：{choices}")
        elif key not in cfg.outcomes:
            problems.append(f"{cfg.region_name}不作「{cfg.outcome_label(key)}」决定；可作的决定：{choices}")
        if state.decision is not None:
            d = state.decision
            doc = f"，文号 {d.doc_no}" if d.doc_no else ""
            problems.append(f"「{state.name}」已于 {d.decided_on} 作出{d.label}决定{doc}；每份申报只记录一次决定")
        i_dec = cfg.decision_index
        if key in POSITIVE and state.current is not None and state.current_index < i_dec:
            pending = [x for x in cfg.stages[state.current_index + 1:i_dec] if not x.optional]
            if pending:
                problems.append(f"办理程序尚未到达作出决定的步骤：当前「{state.stage(state.current).short}」，"
                                f"须先完成{_names(cfg, [x.id for x in pending])}（{pending[0].clause}）")
        last = state.last_on()
        if last is not None and on < last:
            problems.append(f"决定日期 {on} 早于上一步的日期 {last}")
        if key in POSITIVE and not problems:
            why = publicity_problem(s, state, on)
            if why:
                problems.append(why)
        if problems:
            raise LifecycleError(problems)
        doc_no = (doc_no or "").strip() or None
        s.add(lm.Decision(application_id=app_id, outcome=key, decided_on=on, doc_no=doc_no, by=by.strip(),
                          note=note.strip()))
        view = DecisionView(key, cfg.outcome_label(key), on, doc_no, by.strip(), note.strip())
        dstage = cfg.stages[i_dec]
        if key in POSITIVE and state.current != dstage.id:
            text = f"{view.label}决定" + (f"（{doc_no}）" if doc_no else "")
            if state.current is None:
                text += "；办理程序此前未在本软件中登记"
            _write_transition(s, app_id, state.current, dstage.id,
                              "decision" if state.current is None else "forward", on,
                              by.strip() or dstage.actor, text)
        s.flush()
        audit.record(s, by, "decide", "decision", app_id, {"stage": state.current},
                     {"outcome": key, "decided_on": on, "doc_no": doc_no, "by": by.strip(), "note": note.strip(),
                      "stage": dstage.id if key in POSITIVE else state.current}, application_id=app_id)
        return view


def get_decision(db: Database | Session, app_id: str) -> DecisionView | None:
    with unit_of_work(db) as session:
        row = _app_row(session, app_id)
        return _decision_view(config(row.region), _decision_row(session, app_id))
