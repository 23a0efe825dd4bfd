"""Tests for alliance_desk.demo: schema validity, determinism, USCCs, and that the
intended outcome of every demo application matches an independent reading of
the fail/warn rules in regions.md (an oracle written here, not the engine)."""
from __future__ import annotations

import json
import random
import uuid
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st
from jsonschema import Draft202012Validator
from stdnum.cn import uscc as stdnum_uscc

from alliance_desk import demo

SCHEMA_PATH = Path(__file__).resolve().parents[1] / "resources" / "schema" / "application.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA, format_checker=Draft202012Validator.FORMAT_CHECKER)

REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")

JZ_INDUSTRIES = {"新能源汽车", "高端装备制造", "特钢材料", "光伏电池及组件", "现代医药", "碳基循环", "现代食品",
                 "绿色节能建材", "太谷玛钢", "祁县玻璃器皿", "平遥牛肉", "推光漆"}
GZ_INDUSTRIES = {"电子信息（数字经济）产业", "纺织服装产业", "新能源及新能源汽车产业", "医药食品产业", "新型建材产业",
                 "化工产业", "现代种业", "其他产业"}
COUNTIES = {
    "jinzhong": {"榆次区", "太谷区", "祁县", "平遥县", "介休市", "灵石县", "寿阳县", "晋中开发区"},
    "gansu": {"兰州市", "天水市", "白银市", "金昌市", "酒泉市", "定西市", "张掖市"},
    "anshan": {"铁东区", "铁西区", "立山区", "千山区", "高新区", "海城市", "台安县"},
    "ganzhou": {"章贡区", "赣县区", "南康区", "赣州经开区", "信丰县", "于都县", "龙南市", "瑞金市"},
    "chongqing": {"两江新区", "九龙坡区", "渝北区", "沙坪坝区", "西部科学城重庆高新区", "巴南区", "涪陵区", "璧山区",
                  "永川区"},
}
CALLS = {"jinzhong": "jinzhong-2023", "gansu": "gansu-standing", "anshan": "anshan-2024",
         "ganzhou": "ganzhou-2022", "chongqing": "chongqing-2022"}
MATERIAL_CODES = {
    "jinzhong": {"JZ-M1", "JZ-M2", "JZ-M3"},
    "gansu": {"GS-M1", "GS-M2", "GS-M3", "GS-M4", "GS-M5"},
    "anshan": {"AS-M1", "AS-M2", "AS-M3", "AS-M4"},
    "ganzhou": {f"GZ-M{i}" for i in range(1, 8)},
    "chongqing": {f"CQ-M{i}" for i in range(1, 7)},
}


@pytest.fixture(scope="module")
def apps() -> list[dict]:
    return demo.demo_applications()


def errors(doc: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in VALIDATOR.iter_errors(doc)]


# ====================================================================== an independent oracle of regions.md

def _last_day_of_term(start: date, years: int) -> date:
    """Counted inclusively; a term from 29 February ends on 28 February (README readings)."""
    try:
        return start.replace(year=start.year + years) - timedelta(days=1)
    except ValueError:
        return date(start.year + years, 2, 28)


def _materials_ok(app: dict, needs: dict[str, int]) -> bool:
    got = {m["code"]: m for m in app.get("materials") or []}
    for code, copies in needs.items():
        m = got.get(code)
        if not m or m.get("received") is not True or (m.get("copies") or 0) < copies:
            return False
    return True


def oracle(app: dict) -> tuple[set[str], set[str]]:
    """(fail rule ids, warn rule ids) of regions.md that `app` does not meet."""
    region = app["region"]
    members = app["members"]
    lead = next(m for m in members if m["role"] == "lead")
    org, ag, sy = app["organization"], app["agreement"], app.get("systems") or {}
    sec = org.get("secretariat")
    staff = (sec or {}).get("full_time_staff") or 0
    sub = datetime.strptime(app["submitted_at"], "%Y-%m-%dT%H:%M")
    kinds = Counter(m["kind"] for m in members)
    composition = kinds["enterprise"] >= 1 and (kinds["university"] + kinds["research_institute"]) >= 1
    all_uscc = all(stdnum_uscc.is_valid(m["uscc"]) for m in members)
    council, experts = org.get("council") or [], org.get("expert_committee") or []
    checks: dict[str, tuple[str, bool]] = {}

    def rule(rid: str, status: str, met: bool) -> None:
        checks[rid] = (status, bool(met))

    if region == "jinzhong":
        rule("JZ-INDUSTRY", "fail", app["industry"] in JZ_INDUSTRIES)
        rule("JZ-LEAD-LOCAL", "fail", lead["in_region"])
        rule("JZ-CORE-MIN", "fail", sum(m["role"] in ("lead", "core") for m in members) >= 5)
        rule("JZ-TOTAL-MAX", "warn", len(members) <= 30)
        exp = ag.get("expires_on")
        rule("JZ-AGREEMENT-TERM", "fail", exp is not None and date.fromisoformat(exp) >= _last_day_of_term(sub.date(), 3))
        rule("JZ-AGREEMENT-SIGNED", "fail", ag["signed_by_legal_reps"] and ag["sealed"])
        rule("JZ-AGREEMENT-CONTENT", "fail", ag.get("innovation_goals") and ag.get("task_division"))
        rule("JZ-ORG", "fail", council and experts and sec is not None)
        rule("JZ-SECRETARIAT", "fail", sec is not None and (sec.get("address") or "").strip() and staff >= 1)
        rule("JZ-SECRETARIAT-LEAD", "warn", sec is not None and sec.get("in_lead_unit") is True)
        rule("JZ-FUNDING", "fail", sy.get("funding_management") and sy.get("funding_supervision"))
        rule("JZ-INTEGRITY", "fail", all(m.get("integrity_ok") is True for m in members))
        rule("JZ-USCC", "fail", all_uscc)
        rule("JZ-RD-INVEST", "warn", all((m.get("rd_spend_wan") or 0) > 0 for m in members if m["kind"] == "enterprise"))
        rule("JZ-DEADLINE", "fail", sub <= datetime(2023, 9, 30, 18, 0))
        rule("JZ-MATERIALS", "fail", _materials_ok(app, {"JZ-M1": 4, "JZ-M2": 0, "JZ-M3": 0}))
        rule("JZ-COMPOSITION", "fail", composition)
        rule("JZ-LIABILITY", "fail", org.get("external_liability_body"))
        rule("JZ-LEAD-PRIORITY", "warn", set(lead.get("enterprise_class") or ()) & {"leading", "chain_master"})
    elif region == "gansu":
        rule("GS-COMPOSITION", "fail", composition)
        rule("GS-USCC", "fail", all_uscc)
        rule("GS-AGREEMENT", "fail", ag["signed_by_legal_reps"] and ag.get("innovation_goals") and ag.get("task_division"))
        rule("GS-CHARTER", "fail", sy.get("charter"))
        rule("GS-ORG", "fail", council and experts and staff >= 1)
        rule("GS-SYSTEMS", "fail", all(sy.get(k) for k in ("project_management", "funding_management",
                                                            "funding_supervision", "confidentiality", "iur_cooperation")))
        rule("GS-IP", "fail", ag.get("ip_terms") and ag.get("breach_terms"))
        rule("GS-OPEN", "warn", sy.get("open_membership"))
        rule("GS-DIFFUSION", "fail", sy.get("results_diffusion"))
        rule("GS-MATERIALS", "fail", _materials_ok(app, {f"GS-M{i}": 0 for i in range(1, 6)}))
        rule("GS-LIABILITY", "fail", org.get("external_liability_body"))
    elif region == "anshan":
        recognized_on = app.get("provincial_recognized_on")
        if not (app.get("provincial_recognized") and recognized_on and recognized_on < "2016-08-23"):
            est = app.get("established_on")
            rule("AS-ESTABLISHED", "fail", est is not None and date.fromisoformat(est) <= sub.date())
            rule("AS-COMPOSITION", "fail", composition)
            rule("AS-USCC", "fail", all_uscc)
            rule("AS-ORG", "fail", council and experts and staff >= 1)
            rule("AS-GOALS", "fail", ag.get("innovation_goals") and ag.get("task_division"))
            rule("AS-FUNDING", "fail", sy.get("funding_management"))
            rule("AS-RESULTS", "warn", (app.get("cooperation_results") or "").strip())
            rule("AS-MATERIALS", "fail", _materials_ok(app, {"AS-M1": 0, "AS-M2": 0, "AS-M3": 0,
                                                               "AS-M4": len(members)}))
    elif region == "ganzhou":
        rule("GZ-LEAD-LEGAL", "fail", stdnum_uscc.is_valid(lead["uscc"]))
        rule("GZ-LEAD-PLATFORM", "fail", any(p["level"] in ("provincial", "national") for p in lead.get("platforms") or []))
        rule("GZ-MEMBERS-MIN", "warn", len(members) >= 10)
        rule("GZ-USCC", "fail", all_uscc)
        rule("GZ-AGREEMENT", "fail", ag["signed_by_legal_reps"] and ag["sealed"])
        rule("GZ-SECRETARIAT", "fail", sec is not None and staff >= 1)
        rule("GZ-SECRETARIAT-SIZE", "warn", 2 <= staff <= 3)
        rule("GZ-EXPERTS", "warn", 8 <= len(experts) <= 12)
        # listed or a sub-item of a listed chain: pass; anything else written goes to 其他产业 with a warn
        listed = app["industry"] in GZ_INDUSTRIES or app["industry"].startswith(
            tuple(i + sep for i in GZ_INDUSTRIES for sep in "—－-·/／:：（( "))
        rule("GZ-INDUSTRY", "warn" if app["industry"].strip() else "fail", listed)
        rule("GZ-LEAD-LOCAL", "fail", lead["in_region"])
        rule("GZ-MATERIALS", "fail", _materials_ok(app, {"GZ-M1": 3, **{f"GZ-M{i}": 0 for i in range(2, 8)}}))
    elif region == "chongqing":
        rule("CQ-LEAD-LOCAL", "fail", lead["in_region"])
        rule("CQ-LEAD-RD", "fail", any(p["level"] in ("municipal", "provincial", "national")
                                       for p in lead.get("platforms") or []))
        rule("CQ-COMPOSITION", "fail", composition)
        rule("CQ-ORG", "fail", council and sec is not None and (sec.get("address") or "").strip() and staff >= 1)
        rule("CQ-TECH-STAFF", "fail", (app.get("tech_staff_total") or 0) >= 30)
        rule("CQ-LIABILITY", "fail", org.get("external_liability_body"))
        rule("CQ-AGREEMENT", "fail", ag["signed_by_legal_reps"] and ag.get("innovation_goals"))
        rule("CQ-FUNDING", "fail", sy.get("funding_management"))
        rule("CQ-OPEN", "fail", sy.get("open_membership") and sy.get("results_diffusion"))
        rule("CQ-PRIORITY", "warn", set(lead.get("enterprise_class") or ()) & {"specialized_national",
                                                                               "specialized_municipal"})
        rule("CQ-USCC", "fail", all_uscc)
        rule("CQ-DEADLINE", "fail", sub <= datetime(2022, 5, 30, 23, 59))
        rule("CQ-MATERIALS", "fail", _materials_ok(app, {f"CQ-M{i}": 0 for i in range(1, 6)}))
        rule("CQ-BENEFIT", "fail", ag.get("ip_terms"))
        rule("CQ-MECHANISMS", "fail", sy.get("operation_mechanism") and sy.get("management_mechanism"))
        rule("CQ-COLLAB", "fail", sy.get("collaborative_innovation"))
        rule("CQ-SEALED", "fail", app.get("materials_sealed_by_all"))
        if app.get("tier_requested") == "demonstration" and app.get("previously_pilot"):
            rule("CQ-PILOT-DOC", "fail", _materials_ok(app, {"CQ-M6": 0}))
    fails = {rid for rid, (status, met) in checks.items() if status == "fail" and not met}
    warns = {rid for rid, (status, met) in checks.items() if status == "warn" and not met}
    return fails, warns


# ====================================================================== schema

def test_every_demo_application_validates(apps):
    for app in apps:
        assert errors(app) == [], app["name"]


def test_bulk_applications_validate():
    docs = list(demo.bulk_applications(200))
    assert len(docs) == 200
    for doc in docs:
        assert errors(doc) == [], doc["name"]


def test_bulk_small_member_counts_validate():
    for k in (1, 2, 7):
        for doc in demo.bulk_applications(10, members_per_app=k, seed=3):
            assert len(doc["members"]) == k
            assert errors(doc) == []


# ====================================================================== demo content

def test_at_least_five_per_region_with_a_mix(apps):
    by_region = Counter(a["region"] for a in apps)
    for region in REGIONS:
        assert by_region[region] >= 5, region
        ids = [a["id"] for a in apps if a["region"] == region]
        eligible = [i for i in ids if demo.EXPECTED_ELIGIBLE[i]]
        assert len(eligible) >= 3, region
        assert len(ids) - len(eligible) >= 2, region


def test_expectations_cover_every_demo_and_agree(apps):
    ids = {a["id"] for a in apps}
    assert set(demo.EXPECTED_ELIGIBLE) == ids == set(demo.EXPECTED_FAILS) == set(demo.EXPECTED_WARNS)
    for i in ids:
        assert demo.EXPECTED_ELIGIBLE[i] == (not demo.EXPECTED_FAILS[i])
    # an ineligible application misses few rules, each for a stated reason
    notes = demo.scenario_notes()
    for i in ids:
        if not demo.EXPECTED_ELIGIBLE[i]:
            assert 1 <= len(demo.EXPECTED_FAILS[i]) <= 2
            assert notes[i]


@pytest.mark.parametrize("index", range(len(demo.demo_applications())))
def test_expected_outcome_matches_regions_md(apps, index):
    app = apps[index]
    fails, warns = oracle(app)
    assert fails == demo.EXPECTED_FAILS[app["id"]], app["name"]
    assert warns == demo.EXPECTED_WARNS[app["id"]], app["name"]
    assert demo.EXPECTED_ELIGIBLE[app["id"]] == (not fails)


def test_expectations_hold_for_other_seeds():
    for seed in (1, 99, 123456):
        docs = demo.demo_applications(seed)
        eligible, fails, warns = demo.expected_outcomes(seed)
        for app in docs:
            assert oracle(app) == (fails[app["id"]], warns[app["id"]]), (seed, app["name"])
            assert errors(app) == []


def test_deterministic():
    a, b = demo.demo_applications(), demo.demo_applications()
    assert a == b
    assert json.dumps(a, ensure_ascii=False, sort_keys=True) == json.dumps(b, ensure_ascii=False, sort_keys=True)
    other = demo.demo_applications(2025)
    assert {x["id"] for x in other}.isdisjoint({x["id"] for x in a})
    assert [x["name"] for x in other] == [x["name"] for x in a]


def test_ids_unique_uuid4(apps):
    ids = [a["id"] for a in apps] + [d["id"] for d in demo.bulk_applications(500)]
    assert len(ids) == len(set(ids))
    for i in ids[:50]:
        assert uuid.UUID(i).version == 4


def test_exactly_one_lead_and_unique_member_names(apps):
    for app in apps:
        roles = Counter(m["role"] for m in app["members"])
        assert roles["lead"] == 1, app["name"]
        names = [m["name"] for m in app["members"]]
        assert len(names) == len(set(names)), app["name"]
        usccs = [m["uscc"] for m in app["members"]]
        assert len(usccs) == len(set(usccs)), app["name"]


def test_calls_counties_industries_materials(apps):
    for app in apps:
        region = app["region"]
        assert app["format"] == "alliance-desk/application@1"
        assert app["call"] == CALLS[region]
        assert app["county"] in COUNTIES[region], app["county"]
        assert {m["code"] for m in app["materials"]} <= MATERIAL_CODES[region]
        if region == "jinzhong":
            assert app["industry"] in JZ_INDUSTRIES
            assert app["submitted_at"].startswith("2023-09-")
            assert app["name"].startswith("晋中市") and app["name"].endswith("产业技术创新战略联盟")
        if region == "ganzhou":
            assert app["industry"] in GZ_INDUSTRIES
            assert app["name"].endswith("产业科技创新联合体")
        if region == "chongqing":
            assert app["submitted_at"].startswith("2022-05-")
            assert 20 <= app["tech_staff_total"] <= 200
            assert app["tier_requested"] in ("demonstration", "pilot")
        if region != "chongqing":
            assert "tier_requested" not in app
        # realistic sizes
        n = len(app["members"])
        assert 8 <= n <= 32
        lead = next(m for m in app["members"] if m["role"] == "lead")
        assert lead["legal_rep"] and lead["address"] and lead["platforms"]


def test_required_special_cases(apps):
    anshan_prov = [a for a in apps if a["region"] == "anshan" and a.get("provincial_recognized") is True]
    assert len(anshan_prov) == 1
    assert demo.EXPECTED_ELIGIBLE[anshan_prov[0]["id"]] is True
    cq_demo = [a for a in apps if a["region"] == "chongqing" and a.get("tier_requested") == "demonstration"
               and a.get("previously_pilot") is True]
    assert len(cq_demo) == 1
    assert any(demo.EXPECTED_ELIGIBLE[a["id"]] and len(a["members"]) > 30 for a in apps if a["region"] == "jinzhong")
    assert any(demo.EXPECTED_ELIGIBLE[a["id"]] and len(a["members"]) < 10 for a in apps if a["region"] == "ganzhou")
    # every region has at least one eligible application with warn items
    for region in REGIONS:
        assert any(demo.EXPECTED_ELIGIBLE[a["id"]] and demo.EXPECTED_WARNS[a["id"]]
                   for a in apps if a["region"] == region), region


def test_member_usccs_valid_except_designed_failures(apps):
    uscc_rules = {"JZ-USCC", "GS-USCC", "AS-USCC", "GZ-USCC", "CQ-USCC"}
    for app in apps:
        bad = [m for m in app["members"] if not stdnum_uscc.is_valid(m["uscc"])]
        designed = bool(demo.EXPECTED_FAILS[app["id"]] & uscc_rules)
        assert (len(bad) == 1) if designed else not bad, app["name"]
        for m in bad:  # wrong check character only
            assert len(m["uscc"]) == 18 and m["uscc"][:8].isdigit()
            assert stdnum_uscc.calc_check_digit(m["uscc"][:17]) != m["uscc"][17]


# ====================================================================== make_uscc

def test_make_uscc_valid_and_invalid():
    rng = random.Random(5)
    for _ in range(500):
        good = demo.make_uscc(rng)
        assert len(good) == 18 and good[:8].isdigit()
        assert stdnum_uscc.is_valid(good), good
        bad = demo.make_uscc(rng, valid=False)
        assert len(bad) == 18 and bad[:8].isdigit()
        assert not stdnum_uscc.is_valid(bad), bad
        assert stdnum_uscc.calc_check_digit(bad[:17]) != bad[17]
        assert bad[17] in "0123456789ABCDEFGHJKLMNPQRTUWXY"


def test_make_uscc_region_and_prefix():
    rng = random.Random(1)
    code = demo.make_uscc(rng, region_code="140702", prefix="12")
    assert code.startswith("12140702") and stdnum_uscc.is_valid(code)
    assert demo.make_uscc(random.Random(3)) == demo.make_uscc(random.Random(3))


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=2 ** 64), st.booleans())
def test_make_uscc_property(seed, valid):
    code = demo.make_uscc(random.Random(seed), valid=valid)
    assert stdnum_uscc.is_valid(code) is valid


# ====================================================================== bulk

def test_bulk_reproducible_and_cycles_regions():
    a = list(demo.bulk_applications(25, members_per_app=5))
    b = list(demo.bulk_applications(25, members_per_app=5))
    assert a == b
    assert [d["region"] for d in a[:10]] == list(REGIONS) * 2
    c = list(demo.bulk_applications(25, members_per_app=5, seed=8))
    assert [d["id"] for d in c] != [d["id"] for d in a]
    for d in a:
        assert d["call"] == CALLS[d["region"]]


def test_bulk_usccs_valid():
    for doc in demo.bulk_applications(100):
        for m in doc["members"]:
            assert stdnum_uscc.is_valid(m["uscc"]), m["uscc"]


def test_bulk_150k_members():
    total = leads = apps = 0
    for doc in demo.bulk_applications(5000):
        apps += 1
        members = doc["members"]
        total += len(members)
        leads += sum(1 for m in members if m["role"] == "lead")
    assert apps == 5000
    assert total == 150_000
    assert leads == 5000
