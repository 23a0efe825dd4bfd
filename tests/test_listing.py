"""alliance_desk.listing on a real SQLite file: list rows, search index, filters, refresh after a save."""
from __future__ import annotations

import copy
import statistics
import time

import pytest

from alliance_desk import store
from alliance_desk import listing
from alliance_desk.listing import Filters, Row, apply_filters, distinct_values
from factory import eligible, member, uscc, variant

REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")


@pytest.fixture
def filled(db):
    """Five eligible applications (one per region) plus variations with known differences."""
    docs = [eligible(r) for r in REGIONS]
    small = variant("jinzhong", "small", name="晋中市小型产业技术创新战略联盟", county="榆次区",
                     industry="特钢材料")
    small["members"] = small["members"][:3]  # too few members: fails the composition rules
    small["members"][1]["name"] = "山西晋华特种钢材股份有限公司"
    small["members"][1]["uscc"] = uscc(777, "jinzhong")
    bad_code = variant("gansu", "bad-uscc", name="甘肃省校验位错误产业技术创新联盟", county="天水市")
    bad_code["members"][2]["uscc"] = uscc(3, "gansu", valid=False)
    store.import_documents(db, [("", d) for d in docs + [small, bad_code]])
    return db, {d["id"]: d for d in docs + [small, bad_code]}, small, bad_code


def test_load_rows_one_row_per_application(filled):
    db, docs, small, _ = filled
    with db.Session() as s:
        rows = listing.load_rows(s)
    assert len(rows) == len(docs) == 7
    assert {r.id for r in rows} == set(docs)
    r = next(r for r in rows if r.id == small["id"])
    assert isinstance(r, Row)
    assert (r.name, r.region, r.region_name, r.call_id, r.county, r.industry) == (
        "晋中市小型产业技术创新战略联盟", "jinzhong", "晋中市", "jinzhong-2023", "榆次区", "特钢材料")
    assert r.lead_name == small["members"][0]["name"]
    assert r.member_count == 3
    assert r.submitted_at == small["submitted_at"]
    assert r.updated_at is not None
    # the cached checklist counts are the store's own evaluation
    with db.Session() as s:
        result = store.check_stored(s, small["id"])
    assert (r.n_fail, r.n_warn, r.n_manual, r.eligible) == (
        result.counts["fail"], result.counts["warn"], result.counts["manual"], result.eligible)
    assert r.n_fail > 0 and not r.eligible
    # newest submission first
    assert [x.submitted_at for x in rows] == sorted((x.submitted_at for x in rows), reverse=True)
    names = {x.region: x.region_name for x in rows}
    assert names == {"jinzhong": "晋中市", "gansu": "甘肃省", "anshan": "鞍山市", "ganzhou": "赣州市",
                     "chongqing": "重庆市"}


def test_application_without_members_lists_and_indexes(db):
    doc = variant("anshan", "empty")
    doc["members"] = []
    store.save_draft(db, doc)
    rows, index = listing.load_all(db)
    assert rows[0].member_count == 0 and rows[0].lead_name == ""
    assert index[doc["id"]] == doc["name"].lower() + "\n"


def test_search_index_holds_names_and_codes_lower_cased(filled):
    db, docs, small, _ = filled
    with db.Session() as s:
        index = listing.load_search_index(s)
    assert set(index) == set(docs)
    entry = index[small["id"]]
    assert entry == entry.lower()
    assert small["name"].lower() in entry
    for m in small["members"]:
        assert m["name"].lower() in entry
        assert m["uscc"].lower() in entry
    # one application only
    with db.Session() as s:
        one = listing.load_search_index(s, [small["id"]])
        assert listing.load_search_index(s, []) == {}
    assert one == {small["id"]: entry}


@pytest.mark.parametrize("filters, expected", [
    (Filters(), 7),
    (Filters(region="jinzhong"), 2),
    (Filters(region="gansu"), 2),
    (Filters(region="nowhere"), 0),
    (Filters(call="anshan-2024"), 1),
    (Filters(county="榆次区"), 1),
    (Filters(county="测试区"), 5),
    (Filters(industry="特钢材料"), 1),
    (Filters(region="jinzhong", industry="新能源汽车"), 1),
    (Filters(status="fail"), 2),
    (Filters(status="eligible"), 5),
    (Filters(region="gansu", status="fail"), 1),
])
def test_filters_by_field(filled, filters, expected):
    db, *_ = filled
    rows, index = listing.load_all(db)
    out = apply_filters(rows, filters, index)
    assert len(out) == expected
    if filters.region:
        assert all(r.region == filters.region for r in out)
    if filters.status == "fail":
        assert all(r.n_fail > 0 for r in out)


def test_status_manual_and_warn(filled):
    db, *_ = filled
    rows, index = listing.load_all(db)
    for status, attr in (("manual", "n_manual"), ("warn", "n_warn")):
        expected = {r.id for r in rows if getattr(r, attr) > 0}
        assert {r.id for r in apply_filters(rows, Filters(status=status), index)} == expected
    with pytest.raises(ValueError):
        apply_filters(rows, Filters(status="maybe"), index)


def test_text_matches_member_names_and_codes(filled):
    db, docs, small, bad_code = filled
    rows, index = listing.load_all(db)

    def ids(text):
        return {r.id for r in apply_filters(rows, Filters(text=text), index)}

    assert ids("晋华特种钢材") == {small["id"]}                       # a member's name
    assert ids(uscc(777, "jinzhong")) == {small["id"]}               # a member's USCC
    assert ids(uscc(777, "jinzhong").lower()) == {small["id"]}       # case does not matter
    assert ids("  晋华特种钢材  ") == {small["id"]}                   # nor surrounding blanks
    assert ids(bad_code["members"][2]["uscc"]) == {bad_code["id"]}
    assert ids("校验位错误") == {bad_code["id"]}                      # the alliance name
    assert ids("测试成员单位01") == set(docs)                          # the lead unit of all of them
    assert ids("晋中市 小型") == {small["id"]}                         # every word must match
    assert ids("晋中市 甘肃") == set()
    assert ids("不存在的单位") == set()
    # names never match across two members (the separator cannot be typed)
    a, b = small["members"][0]["name"], small["members"][1]["name"]
    assert ids(a[-2:] + b[:2]) == set()
    # combined with a field filter
    assert apply_filters(rows, Filters(region="gansu", text="测试成员单位01"), index) == [
        r for r in rows if r.region == "gansu"]


def test_text_without_index_falls_back_to_name_and_lead(filled):
    db, _, small, _ = filled
    rows = listing.load_list(db)
    assert [r.id for r in apply_filters(rows, Filters(text="小型"), {})] == [small["id"]]
    assert apply_filters(rows, Filters(text="晋华特种钢材"), {}) == []  # member names need the index


def test_apply_filters_returns_new_list_in_given_order(filled):
    db, *_ = filled
    rows, index = listing.load_all(db)
    out = apply_filters(rows, Filters(), index)
    assert out == rows and out is not rows
    rev = list(reversed(rows))
    assert apply_filters(rev, Filters(status="eligible"), index) == [r for r in rev if r.n_fail == 0]


def test_refresh_row_and_index_after_save(filled):
    db, _, small, _ = filled
    rows, index = listing.load_all(db)
    before = next(r for r in rows if r.id == small["id"])
    doc = copy.deepcopy(small)
    doc["name"] = "晋中市改名后的产业技术创新战略联盟"
    doc["members"].append(member(42, "jinzhong", name="新加入的晋中精密铸造有限公司"))
    store.save_draft(db, doc)
    with db.Session() as s:
        row = listing.refresh_row(s, small["id"])
        listing.refresh_index(s, index, small["id"])
    assert row.name == doc["name"] and row.member_count == 4
    assert row.updated_at >= before.updated_at
    assert "新加入的晋中精密铸造" in index[small["id"]]
    assert [r.id for r in apply_filters(rows, Filters(text="精密铸造"), index)] == [small["id"]]
    # the convenience taking the Database
    row2, entry = listing.refresh(db, small["id"])
    assert row2 == row and entry == index[small["id"]]
    # after a delete: no row, no index entry
    store.delete_application(db, small["id"])
    assert listing.refresh(db, small["id"]) == (None, None)
    with db.Session() as s:
        assert listing.refresh_row(s, small["id"]) is None
        listing.refresh_index(s, index, small["id"])
    assert small["id"] not in index


def test_distinct_values_for_filter_combos(filled):
    db, *_ = filled
    rows = listing.load_list(db)
    choices = distinct_values(rows)
    assert choices.regions == sorted({(r.region, r.region_name) for r in rows})
    assert choices.calls == sorted({"jinzhong-2023", "gansu-standing", "anshan-2024", "ganzhou-2022",
                                    "chongqing-2022"})
    assert choices.counties == sorted({"测试区", "榆次区", "天水市"})
    assert "特钢材料" in choices.industries and "新能源汽车" in choices.industries
    assert distinct_values([]).regions == []


def test_calls_and_suggestions_for_the_wizard(filled):
    db, *_ = filled
    calls = listing.calls_for_region(db, "jinzhong")
    assert ("jinzhong-2023", "2023年度晋中市产业技术创新战略联盟认定") in calls
    store.add_call(db, "jinzhong", "jinzhong-2025", "2025年度晋中市产业技术创新战略联盟认定", None)
    assert listing.calls_for_region(db, "jinzhong")[0][0] == "jinzhong-2025"
    assert listing.stored_call_names(db)["jinzhong-2025"].startswith("2025年度")
    counties, industries = listing.suggestions_for_region(db, "jinzhong")
    assert counties == sorted(["榆次区", "测试区"])
    assert set(industries) == {"新能源汽车", "特钢材料"}


def test_importing_listing_does_not_import_sqlalchemy():
    """The GUI paints its window before SQLAlchemy is imported; listing must not pull it in."""
    import subprocess
    import sys

    code = "import sys, alliance_desk.listing as l; l.Filters(); print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# ------------------------------------------------------------------ scale

def _demo():
    from alliance_desk import demo

    return demo


def test_bulk_rows_and_index_agree_with_the_documents(db):
    demo = _demo()
    docs = list(demo.bulk_applications(60, members_per_app=12))
    store.import_documents(db, [("", d) for d in docs])
    rows, index = listing.load_all(db)
    assert len(rows) == 60
    by_id = {d["id"]: d for d in docs}
    for r in rows:
        d = by_id[r.id]
        assert r.member_count == len(d["members"])
        assert r.lead_name == next(m["name"] for m in d["members"] if m["role"] == "lead")
        assert all(m["uscc"].lower() in index[r.id] for m in d["members"])
    target = docs[17]["members"][5]
    hits = apply_filters(rows, Filters(text=target["uscc"]), index)
    assert [h.id for h in hits] == [docs[17]["id"]]


def _synthetic(n: int) -> tuple[list[Row], dict[str, str]]:
    """Rows and index exactly as load_rows/load_search_index build them, without a database."""
    demo = _demo()
    rows, index = [], {}
    for d in demo.bulk_applications(n):
        lead = next(m["name"] for m in d["members"] if m["role"] == "lead")
        rows.append(Row(d["id"], d["name"], d["region"], listing.region_name(d["region"]), d.get("call"),
                        d["county"], d["industry"], lead, len(d["members"]), d["submitted_at"], None,
                        0, 0, 0, True, None))
        index[d["id"]] = "\n".join([d["name"]] + [x for m in d["members"] for x in (m["name"], m["uscc"])]).lower()
    return rows, index


def test_text_filter_is_fast_at_5000_applications():
    rows, index = _synthetic(5000)
    needle = rows[4321].id
    code = next(line for line in index[needle].split("\n")[2::2])  # a member's USCC
    times = []
    for text in ("有限公司", code, "研究院 材料", "不存在的单位名称"):
        t0 = time.perf_counter()
        out = apply_filters(rows, Filters(text=text), index)
        times.append(time.perf_counter() - t0)
        if text == code:
            assert needle in {r.id for r in out}
    times += [_timed(lambda: apply_filters(rows, Filters(region="gansu", status="eligible", text="公司"), index))
              for _ in range(5)]
    # the list filters as the clerk types: well under 50 ms (typically a few ms)
    assert statistics.median(times) < 0.05, times


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def test_changes_since_names_what_other_seats_changed(db):
    from datetime import datetime

    from alliance_desk import listing

    docs = [eligible(r) for r in ("gansu", "anshan")]
    store.import_documents(db, [("", d) for d in docs])
    start = listing.changes_since(db, None)
    assert start.head > 0 and start.rows == {} and not start.any
    assert not listing.changes_since(db, start.head).any
    edited = dict(docs[0], name="甘肃省改过名称的产业技术创新联盟")
    store.save_draft(db, edited)
    store.delete_application(db, docs[1]["id"])
    ch = listing.changes_since(db, start.head)
    assert ch.head == start.head + 2 and set(ch.rows) == {docs[0]["id"], docs[1]["id"]}
    row, entry = ch.rows[docs[0]["id"]]
    assert row.name == edited["name"] and entry and ch.versions == {docs[0]["id"]: 2}
    assert ch.rows[docs[1]["id"]] == (None, None)
    # a new call changes the list's choices: reload everything
    store.add_call(db, "gansu", "gansu-2031", "2031年度甘肃省联盟组建", datetime(2031, 5, 31, 17, 0))
    assert listing.changes_since(db, ch.head).rows is None
    # so does a burst larger than the limit
    from alliance_desk.store import audit

    with db.Session() as s:
        assert len(audit.changes_after(s, 0, limit=10)[1]) == 5
        assert audit.changes_after(s, 0, limit=4) == (5, None)
        assert audit.changes_after(s, 9, limit=10) == (5, None)  # the trail went back: a restored backup


def test_region_names_read_from_the_pack_heads_are_the_packs_own():
    from alliance_desk.rules.packs import all_packs

    assert listing.region_names() == {p.id: p.region_name for p in all_packs().values()}
