"""MemberTableModel as a plain QAbstractTableModel (no window), and pasting into the editor's table."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QIcon, QUndoStack

from alliance_desk import store
from factory import eligible, uscc
from tests.ui.editor_helpers import edit_member_cell
from ui.editor.members import HolderTableModel, MemberTableModel, split_tsv

R = Qt.ItemDataRole


def col(model, key):
    return model.column_of(key)


def cell(model, row, key, role=R.DisplayRole):
    return model.data(model.index(row, col(model, key)), role)


def test_columns_and_values():
    doc = eligible("jinzhong")
    m = MemberTableModel(doc["members"])
    titles = [m.headerData(i, Qt.Orientation.Horizontal) for i in range(m.columnCount())]
    assert titles == ["序号", "单位名称", "统一社会信用代码", "单位类型", "角色", "本地注册", "法定代表人",
                      "所处产业链环节", "研究方向", "职工人数", "研发人员", "研发投入（万元）", "诚信良好"]
    assert m.rowCount() == 12
    assert cell(m, 0, "#") == "1"
    assert cell(m, 0, "kind") == "企业" and cell(m, 1, "kind") == "高校"
    assert cell(m, 0, "role") == "牵头单位" and cell(m, 1, "role") == "核心成员" and cell(m, 7, "role") == "一般成员"
    assert cell(m, 0, "in_region", R.CheckStateRole) == Qt.CheckState.Checked
    assert cell(m, 0, "rd_spend_wan") == "120.5"
    assert cell(m, 0, "uscc", R.BackgroundRole) is None  # a valid code is not marked
    assert m.invalid() == {}


def test_uscc_checked_as_typed():
    doc = eligible("jinzhong")
    m = MemberTableModel(doc["members"])
    bad = uscc(2, "jinzhong", valid=False)
    assert m.setData(m.index(1, col(m, "uscc")), bad.lower() + " ")
    assert doc["members"][1]["uscc"] == bad  # stored compact and upper-case, in the document's own list
    bg = cell(m, 1, "uscc", R.BackgroundRole)
    assert bg is not None and bg.red() > 200 and bg.green() < 220
    assert "校验位错误" in cell(m, 1, "uscc", R.ToolTipRole)
    assert isinstance(cell(m, 1, "uscc", R.DecorationRole), QIcon)
    m.setData(m.index(1, col(m, "uscc")), "91140700MA0K")  # too short
    assert "应为 18 位" in cell(m, 1, "uscc", R.ToolTipRole)
    m.setData(m.index(1, col(m, "uscc")), uscc(2, "jinzhong"))
    assert cell(m, 1, "uscc", R.BackgroundRole) is None and cell(m, 1, "uscc", R.ToolTipRole) is None


def test_invalid_numbers_are_kept_as_raw_text():
    doc = eligible("jinzhong")
    m = MemberTableModel(doc["members"])
    m.setData(m.index(3, col(m, "employees")), "三十")
    m.setData(m.index(3, col(m, "rd_spend_wan")), "-5")
    m.setData(m.index(4, col(m, "rd_staff")), "１２")  # full-width digits are fine
    assert "employees" not in doc["members"][3] and "rd_spend_wan" not in doc["members"][3]
    assert doc["members"][4]["rd_staff"] == 12
    assert m.invalid() == {"members[3].employees": "三十", "members[3].rd_spend_wan": "-5"}
    assert cell(m, 3, "employees") == "三十"  # shown as typed, never dropped
    assert cell(m, 3, "employees", R.BackgroundRole) is not None
    assert "整数" in cell(m, 3, "employees", R.ToolTipRole)
    assert "不能小于 0" in cell(m, 3, "rd_spend_wan", R.ToolTipRole)
    m.setData(m.index(3, col(m, "employees")), "30")
    assert doc["members"][3]["employees"] == 30 and "members[3].employees" not in m.invalid()
    # raw texts follow their rows when rows move
    m.move_row(3, -2)
    assert m.invalid() == {"members[1].rd_spend_wan": "-5"}
    # and come back from a saved draft
    m2 = MemberTableModel(doc["members"], {"members[1].rd_spend_wan": "-5"})
    assert cell(m2, 1, "rd_spend_wan") == "-5" and m2.invalid() == {"members[1].rd_spend_wan": "-5"}


def test_kind_role_and_checkboxes():
    doc = eligible("jinzhong")
    m = MemberTableModel(doc["members"])
    for text, code in (("高校", "university"), ("research_institute", "research_institute"), ("大学", "university"),
                       ("检测机构", "testing")):
        m.setData(m.index(6, col(m, "kind")), text)
        assert doc["members"][6]["kind"] == code
    m.setData(m.index(6, col(m, "role")), "核心成员")
    assert doc["members"][6]["role"] == "core"
    m.setData(m.index(6, col(m, "kind")), "外星机构")  # unknown: kept raw, value unchanged
    assert doc["members"][6]["kind"] == "testing"
    assert m.invalid() == {"members[6].kind": "外星机构"} and "不是可选的单位类型" in cell(m, 6, "kind", R.ToolTipRole)
    m.setData(m.index(6, col(m, "integrity_ok")), Qt.CheckState.Unchecked.value, R.CheckStateRole)
    assert doc["members"][6]["integrity_ok"] is False
    assert Qt.ItemFlag.ItemIsUserCheckable in m.flags(m.index(6, col(m, "integrity_ok")))
    assert Qt.ItemFlag.ItemIsEditable not in m.flags(m.index(6, col(m, "#")))


def test_structural_edits_are_undoable():
    doc = eligible("jinzhong")
    m = MemberTableModel(doc["members"])
    stack = QUndoStack()
    m.undo_stack = stack
    names = [x["name"] for x in doc["members"]]
    m.insert_blank(2)
    assert len(doc["members"]) == 13 and doc["members"][2]["name"] == ""
    m.remove_rows([0, 5])
    m.move_row(0, 1)
    m.setData(m.index(0, col(m, "name")), "改名单位")
    assert stack.count() == 4
    for _ in range(4):
        stack.undo()
    assert [x["name"] for x in doc["members"]] == names
    for _ in range(4):
        stack.redo()
    assert doc["members"][0]["name"] == "改名单位" and len(doc["members"]) == 11


def test_split_tsv_odd_input():
    assert split_tsv("") == []
    assert split_tsv("\n\r\n\t\t\n") == []
    assert split_tsv('a\t"b\nc"\td\r\ne\tf') == [["a", "b\nc", "d"], ["e", "f"]]
    assert split_tsv("x\x00y\t\"unclosed") == [["xy", "unclosed"]]


def test_paste_parsing():
    doc = eligible("jinzhong", n_members=6)
    m = MemberTableModel(doc["members"])
    good = uscc(30, "jinzhong")
    bad = uscc(31, "jinzhong", valid=False)
    text = ("单位名称\t统一社会信用代码\t单位类型\t角色\t本地注册\t法定代表人\t所处产业链环节\t研究方向\t职工人数\t研发人员\t研发投入（万元）\t诚信良好\r\n"
            f"甲公司\t{good}\t企业\t核心成员\t是\t张三\t上游\t电池\t120\t30\t55.5\t是\r\n"
            "\r\n"
            f"乙大学\t{bad}\tuniversity\tmember\t否\t李四\t\t\t三十\r\n"  # missing trailing columns
            f"丙研究院\t{good}\t研究所\tcore\t√\t\t\t\t\t\t\t\t多余1\t多余2\r\n")  # extra columns
    assert m.paste_text(text, at=1) == 3
    rows = doc["members"]
    assert [r["name"] for r in rows[1:4]] == ["甲公司", "乙大学", "丙研究院"]
    a, b, c = rows[1:4]
    assert a == {"name": "甲公司", "uscc": good, "kind": "enterprise", "role": "core", "in_region": True,
                 "legal_rep": "张三", "chain_segment": "上游", "research_direction": "电池", "employees": 120,
                 "rd_staff": 30, "rd_spend_wan": 55.5, "integrity_ok": True}
    assert b["kind"] == "university" and b["role"] == "member" and b["in_region"] is False
    assert "employees" not in b and m.invalid() == {"members[2].employees": "三十"}
    assert cell(m, 2, "uscc", R.BackgroundRole) is not None
    assert c["kind"] == "research_institute" and c["role"] == "core" and c["in_region"] is True
    assert "integrity_ok" not in c  # empty cell: left unset


def test_paste_without_header_and_with_serial_numbers():
    m = MemberTableModel([])
    text = f"1\t甲公司\t{uscc(1)}\n2\t乙公司\t{uscc(2)}\t高校\n"
    assert m.paste_text(text) == 2
    assert [(r["name"], r["uscc"], r["kind"]) for r in m.rows()] == [
        ("甲公司", uscc(1), "enterprise"), ("乙公司", uscc(2), "university")]
    m2 = MemberTableModel([])
    assert m2.paste_text(f"甲公司\t{uscc(1)}\n乙公司") == 2
    assert m2.rows()[1] == {"name": "乙公司", "uscc": "", "kind": "enterprise", "role": "member", "in_region": False}
    assert "未填写" in cell(m2, 1, "uscc", R.ToolTipRole)


@pytest.mark.parametrize("junk", ["", "\t\t\t", "\n\n", "a", "\"", "\t\"\"\"\t\n\r\r", "=SUM(A1)\t+1\t-2\t@x",
                                  "x" * 5000, "\x00\x01\x02", "名称\n" * 3, "单位名称\t统一社会信用代码\n"])
def test_paste_never_crashes(junk):
    m = MemberTableModel([])
    n = m.paste_text(junk)
    assert n == m.rowCount()
    for r in range(m.rowCount()):
        for c in range(m.columnCount()):
            for role in (R.DisplayRole, R.ToolTipRole, R.BackgroundRole, R.DecorationRole, R.EditRole):
                m.data(m.index(r, c), role)


def test_holder_model():
    doc = eligible("gansu")
    council = HolderTableModel("council", doc["organization"]["council"])
    assert council.data(council.index(0, council.column_of("role"))) == "理事长"
    experts = HolderTableModel("expert_committee", doc["organization"]["expert_committee"])
    assert experts.data(experts.index(0, experts.column_of("role"))) == "主任委员"
    council.insert_blank()
    assert doc["organization"]["council"][-1] == {"name": "", "unit": "", "role": "director"}
    assert "必填" in council.data(council.index(7, council.column_of("name")), R.ToolTipRole)
    council.setData(council.index(7, council.column_of("role")), "副秘书长")
    assert doc["organization"]["council"][-1]["role"] == "deputy_secretary_general"


# ---------------------------------------------------------------- pasting into the editor (real DB)

def _block(n: int, bad_rows: set[int], short_row: int) -> str:
    lines = ["序号\t单位名称\t统一社会信用代码\t单位类型\t角色\t本地注册\t法定代表人\t所处产业链环节\t研究方向\t职工人数\t研发人员\t研发投入（万元）\t诚信良好"]
    for i in range(n):
        code = uscc(100 + i, "jinzhong", valid=i not in bad_rows)
        cells = [str(i + 1), f"粘贴成员单位{i + 1:02d}有限公司", code, "企业", "一般成员", "是", f"法人{i}", "中游",
                 "新能源", str(50 + i), str(10 + i), "12.5", "是"]
        if i == short_row:
            cells = cells[:4]  # missing its last columns
        lines.append("\t".join(cells))
    return "\r\n".join(lines) + "\r\n"


def test_paste_40_rows_into_editor(qtbot, db):
    from ui.checklist import ChecklistPanel
    from ui.editor import ApplicationEditor

    doc = eligible("jinzhong", n_members=6)
    store.import_documents(db, [("", doc)])
    editor = ApplicationEditor(db, doc["id"], user="张三")
    qtbot.addWidget(editor)
    panel = ChecklistPanel()
    qtbot.addWidget(panel)
    editor.attach_checklist(panel)
    editor.show()
    editor.focus_field("members[5].name")
    bad_rows, short_row = {3, 17, 38}, 25
    QGuiApplication.clipboard().setText(_block(40, bad_rows, short_row))
    view = editor.members_panel.view
    qtbot.keyClick(view, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)  # Ctrl+V on the table
    model = editor.member_model
    assert model.rowCount() == 46
    assert editor.undo_stack.count() == 1
    with qtbot.waitSignal(editor.saved, timeout=3000):
        pass
    with db.Session() as s:
        stored = store.load_draft(s, doc["id"]).doc["members"]
    assert len(stored) == 46
    pasted = stored[6:]
    assert [x["name"] for x in pasted] == [f"粘贴成员单位{i + 1:02d}有限公司" for i in range(40)]
    assert pasted[0]["employees"] == 50 and pasted[0]["in_region"] is True and pasted[0]["integrity_ok"] is True
    assert pasted[short_row]["kind"] == "enterprise" and "employees" not in pasted[short_row] \
        and "legal_rep" not in pasted[short_row]
    for i in bad_rows:
        idx = model.index(6 + i, model.column_of("uscc"))
        assert model.data(idx, R.BackgroundRole) is not None
        assert "校验位错误" in model.data(idx, R.ToolTipRole)
    item = next(i for i in panel.result().items if i.rule == "JZ-USCC")
    assert item.status == "fail" and item.field == "members[9].uscc"
    assert panel.verdict_text() == "不符合条件"

    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # one undo removes the whole paste
    assert model.rowCount() == 6
    with qtbot.waitSignal(editor.saved, timeout=3000):
        pass
    with db.Session() as s:
        assert len(store.load_draft(s, doc["id"]).doc["members"]) == 6
    assert next(i for i in panel.result().items if i.rule == "JZ-USCC").status == "pass"


def test_uscc_cell_checked_while_typing(qtbot, db):
    from ui.editor import ApplicationEditor

    doc = eligible("jinzhong")
    store.import_documents(db, [("", doc)])
    editor = ApplicationEditor(db, doc["id"], user="张三")
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitExposed(editor)
    idx, cell_editor = edit_member_cell(editor, 2, "uscc")
    view, model = editor.members_panel.view, editor.member_model
    qtbot.keyClicks(cell_editor, "9114070000000000")
    assert cell_editor.property("invalid") is True and "应为 18 位" in cell_editor.toolTip()
    qtbot.keyClicks(cell_editor, "2X")
    assert "校验位错误" in cell_editor.toolTip()
    qtbot.keyClick(cell_editor, Qt.Key.Key_Return)  # the view commits on the next event loop turn
    qtbot.waitUntil(lambda: editor.doc()["members"][2]["uscc"] == "91140700000000002X", timeout=1000)
    assert model.data(idx, R.BackgroundRole) is not None
    # the cell edit is one undo step, and Ctrl+Z on the table undoes it
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.doc()["members"][2]["uscc"] == doc["members"][2]["uscc"]
    assert model.data(idx, R.BackgroundRole) is None
