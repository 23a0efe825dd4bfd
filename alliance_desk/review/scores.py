"""Score records: applying a batch of scores from a sheet, a signed file or the app in one
transaction (digests, supersession, audit), recording and deleting a single score, and the office key
fingerprint review packages carry.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Iterable, Mapping

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from alliance_desk.exchange import adpkg as pkgmod
from alliance_desk.review import scoring
from alliance_desk.store import audit
from db import models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import ReviewError, SOURCE_LABELS, _clean, _now
from alliance_desk.review.rounds import _round, _round_app_names, _template
from alliance_desk.review.conflicts_of_interest import _declare, _sync_conflicts


# ------------------------------------------------------------------ scores in

@dataclass
class ScoreEntry:
    application_id: str
    points: dict[str, float]
    comment: str | None = None
    item_comments: dict[str, str] = field(default_factory=dict)
    suggested: dict[str, float] = field(default_factory=dict)


@dataclass
class ImportResult:
    round_id: str
    expert_id: str
    expert_name: str
    source: str
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    declared: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)   # rows left blank

    def summary(self) -> str:
        text = (f"已导入{self.expert_name}的{SOURCE_LABELS.get(self.source, self.source)}：新增 {len(self.created)} 份，"
                f"更新 {len(self.updated)} 份，未变 {len(self.unchanged)} 份")
        if self.declared:
            text += f"，声明回避 {len(self.declared)} 份"
        if self.skipped:
            text += f"，未评分 {len(self.skipped)} 份"
        return text

    def as_dict(self) -> dict:
        return {"round": self.round_id, "expert": self.expert_id, "expert_name": self.expert_name,
                "source": self.source, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "declared": self.declared, "skipped": self.skipped}


def _digest(entry: ScoreEntry) -> str:
    body = {"points": {k: round(v, 6) for k, v in sorted(entry.points.items())},
            "comment": (entry.comment or "").strip(),
            "item_comments": {k: v.strip() for k, v in sorted(entry.item_comments.items()) if v and v.strip()}}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode()).hexdigest()


def apply_scores(db: Database | Session, round_id: str, expert_id: str, entries: Iterable[ScoreEntry], source: str,
                 source_name: str | None = None, declared: Iterable[tuple[str, str]] = (),
                 submitted_at: datetime | None = None, label: str = "") -> ImportResult:
    """Write one expert's scores, after checking every entry; raises ReviewError (nothing written) on any
    problem. Given an open Session it joins the caller's transaction. Re-importing identical content
    changes nothing."""
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        tpl = _template(rnd)
        expert = s.get(r.ReviewExpert, expert_id)
        if expert is None or s.get(r.ReviewRoundExpert, (round_id, expert_id)) is None:
            raise ReviewError(f"{label}专家 {expert_id} 不是评审轮次「{rnd.name}」的专家")
        pairs = _sync_conflicts(s, rnd)
        declared = list(declared)
        entries = list(entries)
        names = _round_app_names(s, round_id, [e.application_id for e in entries] + [a for a, _ in declared])
        declared_apps = {a for a, _ in declared}
        mine = set(s.scalars(select(r.ReviewAssignment.application_id).where(
            r.ReviewAssignment.round_id == round_id, r.ReviewAssignment.expert_id == expert_id)))
        problems = []
        seen = set()
        for e in entries:
            nm = names.get(e.application_id)
            if nm is None:
                problems.append(f"{label}申报 {e.application_id} 不在评审轮次「{rnd.name}」中")
                continue
            if e.application_id in seen:
                problems.append(f"{label}申报「{nm}」重复出现")
            seen.add(e.application_id)
            if (e.application_id, expert_id) in pairs and e.application_id not in declared_apps:
                reasons = "；".join(c.reason for c in pairs[(e.application_id, expert_id)])
                problems.append(f"{label}{expert.name}与申报「{nm}」存在回避关系（{reasons}），评分不予接受")
            elif e.application_id not in mine:
                problems.append(f"{label}申报「{nm}」未分配给{expert.name}")
            if e.application_id in declared_apps:
                problems.append(f"{label}申报「{nm}」既声明回避又有评分")
            unknown = set(e.points) - {i.key for i in tpl.leaves}
            if unknown:
                problems.append(f"{label}申报「{nm}」：模板中没有指标 {', '.join(sorted(unknown))}")
            clean, errs = scoring.validate(tpl, e.points, e.item_comments, e.comment or "",
                                           "item" if e.item_comments else "overall")
            for p in errs:
                problems.append(f"{label}申报「{nm}」：{p.message}")
            e.points = clean
        for a, _why in declared:
            if a not in names:
                problems.append(f"{label}声明回避的申报 {a} 不在本评审轮次中")
        if problems:
            raise ReviewError(problems)

        result = ImportResult(round_id, expert_id, expert.name, source)
        now = _now()
        trail = []  # audit rows, written at once at the end (same order as the changes)
        for a, why in declared:
            _declare(s, round_id, a, expert_id, why, expert.name)
            result.declared.append(a)
            trail.append((None, "declare_conflict", "review_score", f"{round_id}/{a}/{expert_id}", None,
                          {"round": round_id, "expert": expert_id, "expert_name": expert.name, "reason": why,
                           "source": source, "source_name": source_name}, a))
        # one read of the expert's scores, one insert of the new ones and one of all items: not a round
        # of statements per score (the ORM inserts rows with server-made ids one at a time)
        S, I = r.ReviewScore.__table__, r.ReviewScoreItem.__table__
        existing = {row.application_id: row for row in s.scalars(select(r.ReviewScore).where(
            r.ReviewScore.round_id == round_id, r.ReviewScore.expert_id == expert_id))}
        changed, replaced, new_rows = [], [], []
        for e in entries:
            digest = _digest(e)
            row = existing.get(e.application_id)
            if row is not None and row.digest == digest:
                result.unchanged.append(e.application_id)
                continue
            values = {"total": scoring.total_of(e.points), "comment": _clean(e.comment), "source": source,
                      "source_name": source_name, "digest": digest, "submitted_at": submitted_at, "imported_at": now}
            if row is None:
                old = None
                new_rows.append({"round_id": round_id, "application_id": e.application_id, "expert_id": expert_id,
                                 **values})
                result.created.append(e.application_id)
            else:
                old = {"total": row.total, "comment": row.comment, "source": row.source, "source_name": row.source_name}
                for k, v in values.items():
                    setattr(row, k, v)
                replaced.append(row.id)
                result.updated.append(e.application_id)
            changed.append(e)
            trail.append((None, "score", "review_score", f"{round_id}/{e.application_id}/{expert_id}", old,
                          {"round": round_id, "expert": expert_id, "expert_name": expert.name, "points": e.points,
                           "total": values["total"], "comment": values["comment"], "item_comments": e.item_comments,
                           "source": source, "source_name": source_name}, e.application_id))
        if replaced:
            s.execute(delete(I).where(I.c.score_id.in_(replaced)))
        if new_rows:
            s.execute(insert(S), new_rows)
        if changed:
            s.flush()
            ids = dict(s.execute(select(S.c.application_id, S.c.id).where(S.c.round_id == round_id,
                                                                          S.c.expert_id == expert_id)).all())
            s.execute(insert(I), [
                {"score_id": ids[e.application_id], "item_key": it.key, "points": float(e.points[it.key]),
                 "comment": _clean(e.item_comments.get(it.key)), "suggested": e.suggested.get(it.key)}
                for e in changed for it in tpl.leaves])
        audit.record_many(s, trail)
        return result


def record_score(db: Database, round_id: str, app_id: str, expert_id: str, points: Mapping[str, Any],
                 comment: str = "", item_comments: Mapping[str, str] | None = None) -> ImportResult:
    """Type in one expert's score (e.g. from a paper sheet). Same checks as every import."""
    with unit_of_work(db, write=True) as s:
        tpl = _template(_round(s, round_id))
        clean, errs = scoring.validate(tpl, points, item_comments, comment,
                                       "item" if item_comments else "overall")
        if errs:
            raise ReviewError([p.message for p in errs])
        return apply_scores(s, round_id, expert_id, [ScoreEntry(app_id, clean, comment, dict(item_comments or {}))],
                            "app")


def delete_score(db: Database, round_id: str, app_id: str, expert_id: str) -> None:
    with unit_of_work(db, write=True) as s:
        old = s.scalar(select(r.ReviewScore).where(r.ReviewScore.round_id == round_id,
                                                   r.ReviewScore.application_id == app_id,
                                                   r.ReviewScore.expert_id == expert_id))
        if old is not None:
            audit.record(s, None, "delete_score", "review_score", f"{round_id}/{app_id}/{expert_id}",
                         {"total": old.total, "comment": old.comment, "source": old.source}, None,
                         application_id=app_id)
        s.execute(delete(r.ReviewScore).where(r.ReviewScore.round_id == round_id,
                                              r.ReviewScore.application_id == app_id,
                                              r.ReviewScore.expert_id == expert_id))


# ------------------------------------------------------------------ review package out, score file back

def _office_key(s: Session) -> tuple[str, str]:
    row = s.get(r.ReviewKey, "office")
    if row is None:
        priv, pub = pkgmod.new_key()
        row = r.ReviewKey(id="office", private_key=priv, public_key=pub, created_at=_now())
        s.add(row)
        s.flush()
    return row.private_key, row.public_key


def office_fingerprint(db: Database) -> str:
    with unit_of_work(db, write=True) as s:
        return pkgmod.fingerprint(_office_key(s)[1])
