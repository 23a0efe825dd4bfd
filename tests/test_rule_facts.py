"""The editor's per-region fields come from what a pack's rules read (`RuleKind.facts`), so a
sixth region declares its fields in its TOML file alone."""
from __future__ import annotations

import shutil

from alliance_desk.rules.kinds import KINDS
from alliance_desk.rules.packs import all_packs, regions_dir
from alliance_desk.rules.rule_facts import facts_read, reads


def _sixth_region(tmp_path, source: str, region: str):
    d = tmp_path / "regions"
    d.mkdir()
    text = (regions_dir() / f"{source}.toml").read_text(encoding="utf-8")
    text = text.replace(f'id = "{source}"', f'id = "{region}"', 1)
    (d / f"{region}.toml").write_text(text, encoding="utf-8")
    shutil.copy(regions_dir() / "anshan.toml", d / "anshan.toml")
    return all_packs(d)


def test_a_sixth_region_copying_chongqings_rules_reads_the_same_facts(tmp_path):
    packs = _sixth_region(tmp_path, "chongqing", "wanzhou")
    six, cq = packs["wanzhou"], all_packs()["chongqing"]
    assert facts_read(six) == facts_read(cq)
    assert reads(six, "materials_sealed_by_all") and reads(six, "lead.platforms")
    assert not reads(packs["anshan"], "materials_sealed_by_all")
    assert reads(packs["anshan"], "provincial_recognized")


def test_facts_inside_all_of_count_and_each_kind_declares_its_own():
    pack = all_packs()["chongqing"]
    for rule in pack.rules:
        assert KINDS[rule.kind].facts(rule.params) <= facts_read(pack)
    nested = [r for p in all_packs().values() for r in p.rules if r.kind == "all_of"]
    for rule in nested:
        subs = set().union(*(KINDS[s["kind"]].facts(s) for s in rule.params["checks"]))
        assert KINDS["all_of"].facts(rule.params) == subs


def test_dropping_the_seal_rule_drops_the_field(tmp_path):
    d = tmp_path / "regions"
    d.mkdir()
    text = (regions_dir() / "chongqing.toml").read_text(encoding="utf-8")
    assert 'fields = ["materials_sealed_by_all"]' in text
    text = text.replace('fields = ["materials_sealed_by_all"]', 'fields = ["agreement.sealed"]')
    (d / "chongqing.toml").write_text(text, encoding="utf-8")
    assert not reads(all_packs(d)["chongqing"], "materials_sealed_by_all")
