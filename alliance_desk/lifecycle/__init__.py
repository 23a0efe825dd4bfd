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

import calendar
import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, Iterable

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from db import models as m
from db import models_lifecycle as lm
from db.session import Database, unit_of_work

from alliance_desk.store import audit
from alliance_desk.dates import add_years, period_end, validity_end
from alliance_desk.rules.packs import Pack, PackError, all_packs, get_pack
from alliance_desk.store import StoreError

# ------------------------------------------------------------------ vocabulary

#: decision outcomes (the CLI's --outcome values) and their Chinese names
OUTCOMES = {"recognized": "认定", "demonstration": "示范", "pilot": "试点", "approved": "批复成立",
            "filed": "备案", "rejected": "不予认定"}
POSITIVE = ("recognized", "demonstration", "pilot", "approved", "filed")
#: the state a positive outcome gives the alliance
OUTCOME_STATE = {"recognized": "已认定", "demonstration": "示范创新联盟", "pilot": "试点创新联盟",
                 "approved": "已批复成立", "filed": "已备案"}
#: the refusal is named after the region's scheme (pack.scheme)
REJECTED_BY_SCHEME = {"认定": "不予认定", "组建": "不予批复", "备案": "不予备案"}
#: what "has a positive decision" is called in each scheme
POSITIVE_BY_SCHEME = {"认定": "认定", "组建": "批复成立", "备案": "备案"}

RESULTS = {"excellent": "优秀", "good": "良好", "pass": "合格", "poor": "较差", "fail": "不合格"}
RESULT_ALIASES = {"通过": "pass", "未通过": "fail", "不通过": "fail", "达标": "pass", "不达标": "fail"}

STATUS_LABELS = {"upcoming": "未到期", "due": "即将到期", "overdue": "已逾期", "done": "已完成",
                 "late": "逾期完成", "failed": "未通过"}
OPEN_STATUSES = ("upcoming", "due", "overdue")

STATE_LABELS = {"pending": "未作决定", "rejected": "不予认定", "active": "有效", "warned": "已告诫·限期整改",
                "at_risk": "有取消资格风险", "revocable": "已满足取消资格条件", "revoked": "已取消资格",
                "expired": "已届满"}

REVOCATION = "revocation"
RECTIFICATION = "rectification"
DIRECTIONS = {"start": "开始", "forward": "推进", "back": "退回", "decision": "决定"}

SCHEDULES = {"yearly", "every_n_years", "validity_year", "on_event"}
DEFAULT_WITHIN_DAYS = 30


class LifecycleError(StoreError):
    """A refused lifecycle operation; `problems` holds one Chinese line per problem."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("；".join(self.problems))


# ------------------------------------------------------------------ dates

def month_day(year: int, spec: str) -> date:
    """`"12-31"` or `"02-last"` in `year` (a day past the month's end is clamped to its last day)."""
    mm, dd = spec.split("-")
    month = int(mm)
    last = calendar.monthrange(year, month)[1]
    day = last if dd == "last" else min(int(dd), last)
    return date(year, month, day)


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(text: str | date, what: str = "日期") -> date:
    """A YYYY-MM-DD date (strict: Python 3.11 would also take 20250101 or 2025-W01-1)."""
    if isinstance(text, date):
        return text
    t = str(text).strip()
    try:
        if not _ISO_DATE.match(t):
            raise ValueError
        return date.fromisoformat(t)
    except ValueError:
        raise LifecycleError(f"{what}「{text}」不是有效日期（应为 YYYY-MM-DD）") from None


def _d(v) -> date:
    return v if isinstance(v, date) else date.fromisoformat(v)


# ------------------------------------------------------------------ pack configuration

@dataclass(frozen=True)
class StageInfo:
    id: str
    name: str
    short: str
    clause: str  # cited: "002 § 第九条2"
    actor: str
    decision: bool = False
    optional: bool = False
    note: str = ""
    publicity: bool = False


@dataclass(frozen=True)
class ObligationSpec:
    id: str
    name: str
    schedule: str
    clause: str  # cited
    due: str = "12-31"
    due_year: str = "same"
    start: str = "decision_year"  # the pack's `from`
    every: int = 1
    year: int = 0
    event: str = ""
    event_name: str = ""
    topics: dict = field(default_factory=dict)
    results: tuple = ()
    failing: tuple = ()
    on_fail: str = ""
    rectify_days: int = 0
    scoring: str = ""
    pass_mark: float | None = None
    notes: dict = field(default_factory=dict)
    configured_by: str = "notice"
    office_configured: tuple = ()
    reading: str = ""

    @property
    def office(self) -> bool:
        return self.configured_by == "office" or bool(self.office_configured)


@dataclass(frozen=True)
class RevokeRule:
    of: str
    condition: str  # failed | missing
    consecutive: int
    clause: str  # cited
    text: str
    configured_by: str = "notice"
    reading: str = ""


@dataclass(frozen=True)
class Config:
    region: str
    region_name: str
    scheme: str
    stages: tuple[StageInfo, ...]
    outcomes: tuple[str, ...]
    decision_clause: str
    validity_years: int
    validity_clause: str
    validity_configured_by: str
    validity_reading: str
    obligations: tuple[ObligationSpec, ...]
    revoke_when: tuple[RevokeRule, ...]
    scoring: dict  # id -> template (raw pack table)
    publicity_days: int = 0
    publicity_unit: str = "working"
    publicity_clause: str = ""  # cited

    @property
    def decision_index(self) -> int:
        return next(i for i, s in enumerate(self.stages) if s.decision)

    def stage(self, stage_id: str | None) -> StageInfo | None:
        return next((s for s in self.stages if s.id == stage_id), None)

    def index(self, stage_id: str | None) -> int:
        return next((i for i, s in enumerate(self.stages) if s.id == stage_id), -1)

    def outcome_label(self, outcome: str) -> str:
        if outcome == "rejected":
            return REJECTED_BY_SCHEME.get(self.scheme, OUTCOMES["rejected"])
        return OUTCOMES.get(outcome, outcome)

    def obligation(self, kind: str) -> ObligationSpec | None:
        return next((o for o in self.obligations if o.id == kind), None)

    @property
    def event_specs(self) -> dict[str, ObligationSpec]:
        return {o.event: o for o in self.obligations if o.schedule == "on_event"}

    @property
    def rectify_specs(self) -> list[ObligationSpec]:
        return [o for o in self.obligations if o.on_fail == "rectify"]

    def record_kinds(self) -> dict[str, str]:
        """Every kind `record` accepts for this region, with its Chinese name."""
        kinds: dict[str, str] = {}
        for o in self.obligations:
            if o.schedule == "on_event":
                kinds[o.event] = o.event_name or o.event
            kinds[o.id] = o.name
        if self.rectify_specs:
            kinds[RECTIFICATION] = "整改情况"
        kinds[REVOCATION] = "取消资格"
        return kinds

    def kind_label(self, kind: str) -> str:
        return self.record_kinds().get(kind, kind)


def _cite(pack: Pack, clause: str) -> str:
    return f"{pack.seed[:3]} § {clause}" if clause else ""


def _config_from_pack(pack: Pack) -> Config:
    raw = pack.raw
    where = str(pack.path)

    def bad(msg: str):
        raise PackError(f"{where}：{msg}")

    stages = []
    for s in raw.get("stages", []):
        unknown = set(s) - {"id", "name", "short", "clause", "actor", "decision", "optional", "note", "publicity"}
        if unknown:
            bad(f"步骤 {s.get('id')} 有未知字段 {sorted(unknown)}")
        stages.append(StageInfo(s["id"], s["name"], s.get("short") or s["name"], _cite(pack, s.get("clause", "")),
                                s.get("actor", ""), bool(s.get("decision")), bool(s.get("optional")),
                                s.get("note", ""), bool(s.get("publicity"))))
    if len({s.id for s in stages}) != len(stages):
        bad("[[stages]] 中有重复的 id")
    if sum(s.decision for s in stages) != 1:
        bad("[[stages]] 中应有且只有一个 decision = true 的步骤（作出决定的步骤）")

    life = raw.get("lifecycle") or bad("缺少 [lifecycle] 段")
    unknown = set(life) - {"outcomes", "clause", "revoke_when"}
    if unknown:
        bad(f"[lifecycle] 有未知字段 {sorted(unknown)}")
    outcomes = tuple(life.get("outcomes", []))
    for o in outcomes:
        if o not in OUTCOMES:
            bad(f"[lifecycle] outcomes 中的「{o}」未知（可用：{', '.join(OUTCOMES)}）")
    if "rejected" not in outcomes or not any(o in POSITIVE for o in outcomes):
        bad("[lifecycle] outcomes 应包含 rejected 和至少一种肯定的决定")

    val = raw.get("validity", {})
    years = int(val.get("years", 0))
    if years < 0:
        bad("[validity] years 不能为负数")

    scoring = {t["id"]: t for t in raw.get("scoring", [])}
    allowed = {"id", "name", "schedule", "clause", "due", "due_year", "from", "every", "year", "event",
               "event_name", "topics", "results", "failing", "on_fail", "rectify_days", "scoring",
               "pass_mark", "notes", "configured_by", "office_configured", "reading"}
    specs = []
    for o in raw.get("obligations", []):
        oid = o.get("id") or bad("[[obligations]] 缺少 id")
        unknown = set(o) - allowed
        if unknown:
            bad(f"事项 {oid} 有未知字段 {sorted(unknown)}")
        if o.get("schedule") not in SCHEDULES:
            bad(f"事项 {oid} 的 schedule「{o.get('schedule')}」未知（可用：{', '.join(sorted(SCHEDULES))}）")
        for key in ("name", "clause"):
            if not o.get(key):
                bad(f"事项 {oid} 缺少 {key}")
        try:
            month_day(2024, o.get("due", "12-31"))
        except (ValueError, IndexError):
            bad(f"事项 {oid} 的 due「{o.get('due')}」应为 MM-DD 或 MM-last")
        if o.get("from", "decision_year") not in ("decision_year", "next_year"):
            bad(f"事项 {oid} 的 from 应为 decision_year 或 next_year")
        if o.get("due_year", "same") not in ("same", "next"):
            bad(f"事项 {oid} 的 due_year 应为 same 或 next")
        results = tuple(o.get("results", []))
        if o.get("scoring") and not results:  # a scored obligation passes at pass_mark, else fails
            results, o = ("pass", "fail"), {**o, "failing": o.get("failing", ["fail"])}
        for r in results:
            if r not in RESULTS:
                bad(f"事项 {oid} 的结果「{r}」未知（可用：{', '.join(RESULTS)}）")
        failing = tuple(o.get("failing", []))
        if not set(failing) <= set(results):
            bad(f"事项 {oid} 的 failing 应是 results 的一部分")
        if o.get("on_fail", "") not in ("", "rectify", "revoke"):
            bad(f"事项 {oid} 的 on_fail 应为 rectify 或 revoke")
        if o.get("on_fail") == "rectify" and int(o.get("rectify_days", 0)) <= 0:
            bad(f"事项 {oid} 的 on_fail = rectify 需要 rectify_days")
        if o.get("scoring") and o["scoring"] not in scoring:
            bad(f"事项 {oid} 引用了未定义的评分模板「{o['scoring']}」")
        if o["schedule"] == "validity_year" and not (years and 1 <= int(o.get("year", 0)) <= years):
            bad(f"事项 {oid} 的 year 应在 1 到有效期年数（{years}）之间")
        if o["schedule"] == "on_event" and not o.get("event"):
            bad(f"事项 {oid} 缺少 event")
        if o["schedule"] == "every_n_years" and int(o.get("every", 0)) < 1:
            bad(f"事项 {oid} 的 every 应为正整数")
        specs.append(ObligationSpec(
            id=oid, name=o["name"], schedule=o["schedule"], clause=_cite(pack, o["clause"]),
            due=o.get("due", "12-31"), due_year=o.get("due_year", "same"), start=o.get("from", "decision_year"),
            every=int(o.get("every", 1)), year=int(o.get("year", 0)), event=o.get("event", ""),
            event_name=o.get("event_name", ""), topics=dict(o.get("topics", {})), results=results,
            failing=failing, on_fail=o.get("on_fail", ""), rectify_days=int(o.get("rectify_days", 0)),
            scoring=o.get("scoring", ""), pass_mark=o.get("pass_mark"), notes=dict(o.get("notes", {})),
            configured_by=o.get("configured_by", "notice"), office_configured=tuple(o.get("office_configured", [])),
            reading=o.get("reading", "")))
    ids = [s.id for s in specs] + [s.event for s in specs if s.event]
    if len(set(ids)) != len(ids) or set(ids) & {REVOCATION, RECTIFICATION}:
        bad("[[obligations]] 的 id / event 重复或使用了保留名称")

    rules = []
    for r in life.get("revoke_when", []):
        if r.get("of") not in {s.id for s in specs}:
            bad(f"[[lifecycle.revoke_when]] 引用了未定义的事项「{r.get('of')}」")
        if r.get("condition") not in ("failed", "missing") or int(r.get("consecutive", 0)) < 1:
            bad("[[lifecycle.revoke_when]] 的 condition 应为 failed 或 missing，consecutive 为正整数")
        rules.append(RevokeRule(r["of"], r["condition"], int(r["consecutive"]), _cite(pack, r.get("clause", "")),
                                r.get("text", ""), r.get("configured_by", "notice"), r.get("reading", "")))

    pub = raw.get("publicity") or {}
    pub_days, pub_unit = pub.get("days", 0), pub.get("unit", "working")
    if any(st.publicity for st in stages):
        if not isinstance(pub_days, int) or isinstance(pub_days, bool) or pub_days < 1:
            bad("有 publicity = true 的步骤，[publicity] 的 days 应为正整数")
        if pub_unit not in ("working", "calendar"):
            bad("[publicity] 的 unit 应为 working 或 calendar")
    return Config(pack.id, pack.region_name, pack.scheme, tuple(stages), outcomes,
                  _cite(pack, life.get("clause", "")), years, _cite(pack, val.get("clause", "")),
                  val.get("configured_by", "notice"), val.get("reading", ""), tuple(specs), tuple(rules), scoring,
                  pub_days if isinstance(pub_days, int) else 0, pub_unit, _cite(pack, pub.get("clause", "")))


@lru_cache(maxsize=None)
def _config_cached(pack_path: str, region: str) -> Config:
    return _config_from_pack(get_pack(region))


def config(region: str) -> Config:
    """The lifecycle configuration of `region` (validated; PackError names the file)."""
    pack = get_pack(region)
    return _config_cached(str(pack.path), region)


def all_configs() -> dict[str, Config]:
    return {r: config(r) for r in all_packs()}


def stages(region: str) -> list[StageInfo]:
    return list(config(region).stages)


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


# ------------------------------------------------------------------ procedure

def procedure(session: Session, app_id: str) -> ProcedureState:
    """Where an application stands in its region's procedure, with every transition so far."""
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
    from alliance_desk.lifecycle import workdays

    entered = _publicity_entered(state)
    if entered is None:
        return None
    cfg = config(state.region)
    calendar = None
    if cfg.publicity_unit == "working":
        if seed:
            workdays.seed_from_library(session)
        calendar = workdays.calendar_from_session(session)
    return entered, workdays.period(calendar, entered.on, cfg.publicity_days, cfg.publicity_unit)


def _publicity_problem(session: Session, state: ProcedureState, on: date) -> str | None:
    """Why the procedure may not yet leave its publicity step forward on `on` (None: it may, or it is
    not at one). The period starts on the day the step was entered (a working period on the first
    working day from then) and the next step may come the day after it ends."""
    from alliance_desk.lifecycle import workdays

    try:
        found = _publicity_period(state, session, seed=True)
    except workdays.CalendarError as exc:
        return f"无法判断公示期是否届满：{exc}"
    if found is None or on > found[1].end:
        return None
    (entered, period), cfg = found, config(state.region)
    unit = "个工作日" if cfg.publicity_unit == "working" else "天"
    where = f"（{cfg.publicity_clause}）" if cfg.publicity_clause else ""
    return (f"公示期未满：自 {entered.on} 起公示 {cfg.publicity_days} {unit}，至 {period.end} 期满{where}；"
            f"最早可于 {period.end + timedelta(days=1)} 进入下一步")


def publicity_window(session: Session, state: ProcedureState) -> tuple[date, date] | None:
    """(first day, last day) of the running publicity period, for display; None when the procedure
    is not at a publicity step or the stored calendar lacks the year (the guard then says why)."""
    from alliance_desk.lifecycle import workdays

    try:
        found = _publicity_period(state, session)
    except workdays.CalendarError:
        return None
    return (found[1].start, found[1].end) if found else None


def move_stage(db: Database, app_id: str, to: str, on: date, by: str | None = None, note: str = "") -> TransitionView:
    """Move an application to stage `to` (the next step forward, or back to an earlier one with a
    note). `by` is who did it; by default the step's actor from the pack. Refused with the reason."""
    with unit_of_work(db, write=True) as s:
        _claim(s, app_id)
        state = procedure(s, app_id)
        problems = transition_problems(state, to, on, note)
        if not problems and config(state.region).index(to) > state.current_index:
            why = _publicity_problem(s, state, on)
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
            why = _publicity_problem(s, state, on)
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


def get_decision(session: Session, app_id: str) -> DecisionView | None:
    row = _app_row(session, app_id)
    return _decision_view(config(row.region), _decision_row(session, app_id))


# ------------------------------------------------------------------ obligations

@dataclass
class _Instance:
    spec: ObligationSpec | None
    kind: str
    name: str
    period: int | None
    period_label: str
    opens: date
    due: date
    clause: str
    configured_by: str
    office_configured: tuple
    reading: str
    results: tuple = ()
    failing: tuple = ()


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
        out.append(_Instance(spec, spec.id, spec.name, year, label, max(opens, start), due, spec.clause,
                             spec.configured_by, spec.office_configured, spec.reading, spec.results, spec.failing))
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
                out.append(_Instance(spec, spec.id, spec.name, spec.year, f"第 {spec.year} 年（{due.year} 年）", opens,
                                     due, spec.clause, spec.configured_by, spec.office_configured, spec.reading,
                                     spec.results, spec.failing))
        else:  # on_event: one per recorded event
            for r in records:
                if r.kind == spec.event:
                    topic = spec.topics.get(r.topic or "", r.topic or "")
                    due = month_day(r.on.year, spec.due)
                    out.append(_Instance(spec, spec.id, f"{spec.name}（{topic}）" if topic else spec.name, r.id,
                                         f"{r.on} {spec.event_name or '事件'}", r.on, due, spec.clause,
                                         spec.configured_by, spec.office_configured, spec.reading))
    for spec in cfg.rectify_specs:  # a failing result with on_fail = rectify opens a rectification
        for r in records:
            if r.kind == spec.id and r.result in spec.failing:
                due = r.on + timedelta(days=spec.rectify_days)
                out.append(_Instance(None, RECTIFICATION, f"限期整改（{spec.name}{RESULTS[r.result]}）", r.id,
                                     f"{r.on} 告诫", r.on, due, spec.clause, "office", ("rectify_days",),
                                     f"{spec.name}{RESULTS[r.result]}的，给予告诫、限期整改；整改期限 {spec.rectify_days} 天"
                                     "为本单位配置", ("pass", "fail"), ("fail",)))
    out.sort(key=lambda i: (i.due, i.kind, i.period or 0))
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
        rec = by_key.get((inst.kind, inst.period))
        if end is not None and inst.due > end and rec is None:
            continue  # nothing falls due after the alliance ended, except what was already answered
        st = _status(inst, rec, on, within)
        obligations.append(Obligation(app_id, name, cfg.region, inst.kind, inst.name, inst.period, inst.period_label,
                                      inst.opens, inst.due, st, rec, inst.clause, inst.configured_by,
                                      inst.office_configured, inst.reading, (inst.due - on).days))

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


def alliance_status(session: Session, app_id: str, on: date, within: int = DEFAULT_WITHIN_DAYS) -> AllianceStatus:
    """One alliance as of `on`: decision, state, validity, every obligation with its status, alerts."""
    row = _app_row(session, app_id)
    cfg = config(row.region)
    return _compute(cfg, row.id, row.name, _decision_view(cfg, _decision_row(session, app_id)),
                    _records(session, app_id), on, within)


def all_statuses(session: Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> list[AllianceStatus]:
    """Every application with a positive decision, as of `on` (three queries in all)."""
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


def due_obligations(session: Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> list[Obligation]:
    """Every obligation of a current alliance that is overdue on `on` or due within `within` days."""
    out = [o for a in all_statuses(session, on, within) if not a.ended
           for o in a.obligations if o.status in ("due", "overdue")]
    out.sort(key=lambda o: (o.due, o.alliance, o.kind))
    return out


def dashboard(session: Session, on: date, within: int = DEFAULT_WITHIN_DAYS) -> Dashboard:
    """The four groups of the lifecycle dashboard as of `on`."""
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


__all__ = [
    "OUTCOMES", "RESULTS", "STATUS_LABELS", "STATE_LABELS", "LifecycleError", "StageInfo", "ObligationSpec",
    "Config", "config", "all_configs", "stages", "ProcedureState", "TransitionView", "DecisionView",
    "RecordView", "Obligation", "Alert", "AllianceStatus", "Dashboard", "RecordOutcome", "procedure",
    "transition_problems", "move_stage", "decide", "get_decision", "alliance_status", "all_statuses",
    "due_obligations", "dashboard", "record", "delete_record", "add_years", "month_day", "parse_date",
    "normalise_outcome", "normalise_result", "scoring_leaves",
]
