"""Which Word form a region prints comes from its pack: `[exports] application_form` names a printed
form's layout, `[exports] office_form_fields` adds to the office template's basics; no region id in
the layout code decides it."""
from __future__ import annotations

from alliance_desk.forms import layouts
from alliance_desk.rules.packs import all_packs, get_pack


def _paths(lay) -> set[str]:
    return {f.path for f in lay.pair_fields()}


def test_the_pack_names_the_printed_form_and_the_rest_get_the_office_template():
    for region in all_packs():
        form = get_pack(region).raw.get("exports", {}).get("application_form", "")
        lay = layouts.layout_for(region)
        assert lay.region == region
        if form:
            assert lay.title == layouts.FORM_LAYOUTS[form]().title
        else:
            assert lay.title.endswith("申请表") and get_pack(region).region_name in lay.title
    assert layouts.layout_for("chongqing").title == "重庆市产业技术创新联盟申报表"
    assert layouts.layout_for("ganzhou").title == "赣州市产业科技创新联合体组建申请表"


def test_office_form_fields_from_the_pack_join_the_basics():
    assert get_pack("anshan").raw["exports"]["office_form_fields"] == ["provincial_recognized"]
    assert "provincial_recognized" in _paths(layouts.layout_for("anshan"))
    assert "provincial_recognized" not in _paths(layouts.layout_for("jinzhong"))
    assert "provincial_recognized" not in _paths(layouts.layout_for("gansu"))
