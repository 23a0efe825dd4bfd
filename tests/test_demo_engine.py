"""The demo data set, judged by the engine, fails exactly where its author designed it to."""
from __future__ import annotations

from alliance_desk import demo, exchange, store
from alliance_desk.rules.engine import evaluate


def test_demo_outcomes_match_the_design():
    docs = demo.demo_applications()
    for doc in docs:
        assert exchange.validate_document(doc) == []
        res = evaluate(doc)
        fails = {i.rule for i in res.items if i.status == "fail"}
        warns = {i.rule for i in res.items if i.status == "warn"}
        assert fails == demo.EXPECTED_FAILS[doc["id"]], doc["name"]
        assert warns == demo.EXPECTED_WARNS[doc["id"]], doc["name"]
        assert res.eligible == demo.EXPECTED_ELIGIBLE[doc["id"]]
    for region in ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing"):
        mine = [d for d in docs if d["region"] == region]
        assert sum(demo.EXPECTED_ELIGIBLE[d["id"]] for d in mine) >= 2
        assert sum(not demo.EXPECTED_ELIGIBLE[d["id"]] for d in mine) >= 2


def test_demo_command_builds_the_database(tmp_path, capsys):
    from cli import main
    from db.session import open_database

    path = tmp_path / "demo.sqlite"
    assert main(["demo", "--db", str(path)]) == 0
    assert "新增 32 份" in capsys.readouterr().out
    assert main(["demo", "--db", str(path)]) == 0  # idempotent: updates, never duplicates
    with open_database(path).Session() as s:
        assert store.count_applications(s) == len(demo.demo_applications())
        results = store.check_all(s)
    assert {r.application: r.eligible for r in results} == demo.EXPECTED_ELIGIBLE
