"""The lifecycle's read services take the database first as `db`: a Database (they open their own
session) or an open Session (they join it), with the same answer either way; the calendar seeding
runs in its own transaction when given a Database and in the caller's when given a Session."""
from __future__ import annotations

from datetime import date

from alliance_desk import lifecycle as lc
from alliance_desk import store
from alliance_desk.lifecycle import workdays
from factory import eligible

D = date.fromisoformat


def _decided_gansu(db) -> str:
    doc = eligible("gansu")
    store.import_documents(db, [("", doc)])
    lc.decide(db, doc["id"], "approved", D("2024-03-01"), doc_no="甘科〔2024〕1号")
    return doc["id"]


def test_read_services_take_a_database_or_a_session_alike(db):
    app = _decided_gansu(db)
    on = D("2025-12-20")
    with db.Session() as s:
        in_session = (lc.procedure(s, app).as_dict(), lc.get_decision(s, app).as_dict(),
                      lc.alliance_status(s, app, on).as_dict(), lc.dashboard(s, on).as_dict(),
                      [o.as_dict() for o in lc.due_obligations(s, on)],
                      [a.as_dict() for a in lc.all_statuses(s, on)])
    alone = (lc.procedure(db, app).as_dict(), lc.get_decision(db, app).as_dict(),
             lc.alliance_status(db, app, on).as_dict(), lc.dashboard(db, on).as_dict(),
             [o.as_dict() for o in lc.due_obligations(db, on)], [a.as_dict() for a in lc.all_statuses(db, on)])
    assert alone == in_session
    assert alone[1]["doc_no"] == "甘科〔2024〕1号"
    assert alone[2]["decision"]["outcome"] == "approved" and alone[3]["on"] == "2025-12-20"


def test_calendar_seeding_commits_alone_and_joins_the_callers_transaction(db):
    with db.Session() as s:
        seeded = workdays.seed_from_library(s)
        assert seeded and [y.year for y in workdays.covered_years(s)] == seeded
        s.rollback()  # the caller's transaction: rolled back, nothing stays
    assert workdays.covered_years(db) == []
    seeded = workdays.seed_from_library(db)  # alone: its own transaction, committed
    assert [y.year for y in workdays.covered_years(db)] == seeded
    year = seeded[0]
    assert workdays.year_entries(db, year) and workdays.calendar_from_session(db).covers(year)
