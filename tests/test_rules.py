"""Every rule id of regions.md, at both sides of its threshold."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from alliance_desk.rules.engine import OUTCOME_MET, OUTCOME_NOT_MET, Confirmation, evaluate
from alliance_desk.rules.packs import all_packs
from factory import eligible, member, uscc

REGIONS_MD = Path(__file__).resolve().parents[2] / "shared" / "spec" / "regions.md"


def item(doc, rule, **kw):
    res = evaluate(doc, **kw)
    found = [i for i in res.items if i.rule == rule]
    assert len(found) == 1, f"{rule} reported {len(found)} times"
    return found[0]


def status(doc, rule, **kw):
    return item(doc, rule, **kw).status


@pytest.mark.parametrize("region", ["jinzhong", "gansu", "anshan", "ganzhou", "chongqing"])
def test_baseline_is_eligible_with_every_rule_reported(region):
    res = evaluate(eligible(region))
    assert res.eligible, [i.message for i in res.items if i.status == "fail"]
    ids = [i.rule for i in res.items]
    assert ids == [r.id for r in all_packs()[region].rules]
    for it in res.items:
        assert re.match(r"^\d{3} § .+", it.clause), it.clause
        assert it.message


def test_every_rule_id_of_regions_md_is_in_its_pack():
    if not REGIONS_MD.exists():
        pytest.skip("shared/spec/regions.md not beside the checkout")  # CI runs with shared/ beside it
    text = REGIONS_MD.read_text(encoding="utf-8")
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    for sec in sections:
        region = sec.split(" ", 1)[0]
        spec_ids = re.findall(r"^\| ([A-Z]{2}-[A-Z-]+) \|", sec, flags=re.M)
        assert spec_ids, region
        pack_ids = {r.id for r in all_packs()[region].rules}
        assert set(spec_ids) <= pack_ids, set(spec_ids) - pack_ids


# ------------------------------------------------------------------ counts

def _with_core(doc, n_core_total):
    """Make exactly n_core_total core members (lead included)."""
    for m in doc["members"]:
        if m["role"] == "core":
            m["role"] = "member"
    for m in doc["members"][1:n_core_total]:
        m["role"] = "core"
    return doc


def test_jz_core_min_4_fails_5_passes():
    assert status(_with_core(eligible("jinzhong"), 4), "JZ-CORE-MIN") == "fail"
    assert "核心成员（含牵头单位） 4 家，要求不少于 5 家" in item(_with_core(eligible("jinzhong"), 4),
                                                         "JZ-CORE-MIN").message
    assert status(_with_core(eligible("jinzhong"), 5), "JZ-CORE-MIN") == "pass"


@pytest.mark.parametrize("n,expected", [(30, "pass"), (31, "warn")])
def test_jz_total_max(n, expected):
    doc = eligible("jinzhong", n_members=n)
    assert len(doc["members"]) == n
    assert status(doc, "JZ-TOTAL-MAX") == expected
    assert evaluate(doc).eligible  # warn never blocks


@pytest.mark.parametrize("n,expected", [(9, "warn"), (10, "pass")])
def test_gz_members_min(n, expected):
    assert status(eligible("ganzhou", n_members=n), "GZ-MEMBERS-MIN") == expected


@pytest.mark.parametrize("n,expected", [(29, "fail"), (30, "pass"), (None, "fail")])
def test_cq_tech_staff(n, expected):
    doc = eligible("chongqing")
    doc["tech_staff_total"] = n
    assert status(doc, "CQ-TECH-STAFF") == expected


@pytest.mark.parametrize("n,expected", [(1, "warn"), (2, "pass"), (3, "pass"), (4, "warn")])
def test_gz_secretariat_size(n, expected):
    doc = eligible("ganzhou")
    doc["organization"]["secretariat"]["full_time_staff"] = n
    assert status(doc, "GZ-SECRETARIAT-SIZE") == expected


@pytest.mark.parametrize("n,expected", [(7, "warn"), (8, "pass"), (12, "pass"), (13, "warn")])
def test_gz_experts(n, expected):
    from factory import holders
    doc = eligible("ganzhou")
    doc["organization"]["expert_committee"] = holders(n, "专家")
    assert status(doc, "GZ-EXPERTS") == expected


# ------------------------------------------------------------------ agreement term and deadline

@pytest.mark.parametrize("expires,expected", [("2026-09-19", "pass"), ("2026-09-18", "fail")])
def test_jz_agreement_exactly_three_years(expires, expected):
    doc = eligible("jinzhong")  # submitted 2023-09-20T10:00
    doc["agreement"]["expires_on"] = expires
    assert status(doc, "JZ-AGREEMENT-TERM") == expected


def test_jz_agreement_without_end_date():
    doc = eligible("jinzhong")
    doc["agreement"]["expires_on"] = None
    it = item(doc, "JZ-AGREEMENT-TERM")
    assert it.status == "fail" and "协议未写明期限" in it.message


def test_jz_agreement_leap_day():
    doc = eligible("jinzhong")
    doc["submitted_at"] = "2024-02-29T09:00"
    doc["call"] = None
    del doc["call"]
    doc["agreement"]["expires_on"] = "2027-02-28"
    assert status(doc, "JZ-AGREEMENT-TERM") == "pass"
    doc["agreement"]["expires_on"] = "2027-02-27"
    assert status(doc, "JZ-AGREEMENT-TERM") == "fail"


@pytest.mark.parametrize("region,rule,at,expected", [
    ("jinzhong", "JZ-DEADLINE", "2023-09-30T18:00", "pass"),
    ("jinzhong", "JZ-DEADLINE", "2023-09-30T18:01", "fail"),
    ("chongqing", "CQ-DEADLINE", "2022-05-30T23:59", "pass"),
    ("chongqing", "CQ-DEADLINE", "2022-05-31T00:00", "fail"),
])
def test_deadline_minute(region, rule, at, expected):
    doc = eligible(region)
    doc["submitted_at"] = at
    assert status(doc, rule) == expected


def test_deadline_na_for_unknown_or_open_calls():
    doc = eligible("jinzhong")
    doc["call"] = "jinzhong-2099"
    it = item(doc, "JZ-DEADLINE")
    assert it.status == "na" and "jinzhong-2099" in it.message
    del doc["call"]
    assert status(doc, "JZ-DEADLINE") == "na"


def test_deadline_uses_office_calls():
    from alliance_desk.rules.packs import Call
    from datetime import datetime
    doc = eligible("jinzhong")
    doc["call"] = "jinzhong-2024"
    doc["submitted_at"] = "2024-10-01T09:00"
    calls = {"jinzhong-2024": Call("jinzhong-2024", "jinzhong", "2024年度", datetime(2024, 9, 30, 18, 0))}
    assert status(doc, "JZ-DEADLINE", calls=calls) == "fail"


# ------------------------------------------------------------------ flags and organisation

@pytest.mark.parametrize("region,rule,path", [
    ("jinzhong", "JZ-AGREEMENT-SIGNED", "agreement.sealed"),
    ("jinzhong", "JZ-AGREEMENT-SIGNED", "agreement.signed_by_legal_reps"),
    ("jinzhong", "JZ-AGREEMENT-CONTENT", "agreement.task_division"),
    ("jinzhong", "JZ-FUNDING", "systems.funding_supervision"),
    ("jinzhong", "JZ-SECRETARIAT-LEAD", "organization.secretariat.in_lead_unit"),
    ("gansu", "GS-AGREEMENT", "agreement.innovation_goals"),
    ("gansu", "GS-CHARTER", "systems.charter"),
    ("gansu", "GS-SYSTEMS", "systems.confidentiality"),
    ("gansu", "GS-IP", "agreement.breach_terms"),
    ("gansu", "GS-OPEN", "systems.open_membership"),
    ("gansu", "GS-DIFFUSION", "systems.results_diffusion"),
    ("anshan", "AS-GOALS", "agreement.task_division"),
    ("anshan", "AS-FUNDING", "systems.funding_management"),
    ("ganzhou", "GZ-AGREEMENT", "agreement.sealed"),
    ("chongqing", "CQ-LIABILITY", "organization.external_liability_body"),
    ("chongqing", "CQ-AGREEMENT", "agreement.innovation_goals"),
    ("chongqing", "CQ-FUNDING", "systems.funding_management"),
    ("chongqing", "CQ-OPEN", "systems.results_diffusion"),
])
def test_flag_rules(region, rule, path):
    from alliance_desk.rules.packs import get_pack
    expected_unmet = get_pack(region).rule(rule).status
    doc = eligible(region)
    assert status(doc, rule) == "pass"
    node = doc
    *parents, last = path.split(".")
    for p in parents:
        node = node[p]
    node[last] = False
    assert status(doc, rule) == expected_unmet
    del node[last]  # absent counts as not met
    assert status(doc, rule) == expected_unmet


@pytest.mark.parametrize("region,rule", [("jinzhong", "JZ-ORG"), ("gansu", "GS-ORG"), ("anshan", "AS-ORG"),
                                         ("chongqing", "CQ-ORG")])
def test_org_needs_council(region, rule):
    doc = eligible(region)
    doc["organization"]["council"] = []
    assert status(doc, rule) == "fail"


@pytest.mark.parametrize("region,rule", [("jinzhong", "JZ-SECRETARIAT"), ("gansu", "GS-ORG"),
                                         ("anshan", "AS-ORG"), ("ganzhou", "GZ-SECRETARIAT"),
                                         ("chongqing", "CQ-ORG")])
@pytest.mark.parametrize("staff,expected", [(0, "fail"), (1, "pass")])
def test_secretariat_staff(region, rule, staff, expected):
    doc = eligible(region)
    doc["organization"]["secretariat"]["full_time_staff"] = staff
    assert status(doc, rule) == expected


def test_no_secretariat():
    doc = eligible("jinzhong")
    doc["organization"]["secretariat"] = None
    assert status(doc, "JZ-ORG") == "fail"
    assert status(doc, "JZ-SECRETARIAT") == "fail"
    doc = eligible("ganzhou")
    doc["organization"]["secretariat"] = None
    assert status(doc, "GZ-SECRETARIAT") == "fail"


@pytest.mark.parametrize("region,rule", [("jinzhong", "JZ-SECRETARIAT"), ("chongqing", "CQ-ORG")])
def test_secretariat_address(region, rule):
    doc = eligible(region)
    doc["organization"]["secretariat"]["address"] = "  "
    assert status(doc, rule) == "fail"


# ------------------------------------------------------------------ members

@pytest.mark.parametrize("region,rule", [("gansu", "GS-COMPOSITION"), ("anshan", "AS-COMPOSITION"),
                                         ("chongqing", "CQ-COMPOSITION")])
def test_composition(region, rule):
    doc = eligible(region)
    for m in doc["members"]:
        if m["kind"] in ("university", "research_institute"):
            m["kind"] = "industry_association"
    assert status(doc, rule) == "fail"
    doc["members"][2]["kind"] = "research_institute"
    assert status(doc, rule) == "pass"
    for m in doc["members"]:
        if m["kind"] == "enterprise":
            m["kind"] = "intermediary"
    assert status(doc, rule) == "fail"


@pytest.mark.parametrize("region,rule", [("jinzhong", "JZ-USCC"), ("gansu", "GS-USCC"), ("anshan", "AS-USCC"),
                                         ("ganzhou", "GZ-USCC"), ("chongqing", "CQ-USCC")])
def test_member_uscc(region, rule):
    doc = eligible(region)
    doc["members"][7]["uscc"] = uscc(8, region, valid=False)
    it = item(doc, rule)
    assert it.status == "fail" and "第 8 家" in it.message and "校验位错误" in it.message
    assert it.field == "members[7].uscc"
    doc["members"][7]["uscc"] = uscc(8, region)
    assert status(doc, rule) == "pass"


def test_gz_lead_legal_only_looks_at_lead():
    doc = eligible("ganzhou")
    doc["members"][5]["uscc"] = "bad"
    assert status(doc, "GZ-LEAD-LEGAL") == "pass"
    doc["members"][0]["uscc"] = uscc(1, "ganzhou", valid=False)
    assert status(doc, "GZ-LEAD-LEGAL") == "fail"


@pytest.mark.parametrize("region,rule", [("jinzhong", "JZ-LEAD-LOCAL"), ("chongqing", "CQ-LEAD-LOCAL")])
def test_lead_local(region, rule):
    doc = eligible(region)
    doc["members"][1]["in_region"] = False  # not the lead: irrelevant
    assert status(doc, rule) == "pass"
    doc["members"][0]["in_region"] = False
    assert status(doc, rule) == "fail"


@pytest.mark.parametrize("level,gz,cq", [("national", "pass", "pass"), ("provincial", "pass", "pass"),
                                         ("municipal", "fail", "pass"), ("other", "fail", "fail")])
def test_lead_platform_levels(level, gz, cq):
    for region, rule, want in (("ganzhou", "GZ-LEAD-PLATFORM", gz), ("chongqing", "CQ-LEAD-RD", cq)):
        doc = eligible(region)
        doc["members"][0]["platforms"] = [{"name": "研发中心", "level": level}]
        assert status(doc, rule) == want
        # a municipal platform of another member does not help the lead
        doc["members"][0]["platforms"] = []
        doc["members"][3]["platforms"] = [{"name": "国家重点实验室", "level": "national"}]
        assert status(doc, rule) == "fail"


def test_jz_integrity():
    doc = eligible("jinzhong")
    doc["members"][4]["integrity_ok"] = False
    it = item(doc, "JZ-INTEGRITY")
    assert it.status == "fail" and "第 5 家" in it.message
    del doc["members"][4]["integrity_ok"]
    assert status(doc, "JZ-INTEGRITY") == "fail"


def test_jz_rd_invest_enterprises_only():
    doc = eligible("jinzhong")
    doc["members"][1]["rd_spend_wan"] = 0  # university: not an enterprise
    assert status(doc, "JZ-RD-INVEST") == "pass"
    doc["members"][3]["rd_spend_wan"] = 0
    assert status(doc, "JZ-RD-INVEST") == "warn"
    doc["members"][3]["rd_spend_wan"] = 0.1
    assert status(doc, "JZ-RD-INVEST") == "pass"
    doc["members"][3]["rd_spend_wan"] = None
    assert status(doc, "JZ-RD-INVEST") == "warn"


# ------------------------------------------------------------------ industries

def test_jz_industry():
    doc = eligible("jinzhong")
    for name in ("特钢材料", "平遥牛肉", "推光漆"):
        doc["industry"] = name
        assert status(doc, "JZ-INDUSTRY") == "pass"
    doc["industry"] = "人工智能"
    assert status(doc, "JZ-INDUSTRY") == "fail"


def test_gz_industry_names_division():
    doc = eligible("ganzhou")
    doc["industry"] = "纺织服装产业"
    it = item(doc, "GZ-INDUSTRY")
    assert it.status == "pass" and "市科技局引智科" in it.message and "李伟东" in it.message
    doc["industry"] = "稀土产业"  # not one of the seven chains: handled under 其他产业 (003 § 附件1)
    assert status(doc, "GZ-INDUSTRY") == "warn"


# ------------------------------------------------------------------ materials

def _material(doc, code):
    return next(m for m in doc["materials"] if m["code"] == code)


@pytest.mark.parametrize("copies,expected", [(3, "fail"), (4, "pass")])
def test_jz_materials_copies(copies, expected):
    doc = eligible("jinzhong")
    _material(doc, "JZ-M1")["copies"] = copies
    assert status(doc, "JZ-MATERIALS") == expected


@pytest.mark.parametrize("copies,expected", [(2, "fail"), (3, "pass")])
def test_gz_materials_copies(copies, expected):
    doc = eligible("ganzhou")
    _material(doc, "GZ-M1")["copies"] = copies
    assert status(doc, "GZ-MATERIALS") == expected


def test_as_materials_one_licence_per_member():
    doc = eligible("anshan")  # 12 members
    _material(doc, "AS-M4")["copies"] = 11
    it = item(doc, "AS-MATERIALS")
    assert it.status == "fail" and "12 家" in it.message
    _material(doc, "AS-M4")["copies"] = 12
    assert status(doc, "AS-MATERIALS") == "pass"


@pytest.mark.parametrize("region,rule,code", [("jinzhong", "JZ-MATERIALS", "JZ-M3"),
                                              ("gansu", "GS-MATERIALS", "GS-M3"),
                                              ("anshan", "AS-MATERIALS", "AS-M3"),
                                              ("ganzhou", "GZ-MATERIALS", "GZ-M4"),
                                              ("chongqing", "CQ-MATERIALS", "CQ-M5")])
def test_material_missing(region, rule, code):
    doc = eligible(region)
    _material(doc, code)["received"] = False
    it = item(doc, rule)
    assert it.status == "fail" and code in it.message
    doc["materials"] = [m for m in doc["materials"] if m["code"] != code]
    assert status(doc, rule) == "fail"


# ------------------------------------------------------------------ Anshan specifics

def test_as_provincial_shortcut():
    doc = eligible("anshan")
    doc["members"] = [member(1, "anshan", role="lead")]  # would fail composition
    doc["materials"] = []
    res = evaluate(doc)
    assert not res.eligible
    doc["provincial_recognized"] = True
    doc["provincial_recognized_on"] = "2015-11-30"
    res = evaluate(doc)
    assert res.eligible
    by = {i.rule: i for i in res.items}
    assert by["AS-PROVINCIAL"].status == "pass" and "自动" in by["AS-PROVINCIAL"].message
    assert all(i.status == "na" for r, i in by.items() if r != "AS-PROVINCIAL")
    doc["provincial_recognized"] = False
    assert status(doc, "AS-PROVINCIAL") == "na"


@pytest.mark.parametrize("established,expected", [("2024-06-03", "pass"), ("2024-06-04", "fail"), (None, "fail")])
def test_as_established(established, expected):
    doc = eligible("anshan")  # submitted 2024-06-03T14:00
    doc["established_on"] = established
    assert status(doc, "AS-ESTABLISHED") == expected


def test_as_results_warn():
    doc = eligible("anshan")
    doc["cooperation_results"] = ""
    assert status(doc, "AS-RESULTS") == "warn"
    assert evaluate(doc).eligible


# ------------------------------------------------------------------ Chongqing priority, Gansu manual

def test_cq_priority():
    doc = eligible("chongqing")
    doc["members"][0]["enterprise_class"] = ["specialized_municipal"]
    assert status(doc, "CQ-PRIORITY") == "pass"
    doc["members"][0]["enterprise_class"] = ["leading", "high_tech"]
    assert status(doc, "CQ-PRIORITY") == "warn"
    assert evaluate(doc).eligible


def test_gs_policy_manual_and_confirmation():
    doc = eligible("gansu")
    it = item(doc, "GS-POLICY")
    assert it.status == "manual"
    conf = {"GS-POLICY": Confirmation("GS-POLICY", OUTCOME_MET, "王科长", "2026-11-20T10:30", "符合十大生态产业")}
    it = item(doc, "GS-POLICY", confirmations=conf)
    assert it.status == "pass" and "王科长" in it.message and it.as_dict()["confirmation"]["by"] == "王科长"
    conf = {"GS-POLICY": Confirmation("GS-POLICY", OUTCOME_NOT_MET, "王科长", "2026-11-20T10:30", "")}
    assert status(doc, "GS-POLICY", confirmations=conf) == "fail"
