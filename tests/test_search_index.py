"""alliance_desk.search_index: the compact index finds exactly what the plain per-entry scan finds,
reads every entry back unchanged, and follows edits and deletes."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_desk import listing
from alliance_desk.listing import Filters, Row, apply_filters
from alliance_desk.search_index import SearchIndex
from alliance_desk import store
from factory import eligible

# small alphabets, so that words hit often, across parts and across applications
_NAME = st.text(alphabet="有限公司大学研究院材料ab1", max_size=6)
_CODE = st.text(alphabet="9123abcy有", max_size=6)
_WORD = st.text(alphabet="有限公司大学研究院材料ab19y", min_size=1, max_size=3)


@st.composite
def _entries(draw) -> dict[str, str]:
    out = {}
    for i in range(draw(st.integers(0, 12))):
        name = draw(_NAME)
        kind = draw(st.sampled_from(["members", "members", "none", "bare"]))
        if kind == "bare":  # no separator at all
            out[f"a{i}"] = name
            continue
        parts = [x for _ in range(draw(st.integers(0, 4))) for x in (draw(_NAME), draw(_CODE))]
        if kind == "members" and parts and draw(st.booleans()):
            parts.pop()  # an odd number of parts (a name holding a line break shifts them)
        out[f"a{i}"] = "\n".join([name] + parts) if parts else name + "\n"
    return out


def _rows(ids) -> list[Row]:
    return [Row(i, f"联盟{i}", "gansu", "甘肃省", None, "", "", f"牵头{i}", 0, "", None, 0, 0, 0, True, None)
            for i in ids]


@settings(max_examples=300, deadline=None)
@given(_entries(), st.lists(_WORD, min_size=1, max_size=2), st.data())
def test_same_matches_as_the_plain_scan(entries, words, data):
    index = SearchIndex(entries.items())
    assert dict(index) == entries
    plain = dict(entries)
    # edits after the build: replaced, deleted and new entries, and rows without any entry
    for app_id in data.draw(st.lists(st.sampled_from(sorted(entries)), max_size=3, unique=True)) if entries else []:
        change = data.draw(st.sampled_from(["delete", "replace", "empty"]))
        if change == "delete":
            del index[app_id], plain[app_id]
        elif change == "empty":  # searched by the row's own name and lead unit from then on
            index[app_id] = plain[app_id] = ""
        else:
            index[app_id] = plain[app_id] = data.draw(_NAME) + "\n" + data.draw(_CODE)
    index["new"] = plain["new"] = "新的\n有限a\n91a"
    assert dict(index) == plain and len(index) == len(plain)
    rows = _rows(list(entries) + ["new", "unindexed"])
    text = " ".join(words)
    assert apply_filters(rows, Filters(text=text), index) == apply_filters(rows, Filters(text=text), plain)


def test_an_entry_emptied_after_the_build_is_searched_by_the_rows_name_and_lead():
    index = SearchIndex([("a0", "甲联盟\n乙公司\n91a"), ("a1", "丙联盟\n丁公司\n91b")])
    rows = _rows(["a0", "a1", "unindexed"])
    assert apply_filters(rows, Filters(text="乙公司"), index) == rows[:1]
    index["a0"] = ""
    assert apply_filters(rows, Filters(text="乙公司"), index) == []
    assert apply_filters(rows, Filters(text="牵头a0"), index) == rows[:1]  # its lead unit, from the row
    assert apply_filters(rows, Filters(text="牵头"), index) == [rows[0], rows[2]]
    assert apply_filters(rows, Filters(text="丁公司"), index) == rows[1:2]


def test_rebuilt_after_many_edits():
    index = SearchIndex((f"a{i}", f"联盟{i}\n成员{i}\n91{i:04d}") for i in range(10))
    for i in range(2500):
        index[f"b{i}"] = f"新联盟{i}\n新成员\n92{i:04d}"
    assert index.ids_matching("920042") == {"b42"}
    assert index._overlay == {} and len(index) == 2510
    assert index["a3"] == "联盟3\n成员3\n910003" and "a3" in index and "zz" not in index


def test_stored_entries_read_back_and_search_as_before(db):
    docs = [eligible(r) for r in ("jinzhong", "gansu", "anshan")]
    store.import_documents(db, [("", d) for d in docs])
    rows, index = listing.load_all(db)
    assert isinstance(index, SearchIndex)
    plain = dict(index)
    for d in docs:
        assert plain[d["id"]].startswith(d["name"].lower() + "\n")
    code = docs[1]["members"][2]["uscc"].lower()
    words = [code, code[4:9], docs[0]["members"][3]["name"][:3], "有限公司", "不存在"]
    for w in words:
        assert apply_filters(rows, Filters(text=w), index) == apply_filters(rows, Filters(text=w), plain)
    assert [r.id for r in apply_filters(rows, Filters(text=code), index)] == [docs[1]["id"]]


def test_small_blocks_and_dense_hits_find_the_same(monkeypatch):
    """Many blocks and the switch to one-by-one tests (normally 4,096 applications, 256 hits)."""
    import random

    from alliance_desk import search_index

    monkeypatch.setattr(search_index, "_BLOCK", 5)
    monkeypatch.setattr(search_index, "_DENSE", 2)
    rnd = random.Random(3)
    pick = lambda alphabet, n: "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, n)))  # noqa: E731
    entries = {f"a{i}": "\n".join([pick("有限公司ab1", 5)] + [x for _ in range(rnd.randint(0, 4))
                                                           for x in (pick("大学材料ab1", 5), pick("9123ab有", 6))])
               for i in range(60)}
    index = SearchIndex(entries.items())
    assert dict(index) == entries and len(index._blocks) == 12
    rows = _rows(entries)
    for word in ["1", "a", "ab", "91", "有", "有限", "大学", "b1", "材料a", "3a"]:
        expected = apply_filters(rows, Filters(text=word), entries)
        assert apply_filters(rows, Filters(text=word), index) == expected
