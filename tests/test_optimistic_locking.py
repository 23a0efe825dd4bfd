"""Two clerks saving the same application never silently overwrite each other (optimistic locking).

Each clerk is a separate `Database` (engine, pool, connections) on the same database — as two seats
on one PostgreSQL server or two windows on one SQLite file are. Every test runs on SQLite and, with
ALLIANCE_DESK_TEST_PG_URL set, on PostgreSQL (see conftest.BOTH_BACKENDS)."""
from __future__ import annotations

import copy
import threading
import time

import pytest
from sqlalchemy import func, select, update

from alliance_desk import store
from db import models as m
from db.session import open_database
from factory import eligible


@pytest.fixture
def seats(db):
    """Clerk A and clerk B, each with their own Database on the test database, and a stored application."""
    doc = eligible("chongqing")
    store.import_documents(db, [("", doc)])
    a, b = open_database(db.url), open_database(db.url)
    yield a, b, doc
    a.dispose()
    b.dispose()


def stored(db, app_id):
    with db.Session() as s:
        return store.load_draft(s, app_id)


def test_the_second_save_of_the_same_version_is_refused(seats):
    a, b, doc = seats
    with a.Session() as s:
        mine = store.load_draft(s, doc["id"])
    with b.Session() as s:
        theirs = store.load_draft(s, doc["id"])
    assert mine.version == theirs.version == 1

    mine.doc["name"] = "重庆市甲改过的产业技术创新联盟"
    assert store.save_draft(a, mine.doc, {"members[0].employees": "三百"}, expected_version=mine.version) == 2

    theirs.doc["name"] = "重庆市乙改过的产业技术创新联盟"
    theirs.doc["members"] = theirs.doc["members"][:6]
    with pytest.raises(store.ConflictError, match=r"已被其他人修改（版本 2，您打开的是版本 1）"):
        store.save_draft(b, theirs.doc, None, expected_version=theirs.version)

    now = stored(b, doc["id"])  # what either seat reads: A's save, untouched by B's attempt
    assert now.version == 2
    assert now.doc["name"] == "重庆市甲改过的产业技术创新联盟"
    assert len(now.doc["members"]) == len(doc["members"])
    assert now.invalid == {"members[0].employees": "三百"}

    # B reloads and saves on top of A's version: accepted
    again = stored(b, doc["id"])
    again.doc["name"] = "重庆市乙改过的产业技术创新联盟"
    assert store.save_draft(b, again.doc, None, expected_version=again.version) == 3
    assert stored(a, doc["id"]).doc["name"] == "重庆市乙改过的产业技术创新联盟"
    assert stored(a, doc["id"]).invalid == {}


def test_a_save_waiting_for_another_seat_sees_its_version_and_is_refused(seats, backend):
    """The race: A is in the middle of saving (its transaction is open) when B saves the version
    both opened. B must wait for A and then be refused — not overwrite A once A commits."""
    a, b, doc = seats
    v = stored(a, doc["id"]).version
    mine, theirs = copy.deepcopy(doc), copy.deepcopy(doc)
    mine["name"] = "重庆市甲先保存的产业技术创新联盟"
    theirs["name"] = "重庆市乙后保存的产业技术创新联盟"
    theirs["members"] = theirs["members"][:5]
    outcome: dict = {}

    def clerk_b():
        try:
            outcome["version"] = store.save_draft(b, theirs, None, expected_version=v)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            outcome["error"] = exc

    A = m.Application.__table__
    with a.Session.begin() as s:
        # A's save, step by step as save_draft does it, held open while B arrives
        s.execute(update(A).where(A.c.id == doc["id"]).values(version=A.c.version))
        store.ensure_calls(s)
        s.flush()
        store.save_documents(s, [("", mine)], expected_version=v)
        t = threading.Thread(target=clerk_b)
        t.start()
        time.sleep(0.6)
        assert t.is_alive(), f"B did not wait for A's open transaction: {outcome}"
    t.join(timeout=30)
    assert not t.is_alive()
    assert isinstance(outcome.get("error"), store.ConflictError), outcome
    now = stored(a, doc["id"])
    assert now.version == v + 1
    assert now.doc["name"] == "重庆市甲先保存的产业技术创新联盟"
    assert len(now.doc["members"]) == len(doc["members"])
    with a.Session() as s:  # A's children only, once each
        n = s.scalar(select(func.count()).select_from(m.Member).where(m.Member.application_id == doc["id"]))
        assert n == len(doc["members"])


def at_once(seats: list, fn) -> list:
    """`fn(seat, i)` run by every seat at the same moment (threads behind one barrier); each seat's
    result, or the exception it raised."""
    barrier = threading.Barrier(len(seats))
    results: list = [None] * len(seats)

    def run(i):
        barrier.wait()
        try:
            results[i] = fn(seats[i], i)
        except Exception as exc:  # noqa: BLE001 - the test inspects it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(seats))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_many_seats_saving_the_same_version_at_once_exactly_one_wins(db):
    doc = eligible("gansu")
    store.import_documents(db, [("", doc)])
    seats = [open_database(db.url) for _ in range(4)]

    def save(seat, i):
        mine = copy.deepcopy(doc)
        mine["name"] = f"甘肃省第{i}位科员保存的产业技术创新联盟"
        return store.save_draft(seat, mine, None, expected_version=1)

    results = at_once(seats, save)
    try:
        winners = [i for i, r in enumerate(results) if r == 2]
        refused = [r for r in results if isinstance(r, store.ConflictError)]
        assert len(winners) == 1 and len(refused) == len(seats) - 1, results
        now = stored(db, doc["id"])
        assert now.version == 2
        assert now.doc["name"] == f"甘肃省第{winners[0]}位科员保存的产业技术创新联盟"
    finally:
        for s in seats:
            s.dispose()


def test_saving_without_an_expected_version_still_takes_turns(seats):
    """An import or a first save (no version known) replaces the document, but never mixes two."""
    a, b, doc = seats
    first, second = copy.deepcopy(doc), copy.deepcopy(doc)
    first["members"] = first["members"][:4]
    second["members"] = second["members"][:7]
    assert store.save_draft(a, first) == 2
    assert store.save_draft(b, second) == 3
    now = stored(a, doc["id"])
    assert len(now.doc["members"]) == 7 and now.version == 3


def test_seats_deciding_or_moving_the_same_alliance_at_once_take_turns(db):
    """Procedure writes claim the application's row: of four seats recording a decision at the same
    moment exactly one is recorded and the others are refused (never two decisions, never a raw
    database error); likewise four seats moving the same step forward write one transition."""
    from datetime import date

    from alliance_desk import lifecycle as lc

    doc = eligible("chongqing")
    store.import_documents(db, [("", doc)])
    seats = [open_database(db.url) for _ in range(4)]
    try:
        moved = at_once(seats, lambda seat, i: lc.move_stage(seat, doc["id"], "submit", date(2022, 5, 10), by=f"科员{i}"))
        assert sum(isinstance(r, lc.TransitionView) for r in moved) == 1, moved
        assert all(isinstance(r, lc.LifecycleError) and "已处于" in str(r) for r in moved
                   if not isinstance(r, lc.TransitionView)), moved
        decided = at_once(seats, lambda seat, i: lc.decide(seat, doc["id"], "rejected", date(2022, 6, 1), by=f"科员{i}"))
        assert sum(isinstance(r, lc.DecisionView) for r in decided) == 1, decided
        assert all(isinstance(r, lc.LifecycleError) and "每份申报只记录一次决定" in str(r) for r in decided
                   if not isinstance(r, lc.DecisionView)), decided
        with db.Session() as s:
            proc = lc.procedure(s, doc["id"])
        assert len(proc.transitions) == 1 and proc.decision.outcome == "rejected"
    finally:
        for s in seats:
            s.dispose()
