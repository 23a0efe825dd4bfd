"""The form model shared by the application-form tables and their two renderers: rows of cells on
a 24-column grid (cells with column and row spans, kinds label | value | head | section | box),
the blocks a form is made of, the cell-text helpers (numbers, dates, ticked boxes) and the
placement of cells on the grid that both the PDF and the workbook use."""
from __future__ import annotations

from dataclasses import dataclass, field

from alliance_desk.exports.common import LEVEL_RANK, fmt_num, lead

COLS = 24
MAX_MAIN_MEMBERS = 5
RESEARCH_SERVICE_KINDS = ("research_institute", "university", "intermediary", "testing", "industry_association",
                          "financial")
TICK, BOX = "■", "□"


# ------------------------------------------------------------------ the form model

@dataclass
class C:
    """One cell: text, spans (columns on the 24-grid, rows), kind: label | value | head | section | box."""
    text: str = ""
    span: int = 1
    kind: str = "value"
    rows: int = 1
    lines: int = 1          # minimum height in text lines
    align: str = ""         # "", "left", "center", "right"


@dataclass
class Grid:
    rows: list[list[C]]
    ruled: bool = True   # False: no grid lines (a cover page's fill-in lines)


@dataclass
class Title:
    text: str
    size: float = 16


@dataclass
class Text:
    text: str
    align: str = "left"
    size: float = 10.5


@dataclass
class Space:
    mm: float = 4


@dataclass
class PageBreak:
    pass


@dataclass
class Form:
    name: str          # sheet name and PDF bookmark
    blocks: list = field(default_factory=list)


def _v(value, unit: str = "") -> str:
    s = fmt_num(value) if not isinstance(value, str) else value
    return f"{s} {unit}".strip() if s and unit else s


def _date(iso: str | None, blank: str = "     年    月    日") -> str:
    if not iso:
        return blank
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def _box(flag: bool | None, text: str) -> str:
    return f"{TICK if flag else BOX}{text}"


def _phones(person: dict | None) -> str:
    if not person:
        return ""
    return " ".join(x for x in (person.get("phone"), person.get("mobile")) if x)


def _lead_platform_text(doc: dict) -> str:
    ld = lead(doc)
    plats = sorted(ld.get("platforms") or [], key=lambda p: LEVEL_RANK.get(p.get("level"), 9))
    return plats[0]["name"] if plats else ""


def _level_count(doc: dict, levels: tuple[str, ...]) -> int:
    return sum(1 for m in doc["members"] for p in m.get("platforms") or [] if p.get("level") in levels)


# ------------------------------------------------------------------ grid placement (shared)

def place(rows: list[list[C]]) -> list[tuple[int, int, C]]:
    """(row, first column, cell) for every cell, skipping columns covered by row spans above."""
    covered: dict[tuple[int, int], bool] = {}
    out = []
    for r, row in enumerate(rows):
        col = 0
        for cell in row:
            while covered.get((r, col)):
                col += 1
            out.append((r, col, cell))
            for rr in range(r, r + cell.rows):
                for cc in range(col, col + cell.span):
                    covered[(rr, cc)] = True
            col += cell.span
        while covered.get((r, col)):
            col += 1
        if col != COLS:
            raise ValueError(f"form row {r} spans {col} columns, not {COLS}: {[c.text for c in row]}")
    return out
