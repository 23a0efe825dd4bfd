"""Random expert draws: a recorded seed orders the candidates by a hash, so anyone can redo and
verify a draw from its record.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select

from alliance_desk.store import audit
from db import models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import ExpertInfo, MAX_SEED, ROLE_PRIMARY, ROLE_RESERVE, ReviewError, _clean, _now
from alliance_desk.review.experts import _expert_info, _field_matches
from alliance_desk.review.rounds import _add_round_experts, _round, _round_experts


# ------------------------------------------------------------------ random draw (专家随机抽取)

@dataclass
class DrawInfo:
    id: int
    round_id: str
    seed: int
    field: str | None
    count: int
    reserves: int
    candidates: list[str]
    selected: list[str]
    by: str | None
    drawn_at: datetime
    experts: dict[str, ExpertInfo]

    @property
    def primary(self) -> list[ExpertInfo]:
        return [self.experts[e] for e in self.selected[:self.count]]

    @property
    def reserve(self) -> list[ExpertInfo]:
        return [self.experts[e] for e in self.selected[self.count:]]


def draw_order(candidates: Iterable[str], seed: int) -> list[str]:
    """The draw's order of candidates: by SHA-256 of "seed:expert id". Anyone can re-run it from the
    recorded seed and candidate list, on any machine and Python version."""
    return sorted(candidates, key=lambda e: hashlib.sha256(f"{seed}:{e}".encode()).hexdigest())


def draw_experts(db: Database, round_id: str, count: int, reserves: int = 0, field: str | None = None,
                 seed: int | None = None, by: str = "") -> DrawInfo:
    """Draw `count` experts and `reserves` reserve experts at random from the active pool (optionally
    only those whose field contains `field`), leaving out experts already in the round. The seed is
    recorded (a fresh random one when not given) so the draw can be reproduced."""
    problems = []
    if count < 1:
        problems.append("抽取人数应至少为 1")
    if reserves < 0:
        problems.append("备选人数不能为负数")
    if seed is not None and not (0 <= seed <= MAX_SEED):
        problems.append(f"随机种子应在 0 到 {MAX_SEED} 之间")
    if problems:
        raise ReviewError(problems)
    if seed is None:
        seed = secrets.randbelow(MAX_SEED) + 1
    field = _clean(field)
    with unit_of_work(db, write=True) as s:
        _round(s, round_id)
        in_round = {x.expert.id for x in _round_experts(s, round_id)}
        pool = [e for e in s.scalars(select(r.ReviewExpert).where(r.ReviewExpert.active.is_(True)))
                if e.id not in in_round and (not field or _field_matches(e.field, field))]
        candidates = sorted(e.id for e in pool)
        need = count + reserves
        if len(candidates) < need:
            where = f"专业领域含「{field}」的" if field else ""
            raise ReviewError(f"专家库中{where}可抽取的专家只有 {len(candidates)} 位，不够抽取 {count} 位正式专家"
                              f"和 {reserves} 位备选专家")
        selected = draw_order(candidates, seed)[:need]
        row = r.ReviewDraw(round_id=round_id, seed=seed, field=field, count=count, reserves=reserves,
                           candidates=candidates, selected=selected, by=_clean(by), drawn_at=_now())
        s.add(row)
        s.flush()
        _add_round_experts(s, round_id, selected[:count], ROLE_PRIMARY, row.id)
        _add_round_experts(s, round_id, selected[count:], ROLE_RESERVE, row.id)
        draw_id = row.id
        audit.record(s, by or None, "draw", "review_round", round_id, None,
                     {"draw": draw_id, "seed": seed, "field": field, "count": count, "reserves": reserves,
                      "candidates": len(candidates), "selected": selected})
    return get_draw(db, draw_id)


def get_draw(db: Database, draw_id: int) -> DrawInfo:
    with unit_of_work(db) as s:
        row = s.get(r.ReviewDraw, draw_id)
        if row is None:
            raise ReviewError(f"没有编号为 {draw_id} 的抽取记录")
        experts = {e.id: _expert_info(e) for e in s.scalars(
            select(r.ReviewExpert).where(r.ReviewExpert.id.in_(row.selected)))}
        return DrawInfo(row.id, row.round_id, row.seed, row.field, row.count, row.reserves, list(row.candidates),
                        list(row.selected), row.by, row.drawn_at, experts)


def draws(db: Database, round_id: str) -> list[DrawInfo]:
    with unit_of_work(db) as s:
        ids = list(s.scalars(select(r.ReviewDraw.id).where(r.ReviewDraw.round_id == round_id)
                             .order_by(r.ReviewDraw.id)))
    return [get_draw(db, i) for i in ids]


def verify_draw(info: DrawInfo) -> bool:
    """True when re-running the recorded seed on the recorded candidates gives the recorded result."""
    return draw_order(info.candidates, info.seed)[:info.count + info.reserves] == info.selected
