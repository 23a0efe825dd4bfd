"""Official documents written to real files and read back: openpyxl for .xlsx, pypdf (and poppler's
pdftotext where installed) for PDF, python-docx for .docx."""
from __future__ import annotations

import copy
import re
import shutil
import subprocess
import uuid
import zipfile
from datetime import date

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from alliance_desk import demo, store
from alliance_desk.exports import ExportError, export
from alliance_desk.exports.common import select_documents
from alliance_desk.exports.recommendation import CHONGQING_COLUMNS, OFFICE_COLUMNS
from alliance_desk.lifecycle.workdays import WorkCalendar

MM = 72 / 25.4


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from db.session import open_database

    database = open_database(tmp_path_factory.mktemp("exports") / "demo.sqlite")
    store.import_documents(database, [("", d) for d in demo.demo_applications()])
    yield database
    database.dispose()


def recommended(region: str) -> list[dict]:
    return [d for d in demo.demo_applications()
            if d["region"] == region and (d.get("recommendation") or {}).get("recommended")]


def pdf_text(path) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages)


def assert_fonts_embedded(path) -> None:
    """Every font of every page is embedded (a TrueType font file in its descriptor)."""
    reader = PdfReader(str(path))
    seen = 0
    for page in reader.pages:
        fonts = page["/Resources"].get_object().get("/Font", {})
        for ref in fonts.values():
            font = ref.get_object()
            desc = font.get("/FontDescriptor")
            if desc is None and "/DescendantFonts" in font:
                desc = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            assert desc is not None, f"{font.get('/BaseFont')} has no descriptor (a non-embedded base font)"
            desc = desc.get_object()
            assert any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")), font.get("/BaseFont")
            seen += 1
    assert seen


# ------------------------------------------------------------------ recommendation tables

def test_chongqing_table_has_exactly_the_attachment_3_layout(demo_db, tmp_path):
    out = tmp_path / "cq.xlsx"
    res = export(demo_db, "recommendation-table", "chongqing", "chongqing-2022", out, contact="张敏",
                 phone="023-63890000")
    want = recommended("chongqing")
    assert res.count == len(want) == 3
    ws = load_workbook(out).active
    assert ws["A1"].value == "重庆市产业技术创新联盟推荐汇总表"
    line = [ws.cell(2, c).value for c in range(1, 11)]
    assert line[0].startswith("推荐单位（盖章）：") and line[4].startswith("联系人：张敏") and line[7] == "单位：万元"
    assert [ws.cell(3, c).value for c in range(1, 11)] == CHONGQING_COLUMNS
    rows = {ws.cell(r, 2).value: [ws.cell(r, c).value for c in range(1, 11)] for r in range(4, 4 + len(want))}
    for doc in want:
        row = rows[doc["name"]]
        lead = next(m for m in doc["members"] if m["role"] == "lead")
        assert row[2:7] == [doc["industry"], lead["name"], len(doc["members"]), doc["investment_wan"],
                            doc["tech_staff_total"]]
        assert doc["goals"] in row[7] and doc["research_directions"][0] in row[7]
        assert row[8] == doc["contact"]["name"] and row[9] == doc["contact"]["phone"]
    assert sorted(r[0] for r in rows.values()) == [1, 2, 3]
    # print-ready: A4 landscape, header row repeated, one page wide, ruled grid, Chinese font
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.paperSize) == 9
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.print_title_rows == "$3:$3"
    body = ws.cell(4, 8)
    assert body.font.name == "宋体" and body.alignment.wrap_text and body.border.left.style == "thin"
    assert ws.cell(3, 1).font.b and ws.cell(3, 1).border.bottom.style == "thin"
    assert ws.row_dimensions[4].height >= 30  # the long 建设目标和建设内容 text gets room
    assert "A1:J1" in {str(r) for r in ws.merged_cells.ranges}


@pytest.mark.parametrize("region,call,title", [
    ("jinzhong", "jinzhong-2023", "晋中市产业技术创新战略联盟申报推荐汇总表"),
    ("anshan", "anshan-2024", "鞍山市产业技术创新战略联盟认定推荐汇总表"),
    ("gansu", "gansu-standing", "甘肃省产业技术创新联盟组建推荐汇总表"),
    ("ganzhou", "ganzhou-2022", "赣州市产业科技创新联合体备案推荐汇总表"),
])
def test_office_layout_tables(demo_db, tmp_path, region, call, title):
    out = tmp_path / f"{region}.xlsx"
    export(demo_db, "recommendation-table", region, call, out)
    ws = load_workbook(out).active
    assert ws["A1"].value == title
    assert "本单位拟定" in ws["A2"].value  # marked as the office's own layout
    assert [ws.cell(4, c).value for c in range(1, 12)] == OFFICE_COLUMNS
    names = [ws.cell(r, 2).value for r in range(5, ws.max_row + 1)]
    assert names == [d["name"] for d in select_documents(demo_db, region, call)]
    assert ws.print_title_rows == "$4:$4" and ws.page_setup.orientation == "landscape"
    if region == "jinzhong":
        assert "四(一)4" in ws["A2"].value


def test_county_filter_and_explicit_ids(demo_db, tmp_path):
    docs = recommended("anshan")
    out = tmp_path / "one.xlsx"
    export(demo_db, "recommendation-table", "anshan", "anshan-2024", out, county=docs[0]["county"])
    ws = load_workbook(out).active
    assert ws.cell(3, 1).value == f"推荐单位（盖章）：{docs[0]['recommendation']['by']}"
    not_recommended = next(d for d in demo.demo_applications() if d["region"] == "anshan"
                           and not d.get("recommendation"))
    export(demo_db, "recommendation-table", "anshan", "anshan-2024", out, ids=[not_recommended["id"]])
    assert load_workbook(out).active.cell(5, 2).value == not_recommended["name"]
    with pytest.raises(ExportError, match="不属于地区"):
        export(demo_db, "recommendation-table", "jinzhong", None, out, ids=[not_recommended["id"]])
    with pytest.raises(ExportError, match="没有“同意推荐”|没有推荐意见"):
        export(demo_db, "recommendation-table", "anshan", "anshan-2024", out, county="没有这个区")


def test_formula_like_text_is_written_as_text(db, tmp_path):
    doc = copy.deepcopy(recommended("chongqing")[0])
    doc["id"] = str(uuid.uuid4())
    doc["name"] = "=HYPERLINK(\"http://x\",\"点我\")联盟"
    doc["goals"] = "+1+2 建设目标"
    doc["contact"] = {"name": "@SUM(A1:A9)", "phone": "-2+3"}
    doc["research_directions"] = ["\t制表符开头"]
    store.import_documents(db, [("", doc)])
    out = tmp_path / "inj.xlsx"
    export(db, "recommendation-table", "chongqing", None, out, ids=[doc["id"]])
    ws = load_workbook(out).active
    for col, prefix in ((2, "="), (8, "建设目标：+1"), (9, "@"), (10, "-")):
        cell = ws.cell(4, col)
        assert cell.data_type == "s" and str(cell.value).startswith(prefix)
    assert ws.cell(4, 2).quotePrefix and ws.cell(4, 9).quotePrefix
    with zipfile.ZipFile(out) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet and "<f " not in sheet


# ------------------------------------------------------------------ Ganzhou 文件5/6/7

def test_ganzhou_member_tables(demo_db, tmp_path):
    out = tmp_path / "gz.xlsx"
    docs = select_documents(demo_db, "ganzhou", "ganzhou-2022")
    res = export(demo_db, "member-table", "ganzhou", "ganzhou-2022", out, ids=[docs[0]["id"]])
    assert res.count == 1
    wb = load_workbook(out)
    assert wb.sheetnames == ["成员单位表", "理事及秘书处名单", "专家咨询委员会名单"]
    doc = docs[0]
    ws = wb["成员单位表"]
    assert ws["A1"].value == "成 员 单 位 表" and ws["A2"].value == f"联合体名称：{doc['name']}"
    assert [ws.cell(7, c).value for c in (1, 2, 3)] == ["序号", "成员单位", "所处产业链环节"]
    col_b = [ws.cell(r, 2).value for r in range(8, ws.max_row + 1)]
    i_support, i_promote = col_b.index("技术支撑体系："), col_b.index("产业促进体系：")
    support, promote = col_b[i_support + 1:i_promote], col_b[i_promote + 1:]
    assert "核心平台" in support[0] or "依托" in support[0]
    univ = {m["name"] for m in doc["members"] if m["kind"] in ("university", "research_institute", "testing")}
    ent = {m["name"] for m in doc["members"] if m["kind"] == "enterprise"}
    assert univ <= set(support[1:]) | {None} and ent <= set(promote)
    assert len(support) - 1 + len(promote) == len(doc["members"])
    ws = wb["理事及秘书处名单"]
    header = [ws.cell(4, c).value for c in range(1, 5)]
    assert header == ["姓名", "单位", "职务/职称", "在理事会职务"]
    chair = next(h for h in doc["organization"]["council"] if h["role"] == "chair")
    assert [ws.cell(5, c).value for c in (1, 2, 4)] == [chair["name"], chair["unit"], "理事长"]
    values = [ws.cell(r, 3).value for r in range(1, ws.max_row + 1)]
    assert "秘书处分工" in values and "秘书长" in values
    ws = wb["专家咨询委员会名单"]
    assert [ws.cell(3, c).value for c in range(1, 5)] == ["姓名", "单位", "职务/职称", "在专家委职务"]
    experts = doc["organization"]["expert_committee"]
    assert ws.cell(4, 4).value == "主任" and ws.max_row >= 3 + len(experts)
    with pytest.raises(ExportError, match="赣州有"):
        export(demo_db, "member-table", "anshan", None, tmp_path / "x.xlsx")


# ------------------------------------------------------------------ application forms

def test_ganzhou_form_pdf_and_xlsx(demo_db, tmp_path):
    doc = select_documents(demo_db, "ganzhou", "ganzhou-2022")[0]
    pdf = tmp_path / "gz.pdf"
    res = export(demo_db, "application-form", "ganzhou", None, pdf, ids=[doc["id"]])
    text = pdf_text(pdf)
    assert "赣州市产业科技创新联合体组建申请表" in text and "填表说明" in text
    assert doc["name"] in text and "赣州市科学技术局制" in text
    for m in doc["members"]:
        assert m["uscc"] in text
    assert res.pages == len(PdfReader(str(pdf)).pages) >= 3
    assert_fonts_embedded(pdf)
    xlsx = tmp_path / "gz.xlsx"
    export(demo_db, "application-form", "ganzhou", None, xlsx, ids=[doc["id"]])
    ws = load_workbook(xlsx).active
    cells = {str(c.value) for row in ws.iter_rows() for c in row if c.value is not None}
    assert doc["name"] in cells and {m["uscc"] for m in doc["members"]} <= cells
    assert "三、创新联合体成员情况" in cells and ws.page_setup.fitToWidth == 1


def test_chongqing_form_prints_at_most_five_main_members_each(db, tmp_path):
    doc = copy.deepcopy(recommended("chongqing")[0])
    # give it 8 enterprises and 7 research/university/service members
    extra = [dict(doc["members"][0], role="member", name=f"重庆测试企业{i}有限公司",
                  uscc=demo.make_uscc(__import__("random").Random(i))) for i in range(8)]
    extra += [{"name": f"重庆测试研究院{i}", "uscc": demo.make_uscc(__import__("random").Random(100 + i), prefix="12"),
               "kind": "research_institute", "role": "member", "in_region": True} for i in range(7)]
    doc["members"] += extra
    store.import_documents(db, [("", doc)])
    pdf = tmp_path / "cq.pdf"
    export(db, "application-form", "chongqing", None, pdf, ids=[doc["id"]])
    reader = PdfReader(str(pdf))
    pages = [p.extract_text() for p in reader.pages]
    ent_pages = [t for t in pages if "主要成员情况表（企业）" in t]
    res_pages = [t for t in pages if "主要成员情况表（科研机构、高校、服务机构）" in t]
    assert len(ent_pages) == 5 and len(res_pages) == 5
    lead = next(m for m in doc["members"] if m["role"] == "lead")
    assert lead["name"] in ent_pages[0]            # the lead unit comes first
    assert all("限5家" in t for t in ent_pages + res_pages)
    text = "\n".join(pages)
    for words in ("重庆市产业技术创新联盟申报表", "一、基本信息表", "二、牵头单位信息", "三、联盟成员信息", "四、审核意见表",
                  doc["name"], lead["name"], "■国家级专精特新企业"):
        assert words in text
    assert_fonts_embedded(pdf)
    xlsx = tmp_path / "cq.xlsx"
    export(db, "application-form", "chongqing", None, xlsx, ids=[doc["id"]])
    ws = load_workbook(xlsx).active
    titles = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("主要成员")]
    assert titles.count("主要成员情况表（企业）") == 5
    assert titles.count("主要成员情况表（科研机构、高校、服务机构）") == 5
    with pytest.raises(ExportError, match="没有公布申请表"):
        export(db, "application-form", "anshan", None, tmp_path / "x.pdf", ids=[doc["id"]])


# ------------------------------------------------------------------ the publicity notice

def _lines(path):
    """(page, text, x, baseline from the top, font size) of every text run, via pypdf."""
    out = []
    reader = PdfReader(str(path))
    for n, page in enumerate(reader.pages, 1):
        height = float(page.mediabox.height)

        def visit(text, cm, tm, font, size, n=n, height=height):
            if text.strip():
                out.append((n, text.strip(), tm[4], height - tm[5], size))
        page.extract_text(visitor_text=visit)
    return out


@pytest.fixture(scope="module")
def notice_pdf(tmp_path_factory):
    docs = recommended("anshan") * 3  # 12 entries: more than one page
    out = tmp_path_factory.mktemp("notice") / "notice.pdf"
    from alliance_desk.exports.notice import write_notice

    res = write_notice(docs, "anshan", out, date(2025, 9, 30), WorkCalendar.from_library(), year=2025)
    return out, res, docs


def test_notice_content(notice_pdf):
    path, res, docs = notice_pdf
    text = pdf_text(path).replace("\n", "")
    assert "公示" in text and "鞍山市科学技术局" in text
    for doc in docs:
        assert doc["name"] in text
        assert next(m for m in doc["members"] if m["role"] == "lead")["name"] in text
    assert "2025年9月30日至2025年10月13日（5个工作日）" in text
    assert "异议" in text and "联系方式" in text
    assert res.pages >= 2 and "— 1 —" in text and "— 2 —" in text
    assert_fonts_embedded(path)


def test_notice_follows_gb_t_9704(notice_pdf):
    path, res, _ = notice_pdf
    runs = _lines(path)
    body = [r for r in runs if r[4] == 16]
    title = [r for r in runs if r[4] == 22]
    numbers = [r for r in runs if r[4] == 14]
    assert title and body and len(numbers) == res.pages
    # top edge: the em box of the first line touches the type area's top, 37 mm from the page top
    first = min((r for r in runs if r[0] == 1), key=lambda r: r[3])
    top_mm = (first[3] - 0.88 * first[4]) / MM
    assert abs(top_mm - 37) <= 2, top_mm
    # left edge: lines that are not indented start at the 28 mm binding margin
    left_mm = min(r[2] for r in body) / MM
    assert abs(left_mm - 28) <= 2, left_mm
    # 22 lines per page on a 225/22 mm grid; 28 characters per full line
    page1 = sorted({round(r[3], 1) for r in body if r[0] == 1})
    pitch = (page1[-1] - page1[0]) / (len(page1) - 1)
    assert abs(pitch / MM - 225 / 22) < 0.05
    assert len([r for r in body if r[0] == 1]) + len([r for r in title if r[0] == 1]) <= 22
    full = [r[1] for r in body if len(r[1]) == 28 and all(ord(c) > 0x2000 for c in r[1])]
    assert full, "no full line of 28 characters"
    # the last baseline stays inside the 225 mm type area
    assert max(r[3] for r in body) / MM <= 37 + 225
    # page numbers: 14 pt, 7 mm under the type area, odd right / even left
    for n, text, x, y, size in numbers:
        assert text == f"— {n} —"
        assert abs((y - 0.88 * size) / MM - (37 + 225 + 7)) <= 1
        if n % 2:
            assert x / MM > 28 + 156 / 2
        else:
            assert x / MM < 28 + 156 / 2
    # 发文机关署名 centred over 成文日期, the date four characters from the right edge
    sig = next(r for r in body if r[1] == "鞍山市科学技术局")
    dated = next(r for r in body if r[1] == "2025年9月30日")
    from alliance_desk.exports.fonts import string_width
    date_w = sum(string_width(c, 16) for c in dated[1]) * (156 * MM / 28 / 16)
    sig_w = len(sig[1]) * 156 * MM / 28
    assert abs((dated[2] + date_w) / MM - (28 + 156 - 4 * 156 / 28)) <= 1
    assert abs((sig[2] + sig_w / 2) - (dated[2] + date_w / 2)) / MM <= 1
    assert 0 < dated[3] - sig[3] < 12 * MM


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_notice_edges_by_pdftotext(notice_pdf):
    path, _, _ = notice_pdf
    xml = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                         text=True, check=True).stdout
    boxes = [tuple(float(v) for v in m) for m in
             re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', xml)]
    assert abs(min(b[1] for b in boxes) / MM - 37) <= 2
    assert abs(min(b[0] for b in boxes) / MM - 28) <= 2
    assert max(b[2] for b in boxes) / MM <= 28 + 156 + 2


def test_notice_docx(demo_db, tmp_path):
    from docx import Document
    from docx.shared import Mm

    from alliance_desk.exports.notice import write_notice

    docs = recommended("anshan")
    out = tmp_path / "notice.docx"
    write_notice(docs, "anshan", out, date(2025, 9, 30), WorkCalendar.from_library(), year=2025)
    d = Document(str(out))
    text = "\n".join(p.text for p in d.paragraphs)
    assert d.paragraphs[0].text.replace("\n", "") == "关于2025年度鞍山市产业技术创新战略联盟拟认定名单的公示"
    for doc in docs:
        assert doc["name"] in text
    assert "2025年9月30日至2025年10月13日（5个工作日）" in text
    assert d.paragraphs[-2].text == "鞍山市科学技术局" and d.paragraphs[-1].text == "2025年9月30日"
    sec = d.sections[0]
    assert abs(sec.top_margin - Mm(37)) < Mm(0.5) and abs(sec.left_margin - Mm(28)) < Mm(0.5)
    assert abs(sec.page_width - Mm(210)) < Mm(0.5) and abs(sec.right_margin - Mm(26)) < Mm(0.5)
    assert d.paragraphs[0].runs[0].font.size.pt == 22 and d.paragraphs[2].runs[0].font.size.pt == 16
    footer_xml = sec.footer._element.xml
    assert "PAGE" in footer_xml and "— " in sec.footer.paragraphs[0].text
    assert "PAGE" in sec.even_page_footer._element.xml


def anshan_at_publicity(db, n: int) -> list[dict]:
    """`n` Anshan applications stored, the first walked to 公示 on 2025-09-05."""
    from alliance_desk import lifecycle

    docs = recommended("anshan")[:n]
    store.import_documents(db, [("", d) for d in docs])
    for k, stage in enumerate(["apply", "county_review", "expert_review", "director_meeting", "publicity"]):
        lifecycle.move_stage(db, docs[0]["id"], stage, date(2025, 9, 1 + k))
    return docs


def test_notice_with_calendar_days_and_selection_by_stage(db, tmp_path):
    docs = anshan_at_publicity(db, 2)
    out = tmp_path / "n.pdf"
    res = export(db, "notice", "anshan", "anshan-2024", out, start=date(2025, 9, 30), days=7, unit="calendar")
    text = pdf_text(out).replace("\n", "")
    assert res.count == 1 and docs[0]["name"] in text and docs[1]["name"] not in text
    assert "2025年9月30日至2025年10月6日（7天）" in text
    assert "关于2024年度鞍山市" in text  # the round's year, from the call


def test_notice_refuses_a_period_into_a_year_without_data(db, tmp_path):
    docs = anshan_at_publicity(db, 1)
    out = tmp_path / "n.pdf"
    from alliance_desk.lifecycle.workdays import CalendarMissing

    with pytest.raises(CalendarMissing, match="2027"):
        export(db, "notice", "anshan", None, out, ids=[docs[0]["id"]], start=date(2026, 12, 28))
    assert not out.exists()


# ------------------------------------------------------------------ certificates

def test_certificates_numbered_and_reprinted(db, tmp_path):
    from alliance_desk import lifecycle

    docs = recommended("anshan")
    store.import_documents(db, [("", d) for d in docs])
    for d in docs[:3]:
        lifecycle.decide(db, d["id"], "recognized", date(2024, 7, 1), doc_no="鞍科发〔2024〕8号")
    out = tmp_path / "certs.pdf"
    res = export(db, "certificates", "anshan", "anshan-2024", out)
    assert res.count == 3 and res.pages == 3
    reader = PdfReader(str(out))
    assert len(reader.pages) == 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    pages = [p.extract_text() for p in reader.pages]
    numbers = sorted(re.search(r"AS-2024-\d{3}", t).group(0) for t in pages)
    assert numbers == ["AS-2024-001", "AS-2024-002", "AS-2024-003"]
    for d in docs[:3]:
        page = next(t for t in pages if d["name"] in t)
        lead = next(m for m in d["members"] if m["role"] == "lead")
        assert lead["name"] in page and "2024年7月1日" in page and "2029年6月30日" in page
        assert "鞍山市科学技术局" in page
    assert_fonts_embedded(out)
    # printing again reuses the numbers; a fourth alliance gets the next one
    lifecycle.decide(db, docs[3]["id"], "recognized", date(2024, 7, 1), doc_no="鞍科发〔2024〕9号")
    export(db, "certificates", "anshan", "anshan-2024", out)
    again = {re.search(r"AS-2024-\d{3}", p.extract_text()).group(0): p.extract_text()
             for p in PdfReader(str(out)).pages}
    assert sorted(again) == numbers + ["AS-2024-004"]
    assert docs[3]["name"] in again["AS-2024-004"]


def test_certificates_text_mode_uses_printer_offsets(db, tmp_path):
    from alliance_desk.exports.certificates import get_calibration, list_calibrations, save_calibration

    from alliance_desk import lifecycle

    doc = recommended("anshan")[0]
    store.import_documents(db, [("", doc)])
    lifecycle.decide(db, doc["id"], "recognized", date(2024, 7, 1), doc_no="鞍科发〔2024〕8号")
    save_calibration(db, "办公室 HP M405", 5.0, -3.0, "实测")
    assert get_calibration(db, "办公室 HP M405").offset_x_mm == 5.0
    assert [c.printer for c in list_calibrations(db)] == ["办公室 HP M405"]
    full, text = tmp_path / "full.pdf", tmp_path / "text.pdf"
    export(db, "certificates", "anshan", None, full, ids=[doc["id"]], recognized_on=date(2024, 7, 1))
    export(db, "certificates", "anshan", None, text, ids=[doc["id"]], recognized_on=date(2024, 7, 1), mode="text",
           printer="办公室 HP M405")

    def position(path, needle):
        run = next(r for r in _lines(path) if r[1].startswith(needle))
        return run[2], run[3]
    (x1, y1), (x2, y2) = position(full, "证书编号"), position(text, "证书编号")
    assert abs((x2 - x1) / MM - 5.0) < 0.05 and abs((y2 - y1) / MM + 3.0) < 0.05
    full_text, text_text = pdf_text(full), pdf_text(text)
    assert "证" in full_text and "证　　书" in full_text and "证　　书" not in text_text
    assert doc["name"] in text_text and "AS-2024-001" in text_text  # the same number: reprinted, not renumbered
    with pytest.raises(ExportError, match="没有打印机"):
        export(db, "certificates", "anshan", None, text, ids=[doc["id"]], recognized_on=date(2024, 7, 1),
               mode="text", printer="不存在的打印机")


def test_certificate_numbers_follow_the_pack_pattern():
    from alliance_desk.exports.certificates import number_for, valid_until

    assert number_for("AS-{year}-{seq:03d}", "anshan", 2024, 7) == "AS-2024-007"
    assert number_for("{region_code}{year}{seq:04d}", "gansu", 2020, 12) == "GS20200012"
    assert valid_until(date(2024, 7, 1), 5) == date(2029, 6, 30)
    assert valid_until(date(2024, 2, 29), 5) == date(2029, 2, 28)  # the lifecycle agrees (README readings)
    assert valid_until(date(2024, 7, 1), 0) is None


# ------------------------------------------------------------------ rendered as a person sees it

@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or poppler not installed")
def test_libreoffice_opens_the_xlsx_and_docx(demo_db, tmp_path):
    from alliance_desk.exports.notice import write_notice

    xlsx, docx = tmp_path / "cq.xlsx", tmp_path / "notice.docx"
    export(demo_db, "recommendation-table", "chongqing", "chongqing-2022", xlsx)
    write_notice(recommended("anshan"), "anshan", docx, date(2025, 9, 30), WorkCalendar.from_library(), year=2025)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(xlsx), str(docx)], capture_output=True, timeout=180, check=True)
    sheet = re.sub(r"\s+", "", pdf_text(tmp_path / "cq.pdf"))
    assert "重庆市产业技术创新联盟推荐汇总表" in sheet and "联盟建设目标和建设内容" in sheet
    assert all(d["name"] in sheet for d in recommended("chongqing"))
    box = PdfReader(str(tmp_path / "cq.pdf")).pages[0].mediabox
    assert float(box.width) > float(box.height)  # printed landscape
    notice = re.sub(r"\s+", "", pdf_text(tmp_path / "notice.pdf"))  # LibreOffice spaces CJK from Latin
    assert "2025年9月30日至2025年10月13日" in notice and recommended("anshan")[0]["name"] in notice
