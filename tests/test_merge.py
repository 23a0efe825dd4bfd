"""Three-way merge of application documents (re-applying a clerk's edits after a save conflict)."""
from __future__ import annotations

import copy

from hypothesis import given, settings
from hypothesis import strategies as st

from alliance_desk.exchange.merge import three_way
from factory import eligible


def test_both_sides_changes_are_kept_and_clashes_named():
    base = eligible("gansu")
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    mine["name"] = "我的名称"
    mine["members"][1]["employees"] = 999
    theirs["county"] = "天水市"
    theirs["members"][1]["employees"] = 111
    theirs["members"][2]["name"] = "对方改的成员名称"
    merged, report = three_way(base, mine, theirs)
    assert merged["name"] == "我的名称" and merged["county"] == "天水市"
    assert merged["members"][1]["employees"] == 999 and merged["members"][2]["name"] == "对方改的成员名称"
    assert report.applied == ["name", "members[1].employees"] and report.overridden == ["members[1].employees"]
    assert set(report.kept) == {"county", "members[2]"}  # the deepest level where only they changed


def test_a_list_whose_length_changed_is_one_unit():
    base = eligible("jinzhong")
    mine, theirs = copy.deepcopy(base), copy.deepcopy(base)
    del theirs["members"][1]                      # the other seat removed a member
    mine["members"][2]["name"] = "按旧序号改的第三家成员"  # index 2 is a different unit in theirs
    merged, report = three_way(base, mine, theirs)
    assert merged["members"] == mine["members"] and report.overridden == ["members"]
    # when only one side touched the list, its version is simply taken
    merged, report = three_way(base, base, theirs)
    assert merged == theirs and report.applied == []


def test_removed_and_added_keys():
    base = {"a": 1, "b": {"x": 1, "y": 2}, "c": None}
    mine = {"a": 1, "b": {"x": 1}, "c": None, "d": "new"}
    theirs = {"a": 2, "b": {"x": 5, "y": 2}, "c": None}
    merged, report = three_way(base, mine, theirs)
    assert merged == {"a": 2, "b": {"x": 5}, "c": None, "d": "new"}
    assert report.applied == ["b.y", "d"] and report.overridden == []


json_values = st.recursive(st.none() | st.booleans() | st.integers(-3, 3) | st.text("ab", max_size=2),
                           lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("xyz"), inner,
                                                                                       max_size=3),
                           max_leaves=8)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from("abc"), json_values, max_size=3),
       st.dictionaries(st.sampled_from("abc"), json_values, max_size=3),
       st.dictionaries(st.sampled_from("abc"), json_values, max_size=3))
def test_merge_laws(base, mine, theirs):
    # nothing of mine changed: theirs; nothing of theirs changed: mine; without clashes, symmetric
    assert three_way(base, base, theirs)[0] == theirs
    assert three_way(base, mine, base)[0] == mine
    merged, report = three_way(base, mine, theirs)
    if not report.overridden:
        assert three_way(base, theirs, mine)[0] == merged
    assert three_way(base, mine, mine)[0] == mine
