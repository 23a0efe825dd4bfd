"""Calls an office opens, edits and closes; pack versions derived, adopted per call, exchanged signed."""
from __future__ import annotations

import json
import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from alliance_desk import demo, store
from alliance_desk.store import audit
from alliance_desk.store import calls
from alliance_desk.exchange import packages
from alliance_desk.store import pack_versions as pv
from cli import main
from alliance_desk.rules.packs import PackError, all_packs
from alliance_desk.store import StoreError
from db import models as m
from db.models_calls import PackVersion
from factory import eligible, member, variant

pytestmark = pytest.mark.backends("sqlite", "postgresql")

NOTICE = "甘工信发〔2026〕1号"
MIN3 = [{"path": ["new_rule", "min_members"], "value": 3, "clause": "二(一)", "replaces": "001 § 二(一)"}]


def _actions(db, entity_id):
    return [r.action for r in audit.history(db) if r.entity_id == entity_id]


def test_add_edit_close_a_call_are_audited_and_the_deadline_rule_reads_the_call(db):
    doc = variant("jinzhong", "late", call="jinzhong-2026", submitted_at="2026-05-01T10:00")
    doc["agreement"]["expires_on"] = "2030-12-31"  # three years from a 2026 submission
    c = calls.add_call(db, "jinzhong", name="2026年晋中市产业技术创新联盟认定", year=2026,
                       deadline=datetime(2026, 4, 30, 17, 0), doc_no="市科发〔2026〕8号", doc_date=date(2026, 3, 2),
                       by="李科员")
    assert c.id == "jinzhong-2026" and c.is_open and c.pack_version is None
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        item = next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "JZ-DEADLINE")
        assert item.status == "fail" and "2026-04-30 17:00" in item.message
        assert s.get(m.Application, doc["id"]).eligible is False
    # the notice extends the deadline: the stored verdict follows at once
    calls.edit_call(db, c.id, deadline=datetime(2026, 5, 15, 17, 0), by="李科员")
    with db.Session() as s:
        item = next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "JZ-DEADLINE")
        assert item.status == "pass" and "2026-05-15 17:00" in item.message
        assert s.get(m.Application, doc["id"]).n_fail == 0
    closed = calls.close_call(db, c.id, by="李科员")
    assert closed.closed
    assert _actions(db, c.id) == ["add_call", "edit_call", "close_call"]
    edit = next(r for r in audit.history(db) if r.action == "edit_call")
    assert edit.actor == "李科员" and "截止时间" in audit.describe(edit)
    # open calls first: the pack's 2023 call now comes before the closed 2026 one
    assert [x.id for x in calls.list_calls(db, "jinzhong")] == ["jinzhong-2023", "jinzhong-2026"]
    assert calls.close_call(db, c.id, reopen=True).is_open
    assert calls.list_calls(db, "jinzhong")[0].id == "jinzhong-2026"


def test_bad_call_values_are_refused_in_chinese_and_nothing_is_written(db):
    def n_calls():
        with db.Session() as s:
            return s.scalar(select(func.count()).select_from(m.Call))
    # listing writes nothing (a read-only seat lists calls too): the pack's call is shown as the pack has it
    assert [c.id for c in calls.list_calls(db, "chongqing")] == ["chongqing-2022"] and n_calls() == 0
    before = n_calls()
    with pytest.raises(StoreError, match="县区报送截止时间.*早于申报单位的截止时间"):
        calls.add_call(db, "chongqing", name="2026年认定", year=2026, deadline=datetime(2026, 6, 30, 17, 0),
                       county_deadline=datetime(2026, 5, 30, 23, 59))
    with pytest.raises(StoreError, match="年度应为"):
        calls.add_call(db, "chongqing", name="2026年认定", year=26)
    with pytest.raises(StoreError, match="请填写申报批次名称"):
        calls.add_call(db, "chongqing", name="  ", year=2026)
    with pytest.raises(StoreError, match="不是有效的日期"):
        calls.parse_when("2026-13-01", "截止时间")
    assert n_calls() == before


def test_a_call_with_a_decided_application_cannot_change(db):
    from alliance_desk import lifecycle

    doc = eligible("chongqing")
    store.import_documents(db, [("", doc)])
    lifecycle.decide(db, doc["id"], "demonstration", date(2022, 8, 1), doc_no="渝经信〔2022〕99号")
    with pytest.raises(StoreError, match="已有 1 份申报作出决定，不能再修改"):
        calls.edit_call(db, "chongqing-2022", deadline=datetime(2022, 6, 30, 17, 0))
    v = pv.derive(db, "chongqing", "重庆 2026 修订", "渝经信科技〔2026〕3号",
                  [{"path": ["publicity", "days"], "value": 7, "clause": "四(二)"}])
    with pytest.raises(StoreError, match="不能再修改"):
        calls.adopt_version(db, "chongqing-2022", v.id)
    assert calls.close_call(db, "chongqing-2022").closed  # closing is still allowed


def _check_db(capsys, dbpath, *ids):
    argv = ["check-db", "--db", str(dbpath), "--json"] + [x for i in ids for x in ("--id", i)]
    assert main(argv) == 0
    return {r["application"]: r for r in json.loads(capsys.readouterr().out)}


@pytest.mark.backends("sqlite")
def test_cli_opens_a_2026_call_for_every_region_and_an_application_in_it_passes_its_deadline(tmp_path, capsys):
    dbpath = tmp_path / "office.sqlite"
    files = []
    for region, pack in all_packs().items():
        code = main(["call", "add", "--db", str(dbpath), "--region", region, "--year", "2026",
                     "--name", f"2026年{pack.region_name}申报", "--deadline", "2026-06-30 17:00",
                     "--doc-no", f"{region}〔2026〕1号", "--doc-date", "2026-03-01"])
        out = capsys.readouterr().out
        assert code == 0 and f"{region}-2026\t开放" in out
        doc = variant(region, "cli-2026", call=f"{region}-2026", submitted_at="2026-06-30T16:59")
        p = tmp_path / f"{region}.json"
        p.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        files.append((region, doc["id"], p))
    assert main(["import", "--db", str(dbpath), *[str(p) for _, _, p in files]]) == 0
    capsys.readouterr()
    results = _check_db(capsys, dbpath, *[i for _, i, _ in files])
    for region, app_id, _ in files:
        r = results[app_id]
        assert r["pack_version"] == f"{all_packs()[region].region_name}规则包（随程序发布，{region}.toml）"
        deadline_items = [i for i in r["items"] if all_packs()[region].rule(i["rule"]).kind == "deadline"]
        assert all(i["status"] == "pass" and "2026-06-30 17:00" in i["message"] for i in deadline_items)
    # the regions whose notice sets an applicants' deadline (the shipped packs' deadline rules)
    judged = {reg for reg, i, _ in files if any(all_packs()[reg].rule(x["rule"]).kind == "deadline"
                                                 for x in results[i]["items"])}
    assert {"jinzhong", "chongqing"} <= judged
    # list, edit, close by CLI; a refusal is one Chinese line and exit 2
    assert main(["call", "edit", "--db", str(dbpath), "--region", "chongqing", "--id", "chongqing-2026",
                 "--county-deadline", "2026-07-30"]) == 0
    assert "县区报送截止 2026-07-30 23:59" in capsys.readouterr().out
    assert main(["call", "edit", "--db", str(dbpath), "--region", "jinzhong", "--id", "chongqing-2026",
                 "--year", "2027"]) == 2
    assert "不属于晋中市" in capsys.readouterr().err
    assert main(["call", "close", "--db", str(dbpath), "--region", "chongqing", "--id", "chongqing-2026"]) == 0
    capsys.readouterr()
    assert main(["call", "list", "--db", str(dbpath), "--region", "chongqing"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("chongqing-2022\t开放") and lines[1].startswith("chongqing-2026\t已关闭")


def _gansu_2020(db):
    docs = [d for d in demo.demo_applications() if d["region"] == "gansu"]
    store.import_documents(db, [("", d) for d in docs])
    with db.Session() as s:
        return {d["id"]: store.check_stored(s, d["id"]).as_dict() for d in docs}


def _two_members(tag: str, call: str) -> dict:
    doc = variant("gansu", tag, call=call, submitted_at="2026-05-06T09:30")
    doc["members"] = [doc["members"][0], member(2, "gansu", "university", "core")]
    return doc


def test_a_gansu_version_with_three_members_judges_only_the_call_that_adopts_it(db):
    before = _gansu_2020(db)
    assert before and all(r["pack_version"] == "甘肃省规则包（随程序发布，gansu.toml）" for r in before.values())
    two = _two_members("two-2026", "gansu-2026")
    call = calls.add_call(db, "gansu", name="2026年甘肃省产业联盟组建", year=2026, deadline=datetime(2026, 6, 30, 17, 0),
                          doc_no=NOTICE, doc_date=date(2026, 3, 1))
    store.import_documents(db, [("", two)])
    with db.Session() as s:
        assert store.check_stored(s, two["id"]).eligible  # two members were enough under the 2020 notice

    old_pack = all_packs()["gansu"]
    (param,) = [p for p in pv.parameters(old_pack) if p.path == ("new_rule", "min_members")]
    assert param.clause == "001 § 二(一)"
    new_pack = pv.build("gansu", pv.shipped_text("gansu"), MIN3, NOTICE, "试算", "试算")
    bench = pv.bench(db, "gansu", new_pack, call.id)
    assert bench.checked == 1 and [r.application for r in bench.rows] == [two["id"]]
    assert bench.rows[0].old_eligible and not bench.rows[0].new_eligible
    assert bench.rows[0].changed[0][:3] == ("GS-MIN-MEMBERS", "—", "fail")

    v = pv.derive(db, "gansu", "甘肃省 2026 年修订", NOTICE, MIN3, date(2026, 3, 1), by="王科长")
    adopted = calls.adopt_version(db, call.id, v.id, by="王科长")
    assert adopted.pack_version == v.id and adopted.pack_label == "甘肃省 2026 年修订"
    with db.Session() as s:
        r = store.check_stored(s, two["id"])
        item = next(i for i in r.items if i.rule == "GS-MIN-MEMBERS")
        assert item.status == "fail" and "成员单位 2" in item.message
        # both clauses: the revised notice's and the one of the 2020 notice it replaces
        assert item.clause == f"{NOTICE} § 二(一)（原 001 § 二(一)）"
        assert r.pack_version == "甘肃省 2026 年修订" and r.pack_digest == v.digest
        assert s.get(m.Application, two["id"]).eligible is False
        after = {i: store.check_stored(s, i).as_dict() for i in before}
        everything = {x.application: x.as_dict() for x in store.check_all(s)}
    assert after == before  # the 2020 applications: same verdicts, same items, same version
    assert {i: everything[i] for i in before} == before
    assert everything[two["id"]]["eligible"] is False
    # a 2020 application saved again is still judged by its own call
    doc = store.export_json(db, next(iter(before)))
    with db.Session.begin() as s:
        store.save_document(s, json.loads(doc))
    with db.Session() as s:
        assert store.check_stored(s, next(iter(before))).as_dict() == before[next(iter(before))]
    assert "pack_version_add" in _actions(db, v.id)


def test_pack_version_moves_between_two_databases_signed_and_a_flipped_byte_is_refused(make_db, tmp_path):
    city, county = make_db("city"), make_db("county")
    packages.generate_office_key(city, "甘肃省工业和信息化厅")
    v = pv.derive(city, "gansu", "甘肃省 2026 年修订", NOTICE, MIN3, date(2026, 3, 1))
    out = tmp_path / "gansu-2026.adpkg"
    pv.export_version(city, v.id, out)
    with pytest.raises(PackError, match="未登记为可信"):
        pv.import_version(county, out)
    packages.trust_key(county, packages.public_key_text(city))
    got = pv.import_version(county, out, by="县科员")
    assert (got.id, got.digest, got.changes) == (v.id, v.digest, v.changes)
    assert "gansu-2026.adpkg" in got.source and "甘肃省工业和信息化厅" in got.source
    assert pv.import_version(county, out).id == v.id  # the same file twice: stored once
    c = calls.add_call(county, "gansu", name="2026年组建", year=2026, pack_version=got.id)
    with county.Session() as s:
        assert pv.pack_for_call(s, "gansu", c.id).digest == v.digest
        assert s.scalar(select(func.count()).select_from(PackVersion)) == 1

    data = bytearray(out.read_bytes())
    data[len(data) // 2] ^= 0x01
    bad = tmp_path / "flipped.adpkg"
    bad.write_bytes(bytes(data))
    other = make_db("other")
    packages.trust_key(other, packages.public_key_text(city))
    with pytest.raises(PackError, match="flipped.adpkg"):
        pv.import_version(other, bad)
    with other.Session() as s:
        assert s.scalar(select(func.count()).select_from(PackVersion)) == 0
    assert pv.list_versions(other) == []


def test_a_version_that_does_not_load_is_refused_with_file_line_and_reason(db):
    base = pv.shipped_text("gansu").replace('kind = "uscc_valid"', 'kind = "uscc_valid_v2"')
    line = next(i for i, ln in enumerate(base.splitlines(), 1) if "uscc_valid_v2" in ln)
    with pytest.raises(PackError, match=rf"第 {line} 行：规则 GS-USCC 使用了未知的规则类型「uscc_valid_v2」"):
        pv.derive(db, "gansu", "手工改过", NOTICE, [], base_text=base)
    with pytest.raises(PackError, match="第 1 项修改（rule/GS-NOPE/min）：规则「GS-NOPE」不存在"):
        pv.derive(db, "gansu", "写错了", NOTICE, [{"path": ["rule", "GS-NOPE", "min"], "value": 3}])
    # stored rows a newer app (or a hand edit) left behind: listed, never used, the shipped pack works on
    good = pv.derive(db, "gansu", "甘肃省 2026 年修订", NOTICE, MIN3)
    with db.Session.begin() as s:
        s.add(PackVersion(id="gansu-newer", region="gansu", label="较新程序的版本", notice=NOTICE, format_version=2,
                          base_text=pv.shipped_text("gansu"), changes="[]", digest="x" * 64,
                          created_at=datetime(2026, 3, 1), created_by="", source=""))
        s.add(PackVersion(id="gansu-edited", region="gansu", label="手工改过", notice=NOTICE, format_version=1,
                          base_text=base, changes="[]", digest="y" * 64, created_at=datetime(2026, 3, 1),
                          created_by="", source=""))
    broken = pv.broken_versions(db)
    assert len(broken) == 2
    assert any("较新版本的 Alliance Desk 生成（格式版本 2）" in b for b in broken)
    assert any(f"pack_versions/gansu-edited） 第 {line} 行" in b and "uscc_valid_v2" in b for b in broken)
    c = calls.add_call(db, "gansu", name="2026年组建", year=2026)
    with pytest.raises(StoreError, match="无法载入，未采用"):
        calls.adopt_version(db, c.id, "gansu-newer")
    assert calls.adopt_version(db, c.id, good.id).pack_version == good.id
    with db.Session() as s:
        assert pv.pack_for_call(s, "gansu", "gansu-standing").version_id == ""


@pytest.mark.backends("sqlite")
def test_an_old_database_upgraded_keeps_its_calls_and_verdicts(tmp_path):
    from alembic import command

    from db.session import alembic_config, open_database

    path = tmp_path / "old.sqlite"
    db = open_database(path)
    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    store.add_call(db, "anshan", "anshan-2025", "2025年鞍山市认定", datetime(2025, 6, 30, 17, 0), "办公室新增")

    def state(d):
        with d.Session() as s:
            cs = sorted((c.id, c.region, c.name, c.deadline, c.note, c.from_pack) for c in s.scalars(select(m.Call)))
            apps = sorted((a.id, a.call_id, a.n_fail, a.n_warn, a.n_manual, a.eligible)
                          for a in s.scalars(select(m.Application)))
            verdicts = {r.application: (r.eligible, r.counts, [(i.rule, i.status, i.clause) for i in r.items])
                        for r in store.check_all(s)}
        return cs, apps, verdicts
    before = state(db)
    command.downgrade(alembic_config(db.engine), "0005")
    db.dispose()
    db = open_database(path)  # 0005 -> head
    assert state(db) == before
    with db.Session() as s:
        assert all(c.pack_version is None and c.closed is False for c in s.scalars(select(m.Call)))
    db.dispose()


def test_exports_say_which_rules_judged_and_use_the_calls_publicity_days(db):
    from alliance_desk import exports

    c = calls.add_call(db, "gansu", name="2026年组建", year=2026)
    doc = variant("gansu", "exp-2026", call=c.id)
    store.import_documents(db, [("", doc)])
    lines = exports.preview(db, "notice", "gansu", c.id, ids=[doc["id"]], start=date(2026, 7, 1))
    assert lines[1] == "审查依据：甘肃省规则包（随程序发布，gansu.toml）"
    assert any("（5个工作日）" in line for line in lines)
    v = pv.derive(db, "gansu", "甘肃省 2026 年修订", NOTICE, [{"path": ["publicity", "days"], "value": 7, "clause": "四(三)"}])
    calls.adopt_version(db, c.id, v.id)
    lines = exports.preview(db, "notice", "gansu", c.id, ids=[doc["id"]], start=date(2026, 7, 1))
    assert lines[1] == "审查依据：甘肃省 2026 年修订" and any("（7个工作日）" in line for line in lines)
    # the older call keeps the shipped pack's five days
    old = eligible("gansu")
    store.import_documents(db, [("", old)])
    assert any("（5个工作日）" in line for line in exports.preview(db, "notice", "gansu", "gansu-standing",
                                                                ids=[old["id"]], start=date(2026, 7, 1)))


@pytest.mark.backends("sqlite")
def test_a_packs_call_may_name_the_countys_deadline(tmp_path):
    from alliance_desk.rules.packs import load_pack

    # the shipped pack names Chongqing's district deadline (004 § 三(一)); a date alone ends that day
    text = pv.shipped_text("chongqing")
    assert re.search(r"^county_deadline = 2022-05-30", text, re.M)
    p = tmp_path / "chongqing.toml"
    p.write_text(re.sub(r"^county_deadline = .*$", "county_deadline = 2022-06-10", text, count=1, flags=re.M),
                 encoding="utf-8")
    (call,) = load_pack(p).calls
    assert call.county_deadline == datetime(2022, 6, 10, 23, 59)


@pytest.mark.backends("sqlite")
def test_pack_versions_by_cli_between_a_city_and_a_county(tmp_path, capsys):
    city, county = tmp_path / "city.sqlite", tmp_path / "county.sqlite"
    assert main(["keys", "init", "--db", str(city), "--office", "甘肃省工业和信息化厅"]) == 0
    assert main(["pack-version", "params", "--region", "gansu"]) == 0
    assert "new_rule/min_members\t成员单位最少家数" in capsys.readouterr().out
    argv = ["--db", str(city), "--region", "gansu", "--notice", NOTICE, "--set", "new_rule/min_members=3@二(一)"]
    assert main(["pack-version", "bench", *argv]) == 0
    assert "0 份有差别" in capsys.readouterr().out
    assert main(["pack-version", "derive", *argv[:-2], "--set", "new_rule/min_members=x@二(一)",
                 "--label", "错"]) == 2
    assert "成员单位家数应为不小于 1 的整数" in capsys.readouterr().err
    assert main(["pack-version", "derive", *argv, "--label", "甘肃省 2026 年修订", "--notice-date", "2026-03-01"]) == 0
    assert "已保存规则包版本 gansu-v2026.1" in capsys.readouterr().out
    out = tmp_path / "v.adpkg"
    assert main(["pack-version", "export", "--db", str(city), "--version", "gansu-v2026.1", "-o", str(out)]) == 0
    capsys.readouterr()
    assert main(["pack-version", "import", "--db", str(county), str(out)]) == 2
    assert "未登记为可信" in capsys.readouterr().err
    from db.session import open_database

    city_db = open_database(city)
    keyfile = tmp_path / "city.pub.json"
    keyfile.write_text(packages.public_key_text(city_db), encoding="utf-8")
    city_db.dispose()
    assert main(["keys", "trust", "--db", str(county), str(keyfile)]) == 0
    assert main(["pack-version", "import", "--db", str(county), str(out)]) == 0
    assert "已导入规则包版本 gansu-v2026.1" in capsys.readouterr().out
    assert main(["call", "add", "--db", str(county), "--region", "gansu", "--year", "2026", "--name", "2026年组建",
                 "--pack-version", "gansu-v2026.1"]) == 0
    assert "规则：甘肃省 2026 年修订" in capsys.readouterr().out
    assert main(["pack-version", "adopt", "--db", str(county), "--call", "gansu-2026", "--version", "shipped"]) == 0
    assert "规则：甘肃省规则包（随程序发布" in capsys.readouterr().out


def test_a_revision_of_a_revision_keeps_the_earlier_change_and_cites_both_notices(db):
    v1 = pv.derive(db, "gansu", "甘肃省 2026 年修订", NOTICE, MIN3, date(2026, 3, 1))
    with db.Session() as s:
        p1 = pv.load_version(s, v1.id)
    (param,) = [p for p in pv.parameters(p1) if p.path == ("rule", "GS-MIN-MEMBERS", "min")]
    assert param.value == 3 and param.clause == f"{NOTICE} § 二(一)"
    v2 = pv.derive(db, "gansu", "甘肃省 2027 年修订", "甘工信发〔2027〕2号",
                   [{"path": ["rule", "GS-MIN-MEMBERS", "min"], "value": 4, "clause": "二(二)"},
                    {"path": ["publicity", "days"], "value": 7, "clause": "四(三)"}],
                   date(2027, 3, 1), from_version=v1.id)
    assert v2.id == "gansu-v2027.1" and len(v2.changes) == 3
    with db.Session() as s:
        p2 = pv.load_version(s, v2.id)
    rule = p2.rule("GS-MIN-MEMBERS")
    assert rule.params["min"] == 4 and rule.notice == "甘工信发〔2027〕2号"
    assert rule.replaces == f"{NOTICE} § 二(一)" and p2.publicity["days"] == 7
    c = calls.add_call(db, "gansu", name="2027年组建", year=2027, pack_version=v2.id)
    store.import_documents(db, [("", _two_members("two-2027", c.id))])
    with db.Session() as s:
        item = next(i for i in store.check_stored(s, variant("gansu", "two-2027")["id"]).items
                    if i.rule == "GS-MIN-MEMBERS")
    assert item.status == "fail" and item.clause == f"甘工信发〔2027〕2号 § 二(二)（原 {NOTICE} § 二(一)）"
    with db.Session() as s:  # the 2026 version is as it was
        assert pv.load_version(s, v1.id).rule("GS-MIN-MEMBERS").params["min"] == 3
