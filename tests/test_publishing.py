"""No official paper for an application that has not earned it: the notice lists only applications
past the step before publicity, certificates only those with a recorded positive decision (date and
文号), the tier printed is the decided one; anything else is refused per application or included
after an override written to the audit trail; recommendation tables and packages mark an
application that fails its checklist."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from alliance_desk import lifecycle, store
from alliance_desk.exchange import adpkg
from alliance_desk.store import audit
from alliance_desk.exchange import packages
from alliance_desk.exports import export, preview
from alliance_desk.exports.guard import DocumentsRefused
from alliance_desk.exports.recommendation import CHONGQING_COLUMNS
from factory import uscc, variant

pytestmark = pytest.mark.backends("sqlite", "postgresql")


def cq(tag: str, n: int, no_rd: bool = False, **changes) -> dict:
    """A Chongqing application with its own name and lead unit; `no_rd` fails CQ-LEAD-RD."""
    doc = variant("chongqing", tag, name=f"重庆市{tag}产业技术创新联盟", **changes)
    lead = doc["members"][0]
    lead["uscc"] = uscc(900 + n, "chongqing")
    lead["name"] = f"重庆{tag}科技有限公司"
    if no_rd:
        lead["platforms"] = []
    doc["recommendation"] = {"recommended": True, "opinion": "同意推荐", "by": "两江新区经济运行局"}
    return doc


def pdf_text(path) -> str:
    return "".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\n", "")


def walk(db, app_id: str, to: str) -> None:
    for k, st in enumerate(["submit", "district_review", "expert_review", "decision"]):
        lifecycle.move_stage(db, app_id, st, date(2022, 6, 1 + k))
        if st == to:
            return


def test_notice_lists_only_recommended_and_prints_the_decided_tier(db, tmp_path):
    a = cq("氢能", 1, no_rd=True, tier_requested="demonstration")
    b = cq("工业软件", 2, tier_requested="demonstration")
    store.import_documents(db, [("", a), ("", b)])
    out = tmp_path / "公示.pdf"
    with pytest.raises(DocumentsRefused) as caught:
        export(db, "notice", "chongqing", "chongqing-2022", out, ids=[a["id"], b["id"]], start=date(2022, 7, 1))
    assert not out.exists()
    text = str(caught.value)
    assert f"「{a['name']}」：未经推荐：尚未开始办理，公示前须到「专家评估」（004 § 三(二)）" in text
    assert f"「{b['name']}」" in text
    assert [r.name for r in caught.value.refusals] == [a["name"], b["name"]]

    walk(db, a["id"], "expert_review")   # recommended, no decision yet
    walk(db, b["id"], "decision")
    lifecycle.decide(db, b["id"], "pilot", date(2022, 6, 20), doc_no="渝经信科技〔2022〕30号")
    res = export(db, "notice", "chongqing", "chongqing-2022", out, ids=[a["id"], b["id"]], start=date(2022, 7, 1))
    assert res.count == 2
    text = pdf_text(out)
    assert a["name"] in text and b["name"] in text
    # requested 示范 for both; only the decided tier (试点, for b) is printed
    assert "拟认定为示范创新联盟" not in text
    assert text.count("拟认定为试点创新联盟") == 1


def test_certificates_need_a_positive_decision_with_date_and_number(db, tmp_path):
    a = cq("氢能", 1, tier_requested="demonstration")
    b = cq("工业软件", 2)
    c = cq("生物医药", 3)
    store.import_documents(db, [("", x) for x in (a, b, c)])
    lifecycle.decide(db, a["id"], "pilot", date(2022, 6, 20), doc_no="")
    lifecycle.decide(db, b["id"], "rejected", date(2022, 6, 20), doc_no="渝经信科技〔2022〕31号")
    out = tmp_path / "证书.pdf"
    with pytest.raises(DocumentsRefused) as caught:
        export(db, "certificates", "chongqing", None, out, ids=[a["id"], b["id"], c["id"]])
    assert not out.exists()
    lines = str(caught.value).splitlines()
    assert f"「{a['name']}」：决定没有文号" in lines
    assert f"「{b['name']}」：决定为不予认定" in lines
    assert f"「{c['name']}」：没有记录认定决定" in lines
    with db.Session() as s:
        from db.models_documents import IssuedCertificate
        from sqlalchemy import func, select

        assert s.scalar(select(func.count()).select_from(IssuedCertificate)) == 0  # no number was taken

    # the override: the file is written, each overridden application has an audit row with the reason
    res = export(db, "certificates", "chongqing", None, out, ids=[a["id"]], override_reason="文号待补，先行制证",
                 actor="李处长")
    assert res.count == 1 and any("强制列入（理由：文号待补，先行制证）" in n for n in res.notes)
    text = pdf_text(out)
    assert "该联盟为重庆市试点创新联盟" in text and "示范" not in text  # the decided tier, not the requested
    rows = [r for r in audit.history(db, a["id"]) if r.action == "override"]
    assert len(rows) == 1 and rows[0].actor == "李处长"
    assert rows[0].after == {"paper": "证书", "file": str(out), "refused": ["决定没有文号"], "reason": "文号待补，先行制证"}
    assert "强制列入证书" in audit.describe(rows[0]) and audit.verify(db).ok
    with pytest.raises(DocumentsRefused):
        export(db, "certificates", "chongqing", None, out, ids=[a["id"]], override_reason="   ")


def test_preview_names_the_refused(db):
    a = cq("氢能", 1)
    store.import_documents(db, [("", a)])
    lines = preview(db, "certificates", "chongqing", None, ids=[a["id"]])
    assert f"不能列入：「{a['name']}」：没有记录认定决定" in lines


def test_recommendation_table_marks_a_failing_checklist(db, tmp_path):
    good, bad = cq("工业软件", 2), cq("氢能", 1, no_rd=True)
    store.import_documents(db, [("", good), ("", bad)])
    out = tmp_path / "汇总表.xlsx"
    res = export(db, "recommendation-table", "chongqing", "chongqing-2022", out)
    ws = load_workbook(out).active
    header = [c.value for c in ws[3]]
    assert header == CHONGQING_COLUMNS + ["审查情况"]
    marks = {r[1]: r[-1] for r in ws.iter_rows(min_row=4, values_only=True)}
    assert marks[bad["name"]] == "未通过审查：CQ-LEAD-RD"
    assert marks[good["name"]] in (None, "")
    assert res.notes == [f"「{bad['name']}」未通过审查：CQ-LEAD-RD"]
    assert f"「{bad['name']}」未通过审查：CQ-LEAD-RD" in preview(db, "recommendation-table", "chongqing",
                                                               "chongqing-2022")
    # a table whose applications all pass keeps the notice's columns exactly
    export(db, "recommendation-table", "chongqing", "chongqing-2022", out, ids=[good["id"]])
    assert [c.value for c in load_workbook(out).active[3]] == CHONGQING_COLUMNS


def test_package_marks_a_failing_checklist(make_db, tmp_path):
    county, city = make_db("county"), make_db("city")
    good, bad = cq("工业软件", 2), cq("氢能", 1, no_rd=True)
    store.import_documents(county, [("", good), ("", bad)])
    packages.generate_office_key(county, "两江新区经济运行局")
    packages.trust_key(city, packages.public_key_text(county))
    res = packages.export_package(county, tmp_path / "up.adpkg", "chongqing", "chongqing-2022")
    assert res.checklist_failures == {bad["id"]: ["CQ-LEAD-RD"]}
    assert res.notes == [f"「{bad['name']}」未通过审查：CQ-LEAD-RD"]
    manifest = adpkg.read_package(res.path, kind=packages.KIND_SUBMISSION).manifest
    assert manifest["checklist_failures"] == {bad["id"]: ["CQ-LEAD-RD"]}  # signed with the rest
    got = packages.import_package(city, res.path)
    assert f"「{bad['name']}」未通过审查：CQ-LEAD-RD" in got.warnings
    assert not any(good["name"] in w for w in got.warnings)
