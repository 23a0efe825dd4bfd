"""Every rule added or changed for the clause register, exactly on its boundary and one step past it.
Each test names the clause it proves (`000 § 三(三)` -> `test_000_3_3_...`)."""
from __future__ import annotations

import pytest

from alliance_desk.rules.engine import OUTCOME_MET, Confirmation, evaluate
from factory import eligible, member
from test_rules import item, status


def flag_rule(region, rule, container, key, missing_words=None):
    """A stated fact judged by `rule`: true passes, false fails, and (with `missing_words`) an old
    file without the fact fails with those words in the message."""
    doc = eligible(region)
    node = doc[container] if container else doc
    assert status(doc, rule) == "pass"
    node[key] = False
    assert status(doc, rule) == "fail"
    if missing_words is not None:
        del node[key]
        it = item(doc, rule)
        assert it.status == "fail" and missing_words in it.message


def _material(doc, code):
    return next(m for m in doc["materials"] if m["code"] == code)


# ------------------------------------------------------------------ 000 晋中

def test_000_3_3_composition_one_university_passes_none_fails():
    doc = eligible("jinzhong")
    for m in doc["members"]:
        if m["kind"] in ("university", "research_institute") and m is not doc["members"][1]:
            m["kind"] = "enterprise"
    assert status(doc, "JZ-COMPOSITION") == "pass"  # exactly one university
    doc["members"][1]["kind"] = "industry_association"
    it = item(doc, "JZ-COMPOSITION")
    assert it.status == "fail" and "高校或科研院所" in it.message
    assert not evaluate(doc).eligible


def test_000_3_5_external_liability_body_true_passes_false_fails():
    flag_rule("jinzhong", "JZ-LIABILITY", "organization", "external_liability_body", "明确对外承担责任的主体")


@pytest.mark.parametrize("classes,expected", [(["chain_master"], "pass"), (["leading"], "pass"),
                                              (["specialized_national", "high_tech"], "warn"), ([], "warn")])
def test_000_3_2_priority_for_leading_or_chain_master_lead_is_a_warn(classes, expected):
    doc = eligible("jinzhong")
    doc["members"][0]["enterprise_class"] = classes
    assert status(doc, "JZ-LEAD-PRIORITY") == expected
    assert evaluate(doc).eligible  # 优先支持 never blocks


@pytest.mark.parametrize("expires,expected", [("2026-09-07", "pass"), ("2026-09-06", "fail")])
def test_000_3_4_agreement_term_counted_inclusively(expires, expected):
    doc = eligible("jinzhong")
    doc["submitted_at"] = "2023-09-08T10:00"
    doc["agreement"]["expires_on"] = expires
    assert status(doc, "JZ-AGREEMENT-TERM") == expected


@pytest.mark.parametrize("rule,clause", [("JZ-DEMAND", "000 § 三(一)"), ("JZ-LEAD-LEVEL", "000 § 三(二)"),
                                         ("JZ-MEMBERS-LEVEL", "000 § 三(三)")])
def test_000_3_1_and_3_2_judgements_are_manual_items_in_the_clause_words(rule, clause):
    doc = eligible("jinzhong")
    it = item(doc, rule)
    assert it.status == "manual" and it.clause == clause and it.text in it.message
    assert evaluate(doc).eligible  # unanswered, never blocking


# ------------------------------------------------------------------ 001 甘肃

def test_001_3_1_written_application_gs_m5_required():
    doc = eligible("gansu")
    assert status(doc, "GS-MATERIALS") == "pass"
    _material(doc, "GS-M5")["received"] = False
    it = item(doc, "GS-MATERIALS")
    assert it.status == "fail" and "GS-M5" in it.message and "书面申请" in it.message
    doc["materials"] = [m for m in doc["materials"] if m["code"] != "GS-M5"]
    assert status(doc, "GS-MATERIALS") == "fail"
    assert not evaluate(doc).eligible


def test_001_2_3_external_liability_body_true_passes_false_fails():
    flag_rule("gansu", "GS-LIABILITY", "organization", "external_liability_body")


@pytest.mark.parametrize("rule,clause", [("GS-GOALS-LT", "001 § 二(四)"), ("GS-KEY-TECH", "001 § 三(二)2"),
                                         ("GS-DRIVING", "001 § 三(二)3"), ("GS-STANDING", "001 § 二(一)")])
def test_001_2_1_2_4_and_3_2_manual_items_block_only_when_confirmed_not_met(rule, clause):
    doc = eligible("gansu")
    it = item(doc, rule)
    assert it.status == "manual" and it.clause == clause
    conf = {rule: Confirmation(rule, OUTCOME_MET, "王科长", "2026-11-20T10:30", "")}
    assert status(doc, rule, confirmations=conf) == "pass"
    conf = {rule: Confirmation(rule, "not_met", "王科长", "2026-11-20T10:30", "")}
    assert status(doc, rule, confirmations=conf) == "fail"


# ------------------------------------------------------------------ 002 鞍山

def _anshan_provincial(on):
    doc = eligible("anshan")
    doc["members"] = [member(1, "anshan", role="lead")]  # fails composition unless exempt
    doc["provincial_recognized"] = True
    if on is not None:
        doc["provincial_recognized_on"] = on
    return doc


def test_002_13_recognised_the_day_before_the_banfa_is_exempt():
    doc = _anshan_provincial("2016-08-22")
    res = evaluate(doc)
    assert res.eligible and item(doc, "AS-PROVINCIAL").status == "pass"


def test_002_13_recognised_on_the_day_the_banfa_was_issued_is_not_exempt():
    doc = _anshan_provincial("2016-08-23")
    it = item(doc, "AS-PROVINCIAL")
    assert it.status == "na" and "2016-08-23" in it.message
    assert status(doc, "AS-COMPOSITION") == "fail"  # the whole checklist applies
    assert not evaluate(doc).eligible


def test_002_13_old_file_without_recognition_date_reports_the_missing_fact():
    doc = _anshan_provincial(None)
    it = item(doc, "AS-PROVINCIAL")
    assert it.status == "na" and "未填写省级联盟认定日期" in it.message
    assert it.field == "provincial_recognized_on"
    assert not evaluate(doc).eligible


@pytest.mark.parametrize("rule,clause", [("AS-AGREEMENT-LAW", "002 § 第八条1"), ("AS-STANDING", "002 § 第八条2"),
                                         ("AS-GOALS-LEAD", "002 § 第八条4")])
def test_002_8_1_2_and_4_manual_items(rule, clause):
    doc = eligible("anshan")
    it = item(doc, rule)
    assert it.status == "manual" and it.clause == clause


# ------------------------------------------------------------------ 003 赣州

def test_003_2_lead_unit_inside_ganzhou():
    doc = eligible("ganzhou")
    assert status(doc, "GZ-LEAD-LOCAL") == "pass"
    doc["members"][0]["in_region"] = False
    assert status(doc, "GZ-LEAD-LOCAL") == "fail"
    doc["members"][0]["in_region"] = True
    doc["members"][1]["in_region"] = False  # only the lead unit counts
    assert status(doc, "GZ-LEAD-LOCAL") == "pass"


@pytest.mark.parametrize("industry,expected", [
    ("医药食品产业", "pass"),            # a listed chain
    ("医药食品产业—中药材", "pass"),      # a sub-item of it (附件1 备注)
    ("医药食品产业（生物医药）", "pass"),
    ("医药食品产业园", "warn"),           # not a sub-item: the name only starts alike
    ("稀土产业", "warn"),                 # unlisted: 其他产业, with a warn
    ("其他产业", "pass"),
    ("  ", "fail"),                       # nothing written is not 其他产业
])
def test_003_annex1_other_industries_row_and_subitems(industry, expected):
    doc = eligible("ganzhou")
    doc["industry"] = industry
    it = item(doc, "GZ-INDUSTRY")
    assert it.status == expected
    if industry == "医药食品产业—中药材":
        assert "市科技局农社科" in it.message
    if expected == "warn":
        assert "其他产业" in it.message
        assert evaluate(doc).eligible


@pytest.mark.parametrize("rule,clause", [
    ("GZ-LEAD-STANDING", "003 § 第四条1"), ("GZ-LEAD-ORGANIZING", "003 § 第四条2"), ("GZ-LEAD-TALENT", "003 § 第四条3"),
    ("GZ-MEMBERS-ACADEMIC", "003 § 第五条2"), ("GZ-MEMBERS-ENTERPRISE", "003 § 第五条3")])
def test_003_4_and_5_manual_items(rule, clause):
    doc = eligible("ganzhou")
    it = item(doc, rule)
    assert it.status == "manual" and it.clause == clause


# ------------------------------------------------------------------ 004 重庆

@pytest.mark.parametrize("path", ["operation_mechanism", "management_mechanism"])
def test_004_1_1_3_operating_and_management_mechanisms(path):
    flag_rule("chongqing", "CQ-MECHANISMS", "systems", path, "缺少")


def test_004_1_1_5_long_term_collaborative_innovation_mechanism():
    flag_rule("chongqing", "CQ-COLLAB", "systems", "collaborative_innovation")


def test_004_3_1_materials_sealed_by_all_member_units():
    flag_rule("chongqing", "CQ-SEALED", None, "materials_sealed_by_all", "所有成员单位盖章")


def test_004_3_2_former_pilot_applying_for_demonstration_must_add_cq_m6():
    doc = eligible("chongqing")
    doc["tier_requested"] = "demonstration"
    doc["previously_pilot"] = True
    it = item(doc, "CQ-PILOT-DOC")
    assert it.status == "fail" and "CQ-M6" in it.message
    doc["materials"].append({"code": "CQ-M6", "received": True, "copies": 1})
    assert status(doc, "CQ-PILOT-DOC") == "pass"


@pytest.mark.parametrize("tier,pilot", [("pilot", True), ("demonstration", False), (None, True)])
def test_004_3_2_cq_m6_not_asked_of_others(tier, pilot):
    doc = eligible("chongqing")
    doc["tier_requested"] = tier
    doc["previously_pilot"] = pilot
    it = item(doc, "CQ-PILOT-DOC")
    assert it.status == "na" and "不适用" in it.message


@pytest.mark.parametrize("at,expected", [("2022-05-30T23:59", "pass"), ("2022-05-31T00:00", "fail")])
def test_004_3_1_may_30_is_the_districts_deadline(at, expected):
    doc = eligible("chongqing")
    doc["submitted_at"] = at
    it = item(doc, "CQ-DEADLINE")
    assert it.status == expected and "区县" in it.message


def test_004_1_1_1_lead_level_is_a_manual_item():
    doc = eligible("chongqing")
    it = item(doc, "CQ-LEAD-LEVEL")
    assert it.status == "manual" and it.clause == "004 § 一(一)1"


def test_004_1_1_4_benefit_guarantee_mechanism_in_the_agreement():
    flag_rule("chongqing", "CQ-BENEFIT", "agreement", "ip_terms")


def test_every_rule_beyond_regions_md_is_tested_here():
    """The rules the clause register added (those not in the spec's table) each have a test above."""
    import re
    from pathlib import Path

    from alliance_desk.rules.packs import all_packs

    spec = Path(__file__).resolve().parents[2] / "shared" / "spec" / "regions.md"
    if not spec.exists():
        pytest.skip("shared/spec/regions.md not beside the checkout")
    listed = set(re.findall(r"^\| ([A-Z]{2}-[A-Z-]+) \|", spec.read_text(encoding="utf-8"), flags=re.M))
    here = Path(__file__).read_text(encoding="utf-8")
    added = [r.id for p in all_packs().values() for r in p.rules if r.id not in listed]
    assert len(added) >= 25
    assert [r for r in added if f'"{r}"' not in here] == []
