"""Expert review services on real SQLite files: expert pool, rounds, conflicts of interest, manual and
balanced automatic assignment, the random draw, review packages and signed score files, reviewer
drafts, idempotent imports and the summary.

`Scenario` (three Ganzhou applications, five experts, two of them with a conflict) is shared with
the sheet, CLI and screen tests."""
from __future__ import annotations

import json
import random
import uuid
import zipfile
from dataclasses import dataclass, field

import pytest

from alliance_desk import review as rv
from alliance_desk.review import conflicts_of_interest as rv_conflicts
from alliance_desk.exchange import adpkg as pk
from alliance_desk import store
from alliance_desk.review import scoring
from factory import eligible, uscc

APP_NAMES = {"A": "赣州稀土功能材料产业科技创新联合体", "B": "赣州动力电池产业科技创新联合体",
             "C": "赣州电子信息产业科技创新联合体"}
EXPERTS = {  # key: (name, unit, field)
    "E1": ("刘建国", "赣州富尔特电子股份有限公司", "电子信息"),   # unit is a member of A (same USCC, other name)
    "E2": ("陈晓东", "江西理工大学", "新能源"),                 # sits on B's council
    "E3": ("王立华", "南昌大学", "电子信息"),
    "E4": ("赵敏", "赣南师范大学", "稀土材料"),
    "E5": ("孙伟", "中国科学院赣江创新研究院", "稀土材料"),
}
# the totals each expert gives (sheets are filled to reach them): hand-computed aggregates below
TOTALS = {
    ("A", "E2"): 82, ("A", "E3"): 90, ("A", "E4"): 76, ("A", "E5"): 88,
    ("B", "E1"): 70, ("B", "E3"): 95, ("B", "E4"): 60, ("B", "E5"): 71,
    ("C", "E1"): 91, ("C", "E2"): 86, ("C", "E3"): 79, ("C", "E4"): 88, ("C", "E5"): 65,
}
# A: 4 scores → trimmed = mean = (82+90+76+88)/4 = 84; B: (70+95+60+71)/4 = 74, range 35 → flagged;
# C: 5 scores → drop 91 and 65 → (86+79+88)/3 = 84.333…; ranking by trimmed mean: C, A, B
EXPECTED_TRIMMED = {"A": 84.0, "B": 74.0, "C": 253 / 3}
EXPECTED_RANK = {"C": 1, "A": 2, "B": 3}


def ganzhou_app(key: str, i: int) -> dict:
    doc = eligible("ganzhou")
    doc["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"review-test/{key}"))
    doc["name"] = APP_NAMES[key]
    for n, m in enumerate(doc["members"], 1):
        m["name"] = f"{key}联合体成员企业{n:02d}有限公司" if m["kind"] == "enterprise" else f"{key}联合体研究院{n:02d}"
        m["uscc"] = uscc(i * 100 + n, "ganzhou")
        m["projects_municipal_or_above"] = 1 if n <= 4 + i else 0
    for body in ("council", "expert_committee"):
        for h in doc["organization"][body]:
            h["unit"] = doc["members"][0]["name"]
    if key == "B":
        doc["organization"]["council"][1] = {"name": "陈晓东", "unit": "江西理工大学", "role": "vice_chair"}
    return doc


@dataclass
class Scenario:
    db: object
    round_id: str = ""
    apps: dict[str, str] = field(default_factory=dict)      # key -> application id
    experts: dict[str, str] = field(default_factory=dict)   # key -> expert id

    def app_key(self, app_id: str) -> str:
        return next(k for k, v in self.apps.items() if v == app_id)

    def expert_key(self, expert_id: str) -> str:
        return next(k for k, v in self.experts.items() if v == expert_id)


def load_apps(db) -> dict[str, str]:
    docs = [ganzhou_app(k, i) for i, k in enumerate("ABC", 1)]
    store.import_documents(db, [("", d) for d in docs])
    return {k: d["id"] for k, d in zip("ABC", docs)}


def add_experts(db) -> dict[str, str]:
    out = {}
    for k, (name, unit, fld) in EXPERTS.items():
        out[k] = rv.add_expert(db, name, unit, uscc(103, "ganzhou") if k == "E1" else None, fld, "教授级高工",
                               f"1380797{int(k[1]):04d}")
    return out


def build(db, assign: bool = True, round_name: str = "2022年联合体组建专家评审") -> Scenario:
    sc = Scenario(db, apps=load_apps(db), experts=add_experts(db))
    sc.round_id = rv.create_round(db, "ganzhou", "ganzhou-2022", round_name, per_application=4)
    if assign:
        rv.auto_assign(db, sc.round_id, 4)
        rv.assign(db, sc.round_id, sc.apps["C"], _missing_on_c(sc))
    return sc


def _missing_on_c(sc: Scenario) -> str:
    grid = rv.assignment_grid(sc.db, sc.round_id)
    return next(e for e in sc.experts.values() if grid.cell(sc.apps["C"], e).state == "free")


def points_for(tpl: scoring.Template, total: float) -> dict[str, float]:
    """Item scores reaching `total`: every item at its maximum, the shortfall taken from the last items."""
    pts = {i.key: i.max for i in tpl.leaves}
    short = tpl.total - total
    for it in reversed(tpl.leaves):
        take = min(short, it.max)
        pts[it.key] -= take
        short -= take
    return pts


# ------------------------------------------------------------------ schema


def test_migration_0004_creates_and_drops_exactly_the_review_tables(db):
    from alembic import command
    from sqlalchemy import inspect

    from db.session import alembic_config

    tables = {"review_experts", "review_rounds", "review_round_applications", "review_round_experts",
              "review_assignments", "review_conflicts", "review_scores", "review_score_items", "review_draws",
              "review_keys", "review_drafts"}
    command.downgrade(alembic_config(db.engine), "0004")  # later migrations may add (and drop) tables of their own
    names = set(inspect(db.engine).get_table_names())
    assert tables <= names
    command.downgrade(alembic_config(db.engine), "0003")
    after = set(inspect(db.engine).get_table_names())
    later = {"check_verdicts", "check_verdict_items"}  # 0009 sits above 0004 and goes down with it
    assert after == names - tables - later
    command.upgrade(alembic_config(db.engine), "head")
    assert tables <= set(inspect(db.engine).get_table_names())


# ------------------------------------------------------------------ experts and rounds

def test_expert_pool(db):
    eid = rv.add_expert(db, " 王立华 ", "南昌大学", field="电子信息", title="教授")
    assert [e.name for e in rv.list_experts(db)] == ["王立华"]
    with pytest.raises(rv.ReviewError, match="已在专家库中"):
        rv.add_expert(db, "王立华", "南昌大学")
    with pytest.raises(rv.ReviewError) as exc:
        rv.add_expert(db, "", "", uscc="91360700MA35XXXXX1")
    assert exc.value.problems[:2] == ["专家姓名不能为空", "专家所在单位不能为空"]
    assert "单位统一社会信用代码「91360700MA35XXXXX1」无效" in exc.value.problems[2]
    rv.update_expert(db, eid, active=False)
    assert rv.list_experts(db) == [] and len(rv.list_experts(db, active_only=False)) == 1


def test_round_takes_the_region_and_call_applications_and_a_template_snapshot(db):
    apps = load_apps(db)
    other = eligible("gansu")
    store.import_documents(db, [("", other)])
    rid = rv.create_round(db, "ganzhou", "ganzhou-2022", "第一轮")
    info = rv.get_round(db, rid)
    assert {a.id for a in info.applications} == set(apps.values())
    assert info.template.id == "GZ-FORMATION" and info.method == "trimmed" and info.threshold_range == 20
    assert info.applications[0].lead.endswith("成员企业01有限公司")
    with pytest.raises(rv.ReviewError) as exc:
        rv.create_round(db, "ganzhou", "jinzhong-2023", "", template_id="GS-REVIEW", method="best")
    text = str(exc.value)
    assert "评审轮次名称不能为空" in text and "没有评分模板「GS-REVIEW」" in text and "未知的汇总方法「best」" in text
    assert "申报批次「jinzhong-2023」不属于赣州市" in text
    gid = rv.create_round(db, "gansu", "gansu-standing", "甘肃组建审核")
    g = rv.get_round(db, gid)
    assert g.template.label == "产业联盟组建专家会议审核评分表（本单位自定模板）"
    assert [a.id for a in g.applications] == [other["id"]]


# ------------------------------------------------------------------ conflicts

def test_conflict_detection_rules():
    doc = ganzhou_app("B", 2)
    doc["members"][5]["name"] = "南昌大学（材料学院）"
    e = rv.ExpertInfo
    # by USCC, whatever the unit is called
    assert rv.detect_conflicts(doc, e("x", "张三", "某公司", doc["members"][2]["uscc"].lower()))[0][0] == "member_uscc"
    # by name, full-width and half-width brackets alike
    got = rv.detect_conflicts(doc, e("x", "张三", "南昌大学(材料学院)"))
    assert got == [("member_name", "专家所在单位「南昌大学(材料学院)」是联盟成员单位「南昌大学（材料学院）」")]
    # a department of a member unit
    got = rv.detect_conflicts(doc, e("x", "张三", "B联合体研究院03 稀土所"))
    assert got[0][0] == "member_name" and "隶属" in got[0][1]
    # council and expert committee: name AND unit
    assert rv.detect_conflicts(doc, e("x", "陈晓东", "江西理工大学")) == [
        ("council", "专家陈晓东（江西理工大学）是联盟理事会副理事长")]
    assert rv.detect_conflicts(doc, e("x", "陈晓东", "南昌航空大学")) == []        # a namesake elsewhere
    holder = doc["organization"]["expert_committee"][3]
    got = rv.detect_conflicts(doc, e("x", holder["name"], holder["unit"]))
    assert ("expert_committee" in [k for k, _ in got]) and ("member_name" in [k for k, _ in got])
    assert rv.detect_conflicts(doc, e("x", "李四", "江西师范大学")) == []


def test_manual_assignment_refuses_a_conflict_and_keeps_the_reason(db):
    sc = build(db, assign=False)
    with pytest.raises(rv.ReviewError) as exc:
        rv.assign(db, sc.round_id, sc.apps["A"], sc.experts["E1"])
    assert "刘建国 与「赣州稀土功能材料产业科技创新联合体」存在回避关系" in str(exc.value)
    assert "统一社会信用代码" in str(exc.value)
    kept = rv.conflicts(db, sc.round_id)
    assert [(sc.app_key(c.application_id), sc.expert_key(c.expert_id), c.kind) for c in kept] == \
        [("A", "E1", "member_uscc")]       # E2 is not in the round yet
    grid = rv.assignment_grid(db, sc.round_id)
    assert grid.cell(sc.apps["A"], sc.experts["E1"]).state == "conflict"
    rv.assign(db, sc.round_id, sc.apps["B"], sc.experts["E1"])
    assert rv.assignment_grid(db, sc.round_id).cell(sc.apps["B"], sc.experts["E1"]).state == "assigned"
    rv.declare_conflict(db, sc.round_id, sc.apps["C"], sc.experts["E1"], "近三年与牵头单位有合作项目", by="办公室")
    with pytest.raises(rv.ReviewError, match="声明回避：近三年与牵头单位有合作项目"):
        rv.assign(db, sc.round_id, sc.apps["C"], sc.experts["E1"])


def test_auto_assignment_is_balanced_and_refuses_the_two_conflicts(db):
    sc = build(db, assign=False)
    res = rv.auto_assign(db, sc.round_id, 4)
    d = res.as_dict()
    refused = {(sc.app_key(c["application"]), sc.expert_key(c["expert"])): c["reason"] for c in d["refused"]}
    assert set(refused) == {("A", "E1"), ("B", "E2")}
    assert "是联盟理事会副理事长" in refused[("B", "E2")]
    pairs = {(sc.app_key(a), sc.expert_key(e)) for a, e in res.assignments}
    assert not pairs & set(refused)
    per_app = {k: sum(1 for a, _ in pairs if a == k) for k in "ABC"}
    assert per_app == {"A": 4, "B": 4, "C": 4} and res.shortfalls == []
    loads = sorted(v["count"] for v in d["loads"].values())
    assert loads == [2, 2, 2, 3, 3]                      # 12 places, 5 experts: differ by at most one
    # running again changes nothing
    again = rv.auto_assign(db, sc.round_id, 4)
    assert again.added == [] and set(again.assignments) == set(res.assignments)


def test_balanced_assignment_on_random_rounds():
    rng = random.Random(7)
    for _ in range(150):
        apps = [f"a{i}" for i in range(rng.randint(1, 9))]
        experts = [f"e{i}" for i in range(rng.randint(1, 8))]
        k = rng.randint(1, len(experts))
        blocked = {(a, e) for a in apps for e in experts if rng.random() < 0.15}
        pairs, short = rv.balanced_assignment(apps, experts, k, blocked)
        assert not pairs & blocked
        for a in apps:
            got = sum(1 for x, _ in pairs if x == a)
            free = sum(1 for e in experts if (a, e) not in blocked)
            assert got == min(k, free) if not blocked else got <= k
            assert short.get(a, 0) == k - got
        if not blocked:
            loads = [sum(1 for _, e in pairs if e == x) for x in experts]
            assert max(loads) - min(loads) <= 1, (apps, experts, k)


def test_balanced_assignment_keeps_existing_pairs_in_the_balance():
    apps, experts = ["a", "b", "c", "d"], ["x", "y", "z"]
    pairs, short = rv.balanced_assignment(apps, experts, 2, set(), {("a", "x"), ("b", "x")})
    loads = {e: sum(1 for _, y in pairs if y == e) + (2 if e == "x" else 0) for e in experts}
    assert short == {} and sorted(loads.values()) == [2, 3, 3]
    assert sum(1 for a, _ in pairs if a == "a") == 1


def _cell(db, sc: Scenario, app: str, expert: str) -> rv.Cell:
    return rv.assignment_grid(db, sc.round_id).cell(sc.apps[app], sc.experts[expert])


def test_conflict_from_an_application_edited_after_assignment_is_detected_and_blocks(db, tmp_path):
    sc = build(db)                                # assigned; the round's conflicts already detected
    assert _cell(db, sc, "A", "E3").state == "assigned"
    tpl = rv.get_round(db, sc.round_id).template
    with db.Session() as s:
        doc = store.get_document(s, sc.apps["A"])
    added = dict(doc["members"][-1], name="南昌大学", uscc=uscc(199, "ganzhou"), role="member")
    doc["members"].append(added)                  # E3's unit joins A as a member
    store.save_draft(db, doc)
    cell = _cell(db, sc, "A", "E3")
    assert cell.state == "conflict_assigned"
    assert cell.reasons == ("专家所在单位「南昌大学」是联盟成员单位「南昌大学」",)
    assert ("A", "E3", "member_name") in {(sc.app_key(c.application_id), sc.expert_key(c.expert_id), c.kind)
                                          for c in rv.conflicts(db, sc.round_id)}
    with pytest.raises(rv.ReviewError, match="存在回避关系"):
        rv.record_score(db, sc.round_id, sc.apps["A"], sc.experts["E3"], points_for(tpl, 90), "意见")
    with pytest.raises(rv.ReviewError, match="与「赣州稀土功能材料产业科技创新联合体」存在回避关系"):
        rv.assign(db, sc.round_id, sc.apps["A"], sc.experts["E3"])
    assert sc.apps["A"] not in {a.id for a in rv.assignments_of(db, sc.round_id, sc.experts["E3"])}
    path = rv.export_review_package(db, sc.round_id, sc.experts["E3"], tmp_path / "E3.adpkg")
    assert sc.apps["A"] not in {a["id"] for a in rv.open_review_package(path).applications}
    res = rv.auto_assign(db, sc.round_id, 4)      # the conflicted pair is taken off and replaced
    assert [(sc.app_key(a), sc.expert_key(e)) for a, e, _ in res.removed] == [("A", "E3")]
    assert _cell(db, sc, "A", "E3").state == "conflict"
    # saved again without that member (through the store directly): the detected conflict goes away
    doc["members"].pop()
    with db.Session.begin() as s:
        store.save_document(s, doc)
    assert _cell(db, sc, "A", "E3").state == "free"
    assert ("A", "E3") not in {(sc.app_key(c.application_id), sc.expert_key(c.expert_id))
                               for c in rv.conflicts(db, sc.round_id)}


def test_conflict_from_an_expert_unit_changed_after_assignment_is_detected_and_blocks(db):
    sc = build(db)
    tpl = rv.get_round(db, sc.round_id).template
    assert _cell(db, sc, "B", "E3").state == "assigned" and _cell(db, sc, "C", "E4").state == "assigned"
    rv.update_expert(db, sc.experts["E3"], unit="B联合体成员企业04有限公司 研发中心")   # a department of B's member
    cell = _cell(db, sc, "B", "E3")
    assert cell.state == "conflict_assigned" and "隶属联盟成员单位「B联合体成员企业04有限公司」" in cell.reasons[0]
    with pytest.raises(rv.ReviewError, match="存在回避关系"):
        rv.record_score(db, sc.round_id, sc.apps["B"], sc.experts["E3"], points_for(tpl, 90), "意见")
    # another department of the same member: the same conflict, its recorded reason follows the unit
    rv.update_expert(db, sc.experts["E3"], unit="B联合体成员企业04有限公司检测中心")
    assert [c.reason for c in rv.conflicts(db, sc.round_id) if c.expert_id == sc.experts["E3"]] == [
        "专家所在单位「B联合体成员企业04有限公司检测中心」隶属联盟成员单位「B联合体成员企业04有限公司」"]
    # by USCC: E4's unit gets the code of one of C's members
    rv.update_expert(db, sc.experts["E4"], unit_uscc=uscc(305, "ganzhou"))
    cell = _cell(db, sc, "C", "E4")
    assert cell.state == "conflict_assigned" and "统一社会信用代码" in cell.reasons[0]
    assert {(sc.app_key(c.application_id), sc.expert_key(c.expert_id), c.kind)
            for c in rv.conflicts(db, sc.round_id)} >= {("B", "E3", "member_name"), ("C", "E4", "member_uscc")}
    # back to the old unit: no conflict any more, the pair is assigned again and can be scored
    rv.update_expert(db, sc.experts["E3"], unit=EXPERTS["E3"][1])
    assert _cell(db, sc, "B", "E3").state == "assigned"
    rv.record_score(db, sc.round_id, sc.apps["B"], sc.experts["E3"], points_for(tpl, 90), "意见")


def test_conflicts_are_detected_again_only_when_something_they_depend_on_changed(db, monkeypatch):
    sc = build(db)
    calls = []
    real = rv_conflicts._detect_round
    monkeypatch.setattr(rv_conflicts, "_detect_round", lambda *a: calls.append(1) or real(*a))
    for _ in range(3):
        rv.assignment_grid(db, sc.round_id)
        rv.progress(db, sc.round_id)
    assert calls == []                            # nothing changed since build()
    rv.update_expert(db, sc.experts["E5"], phone="13800000000")   # not something detection reads
    rv.assignment_grid(db, sc.round_id)
    assert calls == []
    rv.update_expert(db, sc.experts["E5"], name="孙伟伟")
    rv.assignment_grid(db, sc.round_id)
    assert len(calls) == 1
    with db.Session() as s:
        doc = store.get_document(s, sc.apps["C"])
    store.save_draft(db, doc)                     # saved, even unchanged: detected again
    rv.conflicts(db, sc.round_id)
    assert len(calls) == 2
    extra = rv.add_expert(db, "周红", "赣州职业技术学院")
    rv.add_round_experts(db, sc.round_id, [extra])
    rv.conflicts(db, sc.round_id)
    assert len(calls) == 3
    rv.set_round_applications(db, sc.round_id, [sc.apps["A"], sc.apps["B"], sc.apps["C"]][::-1])
    rv.conflicts(db, sc.round_id)
    assert len(calls) == 4


def test_round_detection_agrees_with_detect_conflicts_pair_by_pair(db):
    """The indexed detection over a whole round gives exactly what detect_conflicts gives for every
    application × expert pair: same kinds, same reasons (units by name, prefix, brackets, USCC,
    office holders), on experts made up from the applications' own members and holders."""
    apps = load_apps(db)
    rng = random.Random(11)
    with db.Session() as s:
        docs = [store.get_document(s, a) for a in apps.values()]
    experts = []
    for i in range(60):
        doc = rng.choice(docs)
        mem = rng.choice(doc["members"])
        h = rng.choice(doc["organization"]["council"] + doc["organization"]["expert_committee"])
        unit = rng.choice([mem["name"], mem["name"] + " 研究所", mem["name"][:rng.randint(2, 6)], h["unit"],
                           mem["name"].replace("联合体", "联合体 "), "江西理工大学", f"别的单位{i}"])
        unit = unit.replace("(", "（") if rng.random() < 0.5 else unit
        name = h["name"] if rng.random() < 0.4 else f"专家{i}"
        code = rng.choice([None, None, mem["uscc"], mem["uscc"].lower(), uscc(900 + i, "ganzhou")])
        try:
            experts.append(rv.add_expert(db, name, unit, code))
        except rv.ReviewError:                     # the same name and unit drawn twice
            pass
    rid = rv.create_round(db, "ganzhou", "ganzhou-2022", "核对", per_application=1)
    rv.add_round_experts(db, rid, experts)
    got = [(c.application_id, c.expert_id, c.kind, c.reason) for c in rv.conflicts(db, rid)]
    info = rv.get_round(db, rid)
    want = []
    for doc in sorted(docs, key=lambda d: [a.id for a in info.applications].index(d["id"])):
        for x in info.experts:
            for kind, reason in sorted(rv.detect_conflicts(doc, x.expert)):
                want.append((doc["id"], x.expert.id, kind, reason))
    assert got == want
    assert len({k for _, _, k, _ in want}) == 4 and len(want) > 20   # every kind of conflict was exercised


# ------------------------------------------------------------------ random draw

def test_random_draw_is_reproducible_and_recorded(db, tmp_path):
    from openpyxl import load_workbook

    from alliance_desk.review.score_sheets import write_draw_record

    sc = build(db, assign=False)
    for i in range(6):
        rv.add_expert(db, f"稀土专家{i}", f"稀土研究单位{i}", field="稀土材料")
    d = rv.draw_experts(db, sc.round_id, 3, 2, field="稀土", seed=20240601, by="张科长")
    assert len(d.candidates) == 8 and len(d.primary) == 3 and len(d.reserve) == 2
    assert all("稀土" in e.field for e in d.primary + d.reserve)
    assert rv.verify_draw(d) and d.selected == rv.draw_order(d.candidates, 20240601)[:5]
    info = rv.get_round(db, sc.round_id)
    assert [x.role for x in info.experts] == ["primary"] * 3 + ["reserve"] * 2
    # the same seed on the same pool gives the same experts (in a fresh database)
    from db.session import open_database

    other = open_database(tmp_path / "other.sqlite")
    try:
        with db.Session() as s:
            from db import models_review as m

            rows = [(e.id, e.name, e.unit, e.field) for e in s.query(m.ReviewExpert)]
        from datetime import datetime

        with other.Session.begin() as s:
            for eid, name, unit, fld in rows:
                s.add(m.ReviewExpert(id=eid, name=name, unit=unit, field=fld, active=True, created_at=datetime.now()))
        load_apps(other)
        rid2 = rv.create_round(other, "ganzhou", "ganzhou-2022", "复核")
        assert rv.draw_experts(other, rid2, 3, 2, field="稀土", seed=20240601).selected == d.selected
    finally:
        other.dispose()
    # a second draw leaves out experts already drawn; not enough candidates is refused
    with pytest.raises(rv.ReviewError, match="可抽取的专家只有 3 位"):
        rv.draw_experts(db, sc.round_id, 3, 1, field="稀土")
    tampered = rv.get_draw(db, d.id)
    tampered.seed += 1
    assert not rv.verify_draw(tampered)
    path = write_draw_record(db, d.id, tmp_path / "专家抽取记录表.xlsx")
    wb = load_workbook(path)
    ws = wb["专家抽取记录表"]
    cells = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "专家抽取记录表" in cells and 20240601 in cells and "与记录一致" in cells
    names = [e.name for e in d.primary + d.reserve]
    rows = [r for r in ws.iter_rows(values_only=True) if r[2] in names]
    assert [r[2] for r in rows] == names and [r[1] for r in rows] == ["正式"] * 3 + ["备选"] * 2
    assert "抽取人（签字）：" in cells and "张科长" in cells
    assert [r[1] for r in wb["候选专家"].iter_rows(min_row=2, values_only=True)] == d.candidates


# ------------------------------------------------------------------ packages, score files, drafts

def _rewrite_zip(src, dst, change):
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w") as zout:
        for info in zin.infolist():
            data = change(info.filename, zin.read(info.filename))
            if data is not None:
                zout.writestr(info.filename, data)


def fill_drafts(expert_db, pkg, sc: Scenario, conflict_on: str | None = None):
    for a in pkg.applications:
        key = sc.app_key(a["id"])
        if key == conflict_on:
            rv.save_draft(expert_db, pkg, a["id"], rv.Draft(conflict="本人曾参与该联合体组建方案编制"))
            continue
        pts = points_for(pkg.template, TOTALS[(key, sc.expert_key(pkg.expert_id))])
        comments = {k: "材料中未见相关内容" for k, v in pts.items() if v < pkg.template.leaf(k).comment_below}
        rv.save_draft(expert_db, pkg, a["id"], rv.Draft({k: scoring.fmt(v) for k, v in pts.items()}, comments,
                                                        "总体较好"))


def test_review_package_holds_only_the_experts_applications_and_refuses_tampering(db, tmp_path):
    sc = build(db)
    path = rv.export_review_package(db, sc.round_id, sc.experts["E1"], tmp_path / "E1.adpkg")
    pkg = rv.open_review_package(path)
    assert pkg.expert_name == "刘建国" and pkg.sender == "赣州市科技局"
    assert {sc.app_key(a["id"]) for a in pkg.applications} == {"B", "C"}       # never A (conflict)
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("manifest.json"))
    assert f"applications/{sc.apps['A']}.json" not in names
    assert manifest["format"] == "alliance-desk/package@1" and manifest["format_version"] == 1
    assert manifest["kind"] == "review" and manifest["sender"]["office"] == "赣州市科技局"
    assert {e["name"] for e in manifest["entries"]} == names - {"manifest.json", "manifest.sig"}
    assert all(len(e["sha256"]) == 64 and e["size"] > 0 for e in manifest["entries"])
    sugg = pkg.application(sc.apps["C"])["suggestions"]
    assert sugg["members.platform_share"]["points"] == 1 and sugg["members.project_share"]["points"] == 5
    assert pkg.office_fingerprint == rv.office_fingerprint(db)

    bad = tmp_path / "bad.adpkg"
    _rewrite_zip(path, bad, lambda n, d: d.replace("动力电池".encode(), "动力电芯".encode()) if n.startswith("applications/")
                 else d)
    with pytest.raises(rv.ReviewError, match=r"SHA-256 与清单不符（内容被修改）"):
        rv.open_review_package(bad)
    _rewrite_zip(path, bad, lambda n, d: d.replace(b'"kind": "review"', b'"kind": "review" ') if n == "manifest.json"
                 else d)
    with pytest.raises(rv.ReviewError, match="签名验证失败"):
        rv.open_review_package(bad)
    _rewrite_zip(path, bad, lambda n, d: None if n == "manifest.sig" else d)
    with pytest.raises(rv.ReviewError, match="没有签名"):
        rv.open_review_package(bad)
    bad.write_bytes(path.read_bytes()[:-200])
    with pytest.raises(rv.ReviewError, match="ZIP 结构损坏或文件被截断"):
        rv.open_review_package(bad)
    _rewrite_zip(path, bad, lambda n, d: d)
    with zipfile.ZipFile(bad, "a") as z:
        z.writestr("../evil.txt", b"x")
    with pytest.raises(rv.ReviewError, match=r"条目名「../evil.txt」含有 \.\. 或 \."):
        rv.open_review_package(bad)


def test_signed_score_file_round_trip_idempotent_and_foreign_refused(db, tmp_path):
    from db.session import open_database

    sc = build(db)
    path = rv.export_review_package(db, sc.round_id, sc.experts["E3"], tmp_path / "E3.adpkg")
    laptop = open_database(tmp_path / "expert-laptop.sqlite")     # the expert's own database
    try:
        pkg = rv.open_review_package(path)
        fill_drafts(laptop, pkg, sc, conflict_on=None)
        draft = rv.load_drafts(laptop, pkg)[sc.apps["A"]]
        assert draft.comment == "总体较好"                           # drafts survive in the local database
        out = rv.export_score_file(laptop, pkg, tmp_path / "E3-scores.adpkg")
    finally:
        laptop.dispose()
    res = rv.import_file(db, out)
    assert len(res.created) == 3 and res.source == "file"
    before = _score_rows(db)
    again = rv.import_file(db, out)
    assert again.created == again.updated == [] and len(again.unchanged) == 3
    assert _score_rows(db) == before                                # nothing changed, not even timestamps
    sm = rv.summary(db, sc.round_id)
    assert sm.scores[(sc.apps["B"], sc.experts["E3"])].total == 95

    # the same payload signed with another key: refused as foreign
    with zipfile.ZipFile(out) as z:
        payload = z.read("scores.json")
    foreign = tmp_path / "foreign.adpkg"
    pk.write_package(foreign, "scores", "冒名者", {"scores.json": payload}, pk.new_key()[0])
    with pytest.raises(rv.ReviewError, match="签名密钥与本单位为该专家下发的评审包不符"):
        rv.import_file(db, foreign)
    # edited after signing
    tampered = tmp_path / "tampered.adpkg"
    _rewrite_zip(out, tampered, lambda n, d: d.replace(b'"points": {', b'"points": { ') if n == "scores.json" else d)
    with pytest.raises(rv.ReviewError, match="scores.json 的 SHA-256 与清单不符"):
        rv.import_file(db, tampered)
    # a review package is not a score file
    with pytest.raises(rv.ReviewError, match="这是评审包，不是评分文件"):
        rv.import_score_file(db, path)
    # the file of this round is refused when importing into another round, and in another database
    with pytest.raises(rv.ReviewError, match="另一评审轮次"):
        rv.import_file(db, out, round_id="some-other-round")
    refused_in_another_office(tmp_path, "不在本数据库中", rv.import_file, out)
    assert _score_rows(db) == before


def refused_in_another_office(tmp_path, match: str, importer, path) -> None:
    """A file of this office imported into another office's (fresh) database is refused."""
    from db.session import open_database

    fresh = open_database(tmp_path / "other-office.sqlite")
    try:
        with pytest.raises(rv.ReviewError, match=match):
            importer(fresh, path)
    finally:
        fresh.dispose()


def _score_rows(db):
    from db import models_review as m

    with db.Session() as s:
        return sorted((x.application_id, x.expert_id, x.total, x.digest, x.imported_at)
                      for x in s.query(m.ReviewScore)) + \
            sorted((x.score_id, x.item_key, x.points) for x in s.query(m.ReviewScoreItem))


def test_declared_conflict_in_a_score_file_blocks_the_pair(db, tmp_path):
    sc = build(db)
    path = rv.export_review_package(db, sc.round_id, sc.experts["E4"], tmp_path / "E4.adpkg")
    pkg = rv.open_review_package(path)
    fill_drafts(db, pkg, sc, conflict_on="C")
    # an incomplete draft cannot be exported: the reason names the application and the item
    d = rv.load_drafts(db, pkg)[sc.apps["A"]]
    key = pkg.template.leaves[0].key
    rv.save_draft(db, pkg, sc.apps["A"], rv.Draft(dict(d.points, **{key: "1"}), d.comments, d.comment))
    with pytest.raises(rv.ReviewError) as exc:
        rv.export_score_file(db, pkg, tmp_path / "x.adpkg")
    assert exc.value.problems == ["「赣州稀土功能材料产业科技创新联合体」：「人员就位及岗位设置情况」1 分低于满分 4 的 60%，须在该项填写评审意见"]
    rv.save_draft(db, pkg, sc.apps["A"], d)
    out = rv.export_score_file(db, pkg, tmp_path / "E4-scores.adpkg")
    res = rv.import_file(db, out)
    assert res.declared == [sc.apps["C"]] and len(res.created) == 2
    cell = rv.assignment_grid(db, sc.round_id).cell(sc.apps["C"], sc.experts["E4"])
    assert cell.state == "conflict_assigned" and cell.reasons == ("声明回避：本人曾参与该联合体组建方案编制",)
    with pytest.raises(rv.ReviewError, match="声明回避"):
        rv.record_score(db, sc.round_id, sc.apps["C"], sc.experts["E4"], points_for(pkg.template, 80), "意见")
    assert rv.progress(db, sc.round_id).expected == 12     # 13 assigned, one blocked


def test_summary_matches_hand_computed_trimmed_means(db):
    sc = build(db)
    tpl = rv.get_round(db, sc.round_id).template
    for (a, e), total in TOTALS.items():
        rv.record_score(db, sc.round_id, sc.apps[a], sc.experts[e], points_for(tpl, total), comment="意见")
    sm = rv.summary(db, sc.round_id)
    got = {sc.app_key(a.application): a for a in sm.aggregates}
    for k in "ABC":
        assert got[k].trimmed == pytest.approx(EXPECTED_TRIMMED[k])
        assert got[k].rank == EXPECTED_RANK[k]
    assert got["B"].flagged and not got["A"].flagged and got["C"].flagged   # C: 91 − 65 = 26 > 20
    assert got["A"].criterion_means["secretariat"] == 10
    assert sum(got["A"].criterion_means.values()) == pytest.approx(got["A"].mean)
    med = {sc.app_key(a.application): a for a in rv.summary(db, sc.round_id, "median").aggregates}
    assert med["A"].value == 85 and med["C"].value == 86 and med["B"].value == 70.5
    d = sm.as_dict()
    assert [sc.app_key(a["id"]) for a in d["applications"]] == ["C", "A", "B"]
    assert d["applications"][0]["trimmed"] == pytest.approx(84.3333, abs=1e-4)
    # C has 5 scores (really trimmed); A and B have 4: their "trimmed" mean is a plain mean, and says so
    assert [a["trimmed_is_plain_mean"] for a in d["applications"]] == [False, True, True]
    assert d["applications"][1]["note"] == "仅 4 位专家评分（不足 5 位），未去掉最高分和最低分，按算术平均计算"
    assert not got["C"].trim_fallback and got["A"].trim_fallback and got["A"].trimmed == got["A"].mean
    assert rv.progress(db, sc.round_id).text == "已收到 13/13 份评分"
    other = rv.create_round(db, "ganzhou", "ganzhou-2022", "另一轮", per_application=1)
    with pytest.raises(rv.ReviewError, match="不是评审轮次「另一轮」的专家"):
        rv.record_score(db, other, sc.apps["A"], sc.experts["E3"], points_for(tpl, 80), "意见")
    rv.add_round_experts(db, other, [sc.experts["E3"]])
    with pytest.raises(rv.ReviewError, match="未分配给王立华"):
        rv.record_score(db, other, sc.apps["A"], sc.experts["E3"], points_for(tpl, 80), "意见")


def test_record_score_checks_like_every_import(db):
    sc = build(db)
    tpl = rv.get_round(db, sc.round_id).template
    pts = points_for(tpl, 90)
    pts["secretariat.staff"] = 5
    with pytest.raises(rv.ReviewError, match="5 分超过该项满分 4 分"):
        rv.record_score(db, sc.round_id, sc.apps["C"], sc.experts["E1"], pts)
    with pytest.raises(rv.ReviewError, match="须在评审意见栏填写评审意见"):
        rv.record_score(db, sc.round_id, sc.apps["C"], sc.experts["E1"], points_for(tpl, 50))
    with pytest.raises(rv.ReviewError, match="存在回避关系"):
        rv.record_score(db, sc.round_id, sc.apps["A"], sc.experts["E1"], points_for(tpl, 90), "意见")


def test_review_packages_share_the_submission_package_wire_format(tmp_path):
    """The same manifest and signature layout as alliance_desk.exchange.packages: one reader can serve both."""
    from alliance_desk.exchange import packages
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    doc = ganzhou_app("A", 1)
    path = tmp_path / "submission.adpkg"
    path.write_bytes(packages.build_package([doc], "某县科技局", Ed25519PrivateKey.generate()))
    got = pk.read_package(path, kind="submission")
    assert got.sender == "某县科技局" and json.loads(got.entries[f"applications/{doc['id']}.json"])["id"] == doc["id"]
    with pytest.raises(pk.PackageError, match="这是申报材料包，不是评审包"):
        pk.read_package(path, kind="review")
