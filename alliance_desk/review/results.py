"""Where a round stands: `ScoreProgress` counts the scores received against those expected (per expert
too), and `summary` aggregates every application's totals and ranks them by the round's method.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from alliance_desk.review import scoring
from db import models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import AppRef, ExpertInfo, ReviewError, RoundInfo
from alliance_desk.review.rounds import _round, _round_info
from alliance_desk.review.assignment import Grid, assignment_grid


# ------------------------------------------------------------------ progress, summary

@dataclass
class ScoreProgress:
    """Scores received against scores expected in a round (not a background task's progress)."""

    expected: int
    received: int
    per_expert: dict[str, tuple[int, int]]   # expert -> (received, expected)

    @property
    def text(self) -> str:
        return f"已收到 {self.received}/{self.expected} 份评分"


def progress(db: Database, round_id: str, grid: Grid | None = None) -> ScoreProgress:
    """Scores received against scores expected (assigned pairs not blocked by a conflict)."""
    grid = grid or assignment_grid(db, round_id)
    per = {}
    for x in grid.round.experts:
        cells = [grid.cell(a.id, x.expert.id) for a in grid.round.applications]
        exp = sum(1 for c in cells if c.state in ("assigned", "scored"))
        got = sum(1 for c in cells if c.state == "scored")
        if exp:
            per[x.expert.id] = (got, exp)
    return ScoreProgress(sum(e for _, e in per.values()), sum(g for g, _ in per.values()), per)


@dataclass
class ScoreDetail:
    total: float
    items: dict[str, float]
    comment: str | None
    source: str


@dataclass
class Summary:
    round: RoundInfo
    method: str
    aggregates: list[scoring.Aggregate]          # sorted by rank
    experts: list[ExpertInfo]                    # experts with at least one score, in round order
    scores: dict[tuple[str, str], ScoreDetail]   # (application, expert)

    def app(self, app_id: str) -> AppRef:
        return self.round.app(app_id)

    def as_dict(self) -> dict:
        tpl = self.round.template
        rnd = self.round

        def n(x):
            return None if x is None else round(x, 4)

        apps = []
        for a in self.aggregates:
            ref = self.app(a.application)
            apps.append({
                "id": a.application, "name": ref.name, "lead": ref.lead, "rank": a.rank, "value": n(a.value),
                "n": a.n, "mean": n(a.mean), "trimmed": n(a.trimmed), "median": n(a.median),
                "zscore": n(a.zscore), "range": n(a.range), "sd": n(a.sd), "flagged": a.flagged,
                "flag_reasons": a.flag_reasons, "trimmed_is_plain_mean": a.trim_fallback, "note": a.trim_note,
                "scores": [{"expert": e.id, "expert_name": e.name, "total": n(self.scores[(a.application, e.id)].total)}
                           for e in self.experts if (a.application, e.id) in self.scores],
                "criteria": {c.id: n(a.criterion_means.get(c.id)) for c in tpl.criteria if a.criterion_means},
                "items": {k: n(v) for k, v in a.item_means.items()},
            })
        return {"round": rnd.id, "name": rnd.name, "region": rnd.region, "call": rnd.call_id,
                "template": tpl.id, "template_label": tpl.label, "official": tpl.official,
                "method": self.method, "method_label": scoring.METHOD_LABELS[self.method],
                "threshold_range": rnd.threshold_range, "threshold_sd": rnd.threshold_sd,
                "applications": apps}


def summary(db: Database, round_id: str, method: str | None = None) -> Summary:
    """Per-application aggregate of the round's scores by `method` (default: the round's), with
    per-criterion averages, disagreement flags and rank."""
    with unit_of_work(db) as s:
        rnd = _round(s, round_id)
        info = _round_info(s, rnd)
        method = method or rnd.method
        if method not in scoring.METHODS:
            raise ReviewError(f"未知的汇总方法「{method}」（可用：{', '.join(scoring.METHODS)}）")
        # plain rows, not ORM objects: a big round has 5,000 scores and 85,000 items
        S, I = r.ReviewScore.__table__, r.ReviewScoreItem.__table__
        rows = s.execute(select(S.c.id, S.c.application_id, S.c.expert_id, S.c.total, S.c.comment, S.c.source)
                         .where(S.c.round_id == round_id).order_by(S.c.id)).all()
        items: dict[int, dict[str, float]] = {}
        for sid, key, points in s.execute(select(I.c.score_id, I.c.item_key, I.c.points)
                                          .join(S, S.c.id == I.c.score_id).where(S.c.round_id == round_id)
                                          .order_by(I.c.id)):
            got = items.get(sid)
            if got is None:
                got = items[sid] = {}
            got[key] = points
    details = {(a, e): ScoreDetail(total, items.get(sid, {}), comment, source)
               for sid, a, e, total, comment, source in rows}
    records = [scoring.ScoreRecord(a, e, d.total, d.items) for (a, e), d in details.items()]
    aggs = scoring.aggregate(records, method, rnd.threshold_range, rnd.threshold_sd, info.template,
                             [a.id for a in info.applications])
    scored_experts = {e for _, e in details}
    experts = [x.expert for x in info.experts if x.expert.id in scored_experts]
    return Summary(info, method, aggs, experts, details)
