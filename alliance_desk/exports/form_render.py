"""The two renderers of the form model: ReportLab platypus for the PDF (the bundled Noto Sans SC
embedded, see fonts.py) and openpyxl for the workbook (merged cells, thin borders, A4 portrait
fitted to width)."""
from __future__ import annotations

from pathlib import Path

from alliance_desk.exports.common import ProgressFn, atomic_output, report
from alliance_desk.exports.form_grid import COLS, C, Form, Grid, PageBreak, Space, Text, Title, place


# ------------------------------------------------------------------ PDF

PAGE_MARGIN_MM = 18
BODY_PT = 10


def render_pdf(forms: list[Form], out: str | Path, title: str = "", progress: ProgressFn | None = None) -> int:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import PageBreak as RLPageBreak
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    from alliance_desk.exports.fonts import register

    font = register()
    width = A4[0] - 2 * PAGE_MARGIN_MM * mm
    col_w = width / COLS
    base = ParagraphStyle("body", fontName=font, fontSize=BODY_PT, leading=BODY_PT * 1.35, wordWrap="CJK")
    styles = {
        "value": ParagraphStyle("v", parent=base, alignment=TA_LEFT),
        "label": ParagraphStyle("l", parent=base, alignment=TA_CENTER),
        "head": ParagraphStyle("h", parent=base, alignment=TA_CENTER),
        "section": ParagraphStyle("s", parent=base, fontSize=12, leading=17, alignment=TA_LEFT),
        "box": ParagraphStyle("b", parent=base, alignment=TA_LEFT),
        "line": ParagraphStyle("ln", parent=base, fontSize=14, leading=20, alignment=TA_LEFT),
    }
    aligns = {"left": TA_LEFT, "center": TA_CENTER, "right": TA_RIGHT}
    derived: dict[tuple[str, str], ParagraphStyle] = {}

    def para(cell: C) -> Paragraph:
        st = styles.get(cell.kind, styles["value"])
        if cell.align:
            key = (cell.kind, cell.align)
            if key not in derived:
                derived[key] = ParagraphStyle(f"{cell.kind}-{cell.align}", parent=st, alignment=aligns[cell.align])
            st = derived[key]
        # spaces are blanks to write in by hand: keep them (XML would collapse a run of spaces)
        return Paragraph(escape(cell.text).replace(" ", "\u00a0").replace("\n", "<br/>"), st)

    story = []
    for n, form in enumerate(forms):
        if n:
            story.append(RLPageBreak())
        for block in form.blocks:
            if isinstance(block, Title):
                story.append(Paragraph(escape(block.text), ParagraphStyle(
                    "t", fontName=font, fontSize=block.size, leading=block.size * 1.5, alignment=TA_CENTER,
                    wordWrap="CJK", spaceAfter=4)))
            elif isinstance(block, Text):
                story.append(Paragraph(escape(block.text), ParagraphStyle(
                    "x", fontName=font, fontSize=block.size, leading=block.size * 1.6,
                    alignment=aligns.get(block.align, TA_LEFT), wordWrap="CJK", spaceBefore=2)))
            elif isinstance(block, Space):
                story.append(Spacer(1, block.mm * mm))
            elif isinstance(block, PageBreak):
                story.append(RLPageBreak())
            elif isinstance(block, Grid):
                placed = place(block.rows)
                n_rows = len(block.rows)
                data = [[""] * COLS for _ in range(n_rows)]
                cmds = [("FONTNAME", (0, 0), (-1, -1), font), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 3),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3), ("TOPPADDING", (0, 0), (-1, -1), 2),
                        ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
                heights: list[float | None] = [None] * n_rows
                for r, col, cell in placed:
                    p = data[r][col] = para(cell)
                    if cell.span > 1 or cell.rows > 1:
                        cmds.append(("SPAN", (col, r), (col + cell.span - 1, r + cell.rows - 1)))
                    if cell.kind == "box" and cell.lines > 1:
                        cmds.append(("VALIGN", (col, r), (col, r), "TOP"))
                    if cell.lines > 1 and cell.rows == 1:
                        # a minimum height: never less than the text needs (a fixed row clips nothing)
                        need = p.wrap(cell.span * col_w - 6, 10000)[1] + 6
                        heights[r] = max(heights[r] or 0, need, cell.lines * base.leading + 6)
                    if cell.kind == "line":
                        cmds.append(("LINEBELOW", (col, r), (col + cell.span - 1, r), 0.6, colors.black))
                if block.ruled:
                    cmds.append(("GRID", (0, 0), (-1, -1), 0.6, colors.black))
                t = Table(data, colWidths=[col_w] * COLS, rowHeights=None if not any(heights) else
                          [h for h in heights], splitByRow=1)
                t.setStyle(TableStyle(cmds))
                story.append(t)
        report(progress, n + 1, len(forms), f"已排版 {n + 1}/{len(forms)}")

    pages = [0]

    def footer(canvas, doc):
        pages[0] = doc.page
        canvas.saveState()
        canvas.setFont(font, 10.5)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, f"— {doc.page} —")
        canvas.restoreState()

    with atomic_output(out) as tmp:
        pdf = SimpleDocTemplate(str(tmp), pagesize=A4, leftMargin=PAGE_MARGIN_MM * mm,
                                rightMargin=PAGE_MARGIN_MM * mm, topMargin=PAGE_MARGIN_MM * mm,
                                bottomMargin=PAGE_MARGIN_MM * mm, title=title, author="Alliance Desk",
                                initialFontName=font, initialFontSize=BODY_PT,
                                creator="Alliance Desk")
        pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return pages[0]


# ------------------------------------------------------------------ XLSX

XLSX_COL_WIDTH = 3.9


def render_xlsx(forms: list[Form], out: str | Path, progress: ProgressFn | None = None) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange
    from openpyxl.worksheet.pagebreak import Break
    from openpyxl.worksheet.properties import PageSetupProperties

    from alliance_desk.exchange.xlsx_safe import Style, set_value, sheet_title
    from alliance_desk.exports.xlsx_common import FONT_NAME, TITLE_FONT_NAME, text_width

    wb = Workbook()
    wb.remove(wb.active)
    thin = Side(style="thin", color="000000")
    grid = Border(left=thin, right=thin, top=thin, bottom=thin)
    under = Border(bottom=thin)
    taken: list[str] = []
    st = None
    for n, form in enumerate(forms):
        ws = wb.create_sheet(sheet_title(form.name if len(forms) == 1 else f"{n + 1}-{form.name}", taken))
        taken.append(ws.title)
        if st is None:
            body = Font(name=FONT_NAME, size=10.5)

            def mk(align_h, border=grid, font=body, wrap=True, valign="center"):
                return Style(wb, font=font, border=border,
                             alignment=Alignment(horizontal=align_h, vertical=valign, wrap_text=wrap))
            st = {
                ("value", ""): mk("left"), ("value", "left"): mk("left"), ("value", "center"): mk("center"),
                ("value", "right"): mk("right"), ("label", ""): mk("center"), ("label", "center"): mk("center"),
                ("head", ""): mk("center", font=Font(name=FONT_NAME, size=10.5, bold=True)),
                ("section", ""): mk("left", font=Font(name=FONT_NAME, size=12, bold=True)),
                ("box", ""): mk("left", valign="top"), ("box", "right"): mk("right", border=Border()),
                ("line", ""): mk("left", border=under, font=Font(name=FONT_NAME, size=14)),
                "title": lambda size: Style(wb, font=Font(name=TITLE_FONT_NAME, size=size, bold=True),
                                            alignment=Alignment(horizontal="center", vertical="center")),
                "text": mk("left", border=Border()),
                "text-center": mk("center", border=Border(), font=Font(name=FONT_NAME, size=14)),
            }
            titles: dict[float, Style] = {}
        for i in range(1, COLS + 1):
            ws.column_dimensions[get_column_letter(i)].width = XLSX_COL_WIDTH
        ws.page_setup.paperSize = 9
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.6
        ws.oddFooter.center.text = "— &P —"
        row = 1
        last = get_column_letter(COLS)
        # merged ranges are collected and set at the end: Worksheet.merge_cells restyles every edge
        # cell and checks every earlier range (quadratic); the grid styles the cells itself
        ranges: list[CellRange] = []
        for block in form.blocks:
            if isinstance(block, Title):
                if block.size not in titles:
                    titles[block.size] = st["title"](block.size)
                set_value(ws.cell(row, 1), block.text, titles[block.size])
                ranges.append(CellRange(f"A{row}:{last}{row}"))
                ws.row_dimensions[row].height = block.size * 1.8
                row += 1
            elif isinstance(block, Text):
                set_value(ws.cell(row, 1), block.text, st["text-center" if block.align == "center" else "text"])
                ranges.append(CellRange(f"A{row}:{last}{row}"))
                ws.row_dimensions[row].height = max(18, block.size * 1.7)
                row += 1
            elif isinstance(block, Space):
                ws.row_dimensions[row].height = block.mm * 2.83
                row += 1
            elif isinstance(block, PageBreak):
                ws.row_breaks.append(Break(id=row - 1))
            elif isinstance(block, Grid):
                placed = place(block.rows)
                lines = [1] * len(block.rows)
                for r, col, cell in placed:
                    style = st.get((cell.kind, cell.align)) or st.get((cell.kind, "")) or st[("value", "")]
                    top = row + r
                    first = ws.cell(top, col + 1)
                    set_value(first, cell.text, style)
                    r2, c2 = top + cell.rows - 1, col + cell.span
                    for rr in range(top, r2 + 1):  # borders on every cell of a merged range
                        for cc in range(col + 1, c2 + 1):
                            if (rr, cc) != (top, col + 1):
                                ws.cell(rr, cc)._style = type(style.array)(style.array)
                    if cell.span > 1 or cell.rows > 1:
                        ranges.append(CellRange(min_row=top, min_col=col + 1, max_row=r2, max_col=c2))
                    usable = max(cell.span * XLSX_COL_WIDTH - 1.5, 1.0)
                    needed = sum(max(1, -(-int(text_width(p)) // int(usable))) for p in cell.text.split("\n"))
                    per_row = -(-max(needed, cell.lines) // cell.rows)
                    lines[r] = max(lines[r], per_row)
                for r, k in enumerate(lines):
                    ws.row_dimensions[row + r].height = k * 14.5 + 5
                row += len(block.rows)
        ws.merged_cells = MultiCellRange(ranges)
        report(progress, n + 1, len(forms), f"已写入 {n + 1}/{len(forms)}")
    with atomic_output(out) as tmp:
        wb.save(tmp)
