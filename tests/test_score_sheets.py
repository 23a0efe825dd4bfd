"""Excel score sheets written, filled with openpyxl as an expert would, and read back; refusals name the
sheet, row and column; the summary and the files open in LibreOffice."""
from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess

import pytest
from openpyxl import load_workbook

from alliance_desk import review as rv
from alliance_desk.review import score_sheets as ss
from alliance_desk import store
from test_review import (EXPECTED_RANK, EXPECTED_TRIMMED, TOTALS, build, ganzhou_app, points_for,
                         refused_in_another_office)


def sheets_by_expert(sc, paths) -> dict[str, object]:
    out = {}
    for p in paths:
        meta = {r[0]: r[1] for r in load_workbook(p, read_only=True)["_meta"].iter_rows(values_only=True)}
        out[sc.expert_key(meta["expert"])] = p
    return out


def fill(path, sc, tpl, totals=TOTALS, comment="材料齐全，论证充分", only=None):
    """Type every score of a sheet like an expert would (openpyxl on the protected file)."""
    wb = load_workbook(path)
    ws = wb["评分"]
    meta = {r[0].value: r[1].value for r in wb["_meta"].iter_rows()}
    ek = sc.expert_key(meta["expert"])
    for r in range(2, ws.max_row + 1):
        ak = sc.app_key(ws.cell(row=r, column=1).value)
        if only and ak not in only:
            continue
        for j, v in enumerate(points_for(tpl, totals[(ak, ek)]).values()):
            ws.cell(row=r, column=3 + j).value = v
        ws.cell(row=r, column=ws.max_column).value = comment
    wb.save(path)
    return path


@pytest.fixture
def scenario(db, tmp_path):
    sc = build(db)
    paths = ss.write_sheets(db, sc.round_id, tmp_path / "sheets")
    return sc, sheets_by_expert(sc, paths), rv.get_round(db, sc.round_id).template


def test_sheet_layout_validation_protection_and_hidden_meta(db, scenario):
    sc, sheets, tpl = scenario
    assert set(sheets) == {"E1", "E2", "E3", "E4", "E5"}
    wb = load_workbook(sheets["E3"])
    assert wb.sheetnames == ["评分", "填表说明", "_meta"]
    ws = wb["评分"]
    head = [c.value for c in ws[1]]
    assert head[:2] == ["申请编号", "联盟名称"] and head[-2:] == ["总分", "评审意见"]
    assert len(head) == 4 + 17
    assert all(re.fullmatch(r".+（\d+分）", h) for h in head[2:-2])
    assert head[2:-2] == [it.header for it in tpl.leaves]
    assert ws.max_row == 4                                   # E3 has A, B and C
    # rows in the round's order (submission time, then name): B, C, A
    assert [ws.cell(row=r, column=2).value for r in range(2, 5)] == [
        "赣州动力电池产业科技创新联合体", "赣州电子信息产业科技创新联合体", "赣州稀土功能材料产业科技创新联合体"]
    assert ws["T2"].value == "=SUM(C2:S2)"
    dvs = {str(dv.sqref): (dv.type, dv.operator, dv.formula1, dv.formula2) for dv in ws.data_validations.dataValidation}
    assert dvs["C2:C4"] == ("decimal", "between", "0", "4") and dvs["G2:G4"] == ("decimal", "between", "0", "10")
    assert len(dvs) == 17
    # objective items pre-filled with the suggestion, the computed share in a note
    platform_col = 3 + [it.key for it in tpl.leaves].index("members.platform_share")
    cell = ws.cell(row=2, column=platform_col)
    assert cell.value == 1 and "1/12 = 8.3%，建议 1 分" in cell.comment.text
    project = ws.cell(row=3, column=platform_col + 2)     # C: 7 of 12 members undertook projects → 58.3% → 5
    assert project.value == 5 and "7/12 = 58.3%" in project.comment.text
    # protection: only score and comment cells are editable; the structure is locked; meta very hidden
    assert ws.protection.sheet and wb.security.lockStructure
    assert ws["A2"].protection.locked and ws["B2"].protection.locked and ws["T2"].protection.locked
    assert not ws["C2"].protection.locked and not ws["U2"].protection.locked
    meta = wb["_meta"]
    assert meta.sheet_state == "veryHidden"
    m = {r[0].value: r[1].value for r in meta.iter_rows()}
    assert m["round"] == sc.round_id and m["expert"] == sc.experts["E3"] and len(m["digest"]) == 64
    guide = [c for row in wb["填表说明"].iter_rows(values_only=True) for c in row if c]
    assert "联合体组建评价指标" in guide and any("60%" in str(c) for c in guide)


def test_office_template_is_labelled_as_such_on_the_sheet(db, tmp_path):
    doc = ganzhou_app("A", 1)
    doc.update(region="gansu", call="gansu-standing", industry="先进制造", name="=HYPERLINK(\"x\")甘肃联盟")
    doc["materials"] = [{"code": c, "received": True, "copies": 1} for c in ("GS-M1", "GS-M2", "GS-M3", "GS-M4")]
    store.import_documents(db, [("", doc)])
    rid = rv.create_round(db, "gansu", "gansu-standing", "甘肃组建审核", per_application=1)
    rv.add_expert(db, "马强", "兰州大学")
    rv.auto_assign(db, rid)
    path = ss.write_sheets(db, rid, tmp_path)[0]
    wb = load_workbook(path)
    guide = [c for row in wb["填表说明"].iter_rows(values_only=True) for c in row if c]
    assert "产业联盟组建专家会议审核评分表（本单位自定模板）" in guide
    assert "本单位自定模板" in wb["评分"].oddHeader.center.text
    name = wb["评分"]["B2"]
    assert name.value == "=HYPERLINK(\"x\")甘肃联盟" and name.data_type == "s"    # text, never a formula
    ws = wb["评分"]
    for j in range(8):
        ws.cell(row=2, column=3 + j).value = 9
    ws["K2"] = "三个方面均较好"
    wb.save(path)
    res = ss.import_sheet(db, path)
    assert res.created == [doc["id"]]
    assert rv.summary(db, rid).aggregates[0].mean == 72


def test_filled_sheets_import_and_reimport_changes_nothing(db, scenario):
    sc, sheets, tpl = scenario
    for k in ("E1", "E2", "E3", "E4", "E5"):
        res = ss.import_sheet(db, fill(sheets[k], sc, tpl))
        assert res.source == "sheet" and res.updated == [] and res.unchanged == []
    sm = rv.summary(db, sc.round_id)
    got = {sc.app_key(a.application): a for a in sm.aggregates}
    assert {k: got[k].trimmed for k in "ABC"} == pytest.approx(EXPECTED_TRIMMED)
    assert {k: got[k].rank for k in "ABC"} == EXPECTED_RANK
    from test_review import _score_rows

    before = _score_rows(db)
    again = ss.import_sheet(db, sheets["E3"])
    assert again.created == again.updated == [] and len(again.unchanged) == 3
    assert _score_rows(db) == before
    # a corrected sheet updates exactly what changed
    wb = load_workbook(sheets["E3"])
    ws = wb["评分"]
    row_a = next(r for r in range(2, 5) if ws.cell(row=r, column=1).value == sc.apps["A"])
    ws.cell(row=row_a, column=3).value = 3
    wb.save(sheets["E3"])
    res = ss.import_sheet(db, sheets["E3"])
    assert res.updated == [sc.apps["A"]] and len(res.unchanged) == 2
    assert rv.summary(db, sc.round_id).scores[(sc.apps["A"], sc.experts["E3"])].total == 89


def test_blank_rows_are_left_unscored(db, scenario):
    sc, sheets, tpl = scenario
    res = ss.import_sheet(db, fill(sheets["E3"], sc, tpl, only={"B"}))
    assert res.created == [sc.apps["B"]] and set(res.skipped) == {sc.apps["A"], sc.apps["C"]}
    assert "未评分 2 份" in res.summary()


def test_bad_values_are_refused_with_sheet_row_and_column(db, scenario):
    sc, sheets, tpl = scenario
    path = fill(sheets["E3"], sc, tpl)
    wb = load_workbook(path)
    ws = wb["评分"]
    ws["C2"] = 5                       # 人员就位 max 4
    ws["D3"] = "很好"                  # text in a number cell
    ws["U4"] = None                    # C row: items under 60% without an opinion
    ws["S4"] = 0
    ws["E4"] = None                    # and one item left empty
    wb.save(path)
    with pytest.raises(rv.ReviewError) as exc:
        ss.import_sheet(db, path)
    probs = exc.value.problems
    name = path.name
    assert f"{name}：工作表「评分」第 2 行 C 列（人员就位及岗位设置情况（4分））：5 分超过该项满分 4 分" in probs
    assert f"{name}：工作表「评分」第 3 行 D 列（办公场所情况，能否满足办公需求（6分））：「很好」不是数字，请填写 0 到 6 之间的分数" in probs
    assert any(p.startswith(f"{name}：工作表「评分」第 4 行 E 列（成员单位构成") and p.endswith("未评分") for p in probs)
    low = [p for p in probs if "第 4 行 U 列（评审意见）" in p]
    assert len(low) == 1 and "须填写评审意见" in low[0] and "「其它配套管理制度是否建立健全」0 分（满分 5）" in low[0]
    assert len(probs) == 4
    assert rv.progress(db, sc.round_id).received == 0          # all or nothing


def test_tampered_reissued_and_foreign_sheets_are_refused(db, scenario, tmp_path):
    sc, sheets, tpl = scenario
    good = fill(sheets["E4"], sc, tpl)

    def variant(name, change):
        wb = load_workbook(good)
        change(wb)
        p = tmp_path / name
        wb.save(p)
        return p

    def refused(path, *needles, **kw):
        with pytest.raises(rv.ReviewError) as exc:
            ss.import_sheet(db, path, **kw)
        for n in needles:
            assert n in str(exc.value), str(exc.value)

    refused(variant("id.xlsx", lambda wb: wb["评分"].cell(row=3, column=1, value=sc.apps["A"])),
            "工作表「评分」第 3 行 A 列（申请编号）：应为", "（申报行被改动）")
    refused(variant("swap.xlsx", lambda wb: wb["评分"].cell(row=2, column=2, value="赣州电子信息产业科技创新联合体")),
            "第 2 行 B 列（联盟名称）")
    refused(variant("extra.xlsx", lambda wb: wb["评分"].append(["x", "私自添加的联盟", 1])),
            "第 5 行：下发的评分表只有 3 个申报行")
    refused(variant("head.xlsx", lambda wb: wb["评分"].cell(row=1, column=3, value="人员就位（10分）")),
            "第 1 行 C 列：表头应为「人员就位及岗位设置情况（4分）」")
    refused(variant("meta.xlsx", lambda wb: wb["_meta"].cell(row=8, column=2, value="[]")),
            "隐藏的校验信息被改动")
    refused(variant("nometa.xlsx", lambda wb: wb.remove(wb["_meta"])), "缺少隐藏的校验工作表")
    # a sheet of another round of this office
    rid2 = rv.create_round(db, "ganzhou", "ganzhou-2022", "第二轮")
    rv.auto_assign(db, rid2, 2)
    other = ss.write_sheets(db, rid2, tmp_path / "round2")[0]
    refused(other, "这是另一评审轮次", "不属于本轮次", round_id=sc.round_id)
    # a sheet from another office's database
    refused_in_another_office(tmp_path, "评审轮次 .* 不在本数据库中", ss.import_sheet, good)
    # re-issued since: the old sheet no longer counts
    old = tmp_path / "old.xlsx"
    shutil.copy(good, old)
    rv.unassign(db, sc.round_id, sc.apps["C"], sc.experts["E4"])
    ss.write_sheet(db, sc.round_id, sc.experts["E4"], tmp_path / "new.xlsx")
    refused(old, "与本单位最近一次下发给该专家的版本不符")
    not_excel = tmp_path / "fake.xlsx"
    not_excel.write_bytes(b"PK\x03\x04 not really")
    refused(not_excel, "不是有效的 Excel 文件")
    assert rv.progress(db, sc.round_id).received == 0


def test_scoring_sheet_prints_landscape_one_page_wide(db, scenario):
    sc, sheets, tpl = scenario
    ws = load_workbook(sheets["E3"])["评分"]
    ps = ws.page_setup
    assert ps.orientation == "landscape" and int(ps.paperSize) == 9
    assert int(ps.fitToWidth) == 1 and int(ps.fitToHeight) == 0 and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$1:$1"            # the header row on every page
    assert ws.column_dimensions["A"].hidden          # the id column: hidden (it is for the import)
    assert ws["A2"].value in set(sc.apps.values())     # still there for the import


def test_summary_export_reads_back(db, scenario, tmp_path):
    sc, sheets, tpl = scenario
    for k in sheets:
        ss.import_sheet(db, fill(sheets[k], sc, tpl))
    path = ss.write_summary(db, sc.round_id, tmp_path / "评分汇总表.xlsx")
    wb = load_workbook(path)
    ws = wb["评分汇总"]
    assert "联合体组建评价指标" in ws["A2"].value and "去掉一个最高分和一个最低分后平均" in ws["A2"].value
    head = [c.value for c in ws[4]]
    assert head[:4] == ["排名", "申请编号", "联盟名称", "牵头单位"] and head[-2:] == ["分歧提示", "备注"]
    assert head[4:9] == ["刘建国", "陈晓东", "王立华", "赵敏", "孙伟"]
    rows = [dict(zip(head, r)) for r in ws.iter_rows(min_row=5, max_row=7, values_only=True)]
    assert [sc.app_key(r["申请编号"]) for r in rows] == ["C", "A", "B"]
    assert [r["排名"] for r in rows] == [1, 2, 3]
    assert rows[0]["去掉最高最低分后平均"] == pytest.approx(84.33) and rows[0]["汇总分"] == pytest.approx(84.33)
    assert rows[1]["刘建国"] is None and rows[1]["陈晓东"] == 82
    assert "极差 35 分超过阈值 20 分" in rows[2]["分歧提示"]
    # fewer than 5 scores: the "trimmed" mean is a plain mean, and the sheet says so (note column, footnote)
    assert rows[0]["备注"] is None and rows[0]["评分人数"] == 5
    assert rows[1]["评分人数"] == 4
    assert rows[1]["备注"] == "仅 4 位专家评分（不足 5 位），未去掉最高分和最低分，按算术平均计算"
    assert rows[1]["去掉最高最低分后平均"] == pytest.approx(rows[1]["平均分"])
    assert ws["A9"].value.startswith("注：“去掉最高最低分后平均”需至少 5 位专家评分")
    detail = list(wb["评分明细"].iter_rows(values_only=True))
    assert len(detail) == 1 + 13 and detail[0][-3:] == ("总分", "评审意见", "来源")
    assert wb["指标平均分"]["C1"].value == "秘书处情况（10分）"


def _soffice():
    return shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
def test_files_open_in_libreoffice_with_chinese_headers(db, scenario, tmp_path):
    from alliance_desk.review.score_sheets import write_draw_record

    sc, sheets, tpl = scenario
    fill(sheets["E3"], sc, tpl)
    ss.import_sheet(db, sheets["E3"])
    summary = ss.write_summary(db, sc.round_id, tmp_path / "summary.xlsx")
    for i in range(3):
        rv.add_expert(db, f"备选专家{i}", f"某研究所{i}", field="材料")
    draw = rv.draw_experts(db, sc.round_id, 2, 1, field="材料", seed=42)
    record = write_draw_record(db, draw.id, tmp_path / "draw.xlsx")
    out = tmp_path / "csv"
    env = dict(os.environ, HOME=str(tmp_path))
    subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                    "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1", "--outdir", str(out),
                    str(sheets["E3"]), str(summary), str(record)], check=True, timeout=120, env=env,
                   capture_output=True)
    rows = list(csv.reader((out / (sheets["E3"].stem + ".csv")).open(encoding="utf-8")))
    assert rows[0][:2] == ["申请编号", "联盟名称"] and rows[0][6] == "成员单位中具有市级以上平台比例（10分）"
    # LibreOffice computed the total formula from the scores typed in
    assert [r[-2] for r in rows[1:]] == ["95", "79", "90"]                 # B, C, A
    srows = list(csv.reader((out / "summary.csv").open(encoding="utf-8")))
    assert srows[3][:4] == ["排名", "申请编号", "联盟名称", "牵头单位"]
    drows = list(csv.reader((out / "draw.csv").open(encoding="utf-8")))
    assert drows[0][0] == "专家抽取记录表" and any(r and r[0] == "随机种子" and r[1] == "42" for r in drows)


@pytest.mark.skipif(_soffice() is None, reason="LibreOffice (soffice) is not installed: apt-get install libreoffice-calc")
def test_scoring_sheet_renders_on_one_landscape_page(db, scenario, tmp_path):
    from pypdf import PdfReader

    sc, sheets, tpl = scenario
    out = tmp_path / "pdf"
    subprocess.run([_soffice(), "--headless", f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--convert-to",
                    "pdf", "--outdir", str(out), str(sheets["E3"])], check=True, capture_output=True, timeout=180)
    reader = PdfReader(str(next(out.glob("*.pdf"))))
    first = reader.pages[0]
    assert float(first.mediabox.width) > float(first.mediabox.height)        # landscape
    text = first.extract_text().replace("\n", "")
    # the names, the item headers and the comment column on page 1; no application id printed
    assert "联盟名称" in text and "评审意见" in text and "总分" in text
    assert not any(a in text for a in sc.apps.values())
    scoring_pages = [p for p in reader.pages if "联盟名称" in (p.extract_text() or "")]
    assert len(scoring_pages) == 1   # 3 applications: one page wide, one page long
