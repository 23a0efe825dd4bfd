"""Migration 0006 keeps every stored application and adds the facts the clause register needs;
files written before it still import, and the rules then name the missing fact."""
from __future__ import annotations

import json

import pytest
from alembic import command

from alliance_desk import exchange, store
from db.session import alembic_config, head_revision
from factory import eligible, variant

pytestmark = pytest.mark.backends("sqlite", "postgresql")

NEW_APP_FACTS = ("provincial_recognized_on", "materials_sealed_by_all")
NEW_SYSTEM_FACTS = ("operation_mechanism", "management_mechanism", "collaborative_innovation")


def _old_file(doc: dict) -> dict:
    """The same application as a file written before the new facts existed."""
    for k in NEW_APP_FACTS:
        doc.pop(k, None)
    for k in NEW_SYSTEM_FACTS:
        doc["systems"].pop(k, None)
    return doc


def _status(db, app_id, rule):
    with db.Session() as s:
        return next(i for i in store.check_stored(s, app_id).items if i.rule == rule)


def test_upgrade_from_0005_keeps_the_data_and_new_facts_round_trip(db):
    old = _old_file(eligible("chongqing"))
    store.import_documents(db, [("", old)])
    command.downgrade(alembic_config(db.engine), "0005")
    command.upgrade(alembic_config(db.engine), "head")
    assert head_revision() >= "0006"
    with db.Session() as s:
        assert store.get_document(s, old["id"]) == old  # nothing lost, nothing invented
    it = _status(db, old["id"], "CQ-SEALED")
    assert it.status == "fail" and "缺少：申报材料经联盟所有成员单位盖章" in it.message

    new = variant("anshan", "recognised", provincial_recognized=True, provincial_recognized_on="2015-06-01")
    cq = eligible("chongqing")  # carries every new fact
    store.import_documents(db, [("", new), ("", cq)])
    with db.Session() as s:
        assert store.get_document(s, new["id"])["provincial_recognized_on"] == "2015-06-01"
        back = store.get_document(s, cq["id"])
    assert back["materials_sealed_by_all"] is True
    assert all(back["systems"][k] is True for k in NEW_SYSTEM_FACTS)
    assert _status(db, new["id"], "AS-PROVINCIAL").status == "pass"
    with db.Session() as s:  # the lean reader of check-all sees the same facts
        results = {r.application: r for r in store.check_all(s)}
    assert next(i for i in results[cq["id"]].items if i.rule == "CQ-SEALED").status == "pass"
    assert next(i for i in results[new["id"]].items if i.rule == "AS-PROVINCIAL").status == "pass"


def test_an_old_anshan_file_marked_provincial_imports_and_asks_for_the_date(db, tmp_path):
    doc = _old_file(variant("anshan", "old-provincial", provincial_recognized=True))
    path = tmp_path / "old.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert exchange.validate_document(doc) == []
    store.import_files(db, [path])
    it = _status(db, doc["id"], "AS-PROVINCIAL")
    assert it.status == "na" and "未填写省级联盟认定日期" in it.message


def test_upgrade_corrects_certificates_issued_on_29_february_with_the_old_reading(db):
    from datetime import date

    from sqlalchemy import select, update

    from alliance_desk.exports.certificates import issue_certificates
    from db.models_documents import IssuedCertificate

    leap, plain = variant("jinzhong", "leap"), variant("jinzhong", "plain")
    store.import_documents(db, [("", leap), ("", plain)])
    issue_certificates(db, [leap], "jinzhong", date(2024, 2, 29))
    issue_certificates(db, [plain], "jinzhong", date(2024, 3, 1))
    command.downgrade(alembic_config(db.engine), "0005")
    with db.Session.begin() as s:  # what the earlier build stored
        s.execute(update(IssuedCertificate).where(IssuedCertificate.application_id == leap["id"])
                  .values(valid_until=date(2027, 2, 27)))
    command.upgrade(alembic_config(db.engine), "head")
    with db.Session() as s:
        got = dict(s.execute(select(IssuedCertificate.application_id, IssuedCertificate.valid_until)).all())
    assert got == {leap["id"]: date(2027, 2, 28), plain["id"]: date(2027, 2, 28)}
