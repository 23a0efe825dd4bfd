"""Region packs as data: complete, and a broken pack fails to load naming file and line."""
from __future__ import annotations

import shutil

import pytest

from alliance_desk.rules.engine import evaluate
from alliance_desk.rules.packs import PackError, all_packs, load_pack, regions_dir
from factory import eligible


def test_five_packs_with_their_data():
    packs = all_packs()
    assert set(packs) == {"jinzhong", "gansu", "anshan", "ganzhou", "chongqing"}
    assert len(packs["jinzhong"].industries) == 12
    gz = packs["ganzhou"]
    assert gz.industry("化工产业").division == "市科技局高新科"
    assert gz.industry("其他产业").division == "参照省厅分工由对口科室负责"
    assert [m.code for m in gz.materials] == [f"GZ-M{i}" for i in range(1, 8)]
    assert [s.name for s in packs["anshan"].stages][4] == "公示 5 个工作日"
    assert packs["anshan"].publicity == {"configured_by": "notice", "days": 5, "unit": "working",
                                         "clause": "第九条4"}
    assert packs["anshan"].validity["years"] == 5
    assert len(gz.stages) == 8
    calls = {c.id: c for p in packs.values() for c in p.calls}
    assert calls["jinzhong-2023"].deadline.isoformat() == "2023-09-30T18:00:00"
    # 004 § 三(一): 5月30日 is the district's deadline to the city, not the lead unit's
    assert calls["chongqing-2022"].deadline is None
    assert calls["chongqing-2022"].county_deadline.isoformat() == "2022-05-30T23:59:00"
    assert calls["gansu-standing"].deadline is None


def test_ganzhou_scoring_templates_add_up():
    for tpl in all_packs()["ganzhou"].raw["scoring"]:
        assert sum(c["max"] for c in tpl["criteria"]) == tpl["total"] == 100
        for c in tpl["criteria"]:
            if "items" in c:
                assert sum(i["max"] for i in c["items"]) == c["max"], c["name"]


def _copy_pack(tmp_path, region="jinzhong"):
    d = tmp_path / "regions"
    d.mkdir()
    shutil.copy(regions_dir() / f"{region}.toml", d / f"{region}.toml")
    return d / f"{region}.toml"


def _line_containing(path, needle):
    for i, ln in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if needle in ln:
            return i
    raise AssertionError(needle)


@pytest.mark.parametrize("old,new,message,marker", [
    ('kind = "min_count"\nof = "core_members"', 'kind = "min_counts"\nof = "core_members"', "未知的规则类型「min_counts」",
     'kind = "min_counts"'),
    ('of = "core_members"', 'of = "core_memberz"', "统计对象「core_memberz」未知", 'of = "core_memberz"'),
    ('"agreement.sealed"]', '"agreement.sealedd"]', "未知字段「agreement.sealedd」", "agreement.sealedd"),
    ('min = 5\n', 'mni = 5\n', "未知参数「mni」", "mni = 5"),
    ('field = "integrity_ok"', 'field = "integrity"', "未知的成员字段「integrity」", 'field = "integrity"'),
    ('codes = ["JZ-M1", "JZ-M2", "JZ-M3"]', 'codes = ["JZ-M1", "JZ-M9"]', "未在 [[materials]] 中定义的材料「JZ-M9」",
     '"JZ-M9"'),
    ('status = "warn"\nclause = "三(三)"', 'status = "maybe"\nclause = "三(三)"', "status「maybe」无效", 'status = "maybe"'),
])
def test_broken_pack_names_file_and_line(tmp_path, old, new, message, marker):
    p = _copy_pack(tmp_path)
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(PackError) as exc:
        load_pack(p)
    msg = str(exc.value)
    assert str(p) in msg and message in msg, msg
    assert f"第 {_line_containing(p, marker)} 行" in msg, msg


def test_toml_syntax_error(tmp_path):
    p = _copy_pack(tmp_path)
    p.write_text(p.read_text(encoding="utf-8") + "\n[[rules]\n", encoding="utf-8")
    with pytest.raises(PackError, match="TOML 语法错误"):
        load_pack(p)


def test_a_sixth_region_is_just_a_file(tmp_path):
    p = _copy_pack(tmp_path)
    text = p.read_text(encoding="utf-8").replace('id = "jinzhong"', 'id = "taiyuan"', 1)
    text = text.replace('region_name = "晋中市"', 'region_name = "太原市"')
    (tmp_path / "regions" / "taiyuan.toml").write_text(text, encoding="utf-8")
    packs = all_packs(tmp_path / "regions")
    doc = eligible("jinzhong")
    res = evaluate(doc, pack=packs["taiyuan"])
    assert res.region == "taiyuan" and res.eligible
    assert "太原市" in next(i for i in res.items if i.rule == "JZ-LEAD-LOCAL").message
