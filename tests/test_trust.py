"""Records no one can roll back, hijack, impersonate or quietly erase. Each test builds the attack
from scratch — real keys, real signed files, real databases (SQLite files; PostgreSQL too where
the store runs there) — and then asserts what is stored, not only the message."""
from __future__ import annotations

import copy
import json
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance_desk import exchange, store
from alliance_desk.store import audit
from alliance_desk.store import backup
from alliance_desk.exchange import packages
from alliance_desk.store import trust
from alliance_desk import review as rv
from cli import main as cli_main
from alliance_desk.exchange.packages import OlderPackage, PackageError
from db.session import open_database
from factory import eligible

pytestmark = pytest.mark.backends("sqlite", "postgresql")

COUNTY_A, COUNTY_B = "两江新区经济运行局", "渝北区经济和信息化委员会"


def cli(capsys, *argv):
    code = cli_main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def stored(db, app_id) -> dict | None:
    with db.Session() as s:
        try:
            return store.get_document(s, app_id)
        except store.StoreError:
            return None


def count(db) -> int:
    with db.Session() as s:
        return store.count_applications(s)


def audit_rows(db) -> int:
    return len(audit.history(db))


def edit(db, app_id, **values) -> None:
    with db.Session() as s:
        draft = store.load_draft(s, app_id)
    doc = copy.deepcopy(draft.doc)
    doc.update(values)
    store.save_draft(db, doc, expected_version=draft.version)


@pytest.fixture
def offices(make_db):
    """Two counties with their keys and one application each, and a city trusting both."""
    a, b, city = make_db("county_a"), make_db("county_b"), make_db("city")
    doc_a = eligible("chongqing")
    doc_a["county"] = "两江新区"
    doc_b = eligible("chongqing")
    doc_b["id"] = str(uuid.uuid4())
    doc_b["county"] = "渝北区"
    doc_b["name"] = "渝北区智能网联汽车产业技术创新联盟"
    store.import_documents(a, [("", doc_a)])
    store.import_documents(b, [("", doc_b)])
    packages.generate_office_key(a, COUNTY_A)
    packages.generate_office_key(b, COUNTY_B)
    packages.trust_key(city, packages.public_key_text(a))
    packages.trust_key(city, packages.public_key_text(b))
    return a, b, city, doc_a, doc_b


def export(db, tmp_path, name, doc) -> Path:
    return packages.export_package(db, tmp_path / name, "chongqing", doc["call"] if "call" in doc else None,
                                   ids=[doc["id"]]).path


# ------------------------------------------------------------------ 1. older package

def test_an_older_package_cannot_replay_older_data(offices, tmp_path, capsys):
    a, _b, city, doc, _ = offices
    v1 = export(a, tmp_path, "v1.adpkg", doc)
    edit(a, doc["id"], name="两江新区新能源汽车产业技术创新联盟（第二版）", investment_wan=888)
    v2 = export(a, tmp_path, "v2.adpkg", doc)
    packages.import_package(city, v2)
    rows = audit_rows(city)
    with pytest.raises(OlderPackage, match="早于已接受的同一发送方文件") as exc:
        packages.import_package(city, v1)
    assert "序号 1" in str(exc.value) and "序号 2" in str(exc.value)
    assert "退回到较早的内容" in str(exc.value)          # names what it would undo
    now = stored(city, doc["id"])
    assert now["name"] == "两江新区新能源汽车产业技术创新联盟（第二版）" and now["investment_wan"] == 888
    assert audit_rows(city) == rows
    # the same package again is not older: idempotent as before
    assert packages.import_package(city, v2).times == 2
    # taken knowingly: imported, and the trail says what it undid
    res = packages.import_package(city, v1, allow_older=True)
    assert stored(city, doc["id"])["name"] == doc["name"]
    last = audit.history(city, limit=1, newest_first=True)[0]
    assert last.action == "package_import" and "早于已接受" in last.after["older_accepted"]
    assert "较早的上报包" in res.summary()
    assert audit.verify(city).ok


def test_the_cli_refuses_an_older_package_unless_allowed(offices, tmp_path, capsys, backend):
    a, _b, city, doc, _ = offices
    v1 = export(a, tmp_path, "v1.adpkg", doc)
    edit(a, doc["id"], name="第二版联盟")
    v2 = export(a, tmp_path, "v2.adpkg", doc)
    target = city.url if backend == "postgresql" else city.engine.url.database
    assert cli(capsys, "package", "import", "--db", target, v2)[0] == 0
    code, out, err = cli(capsys, "package", "import", "--db", target, v1)
    assert code == 2 and "数据库未作任何修改" in err and "--allow-older" in err
    assert stored(city, doc["id"])["name"] == "第二版联盟"
    code, out, err = cli(capsys, "package", "import", "--db", target, v1, "--allow-older")
    assert code == 0 and stored(city, doc["id"])["name"] == doc["name"]


# ------------------------------------------------------------------ 3, 4. owners and names

def test_a_county_cannot_overwrite_another_countys_application(offices, tmp_path, capsys):
    a, b, city, doc_a, doc_b = offices
    packages.import_package(city, export(a, tmp_path, "a.adpkg", doc_a))
    # county B's signed package carries the id of county A's application, with B's name and county
    hijack = copy.deepcopy(doc_b)
    hijack["id"] = doc_a["id"]
    store.import_documents(b, [("", hijack)])
    bad = export(b, tmp_path, "b.adpkg", hijack)
    before = audit_rows(city)
    with pytest.raises(PackageError, match=f"属于「{COUNTY_A}」") as exc:
        packages.import_package(city, bad)
    assert COUNTY_B in str(exc.value)
    now = stored(city, doc_a["id"])
    assert now["name"] == doc_a["name"] and now["county"] == "两江新区"
    assert audit_rows(city) == before and trust.owner_of(city, doc_a["id"])[0] == COUNTY_A
    # B may still add its own applications
    packages.import_package(city, export(b, tmp_path, "b2.adpkg", doc_b))
    assert stored(city, doc_b["id"])["county"] == "渝北区" and trust.owner_of(city, doc_b["id"])[0] == COUNTY_B
    # the city transfers ownership explicitly (audited); then B's package is taken
    fp_b = packages.office_key(b).fingerprint
    assert trust.transfer(city, doc_a["id"], fp_b[:12], by="王科长", note="联盟改由渝北区推荐") == COUNTY_B
    row = audit.history(city, limit=1, newest_first=True)[0]
    assert row.action == "owner_transfer" and row.before["office"] == COUNTY_A and row.after["office"] == COUNTY_B
    with pytest.raises(OlderPackage):   # B has sent a newer package of that call since
        packages.import_package(city, bad)
    packages.import_package(city, export(b, tmp_path, "b3.adpkg", hijack))
    assert stored(city, doc_a["id"])["county"] == "渝北区"
    assert audit.verify(city).ok


def test_a_package_cannot_change_the_offices_own_applications(offices, tmp_path):
    a, _b, city, doc_a, _ = offices
    local = copy.deepcopy(doc_a)
    local["name"] = "市局自行录入的联盟"
    store.import_documents(city, [("typed.json", local)])
    with pytest.raises(PackageError, match="是本单位的申报"):
        packages.import_package(city, export(a, tmp_path, "a.adpkg", doc_a))
    assert stored(city, doc_a["id"])["name"] == "市局自行录入的联盟" and trust.owner_of(city, doc_a["id"]) is None


def test_a_package_cannot_claim_another_office_name(offices, tmp_path):
    a, _b, city, doc_a, _ = offices
    from sqlalchemy import select

    from db.models_documents import OfficeKey

    with a.Session() as s:
        pem = s.scalar(select(OfficeKey.private_pem))
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(pem.encode(), password=None)
    forged = tmp_path / "forged.adpkg"
    forged.write_bytes(packages.build_package([doc_a], "重庆市经济和信息化委员会", key, "chongqing", None, None))
    with pytest.raises(PackageError, match=f"声明的发送单位「重庆市经济和信息化委员会」与.*登记的单位「{COUNTY_A}」不符"):
        packages.import_package(city, forged)
    assert count(city) == 0 and packages.receipts(city) == []
    # the registered name is what is stored and shown
    res = packages.import_package(city, export(a, tmp_path, "a.adpkg", doc_a))
    assert res.info.sender == COUNTY_A and packages.receipts(city)[0]["sender"] == COUNTY_A


# ------------------------------------------------------------------ 2. older score file

def score_comment(db, app_id, expert_id):
    from sqlalchemy import select

    from db.models_review import ReviewScore as S

    with db.Session() as s:
        return s.scalar(select(S.comment).where(S.application_id == app_id, S.expert_id == expert_id))


def two_score_files(db, tmp_path, first_name="first.adpkg", second_name="second.adpkg"):
    """One expert's score file, then a later one with a changed comment, from an offline laptop."""
    from test_review import build, fill_drafts

    sc = build(db)
    path = rv.export_review_package(db, sc.round_id, sc.experts["E3"], tmp_path / "E3.adpkg")
    laptop = open_database(tmp_path / "expert-laptop.sqlite")
    try:
        pkg = rv.open_review_package(path)
        fill_drafts(laptop, pkg, sc)
        first = rv.export_score_file(laptop, pkg, tmp_path / first_name)
        d = rv.load_drafts(laptop, pkg)[sc.apps["B"]]
        d.comment = "复核后意见：较好"
        rv.save_draft(laptop, pkg, sc.apps["B"], d)
        second = rv.export_score_file(laptop, pkg, tmp_path / second_name)
    finally:
        laptop.dispose()
    return sc, first, second


def test_an_older_score_file_cannot_replace_newer_scores(db, tmp_path):
    sc, first, second = two_score_files(db, tmp_path)
    rv.import_file(db, second)
    rows = audit_rows(db)
    with pytest.raises(rv.OlderScoreFile, match="早于已接受的同一发送方文件"):
        rv.import_file(db, first)
    assert score_comment(db, sc.apps["B"], sc.experts["E3"]) == "复核后意见：较好"
    assert audit_rows(db) == rows
    rv.import_file(db, first, allow_older=True)
    assert score_comment(db, sc.apps["B"], sc.experts["E3"]) == "总体较好"
    assert audit.history(db, limit=1, newest_first=True)[0].action == "older_accepted"


# ------------------------------------------------------------------ 5. the trail anchored outside itself

def _unprotect(db, backend):
    con = db.engine.raw_connection()
    cur = con.cursor()
    if backend == "sqlite":
        cur.execute("DROP TRIGGER audit_log_no_update")
        cur.execute("DROP TRIGGER audit_log_no_delete")
    else:
        cur.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    con.commit()
    return con, cur


def _trail(db):
    docs = [eligible(r) for r in ("chongqing", "gansu", "anshan")]
    store.import_documents(db, [(f"{d['region']}.json", d) for d in docs])
    edit(db, docs[0]["id"], name="第二版联盟")
    assert audit.verify(db).ok
    return docs


@pytest.mark.parametrize("attack", ["wipe", "truncate", "edit_applications"])
def test_a_wiped_or_truncated_trail_or_an_edited_application_is_detected(db, backend, attack):
    docs = _trail(db)
    con, cur = _unprotect(db, backend)
    if attack == "wipe":
        cur.execute("DELETE FROM audit_log")
        cur.execute("DELETE FROM audit_head")
    elif attack == "truncate":   # cut the last change off and move the head back consistently
        cur.execute("DELETE FROM audit_log WHERE id = 4")
        cur.execute("UPDATE audit_head SET last_id = 3, last_hash = (SELECT hash FROM audit_log WHERE id = 3)")
    else:
        cur.execute("UPDATE applications SET investment_wan = 99999 WHERE id = %s" % f"'{docs[1]['id']}'")
    con.commit()
    con.close()
    res = audit.verify(db)
    assert not res.ok and res.applications
    if attack == "edit_applications":
        assert "内容与审计记录不符（investment_wan）" in res.text() and docs[1]["id"] in res.text()
    else:
        assert "不在审计链中" in res.text() and docs[0]["id"] in res.text()


def test_the_cli_reports_a_wiped_trail(db, backend, capsys):
    if backend != "sqlite":
        pytest.skip("the CLI twin of the wipe test opens the SQLite file")
    _trail(db)
    con, cur = _unprotect(db, backend)
    cur.execute("DELETE FROM audit_log")
    cur.execute("DELETE FROM audit_head")
    con.commit()
    con.close()
    code, out, err = cli(capsys, "audit", "verify", "--db", db.engine.url.database)
    assert code == 2 and "审计记录与申报数据不符" in err and "审计记录被截断或清空" in err


def test_an_upgraded_old_database_verifies_and_keeps_its_owners(offices, tmp_path, backend):
    """A database as the previous build left it (schema 0005: no anchors, no owners) upgrades to a
    trail that verifies, and the packages it had taken still rank (the older one is refused)."""
    if backend != "sqlite":
        pytest.skip("the old database is rebuilt as a SQLite file")
    a, _b, city, doc, _ = offices
    v1 = export(a, tmp_path, "v1.adpkg", doc)
    edit(a, doc["id"], name="第二版联盟")
    v2 = export(a, tmp_path, "v2.adpkg", doc)
    packages.import_package(city, v2)
    local = eligible("gansu")
    store.import_documents(city, [("local.json", local)])
    edit(city, local["id"], name="甘肃修改后的联盟")
    path = Path(city.engine.url.database)
    from alembic import command

    from db.session import alembic_config
    command.downgrade(alembic_config(city.engine), "0008")  # later capabilities step back their own way
    city.dispose()
    con = sqlite3.connect(path)
    for table in ("application_owners", "exchange_marks", "exchange_counters"):
        con.execute(f"DROP TABLE {table}")
    con.execute("ALTER TABLE applications DROP COLUMN audit_id")
    con.execute("ALTER TABLE applications DROP COLUMN audit_hash")
    # the revision before 0008, whatever later capabilities put between it and 0005
    from alembic.script import ScriptDirectory
    before = ScriptDirectory.from_config(alembic_config(city.engine)).get_revision("0008").down_revision
    con.execute("UPDATE alembic_version SET version_num = ?", (before,))
    con.commit()
    con.close()
    old = open_database(path)
    try:
        res = audit.verify(old)
        assert res.ok, res.text()
        assert [r.action for r in audit.history(old)][-2:] == ["anchor", "anchor"]
        assert trust.owner_of(old, doc["id"])[0] == COUNTY_A and trust.owner_of(old, local["id"]) is None
        with pytest.raises(OlderPackage):
            packages.import_package(old, v1)
        assert stored(old, doc["id"])["name"] == "第二版联盟"
    finally:
        old.dispose()


# ------------------------------------------------------------------ 9. non-finite numbers

def test_non_finite_numbers_are_refused_with_their_path(db, tmp_path, capsys, backend):
    doc = eligible("gansu")
    data = json.loads(exchange.dumps(doc))
    data["members"][1]["revenue_wan"] = 12345.5
    bad = tmp_path / "inf.json"
    bad.write_text(json.dumps(data, ensure_ascii=False).replace("12345.5", "1e400"), encoding="utf-8")
    target = db.url if backend == "postgresql" else db.engine.url.database
    code, out, err = cli(capsys, "import", "--db", target, bad)
    assert code == 2 and "members[1].revenue_wan" in err and "不是有限的数" in err
    assert count(db) == 0 and audit_rows(db) == 0


# ------------------------------------------------------------------ 8. restore checks the backup first

def test_restore_refuses_a_broken_backup_and_another_database(tmp_path):
    office = tmp_path / "office.sqlite"
    db = open_database(office)
    store.import_documents(db, [("a.json", eligible("gansu"))])
    packages.generate_office_key(db, COUNTY_A)
    db.dispose()
    good = backup.backup_to(office, tmp_path / "good.sqlite")
    # a backup whose trail was edited behind the app's back
    broken = backup.backup_to(office, tmp_path / "broken.sqlite")
    con = sqlite3.connect(broken)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE audit_log SET actor = '别人' WHERE id = 1")
    con.commit()
    con.close()
    # a backup of another office's database
    other_path = tmp_path / "other.sqlite"
    other = open_database(other_path)
    store.import_documents(other, [("b.json", eligible("anshan"))])
    other.dispose()
    digest = office.read_bytes()
    with pytest.raises(backup.BackupError, match="审计记录校验未通过"):
        backup.restore(office, broken)
    with pytest.raises(backup.BackupError, match="不是本数据库的备份：备份的审计记录与当前数据库不是同一条链"):
        backup.restore(office, other_path)
    assert office.read_bytes() == digest and not list(tmp_path.glob("office.replaced-*"))
    assert backup.restore(office, good).replaced is not None
    res = backup.restore(office, other_path, accept_other=True)
    db = open_database(office)
    try:
        last = audit.history(db, limit=1, newest_first=True)[0]
        assert last.action == "restore" and "另一个数据库" in last.after["other_database_confirmed"]
        assert audit.verify(db).ok and count(db) == 1
    finally:
        db.dispose()
    assert res.replaced is not None


# ------------------------------------------------------------------ 6, 7. the writer lock on the command line

HOLDER = """
import sys
from alliance_desk.store import locking
lock = locking.acquire(sys.argv[1])
print("LOCKED", flush=True)
sys.stdin.readline()
lock.release()
"""


def test_cli_writers_refuse_while_a_desktop_seat_holds_the_lock(tmp_path):
    office = tmp_path / "office.sqlite"
    db = open_database(office)
    doc = eligible("chongqing")
    store.import_documents(db, [("a.json", doc)])
    db.dispose()
    new = tmp_path / "new.json"
    exchange.write_file(eligible("gansu"), new)
    seat = subprocess.Popen([sys.executable, "-c", HOLDER, str(office)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert seat.stdout.readline().strip() == "LOCKED"
    try:
        for argv in (["import", new], ["decide", "--application", doc["id"], "--outcome", "recognized",
                                       "--on", "2025-01-10"], ["confirm", "--id", doc["id"], "--rule", "X", "--by", "某"]):
            proc = subprocess.run([sys.executable, "-m", "cli", *map(str, argv), "--db", str(office)],
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 2, proc.stderr
            assert "正在被" in proc.stderr and "数据库未作任何修改" in proc.stderr
    finally:
        seat.stdin.write("\n")
        seat.stdin.flush()
        seat.wait(timeout=30)
    db = open_database(office)
    try:
        assert count(db) == 1 and audit_rows(db) == 1
    finally:
        db.dispose()


def test_two_imports_at_once_take_turns(tmp_path):
    office = tmp_path / "office.sqlite"
    open_database(office).dispose()
    groups = []
    for g in range(2):
        folder = tmp_path / f"g{g}"
        folder.mkdir()
        files = []
        for i in range(40):
            doc = eligible(("chongqing", "gansu")[g], n_members=5)
            doc["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, f"turns/{g}/{i}"))
            exchange.write_file(doc, folder / f"{i}.json")
            files.append(str(folder / f"{i}.json"))
        groups.append(files)
    procs = [subprocess.Popen([sys.executable, "-m", "cli", "import", "--db", str(office), *files],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for files in groups]
    results = [p.communicate(timeout=300) + (p.returncode,) for p in procs]
    for out, err, code in results:
        assert "OperationalError" not in err and "locked" not in err
        assert code == 0, err
    db = open_database(office)
    try:
        assert count(db) == 80 and audit_rows(db) == 80 and audit.verify(db).ok
    finally:
        db.dispose()


# ------------------------------------------------------------------ property: never older

def _never_older(examples: int):
    return settings(max_examples=examples, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _newest_wins(order, load, older, check) -> None:
    """Load file number v for each v of `order`: one older than the newest accepted so far is refused
    with `older`, any other is accepted; after each, `check(newest)` sees the stored state."""
    newest = -1
    for v in order:
        try:
            load(v)
            assert v >= newest
            newest = v
        except older:
            assert v < newest
        check(newest)


@_never_older(examples=25)
@given(st.lists(st.integers(min_value=0, max_value=4), min_size=1, max_size=8))
def test_a_package_can_never_make_stored_data_older(tmp_path_factory, order):
    """Five successive exports of one county's call (sequence 1..5, each renaming the application
    and a second one appearing from the third on); imported in any order, any number of times, the
    stored data is always that of the newest package accepted so far."""
    folder = Path(tempfile.mkdtemp(dir=tmp_path_factory.getbasetemp()))
    template = tmp_path_factory.getbasetemp() / "never-older.sqlite"
    files = tmp_path_factory.getbasetemp() / "never-older"
    base = eligible("chongqing")
    extra = eligible("chongqing")
    extra["id"] = str(uuid.uuid5(uuid.NAMESPACE_URL, "never-older/extra"))
    if not template.exists():
        files.mkdir(exist_ok=True)
        db = open_database(template)
        db.dispose()
        own = tmp_path_factory.getbasetemp() / "never-older-county.sqlite"
        county = open_database(own)
        packages.generate_office_key(county, COUNTY_A)
        key_text = packages.public_key_text(county)
        county.dispose()
        db = open_database(template)
        packages.trust_key(db, key_text)
        db.dispose()
        county = open_database(own)
        try:
            _, key = packages._private_key(county)
            for v in range(5):
                doc = dict(base, name=f"第{v + 1}版产业技术创新联盟")
                docs = [doc] + ([dict(extra, name=f"第{v + 1}版另一联盟")] if v >= 2 else [])
                (files / f"v{v}.adpkg").write_bytes(
                    packages.build_package(docs, COUNTY_A, key, "chongqing", base.get("call"), None, sequence=v + 1))
        finally:
            county.dispose()
    work = folder / "city.sqlite"
    shutil.copy(template, work)
    db = open_database(work)
    try:
        def check(newest):
            assert stored(db, base["id"])["name"] == f"第{newest + 1}版产业技术创新联盟"
            if newest >= 2:
                assert stored(db, extra["id"])["name"] == f"第{newest + 1}版另一联盟"

        _newest_wins(order, lambda v: packages.import_package(db, files / f"v{v}.adpkg"), OlderPackage, check)
        assert audit.verify(db).ok
    finally:
        db.dispose()


@_never_older(examples=15)
@given(st.lists(st.integers(min_value=0, max_value=3), min_size=1, max_size=6))
def test_a_score_file_can_never_make_stored_scores_older(tmp_path_factory, order):
    """Four successive score files of one expert (each with a new overall comment on B); imported
    in any order, any number of times, the stored score is that of the newest file accepted."""
    from test_review import build, fill_drafts

    base = tmp_path_factory.getbasetemp()
    template = base / "never-older-scores.sqlite"
    files = base / "never-older-scores"
    if not template.exists():
        files.mkdir(exist_ok=True)
        office = open_database(base / "never-older-scores-build.sqlite")
        laptop = open_database(base / "never-older-scores-laptop.sqlite")
        try:
            sc = build(office)
            pkg = rv.open_review_package(rv.export_review_package(office, sc.round_id, sc.experts["E3"],
                                                                  files / "E3.adpkg"))
            fill_drafts(laptop, pkg, sc)
            for v in range(4):
                d = rv.load_drafts(laptop, pkg)[sc.apps["B"]]
                d.comment = f"第{v + 1}次意见"
                rv.save_draft(laptop, pkg, sc.apps["B"], d)
                rv.export_score_file(laptop, pkg, files / f"s{v}.adpkg")
            (files / "ids.json").write_text(json.dumps([sc.apps["B"], sc.experts["E3"]]))
        finally:
            office.dispose()
            laptop.dispose()
        backup.backup_to(base / "never-older-scores-build.sqlite", template)
    app_id, expert_id = json.loads((files / "ids.json").read_text())
    work = Path(tempfile.mkdtemp(dir=base)) / "office.sqlite"
    shutil.copy(template, work)
    db = open_database(work)
    try:
        def check(newest):
            assert score_comment(db, app_id, expert_id) == f"第{newest + 1}次意见"

        _newest_wins(order, lambda v: rv.import_file(db, files / f"s{v}.adpkg"), rv.OlderScoreFile, check)
        assert audit.verify(db).ok
    finally:
        db.dispose()


def test_a_consistently_rewritten_trail_is_caught_by_the_backups(tmp_path, capsys):
    """The attacker edits an application and rewrites the whole chain consistently (every hash
    recomputed, the anchors moved along): the database alone verifies — the README says so — but a
    backup taken before holds the old head, and `audit verify` compares with it."""
    office = tmp_path / "office.sqlite"
    db = open_database(office)
    docs = [eligible("gansu"), eligible("anshan")]
    store.import_documents(db, [(f"{d['region']}.json", d) for d in docs])
    db.dispose()
    assert cli(capsys, "audit", "verify", "--db", office)[0] == 0
    backup.take_backup(office, "manual")
    con = sqlite3.connect(office)
    con.execute("DROP TRIGGER audit_log_no_update")
    con.execute("UPDATE applications SET investment_wan = 1 WHERE id = ?", (docs[0]["id"],))
    prev = audit.GENESIS
    for row in con.execute("SELECT id, at, actor, action, entity, entity_id, application_id, before, after "
                           "FROM audit_log ORDER BY id").fetchall():
        rid, at, actor, action, entity, entity_id, app_id, before, after = row
        if entity_id == docs[0]["id"]:
            doc = audit.load_text(after)
            doc["document"]["investment_wan"] = 1
            after = audit.store_text(doc)
        digest = audit.row_hash(prev, audit.row_text(rid, at, actor, action, entity, entity_id, app_id, before, after))
        con.execute("UPDATE audit_log SET after = ?, prev_hash = ?, hash = ? WHERE id = ?",
                    (after, "tmp-" + str(rid), digest, rid))
        con.execute("UPDATE applications SET audit_hash = ? WHERE audit_id = ?", (digest, rid))
        prev = digest
    for rid, h in con.execute("SELECT id, hash FROM audit_log ORDER BY id").fetchall():
        con.execute("UPDATE audit_log SET prev_hash = (SELECT COALESCE((SELECT hash FROM audit_log WHERE id = ?), ?)) "
                    "WHERE id = ?", (rid - 1, audit.GENESIS, rid))
    con.execute("UPDATE audit_head SET last_hash = ?", (prev,))
    con.commit()
    con.close()
    db = open_database(office)
    try:
        assert audit.verify(db).ok          # consistent: the database alone cannot tell
    finally:
        db.dispose()
    code, out, err = cli(capsys, "audit", "verify", "--db", office)
    assert code == 2 and "审计记录与备份不符" in err and "与备份中的不同" in err
