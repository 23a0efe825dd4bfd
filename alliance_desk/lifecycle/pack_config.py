"""The lifecycle part of a region pack, read and validated: `[[stages]]`, `[lifecycle]` (outcomes,
`revoke_when`), `[validity]`, `[[obligations]]` and `[publicity]` become one frozen Config per region
(cached per pack file); a malformed pack raises PackError naming the file."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from alliance_desk.lifecycle.vocabulary import (OUTCOMES, POSITIVE, RECTIFICATION, REJECTED_BY_SCHEME, RESULTS,
                                                REVOCATION, SCHEDULES, month_day)
from alliance_desk.rules.packs import Pack, PackError, all_packs, get_pack


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
