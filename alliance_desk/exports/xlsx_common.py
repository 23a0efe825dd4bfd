"""Shared Excel layout for the office tables: fonts, borders, print setup (A4 landscape, header rows
repeated on every page, fitted to one page wide, page numbers in the footer), row heights.

Only imported by export functions (openpyxl is imported here at module level on purpose: nothing on
the start-up path imports this module).
"""
from __future__ import annotations

import math

from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

from alliance_desk.exchange.xlsx_safe import Style

FONT_NAME = "宋体"       # SimSun: on every Chinese Windows and in WPS; LibreOffice substitutes a CJK face
TITLE_FONT_NAME = "黑体"
LINE_HEIGHT_PT = 15.0    # one line of 11 pt text
THIN = Side(style="thin", color="000000")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


NO_BORDER = Border()


class Styles:
    """The styles of an office table, registered once per workbook.

    The workbook's default format is the table body (宋体, thin grid, wrapped, vertically centred),
    so body rows are written as plain values — the fast path of write-only mode. Everything outside
    the grid (title, notes, the line above the header) names `NO_BORDER` explicitly."""

    def __init__(self, wb, body_size: float = 11, grid_default: bool = True):
        from alliance_desk.exchange.xlsx_safe import set_default_style

        body_font = Font(name=FONT_NAME, size=body_size)
        self.grid_default = grid_default and set_default_style(
            wb, font=body_font, border=GRID, alignment=Alignment(vertical="center", wrap_text=True))
        center = Alignment(horizontal="center", vertical="center", wrap_text=True)
        left = Alignment(horizontal="left", vertical="center", wrap_text=True)
        self.title = Style(wb, font=Font(name=TITLE_FONT_NAME, size=18, bold=True), border=NO_BORDER,
                           alignment=Alignment(horizontal="center", vertical="center"))
        self.subtitle = Style(wb, font=Font(name=TITLE_FONT_NAME, size=14, bold=True), border=NO_BORDER,
                              alignment=Alignment(horizontal="center", vertical="center"))
        self.note = Style(wb, font=Font(name=FONT_NAME, size=10, italic=True, color="555555"), border=NO_BORDER,
                          alignment=Alignment(horizontal="center", vertical="center", wrap_text=True))
        self.line = Style(wb, font=body_font, border=NO_BORDER,
                          alignment=Alignment(horizontal="left", vertical="center"))
        self.line_right = Style(wb, font=body_font, border=NO_BORDER,
                                alignment=Alignment(horizontal="right", vertical="center"))
        self.header = Style(wb, font=Font(name=FONT_NAME, size=body_size, bold=True), alignment=center,
                            border=GRID)
        self.section = Style(wb, font=Font(name=FONT_NAME, size=body_size, bold=True), border=GRID,
                             alignment=Alignment(horizontal="left", vertical="center"))
        # body: None = the default format when it could be set, else an explicit style
        self.cell = None if self.grid_default else Style(wb, font=body_font, alignment=left, border=GRID)
        self.cell_center = Style(wb, font=body_font, alignment=center, border=GRID)


def setup_print(ws, widths: list[float], title_rows: str | None, landscape: bool = True) -> None:
    """Column widths and print setup; call before the first row is appended (write-only sheets)."""
    from openpyxl.utils import get_column_letter

    default = ws.parent._cell_styles[0] if len(ws.parent._cell_styles) else None
    for i, w in enumerate(widths, 1):
        dim = ws.column_dimensions[get_column_letter(i)]
        dim.width = w
        if default is not None and default.alignmentId:
            # the column's default format is the body format too: LibreOffice formats a cell written
            # without a style by its column, Excel by the workbook default (see Styles)
            dim._style = type(default)(default)
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.45
    ws.page_margins.top = 0.6
    ws.page_margins.bottom = 0.6
    ws.page_margins.header = 0.3
    ws.page_margins.footer = 0.3
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.size = 9
    if title_rows:
        ws.print_title_rows = title_rows


def text_width(text: str) -> float:
    """Width in Excel column units: a CJK character is about two digits wide. Estimated from the
    UTF-8 length (CJK = 3 bytes, ASCII = 1) — exact for those two, close enough for the rest, and
    fast enough for thousands of rows."""
    n = len(text)
    return n + (len(text.encode("utf-8")) - n) / 2


def row_height(values: list, widths: list[float], minimum: int = 1) -> float:
    """Height (pt) that shows every wrapped text of the row (set explicitly: not every spreadsheet
    program grows rows to fit wrapped text when it opens a file)."""
    lines = minimum
    for v, w in zip(values, widths):
        if v.__class__ is str and v:
            usable = w - 1.5 if w > 2.5 else 1.0
            if "\n" in v:
                n = sum(max(1, math.ceil(text_width(part) / usable)) for part in v.split("\n"))
            else:
                n = math.ceil(text_width(v) / usable) or 1
            if n > lines:
                lines = n
    return lines * LINE_HEIGHT_PT + 4


def set_row_height(ws, row: int, height: float) -> None:
    """A row's height on a write-only sheet, before the row is appended.

    openpyxl's write-only writer reads a row's attributes with `dict(row_dimensions.get(row, {}))`;
    a plain dict there costs a tenth of a RowDimension object, which matters at thousands of rows.
    Normal (not write-only) sheets get a real RowDimension."""
    if hasattr(ws, "_write_rows"):
        dict.__setitem__(ws.row_dimensions, row, {"ht": f"{height:g}", "customHeight": "1"})
    else:
        ws.row_dimensions[row].height = height


def merged(ws, ref: str) -> None:
    """Merge a range on a normal or write-only sheet."""
    from openpyxl.worksheet.cell_range import CellRange

    ws.merged_cells.add(CellRange(ref))
