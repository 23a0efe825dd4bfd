"""Formula-injection-safe cell writing for every Excel export (openpyxl, normal or write-only).

Any text that starts with = + - @ (or a tab or carriage return) is written as a *string* cell with
Excel's quote prefix (the ' you would type), so Excel, WPS and LibreOffice show it as text and never
evaluate it — not when the file is opened, and not when a user later edits the cell. Text equal to an
Excel error literal (#N/A …) is kept as text as well. Characters XML cannot carry (control
characters) are dropped, and text longer than Excel's cell limit is cut with an ellipsis.

    from alliance_desk.exchange.xlsx_safe import Style, safe_row, set_value

    wb = Workbook(write_only=True); ws = wb.create_sheet("表")
    body = Style(wb, font=Font(name="宋体", size=11), alignment=Alignment(wrap_text=True))
    ws.append(safe_row(ws, [1, "=HYPERLINK(…)", "联盟"], body))   # styled, safe
    ws.append(safe_row(ws, ["plain", "-5"]))                       # unstyled, still safe

    set_value(normal_ws["A1"], user_text)                            # normal (not write-only) sheets

openpyxl is imported by the functions that need it (callers import it anyway; this module stays
cheap to import).
"""
from __future__ import annotations

import re
from typing import Any, Iterable

RISKY_FIRST = frozenset("=+-@\t\r")
EXCEL_MAX_TEXT = 32767
ERROR_LITERALS = frozenset(("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A",
                            "#GETTING_DATA"))
# what XML 1.0 cannot carry (same set as openpyxl's ILLEGAL_CHARACTERS_RE)
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def is_risky(text: Any) -> bool:
    """True for text a spreadsheet could read as a formula (or an error literal)."""
    return isinstance(text, str) and bool(text) and (text[0] in RISKY_FIRST or text in ERROR_LITERALS)


def clean_text(text: str) -> str:
    if _ILLEGAL.search(text):
        text = _ILLEGAL.sub("", text)
    if len(text) > EXCEL_MAX_TEXT:
        text = text[:EXCEL_MAX_TEXT - 1] + "…"
    return text


def _prepare(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value)
    return value


class Style:
    """A cell style registered once per workbook; applying it to a cell is a cheap array copy.

    Any of font, alignment, border, fill, number_format, protection may be given."""

    def __init__(self, wb, **attrs):
        from openpyxl.cell.cell import Cell

        ws = wb.worksheets[0] if wb.worksheets else None
        proto = Cell(ws, row=1, column=1) if ws is not None else None
        if proto is None:  # a workbook without sheets: register through a detached sheet
            from openpyxl.worksheet.worksheet import Worksheet

            proto = Cell(Worksheet(wb), row=1, column=1)
        for key, value in attrs.items():
            if value is not None:
                setattr(proto, key, value)
        self.array = proto._style
        quoted = Cell(proto.parent, row=1, column=1, style_array=self.array)
        quoted.quotePrefix = True
        self.quoted_array = quoted._style


def safe_cell(ws, value: Any, style: Style | None = None):
    """A cell for `ws.append` (write-only) — text that could be a formula stays text."""
    from openpyxl.cell.cell import Cell

    value = _prepare(value)
    if is_risky(value):
        cell = Cell(ws, row=1, column=1, value=value, style_array=style.quoted_array if style else None)
        if style is None:
            cell.quotePrefix = True
        cell.data_type = "s"
        return cell
    return Cell(ws, row=1, column=1, value=value, style_array=style.array if style else None)


_FAST_UNSAFE_FIRST = frozenset("=+-@\t\r#")  # '#' for the error literals (#N/A …)


def safe_row(ws, values: Iterable[Any], style: Style | None = None, styles: list[Style | None] | None = None
             ) -> list:
    """Values ready for `ws.append`: unstyled safe values pass through untouched (fast path),
    styled or risky ones become cells. `styles` gives one style per column (None = `style`)."""
    out = []
    append = out.append
    illegal = _ILLEGAL.search
    for i, value in enumerate(values):
        st = styles[i] if styles is not None and i < len(styles) and styles[i] is not None else style
        if st is None:
            if value is None or value == "":
                append(None)
                continue
            if value.__class__ is not str or (value[0] not in _FAST_UNSAFE_FIRST and len(value) <= EXCEL_MAX_TEXT
                                               and illegal(value) is None):
                append(value)
                continue
        append(safe_cell(ws, value, st))
    return out


def _needs_clean(text: str) -> bool:
    return len(text) > EXCEL_MAX_TEXT or _ILLEGAL.search(text) is not None


def set_value(cell, value: Any, style: Style | None = None) -> None:
    """Assign `value` to a cell of a normal worksheet, safely."""
    value = _prepare(value)
    if style is not None:
        cell._style = type(style.array)(style.array)
    cell.value = value
    if is_risky(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def set_default_style(wb, font=None, border=None, alignment=None) -> bool:
    """Make the workbook's default cell format (xf 0, used by every cell written without a style)
    carry `font`, `border` and `alignment`. Call right after creating the workbook, before any
    style is registered.

    Why: in write-only mode a plain value costs a fraction of a styled cell, so a 5,000-row table
    whose body cells all look the same is written as plain values over a styled default. openpyxl
    has no public API for the default format; this sets its style tables directly (openpyxl 3.1)
    and returns False, leaving the workbook unchanged, if they are not there."""
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils.indexed_list import IndexedList

    needed = ("_fonts", "_borders", "_alignments", "_cell_styles")
    if not all(isinstance(getattr(wb, a, None), IndexedList) for a in needed) or len(wb._cell_styles) > 1:
        return False
    if font is not None:
        wb._fonts = IndexedList([font] + list(wb._fonts)[1:])
    if border is not None:
        wb._borders = IndexedList([border] + list(wb._borders)[1:])
    if alignment is not None:
        # xf 0 is written with an alignment only when its alignmentId is not 0
        aligns = IndexedList(list(wb._alignments))
        default = StyleArray()
        default.alignmentId = aligns.add(alignment)
        wb._alignments = aligns
        wb._cell_styles = IndexedList([default])
    # the "Normal" cell style carries the same format: LibreOffice formats a cell written without a
    # style by it, Excel by xf 0
    normal = next((st for st in getattr(wb, "_named_styles", []) if getattr(st, "name", "") == "Normal"), None)
    if normal is not None:
        for attr, value in (("font", font), ("border", border), ("alignment", alignment)):
            if value is not None:
                setattr(normal, attr, value)
    return True


def sheet_title(name: str, taken: Iterable[str] = ()) -> str:
    """A valid, unique sheet name (≤ 31 characters, none of []:*?/\\, not blank)."""
    base = _BAD_SHEET_CHARS.sub("_", name).strip("'").strip() or "Sheet"
    base = base[:31]
    taken_l = {t.lower() for t in taken}
    title, i = base, 2
    while title.lower() in taken_l:
        suffix = f"({i})"
        title = base[:31 - len(suffix)] + suffix
        i += 1
    return title


def cell_text(value: Any) -> str:
    """What a read cell holds as the text a clerk typed: empty for an empty cell, whole numbers
    without Excel's ".0", surrounding white space dropped."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
