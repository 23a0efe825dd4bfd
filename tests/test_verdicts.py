"""Incremental check-all (alliance_desk.store.verdicts): stored verdicts equal a fresh judgement, and only
applications whose inputs changed — the document, the judging pack, the region's calls, the
confirmations — are judged again."""
from __future__ import annotations

from datetime import datetime

import pytest
from alembic import command
from sqlalchemy import func, select

from alliance_desk import demo, store
from alliance_desk.store import verdicts
from alliance_desk.rules.engine import evaluate
from alliance_desk.rules.packs import get_pack
from db import models as m
from db.models_archive import CheckVerdict
from db.session import alembic_config, open_database

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def _fresh(db) -> dict[str, dict]:
    """Every application judged from scratch, as the single-application path does."""
    with db.Session() as s:
        ids = sorted(s.scalars(select(m.Application.id)))
        return {i: store.check_stored(s, i).as_dict() for i in ids}


def _check(db):
    with db.Session() as s:
        report = verdicts.check_all(s)
        return report, [r.as_dict() for r in report.results()]


@pytest.fixture
def demo_db(db):
    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    return db


def test_first_check_judges_all_and_stores_what_a_fresh_check_says(demo_db):
    report, results = _check(demo_db)
    fresh = _fresh(demo_db)
    assert sorted(report.rejudged) == sorted(fresh)
    assert {r["application"]: r for r in results} == fresh
    assert [v.application for v in report.verdicts] == sorted(fresh)
    for v in report.verdicts:
        assert v.counts == {k: fresh[v.application]["counts"][k] for k in ("fail", "warn", "manual")}
        assert v.eligible == fresh[v.application]["eligible"]
    with demo_db.Session() as s:
        assert s.scalar(select(func.count()).select_from(CheckVerdict)) == len(fresh)
    again, results2 = _check(demo_db)
    assert again.rejudged == []
    assert results2 == results
    with demo_db.Session() as s:  # store.check_all is this path
        assert [r.as_dict() for r in store.check_all(s)] == results


def test_a_saved_application_alone_is_judged_again(demo_db):
    _check(demo_db)
    doc = demo.demo_applications()[3]
    doc = {**doc, "members": doc["members"][:1]}  # fewer members: its verdict changes
    with demo_db.Session.begin() as s:
        store.save_document(s, doc)
    report, results = _check(demo_db)
    assert report.rejudged == [doc["id"]]
    assert {r["application"]: r for r in results} == _fresh(demo_db)
    # the draft autosave path moves the version too
    store.save_draft(demo_db, demo.demo_applications()[4])
    assert _check(demo_db)[0].rejudged == [demo.demo_applications()[4]["id"]]


def test_confirmations_and_calls_invalidate_what_they_concern(demo_db):
    _check(demo_db)
    gansu = next(d for d in demo.demo_applications() if d["region"] == "gansu")
    store.confirm(demo_db, gansu["id"], "GS-POLICY", by="王科长", note="符合", at=datetime(2025, 3, 1, 9, 0))
    report, results = _check(demo_db)
    assert report.rejudged == [gansu["id"]]
    assert {r["application"]: r for r in results} == _fresh(demo_db)
    store.unconfirm(demo_db, gansu["id"], "GS-POLICY")
    assert _check(demo_db)[0].rejudged == [gansu["id"]]

    store.add_call(demo_db, "anshan", "anshan-extra", "补充批次", datetime(2030, 1, 1))
    report, results = _check(demo_db)
    anshan = sorted(d["id"] for d in demo.demo_applications() if d["region"] == "anshan")
    assert sorted(report.rejudged) == anshan
    assert {r["application"]: r for r in results} == _fresh(demo_db)


def test_a_changed_pack_rejudges_its_applications_only(demo_db):
    from alliance_desk.store import calls
    from alliance_desk.store import pack_versions as pv

    _check(demo_db)
    real = get_pack("jinzhong")
    # a revised notice: at most 10 members instead of 30, adopted for the Jinzhong call
    v = pv.derive(demo_db, "jinzhong", "晋中市 2026 年修订", "市科技局〔2026〕1号",
                  [{"path": ["rule", "JZ-TOTAL-MAX", "max"], "value": 10, "clause": "三(三)"}])
    jinzhong_docs = [d for d in demo.demo_applications() if d["region"] == "jinzhong"]
    for call_id in sorted({d["call"] for d in jinzhong_docs}):
        calls.adopt_version(demo_db, call_id, v.id)
    with demo_db.Session() as s:
        edited = store.judging_pack(s, "jinzhong", jinzhong_docs[0]["call"])
    assert verdicts.pack_digest(edited) != verdicts.pack_digest(real)
    report, results = _check(demo_db)
    jinzhong = sorted(d["id"] for d in jinzhong_docs)
    assert sorted(report.rejudged) == jinzhong
    with demo_db.Session() as s:
        doc = store.get_document(s, jinzhong[0])
        want = evaluate(doc, pack=edited, calls=store.calls_for(s, "jinzhong")).as_dict()
    assert next(r for r in results if r["application"] == jinzhong[0]) == want


def test_deleted_application_takes_its_verdict_along(demo_db):
    _check(demo_db)
    gone = demo.demo_applications()[0]["id"]
    store.delete_application(demo_db, gone)
    report, _ = _check(demo_db)
    assert gone not in [v.application for v in report.verdicts] and report.rejudged == []
    with demo_db.Session() as s:
        assert s.get(CheckVerdict, gone) is None


def test_list_counts_follow_a_rejudged_verdict(demo_db):
    """A verdict that differs from the list's cached counts (here: a pack edit) updates them."""
    _check(demo_db)
    app_id = demo.demo_applications()[0]["id"]
    with demo_db.Session.begin() as s:  # counts as an older build might have left them
        s.get(m.Application, app_id).n_fail = 99
        s.execute(CheckVerdict.__table__.delete())
    report, _ = _check(demo_db)
    with demo_db.Session() as s:
        app = s.get(m.Application, app_id)
        v = next(v for v in report.verdicts if v.application == app_id)
        assert app.n_fail == v.n_fail != 99


@pytest.mark.backends("sqlite")
def test_read_only_seat_checks_without_storing(demo_db, tmp_path):
    from alliance_desk.store import locking

    path = demo_db.engine.url.database
    demo_db.dispose()
    ro = locking.open_read_only(path)
    try:
        with ro.Session() as s:
            report = verdicts.check_all(s)
            results = {r.application: r.as_dict() for r in report.results()}
        assert len(report.rejudged) == len(demo.demo_applications())
    finally:
        ro.dispose()
    db = open_database(path)
    try:
        with db.Session() as s:
            assert s.scalar(select(func.count()).select_from(CheckVerdict)) == 0
        assert results == _fresh(db)
    finally:
        db.dispose()


def test_old_database_upgrades_keeping_its_data(db):
    """A database from before the verdicts table (0005) upgrades to it; data kept, then checked."""
    store.import_documents(db, [("", d) for d in demo.demo_applications()[:5]])
    command.downgrade(alembic_config(db.engine), "0005")
    with db.Session() as s:
        assert s.scalar(select(func.count()).select_from(m.Application)) == 5
    command.upgrade(alembic_config(db.engine), "head")
    with db.Session() as s:
        assert s.scalar(select(func.count()).select_from(m.Application)) == 5
    report, results = _check(db)
    assert len(report.rejudged) == 5 and {r["application"]: r for r in results} == _fresh(db)


def test_the_export_guard_judges_with_the_pack_the_call_adopted(demo_db):
    """The marks on official papers follow the same pack as the stored checklist: a call that adopted
    a stricter revision fails its applications there too, not only in the list."""
    from alliance_desk.exports.guard import checklist_failures
    from alliance_desk.store import calls
    from alliance_desk.store import pack_versions as pv

    jinzhong_docs = [d for d in demo.demo_applications() if d["region"] == "jinzhong"]
    with demo_db.Session() as s:
        docs = [store.get_document(s, d["id"]) for d in jinzhong_docs]
    before = checklist_failures(demo_db, docs)
    core_min_failing = sorted(i for i, rules in before.items() if "JZ-CORE-MIN" in rules)
    assert len(core_min_failing) < len(docs)
    # a revised notice: at least 500 core members, which no demo alliance has
    v = pv.derive(demo_db, "jinzhong", "晋中市 2026 年修订", "市科技局〔2026〕1号",
                  [{"path": ["rule", "JZ-CORE-MIN", "min"], "value": 500, "clause": "三(三)"}])
    for call_id in sorted({d["call"] for d in jinzhong_docs}):
        calls.adopt_version(demo_db, call_id, v.id)
    after = checklist_failures(demo_db, docs)
    assert sorted(i for i, rules in after.items() if "JZ-CORE-MIN" in rules) == sorted(d["id"] for d in docs)
    _, results = _check(demo_db)
    stored = {r["application"]: [i["rule"] for i in r["items"] if i["status"] == "fail"] for r in results}
    assert all(after.get(d["id"], []) == stored[d["id"]] for d in docs)
