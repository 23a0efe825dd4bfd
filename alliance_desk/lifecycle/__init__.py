"""From application to expiry: procedure stages, decisions, obligations and what arrived.

Everything is driven by the region pack:
- `[[stages]]` — the procedure in order (`short`, `actor`, `decision = true` on the step where the
  decision is taken, `optional = true` on a step that may be skipped, `publicity = true` on a
  publicity step: the procedure leaves it only after the `[publicity]` period has run, counted
  in working days on the office's calendar);
- `[lifecycle]` — the decisions the region takes (`outcomes`) and when an alliance loses its
  status (`[[lifecycle.revoke_when]]`);
- `[validity]` — years of validity (0 = no expiry);
- `[[obligations]]` — what is due after the decision, each with a `schedule`:
  `yearly` (one per calendar year, `from` decision_year|next_year, `due` "MM-DD" or "MM-last",
  `due_year` same|next), `every_n_years` (`every`, `from`, `due`), `validity_year` (`year` n:
  due on the last day of the n-th year of validity) or `on_event` (`event`: due the same year
  as the event). Results (`results`, `failing`), consequences (`on_fail` rectify|revoke,
  `rectify_days`), scoring templates (`scoring`, `pass_mark`) and what the office configured
  (`configured_by`, `office_configured`, `reading`) are data too.

No function reads the wall clock: every date (`on`) is passed in. Reads take a Session, writes
take a Database and run in one transaction; a refused write raises LifecycleError with one
Chinese line per problem and writes nothing.
"""
from __future__ import annotations

from alliance_desk.dates import add_years
from alliance_desk.lifecycle.decisions import decide, get_decision, normalise_outcome
from alliance_desk.lifecycle.pack_config import (Config, ObligationSpec, RevokeRule, StageInfo, _config_from_pack,
                                                 all_configs, config, stages)
from alliance_desk.lifecycle.publicity import publicity_window
from alliance_desk.lifecycle.records import RecordOutcome, delete_record, normalise_result, record, scoring_leaves
from alliance_desk.lifecycle.stages import move_stage, procedure, transition_problems
from alliance_desk.lifecycle.status import alliance_status, all_statuses, dashboard, due_obligations
from alliance_desk.lifecycle.views import (Alert, AllianceStatus, Dashboard, DecisionView, Obligation, ProcedureState,
                                           RecordView, TransitionView)
from alliance_desk.lifecycle.vocabulary import (DEFAULT_WITHIN_DAYS, DIRECTIONS, OPEN_STATUSES, OUTCOME_STATE,
                                                OUTCOMES, POSITIVE, POSITIVE_BY_SCHEME, RECTIFICATION,
                                                REJECTED_BY_SCHEME, RESULT_ALIASES, RESULTS, REVOCATION, SCHEDULES,
                                                STATE_LABELS, STATUS_LABELS, LifecycleError, month_day, parse_date)

__all__ = [
    "OUTCOMES", "RESULTS", "STATUS_LABELS", "STATE_LABELS", "LifecycleError", "StageInfo", "ObligationSpec",
    "Config", "config", "all_configs", "stages", "ProcedureState", "TransitionView", "DecisionView",
    "RecordView", "Obligation", "Alert", "AllianceStatus", "Dashboard", "RecordOutcome", "procedure",
    "transition_problems", "move_stage", "decide", "get_decision", "alliance_status", "all_statuses",
    "due_obligations", "dashboard", "record", "delete_record", "add_years", "month_day", "parse_date",
    "normalise_outcome", "normalise_result", "scoring_leaves", "RevokeRule", "publicity_window",
    "DEFAULT_WITHIN_DAYS", "DIRECTIONS", "OPEN_STATUSES", "OUTCOME_STATE", "POSITIVE", "POSITIVE_BY_SCHEME",
    "RECTIFICATION", "REJECTED_BY_SCHEME", "RESULT_ALIASES", "REVOCATION", "SCHEDULES", "_config_from_pack",
]
