"""Scoring templates from the region packs, objective suggestions, score validation and aggregation
(pure functions, hand-computed expectations)."""
from __future__ import annotations

import copy
import math

import pytest

from alliance_desk.review import scoring
from alliance_desk.rules.packs import all_packs
from alliance_desk.review.scoring import ScoreRecord, aggregate
from factory import eligible


def test_every_pack_has_templates_and_they_add_up():
    expected = {"ganzhou": ["GZ-FORMATION", "GZ-ANNUAL"], "gansu": ["GS-REVIEW"], "jinzhong": ["JZ-REVIEW"],
                "anshan": ["AS-REVIEW"], "chongqing": ["CQ-REVIEW"]}
    for region, ids in expected.items():
        tpls = scoring.templates_for(region)
        assert [t.id for t in tpls] == ids
        for t in tpls:
            assert t.total == 100 == sum(c.max for c in t.criteria)
            assert math.isclose(sum(i.max for i in t.leaves), t.total)
            assert t.official is (region == "ganzhou")
            if not t.official:
                assert t.label.endswith("（本单位自定模板）") and t.origin == "本单位自定模板"
            else:
                assert "本单位自定模板" not in t.label


def test_ganzhou_formation_template_exactly_as_the_notice():
    t = scoring.get_template("ganzhou")
    assert t.id == "GZ-FORMATION" and t.label == "联合体组建评价指标"
    assert [(c.name, c.max) for c in t.criteria] == [("秘书处情况", 10), ("成员单位情况", 35), ("理事单位情况", 10),
                                                     ("专家委员会情况", 10), ("建立四图情况", 15), ("管理制度", 20)]
    assert len(t.leaves) == 17
    objective = [i for i in t.leaves if i.suggest]
    assert [i.key for i in objective] == ["members.platform_share", "members.project_share"]
    assert objective[0].header == "成员单位中具有市级以上平台比例（10分）"
    annual = scoring.get_template("ganzhou", "GZ-ANNUAL")
    assert [c.max for c in annual.criteria] == [40, 10, 10, 10, 10, 5, 5, 5, 5]


def test_gansu_template_is_the_three_review_aspects_of_the_notice():
    t = scoring.get_template("gansu")
    assert [c.name for c in t.criteria] == ["必要性", "技术性和组织形式", "服务能力"]
    assert t.official is False and t.clause == "三(二)1–3"
    # only [[scoring]] was added: the pack still loads with its rules intact
    assert len(all_packs()["gansu"].rules) == 16  # regions.md's 11 and the clause register's five


def test_unknown_template_and_broken_template_are_refused():
    with pytest.raises(scoring.ScoringError, match="没有评分模板「NOPE」"):
        scoring.get_template("ganzhou", "NOPE")
    raw = copy.deepcopy(all_packs()["ganzhou"].raw["scoring"][0])
    raw["criteria"][0]["items"][0]["max"] = 5
    with pytest.raises(scoring.ScoringError, match="子项分值之和 11 不等于该指标分值 10"):
        scoring.template_from_dict(raw, "ganzhou")
    raw = copy.deepcopy(all_packs()["gansu"].raw["scoring"][0])
    del raw["official"]
    with pytest.raises(scoring.ScoringError, match="official"):
        scoring.template_from_dict(raw, "gansu")


def _with_shares(n_platform: int, n_project: int, total: int = 10) -> dict:
    doc = eligible("ganzhou", n_members=total)
    for i, m in enumerate(doc["members"]):
        m["platforms"] = [{"name": "市级工程技术研究中心", "level": "municipal"}] if i < n_platform else \
            ([{"name": "其他平台", "level": "other"}] if i == total - 1 else [])
        m["projects_municipal_or_above"] = 2 if i < n_project else 0
    return doc


@pytest.mark.parametrize("n,points", [(10, 10), (6, 10), (5, 5), (3, 5), (2, 1), (0, 1)])
def test_objective_suggestions_follow_the_bands(n, points):
    t = scoring.get_template("ganzhou")
    s = scoring.suggestions(t, _with_shares(n, n))
    assert s["members.platform_share"].points == points == s["members.project_share"].points
    assert s["members.platform_share"].share == pytest.approx(n / 10)
    assert f"{n}/10 = {n * 10:.1f}%" in s["members.platform_share"].text
    assert s["members.platform_share"].text.startswith("具有市级以上平台的成员单位")


def test_suggestion_counts_unknown_projects_as_none_and_says_so():
    doc = _with_shares(0, 3)
    for m in doc["members"][5:]:
        del m["projects_municipal_or_above"]
    s = scoring.suggestions(scoring.get_template("ganzhou"), doc)["members.project_share"]
    assert (s.numerator, s.denominator, s.points) == (3, 10, 5)
    assert "5 家未填写" in s.text


def test_validation_enforces_max_numbers_and_comments():
    t = scoring.get_template("gansu")
    full = {i.key: i.max for i in t.leaves}
    clean, probs = scoring.validate(t, full)
    assert probs == [] and scoring.total_of(clean) == 100
    pts = dict(full, **{"necessity.policy": 16, "necessity.industry": "很好", "technical.key_tech": -1,
                        "technical.upgrade": "５"})  # full-width digit typed with a Chinese input method
    clean, probs = scoring.validate(t, pts)
    msgs = {p.key: p.message for p in probs}
    assert msgs["necessity.policy"] == "16 分超过该项满分 15 分"
    assert msgs["necessity.industry"].startswith("「很好」不是数字")
    assert msgs["technical.key_tech"] == "-1 分不能为负数"
    # 5 of 10 is under 60%: its own comment is required (reviewer mode) …
    assert msgs["technical.upgrade"].endswith("须在该项填写评审意见") and clean["technical.upgrade"] == 5
    _, probs = scoring.validate(t, dict(full, **{"technical.upgrade": 5}), {"technical.upgrade": "目标不够具体"})
    assert probs == []
    # … or the overall opinion (Excel sheets have one 评审意见 column); exactly 60% needs none
    _, probs = scoring.validate(t, dict(full, **{"technical.upgrade": 5}), comment_scope="overall")
    assert [p.field for p in probs] == ["comment"] and "评审意见栏" in probs[0].message
    _, probs = scoring.validate(t, dict(full, **{"technical.upgrade": 6}), comment_scope="overall")
    assert probs == []
    del full["service.open"]
    _, probs = scoring.validate(t, full)
    assert [p.message for p in probs] == ["「开放发展与成果扩散，对外交流与合作」未评分"]


def test_trimmed_mean_median_and_ranks_hand_computed():
    recs = [ScoreRecord("A", e, v) for e, v in zip("12345", (91, 86, 79, 88, 65))]
    recs += [ScoreRecord("B", e, v) for e, v in zip("1234", (70, 95, 60, 71))]
    recs += [ScoreRecord("C", e, v) for e, v in zip("2345", (82, 90, 76, 88))]
    out = {a.application: a for a in aggregate(recs, "trimmed", threshold_range=20, applications=["A", "B", "C", "D"])}
    assert out["A"].trimmed == pytest.approx((86 + 79 + 88) / 3)      # 5 scores: drop 91 and 65
    assert out["A"].mean == pytest.approx(81.8)
    assert out["A"].median == 86
    assert out["B"].trimmed == out["B"].mean == 74                      # 4 scores: nothing dropped
    assert out["B"].median == 70.5
    assert out["C"].trimmed == 84
    assert out["B"].range == 35 and out["B"].flagged and "极差 35 分超过阈值 20 分" in out["B"].flag_reasons
    assert out["A"].range == 26 and out["A"].flagged and out["C"].range == 14 and not out["C"].flagged
    assert [a.application for a in aggregate(recs, "trimmed", applications="ABCD")] == ["A", "C", "B", "D"]
    assert (out["A"].rank, out["C"].rank, out["B"].rank, out["D"].rank) == (1, 2, 3, None)
    assert out["D"].n == 0 and out["D"].value is None


def test_disagreement_by_range_or_sample_sd():
    recs = [ScoreRecord("A", e, v) for e, v in zip("123", (80, 90, 100))]
    a = aggregate(recs, "mean", threshold_range=20)[0]
    assert a.range == 20 and not a.flagged                             # equal to the threshold: not past it
    a = aggregate(recs, "mean", threshold_range=19.5)[0]
    assert a.flagged
    a = aggregate(recs, "mean", threshold_range=None, threshold_sd=9.9)[0]
    assert a.sd == pytest.approx(10.0) and a.flagged and a.flag_reasons == ["标准差 10 超过阈值 9.9"]


def test_ties_share_a_rank():
    ranks = scoring.competition_ranks({"a": 80.0, "b": 90.0, "c": 80.0000001, "d": 70.0, "e": None})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4, "e": None}


def test_zscore_normalises_each_expert():
    # expert 1 is harsh, expert 2 generous; both rank A > B > C
    recs = [ScoreRecord("A", "1", 70), ScoreRecord("B", "1", 60), ScoreRecord("C", "1", 50),
            ScoreRecord("A", "2", 98), ScoreRecord("B", "2", 96), ScoreRecord("C", "2", 94)]
    z = scoring.expert_zscores(recs)
    sd1 = math.sqrt(200 / 3)
    assert z[("A", "1")] == pytest.approx(10 / sd1) and z[("C", "2")] == pytest.approx(-2 / math.sqrt(8 / 3))
    out = {a.application: a for a in aggregate(recs, "zscore")}
    assert out["A"].z_mean == pytest.approx(math.sqrt(1.5))
    assert out["B"].z_mean == pytest.approx(0.0)
    totals = [r.total for r in recs]
    mu = sum(totals) / 6
    sd = math.sqrt(sum((t - mu) ** 2 for t in totals) / 6)
    assert out["A"].zscore == pytest.approx(mu + math.sqrt(1.5) * sd)
    assert [out[k].rank for k in "ABC"] == [1, 2, 3]
    # a lone score of an expert carries no information for normalisation
    assert scoring.expert_zscores([ScoreRecord("A", "9", 50)]) == {("A", "9"): 0.0}


def test_per_criterion_averages():
    t = scoring.get_template("gansu")
    full = {i.key: i.max for i in t.leaves}
    low = dict(full, **{"necessity.policy": 5.0})
    recs = [ScoreRecord("A", "1", scoring.total_of(full), full), ScoreRecord("A", "2", scoring.total_of(low), low)]
    a = aggregate(recs, "mean", template=t)[0]
    assert a.criterion_means == {"necessity": 25.0, "technical": 40.0, "service": 30.0}
    assert a.item_means["necessity.policy"] == 10.0
    assert sum(a.criterion_means.values()) == pytest.approx(a.mean)


def test_unknown_method_is_refused():
    with pytest.raises(scoring.ScoringError, match="未知的汇总方法「best」"):
        aggregate([], "best")
