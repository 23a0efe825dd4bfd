"""The publicity notice (公示): a PDF in the GB/T 9704-2012 layout and an editable .docx with the same
content — the alliances proposed for recognition, the period (from … to …, N working days computed
from the holiday calendar, or N calendar days where the region's pack says so), how to object, and
whom to contact. Anshan 002 § 第九条4 fixes 5 working days; other regions configure `[publicity]`.

Layout (GB/T 9704-2012):
- A4; top margin 37 mm, left (binding) margin 28 mm, type area 156 × 225 mm (§ 5.2.1–5.2.2);
- body 16 pt (3号), 22 lines × 28 characters per page (§ 5.2.3): characters sit on a 5.571 mm grid,
  lines on a 10.227 mm grid; the em box of the first line touches the top of the type area;
  paragraphs indent two characters; Chinese line-breaking rules keep closing punctuation off the
  start of a line and opening punctuation off its end; numbers and e-mail addresses are not split;
- title 22 pt (2号), centred, balanced over two lines when it is long, one empty line below (§ 7.3.1);
- 发文机关署名 and 成文日期 in the sealed-document layout (§ 7.3.5.1): 成文日期 right-indented four
  characters, 署名 centred above it, two lines below the body (room for the seal); the date in Arabic
  numerals without leading zeros (§ 7.3.5.1);
- page numbers `— 1 —` in 14 pt (4号) with the dash 7 mm below the type area; odd pages on the
  right, even pages on the left, each one character in from the edge (§ 7.5).

Fonts: GB/T 9704 asks for 小标宋 (title), 黑体 (一、 headings) and 仿宋 (body). No such face may be
bundled, so the PDF uses the bundled Noto Sans SC (SIL OFL, embedded) for all of them; the .docx
names 方正小标宋简体, 黑体 and 仿宋_GB2312, which office PCs have (Word substitutes a face where one is
missing), so the editable file looks right where it is edited.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from alliance_desk.rules.packs import get_pack
from alliance_desk.exchange.safety import mask_personal
from alliance_desk.lifecycle.workdays import UNIT_WORKING, Period, WorkCalendar, period, zh_date
from alliance_desk.exports.common import (TIER_ZH, ExportError, ExportResult, ProgressFn, atomic_output, fill, lead, report, settings,
                     template_values)

MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * MM, 297 * MM
TOP_MM, LEFT_MM, AREA_W_MM, AREA_H_MM = 37.0, 28.0, 156.0, 225.0
LINES, CHARS = 22, 28
BODY_PT, TITLE_PT, PAGE_NO_PT = 16.0, 22.0, 14.0
CHAR_PITCH = AREA_W_MM * MM / CHARS      # 15.79 pt
LINE_PITCH = AREA_H_MM * MM / LINES      # 28.99 pt
PAGE_NO_GAP_MM = 7.0

NO_LINE_START = set("，。、；：？！）〕］｝》」』】〉”’…—％%,.;:?!)]}·")
NO_LINE_END = set("（〔［｛《「『【〈“‘([{")
_TOKEN = re.compile(r"[A-Za-z0-9@._\-/:+#%]+|.", re.S)

DOCX_TITLE_FONT = "方正小标宋简体"
DOCX_BODY_FONT = "仿宋_GB2312"
DOCX_HEADING_FONT = "黑体"
DOCX_PAGE_NO_FONT = "宋体"


@dataclass
class Para:
    text: str
    kind: str = "body"      # body | heading


@dataclass
class Notice:
    title: str
    paragraphs: list[Para]
    authority: str
    dated: date
    period: Period
    alliances: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ content

def build_notice(docs: list[dict], region: str, start: date, calendar: WorkCalendar | None,
                 days: int | None = None, unit: str | None = None, dated: date | None = None,
                 contact: str | None = None, authority: str | None = None, year: int | None = None,
                 include_personal: bool = False, tiers: dict[str, str] | None = None) -> Notice:
    """The notice's content. `days`/`unit` default to the pack's `[publicity]`; `year` (the round's
    year, in the title) defaults to the start date's year; `dated` (成文日期) to the start date.
    Personal mobile and identity numbers in the applications' text are masked (138****5678)
    unless `include_personal`; the office's own contact line is printed as given. `tiers` is the
    decided tier (示范/试点) per application id; nothing is said of a tier only requested."""
    if not docs:
        raise ExportError("公示名单为空：没有要公示的申报")
    pack = get_pack(region)
    cfg = settings(pack)
    pub = pack.publicity or {}
    days = days if days is not None else int(pub.get("days") or 0)
    unit = unit or pub.get("unit") or UNIT_WORKING
    if days <= 0:
        raise ExportError(f"{pack.region_name}的规则包未设置公示期（[publicity] days = 0）；请用 --days 指定公示天数",
                          clerk=f"{pack.region_name}的规则未规定公示天数：请在“公示天数”中填写")
    per = period(calendar, start, days, unit)
    authority = authority or cfg["authority"]
    values = template_values(pack, year=year or start.year, count=len(docs), authority=authority)
    title = fill(cfg["notice_title"], **values)
    paras = [Para(fill(cfg["notice_intro"], **values))]
    paras.append(Para(f"一、{pack.scheme}名单", "heading"))
    names = []
    decided = (tiers or {}) if "tiers" in pack.info else {}
    for i, doc in enumerate(docs, 1):
        tier = decided.get(doc["id"])
        extra = f"；拟{pack.scheme}为{TIER_ZH[tier]}创新联盟" if tier in TIER_ZH else ""
        line = f"{i}. {doc['name']}（牵头单位：{lead(doc)['name']}{extra}）"
        paras.append(Para(line if include_personal else mask_personal(line)))
        names.append(doc["name"])
    unit_words = "个工作日" if unit == UNIT_WORKING else "天"
    paras.append(Para("二、公示时间", "heading"))
    paras.append(Para(f"公示期为{zh_date(per.start)}至{zh_date(per.end)}（{days}{unit_words}）。"
                      f"公示期满无异议的，予以{pack.scheme}。"))
    paras.append(Para("三、异议方式", "heading"))
    paras.append(Para(fill(cfg["notice_objection"], **values)))
    paras.append(Para("四、联系方式", "heading"))
    text = contact if contact is not None else cfg["notice_contact"]
    paras.append(Para(text or "联系人：        联系电话：        电子邮箱：        "))
    return Notice(title, paras, authority, dated or start, per, names)


# ------------------------------------------------------------------ grid typesetting

@dataclass
class Line:
    text: str
    x: float          # left edge (pt from the page's left)
    size: float
    width: float      # the line's natural width with grid spacing
    justify: float    # extra character spacing to fill the line (0 = none)


def _advance(ch: str, size: float, sw) -> float:
    """Advance of one character on the grid: full-width characters take one cell of the grid,
    others their natural width scaled by the same factor."""
    return sw(ch, size) * (CHAR_PITCH / BODY_PT) if size == BODY_PT else sw(ch, size)


def break_lines(text: str, width: float, size: float, first_indent: float, sw) -> list[tuple[str, float, bool]]:
    """(text, indent, last) per line: greedy fill with the Chinese line-breaking rules."""
    tokens = _TOKEN.findall(text)
    lines: list[tuple[str, float, bool]] = []
    cur: list[str] = []
    cur_w = 0.0
    indent = first_indent
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        w = sum(_advance(c, size, sw) for c in tok)
        avail = width - indent
        if cur and cur_w + w > avail + 0.01:
            # closing punctuation may not start the next line: carry tokens down until it does not
            start = tok
            while start[0] in NO_LINE_START and len(cur) > 1:
                start = cur.pop()
                cur_w -= sum(_advance(c, size, sw) for c in start)
                i -= 1
            while len(cur) > 1 and cur[-1][-1] in NO_LINE_END:
                carried = cur.pop()
                cur_w -= sum(_advance(c, size, sw) for c in carried)
                i -= 1
            lines.append(("".join(cur), indent, False))
            cur, cur_w, indent = [], 0.0, 0.0
            continue
        if not cur and w > avail:  # a token longer than a line (a long URL): split it by characters
            part = ""
            for c in tok:
                if sum(_advance(x, size, sw) for x in part + c) > avail:
                    break
                part += c
            lines.append((part, indent, False))
            tokens[i] = tok[len(part):]
            indent = 0.0
            continue
        cur.append(tok)
        cur_w += w
        i += 1
    if cur or not lines:
        lines.append(("".join(cur), indent, True))
    return lines


TITLE_BREAKS = ("关于", "年度", "市", "省", "拟", "联盟", "联合体", "名单")


def _balanced_title(title: str, max_w: float, sw, breaks: tuple[str, ...] = TITLE_BREAKS) -> list[str]:
    """One line if it fits; else two (or more) lines broken where a phrase ends — after 关于, 年度,
    the city, 拟 …, never inside a word where avoidable — preferring the most even split (GB/T 9704
    § 7.3.1: 词意完整，排列对称)."""
    if sw(title, TITLE_PT) <= max_w:
        return [title]
    candidates = set()
    for word in breaks:
        start = 0
        while (k := title.find(word, start)) >= 0:
            candidates.add(k + len(word))
            start = k + 1
    best = None
    for k in sorted(candidates):
        a, b = title[:k], title[k:]
        if not a or not b or b[0] in NO_LINE_START or sw(a, TITLE_PT) > max_w:
            continue
        rest = _balanced_title(b, max_w, sw, breaks) if sw(b, TITLE_PT) > max_w else [b]
        lines = [a] + rest
        widths = [sw(x, TITLE_PT) for x in lines]
        score = (len(lines), max(widths) - min(widths))
        if best is None or score < best[0]:
            best = (score, lines)
    if best:
        return best[1]
    # no phrase boundary fits: split into equal parts
    n_lines = 2
    while sw(title, TITLE_PT) / n_lines > max_w:
        n_lines += 1
    size = -(-len(title) // n_lines)
    return [title[i:i + size] for i in range(0, len(title), size)]


@dataclass
class Page:
    lines: list[tuple[int, Line]] = field(default_factory=list)   # (grid line index, line)


def layout(notice: Notice, sw) -> list[Page]:
    """Place every line of the notice on the 22-line grid of successive pages."""
    left = LEFT_MM * MM
    area_w = AREA_W_MM * MM
    pages = [Page()]
    row = 0

    def put(line: Line) -> None:
        nonlocal row
        if row >= LINES:
            pages.append(Page())
            row = 0
        pages[-1].lines.append((row, line))
        row += 1

    for t in _balanced_title(notice.title, area_w, sw):
        w = sw(t, TITLE_PT)
        put(Line(t, left + (area_w - w) / 2, TITLE_PT, w, 0.0))
    row += 1  # one empty line under the title
    for p in notice.paragraphs:
        for text, indent, last in break_lines(p.text, area_w, BODY_PT, 2 * CHAR_PITCH, sw):
            natural = sum(_advance(c, BODY_PT, sw) for c in text)
            n = len(text)
            extra = 0.0
            if not last and n > 1:
                extra = max(0.0, (area_w - indent - natural) / (n - 1))
                if extra > CHAR_PITCH:  # a line cut short on purpose: do not stretch it
                    extra = 0.0
            put(Line(text, left + indent, BODY_PT, natural, extra))

    # signature block (§ 7.3.5.1): two lines gap, 署名 centred over 成文日期, the date 右空四字
    date_text = zh_date(notice.dated)
    date_w = sum(_advance(c, BODY_PT, sw) for c in date_text)
    sig_w = sum(_advance(c, BODY_PT, sw) for c in notice.authority)
    date_x = left + area_w - 4 * CHAR_PITCH - date_w
    centre = date_x + date_w / 2
    sig_x = centre - sig_w / 2
    if sig_x + sig_w > left + area_w:
        sig_x = left + area_w - sig_w
    needed = 4
    if row + needed > LINES:
        # never leave the signature alone on a page: take the body's last two lines along
        page = pages[-1]
        moved = page.lines[-2:] if row <= LINES and len(page.lines) >= 2 else []
        del page.lines[len(page.lines) - len(moved):]
        pages.append(Page())
        row = 0
        for _, ln in moved:
            put(ln)
    row += 2
    put(Line(notice.authority, sig_x, BODY_PT, sig_w, 0.0))
    put(Line(date_text, date_x, BODY_PT, date_w, 0.0))
    return pages


# ------------------------------------------------------------------ PDF

def render_pdf(notice: Notice, out: str | Path) -> int:
    from reportlab.pdfgen.canvas import Canvas

    from alliance_desk.exports.fonts import EM_TOP, register, string_width

    font = register()
    pages = layout(notice, string_width)
    top = PAGE_H - TOP_MM * MM
    with atomic_output(out) as tmp:
        c = Canvas(str(tmp), pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=font,
                   initialFontSize=BODY_PT)
        c.setTitle(notice.title)
        c.setAuthor(notice.authority)
        c.setCreator("Alliance Desk")
        for n, page in enumerate(pages, 1):
            for row, line in page.lines:
                baseline = top - row * LINE_PITCH - EM_TOP * line.size
                t = c.beginText(line.x, baseline)
                t.setFont(font, line.size)
                if line.size != BODY_PT:
                    t.textOut(line.text)
                elif all(string_width(ch, BODY_PT) == BODY_PT for ch in line.text):
                    # full-width characters on the 28-per-line grid, plus the justification
                    t.setCharSpace(CHAR_PITCH - BODY_PT + line.justify)
                    t.textOut(line.text)
                else:
                    _draw_mixed(t, line, string_width)
                c.drawText(t)
            _page_number(c, n, font, string_width)
            c.showPage()
        c.save()
    return len(pages)


def _draw_mixed(t, line: Line, sw) -> None:
    """A line with half-width characters: every character advances by its grid width."""
    scale = CHAR_PITCH / BODY_PT
    for ch in line.text:
        natural = sw(ch, BODY_PT)
        t.setCharSpace(natural * scale - natural + line.justify)
        t.textOut(ch)


def _page_number(c, n: int, font: str, sw) -> None:
    from alliance_desk.exports.fonts import EM_TOP

    text = f"— {n} —"
    w = sw(text, PAGE_NO_PT)
    y_top = PAGE_H - (TOP_MM + AREA_H_MM + PAGE_NO_GAP_MM) * MM
    baseline = y_top - EM_TOP * PAGE_NO_PT
    left = LEFT_MM * MM
    if n % 2:   # odd: right, one character in
        x = left + AREA_W_MM * MM - CHAR_PITCH - w
    else:       # even: left, one character in
        x = left + CHAR_PITCH
    c.setFont(font, PAGE_NO_PT)
    c.drawString(x, baseline, text)


# ------------------------------------------------------------------ DOCX

def render_docx(notice: Notice, out: str | Path) -> None:
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from alliance_desk.exports.fonts import docx_font_all_scripts, string_width

    doc = Document()
    doc.core_properties.title = notice.title
    doc.core_properties.author = notice.authority
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.left_margin = Mm(TOP_MM), Mm(LEFT_MM)
    sec.right_margin = Mm(210 - LEFT_MM - AREA_W_MM)
    sec.bottom_margin = Mm(297 - TOP_MM - AREA_H_MM)
    sec.header_distance = Mm(15)
    sec.footer_distance = Mm(297 - (TOP_MM + AREA_H_MM + PAGE_NO_GAP_MM) - 8)
    # the document grid: 22 lines of 28 characters (GB/T 9704 § 5.2.3)
    sect_pr = sec._sectPr
    for old in sect_pr.findall(qn("w:docGrid")):
        sect_pr.remove(old)
    # (a line grid; the 28 characters come from 16 pt glyphs tightened by 0.2 pt, set on Normal below —
    # a character grid is read differently by Word, WPS and LibreOffice)
    grid = OxmlElement("w:docGrid")
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(round(LINE_PITCH * 20)))
    sect_pr.append(grid)

    def set_font(run_or_style, name: str, size: float) -> None:
        f = run_or_style.font
        f.name = name
        f.size = Pt(size)
        docx_font_all_scripts(run_or_style.element, name)

    normal = doc.styles["Normal"]
    set_font(normal, DOCX_BODY_FONT, BODY_PT)
    spacing = OxmlElement("w:spacing")  # character spacing in twentieths of a point: 16 pt → 15.8 pt pitch
    spacing.set(qn("w:val"), str(round((CHAR_PITCH - BODY_PT) * 20)))
    normal.element.get_or_add_rPr().append(spacing)
    pf = normal.paragraph_format
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(LINE_PITCH)
    pf.space_before = pf.space_after = Pt(0)

    def paragraph(text: str, font: str, size: float, align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent_chars: float = 0,
                  right_chars: float = 0):
        p = doc.add_paragraph()
        p.alignment = align
        if indent_chars:
            p.paragraph_format.first_line_indent = Pt(indent_chars * BODY_PT)
            ind = p.paragraph_format.element.get_or_add_pPr().get_or_add_ind()
            ind.set(qn("w:firstLineChars"), str(int(indent_chars * 100)))
        if right_chars:
            p.paragraph_format.right_indent = Pt(right_chars * CHAR_PITCH)
        if text:
            set_font(p.add_run(text), font, size)
        return p

    title_lines = _balanced_title(notice.title, AREA_W_MM * MM, string_width)
    tp = paragraph("", DOCX_TITLE_FONT, TITLE_PT, WD_ALIGN_PARAGRAPH.CENTER)
    for i, t in enumerate(title_lines):
        r = tp.add_run(t)
        set_font(r, DOCX_TITLE_FONT, TITLE_PT)
        if i < len(title_lines) - 1:
            r.add_break()
    paragraph("", DOCX_BODY_FONT, BODY_PT)
    for para in notice.paragraphs:
        font = DOCX_HEADING_FONT if para.kind == "heading" else DOCX_BODY_FONT
        paragraph(para.text, font, BODY_PT, indent_chars=2)
    paragraph("", DOCX_BODY_FONT, BODY_PT)
    paragraph("", DOCX_BODY_FONT, BODY_PT)
    date_text = zh_date(notice.dated)
    date_chars = sum(string_width(c, BODY_PT) for c in date_text) / BODY_PT
    sig_chars = sum(string_width(c, BODY_PT) for c in notice.authority) / BODY_PT
    sig_right = max(0.0, 4 + (date_chars - sig_chars) / 2)
    paragraph(notice.authority, DOCX_BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT, right_chars=sig_right)
    paragraph(date_text, DOCX_BODY_FONT, BODY_PT, WD_ALIGN_PARAGRAPH.RIGHT, right_chars=4)

    # page numbers: — N — in 4号, odd pages right, even pages left, one character in (§ 7.5)
    doc.settings.odd_and_even_pages_header_footer = True
    for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        footer.is_linked_to_previous = False
        p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        p.alignment = align
        if align == WD_ALIGN_PARAGRAPH.RIGHT:
            p.paragraph_format.right_indent = Pt(BODY_PT)
        else:
            p.paragraph_format.left_indent = Pt(BODY_PT)
        set_font(p.add_run("— "), DOCX_PAGE_NO_FONT, PAGE_NO_PT)
        run = p.add_run()
        set_font(run, DOCX_PAGE_NO_FONT, PAGE_NO_PT)
        for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        set_font(p.add_run(" —"), DOCX_PAGE_NO_FONT, PAGE_NO_PT)
    with atomic_output(out) as tmp:
        doc.save(str(tmp))


def write_notice(docs: list[dict], region: str, out: str | Path, start: date, calendar: WorkCalendar | None,
                 fmt: str | None = None, progress: ProgressFn | None = None, **options) -> ExportResult:
    """Write the notice as PDF or DOCX (by `fmt`, else by the file extension)."""
    fmt = (fmt or Path(out).suffix.lstrip(".")).lower()
    if fmt not in ("pdf", "docx"):
        raise ExportError(f"公示只能导出为 .pdf 或 .docx，实际为「{Path(out).name}」")
    report(progress, 0, 2, "正在计算公示期")
    notice = build_notice(docs, region, start, calendar, **options)
    report(progress, 1, 2, "正在排版")
    pages = render_pdf(notice, out) if fmt == "pdf" else render_docx(notice, out)
    report(progress, 2, 2, "完成")
    res = ExportResult(Path(out), "notice", len(docs), pages=pages if fmt == "pdf" else None)
    res.notes.append(f"公示期：{notice.period.text()}")
    return res
