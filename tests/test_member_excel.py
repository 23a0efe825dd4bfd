"""Member list Excel: write, read back, formula-looking text stays text, problems named by row and
column, and applying a sheet to a stored application (all or nothing)."""
from __future__ import annotations

import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from alliance_desk.exchange import member_excel as me
from alliance_desk import store
from factory import eligible, member, uscc


def _members() -> list[dict]:
    return [
        {"name": "晋中华晟新能源汽车股份有限公司", "uscc": uscc(1), "kind": "enterprise", "role": "lead",
         "in_region": True, "legal_rep": "王建国", "chain_segment": "中游·整车制造", "research_direction": "电驱动",
         "employees": 1200, "rd_staff": 150, "rd_spend_wan": 3200.5, "integrity_ok": True},
        {"name": "太原理工大学", "uscc": "12140000405200053G", "kind": "university", "role": "core",
         "in_region": False, "employees": None, "integrity_ok": False},
        {"name": "=HYPERLINK(\"http://evil\",\"点我\")", "uscc": "+86" + uscc(3)[3:], "kind": "other",
         "role": "member", "in_region": True, "legal_rep": "@张三", "chain_segment": "-下游",
         "research_direction": "=1+1"},
    ]


def test_roundtrip(tmp_path):
    path = tmp_path / "members.xlsx"
    assert me.write_members(_members(), path, title="测试联盟 成员单位名单") == 3
    sheet = me.read_members(path)
    assert sheet.problems == []
    want = []
    for m in _members():
        want.append({k: v for k, v in m.items() if v is not None})
    assert sheet.members == want
    ws = load_workbook(path).active
    assert [c.value for c in ws[2]] == list(me.COLUMNS)
    assert ws["A1"].value == "测试联盟 成员单位名单"
    assert ws["D3"].value == "企业" and ws["E3"].value == "牵头单位" and ws["F3"].value == "是"
    assert ws["J3"].value == 1200 and ws["L3"].value == 3200.5


def test_formula_like_text_is_written_as_text(tmp_path):
    path = tmp_path / "members.xlsx"
    me.write_members(_members(), path)
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    ws = load_workbook(path).active
    for ref in ("B4", "C4", "G4", "H4", "I4"):
        cell = ws[ref]
        assert cell.data_type == "s", ref
        assert cell.value[0] in "=+-@"
        assert cell.quotePrefix, ref  # stays text when edited in Excel/WPS


def _sheet(tmp_path, rows, header=me.COLUMNS, title=None):
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append([title])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    path = tmp_path / "in.xlsx"
    wb.save(path)
    return path


def test_reads_labels_aliases_and_other_column_orders(tmp_path):
    header = ["单位名称", "本地注册", "单位类型", "统一社会信用代码", "角色", "职工人数", "研发投入（万元）", "诚信良好"]
    rows = [["甲公司有限公司", "是", "公司", uscc(5).lower(), "牵头", "1,200", "35", "√"],
            ["乙研究院", "否", "研究所", uscc(6), "", 30.0, 0, None],
            [None, None, None, None, None, None, None, None],  # empty line is skipped
            ["丙协会", "Y", "industry_association", uscc(7), "核心成员", None, "", "否"]]
    sheet = me.read_members(_sheet(tmp_path, rows, header, title="某联盟成员单位名单"))
    assert sheet.problems == []
    a, b, c = sheet.members
    assert a == {"name": "甲公司有限公司", "uscc": uscc(5), "kind": "enterprise", "role": "lead", "in_region": True,
                 "employees": 1200, "rd_spend_wan": 35.0, "integrity_ok": True}
    assert b["kind"] == "research_institute" and b["role"] == "member" and b["in_region"] is False
    assert b["employees"] == 30 and b["rd_spend_wan"] == 0.0 and "integrity_ok" not in b
    assert c["kind"] == "industry_association" and c["role"] == "core" and c["integrity_ok"] is False


def test_problems_name_row_and_column(tmp_path):
    rows = [[1, "甲", uscc(5), "外星企业", "老大", "也许", None, None, None, "很多", "-3", "abc", "未知"],
            [2, "乙单位", uscc(6), "企业", "牵头单位", "", None, None, None, None, None, None, None],
            [3, "丙单位", uscc(7), "", "牵头单位", "是", None, None, None, None, None, None, None]]
    sheet = me.read_members(_sheet(tmp_path, rows))
    p = sheet.problems
    assert "in.xlsx：第 2 行「单位名称」：未填写或少于 2 个字" in p
    assert any(x.startswith("in.xlsx：第 2 行「单位类型」：「外星企业」不是可选的类型") for x in p)
    assert any(x.startswith("in.xlsx：第 2 行「角色」：「老大」不是可选的角色") for x in p)
    assert "in.xlsx：第 2 行「本地注册」：应填「是」或「否」，实际「也许」" in p
    assert "in.xlsx：第 2 行「职工人数」：应为不小于 0 的整数，实际「很多」" in p
    assert "in.xlsx：第 2 行「研发人员」：应为不小于 0 的整数，实际「-3」" in p
    assert "in.xlsx：第 2 行「研发投入（万元）」：应为不小于 0 的数字，实际「abc」" in p
    assert "in.xlsx：第 2 行「诚信良好」：应填「是」或「否」，实际「未知」" in p
    assert "in.xlsx：第 3 行「本地注册」：未填写（填「是」或「否」）" in p
    assert "in.xlsx：第 4 行「单位类型」：未填写" in p
    assert "in.xlsx：有 2 家牵头单位，应只有 1 家" in p


def test_unreadable_files(tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a zip at all")
    with pytest.raises(me.MemberExcelError) as exc:
        me.read_members(bad)
    assert "不是可读取的 Excel" in exc.value.problems[0]
    with pytest.raises(me.MemberExcelError) as exc:
        me.read_members(tmp_path / "missing.xlsx")
    assert "无法读取文件" in exc.value.problems[0]
    no_header = _sheet(tmp_path, [["a", "b"]], header=["名称", "代码"])
    assert "找不到表头" in me.read_members(no_header).problems[0]
    missing = _sheet(tmp_path, [["甲单位", uscc(1)]], header=["单位名称", "统一社会信用代码"])
    assert me.read_members(missing).problems == ["in.xlsx：缺少列：单位类型、本地注册"]


def test_merge_keeps_details_the_sheet_has_no_column_for():
    existing = [member(1, "jinzhong", role="lead", platforms=[{"name": "省级企业技术中心", "level": "provincial"}],
                       contact={"name": "李四"}, address="榆次区 1 号", employees=10),
                member(2, "jinzhong", "university", "core")]
    imported = [{"name": "改名后的单位有限公司", "uscc": existing[0]["uscc"], "kind": "enterprise", "role": "lead",
                 "in_region": True},
                {"name": "新单位有限公司", "uscc": uscc(9), "kind": "enterprise", "role": "member", "in_region": True}]
    out = me.merge_members(existing, imported, "replace")
    assert [m["name"] for m in out] == ["改名后的单位有限公司", "新单位有限公司"]
    assert out[0]["platforms"] == existing[0]["platforms"] and out[0]["address"] == "榆次区 1 号"
    assert "employees" not in out[0]  # a blank cell clears a value the sheet has a column for
    out = me.merge_members(existing, imported, "append")
    assert [m["uscc"] for m in out] == [existing[0]["uscc"], existing[1]["uscc"], uscc(9)]
    assert out[0]["name"] == "改名后的单位有限公司"
    with pytest.raises(ValueError):
        me.merge_members(existing, imported, "merge")


def test_export_and_import_with_a_stored_application(db, tmp_path):
    doc = eligible("jinzhong")
    store.import_documents(db, [("", doc)])
    path = tmp_path / "out.xlsx"
    assert me.export_members(db, doc["id"], path) == len(doc["members"])
    back = me.read_members(path)
    assert back.problems == [] and [m["uscc"] for m in back.members] == [m["uscc"] for m in doc["members"]]

    # edit the sheet: drop the last member, rename one, add one
    wb = load_workbook(path)
    ws = wb.active
    ws.delete_rows(ws.max_row)
    ws["B4"] = "改名后的测试大学"
    ws.append([99, "新加入的检测机构", uscc(99), "检测机构", "一般成员", "是"])
    wb.save(path)
    with db.Session() as s:
        v0 = store.load_draft(s, doc["id"]).version
    n = me.import_members(db, doc["id"], path)
    assert n == len(doc["members"])
    with db.Session() as s:
        draft = store.load_draft(s, doc["id"])
    names = [m["name"] for m in draft.doc["members"]]
    assert names[1] == "改名后的测试大学" and names[-1] == "新加入的检测机构"
    assert doc["members"][-1]["name"] not in names
    assert draft.doc["members"][0]["platforms"] == doc["members"][0]["platforms"]  # kept by USCC
    assert draft.version == v0 + 1

    # a sheet with a problem changes nothing
    ws["F5"] = "不知道"
    wb.save(path)
    with pytest.raises(me.MemberExcelError) as exc:
        me.import_members(db, doc["id"], path)
    assert "第 5 行「本地注册」" in exc.value.problems[0]
    with db.Session() as s:
        assert store.load_draft(s, doc["id"]).version == draft.version
