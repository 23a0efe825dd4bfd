"""Duplicates: the same alliance name (normalised) in a region, or the same lead-unit USCC in a call,
is found by one service; imports report it per file; the second one is never published."""
from __future__ import annotations

import json
from datetime import date

import pytest

from alliance_desk import exchange, lifecycle, store
from alliance_desk.store import duplicates
from alliance_desk.exchange import packages
from alliance_desk.exports import export
from alliance_desk.exports.guard import DocumentsRefused
from factory import uscc, variant

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def cq(tag: str, n: int, name: str | None = None, call: str = "chongqing-2022") -> dict:
    doc = variant("chongqing", tag, name=name or f"重庆市{tag}产业技术创新联盟", call=call)
    doc["members"][0]["uscc"] = uscc(900 + n, "chongqing")
    doc["members"][0]["name"] = f"重庆{tag}科技有限公司"
    return doc


def test_normalised_names():
    assert duplicates.normalise_name(" 重庆市 氢能产业技术创新联盟\u3000") == duplicates.normalise_name("重庆市氢能产业技术创新联盟")
    assert duplicates.normalise_name("ＡＢＣ５Ｇ联盟（重庆）") == duplicates.normalise_name("abc5g联盟(重庆)")
    assert duplicates.normalise_name("重庆市氢能联盟") != duplicates.normalise_name("重庆市氢能源联盟")


def test_same_name_or_same_lead_in_the_call(db):
    first = cq("氢能", 1)
    same_name = cq("氢能2", 2, name="重庆市 氢能产业技术创新联盟")      # a space and nothing else
    same_lead = cq("储能", 3)
    same_lead["members"][0]["uscc"] = first["members"][0]["uscc"]
    other_call = cq("材料", 4, call="chongqing-2023")
    other_call["members"][0]["uscc"] = first["members"][0]["uscc"]  # another call: not a duplicate
    unrelated = cq("软件", 5)
    store.import_documents(db, [("", first)])
    store.import_documents(db, [("", d) for d in (same_name, same_lead, other_call, unrelated)])
    with db.Session() as s:
        found = duplicates.find_all(s)
    assert set(found) == {first["id"], same_name["id"], same_lead["id"]}
    assert [(d.other_id, d.by, d.other_first) for d in found[same_name["id"]]] == [(first["id"], "name", True)]
    assert [(d.other_id, d.by) for d in found[same_lead["id"]]] == [(first["id"], "lead_uscc")]
    assert found[same_lead["id"]][0].text() == f"牵头单位统一社会信用代码与同批次的「{first['name']}」相同"
    assert {d.other_id for d in found[first["id"]]} == {same_name["id"], same_lead["id"]}
    assert not any(d.other_first for d in found[first["id"]])
    with db.Session() as s:  # one document against the store: the same answer as the whole pass
        assert duplicates.for_document(s, same_name) == found[same_name["id"]]
        assert duplicates.for_document(s, unrelated) == []


def test_json_import_reports_each_file(db, tmp_path):
    first = cq("氢能", 1)
    store.import_documents(db, [("", first)])
    again = cq("氢能2", 2, name="重庆市氢能产业技术创新联盟")
    twin_a, twin_b = cq("软件", 5), cq("软件二", 6, name="重庆市软件产业技术创新联盟")
    paths = []
    for d in (again, twin_a, twin_b):
        p = tmp_path / f"{d['id']}.json"
        p.write_text(exchange.dumps(d), encoding="utf-8")
        paths.append(p)
    rep = store.import_files(db, paths)
    assert len(rep.created) == 3
    assert rep.warnings == [
        f"{paths[0]}：「{again['name']}」疑似重复申报：与「{first['name']}」名称相同",
        f"{paths[1]}：「{twin_a['name']}」疑似重复申报：与「{twin_b['name']}」名称相同",
        f"{paths[2]}：「{twin_b['name']}」疑似重复申报：与「{twin_a['name']}」名称相同",
    ]
    assert "注意：" + rep.warnings[0] in rep.lines()
    # importing the same files again updates them: a file is not a duplicate of itself
    assert store.import_files(db, paths[:1]).warnings[0].endswith(f"与「{first['name']}」名称相同")


def test_package_import_reports_each_file(make_db, tmp_path):
    county, city = make_db("county"), make_db("city")
    first = cq("氢能", 1)
    store.import_documents(city, [("", first)])
    dup = cq("氢能2", 2, name="重庆市氢能产业技术创新联盟")
    dup["recommendation"] = {"recommended": True, "opinion": "同意推荐"}
    store.import_documents(county, [("", dup)])
    packages.generate_office_key(county, "两江新区经济运行局")
    packages.trust_key(city, packages.public_key_text(county))
    res = packages.export_package(county, tmp_path / "up.adpkg", "chongqing", "chongqing-2022")
    got = packages.import_package(city, res.path)
    assert f"up.adpkg:applications/{dup['id']}.json：「{dup['name']}」疑似重复申报：与「{first['name']}」名称相同" \
        in got.warnings


def test_the_second_is_never_published(db, tmp_path):
    first, second = cq("氢能", 1), cq("氢能2", 2, name="重庆市氢能产业技术创新联盟")
    store.import_documents(db, [("", first)])
    store.import_documents(db, [("", second)])
    for d in (first, second):
        lifecycle.decide(db, d["id"], "demonstration", date(2022, 6, 20), doc_no="渝经信科技〔2022〕30号")
    out = tmp_path / "证书.pdf"
    with pytest.raises(DocumentsRefused) as caught:
        export(db, "certificates", "chongqing", "chongqing-2022", out)
    assert [r.application_id for r in caught.value.refusals] == [second["id"]]
    assert f"「{second['name']}」：与「{first['name']}」名称相同，后录入的一份不能同时发布" in str(caught.value)
    res = export(db, "certificates", "chongqing", "chongqing-2022", out, ids=[first["id"]])
    assert res.count == 1
    with pytest.raises(DocumentsRefused):
        export(db, "notice", "chongqing", "chongqing-2022", tmp_path / "n.pdf", ids=[first["id"], second["id"]],
               start=date(2022, 7, 1))


def test_find_all_is_one_pass(db):
    """Two queries whatever the number of applications (cheap at 5,000: no query per application)."""
    from sqlalchemy import event

    docs = [cq(f"联盟{i}", i) for i in range(40)]
    store.import_documents(db, [("", d) for d in docs])
    seen = []
    listener = lambda *a, **k: seen.append(a[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        with db.Session() as s:
            assert duplicates.find_all(s) == {}
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 2
