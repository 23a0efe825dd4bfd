"""PostgreSQL as the office's shared store: the same models and migrations, what PostgreSQL refuses
(NUL characters, over-long values) refused by the store with the JSON path, the CLI and packages
against a server URL, and the PostgreSQL twins of tests that look inside SQLite files.

The module runs on PostgreSQL only (ALLIANCE_DESK_TEST_PG_URL; scripts/test.sh starts a private
server) except where a test says otherwise; test_store, test_lifecycle, test_review,
test_optimistic_locking, test_roundtrip and test_packages run on both backends through the `db` and
`make_db` fixtures (conftest.BOTH_BACKENDS)."""
from __future__ import annotations

import copy
import hashlib
import json
import threading
import time

import pytest
from sqlalchemy import func, inspect, select, text, update

from alliance_desk import exchange, store
from cli import main
from db import models as m
from db.models import Base
from db.session import (current_revision, head_revision, is_postgresql, make_engine, normalize_url, open_database,
                        resolve_url)
from factory import eligible

pytestmark = pytest.mark.backends("postgresql")


def digest(db) -> str:
    """Every row of every table, order-independent: equal digests = the database did not change."""
    rows = []
    with db.engine.connect() as c:
        for t in sorted(inspect(c).get_table_names()):
            rows.append((t, sorted(map(repr, c.execute(text(f'SELECT * FROM "{t}"')).all()))))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def count(db, model=m.Application) -> int:
    with db.Session() as s:
        return s.scalar(select(func.count()).select_from(model))


# ------------------------------------------------------------------ schema

def test_migrations_run_from_0001_to_head_and_match_the_models(db):
    from alembic import command
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from db.session import alembic_config

    assert db.engine.dialect.name == "postgresql"
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as c:
        diff = compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata)
    assert diff == []
    # all the way down and up again: every migration's downgrade and upgrade work on PostgreSQL
    command.downgrade(alembic_config(db.engine), "base")
    left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert "applications" not in left and "members" not in left
    command.upgrade(alembic_config(db.engine), "head")
    assert current_revision(db.engine) == head_revision()
    with db.engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c, opts={"compare_type": True}), Base.metadata) == []


def test_counts_are_64_bit_and_booleans_json_dates_round_trip(db):
    doc = eligible("anshan")
    doc["members"][1]["employees"] = 2**40            # beyond PostgreSQL's 32-bit INTEGER
    doc["tech_staff_total"] = 2**62
    doc["materials"] = [{"code": doc["materials"][0]["code"], "received": True, "copies": 2**35}] \
        if doc.get("materials") else [{"code": "X", "received": True, "copies": 2**35}]
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        back = store.get_document(s, doc["id"])
    assert back == exchange.canonical(doc)
    with db.engine.connect() as c:
        types = {col["name"]: str(col["type"]) for col in inspect(c).get_columns("members")}
    assert types["employees"] == "BIGINT" and types["in_region"] == "BOOLEAN" and types["contact"] == "JSON"


def test_check_all_reads_raw_rows_on_postgresql(db):
    """store._raw_rows goes through the DBAPI cursor: booleans, JSON and dates come back typed here."""
    docs = [eligible(r) for r in ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")]
    store.import_documents(db, [("", d) for d in docs])
    with db.Session() as s:
        everything = {r.application: r.as_dict() for r in store.check_all(s)}
        for d in docs:
            assert everything[d["id"]] == store.check_stored(s, d["id"]).as_dict()


# ------------------------------------------------------------------ what PostgreSQL refuses

def test_nul_in_text_is_refused_with_its_path_and_nothing_is_written(db):
    store.import_documents(db, [("", eligible("jinzhong"))])
    before = digest(db)
    good, bad = eligible("gansu"), eligible("anshan")
    bad["members"][1]["address"] = "鞍山市\x00铁东区"
    with pytest.raises(store.StoreError, match=r"b\.json: members\[1\]\.address: 文本含有 NUL 字符"):
        store.import_documents(db, [("a.json", good), ("b.json", bad)])
    assert digest(db) == before
    # a draft too, wherever the NUL is (JSON columns included)
    draft = eligible("chongqing")
    draft["contact"] = {"name": "王\x00五"}
    with pytest.raises(store.StoreError, match=r"^contact\.name: 文本含有 NUL 字符"):
        store.save_draft(db, draft)
    assert digest(db) == before


@pytest.mark.backends("sqlite")
def test_sqlite_keeps_nul_as_the_exchange_format_allows(db):
    doc = eligible("anshan")
    doc["members"][1]["address"] = "鞍山市\x00铁东区"
    store.import_documents(db, [("", doc)])
    with db.Session() as s:
        assert store.get_document(s, doc["id"])["members"][1]["address"] == "鞍山市\x00铁东区"


def test_a_draft_longer_than_its_column_is_refused_with_its_path(db):
    draft = eligible("gansu")
    draft["name"] = "甘" * 120  # a draft may break the schema's maxLength; the column may not
    with pytest.raises(store.StoreError, match=r"^name: 长度 120 超过数据库允许的 100 个字符"):
        store.save_draft(db, draft)
    assert count(db) == 0


def test_failed_import_leaves_the_database_as_it_was(db):
    """Twin of test_store's SQLite-file digest test."""
    store.import_documents(db, [("", eligible("jinzhong"))])
    before = digest(db)
    huge = eligible("anshan")
    huge["members"][2]["employees"] = 2**70
    with pytest.raises(store.StoreError, match=r"members\[2\]\.employees"):
        store.import_documents(db, [("a.json", eligible("gansu")), ("b.json", huge)])
    assert digest(db) == before


# ------------------------------------------------------------------ seats on one server

def test_concurrent_imports_of_one_application_never_mix_their_members(db):
    """Two seats importing the same application at once: the second waits for the first and then
    replaces its members — never both sets of members under one application."""
    doc = eligible("chongqing")
    store.import_documents(db, [("", doc)])
    seat_a, seat_b = open_database(db.url), open_database(db.url)
    first, second = copy.deepcopy(doc), copy.deepcopy(doc)
    first["members"], second["members"] = doc["members"][:6], doc["members"][:8]
    done: dict = {}

    def seat_b_imports():
        try:
            done["report"] = store.import_documents(seat_b, [("", second)])
        except Exception as exc:  # noqa: BLE001 - inspected below
            done["error"] = exc

    try:
        with seat_a.Session.begin() as s:
            store.save_documents(s, [("", first)])
            t = threading.Thread(target=seat_b_imports)
            t.start()
            time.sleep(0.5)
            assert t.is_alive(), done  # waiting on A's row
        t.join(timeout=30)
        assert done.get("report") is not None and done["report"].updated == [doc["id"]], done
        with db.Session() as s:
            assert len(store.get_document(s, doc["id"])["members"]) == 8
            assert s.scalar(select(m.Application.version)) == 3
        assert count(db, m.Member) == 8
    finally:
        seat_a.dispose()
        seat_b.dispose()


def test_member_ids_come_from_the_sequence(db):
    """Imports reserve member ids from the column's sequence, so rows added any other way later
    (here: the ORM) never collide with them."""
    store.import_documents(db, [("", eligible("jinzhong")), ("", eligible("gansu"))])
    with db.Session.begin() as s:
        app_id = s.scalar(select(m.Application.id).limit(1))
        s.add(m.Member(application_id=app_id, position=99, name="后加的单位", uscc="91140700MA0K000000", kind="other",
                       role="member", in_region=True, platforms_listed=False))
    with db.Session() as s:
        ids = list(s.scalars(select(m.Member.id)))
    assert len(ids) == len(set(ids)) == len(eligible("jinzhong")["members"]) + len(eligible("gansu")["members"]) + 1


# ------------------------------------------------------------------ URLs, CLI, packages

def test_urls(monkeypatch, tmp_path):
    assert normalize_url("postgresql://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalize_url("postgres://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalize_url("postgresql+psycopg://u@h/d") == "postgresql+psycopg://u@h/d"
    assert resolve_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", "postgres://u@server/office")
    assert resolve_url(None) == "postgresql+psycopg://u@server/office"
    assert resolve_url(tmp_path / "x.sqlite").startswith("sqlite:///")  # --db still wins
    assert is_postgresql("postgresql+psycopg://u@h/d") and not is_postgresql("sqlite:///x")
    engine = make_engine("postgresql://u@127.0.0.1:1/d")
    assert engine.dialect.driver == "psycopg"
    engine.dispose()


def test_cli_import_export_and_check_against_a_server_url(db, tmp_path, capsys, monkeypatch):
    docs = [eligible(r) for r in ("jinzhong", "ganzhou")]
    files = []
    for i, d in enumerate(docs):
        files.append(tmp_path / f"{i}.json")
        files[-1].write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")

    def run(*argv):
        code = main([str(a) for a in argv])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = run("import", *files, "--db", db.url)
    assert code == 0 and "新增 2 份" in out, err
    code, out, _ = run("export-json", "--db", db.url, "--id", docs[0]["id"])
    assert code == 0 and out.encode("utf-8") == exchange.dumps(docs[0]).encode("utf-8")
    # every seat points at the server through the environment instead of --db
    monkeypatch.setenv("ALLIANCE_DESK_DATABASE_URL", db.url)
    code, out, _ = run("import", files[0])
    assert code == 0 and "更新 1 份" in out
    code, out, _ = run("check-db", "--json")
    assert code == 0 and {r["application"] for r in json.loads(out)} == {d["id"] for d in docs}
    assert count(db) == 2


def test_seats_opening_a_new_database_at_once_migrate_it_once(pg_server):
    """Three seats (processes) starting together on an empty database: the migrations run once
    (an advisory lock makes them take turns) and every seat opens it."""
    import subprocess
    import sys

    name = pg_server.fresh_empty()
    url = pg_server.url_of(name)
    code = ("import sys; from db.session import open_database, current_revision; "
            "d = open_database(sys.argv[1]); print(current_revision(d.engine)); d.dispose()")
    try:
        procs = [subprocess.Popen([sys.executable, "-c", code, url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(3)]
        results = [p.communicate(timeout=120) for p in procs]
        assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in results]
        assert [out.strip() for out, _ in results] == [head_revision()] * 3
    finally:
        pg_server.drop(name)


def test_optimistic_version_is_bumped_in_sql(db):
    """The version is incremented by the database (version = version + 1), not from a value read earlier."""
    doc = eligible("gansu")
    store.import_documents(db, [("", doc)])
    with db.Session.begin() as s:
        s.execute(update(m.Application).where(m.Application.id == doc["id"]).values(version=41))
    assert store.save_draft(db, doc, None, expected_version=41) == 42
