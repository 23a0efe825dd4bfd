"""Assigning experts to applications: by hand, or balanced automatically with a max-flow over
the pairs that have no conflict, and the assignment grid the officer's screen shows.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from alliance_desk.store import audit
from db import models as m, models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import AppRef, ConflictInfo, ROLE_PRIMARY, ROLE_RESERVE, ReviewError, RoundInfo, _now
from alliance_desk.review.rounds import _add_round_experts, _round, _round_apps, _round_experts, _round_info
from alliance_desk.review.conflicts_of_interest import _conflict_infos, _sync_conflicts


# ------------------------------------------------------------------ assignment

def assign(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    """Assign one expert to one application by hand. A conflict refuses it and says why (the
    conflict stays recorded)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        if app_id not in {a.id for a in _round_apps(s, round_id)}:
            raise ReviewError(f"申报 {app_id} 不在本评审轮次中")
        if s.get(r.ReviewExpert, expert_id) is None:
            raise ReviewError(f"专家库中没有 id 为 {expert_id} 的专家")
        if s.get(r.ReviewRoundExpert, (round_id, expert_id)) is None:
            _add_round_experts(s, round_id, [expert_id], ROLE_PRIMARY)
        pairs = _sync_conflicts(s, rnd)
    # the conflict rows are committed above, so a refusal leaves them recorded
    with unit_of_work(db, write=True) as s:
        blocking = pairs.get((app_id, expert_id))
        if blocking:
            expert = s.get(r.ReviewExpert, expert_id)
            app_name = s.scalar(select(m.Application.name).where(m.Application.id == app_id))
            raise ReviewError([f"不能分配：{expert.name} 与「{app_name}」存在回避关系：{c.reason}" for c in blocking])
        exists = s.scalar(select(r.ReviewAssignment).where(
            r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.application_id == app_id,
            r.ReviewAssignment.expert_id == expert_id))
        if exists is None:
            rx = s.get(r.ReviewRoundExpert, (round_id, expert_id))
            if rx.role == ROLE_RESERVE:
                rx.role = ROLE_PRIMARY  # a reserve expert who is given work is promoted (递补)
            s.add(r.ReviewAssignment(round_id=round_id, application_id=app_id, expert_id=expert_id,
                                     source="manual", assigned_at=_now()))
            audit.record(s, None, "assign", "review_assignment", f"{round_id}/{app_id}/{expert_id}", None,
                         {"round": round_id, "expert": expert_id, "source": "manual"}, application_id=app_id)


def unassign(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        if s.scalar(select(func.count()).select_from(r.ReviewScore).where(
                r.ReviewScore.round_id == round_id, r.ReviewScore.application_id == app_id,
                r.ReviewScore.expert_id == expert_id)):
            raise ReviewError("该专家已提交这份申报的评分，不能取消分配")
        gone = s.execute(delete(r.ReviewAssignment).where(
            r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.application_id == app_id,
            r.ReviewAssignment.expert_id == expert_id)).rowcount
        if gone:
            audit.record(s, None, "unassign", "review_assignment", f"{round_id}/{app_id}/{expert_id}",
                         {"round": round_id, "expert": expert_id}, None, application_id=app_id)


@dataclass
class AssignResult:
    round_id: str
    per_application: int
    assignments: list[tuple[str, str]]            # (application, expert), all of the round after the run
    added: list[tuple[str, str]]
    refused: list[ConflictInfo]                    # blocked pairs, with reasons
    removed: list[tuple[str, str, str]]            # (application, expert, reason): conflicted, taken off
    shortfalls: list[tuple[str, int, int, str]]    # (application, needed, got, reason)
    loads: dict[str, int]
    names: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        n = self.names
        return {
            "round": self.round_id, "per_application": self.per_application,
            "assignments": [{"application": a, "application_name": n.get(a, ""), "expert": e,
                             "expert_name": n.get(e, ""), "new": (a, e) in set(self.added)}
                            for a, e in self.assignments],
            "refused": [c.as_dict() for c in self.refused],
            "removed": [{"application": a, "expert": e, "reason": why} for a, e, why in self.removed],
            "shortfalls": [{"application": a, "application_name": n.get(a, ""), "needed": k, "assigned": got,
                            "reason": why} for a, k, got, why in self.shortfalls],
            "loads": {e: {"expert_name": n.get(e, ""), "count": c} for e, c in self.loads.items()},
        }


def _max_flow(n_nodes: int, edges: list[tuple[int, int, int]], s: int, t: int) -> tuple[int, dict]:
    """Dinic's algorithm: levels by BFS, then as many augmenting paths along them as fit, found by a
    DFS that keeps its place in every node's edge list. A few dozen BFS passes even for 1,000
    applications × 50 experts (one per augmenting path, Edmonds–Karp took 15 s there).
    Returns (flow, {(u, v): flow on that edge})."""
    from collections import deque

    cap: dict[tuple[int, int], int] = {}
    adj: list[list[int]] = [[] for _ in range(n_nodes)]
    for u, v, c in edges:
        if (u, v) not in cap and (v, u) not in cap:
            adj[u].append(v)
            adj[v].append(u)
        cap[(u, v)] = cap.get((u, v), 0) + c
        cap.setdefault((v, u), 0)
    flow_on: dict[tuple[int, int], int] = {}
    total = 0
    while True:
        level = [-1] * n_nodes
        level[s] = 0
        q = deque([s])
        while q:
            u = q.popleft()
            for v in adj[u]:
                if level[v] < 0 and cap[(u, v)] > 0:
                    level[v] = level[u] + 1
                    q.append(v)
        if level[t] < 0:
            return total, flow_on
        nxt = [0] * n_nodes  # each node's place in its edge list for this phase
        while True:
            path = [s]
            while path and path[-1] != t:
                u = path[-1]
                edges_u, i = adj[u], nxt[u]
                while i < len(edges_u):
                    v = edges_u[i]
                    if level[v] == level[u] + 1 and cap[(u, v)] > 0:
                        break
                    i += 1
                nxt[u] = i
                if i < len(edges_u):
                    path.append(edges_u[i])
                else:  # a dead end: never try it again in this phase
                    path.pop()
                    if path:
                        nxt[path[-1]] += 1
            if not path:
                break
            hops = list(zip(path, path[1:]))
            bottleneck = min(cap[h] for h in hops)
            for u, v in hops:
                cap[(u, v)] -= bottleneck
                cap[(v, u)] += bottleneck
                flow_on[(u, v)] = flow_on.get((u, v), 0) + bottleneck
                flow_on[(v, u)] = flow_on.get((v, u), 0) - bottleneck
            total += bottleneck


def balanced_assignment(apps: list[str], experts: list[str], k: int, blocked: set[tuple[str, str]],
                        existing: set[tuple[str, str]] = frozenset()) -> tuple[set[tuple[str, str]], dict[str, int]]:
    """Add pairs so every application has up to `k` experts, never a blocked pair, with expert loads
    (existing pairs included) as even as possible: they differ by at most one whenever the existing
    pairs and the conflicts allow it. Returns (new pairs, shortfall per application)."""
    if not experts:
        return set(), {a: k - sum(1 for e in experts if (a, e) in existing) for a in apps}
    ai = {a: 1 + i for i, a in enumerate(apps)}
    ei = {e: 1 + len(apps) + i for i, e in enumerate(experts)}
    src, extra, sink = 0, 1 + len(apps) + len(experts), 2 + len(apps) + len(experts)
    n = sink + 1
    have = {a: sum(1 for e in experts if (a, e) in existing) for a in apps}
    load0 = {e: sum(1 for a in apps if (a, e) in existing) for e in experts}
    demand = {a: max(0, k - have[a]) for a in apps}
    base = [(src, ai[a], demand[a]) for a in apps if demand[a]]
    base += [(ai[a], ei[e], 1) for a in apps for e in experts if (a, e) not in blocked and (a, e) not in existing]

    def run(caps: dict[str, int], extra_cap: int = 0):
        edges = list(base)
        edges += [(ei[e], sink, caps[e]) for e in experts if caps[e] > 0]
        if extra_cap:
            edges += [(ei[e], extra, 1) for e in experts]
            edges.append((extra, sink, extra_cap))
        return _max_flow(n, edges, src, sink)

    big = len(apps) + 1
    best, flow = run({e: big for e in experts})
    chosen = flow
    total_final = sum(load0.values()) + best
    lo, rem = divmod(total_final, len(experts))
    strict_caps = {e: lo - load0[e] for e in experts}
    done = False
    if all(c >= 0 for c in strict_caps.values()):
        got, f = run(strict_caps, rem)
        if got == best:
            chosen, done = f, True
    if not done:
        level = -(-total_final // len(experts))
        while level <= big:
            got, f = run({e: max(0, level - load0[e]) for e in experts})
            if got == best:
                chosen = f
                break
            level += 1
    pairs = {(a, e) for a in apps for e in experts if chosen.get((ai[a], ei[e]), 0) > 0}
    got_per_app = {a: have[a] + sum(1 for e in experts if (a, e) in pairs) for a in apps}
    shortfall = {a: k - got_per_app[a] for a in apps if got_per_app[a] < k}
    return pairs, shortfall


def auto_assign(db: Database, round_id: str, per_application: int | None = None) -> AssignResult:
    """Give every application `per_application` experts (default: the round's), balanced, skipping
    conflicted pairs (listed with reasons). Uses the round's 正式 experts; a round without experts
    takes every active expert of the pool. Existing assignments are kept unless now conflicted."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        k = per_application if per_application is not None else rnd.per_application
        if k < 1:
            raise ReviewError("每份申报的评审专家数应至少为 1")
        rnd.per_application = k
        if not _round_experts(s, round_id):
            pool = [e.id for e in s.scalars(select(r.ReviewExpert).where(r.ReviewExpert.active.is_(True))
                                            .order_by(r.ReviewExpert.created_at, r.ReviewExpert.name,
                                                      r.ReviewExpert.id))]
            if not pool:
                raise ReviewError("专家库中没有专家，请先添加专家")
            _add_round_experts(s, round_id, pool, ROLE_PRIMARY)
        apps = [a.id for a in _round_apps(s, round_id)]
        if not apps:
            raise ReviewError("本评审轮次没有申报")
        experts = [x.expert.id for x in _round_experts(s, round_id) if x.role == ROLE_PRIMARY]
        if not experts:
            raise ReviewError("本评审轮次没有正式评审专家")
        pairs = _sync_conflicts(s, rnd)
        blocked = set(pairs)
        scored = {(a, e) for a, e in s.execute(select(r.ReviewScore.application_id, r.ReviewScore.expert_id)
                                               .where(r.ReviewScore.round_id == round_id))}
        removed = []
        existing: set[tuple[str, str]] = set()
        for row in s.scalars(select(r.ReviewAssignment).where(r.ReviewAssignment.round_id == round_id)):
            pair = (row.application_id, row.expert_id)
            if pair in blocked and pair not in scored:
                removed.append((*pair, "；".join(c.reason for c in pairs[pair])))
                s.delete(row)
            else:
                existing.add(pair)
        new_pairs, shortfall = balanced_assignment(apps, experts, k, blocked,
                                                   {p for p in existing if p[1] in experts})
        now = _now()
        added = [{"round_id": round_id, "application_id": a, "expert_id": e, "source": "auto", "assigned_at": now}
                 for a in apps for e in experts if (a, e) in new_pairs]
        s.flush()  # the deletions above first
        if added:  # one executemany (5,000 rows in a big round), not one INSERT per ORM object
            s.execute(insert(r.ReviewAssignment.__table__), added)
        if added or removed:  # one row for the whole run: which pairs it made and which it undid
            audit.record(s, None, "auto_assign", "review_round", round_id,
                         {"removed": [[a, e, why] for a, e, why in removed]} if removed else None,
                         {"per_application": k, "added": [[x["application_id"], x["expert_id"]] for x in added]})
        in_round = _round_experts(s, round_id)
        in_round_ids = [x.expert.id for x in in_round]
        all_pairs = [(a, e) for a in apps for e in in_round_ids if (a, e) in existing or (a, e) in new_pairs]
        loads = dict.fromkeys(experts + [x for _, x in all_pairs], 0)
        for _, x in all_pairs:
            loads[x] += 1
        names = {a.id: a.name for a in _round_apps(s, round_id)}
        names.update({x.expert.id: x.expert.name for x in in_round})
        shortfalls = []
        for a, missing in shortfall.items():
            free = [e for e in experts if (a, e) not in blocked]
            why = (f"无回避关系的正式专家只有 {len(free)} 位" if len(free) < k else "在保持专家负担均衡的前提下无法凑足")
            shortfalls.append((a, k, k - missing, why))
        refused = _conflict_infos(s, rnd, pairs)
        a_pos, e_pos = {a: i for i, a in enumerate(apps)}, {e: i for i, e in enumerate(experts)}
        return AssignResult(round_id, k, all_pairs, sorted(new_pairs, key=lambda p: (a_pos[p[0]], e_pos[p[1]])),
                            refused, removed, shortfalls, loads, names)


@dataclass(frozen=True)
class Cell:
    state: str            # "free" | "assigned" | "scored" | "conflict" | "conflict_assigned"
    reasons: tuple[str, ...] = ()
    total: float | None = None


@dataclass
class Grid:
    round: RoundInfo
    cells: dict[tuple[str, str], Cell]
    _counted: tuple[dict[str, int], dict[str, int]] | None = field(default=None, init=False, repr=False,
                                                                    compare=False)

    def cell(self, app_id: str, expert_id: str) -> Cell:
        return self.cells.get((app_id, expert_id), Cell("free"))

    def load(self, expert_id: str) -> int:
        return self._tallies()[1].get(expert_id, 0)

    def count(self, app_id: str) -> int:
        return self._tallies()[0].get(app_id, 0)

    def _tallies(self) -> tuple[dict[str, int], dict[str, int]]:
        # counted once: the screen asks for every header on every paint (50,000 cells in a big round)
        if self._counted is None:
            per_app: dict[str, int] = {}
            per_expert: dict[str, int] = {}
            for (a, e), c in self.cells.items():
                if c.state in ("assigned", "scored"):
                    per_app[a] = per_app.get(a, 0) + 1
                    per_expert[e] = per_expert.get(e, 0) + 1
            self._counted = (per_app, per_expert)
        return self._counted


def assignment_grid(db: Database, round_id: str) -> Grid:
    """The application × expert grid: assigned, scored, free or blocked by a conflict (with reasons)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        pairs = _sync_conflicts(s, rnd)
        info = _round_info(s, rnd)
        assigned = {(a, e) for a, e in s.execute(select(r.ReviewAssignment.application_id,
                                                        r.ReviewAssignment.expert_id)
                                                 .where(r.ReviewAssignment.round_id == round_id))}
        totals = {(a, e): t for a, e, t in s.execute(
            select(r.ReviewScore.application_id, r.ReviewScore.expert_id, r.ReviewScore.total)
            .where(r.ReviewScore.round_id == round_id))}
    # most cells are free or plainly assigned: those share one (frozen) Cell each
    free, plain = Cell("free"), Cell("assigned")
    experts = [x.expert.id for x in info.experts]
    cells = {(a.id, e): free for a in info.applications for e in experts}
    for key in assigned:
        if key in cells:
            cells[key] = plain
    for key, rows in pairs.items():
        cells[key] = Cell("conflict_assigned" if key in assigned else "conflict", tuple(c.reason for c in rows))
    for key, total in totals.items():
        if key in cells:
            cells[key] = Cell("scored", tuple(c.reason for c in pairs.get(key, ())), total)
    return Grid(info, cells)


def assignments_of(db: Database, round_id: str, expert_id: str) -> list[AppRef]:
    """The applications an expert is to score (assigned and not blocked by a conflict)."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        pairs = _sync_conflicts(s, rnd)
        return _assigned_apps(s, round_id, expert_id, pairs)


def _assigned_apps(s: Session, round_id: str, expert_id: str, pairs) -> list[AppRef]:
    mine = set(s.scalars(select(r.ReviewAssignment.application_id).where(
        r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.expert_id == expert_id)))
    return [a for a in _round_apps(s, round_id) if a.id in mine and (a.id, expert_id) not in pairs]
