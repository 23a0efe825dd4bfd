"""The audit trail on real SQLite files: every kind of change is recorded in the same transaction
(who, when, what, before and after), the rows are hash-chained and append-only, and
`alliance-desk audit verify` finds an edited, deleted, inserted or cut-off row."""
from __future__ import annotations

import copy
import json
import sqlite3
import subprocess
import sys
from datetime import date

import pytest

from alliance_desk import store
from alliance_desk.store import audit
from alliance_desk.exchange import packages
from alliance_desk import lifecycle as lc
from alliance_desk import review as rv
from cli import main as cli_main
from factory import eligible

D = date.fromisoformat


def rows(db, app_id=None):
    return audit.history(db, app_id)


def raw(db):
    return sqlite3.connect(db.engine.url.database, isolation_level=None)


def unprotect(con):
    """What an attacker with the file does first: drop the append-only triggers."""
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("DROP TRIGGER audit_log_no_delete")


def cli(capsys, *argv):
    code = cli_main([str(a) for a in argv])
    out = capsys.readouterr()
    return code, out.out, out.err


# ------------------------------------------------------------------ what is recorded

@pytest.mark.backends("sqlite", "postgresql")
def test_store_changes_are_recorded_with_who_what_before_and_after(db):
    doc = eligible("gansu")
    store.import_documents(db, [("county/a.json", doc)])
    (r,) = rows(db, doc["id"])
    assert (r.id, r.action, r.entity, r.entity_id) == (1, "import", "application", doc["id"])
    assert r.actor == audit.default_actor() and r.before is None
    assert r.after["source"] == "county/a.json" and r.after["document"]["name"] == doc["name"]
    assert "导入「" in r.summary() and "（新增）" in r.summary()

    edited = copy.deepcopy(doc)
    edited["name"] = "甘肃省改名后的产业技术创新联盟"
    edited["members"] = edited["members"][:-1]
    version = store.save_draft(db, edited)
    r = rows(db, doc["id"])[-1]
    assert r.action == "update" and version == 2
    assert r.before["changes"]["name"] == doc["name"] and r.after["changes"]["name"] == edited["name"]
    gone = f"members[{len(doc['members']) - 1}].name"
    assert r.before["changes"][gone] == doc["members"][-1]["name"] and gone not in r.after["changes"]
    assert "name：" in r.summary()
    store.save_draft(db, edited)                         # an autosave that changes nothing: no row
    assert len(rows(db, doc["id"])) == 2

    store.confirm(db, doc["id"], "GS-POLICY", by="王科长", note="已核实")
    r = rows(db, doc["id"])[-1]
    assert (r.action, r.actor, r.entity) == ("confirm", "王科长", "confirmation")
    assert r.before is None and r.after["outcome"] == "met" and r.after["note"] == "已核实"
    store.unconfirm(db, doc["id"], r.after["rule"])
    r2 = rows(db, doc["id"])[-1]
    assert r2.action == "unconfirm" and r2.before["by"] == "王科长" and r2.after is None

    store.import_documents(db, [("again.adpkg:applications/x.json", edited)])
    r = rows(db, doc["id"])[-1]
    assert r.action == "import" and r.before == {"version": 3, "changes": {}} and r.after["changes"] == {}
    assert r.after["document"]["name"] == edited["name"] and "内容无变化" in r.summary()
    # an import that changes the application says what it replaced, not only the version number
    county = copy.deepcopy(edited)
    county["county"] = "天水市"
    county["members"][0]["name"] = "甘肃省更名后的牵头单位有限公司"
    store.import_documents(db, [("later.json", county)])
    r = rows(db, doc["id"])[-1]
    assert r.before["version"] == 4 and r.before["changes"]["county"] == edited["county"]
    assert r.after["changes"] == {"county": "天水市", "members[0].name": "甘肃省更名后的牵头单位有限公司"}
    assert r.before["changes"]["members[0].name"] == edited["members"][0]["name"]
    assert "（替换第 4 版）" in r.summary() and f"county：{edited['county']} → 天水市" in r.summary()
    store.delete_application(db, doc["id"])
    r = rows(db, doc["id"])[-1]
    assert r.action == "delete" and r.before["document"]["name"] == edited["name"] and r.after is None
    assert [x.id for x in rows(db)] == list(range(1, 8)) and audit.verify(db).ok


@pytest.mark.backends("sqlite", "postgresql")
def test_a_refused_import_leaves_no_audit_row(db, tmp_path):
    good, bad = eligible("chongqing"), eligible("gansu")
    bad["members"][0]["employees"] = 2 ** 70          # refused by the store, inside the transaction
    with pytest.raises(store.StoreError):
        store.import_documents(db, [("good.json", good), ("bad.json", bad)])
    assert rows(db) == [] and audit.verify(db).checked == 0


@pytest.mark.backends("sqlite", "postgresql")
def test_lifecycle_steps_decisions_and_records_are_recorded(db):
    doc, other = eligible("anshan"), eligible("anshan")
    other["id"] = other["id"][:-4] + "beef"
    store.import_documents(db, [("", doc), ("", other)])
    app = doc["id"]
    first = lc.stages("anshan")[0].id
    lc.move_stage(db, app, first, D("2024-06-03"), by="王科长")
    r = rows(db, app)[-1]
    assert (r.action, r.entity, r.actor) == ("stage", "stage_transition", "王科长")
    assert r.before == {"stage": None} and r.after["stage"] == first and r.after["on"] == "2024-06-03"
    lc.decide(db, other["id"], "recognized", D("2024-07-10"), doc_no="鞍科发〔2024〕30号", by="李局长")
    r = rows(db, other["id"])[-1]
    assert (r.action, r.actor) == ("decide", "李局长")
    assert r.after["outcome"] == "recognized" and r.after["doc_no"] == "鞍科发〔2024〕30号"
    out = lc.record(db, other["id"], "summary", D("2024-12-20"), by="张三")
    r = rows(db, other["id"])[-1]
    assert (r.action, r.entity, r.actor, r.entity_id) == ("record", "obligation_record", "张三", str(out.record.id))
    assert r.after["kind"] == "summary" and r.after["period"] == 2024
    lc.delete_record(db, other["id"], out.record.id)
    r = rows(db, other["id"])[-1]
    assert r.action == "delete_record" and r.before["kind"] == "summary" and r.after is None
    refused_before = len(rows(db))
    with pytest.raises(lc.LifecycleError):
        lc.decide(db, other["id"], "recognized", D("2024-07-11"))     # one decision only: refused
    assert len(rows(db)) == refused_before
    assert audit.verify(db).ok


@pytest.mark.backends("sqlite", "postgresql")
def test_scores_and_packages_are_recorded(db, tmp_path):
    from test_review import build, points_for

    sc = build(db)
    tpl = rv.get_round(db, sc.round_id).template
    grid = rv.assignment_grid(db, sc.round_id)
    app, expert = next((a, e) for a in sc.apps.values() for e in sc.experts.values()
                       if grid.cell(a, e).state == "assigned")
    pts = points_for(tpl, 88)
    comments = {k: "理由充分" for k, v in pts.items() if v < tpl.leaf(k).comment_below}
    rv.record_score(db, sc.round_id, app, expert, pts, "总体较好", comments or None)
    r = rows(db, app)[-1]
    assert (r.action, r.entity, r.entity_id) == ("score", "review_score", f"{sc.round_id}/{app}/{expert}")
    assert r.before is None and r.after["total"] == 88 and r.after["source"] == "app"
    rv.delete_score(db, sc.round_id, app, expert)
    r = rows(db, app)[-1]
    assert r.action == "delete_score" and r.before["total"] == 88

    from db.session import open_database

    county = open_database(tmp_path / "county.sqlite")
    try:
        doc = eligible("chongqing")
        store.import_documents(county, [("", doc)])
        packages.generate_office_key(county, "两江新区经济运行局")
        packages.trust_key(db, packages.public_key_text(county))
        info = packages.export_package(county, tmp_path / "p.adpkg", "chongqing", "chongqing-2022", ids=[doc["id"]])
    finally:
        county.dispose()
    packages.import_package(db, info.path)
    imported = rows(db, doc["id"])[-1]
    assert imported.action == "import" and imported.after["source"] == f"p.adpkg:applications/{doc['id']}.json"
    pkg = [x for x in rows(db) if x.entity == "package"][-1]
    assert pkg.action == "package_import" and pkg.entity_id == info.sha256
    assert pkg.after["sender"] == "两江新区经济运行局" and pkg.after["applications"] == [doc["id"]]
    assert audit.verify(db).ok


# ------------------------------------------------------------------ the chain

def test_rows_are_chained_and_the_table_is_append_only(db):
    store.import_documents(db, [("", eligible(r)) for r in ("chongqing", "gansu", "anshan")])
    con = raw(db)
    got = con.execute("SELECT id, prev_hash, hash FROM audit_log ORDER BY id").fetchall()
    assert [g[0] for g in got] == [1, 2, 3]
    assert got[0][1] == audit.GENESIS and got[1][1] == got[0][2] and got[2][1] == got[1][2]
    assert con.execute("SELECT last_id, last_hash FROM audit_head").fetchone() == (3, got[2][2])
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("UPDATE audit_log SET actor = 'x' WHERE id = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        con.execute("DELETE FROM audit_log WHERE id = 3")
    # a fork (two rows after the same one) is impossible
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO audit_log (id, at, actor, action, entity, entity_id, prev_hash, hash) "
                    "VALUES (4, 'x', 'x', 'x', 'x', 'x', ?, 'h')", (got[1][2],))
    con.close()
    # the recorded hash is sha256(prev_hash + canonical JSON of the row)
    import hashlib

    con = raw(db)
    r = con.execute("SELECT id, at, actor, action, entity, entity_id, application_id, before, after, prev_hash, hash "
                    "FROM audit_log WHERE id = 2").fetchone()
    con.close()
    text = json.dumps({"action": r[3], "actor": r[2], "after": r[8], "application_id": r[6], "at": r[1],
                       "before": r[7], "entity": r[4], "entity_id": r[5], "id": r[0]},
                      ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert hashlib.sha256((r[9] + text).encode()).hexdigest() == r[10]


@pytest.mark.backends("sqlite", "postgresql")
def test_append_only_and_tamper_detection_on_every_backend(db):
    from sqlalchemy.exc import DBAPIError

    store.import_documents(db, [("", eligible(r)) for r in ("chongqing", "gansu", "anshan")])
    for sql in ("UPDATE audit_log SET actor = 'x' WHERE id = 2", "DELETE FROM audit_log WHERE id = 3"):
        with pytest.raises(DBAPIError, match="append-only"):
            with db.engine.begin() as c:
                c.exec_driver_sql(sql)
    assert audit.verify(db).ok and audit.verify(db).checked == 3
    with db.engine.begin() as c:
        if db.engine.dialect.name == "postgresql":
            c.exec_driver_sql("DROP TRIGGER audit_log_append_only ON audit_log")
        else:
            c.exec_driver_sql("DROP TRIGGER audit_log_no_update")
        c.exec_driver_sql("UPDATE audit_log SET actor = 'x' WHERE id = 2")
    res = audit.verify(db)
    assert not res.ok and res.broken_id == 2 and "内容与其哈希不符" in res.reason


@pytest.fixture
def trail(db):
    for region in ("chongqing", "gansu", "anshan", "jinzhong", "ganzhou"):
        store.import_documents(db, [(f"{region}.json", eligible(region))])
    assert audit.verify(db).ok
    return db


@pytest.mark.parametrize("attack,broken_id,reason", [
    ("edit", 3, "内容与其哈希不符"),
    ("edit-at", 2, "内容与其哈希不符"),
    ("rehash", 4, "前一哈希"),          # row 3 edited and its own hash recomputed: row 4 no longer links
    ("delete", 3, "记录被删除"),
    ("delete-first", 1, "记录被删除"),
    ("delete-tail", 5, "链尾记录被删除"),
    ("insert", 6, "链头记录"),
])
def test_audit_verify_finds_the_first_broken_link(trail, capsys, attack, broken_id, reason):
    con = raw(trail)
    unprotect(con)
    if attack == "edit":
        con.execute("UPDATE audit_log SET actor = '别人' WHERE id = 3")
    elif attack == "edit-at":
        con.execute("UPDATE audit_log SET at = '2020-01-01T00:00:00+08:00' WHERE id = 2")
    elif attack == "rehash":
        row = con.execute("SELECT id, at, actor, action, entity, entity_id, application_id, before, after, prev_hash "
                          "FROM audit_log WHERE id = 3").fetchone()
        text = audit.row_text(row[0], row[1], "别人", *row[3:9])
        con.execute("UPDATE audit_log SET actor = '别人', hash = ? WHERE id = 3", (audit.row_hash(row[9], text),))
    elif attack == "delete":
        con.execute("DELETE FROM audit_log WHERE id = 3")
    elif attack == "delete-first":
        con.execute("DELETE FROM audit_log WHERE id = 1")
    elif attack == "delete-tail":
        con.execute("DELETE FROM audit_log WHERE id = 5")
    elif attack == "insert":
        last = con.execute("SELECT hash FROM audit_log WHERE id = 5").fetchone()[0]
        text = audit.row_text(6, "2024-01-01T00:00:00+08:00", "x", "import", "application", "x", "x", None, None)
        con.execute("INSERT INTO audit_log (id, at, actor, action, entity, entity_id, application_id, before, after, "
                    "prev_hash, hash) VALUES (6, '2024-01-01T00:00:00+08:00', 'x', 'import', 'application', 'x', 'x', "
                    "NULL, NULL, ?, ?)", (last, audit.row_hash(last, text)))
    con.close()
    res = audit.verify(trail)
    assert not res.ok and res.broken_id == broken_id and reason in res.reason, res.text()
    code, out, err = cli(capsys, "audit", "verify", "--db", trail.engine.url.database)
    assert code == 2 and f"第 {broken_id} 条" in err and reason in err
    assert "只可追加保护" in err                                   # the dropped triggers are reported too


def test_audit_cli_log_and_verify(trail, capsys):
    code, out, err = cli(capsys, "audit", "verify", "--db", trail.engine.url.database)
    assert code == 0 and "审计记录完整：共 5 条" in out
    app = eligible("gansu")["id"]
    code, out, err = cli(capsys, "audit", "log", "--db", trail.engine.url.database, "--application", app)
    assert code == 0 and out.count("\n") == 1 and "导入" in out and "gansu.json" in out
    code, out, err = cli(capsys, "audit", "log", "--db", trail.engine.url.database, "--json", "--limit", "2")
    data = json.loads(out)
    assert [d["id"] for d in data] == [4, 5] and data[1]["after"]["source"] == "ganzhou.json"
    # the installed entry point, in a real process
    proc = subprocess.run([sys.executable, "-m", "cli", "audit", "verify", "--db",
                           trail.engine.url.database], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and "审计记录完整" in proc.stdout


@pytest.mark.backends("sqlite", "postgresql")
def test_a_downgrade_keeps_the_audit_trail(db):
    from alembic import command
    from sqlalchemy import inspect

    from db.session import alembic_config

    store.import_documents(db, [("", eligible("chongqing"))])
    command.downgrade(alembic_config(db.engine), "0004")
    assert {"audit_log", "audit_head"} <= set(inspect(db.engine).get_table_names())
    command.upgrade(alembic_config(db.engine), "head")
    store.import_documents(db, [("", eligible("gansu"))])
    assert audit.verify(db).ok and audit.verify(db).checked == 2


def test_large_payloads_are_stored_compressed_and_read_back(db):
    doc = eligible("ganzhou", n_members=60)
    store.import_documents(db, [("big.json", doc)])
    con = raw(db)
    stored = con.execute("SELECT after FROM audit_log").fetchone()[0]
    con.close()
    assert stored.startswith("z1:") and len(stored) < len(json.dumps(doc, ensure_ascii=False))
    assert rows(db)[0].after["document"]["members"][59]["name"] == doc["members"][59]["name"]
    assert audit.verify(db).ok


def test_calls_and_calendar_changes_are_recorded(db):
    from datetime import date, datetime

    from alliance_desk.lifecycle import workdays

    store.add_call(db, "gansu", "gansu-2027", "2027年度甘肃省产业技术创新战略联盟组建", datetime(2027, 5, 31, 17, 30))
    (r,) = [x for x in rows(db) if x.entity == "call"]
    assert (r.action, r.entity_id, r.before) == ("add_call", "gansu-2027", None)
    assert r.after["deadline"] == "2027-05-31T17:30:00"
    assert r.label == "新增申报批次" and "截止 2027-05-31" in r.summary()

    workdays.set_year(db, 2031, [(date(2031, 1, 1), "元旦")], [], note="通知未发布前的临时安排")
    workdays.set_year(db, 2031, [(date(2031, 1, 1), "元旦"), (date(2031, 1, 2), "元旦")],
                      [(date(2031, 1, 4), "元旦")], note="国务院办公厅通知")
    assert workdays.remove_year(db, 2031) and not workdays.remove_year(db, 2031)
    cal = [x for x in rows(db) if x.entity == "calendar"]
    assert [(x.action, x.entity_id) for x in cal] == [("calendar_year", "2031"), ("calendar_year", "2031"),
                                                      ("calendar_remove", "2031")]
    assert cal[0].before is None and cal[1].before["holidays"] == {"2031-01-01": "元旦"}
    assert cal[1].after["workdays"] == {"2031-01-04": "元旦"} and cal[2].after is None
    assert "新增节假日 2031-01-02" in cal[1].summary() and "新增调休上班 2031-01-04" in cal[1].summary()
    assert cal[1].label == "设置节假日日历" and audit.verify(db).ok


def test_signing_keys_and_trusted_keys_are_recorded(db, tmp_path):
    from db.session import open_database

    county = open_database(tmp_path / "county.sqlite")
    try:
        first = packages.generate_office_key(county, "两江新区经济运行局")
        second = packages.generate_office_key(county, "两江新区经济运行局", replace=True)
        text = packages.public_key_text(county)
    finally:
        county.dispose()
    county = open_database(tmp_path / "county.sqlite")
    try:
        made = [x for x in rows(county) if x.entity == "office_key"]
        assert [(x.action, x.entity_id) for x in made] == [("key_generate", first.fingerprint),
                                                          ("key_generate", second.fingerprint)]
        assert made[1].before["fingerprint"] == first.fingerprint
        assert "private_pem" not in json.dumps([x.after for x in made])  # never the private key
        assert made[0].label == "生成本单位签名密钥" and "替换原密钥" in made[1].summary()
    finally:
        county.dispose()

    packages.trust_key(db, text, note="2026-11 邮件收到，电话核对指纹")
    packages.untrust_key(db, second.fingerprint[:12])
    trust = [x for x in rows(db) if x.entity == "trusted_key"]
    assert [(x.action, x.entity_id) for x in trust] == [("key_trust", second.fingerprint),
                                                       ("key_untrust", second.fingerprint)]
    assert trust[0].after["office"] == "两江新区经济运行局" and trust[1].after is None
    assert "两江新区经济运行局，指纹 " in trust[0].summary() and audit.verify(db).ok


def test_review_setup_is_recorded(db):
    """Who drew, added, assigned and changed what in a review round is on record, like the scores."""
    doc = eligible("ganzhou")
    store.import_documents(db, [("", doc)])
    app = doc["id"]
    a = rv.add_expert(db, "周敏", "江西理工大学", field="稀土新材料", phone="13800000000")
    b = rv.add_expert(db, "陈立", "赣州市科学技术研究院", field="稀土新材料")
    c = rv.add_expert(db, "刘洋", "赣南师范大学", field="稀土新材料")
    rv.update_expert(db, a, phone="13900000000", title="教授")
    rid = rv.create_round(db, "ganzhou", None, "2026 年赣州备案评审", applications=[app])
    rv.update_round(db, rid, per_application=2, name="2026 年赣州备案评审（第一批）")
    draw = rv.draw_experts(db, rid, 1, reserves=1, seed=42, by="李科长")
    rv.set_expert_role(db, rid, draw.selected[1], "primary")
    rv.assign(db, rid, app, a)
    rv.unassign(db, rid, app, a)
    result = rv.auto_assign(db, rid, 2)
    rv.add_round_experts(db, rid, [c], role="reserve")
    rv.remove_round_expert(db, rid, c)
    trail = [x for x in rows(db) if x.entity in ("review_expert", "review_round", "review_assignment")]
    assert [x.action for x in trail] == [
        "expert_add", "expert_add", "expert_add", "expert_update", "round_create", "round_update", "draw",
        "expert_role", "assign", "unassign", "auto_assign", "round_experts", "expert_remove"]
    add_a, update_a = trail[0], trail[3]
    assert add_a.after["phone"] == "（已填写）" and "13800000000" not in json.dumps(add_a.after, ensure_ascii=False)
    assert update_a.before == {"phone": "（已填写）"} and update_a.after == {"phone": "（已填写）", "title": "教授"}
    assert trail[5].before == {"per_application": 3, "name": "2026 年赣州备案评审"}
    drawn = trail[6]
    assert drawn.actor == "李科长" and drawn.after["seed"] == 42 and drawn.after["selected"] == draw.selected
    assert "种子 42" in drawn.summary() and drawn.label == "随机抽取专家"
    assert trail[8].application_id == app and trail[8].after["expert"] == a
    auto = trail[10]
    assert auto.after["per_application"] == 2 and [tuple(p) for p in auto.after["added"]] == result.added
    assert "新分配 2 对" in auto.summary()
    assert trail[11].after == {"experts": [c], "role": "reserve"} and trail[12].before == {"expert": c}
    assert audit.verify(db).ok
