"""Lifecycle services on a real SQLite file: one alliance per region walked from application to
expiry or revocation on a simulated clock (every date passed in), due dates checked against the
notices, and refusals that write nothing."""
from __future__ import annotations

import hashlib
import sqlite3
from datetime import date

import pytest
from sqlalchemy import select

from alliance_desk import lifecycle as lc
from alliance_desk import store
from alliance_desk.lifecycle import LifecycleError
from alliance_desk.rules.packs import PackError, load_pack
from db import models as m
from db import models_lifecycle as lm
from factory import eligible

D = date.fromisoformat


def imported(db, region, suffix=""):
    doc = eligible(region)
    if suffix:
        doc["id"] = doc["id"][:-len(suffix)] + suffix
        doc["name"] = doc["name"].replace("测试", f"测试{suffix}")
    store.import_documents(db, [("", doc)])
    return doc["id"]


def walk(db, app, steps):
    for stage_id, on in steps:
        lc.move_stage(db, app, stage_id, D(on))


def decided_and_announced(db, region, steps, not_recognized, outcome, on, doc_no, announce_on):
    """An application walked through `steps`, refused a decision its region does not take (the message
    lists the ones it does), decided with `outcome` and announced."""
    app = imported(db, region)
    walk(db, app, steps)
    assert not_recognized in refused(lc.decide, db, app, "recognized", D(on))
    lc.decide(db, app, outcome, D(on), doc_no=doc_no)
    lc.move_stage(db, app, "announce", D(announce_on))
    return app


def status(db, app, on):
    with db.Session() as s:
        return lc.alliance_status(s, app, D(on))


def dues(st, kind):
    return [(o.period, o.due.isoformat()) for o in st.obligations if o.kind == kind]


def ob(st, kind, period):
    return next(o for o in st.obligations if o.kind == kind and o.period == period)


def refused(fn, *args, **kw) -> list[str]:
    with pytest.raises(LifecycleError) as exc:
        fn(*args, **kw)
    return exc.value.problems


def digest(db) -> str:
    con = sqlite3.connect(db.engine.url.database)
    rows = []
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        rows.append((t, sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall()))))
    con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# ------------------------------------------------------------------ packs

def test_every_pack_has_its_procedure_and_lifecycle():
    cfgs = lc.all_configs()
    assert set(cfgs) == {"anshan", "gansu", "ganzhou", "chongqing", "jinzhong"}
    assert [s.short for s in cfgs["anshan"].stages] == ["提交申请", "县区审查推荐", "专家评审", "局长办公会", "公示",
                                                        "认定", "批复与证书"]
    gz = cfgs["ganzhou"].stages
    assert len(gz) == 8 and gz[0].short == "意向申请" and gz[-1].short == "成立大会" and gz[0].optional
    assert gz[6].decision and gz[6].clause == "003 § 组建指引 第七步"
    assert cfgs["chongqing"].outcomes == ("demonstration", "pilot", "rejected")
    assert cfgs["gansu"].outcome_label("rejected") == "不予批复"
    assert cfgs["ganzhou"].outcome_label("filed") == "备案"
    for c in cfgs.values():
        assert all(s.actor and s.clause for s in c.stages)
        for o in c.obligations:  # every office-configured default is labelled and explained
            assert o.configured_by in ("notice", "office") and o.reading and o.clause.startswith(("00",))
    assert cfgs["chongqing"].validity_configured_by == cfgs["jinzhong"].validity_configured_by == "office"
    assert cfgs["anshan"].validity_years == 5 and cfgs["gansu"].validity_years == 0


def test_a_broken_lifecycle_section_fails_to_load_with_the_file(tmp_path):
    from alliance_desk.rules.packs import regions_dir

    text = (regions_dir() / "anshan.toml").read_text(encoding="utf-8")
    bad = tmp_path / "anshan.toml"
    bad.write_text(text.replace('schedule = "validity_year"\nyear = 3', 'schedule = "sometimes"\nyear = 3'),
                   encoding="utf-8")
    with pytest.raises(PackError, match="schedule「sometimes」未知") as exc:
        lc._config_from_pack(load_pack(bad))
    assert str(bad) in str(exc.value)
    bad.write_text(text.replace('outcomes = ["recognized", "rejected"]', 'outcomes = ["recognised", "rejected"]'),
                   encoding="utf-8")
    with pytest.raises(PackError, match="「recognised」未知"):
        lc._config_from_pack(load_pack(bad))


def test_dates():
    assert lc.add_years(D("2024-07-10"), 5) == D("2029-07-10")
    assert lc.add_years(D("2024-02-29"), 5) == D("2029-03-01")  # so validity ends on 28 February
    assert lc.month_day(2028, "02-last") == D("2028-02-29")
    assert lc.month_day(2027, "02-last") == D("2027-02-28")


# ------------------------------------------------------------------ Anshan: application to expiry

def test_anshan_from_application_to_expiry(db):
    app = imported(db, "anshan")
    # 002 § 第九条: 提交申请 → 县区审查推荐 → 专家评审 → 局长办公会 → 公示 → 认定 → 批复与证书
    assert refused(lc.move_stage, db, app, "county_review", D("2024-06-03")) == [
        "办理程序须从「提交申请」开始，不能直接到「县区审查推荐」：须先经过「提交申请」（002 § 第九条1）"]
    walk(db, app, [("apply", "2024-06-03"), ("county_review", "2024-06-10"), ("expert_review", "2024-06-20")])
    assert refused(lc.move_stage, db, app, "publicity", D("2024-06-25")) == [
        "不能从「专家评审」直接到「公示」：须先经过「局长办公会」（002 § 第九条4）"]
    assert refused(lc.move_stage, db, app, "county_review", D("2024-06-25")) == ["退回到「县区审查推荐」须填写说明"]
    assert refused(lc.move_stage, db, app, "director_meeting", D("2024-06-19")) == [
        "日期 2024-06-19 早于上一步的日期 2024-06-20（「专家评审」）"]
    assert "须先完成「局长办公会」、「公示」" in refused(lc.decide, db, app, "recognized", D("2024-06-25"))[0]
    # going back needs a note, and is recorded with it
    t = lc.move_stage(db, app, "county_review", D("2024-06-21"), by="王科长", note="补充营业执照复印件")
    assert (t.direction, t.by, t.note) == ("back", "王科长", "补充营业执照复印件")
    walk(db, app, [("expert_review", "2024-06-24"), ("director_meeting", "2024-06-28"), ("publicity", "2024-07-01")])
    assert refused(lc.move_stage, db, app, "issue", D("2024-07-10")) == [
        "不能从「公示」直接到「批复与证书」：须先经过「认定」（002 § 第九条4）"]
    assert "鞍山市不作「备案」决定" in refused(lc.decide, db, app, "filed", D("2024-07-10"))[0]

    view = lc.decide(db, app, "recognized", D("2024-07-10"), doc_no="鞍科发〔2024〕30号", by="李局长")
    assert (view.label, view.doc_no) == ("认定", "鞍科发〔2024〕30号")
    assert "每份申报只记录一次决定" in refused(lc.decide, db, app, "rejected", D("2024-07-11"))[0]
    assert "不能退回到作出决定之前" in refused(lc.move_stage, db, app, "publicity", D("2024-07-12"), note="x")[0]
    lc.move_stage(db, app, "issue", D("2024-07-20"))
    with db.Session() as s:
        proc = lc.procedure(s, app)
        assert s.scalar(select(m.Application.stage).where(m.Application.id == app)) == "issue"
        assert s.scalar(select(m.Application.version).where(m.Application.id == app)) == 1  # no editor conflict
    assert proc.current == "issue" and proc.forward_targets() == []
    assert [(t.to_stage, t.on.isoformat(), t.by) for t in proc.transitions][-3:] == [
        ("publicity", "2024-07-01", "鞍山市科学技术局"), ("recognition", "2024-07-10", "李局长"),
        ("issue", "2024-07-20", "鞍山市科学技术局")]
    assert proc.transitions[-2].note == "认定决定（鞍科发〔2024〕30号）"

    # 002 § 第十一条, 第十二条: validity 5 years; summary by 12-31; mid-term year 3, final year 5
    st = status(db, app, "2024-07-10")
    assert st.state == "active" and st.expires_on == D("2029-07-09")
    assert dues(st, "summary") == [(y, f"{y}-12-31") for y in range(2024, 2029)]
    assert dues(st, "mid_term") == [(3, "2027-07-09")]
    assert dues(st, "final") == [(5, "2029-07-09")]

    for year in (2024, 2025, 2026):
        lc.record(db, app, "summary", D(f"{year}-12-20"))
    st = status(db, app, "2027-06-15")
    assert [o.status for o in st.obligations if o.kind == "summary"] == ["done", "done", "done", "upcoming", "upcoming"]
    assert ob(st, "mid_term", 3).status == "due" and ob(st, "mid_term", 3).days == 24

    # 期中评估较差 → 告诫、限期整改 (90 days, office-configured)
    out = lc.record(db, app, "mid_term", D("2027-06-30"), result="较差", score=55)
    assert out.record.period == 3 and out.record.result == "poor"
    assert [a.text for a in out.consequences] == ["期中考核评估较差：已给予告诫，限期于 2027-09-28 前整改"]
    assert out.status.state == "warned"
    rect = ob(out.status, "rectification", out.record.id)
    assert (rect.due, rect.configured_by) == (D("2027-09-28"), "office")
    assert status(db, app, "2027-09-29").state == "at_risk"  # rectification overdue
    lc.record(db, app, "rectification", D("2027-09-20"), result="pass", note="整改报告已审")
    st = status(db, app, "2027-10-01")
    assert st.state == "active" and ob(st, "rectification", out.record.id).status == "done"

    lc.record(db, app, "summary", D("2028-01-15"), period=2027)  # late, named explicitly
    lc.record(db, app, "summary", D("2028-12-28"))
    st = status(db, app, "2029-01-05")
    assert ob(st, "summary", 2027).status == "late" and ob(st, "summary", 2028).status == "done"
    with db.Session() as s:
        d = lc.dashboard(s, D("2029-01-05"))
    assert [a.application_id for a in d.expiring] == [app]
    out = lc.record(db, app, "final", D("2029-06-20"), result="pass", score=86)
    assert out.status.state == "active"
    st = status(db, app, "2029-07-09")
    assert st.state == "active" and all(not o.is_open for o in st.obligations)
    st = status(db, app, "2029-07-10")
    assert st.state == "expired" and st.alerts[0].text == "有效期已于 2029-07-09 届满"
    assert "无需取消资格" in refused(lc.record, db, app, "revocation", D("2029-08-01"))[0]
    with db.Session() as s:
        assert lc.due_obligations(s, D("2029-07-10")) == []
        assert lc.dashboard(s, D("2029-07-10")).expiring == []


def test_anshan_recognition_waits_for_five_working_days_of_publicity(db):
    # 002 § 第九条4: 公示 5 个工作日, 公示期满无异议的予以认定. Published on the last working day
    # before the National Day holiday of 2024 (10-01..10-07 off, 10-12 a 调休 working Saturday):
    # 09-30, 10-08, 10-09, 10-10, 10-11 are the five working days.
    app = imported(db, "anshan")
    walk(db, app, [("apply", "2024-08-01"), ("county_review", "2024-08-10"), ("expert_review", "2024-08-20"),
                   ("director_meeting", "2024-09-10"), ("publicity", "2024-09-30")])
    msg = ("公示期未满：自 2024-09-30 起公示 5 个工作日，至 2024-10-11 期满（002 § 第九条4）；"
           "最早可于 2024-10-12 进入下一步")
    assert refused(lc.decide, db, app, "recognized", D("2024-10-08")) == [msg]
    assert refused(lc.decide, db, app, "recognized", D("2024-10-11")) == [msg]
    assert refused(lc.move_stage, db, app, "recognition", D("2024-10-11")) == [msg]
    with db.Session() as s:
        assert lc.get_decision(s, app) is None  # nothing written
    # an objection may still end it during publicity, and going back is always possible
    assert "公示期未满" not in " ".join(refused(lc.move_stage, db, app, "director_meeting", D("2024-10-09")))
    view = lc.decide(db, app, "recognized", D("2024-10-12"), doc_no="鞍科发〔2024〕41号")
    assert view.decided_on == D("2024-10-12")


def test_a_refusal_during_publicity_is_allowed(db):
    app = imported(db, "anshan")
    walk(db, app, [("apply", "2024-08-01"), ("county_review", "2024-08-10"), ("expert_review", "2024-08-20"),
                   ("director_meeting", "2024-09-10"), ("publicity", "2024-09-30")])
    assert lc.decide(db, app, "rejected", D("2024-10-08"), note="公示期内收到实名异议，经核实属实").label == "不予认定"


def test_a_publicity_step_needs_a_period_in_the_pack(tmp_path):
    from alliance_desk.rules.packs import regions_dir

    src = (regions_dir() / "anshan.toml").read_text(encoding="utf-8")
    broken = tmp_path / "anshan.toml"
    broken.write_text(src.replace("[publicity]\nconfigured_by = \"notice\"\ndays = 5",
                                  "[publicity]\nconfigured_by = \"notice\"\ndays = 0"), encoding="utf-8")
    assert "days = 0" in broken.read_text(encoding="utf-8")
    with pytest.raises(PackError, match="publicity = true 的步骤"):
        lc._config_from_pack(load_pack(broken))


def test_anshan_final_evaluation_failed_means_revocation(db):
    app = imported(db, "anshan")
    lc.decide(db, app, "recognized", D("2024-07-10"))  # procedure not tracked here: decided directly
    with db.Session() as s:
        proc = lc.procedure(s, app)
    assert proc.current == "recognition" and proc.transitions[0].direction == "decision"
    out = lc.record(db, app, "final", D("2029-05-10"), result="fail")
    assert out.status.state == "revocable"
    assert [a.text for a in out.consequences] == ["期满运行综合评估（期末）不合格：应取消资格"]
    with db.Session() as s:
        assert [a.application_id for a in lc.dashboard(s, D("2029-05-11")).at_risk] == [app]
    out = lc.record(db, app, "revocation", D("2029-05-20"), doc_no="鞍科发〔2029〕5号")
    st = status(db, app, "2029-05-21")
    assert st.state == "revoked" and st.revoked_on == D("2029-05-20")
    # nothing falls due after the revocation; the failed evaluation that caused it stays visible
    assert [(o.kind, o.status) for o in st.obligations if o.due > D("2029-05-20")] == [("final", "failed")]
    assert dues(st, "summary") == [(y, f"{y}-12-31") for y in range(2024, 2029)]
    assert refused(lc.record, db, app, "summary", D("2029-06-01"))[0].endswith("已于 2029-05-20 取消资格，不能再登记")


# ------------------------------------------------------------------ Gansu: application to revocation

def test_gansu_from_application_to_revocation(db):
    app = decided_and_announced(
        db, "gansu", [("apply", "2024-05-06"), ("local_review", "2024-05-20"), ("expert_review", "2024-07-15")],
        "甘肃省不作「认定」决定；可作的决定：批复成立（approved）、不予批复（rejected）",
        "approved", "2024-09-10", "甘工信发〔2024〕88号", "2024-09-20")

    st = status(db, app, "2024-09-10")
    assert st.expires_on is None
    # 001 § 四3: summary of the previous year before March (by the end of February)
    assert dues(st, "summary") == [(2024, "2025-02-28")]
    st = status(db, app, "2028-01-10")
    assert dues(st, "summary") == [(2024, "2025-02-28"), (2025, "2026-02-28"), (2026, "2027-02-28"),
                                   (2027, "2028-02-29")]
    # every two years, counted from the year after approval: 2025, 2027, ...
    assert dues(st, "assessment") == [(2025, "2025-12-31"), (2027, "2027-12-31")]
    assert ob(st, "assessment", 2027).office_configured == ("due",) and "2025、2027" in ob(st, "assessment", 2027).reading

    lc.record(db, app, "summary", D("2025-02-20"))
    assert status(db, app, "2025-03-01").state == "active"
    # 001 § 四4: a change of the lead unit is reported the same year
    out = lc.record(db, app, "change", D("2025-04-01"), topic="lead_renamed", note="更名为甘肃某某集团")
    assert [a.text for a in out.consequences] == ["新增事项：重大调整报备（牵头单位更名），应于 2025-12-31 前完成"]
    assert ob(out.status, "change_report", out.record.id).due == D("2025-12-31")
    lc.record(db, app, "change_report", D("2025-05-10"))
    assert ob(status(db, app, "2025-05-10"), "change_report", out.record.id).status == "done"
    out = lc.record(db, app, "change_report", D("2025-08-01"), topic="members_changed")  # report of a new change
    assert out.record.period is not None and ob(out.status, "change_report", out.record.period).status == "done"

    out = lc.record(db, app, "assessment", D("2025-11-20"), result="fail", score=48)
    assert out.status.state == "at_risk" and out.record.period == 2025
    assert out.consequences[0].text == "两年一次考核（2025 年）不合格；连续两次考核不合格将取消资格"
    lc.record(db, app, "summary", D("2026-02-25"))
    lc.record(db, app, "summary", D("2027-02-25"))
    out = lc.record(db, app, "assessment", D("2027-11-25"), result="不合格")
    assert out.status.state == "revocable"
    assert out.consequences[0].text == "连续两次考核不合格：已满足取消资格条件（2025 年、2027 年）"
    assert out.consequences[0].clause == "001 § 四3"
    lc.record(db, app, "revocation", D("2028-01-15"), doc_no="甘工信发〔2028〕3号", note="考核不合格，向社会公示")
    st = status(db, app, "2028-03-10")
    assert st.state == "revoked"
    assert dues(st, "summary") == [(2024, "2025-02-28"), (2025, "2026-02-28"), (2026, "2027-02-28")]
    with db.Session() as s:
        assert lc.due_obligations(s, D("2028-03-10")) == []
        assert lc.dashboard(s, D("2028-03-10")).at_risk == []


def test_gansu_two_missing_summaries_put_the_alliance_up_for_revocation(db):
    app = imported(db, "gansu")
    lc.decide(db, app, "approved", D("2024-03-15"))
    assert status(db, app, "2025-02-28").state == "active"
    st = status(db, app, "2025-03-01")
    assert st.state == "at_risk" and ob(st, "summary", 2024).status == "overdue"
    with db.Session() as s:
        d = lc.dashboard(s, D("2025-03-01"))
    assert [o.period for o in d.overdue] == [2024] and [a.application_id for a in d.at_risk] == [app]
    st = status(db, app, "2026-03-01")
    assert st.state == "revocable"
    assert "连续两年不报送工作总结：已满足取消资格条件（2024 年度、2025 年度）" in [a.text for a in st.alerts]
    lc.record(db, app, "summary", D("2026-03-05"), period=2025)  # late, but sent: no longer missing
    st = status(db, app, "2026-03-06")
    # the run of missing years is broken: 2024 stays overdue, but no longer with a missing neighbour
    assert st.state == "active" and ob(st, "summary", 2025).status == "late"
    assert ob(st, "summary", 2024).status == "overdue"


# ------------------------------------------------------------------ Ganzhou: eight steps, annual tasks

def test_ganzhou_from_intent_to_launch_and_annual_task_scores(db):
    app = imported(db, "ganzhou")
    # 第一步 may be skipped (the county names the lead): the procedure may start at 第二步
    walk(db, app, [("lead_confirmed", "2022-06-01"), ("organization", "2022-06-20"), ("agreement", "2022-07-05"),
                   ("submit", "2022-08-01"), ("county_recommend", "2022-08-20"), ("city_review", "2022-09-01")])
    assert refused(lc.move_stage, db, app, "launch", D("2022-09-15")) == [
        "进入「成立大会」须先在「市局审核发文」步骤记录决定（003 § 组建指引 第七步）"]
    lc.decide(db, app, "filed", D("2022-09-10"), doc_no="赣市科字〔2022〕50号")
    lc.move_stage(db, app, "launch", D("2022-10-20"), note="成立大会暨理事会第一次会议")

    st = status(db, app, "2023-01-01")
    assert st.expires_on is None
    # 003 § 文件12: the 100-point yearly task list, from the year after filing (office-configured)
    assert dues(st, "annual_tasks") == [(2023, "2023-12-31")]
    items = {"benchmark": 10, "teams": 10, "key_tech": 10, "problems": 8, "council_meeting": 10,
             "academic_meeting": 10, "general_meeting": 10, "guide": 7, "research": 5, "progress": 5}
    out = lc.record(db, app, "annual_tasks", D("2023-12-20"), items=items)
    assert (out.record.score, out.record.result, out.record.period) == (85, "pass", 2023)
    problems = refused(lc.record, db, app, "annual_tasks", D("2024-12-20"), items={"benchmark": 12, "x": 1})
    assert problems == ["「成员单位对标企业清单」得分 12 应在 0 到满分 10 之间",
                        "评分项「x」不在年度工作任务（4个清单，8项任务）（年度考核指标）中；可用：benchmark, teams, key_tech, "
                        "problems, council_meeting, academic_meeting, general_meeting, guide, research, progress, "
                        "summary, cases"]
    assert refused(lc.record, db, app, "annual_tasks", D("2024-12-20"), result="合格") == [
        "「年度工作任务考核（100 分）」按年度工作任务（4个清单，8项任务）（年度考核指标）打分：请给出分数（--score 或 "
        "--result 分数），不需要「pass」"]
    out = lc.record(db, app, "annual_tasks", D("2024-12-20"), score=55)
    assert out.status.state == "at_risk" and out.record.result == "fail"
    out = lc.record(db, app, "annual_tasks", D("2025-12-22"), result="50")
    assert out.status.state == "revocable"
    assert out.consequences[0].text.startswith("连续两年年度工作任务考核未达合格分（本单位配置）：已满足取消资格条件")
    lc.record(db, app, "revocation", D("2026-01-10"), note="退出（进入退出动态机制）")
    assert status(db, app, "2026-01-11").state == "revoked"


# ------------------------------------------------------------------ Chongqing: pilot, to expiry

def test_chongqing_pilot_to_expiry(db):
    app = decided_and_announced(
        db, "chongqing", [("submit", "2022-05-20"), ("district_review", "2022-05-28"), ("expert_review", "2022-06-20")],
        "重庆市不作「认定」决定；可作的决定：示范（demonstration）、试点（pilot）、不予认定（rejected）",
        "pilot", "2022-07-15", "渝经信科技〔2022〕20号", "2022-07-20")
    st = status(db, app, "2022-07-15")
    assert st.decision.label == "试点" and st.expires_on == D("2025-07-14")  # 3 years, office-configured
    assert dues(st, "report") == [(2022, "2022-12-31"), (2023, "2023-12-31"), (2024, "2024-12-31")]
    assert dues(st, "evaluation") == [(3, "2025-07-14")]
    for y in (2022, 2023, 2024):
        lc.record(db, app, "report", D(f"{y}-12-10"))
    out = lc.record(db, app, "evaluation", D("2025-06-30"), result="优秀", score=93)
    assert out.consequences[0].level == "note" and "工业和信息化资金" in out.consequences[0].text
    assert status(db, app, "2025-07-14").state == "active"
    assert status(db, app, "2025-07-15").state == "expired"


# ------------------------------------------------------------------ Jinzhong: recognised and rejected

def test_jinzhong_recognised_to_expiry_and_a_rejected_one(db):
    app = imported(db, "jinzhong")
    walk(db, app, [("prepare", "2023-08-01"), ("submit", "2023-09-20"), ("county_review", "2023-10-10"),
                   ("city_review", "2023-11-01")])
    lc.decide(db, app, "recognized", D("2023-12-01"), doc_no="市科发〔2023〕60号")
    st = status(db, app, "2023-12-01")
    assert st.expires_on == D("2026-11-30")
    assert dues(st, "summary") == [(2023, "2023-12-31"), (2024, "2024-12-31"), (2025, "2025-12-31")]
    assert dues(st, "evaluation") == [(3, "2026-11-30")]
    assert ob(st, "summary", 2023).status == "due"
    assert status(db, app, "2024-01-02").state == "active"  # no revocation rule for Jinzhong summaries
    with db.Session() as s:
        assert [o.period for o in lc.due_obligations(s, D("2024-01-02"))] == [2023]
    lc.record(db, app, "evaluation", D("2026-11-20"), result="fail")
    assert status(db, app, "2026-11-21").state == "at_risk"
    assert status(db, app, "2026-12-01").state == "expired"

    other = imported(db, "jinzhong", suffix="9")
    walk(db, other, [("prepare", "2023-08-01"), ("submit", "2023-09-20"), ("county_review", "2023-10-10")])
    lc.decide(db, other, "rejected", D("2023-10-20"), note="县级未推荐")
    assert refused(lc.move_stage, db, other, "city_review", D("2023-11-01")) == [
        "已于 2023-10-20 作出不予认定决定，办理程序已终止，不能再变更步骤"]
    assert refused(lc.record, db, other, "summary", D("2023-12-01")) == [
        "「测试9新能源汽车产业技术创新联盟」已于 2023-10-20 被决定不予认定，不能登记「年度工作总结」"]
    assert status(db, other, "2024-01-01").state == "rejected"


# ------------------------------------------------------------------ refusals write nothing; dashboard

def test_refusals_are_chinese_and_write_nothing(db):
    app = imported(db, "anshan")
    lc.move_stage(db, app, "apply", D("2024-06-03"))
    before = digest(db)
    cases = [
        (lc.record, (db, "no-such-id", "summary", D("2025-01-01")), "没有 id 为 no-such-id 的联盟（申报）"),
        (lc.move_stage, (db, "no-such-id", "apply", D("2025-01-01")), "没有 id 为 no-such-id 的联盟（申报）"),
        (lc.decide, (db, "no-such-id", "recognized", D("2025-01-01")), "没有 id 为 no-such-id 的联盟（申报）"),
        (lc.move_stage, (db, app, "warp", D("2024-06-04")), "「warp」不是鞍山市办理程序中的步骤"),
        (lc.move_stage, (db, app, "apply", D("2024-06-04")), "已处于「提交申请」步骤"),
        (lc.decide, (db, app, "maybe", D("2024-06-04")), "决定「maybe」未知"),
        (lc.record, (db, app, "summary", D("2024-06-04")), "尚未认定（还没有记录决定），不能登记"),
    ]
    for fn, args, message in cases:
        assert message in refused(fn, *args)[0]
    assert digest(db) == before
    lc.decide(db, app, "rejected", D("2024-06-10"))
    before = digest(db)
    for fn, args, message in [
        (lc.record, (db, app, "summary", D("2025-01-01")), "被决定不予认定"),
        (lc.move_stage, (db, app, "county_review", D("2025-01-01")), "办理程序已终止"),
    ]:
        assert message in refused(fn, *args)[0]
    assert digest(db) == before

    ok = imported(db, "anshan", suffix="7")
    lc.decide(db, ok, "recognized", D("2024-07-10"))
    lc.record(db, ok, "summary", D("2024-12-01"))
    before = digest(db)
    for args, kw, message in [
        ((db, ok, "mid_term", D("2027-06-01")), {}, "请给出「期中考核评估」的结果（--result）"),
        ((db, ok, "mid_term", D("2027-06-01")), {"result": "fail"}, "「期中考核评估」的结果「fail」无效"),
        ((db, ok, "summary", D("2025-03-01")), {"result": "pass"}, "只登记收到日期，不需要结果或分数"),
        ((db, ok, "summary", D("2025-03-01")), {"period": 2024}, "2024 年度「年度技术创新活动总结和下一年度计划」已于 2024-12-01 登记"),
        ((db, ok, "summary", D("2025-03-01")), {"period": 2031}, "2031 不是「年度技术创新活动总结和下一年度计划」的期次"),
        ((db, ok, "summary", D("2024-05-01")), {}, "登记日期 2024-05-01 早于认定日期 2024-07-10"),
        ((db, ok, "mid_term", D("2025-06-01")), {"result": "pass"}, "没有待登记的「期中考核评估」"),
        ((db, ok, "change", D("2025-06-01")), {}, "鞍山市没有「change」这一登记事项"),
        ((db, ok, "rectification", D("2025-06-01")), {}, "没有待登记的整改事项"),
    ]:
        assert message in refused(lc.record, *args, **kw)[0], message
    assert digest(db) == before


def test_a_summary_is_answered_once_whatever_the_order_of_entry(db):
    app = imported(db, "anshan")
    lc.decide(db, app, "recognized", D("2024-07-10"))
    assert lc.record(db, app, "summary", D("2025-12-20"), period=2025).record.period == 2025
    # entered afterwards but dated earlier: 2025 is already answered, so it answers the open 2024
    assert lc.record(db, app, "summary", D("2025-01-10")).record.period == 2024
    assert "没有待登记的" in refused(lc.record, db, app, "summary", D("2025-06-01"))[0]
    with db.Session() as s:
        periods = sorted(r.period for r in s.scalars(select(lm.ObligationRecord)))
    assert periods == [2024, 2025]
    # oldest outstanding first: a Gansu summary arriving in April answers last year's overdue one
    gs = imported(db, "gansu")
    lc.decide(db, gs, "approved", D("2024-03-15"))
    assert lc.record(db, gs, "summary", D("2025-02-20")).record.period == 2024
    assert lc.record(db, gs, "summary", D("2026-04-05")).record.period == 2025


def test_dashboard_groups_and_due_list_across_regions(db):
    an = imported(db, "anshan")
    gs = imported(db, "gansu")
    cq = imported(db, "chongqing")
    lc.decide(db, an, "recognized", D("2021-03-01"))
    lc.decide(db, gs, "approved", D("2024-03-15"))
    lc.decide(db, cq, "demonstration", D("2022-12-20"))
    with db.Session() as s:
        d = lc.dashboard(s, D("2025-12-15"))
        due = lc.due_obligations(s, D("2025-12-15"))
    # due within 30 days: Anshan 2025 summary, Gansu 2025 assessment, Chongqing's evaluation before expiry
    assert sorted((o.region, o.kind, o.due.isoformat()) for o in d.due_soon) == [
        ("anshan", "summary", "2025-12-31"), ("chongqing", "evaluation", "2025-12-19"),
        ("gansu", "assessment", "2025-12-31")]
    overdue = sorted((o.region, o.kind, o.period) for o in d.overdue)
    assert ("anshan", "mid_term", 3) in overdue and ("gansu", "summary", 2024) in overdue
    assert ("anshan", "summary", 2021) in overdue
    assert {a.application_id for a in d.at_risk} == {gs}  # one Gansu summary missing
    assert [a.application_id for a in d.expiring] == [cq]
    assert d.expiring[0].expires_on == D("2025-12-19")  # 2022-12-20 + 3 years − 1 day
    assert {(o.application_id, o.kind, o.period) for o in due} == \
        {(o.application_id, o.kind, o.period) for o in d.due_soon + d.overdue}
    assert all(o.status in ("due", "overdue") for o in due)


def test_deleting_an_application_removes_its_lifecycle_rows(db):
    app = imported(db, "anshan")
    lc.decide(db, app, "recognized", D("2024-07-10"))
    lc.move_stage(db, app, "issue", D("2024-07-20"))
    lc.record(db, app, "summary", D("2024-12-01"))
    with db.Session() as s:
        assert [len(s.scalars(select(x)).all()) for x in (lm.StageTransition, lm.Decision, lm.ObligationRecord)] == \
            [2, 1, 1]
    store.delete_application(db, app)
    with db.Session() as s:
        for model in (lm.StageTransition, lm.Decision, lm.ObligationRecord):
            assert s.scalars(select(model)).all() == []
