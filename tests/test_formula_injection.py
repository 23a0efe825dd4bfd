"""Exports are safe to open and to publish: every Excel workbook the app writes keeps user text that
looks like a formula (= + - @ tab CR, error literals) as plain text — no <f> element in any sheet's
XML except the score sheet's own 总分 sums — and publicity notices and upward summaries mask
personal mobile and identity numbers unless the office asks for them."""
from __future__ import annotations

import copy
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from alliance_desk import store
from alliance_desk.exchange import member_excel
from alliance_desk.exchange import safety
from alliance_desk import review as rv
from alliance_desk.review import score_sheets as ss
from alliance_desk.exports.forms import write_application_forms
from alliance_desk.exports.ganzhou_tables import write_member_tables
from alliance_desk.exports.notice import build_notice
from alliance_desk.exports.recommendation import write_recommendation_table
from factory import eligible

LINK = '=HYPERLINK("http://x","点我")'
HOSTILE = [LINK, "+86 138 1234 5678", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=2+2", "=cmd|' /C calc'!A0", "#N/A"]
OWN_SUM = re.compile(r"^SUM\([A-Z]+\d+:[A-Z]+\d+\)$")
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


def hostile_doc(region: str, n: int = 0) -> dict:
    doc = eligible(region)
    doc["name"] = LINK + f"联盟{n}"
    doc["industry"] = HOSTILE[1]
    doc["goals"] = HOSTILE[3]
    doc["research_directions"] = [HOSTILE[2], HOSTILE[6]]
    doc["contact"] = {"name": HOSTILE[4], "phone": HOSTILE[1], "mobile": "13812345678"}
    doc["cooperation_results"] = HOSTILE[7]
    doc["recommendation"] = {"recommended": True, "opinion": HOSTILE[6], "by": HOSTILE[0]}
    for i, m in enumerate(doc["members"]):
        m["name"] = HOSTILE[i % len(HOSTILE)] + f"有限公司{i}"
        m["legal_rep"] = HOSTILE[(i + 1) % len(HOSTILE)]
        m["chain_segment"] = HOSTILE[(i + 2) % len(HOSTILE)]
        m["research_direction"] = HOSTILE[(i + 3) % len(HOSTILE)]
    for body in ("council", "expert_committee"):
        for j, h in enumerate(doc["organization"][body]):
            h["name"] = HOSTILE[j % len(HOSTILE)]
            h["unit"] = HOSTILE[(j + 5) % len(HOSTILE)]
            h["phone"] = HOSTILE[1]
    return doc


def formulas(path: Path) -> list[tuple[str, str]]:
    """Every <f> element of every worksheet: (part, formula text)."""
    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name)
                for m in re.finditer(rb"<(?:\w+:)?f(?:\s[^>]*)?>(.*?)</(?:\w+:)?f>|<(?:\w+:)?f(?:\s[^>]*)?/>", xml, re.S):
                    found.append((name, (m.group(1) or b"").decode("utf-8")))
                assert len(FORMULA.findall(xml)) == sum(1 for n, _ in found if n == name)
    return found


def texts(path: Path, own_sums: bool = False) -> set[str]:
    wb = load_workbook(path)
    out = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str):
                    if own_sums and c.data_type == "f" and OWN_SUM.match(c.value[1:]):
                        continue
                    assert c.data_type == "s", (ws.title, c.coordinate, c.value)
                    out.add(c.value)
                    if c.value[:1] in "=+-@\t\r" or c.value in ("#N/A",):
                        assert c.quotePrefix, (ws.title, c.coordinate, c.value)   # stays text when edited
    return out


def assert_safe(path: Path, expected: list[str], own_sums: bool = False) -> None:
    found = formulas(path)
    if own_sums:
        assert found and all(OWN_SUM.match(f) for _, f in found), found
    else:
        assert found == [], found
    values = texts(path, own_sums)
    for text in expected:
        assert any(text in v for v in values), (path.name, text)


def test_office_exports_write_formula_like_text_as_text(tmp_path):
    cq = [hostile_doc("chongqing", i) for i in range(3)]
    jz = [hostile_doc("jinzhong", i) for i in range(2)]
    gz = [hostile_doc("ganzhou", i) for i in range(2)]
    out = tmp_path / "cq.xlsx"
    write_recommendation_table(cq, "chongqing", out, recommender=LINK, contact="@联系人", phone="+8613800000000")
    assert_safe(out, [LINK, "@SUM(A1:A2)", "-2+3"])
    out = tmp_path / "jz.xlsx"
    write_recommendation_table(jz, "jinzhong", out, recommender=LINK, contact="=1", phone="-1")
    assert_safe(out, [LINK, "=cmd|' /C calc'!A0"])
    out = tmp_path / "gz-members.xlsx"
    write_member_tables(gz, out)
    assert_safe(out, [LINK, "#N/A", "@SUM(A1:A2)"])
    for region, docs in (("ganzhou", gz), ("chongqing", cq)):
        out = tmp_path / f"{region}-form.xlsx"
        write_application_forms(docs, region, out, "xlsx")
        assert_safe(out, [LINK])
    out = tmp_path / "members.xlsx"
    member_excel.write_members(gz[0]["members"], out, title=LINK)
    assert_safe(out, [LINK, "-2+3", "@SUM(A1:A2)", "\t=1+1", "#N/A"])
    back = member_excel.read_members(out)                   # and it reads back as the same text
    assert [m["name"] for m in back.members] == [m["name"].strip() for m in gz[0]["members"]]


def test_review_workbooks_write_formula_like_text_as_text(db, tmp_path):
    from test_review import build, ganzhou_app

    sc = build(db)
    for i, key in enumerate("ABC", 1):
        doc = ganzhou_app(key, i)
        doc["name"] = f"{HOSTILE[i]}联合体{key}"
        store.import_documents(db, [("", doc)])
    for i, eid in enumerate(sc.experts.values()):
        rv.update_expert(db, eid, name=HOSTILE[i % len(HOSTILE)] + f"专家{i}", unit=LINK)
    paths = ss.write_sheets(db, sc.round_id, tmp_path / "sheets")
    for p in paths:
        assert_safe(p, [LINK], own_sums=True)               # 总分 is the sheet's own SUM, nothing else
    summary = ss.write_summary(db, sc.round_id, tmp_path / "summary.xlsx")
    assert_safe(summary, [HOSTILE[1] + "联合体A"])
    rv.add_expert(db, "@王某", LINK, field="稀土材料")
    rv.add_expert(db, "=李某", "-某单位", field="稀土材料")
    draw = rv.draw_experts(db, sc.round_id, 1, 1, seed=7, by=LINK)
    record = ss.write_draw_record(db, draw.id, tmp_path / "draw.xlsx")
    assert_safe(record, [LINK])


# ------------------------------------------------------------------ personal data

def test_upward_summary_masks_personal_numbers_unless_asked(tmp_path):
    doc = eligible("chongqing")
    doc["contact"] = {"name": "张三", "mobile": "13812345678"}
    doc["goals"] = "联系人李四，身份证号 11010119900307123X，手机 +86 139 8765 4321"
    out = tmp_path / "masked.xlsx"
    write_recommendation_table([doc], "chongqing", out)
    values = " ".join(v for v in texts(out))
    assert "138****5678" in values and "13812345678" not in values
    assert "110101********123X" in values and "11010119900307123X" not in values
    assert "+86 139 **** 4321" in values and "8765" not in values
    out = tmp_path / "full.xlsx"
    write_recommendation_table([doc], "chongqing", out, include_personal=True)
    values = " ".join(v for v in texts(out))
    assert "13812345678" in values and "11010119900307123X" in values


def test_publicity_notice_masks_personal_numbers_unless_asked():
    doc = eligible("gansu")
    doc["name"] = "甘肃省联系电话13812345678的产业技术创新联盟"
    doc["members"][0]["name"] = "法人身份证11010119900307123X有限公司"
    kwargs = dict(days=5, unit="calendar")
    masked = build_notice([doc], "gansu", date(2024, 5, 6), None, **kwargs)
    text = "\n".join(p.text for p in masked.paragraphs)
    assert "138****5678" in text and "13812345678" not in text and "110101********123X" in text
    full = build_notice([doc], "gansu", date(2024, 5, 6), None, include_personal=True, **kwargs)
    text = "\n".join(p.text for p in full.paragraphs)
    assert "13812345678" in text and "11010119900307123X" in text


@pytest.mark.parametrize("text,masked", [
    ("13812345678", "138****5678"), ("138-1234-5678", "138-****-5678"), ("+8613812345678", "+86138****5678"),
    ("电话 023-63212345", "电话 023-63212345"),                 # a landline is the office's, not personal
    ("12345678901", "12345678901"),                           # not a mobile (second digit 2)
    ("138123456789", "138123456789"),                         # 12 digits: not a mobile number
    ("91500000MA5U7XXXXX", "91500000MA5U7XXXXX"),             # a USCC is not an identity number
    ("身份证 11010119900307123X 号", "身份证 110101********123X 号"),
])
def test_mask_personal(text, masked):
    assert safety.mask_personal(text) == masked
    assert safety.mask_personal(None) is None and safety.mask_personal(5) == 5


def test_masking_never_changes_the_stored_document(tmp_path):
    doc = eligible("chongqing")
    doc["contact"] = {"name": "张三", "mobile": "13812345678"}
    before = copy.deepcopy(doc)
    write_recommendation_table([doc], "chongqing", tmp_path / "t.xlsx")
    assert doc == before
