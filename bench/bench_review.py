"""Expert review at full size: 5,000 applications, 200 experts, 20,000 scores.

Times what the office waits for in a big review round (Ganzhou: 1,000 applications × 50 experts, 5
per application), each against a bare baseline measured in the same run, runs alternating (bare,
ours, bare, ours …) after a warm-up pair, medians printed, one line per figure:

    round summary (…): X s (ratio R to bare … Y s, target ≤ T×)

- round summary: `review.summary` (aggregation by the round's method, per-criterion means,
  disagreement flags, rank) vs. a bare Core read of the round's score and score-item rows plus a
  plain Python mean per application and per item, sorted;
- assignment grid: `review.assignment_grid` (conflicts re-checked, one cell per application ×
  expert) vs. a bare Core read of the round's applications, experts, assignments, scores and
  conflicts and a plain state per pair;
- auto-assign: `review.auto_assign` of a fresh round with the same applications and experts
  (conflicts detected, balanced max-flow assignment, rows written) vs. a bare Core read of what
  conflict detection reads, a plain round-robin and one Core executemany of the pairs;
- import: `review.import_file` of a signed score file made by the real path (review package →
  reviewer drafts → signed score file), with that expert's 100 scores removed before each run, vs.
  unzip + `json.loads` + one Core executemany per table of the same score and item rows.
The targets (TARGETS) are ours: no requirement sets one for review.

Data: the 5,000-application database of bench_startup.py plus, through alliance_desk.review,
200 experts (50 per round; five of them with a unit, USCC or seat that conflicts with some
applications, one per kind), four rounds (Jinzhong, Gansu, Anshan, Ganzhou: 1,000 applications
each) with balanced automatic assignment of 5 experts per application, and every expert's scores
entered with `review.apply_scores` (one transaction per expert, as every import does): 20,000
scores, values from random.Random(SEED). Cached as bench/.data/review-<key>.sqlite (the key
follows the startup database's sources, the review services, packs and this file; about half a
minute to build); timings run on a copy. The content is reproducible; ids, keys and timestamps
are not. Run: python bench/bench_review.py [--runs 5]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_startup  # noqa: E402
from sqlalchemy import delete, insert, select  # noqa: E402

from alliance_desk import review as rv  # noqa: E402
from alliance_desk import store
from alliance_desk.review import scoring  # noqa: E402
from alliance_desk.rules.packs import get_pack  # noqa: E402
from db import models_review as r  # noqa: E402
from db.session import open_database  # noqa: E402

SEED = 8
REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou")   # one round each, 1,000 applications
EXPERTS_PER_ROUND = 50
PER_APPLICATION = 5
# Ours (no requirement sets review targets): what the bare side leaves out — ranking methods and flags
# (summary); conflicts re-checked and stored (grid); balancing under conflicts, i.e. max-flow runs
# (assignment); signature and entry hashes, per-score validation, conflicts, audit rows (import).
TARGETS = {"summary": 2.0, "grid": 3.0, "assign": 5.0, "import": 4.0}

FIELDS = {"jinzhong": "装备制造", "gansu": "新材料", "anshan": "钢铁冶金", "ganzhou": "稀土材料"}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
GIVEN = "建国立华晓东敏伟军红志强丽娟明辉海波静芳勇杰涛磊超斌鹏飞宇浩凯琳雪梅玉兰秀英文武"
UNITS = ("清华大学", "北京科技大学", "上海交通大学", "浙江大学", "华中科技大学", "中南大学", "东北大学", "西安交通大学",
         "哈尔滨工业大学", "武汉理工大学", "中国钢研科技集团有限公司", "中国科学院金属研究所", "四川大学", "天津大学",
         "重庆大学", "同济大学", "北京理工大学", "西北工业大学", "大连理工大学", "山东大学")
TITLES = ("教授", "研究员", "教授级高级工程师", "高级工程师", "副教授")


def _key() -> str:
    h = hashlib.sha1(bench_startup._key().encode())
    files = sorted((ROOT / "alliance_desk" / "review").rglob("*.py"))
    files += [ROOT / "alliance_desk" / "exchange" / "adpkg.py", ROOT / "alliance_desk" / "store" / "audit.py"]
    files += sorted((ROOT / "alliance_desk" / "rules").rglob("*.py"))
    files += [ROOT / "db" / "models_review.py", Path(__file__).resolve()]
    files += sorted((ROOT / "resources" / "regions").glob("*.toml"))
    for f in files:
        if f.exists():
            h.update(f.name.encode())
            h.update(f.read_bytes())
    return h.hexdigest()[:12]


def _conflicting_experts(db, app_ids: list[str], where: str) -> list[tuple[str, str, str | None]]:
    """Five experts (name, unit, USCC) in conflict with some applications of the round, one per kind:
    a university that is a member of a third of them, one application's lead unit, a member's USCC
    under another unit name, a council member, a department of a member unit."""
    with db.Session() as s:
        docs = [store.get_document(s, a) for a in app_ids[10:41:10]]
    acad = next(mem["name"] for mem in docs[0]["members"] if mem["kind"] != "enterprise")
    chair = docs[2]["organization"]["council"][1]
    return [("陈晓东", acad, None), ("刘建国", docs[0]["members"][0]["name"], None),
            ("王立华", f"{where}产业技术研究院", docs[1]["members"][5]["uscc"]),
            (chair["name"], chair["unit"], None), ("赵敏", docs[3]["members"][7]["name"] + " 研发中心", None)]


def _points(tpl: scoring.Template, total: float, rng: random.Random) -> dict[str, float]:
    share = total / tpl.total
    return {it.key: min(it.max, max(0.0, round(it.max * share * rng.uniform(0.9, 1.1) * 2) / 2)) for it in tpl.leaves}


def _build(path: Path) -> None:
    src = bench_startup.ensure_database()
    tmp = path.with_name(path.name + ".building")
    for f in DATA.glob(tmp.name + "*"):
        f.unlink()
    shutil.copy(src, tmp)
    print(f"(building {path.name}: 200 experts, 4 rounds, 20,000 scores through alliance_desk.review, once — "
          "about half a minute)", flush=True)
    t0 = time.perf_counter()
    rng = random.Random(SEED)
    db = open_database(tmp)
    try:
        n_scores = 0
        used: set[tuple[str, str]] = set()
        for region in REGIONS:
            where = get_pack(region).region_name
            rid = rv.create_round(db, region, None, f"{where}联盟组建专家评审（基准）", per_application=PER_APPLICATION)
            apps = [a.id for a in rv.get_round(db, rid).applications]
            people = _conflicting_experts(db, apps, where)
            while len(people) < EXPERTS_PER_ROUND:
                name = rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                unit = rng.choice(UNITS)
                if (name, unit) not in used and (name, unit) not in {(p[0], p[1]) for p in people}:
                    people.append((name, unit, None))
            experts = []
            for name, unit, code in people:
                used.add((name, unit))
                experts.append(rv.add_expert(db, name, unit, code, FIELDS[region], rng.choice(TITLES),
                                             f"139{rng.randrange(10 ** 8):08d}"))
            rv.add_round_experts(db, rid, experts)
            t = time.perf_counter()
            res = rv.auto_assign(db, rid, PER_APPLICATION)
            t_assign = time.perf_counter() - t
            tpl = rv.get_round(db, rid).template
            quality = {a: rng.gauss(76, 7) for a in apps}
            bias = {e: rng.gauss(0, 4) for e in experts}
            mine: dict[str, list[str]] = {e: [] for e in experts}
            for a, e in res.assignments:
                mine[e].append(a)
            t = time.perf_counter()
            for e in experts:
                entries = []
                for a in mine[e]:
                    total = min(98.0, max(35.0, quality[a] + bias[e] + rng.gauss(0, 5)))
                    entries.append(rv.ScoreEntry(a, _points(tpl, total, rng), "材料基本齐全，组建方案可行。"))
                with db.Session.begin() as s:
                    rv.apply_scores(s, rid, e, entries, "app")
                n_scores += len(entries)
            print(f"  {region}: {len(apps)} applications, {len(experts)} experts, {len(res.assignments)} "
                  f"assigned ({len(res.refused)} pairs refused for conflicts, {len(res.shortfalls)} short); "
                  f"auto_assign {t_assign:.1f} s, scores {time.perf_counter() - t:.1f} s", flush=True)
    finally:
        db.dispose()
    tmp.replace(path)
    for f in DATA.glob(tmp.name + "-*"):
        f.unlink()
    print(f"(built in {time.perf_counter() - t0:.0f} s: {n_scores} scores)", flush=True)


def ensure_database() -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / ".gitignore").exists():
        (DATA / ".gitignore").write_text("*\n", encoding="utf-8")
    path = DATA / f"review-{_key()}.sqlite"
    if not path.exists():
        for old in DATA.glob("review-*.sqlite*"):
            old.unlink()
        _build(path)
    return path


def alternate(bare, ours, runs: int, reset=None) -> tuple[float, float, list, list]:
    """Median seconds of bare and ours, run alternately after one warm-up each; `reset` (untimed)
    before every run puts the database back in the same state."""
    tb, to = [], []
    for i in range(runs + 1):
        for fn, out in ((bare, tb), (ours, to)):
            if reset:
                reset()
            t = time.perf_counter()
            fn()
            if i:  # the first pair warms up
                out.append(time.perf_counter() - t)
    return statistics.median(tb), statistics.median(to), tb, to


def _score_file(db, rid: str, expert_id: str, work: Path) -> Path:
    """The expert's signed score file, made the real way: review package, reviewer drafts (in the
    expert's own database) with the scores stored for that expert, score file."""
    pkg_path = rv.export_review_package(db, rid, expert_id, work / "review.adpkg")
    pkg = rv.open_review_package(pkg_path)
    sm_scores = rv.summary(db, rid).scores
    laptop = open_database(work / "laptop.sqlite")
    try:
        for a in pkg.applications:
            d = sm_scores[(a["id"], expert_id)]
            comments = {k: "材料中相关内容不足" for k, v in d.items.items() if v < pkg.template.leaf(k).comment_below}
            rv.save_draft(laptop, pkg, a["id"], rv.Draft({k: scoring.fmt(v) for k, v in d.items.items()}, comments,
                                                         d.comment or ""))
        return rv.export_score_file(laptop, pkg, work / "scores.adpkg")
    finally:
        laptop.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    cached = ensure_database()
    work = Path(tempfile.mkdtemp(prefix="bench-review-", dir=DATA))
    try:
        path = work / "review.sqlite"
        shutil.copy(cached, path)
        db = open_database(path)
        try:
            return _measure(db, work, args.runs)
        finally:
            db.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _measure(db, work: Path, runs: int) -> int:
    with db.Session() as s:
        counts = (s.query(r.ReviewExpert).count(), s.query(r.ReviewScore).count(),
                  s.query(r.ReviewConflict).count())
    rounds = rv.list_rounds(db)
    print(f"data: {sum(len(x.applications) for x in rounds)} applications in {len(rounds)} rounds, "
          f"{counts[0]} experts, {counts[1]} scores, {counts[2]} conflicts recorded")
    info = next(x for x in rounds if x.region == "ganzhou")
    rid = info.id
    n_apps, n_experts = len(info.applications), len(info.experts)
    S, I = r.ReviewScore.__table__, r.ReviewScoreItem.__table__
    RA, RX = r.ReviewRoundApplication.__table__, r.ReviewRoundExpert.__table__
    AS, C = r.ReviewAssignment.__table__, r.ReviewConflict.__table__
    n_scores = sum(1 for _ in rv.summary(db, rid).scores)

    # ---- summary
    def bare_summary():
        with db.engine.connect() as c:
            rows = c.execute(select(S.c.id, S.c.application_id, S.c.expert_id, S.c.total)
                             .where(S.c.round_id == rid)).all()
            items = c.execute(select(I.c.score_id, I.c.item_key, I.c.points)
                              .join(S, S.c.id == I.c.score_id).where(S.c.round_id == rid)).all()
        totals: dict[str, list[float]] = {}
        app_of = {}
        for sid, a, _e, t in rows:
            totals.setdefault(a, []).append(t)
            app_of[sid] = a
        means = {a: sum(v) / len(v) for a, v in totals.items()}
        per_item: dict[tuple[str, str], list[float]] = {}
        for sid, k, p in items:
            per_item.setdefault((app_of[sid], k), []).append(p)
        item_means = {k: sum(v) / len(v) for k, v in per_item.items()}
        return sorted(means, key=means.__getitem__, reverse=True), item_means

    def ours_summary():
        sm = rv.summary(db, rid)
        assert len(sm.aggregates) == n_apps

    b, o, tb, to = alternate(bare_summary, ours_summary, runs)
    print(f"round summary ({n_apps} applications, {n_scores} scores): {o:.3f} s (ratio {o / b:.2f} to bare Core "
          f"read + plain mean {b:.3f} s, target ≤ {TARGETS['summary']}×)")
    print(f"  runs (s): bare {[round(x, 3) for x in tb]}, ours {[round(x, 3) for x in to]}")

    # ---- grid
    def bare_grid():
        with db.engine.connect() as c:
            apps = c.execute(select(RA.c.application_id).where(RA.c.round_id == rid)
                             .order_by(RA.c.position)).scalars().all()
            experts = c.execute(select(RX.c.expert_id).where(RX.c.round_id == rid)
                                .order_by(RX.c.role, RX.c.position)).scalars().all()
            assigned = set(c.execute(select(AS.c.application_id, AS.c.expert_id).where(AS.c.round_id == rid)).all())
            totals = {(a, e): t for a, e, t in c.execute(select(S.c.application_id, S.c.expert_id, S.c.total)
                                                        .where(S.c.round_id == rid))}
            conf: dict[tuple[str, str], list[str]] = {}
            for a, e, why in c.execute(select(C.c.application_id, C.c.expert_id, C.c.reason)
                                       .where(C.c.round_id == rid)):
                conf.setdefault((a, e), []).append(why)
        cells = {}
        for a in apps:
            for e in experts:
                key = (a, e)
                cells[key] = (("scored", totals[key]) if key in totals else ("conflict",) if key in conf
                              else ("assigned",) if key in assigned else ("free",))
        return cells

    def ours_grid():
        g = rv.assignment_grid(db, rid)
        assert len(g.cells) == n_apps * n_experts

    b, o, tb, to = alternate(bare_grid, ours_grid, runs)
    print(f"assignment grid ({n_apps} applications × {n_experts} experts): {o:.3f} s (ratio {o / b:.2f} to bare "
          f"Core read + plain cell states {b:.3f} s, target ≤ {TARGETS['grid']}×)")
    print(f"  runs (s): bare {[round(x, 3) for x in tb]}, ours {[round(x, 3) for x in to]}")

    # ---- balanced automatic assignment of a fresh round (the same applications and experts)
    from db import models as m

    M, H = m.Member.__table__, m.OfficeHolder.__table__
    fresh: list[str] = []
    expert_ids = [x.expert.id for x in info.experts]

    def new_round():
        fresh.append(rv.create_round(db, "ganzhou", None, f"重新分配 {len(fresh) + 1}", per_application=PER_APPLICATION))
        rv.add_round_experts(db, fresh[-1], expert_ids)

    def bare_assign():
        rid2 = fresh[-1]
        with db.engine.begin() as c:
            apps = c.execute(select(RA.c.application_id).where(RA.c.round_id == rid2)
                             .order_by(RA.c.position)).scalars().all()
            experts = c.execute(select(RX.c.expert_id).where(RX.c.round_id == rid2)
                                .order_by(RX.c.position)).scalars().all()
            for t in (M, H):  # what conflict detection reads
                c.execute(select(t.c.application_id, t.c.name).join(RA, RA.c.application_id == t.c.application_id)
                          .where(RA.c.round_id == rid2)).all()
            now, n = rv._now(), len(experts)
            k = PER_APPLICATION
            c.execute(insert(AS), [{"round_id": rid2, "application_id": a, "expert_id": experts[(i * k + j) % n],
                                    "source": "auto", "assigned_at": now}
                                   for i, a in enumerate(apps) for j in range(k)])

    def ours_assign():
        res = rv.auto_assign(db, fresh[-1], PER_APPLICATION)
        assert len(res.assignments) == n_apps * PER_APPLICATION and not res.shortfalls

    b, o, tb, to = alternate(bare_assign, ours_assign, max(3, runs // 2), reset=new_round)
    print(f"auto-assign a fresh round ({n_apps} applications × {n_experts} experts, {PER_APPLICATION} each): {o:.3f} s "
          f"(ratio {o / b:.2f} to bare Core read + round-robin + Core insert {b:.3f} s, target ≤ {TARGETS['assign']}×)")
    print(f"  runs (s): bare {[round(x, 3) for x in tb]}, ours {[round(x, 3) for x in to]}")

    # ---- import one expert's score file
    grid = rv.assignment_grid(db, rid)
    expert = next(x.expert for x in info.experts[5:] if grid.load(x.expert.id) == 100)  # not one of the conflicted
    t = time.perf_counter()
    score_file = _score_file(db, rid, expert.id, work)
    print(f"  (score file of {expert.name} made through review package and drafts in {time.perf_counter() - t:.1f} s)")
    tpl_keys = [it.key for it in info.template.leaves]

    def remove_scores():
        with db.engine.begin() as c:  # items go with their score (ON DELETE CASCADE)
            c.execute(delete(S).where(S.c.round_id == rid, S.c.expert_id == expert.id))

    def bare_import():
        with zipfile.ZipFile(score_file) as z:
            payload = json.loads(z.read("scores.json"))
        now = rv._now()
        with db.engine.begin() as c:
            rows = [{"round_id": rid, "application_id": x["application"], "expert_id": expert.id,
                     "total": round(sum(x["points"].values()), 6), "comment": x["comment"] or None, "source": "file",
                     "source_name": score_file.name, "digest": "", "submitted_at": now, "imported_at": now}
                    for x in payload["scores"]]
            ids = c.execute(insert(S).returning(S.c.id, sort_by_parameter_order=True), rows).scalars().all()
            c.execute(insert(I), [{"score_id": sid, "item_key": k, "points": float(x["points"][k]),
                                   "comment": x["comments"].get(k), "suggested": x["suggested"].get(k)}
                                  for sid, x in zip(ids, payload["scores"]) for k in tpl_keys])

    def ours_import():
        res = rv.import_file(db, score_file, rid)
        assert len(res.created) == 100, res.summary()

    b, o, tb, to = alternate(bare_import, ours_import, runs, reset=remove_scores)
    print(f"import one expert's score file (100 scores): {o:.3f} s (ratio {o / b:.2f} to bare unzip + Core insert "
          f"{b:.3f} s, target ≤ {TARGETS['import']}×)")
    print(f"  runs (s): bare {[round(x, 3) for x in tb]}, ours {[round(x, 3) for x in to]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
