"""Print a region's form (layouts.py) as an editable Word document, blank or filled from an application.

Pairs print as label | value cells (a text field spans the row), row tables as a header row, one row
per item and blank rows to write more in, check boxes as ☐/☑ items. The region and call go in the
document's properties (category / keywords) so the reader knows the form it prints; a form without
them (retyped by the applicant) is recognised by its title.
"""
from __future__ import annotations

from pathlib import Path

from alliance_desk.exports.common import atomic_output
from alliance_desk.exports.fonts import docx_font_all_scripts
from alliance_desk.rules.packs import get_pack
from alliance_desk.forms import normalise as nz
from alliance_desk.forms.layouts import Layout, Opinion, PageBreak, Pairs, Para, Rows, Section, Title, layout_for

MARK = "alliance-desk-form"
FONT = "宋体"
WIDE_KINDS = ("lines",)
LONG_TEXT = ("goals", "cooperation_results", "research_directions")


def _value(doc: dict | None, path: str):
    if doc is None:
        return None
    node = doc
    if path.startswith("lead."):
        node = next((m for m in doc["members"] if m.get("role") == "lead"), None)
        path = path[5:]
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _rows_items(doc: dict | None, r: Rows) -> list[dict]:
    if doc is None:
        return []
    if r.key == "members":
        return [m for m in doc["members"] if r.lead or m.get("role") != "lead"]
    if r.key == "platforms":
        return [dict(p, member=m["name"]) for m in doc["members"] for p in m.get("platforms") or []]
    body = r.key.split(".")[1]
    return list((doc.get("organization") or {}).get(body) or [])


class _Doc:
    def __init__(self):
        from docx import Document
        from docx.shared import Mm, Pt

        self.d = Document()
        sec = self.d.sections[0]
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.left_margin = sec.right_margin = Mm(20)
        sec.top_margin = sec.bottom_margin = Mm(20)
        style = self.d.styles["Normal"]
        style.font.size = Pt(10.5)
        self._font(style.element)
        self.Pt = Pt

    @staticmethod
    def _font(el) -> None:
        docx_font_all_scripts(el, FONT)

    def para(self, text: str, size: float | None = None, bold: bool = False, center: bool = False) -> None:
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        for line in text.split("\n"):  # one paragraph per line: Word's own line handling stays simple
            p = self.d.add_paragraph()
            run = p.add_run(line)
            run.bold = bold
            if size:
                run.font.size = self.Pt(size)
            if center:
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def table(self, n_cols: int):
        t = self.d.add_table(rows=0, cols=n_cols)
        t.style = "Table Grid"
        return t

    @staticmethod
    def set_cell(cell, text: str, bold: bool = False, shade: bool = False) -> None:
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn

        lines = text.split("\n") if text else [""]
        cell.text = ""
        p = cell.paragraphs[0]
        for i, line in enumerate(lines):
            if i:
                p = cell.add_paragraph()
            run = p.add_run(line)
            run.bold = bold
        if shade:
            tcpr = cell._tc.get_or_add_tcPr()
            shd = OxmlElement("w:shd")
            shd.set(qn("w:val"), "clear")
            shd.set(qn("w:fill"), "F2F2F2")
            tcpr.append(shd)


def _pairs(w: _Doc, block: Pairs, doc: dict | None) -> None:
    per = block.per_row
    t = w.table(per * 2)
    row_cells: list = []

    def new_row():
        return t.add_row().cells

    for f in block.fields:
        text = nz.fmt(_value(doc, f.path), f)
        wide = f.kind in WIDE_KINDS or f.path in LONG_TEXT
        if wide:
            cells = new_row()
            w.set_cell(cells[0], f.label, bold=True, shade=True)
            merged = cells[1].merge(cells[-1])
            w.set_cell(merged, text if text else "\n\n")
            row_cells = []
            continue
        if not row_cells:
            row_cells = list(new_row())
        label_cell, value_cell = row_cells[0], row_cells[1]
        w.set_cell(label_cell, f.label, bold=True, shade=True)
        w.set_cell(value_cell, text)
        row_cells = row_cells[2:]
    _widths(t, [1.1, 1.9] * per)


TEXT_WIDTH_MM = 170
_WEIGHT = {"code": 2.6, "bool": 1.3, "int": 1.2, "money": 1.7, "number": 1.4, "date": 1.6, "choice": 1.4}


def _widths(t, weights: list[float]) -> None:
    """Column widths in proportion to `weights` over the text width (Word and LibreOffice honour
    cell widths, not the grid alone)."""
    from docx.shared import Mm

    total = sum(weights)
    t.autofit = False
    for col, wgt in zip(t.columns, weights):
        col.width = Mm(TEXT_WIDTH_MM * wgt / total)
    for row in t.rows:
        for cell, wgt in zip(row.cells, weights):
            cell.width = Mm(TEXT_WIDTH_MM * wgt / total)


def _rows(w: _Doc, block: Rows, doc: dict | None) -> None:
    w.para(block.title, bold=True)
    t = w.table(len(block.columns) + 1)
    head = t.add_row().cells
    w.set_cell(head[0], "序号", bold=True, shade=True)
    for cell, col in zip(head[1:], block.columns):
        w.set_cell(cell, col.label, bold=True, shade=True)
    items = _rows_items(doc, block)
    for i, item in enumerate(items, 1):
        cells = t.add_row().cells
        w.set_cell(cells[0], str(i))
        for cell, col in zip(cells[1:], block.columns):
            w.set_cell(cell, nz.fmt(item.get(col.path), col, boxes=False))
    for _ in range(block.blank_rows):
        t.add_row()
    _widths(t, [0.7] + [2.4 if c.path in ("name", "member", "unit") else _WEIGHT.get(c.kind, 1.8)
                        for c in block.columns])


def write_form(region: str, out: str | Path, doc: dict | None = None, call: str | None = None) -> Path:
    """Write the region's form to `out` (.docx), blank or filled from `doc`. Returns the path."""
    lay: Layout = layout_for(region)
    pack = get_pack(region)
    call = call or (doc or {}).get("call") or (pack.calls[-1].id if pack.calls else "")
    if call not in {c.id for c in pack.calls}:
        call = ""  # a call the pack does not know is not printed: the reader would not know it either
    call_name = next((c.name for c in pack.calls if c.id == call), "")
    w = _Doc()
    props = w.d.core_properties
    props.title = lay.title
    props.category = MARK
    props.keywords = f"region={region};call={call}"
    props.subject = call_name
    props.author = "Alliance Desk"
    for block in lay.blocks:
        if isinstance(block, Title):
            w.para(block.text, size=block.size, bold=True, center=True)
            if call_name:
                w.para(f"（{call_name}）", center=True)
        elif isinstance(block, Para):
            w.para(block.text, bold=block.bold)
        elif isinstance(block, Section):
            w.para(block.text, size=12, bold=True)
        elif isinstance(block, Pairs):
            _pairs(w, block, doc)
        elif isinstance(block, Rows):
            _rows(w, block, doc)
        elif isinstance(block, Opinion):
            t = w.table(1)
            w.set_cell(t.add_row().cells[0], block.text)
        elif isinstance(block, PageBreak):
            w.d.add_page_break()
    w.d.add_paragraph()  # Word ends a document with a paragraph; a closing table alone is lost by some converters
    out = Path(out)
    with atomic_output(out) as tmp:
        w.d.save(str(tmp))
    return out
