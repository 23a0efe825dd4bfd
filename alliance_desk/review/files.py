"""Exchange files of a review: the review package sent to an expert, the expert's drafts and the
signed score file sent back, and importing a score file or an Excel score sheet.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from alliance_desk.exchange import adpkg as pkgmod
from alliance_desk.review import scoring
from alliance_desk.rules.packs import get_pack
from alliance_desk.store import audit, trust
from db import models_review as r
from db.session import Database, unit_of_work
from alliance_desk.review.common import REVIEW_FORMAT, ReviewError, SCORES_FORMAT, _now
from alliance_desk.review.rounds import _round, _round_app_names, _template
from alliance_desk.review.conflicts_of_interest import _app_doc, _sync_conflicts
from alliance_desk.review.assignment import _assigned_apps
from alliance_desk.review.scores import ImportResult, ScoreEntry, _office_key, apply_scores


def _dt(value: datetime | None) -> str | None:
    return value.isoformat(timespec="minutes") if value else None


def export_review_package(db: Database, round_id: str, expert_id: str, path: str | Path,
                          sender: str | None = None) -> Path:
    """The review package (.adpkg, kind "review") for one expert: the round, its template, the
    applications assigned to that expert (and only those), objective suggestions, and the key the
    expert's score file will be signed with. Signed with the office key."""
    path = Path(path)
    with unit_of_work(db, write=True) as s:
        rnd = _round(s, round_id)
        rx = s.get(r.ReviewRoundExpert, (round_id, expert_id))
        if rx is None:
            raise ReviewError(f"专家 {expert_id} 不是评审轮次「{rnd.name}」的专家")
        expert = s.get(r.ReviewExpert, expert_id)
        pairs = _sync_conflicts(s, rnd)
        apps = _assigned_apps(s, round_id, expert_id, pairs)
        if not apps:
            raise ReviewError(f"{expert.name}在评审轮次「{rnd.name}」中没有分配的申报")
        tpl = _template(rnd)
        if rx.private_key is None:
            rx.private_key, rx.public_key = pkgmod.new_key()
        pack = get_pack(rnd.region)
        entries: dict[str, bytes] = {}
        listed = []
        for a in apps:
            doc = _app_doc(s, a.id)
            name = f"applications/{a.id}.json"
            entries[name] = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
            sugg = {k: {"points": v.points, "share": v.share, "numerator": v.numerator,
                        "denominator": v.denominator, "text": v.text}
                    for k, v in scoring.suggestions(tpl, doc).items()}
            listed.append({"id": a.id, "name": a.name, "county": a.county, "lead": a.lead, "file": name,
                           "suggestions": sugg})
        review = {"format": REVIEW_FORMAT,
                  "round": {"id": rnd.id, "name": rnd.name, "region": rnd.region, "region_name": pack.region_name,
                            "authority": pack.authority, "call": rnd.call_id, "deadline": _dt(rnd.deadline)},
                  "template": tpl.to_dict(),
                  "expert": {"id": expert.id, "name": expert.name, "unit": expert.unit},
                  "applications": listed}
        entries["review.json"] = json.dumps(review, ensure_ascii=False, indent=2).encode("utf-8")
        entries["expert_key.json"] = json.dumps({"expert": expert.id, "round": rnd.id,
                                                 "private_key": rx.private_key}).encode("utf-8")
        priv, _pub = _office_key(s)
        pkgmod.write_package(path, "review", sender or pack.authority, entries, priv,
                             extra={"round": rnd.id, "expert": expert.id})
        rx.package_issued_at = _now()
    return path


@dataclass
class ReviewPackage:
    """A review package opened in reviewer mode (read-only)."""
    path: Path
    round_id: str
    round_name: str
    region: str
    region_name: str
    authority: str
    deadline: str | None
    template: scoring.Template
    expert_id: str
    expert_name: str
    expert_unit: str
    applications: list[dict]          # {"id", "name", "county", "lead", "doc", "suggestions": {key: dict}}
    private_key: str
    sender: str
    office_fingerprint: str

    def application(self, app_id: str) -> dict:
        return next(a for a in self.applications if a["id"] == app_id)


def open_review_package(path: str | Path) -> ReviewPackage:
    """Verify and open a review package; refuses a tampered or foreign file with the reason."""
    try:
        pkg = pkgmod.read_package(path, kind="review")
        review = pkg.json("review.json")
        key = pkg.json("expert_key.json")
        if review.get("format") != REVIEW_FORMAT:
            raise ReviewError(f"{Path(path).name}：评审包格式 {review.get('format')!r} 不受支持")
        tpl = scoring.template_from_dict(review["template"])
        apps = []
        for a in review["applications"]:
            apps.append({**{k: a.get(k) for k in ("id", "name", "county", "lead")},
                         "doc": pkg.json(a["file"]), "suggestions": a.get("suggestions") or {}})
        rd = review["round"]
        if key.get("round") != rd["id"] or key.get("expert") != review["expert"]["id"]:
            raise ReviewError(f"{Path(path).name}：评审包中的签名密钥不属于本轮次和本专家")
        return ReviewPackage(Path(path), rd["id"], rd["name"], rd["region"], rd.get("region_name", ""),
                             rd.get("authority", ""), rd.get("deadline"), tpl, review["expert"]["id"],
                             review["expert"]["name"], review["expert"].get("unit", ""), apps, key["private_key"],
                             pkg.sender, pkg.fingerprint)
    except pkgmod.PackageError as exc:
        raise ReviewError(exc.problems) from None
    except (KeyError, TypeError, AttributeError, ValueError, scoring.ScoringError) as exc:
        raise ReviewError(f"{Path(path).name}：评审包内容不完整（{exc}）") from None


@dataclass
class Draft:
    """What the expert typed for one application (raw text is kept until it is valid)."""
    points: dict[str, str] = field(default_factory=dict)
    comments: dict[str, str] = field(default_factory=dict)
    comment: str = ""
    conflict: str | None = None        # a declared conflict's reason

    def as_dict(self) -> dict:
        return {"points": self.points, "comments": self.comments, "comment": self.comment,
                "conflict": self.conflict}

    @classmethod
    def from_dict(cls, d: Mapping | None) -> "Draft":
        d = d or {}
        return cls({k: str(v) for k, v in (d.get("points") or {}).items()}, dict(d.get("comments") or {}),
                   d.get("comment") or "", d.get("conflict"))


def load_drafts(db: Database, pkg: ReviewPackage) -> dict[str, Draft]:
    """The expert's drafts; an application not touched yet starts with the objective items pre-filled
    with their suggested scores (a low one carries the computed share as its comment)."""
    with unit_of_work(db) as s:
        rows = s.scalars(select(r.ReviewDraft).where(r.ReviewDraft.round_id == pkg.round_id,
                                                     r.ReviewDraft.expert_id == pkg.expert_id))
        found = {row.application_id: Draft.from_dict(row.payload) for row in rows}
    return {a["id"]: found.get(a["id"]) or _suggested_draft(pkg, a) for a in pkg.applications}


def _suggested_draft(pkg: ReviewPackage, app: Mapping) -> Draft:
    d = Draft()
    for key, sug in (app.get("suggestions") or {}).items():
        d.points[key] = scoring.fmt(sug["points"])
        if sug["points"] < pkg.template.leaf(key).comment_below:
            d.comments[key] = f"系统建议：{sug['text']}"
    return d


def save_draft(db: Database, pkg: ReviewPackage, app_id: str, draft: Draft) -> None:
    if app_id not in {a["id"] for a in pkg.applications}:
        raise ReviewError(f"申报 {app_id} 不在这个评审包中")
    with unit_of_work(db, write=True) as s:
        row = s.scalar(select(r.ReviewDraft).where(r.ReviewDraft.round_id == pkg.round_id,
                                                   r.ReviewDraft.expert_id == pkg.expert_id,
                                                   r.ReviewDraft.application_id == app_id))
        if row is None:
            row = r.ReviewDraft(round_id=pkg.round_id, expert_id=pkg.expert_id, application_id=app_id)
            s.add(row)
        row.payload = draft.as_dict()
        row.updated_at = _now()


def draft_problems(pkg: ReviewPackage, app: Mapping, draft: Draft) -> list[scoring.Problem]:
    if draft.conflict is not None:
        return [] if draft.conflict.strip() else [scoring.Problem(None, "conflict", "请填写回避原因")]
    return scoring.validate(pkg.template, draft.points, draft.comments, draft.comment, "item")[1]


def export_score_file(db: Database, pkg: ReviewPackage, path: str | Path) -> Path:
    """Check every assigned application is scored (or declared a conflict) and write the score file
    (.adpkg, kind "scores") signed with the key of the review package."""
    drafts = load_drafts(db, pkg)
    problems, scores, declared, gaps = [], [], [], []
    for a in pkg.applications:
        d = drafts[a["id"]]
        errs = draft_problems(pkg, a, d)
        problems += [f"「{a['name']}」：{p.message}" for p in errs]
        gaps += [(a["id"], p) for p in errs]
        if errs:
            continue
        if d.conflict is not None:
            declared.append({"application": a["id"], "reason": d.conflict.strip()})
        else:
            clean, _ = scoring.validate(pkg.template, d.points, d.comments, d.comment, "item")
            sugg = {k: v["points"] for k, v in a["suggestions"].items()}
            scores.append({"application": a["id"], "points": clean,
                           "comments": {k: v.strip() for k, v in d.comments.items() if v and v.strip()},
                           "comment": d.comment.strip(), "suggested": sugg})
    if problems:
        raise ReviewError(problems, gaps)
    with unit_of_work(db, write=True) as s:  # later submissions rank above earlier ones (trust.is_older)
        sequence = trust.next_sequence(s, trust.scope_of("scores", pkg.round_id, pkg.expert_id))
    payload = {"format": SCORES_FORMAT, "round": pkg.round_id, "expert": pkg.expert_id,
               "template": pkg.template.id, "submitted_at": _now().isoformat(), "sequence": sequence,
               "scores": scores, "conflicts": declared}
    path = Path(path)
    pkgmod.write_package(path, "scores", f"{pkg.expert_name}（{pkg.expert_unit}）",
                         {"scores.json": json.dumps(payload, ensure_ascii=False, indent=2).encode("utf-8")},
                         pkg.private_key, extra={"round": pkg.round_id, "expert": pkg.expert_id, "sequence": sequence})
    return path


class OlderScoreFile(ReviewError):
    """The score file is older than scores already taken from the same expert; `undo` says what."""

    def __init__(self, label: str, undo: str):
        self.undo = undo
        super().__init__(f"{label}{undo}。较早的评分文件会覆盖较新的评分，已拒绝；如确需导入，请确认"
                         "（命令行加 --allow-older），此操作会记入审计记录")


def _older_scores(s: Session, rid: str, eid: str, fp: str, rank: trust.Rank, submitted: datetime | None,
                  label: str) -> str:
    """What importing this score file would undo ("" when it is not older than what is stored)."""
    verdict = trust.Verdict()
    trust.check_mark(s, "scores", fp, trust.scope_of(rid, eid), rank, verdict, "该评分文件")
    if submitted is not None:
        sub = submitted.replace(tzinfo=None)
        newer = s.scalars(select(r.ReviewScore).where(r.ReviewScore.round_id == rid, r.ReviewScore.expert_id == eid,
                                                      r.ReviewScore.submitted_at > sub))
        names = _round_app_names(s, rid, [x.application_id for x in newer])
        if names:
            verdict.older.append(f"专家对「{'」「'.join(sorted(names.values()))}」已有 {sub:%Y-%m-%d %H:%M:%S} 之后提交的评分")
    return verdict.older_text()


def import_score_file(db: Database, path: str | Path, round_id: str | None = None,
                      allow_older: bool = False) -> ImportResult:
    """Import a signed score file. Refused (nothing written) when the file is tampered, signed with a
    key the office did not issue to that expert for that round, of another round, invalid, or older
    than scores already taken from that expert (OlderScoreFile, unless `allow_older`)."""
    path = Path(path)
    label = f"{path.name}："
    try:
        pkg = pkgmod.read_package(path, kind="scores")
        payload = pkg.json("scores.json")
    except pkgmod.PackageError as exc:
        raise ReviewError(exc.problems) from None
    if not isinstance(payload, dict) or payload.get("format") != SCORES_FORMAT:
        raise ReviewError(f"{label}评分文件格式不受支持")
    rid, eid = payload.get("round"), payload.get("expert")
    if round_id is not None and rid != round_id:
        raise ReviewError(f"{label}这是另一评审轮次（{rid}）的评分文件，不属于本轮次")
    try:
        submitted = datetime.fromisoformat(payload["submitted_at"]) if payload.get("submitted_at") else None
        sequence = payload.get("sequence")
        if sequence is not None and (type(sequence) is not int or sequence < 1):
            raise ValueError("sequence")
        entries = [ScoreEntry(x["application"], dict(x["points"]), x.get("comment") or "",
                              dict(x.get("comments") or {}),
                              {k: float(v) for k, v in (x.get("suggested") or {}).items()})
                   for x in payload.get("scores") or []]
        declared = [(x["application"], x["reason"]) for x in payload.get("conflicts") or []]
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ReviewError(f"{label}评分文件内容不完整（{exc}）") from None
    with unit_of_work(db, write=True) as s:
        rnd = s.get(r.ReviewRound, rid)
        if rnd is None:
            raise ReviewError(f"{label}评审轮次 {rid} 不在本数据库中（文件来自其他单位或其他评审轮次）")
        rx = s.get(r.ReviewRoundExpert, (rid, eid))
        if rx is None:
            raise ReviewError(f"{label}专家 {eid} 不是评审轮次「{rnd.name}」的专家")
        if rx.public_key is None:
            raise ReviewError(f"{label}本单位未向该专家下发过评审包，无法核对签名")
        if rx.public_key != pkg.public_key:
            raise ReviewError(f"{label}签名密钥与本单位为该专家下发的评审包不符（文件并非由该评审包生成）")
        if payload.get("template") != rnd.template_id:
            raise ReviewError(f"{label}评分模板 {payload.get('template')} 与本轮次的 {rnd.template_id} 不符")
        rank = trust.Rank(sequence, submitted.isoformat() if submitted else None, pkg.file_sha256)
        undone = _older_scores(s, rid, eid, pkg.key_fingerprint, rank, submitted, label)
        if undone and not allow_older:
            raise OlderScoreFile(label, undone)
        result = apply_scores(s, rid, eid, entries, "file", path.name, declared, submitted, label)
        trust.accept_mark(s, "scores", pkg.key_fingerprint, trust.scope_of(rid, eid), rank)
        if undone:
            audit.record(s, None, "older_accepted", "review_score", f"{rid}/{eid}", None,
                         {"file": path.name, "expert_name": result.expert_name, "undone": undone})
        return result


def import_file(db: Database, path: str | Path, round_id: str | None = None,
                allow_older: bool = False) -> ImportResult:
    """A filled Excel score sheet (.xlsx) or a signed score file (.adpkg)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from alliance_desk.review.score_sheets import import_sheet

        return import_sheet(db, path, round_id)
    if suffix == ".adpkg":
        return import_score_file(db, path, round_id, allow_older)
    raise ReviewError(f"{path.name}：只能导入 Excel 评分表（.xlsx）或签名评分文件（.adpkg）")
