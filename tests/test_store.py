"""The store on a real SQLite file: pragmas, migrations, import/update, all-or-nothing, confirmations."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import select

from alliance_desk import exchange, store
from alliance_desk.rules.engine import OUTCOME_NOT_MET
from db import models as m
from db.session import current_revision, head_revision, open_database, resolve_url
from factory import eligible


def test_sqlite_pragmas_and_migration(db):
    with db.engine.connect() as c:
        assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    assert current_revision(db.engine) == head_revision()
    tables = set(sqlite3.connect(db.engine.url.database).execute(
        "SELECT name FROM sqlite_master WHERE type='table'").fetchall())
    for t in ("applications", "members", "platforms", "office_holders", "agreements", "systems", "materials",
              "calls", "confirmations", "alembic_version"):
        assert (t,) in tables


def test_db_path_resolution(tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", "sqlite:///" + str(tmp_path / "env.sqlite"))
    assert resolve_url(None).endswith("env.sqlite")
    assert resolve_url(tmp_path / "cli.sqlite").endswith("cli.sqlite")  # --db wins
    monkeypatch.delenv("ALLIANCE_DESK_DATABASE_URL")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert "AllianceDesk" in resolve_url(None)


def _digest(path) -> str:
    con = sqlite3.connect(path)
    rows = []
    for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name"):
        rows.append((t, sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall()))))
    con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_import_updates_never_duplicates(db):
    doc = eligible("chongqing")
    assert store.import_documents(db, [("", doc)]).created == [doc["id"]]
    doc["members"] = doc["members"][:6]
    doc["name"] = "重庆市改名后的产业技术创新联盟"
    assert store.import_documents(db, [("", doc)]).updated == [doc["id"]]
    with db.Session() as s:
        assert store.count_applications(s) == 1
        assert s.scalar(select(m.Application.version)) == 2
        assert len(s.scalars(select(m.Member)).all()) == 6
        assert store.get_document(s, doc["id"]) == exchange.canonical(doc)


def test_failed_write_leaves_database_exactly_as_it_was(db):
    store.import_documents(db, [("", eligible("jinzhong"))])
    before = _digest(db.engine.url.database)
    good = eligible("gansu")
    huge = eligible("anshan")
    huge["members"][2]["employees"] = 2**70  # valid for the schema, too big for a 64-bit column
    with pytest.raises(store.StoreError, match=r"members\[2\]\.employees"):
        store.import_documents(db, [("a.json", good), ("b.json", huge)])
    assert _digest(db.engine.url.database) == before


def test_stored_check_uses_office_calls_and_counts(db):
    from datetime import datetime
    doc = eligible("jinzhong")
    doc["call"] = "jinzhong-2024"
    doc["submitted_at"] = "2024-10-08T09:00"
    doc["agreement"]["expires_on"] = "2029-12-31"
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        assert next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "JZ-DEADLINE").status == "na"
    store.add_call(db, "jinzhong", "jinzhong-2024", "2024年度认定", datetime(2024, 9, 30, 18, 0))
    with db.Session() as s:
        res = store.check_stored(s, doc["id"])
    dl = next(i for i in res.items if i.rule == "JZ-DEADLINE")
    assert dl.status == "fail" and "2024-09-30 18:00" in dl.message
    with pytest.raises(store.StoreError, match="已存在"):
        store.add_call(db, "jinzhong", "jinzhong-2024", "重复", None)


def test_pack_calls_are_seeded(db):
    store.import_documents(db, [])
    with db.Session() as s:
        ids = set(s.scalars(select(m.Call.id)))
        assert {"jinzhong-2023", "gansu-standing", "anshan-2024", "ganzhou-2022", "chongqing-2022"} <= ids
        assert s.get(m.Call, "gansu-standing").deadline is None


def test_manual_confirmation_is_stored_and_shown(db):
    doc = eligible("gansu")
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        assert s.get(m.Application, doc["id"]).n_manual == 5  # GS-POLICY and four more manual items
    res = store.confirm(db, doc["id"], "GS-POLICY", by="李科员", note="属先进制造生态产业")
    it = next(i for i in res.items if i.rule == "GS-POLICY")
    assert it.status == "pass" and "李科员" in it.message and "属先进制造生态产业" in it.message
    with db.Session() as s:
        row = s.scalar(select(m.Confirmation))
        assert (row.rule, row.by, row.note, row.outcome) == ("GS-POLICY", "李科员", "属先进制造生态产业", "met")
        assert row.at is not None
        app = s.get(m.Application, doc["id"])
        assert (app.n_manual, app.eligible) == (4, True)
        # shown as confirmed afterwards, in a fresh session
        again = store.check_stored(s, doc["id"])
        assert next(i for i in again.items if i.rule == "GS-POLICY").confirmation.by == "李科员"
    # re-importing the application keeps the confirmation
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        assert next(i for i in store.check_stored(s, doc["id"]).items if i.rule == "GS-POLICY").status == "pass"
    res = store.confirm(db, doc["id"], "GS-POLICY", outcome=OUTCOME_NOT_MET, by="李科员")
    assert not res.eligible
    res = store.unconfirm(db, doc["id"], "GS-POLICY")
    assert res.counts["manual"] == 5


def test_confirm_refuses_non_manual_rules_and_missing_person(db):
    doc = eligible("gansu")
    store.import_documents(db, [("", doc)])
    with pytest.raises(store.StoreError, match="不是"):
        store.confirm(db, doc["id"], "GS-CHARTER", by="x")
    with pytest.raises(store.StoreError, match="确认人"):
        store.confirm(db, doc["id"], "GS-POLICY", by=" ")
    with pytest.raises(store.StoreError, match="没有 id"):
        store.confirm(db, "nope", "GS-POLICY", by="x")


def test_check_all_matches_single_checks(db):
    docs = [eligible(r) for r in ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")]
    docs[0]["members"][3]["role"] = "member"
    docs[0]["members"][4]["role"] = "member"
    store.import_documents(db, [("", d) for d in docs])
    with db.Session() as s:
        everything = {r.application: r.as_dict() for r in store.check_all(s)}
        for d in docs:
            assert everything[d["id"]] == store.check_stored(s, d["id"]).as_dict()
    assert everything[docs[0]["id"]]["eligible"] is False


def test_every_test_gets_its_own_database(tmp_path):
    a = open_database(tmp_path / "a.sqlite")
    b = open_database(tmp_path / "b.sqlite")
    store.import_documents(a, [("", eligible("gansu"))])
    with b.Session() as s:
        assert store.count_applications(s) == 0


def test_services_take_a_database_or_the_callers_session(db):
    """The service convention: a Database opens its own session (and transaction for a write); a
    Session joins the caller's transaction, so a rollback there takes the write back."""
    from alliance_desk.store import audit

    doc = eligible("chongqing")
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        assert store.get_document(db, doc["id"]) == store.get_document(s, doc["id"])
        assert [d["id"] for d in store.iter_documents(db)] == [d["id"] for d in store.iter_documents(s)]
        assert store.count_applications(db) == store.count_applications(s) == 1
        assert store.check_stored(db, doc["id"]).counts == store.check_stored(s, doc["id"]).counts
    before = audit.history(db)
    audit.record(db, "科员甲", "note", "database", "x", None, {"n": 1})  # its own transaction, committed
    with db.Session() as s:
        audit.record(s, "科员乙", "note", "database", "y", None, {"n": 2})
        s.rollback()  # the caller's transaction decides: nothing of it lands
    after = audit.history(db)
    assert [r.actor for r in after[len(before):]] == ["科员甲"]
    assert audit.verify(db).ok
