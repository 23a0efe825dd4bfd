"""ApplicationListModel without a window: rows, roles, filters, sorting, refresh after a save."""
from __future__ import annotations

import copy
import dataclasses

import pytest
from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush

from alliance_desk import store
from alliance_desk import listing
from alliance_desk.listing import Filters
from factory import eligible, uscc, variant
from ui.list_model import (AppIdRole, COL_CALL, COL_FAIL, COL_MEMBERS, COL_NAME, COL_REGION, COL_SUBMITTED,
                           COL_VERDICT, ELIGIBLE_FG, HEADERS, INELIGIBLE_FG, RowRole, ApplicationListModel)

REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")


@pytest.fixture(autouse=True)
def _qapp(qapp):
    return qapp


@pytest.fixture
def data(db):
    docs = [eligible(r) for r in REGIONS]
    broken = variant("ganzhou", "broken", name="赣州市缺成员产业科技创新联合体", county="于都县",
                      industry="纺织服装产业")
    broken["members"] = broken["members"][:2]
    broken["members"][1]["name"] = "于都县华贡纺织服装股份有限公司"
    broken["members"][1]["uscc"] = uscc(31, "ganzhou", valid=False)  # a typo: fails GZ-USCC
    store.import_documents(db, [("", d) for d in docs + [broken]])
    rows, index = listing.load_all(db)
    model = ApplicationListModel(db)
    model.set_call_names(listing.stored_call_names(db))
    model.set_rows(rows, index)
    return db, model, docs, broken


def _ids(model) -> set[str]:
    return {model.data(model.index(r, 0), AppIdRole) for r in range(model.rowCount())}


def test_shape_headers_and_display(data):
    db, model, docs, broken = data
    assert model.rowCount() == 6 and model.columnCount() == 12
    assert model.rowCount(model.index(0, 0)) == 0  # a table, not a tree
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(12)] == list(HEADERS) == [
        "联盟名称", "地区", "申报批次", "县区/推荐单位", "产业领域", "牵头单位", "成员数", "提交时间", "不符合", "提示",
        "待确认", "结论"]
    r = model.row_of(broken["id"])
    values = [model.data(model.index(r, c)) for c in range(12)]
    row = model.row_at(r)
    assert values[:8] == ["赣州市缺成员产业科技创新联合体", "赣州市", "2022年赣州市产业科技创新联合体备案", "于都县",
                          "纺织服装产业", broken["members"][0]["name"], 2, broken["submitted_at"].replace("T", " ")]
    assert values[8:11] == [row.n_fail, row.n_warn, row.n_manual] and row.n_fail > 0
    assert values[11] == "不符合条件"
    assert model.data(model.index(r, 0), RowRole) is row
    assert model.data(model.index(r, 0), AppIdRole) == broken["id"]
    assert model.data(QModelIndex()) is None
    assert model.flags(model.index(r, 0)) & Qt.ItemFlag.ItemIsSelectable
    assert not model.flags(model.index(r, 0)) & Qt.ItemFlag.ItemIsEditable


def test_roles_colour_and_alignment(data):
    _, model, docs, broken = data
    bad, good = model.row_of(broken["id"]), model.row_of(docs[0]["id"])
    fg = Qt.ItemDataRole.ForegroundRole
    assert model.data(model.index(good, COL_VERDICT)) == "符合条件"
    assert model.data(model.index(good, COL_VERDICT), fg).color() == ELIGIBLE_FG
    assert model.data(model.index(bad, COL_VERDICT), fg).color() == INELIGIBLE_FG
    assert isinstance(model.data(model.index(bad, COL_VERDICT), Qt.ItemDataRole.BackgroundRole), QBrush)
    assert model.data(model.index(bad, COL_FAIL), fg).color() == INELIGIBLE_FG
    assert model.data(model.index(good, COL_FAIL), fg) is None
    align = Qt.ItemDataRole.TextAlignmentRole
    assert model.data(model.index(good, COL_MEMBERS), align) & int(Qt.AlignmentFlag.AlignRight)
    assert model.data(model.index(good, COL_NAME), align) is None
    tip = model.data(model.index(bad, COL_VERDICT), Qt.ItemDataRole.ToolTipRole)
    assert tip.startswith("不符合 ") and "待确认" in tip
    # the call's name for the clerk, never its id
    assert model.data(model.index(bad, COL_CALL), Qt.ItemDataRole.ToolTipRole) == "2022年赣州市产业科技创新联合体备案"


@pytest.mark.parametrize("filters, expected", [
    (Filters(region="ganzhou"), 2),
    (Filters(call="chongqing-2022"), 1),
    (Filters(county="于都县"), 1),
    (Filters(industry="纺织服装产业"), 1),
    (Filters(status="fail"), 1),
    (Filters(status="eligible"), 5),
    (Filters(region="ganzhou", status="eligible"), 1),
    (Filters(text="华贡纺织"), 1),                 # a member's name
    (Filters(text=uscc(31, "ganzhou", valid=False).lower()), 1),  # a member's USCC, any case
    (Filters(text="测试成员单位01"), 6),            # the lead unit of every application
    (Filters(text="没有这个单位"), 0),
])
def test_filters(data, filters, expected):
    _, model, docs, broken = data
    counts = []
    model.countsChanged.connect(lambda *c: counts.append(c))
    model.set_filters(filters)
    assert model.rowCount() == expected
    assert counts[-1] == (6, expected, sum(1 for r in model.shown_rows if r.n_fail))
    if expected == 1 and filters.region is None and filters.status != "fail" and not filters.call:
        assert _ids(model) == {broken["id"]}
    assert model.filters() == filters
    model.set_filters(Filters())
    assert model.rowCount() == 6


def test_text_filter_waits_for_the_index(data):
    db, _, _, broken = data
    model = ApplicationListModel(db)
    model.set_rows(listing.load_list(db))           # rows first, as the window does
    model.set_filters(Filters(text="华贡纺织"))
    assert model.rowCount() == 0                     # member names need the index
    model.set_search_index(listing.load_index(db))
    assert _ids(model) == {broken["id"]}


def _rows_with_fails(model, fails: list[int]):
    base = model.all_rows[0]
    rows = [dataclasses.replace(base, id=f"id-{n}", name=f"联盟{n}", n_fail=n, eligible=n == 0) for n in fails]
    model.set_rows(rows, {})
    return rows


def test_sort_by_fail_count_is_numeric(data):
    _, model, *_ = data
    _rows_with_fails(model, [2, 10, 0, 1, 30, 3])
    model.sort(COL_FAIL, Qt.SortOrder.AscendingOrder)
    assert [model.data(model.index(r, COL_FAIL)) for r in range(6)] == [0, 1, 2, 3, 10, 30]
    model.sort(COL_FAIL, Qt.SortOrder.DescendingOrder)
    assert [model.data(model.index(r, COL_FAIL)) for r in range(6)] == [30, 10, 3, 2, 1, 0]
    # the order survives filtering and a reload of the rows
    model.set_filters(Filters(status="fail"))
    assert [model.row_at(r).n_fail for r in range(model.rowCount())] == [30, 10, 3, 2, 1]
    model.set_rows(list(reversed(model.all_rows)))
    assert [model.row_at(r).n_fail for r in range(model.rowCount())] == [30, 10, 3, 2, 1]
    assert model.sort_column() == (COL_FAIL, Qt.SortOrder.DescendingOrder)


def test_sort_every_column(data):
    _, model, *_ = data
    for col in range(12):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(col, order)
            assert model.rowCount() == 6
    model.sort(COL_MEMBERS, Qt.SortOrder.AscendingOrder)
    counts = [model.data(model.index(r, COL_MEMBERS)) for r in range(6)]
    assert counts == sorted(counts) and counts[0] == 2
    model.sort(COL_SUBMITTED, Qt.SortOrder.DescendingOrder)
    times = [model.data(model.index(r, COL_SUBMITTED)) for r in range(6)]
    assert times == sorted(times, reverse=True)
    model.sort(COL_REGION, Qt.SortOrder.AscendingOrder)  # Chinese collation: by pinyin
    regions = [model.data(model.index(r, COL_REGION)) for r in range(6)]
    assert regions == ["鞍山市", "重庆市", "甘肃省", "赣州市", "赣州市", "晋中市"]
    model.sort(COL_VERDICT, Qt.SortOrder.AscendingOrder)
    assert model.data(model.index(0, COL_VERDICT)) == "不符合条件"


def test_sort_keeps_persistent_indexes_on_their_rows(data):
    _, model, docs, _ = data
    target = docs[2]["id"]
    pidx = QPersistentModelIndex(model.index(model.row_of(target), 3))
    model.sort(COL_NAME, Qt.SortOrder.DescendingOrder)
    assert model.data(model.index(pidx.row(), 0), AppIdRole) == target and pidx.column() == 3


def test_refresh_application_after_save(data):
    db, model, docs, broken = data
    model.set_filters(Filters(region="ganzhou"))
    doc = copy.deepcopy(broken)
    doc["name"] = "赣州市补齐成员后的产业科技创新联合体"
    doc["members"] = eligible("ganzhou")["members"] + [dict(doc["members"][1])]
    store.save_draft(db, doc)
    changed = []
    model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    row = model.refresh_application(broken["id"])
    assert row.name == doc["name"] and row.member_count == len(doc["members"])
    r = model.row_of(broken["id"])
    assert model.data(model.index(r, 0)) == doc["name"]
    assert changed == [(r, r)]                      # updated in place: the selection survives
    model.set_filters(Filters(text="补齐成员"))     # the index entry was refreshed too
    assert _ids(model) == {broken["id"]}

    # a new application appears, a deleted one disappears
    extra = variant("jinzhong", "new", name="晋中市新建的产业技术创新战略联盟")
    store.save_draft(db, extra)
    model.set_filters(Filters())
    model.refresh_application(extra["id"])
    assert model.rowCount() == 7 and model.find(extra["id"]) is not None
    store.delete_application(db, extra["id"])
    assert model.refresh_application(extra["id"]) is None
    assert model.rowCount() == 6 and model.row_of(extra["id"]) == -1
    assert ApplicationListModel().refresh_application(extra["id"]) is None  # no database: no-op


def test_a_text_search_follows_rows_the_index_cannot_search_as_they_come_and_go(data):
    """The rows the search index has no entry for are worked out once, not at each keystroke: a row
    added or given an entry afterwards must still be found by its own name, then by its members."""
    db, model, docs, broken = data
    model.set_filters(Filters(text="晋中市后来"))           # a search before the row exists
    assert model.rowCount() == 0
    base = model.find(docs[0]["id"])
    late = dataclasses.replace(base, id="late-1", name="晋中市后来加入的产业技术创新战略联盟")
    model.apply_row("late-1", late)                         # no index entry yet
    assert _ids(model) == {"late-1"}                        # found by its name
    model.set_filters(Filters(text="后来成员单位"))
    assert model.rowCount() == 0
    model.apply_row("late-1", late, "晋中市后来加入的产业技术创新战略联盟\n后来成员单位有限公司\n91140700x")
    assert _ids(model) == {"late-1"}                        # now by a member, from its entry
    model.apply_row("late-1", None)
    assert model.rowCount() == 0
    model.set_filters(Filters(text="华贡纺织"))             # the built index still searches the others
    assert _ids(model) == {broken["id"]}
