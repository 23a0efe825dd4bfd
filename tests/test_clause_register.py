"""The clause registers: every condition of every notice is traced to what serves it."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from alliance_desk.rules import clauses
from alliance_desk.rules.packs import all_packs

REGIONS = sorted(all_packs())
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


@pytest.mark.parametrize("region", REGIONS)
def test_every_condition_sentence_of_the_notice_has_an_entry(region):
    reg = clauses.get_register(region)
    assert clauses.uncovered(reg) == []
    # the test is not empty: the notice has condition sentences, and entries cover them
    assert sum(clauses.is_condition(s) for s in clauses.sentences(reg.notice)) >= 14


@pytest.mark.parametrize("region", REGIONS)
def test_every_entry_names_what_exists_and_quotes_the_notice(region):
    reg = clauses.get_register(region)
    assert clauses.problems(reg) == []


@pytest.mark.parametrize("region", REGIONS)
def test_every_rule_and_material_of_the_pack_is_traced_to_a_clause(region):
    reg, pack = clauses.get_register(region), all_packs()[region]
    served = {t for e in reg.entries for t in e.serves}
    assert [r.id for r in pack.rules if f"rule:{r.id}" not in served] == []
    assert [m.code for m in pack.materials if f"material:{m.code}" not in served] == []


def test_the_check_fails_on_a_missing_entry_a_bad_name_or_a_quote_not_in_the_notice():
    reg = clauses.get_register("jinzhong")
    cut = [e for e in reg.entries if e.clause != "三(三)"]
    broken = dataclasses.replace(reg, entries=tuple(cut))
    assert any("核心成员不能少于五家" in s for s in clauses.uncovered(broken))
    bad = dataclasses.replace(reg.entries[0], serves=("rule:JZ-NOPE", "material:JZ-M9", "export:poster", "form:x"))
    made_up = dataclasses.replace(reg.entries[1], quote="联盟成员须为世界五百强")
    silent = dataclasses.replace(reg.entries[2], serves=(), no_condition="")
    found = clauses.problems(dataclasses.replace(reg, entries=(bad, made_up, silent)))
    assert any("rule:JZ-NOPE" in p for p in found) and any("material:JZ-M9" in p for p in found)
    assert any("export:poster" in p for p in found) and any("form:x" in p and "类型未知" in p for p in found)
    assert any("不在通知" in p for p in found) and any("既没有对应项" in p for p in found)


def test_condition_words_ignore_compounds():
    assert clauses.is_condition("协议期应不少于3年")
    assert clauses.is_condition("联盟需建立有完善的决策机制")
    assert not clauses.is_condition("联合体产业链供应链图")
    assert not clauses.is_condition("一、组建联盟的重要性和必要性")


@pytest.mark.parametrize("region", REGIONS)
def test_the_shipped_notice_is_the_seed(region):
    reg = clauses.get_register(region)
    seed = SEEDS / reg.notice_path.name
    if not seed.exists():
        pytest.skip("shared/seeds not beside the checkout")
    assert reg.notice_path.read_bytes() == seed.read_bytes()


def test_register_rows_cite_file_and_clause_and_label_targets():
    rows = clauses.as_rows(clauses.get_register("anshan"))
    row = next(r for r in rows if "rule:AS-PROVINCIAL" in r["serves"])
    assert row["clause"] == "002 § 第十三条" and "辽宁省科技厅" in row["quote"]
    assert any(t.startswith("规则 AS-PROVINCIAL（") for t in row["serves_text"])
    assert any(r["no_condition"] for r in rows)


def test_cli_prints_the_register(capsys):
    import json

    from cli import main

    assert main(["clauses", "--region", "gansu", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["region"] == "gansu" and out["uncovered"] == []
    row = next(r for r in out["clauses"] if "material:GS-M5" in r["serves"])
    assert row["clause"] == "001 § 三(一)" and "书面申请" in row["quote"]
    assert main(["clauses", "--region", "gansu"]) == 0
    text = capsys.readouterr().out
    assert "[001 § 二(四)] 中长期发展目标明确" in text and "规则 GS-GOALS-LT" in text
    assert main(["clauses", "--region", "nowhere"]) == 2
    assert "没有地区「nowhere」" in capsys.readouterr().err


@pytest.mark.parametrize("region", REGIONS)
def test_manual_items_speak_in_the_clause_own_words(region):
    """A person judges from the notice's words: each part (；) of a manual item's text is in the notice."""
    notice = clauses.compact(clauses.get_register(region).notice)
    manual = [r for r in all_packs()[region].rules if r.kind == "manual"]
    assert manual
    for rule in manual:
        for part in rule.text.split("；"):
            assert clauses.compact(part) in notice, (rule.id, part)
