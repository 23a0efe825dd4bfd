"""ReportLab font registration: the bundled Noto Sans SC (TrueType outlines, SIL OFL 1.1).

Every PDF this app writes embeds a subset of resources/fonts/NotoSansSC_400Regular.ttf, so it prints
the same on any machine. No 仿宋 / 小标宋 / 黑体 / 楷体 face may be bundled (licences), so the bundled face
stands in for all of them; bold, italic and bold-italic map to the same face (ReportLab's <b> then
still works).

Registration parses the 10 MB font once per process (about 0.1–0.2 s) and is cached.

Word documents name their faces instead (the reader's machine supplies them): `docx_font_all_scripts`
sets one face for every script of a run or style, Chinese included.
"""
from __future__ import annotations

import threading

from alliance_desk.paths import resource

FONT_NAME = "NotoSansSC"
FONT_FILE = "NotoSansSC_400Regular.ttf"
# The ideographic em box of Noto Sans SC: its top lies 0.88 em above the baseline, its bottom 0.12 em
# below (OS/2 sTypoAscender/sTypoDescender = 880/-120). Layouts that place the top of a line of
# Chinese text (GB/T 9704 type area) use these, not the taller hhea ascender.
EM_TOP = 0.88
EM_BOTTOM = 0.12

_lock = threading.Lock()
_registered = False


def font_path() -> str:
    return str(resource("fonts", FONT_FILE))


def register() -> str:
    """Register the bundled CJK font with ReportLab (once) and return its name."""
    global _registered
    if _registered:
        return FONT_NAME
    with _lock:
        if not _registered:
            from reportlab.lib.fonts import addMapping
            from reportlab.pdfbase import pdfmetrics
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont(FONT_NAME, font_path()))
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(FONT_NAME, bold, italic, FONT_NAME)
            _registered = True
    return FONT_NAME


def string_width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, register(), size)


def docx_font_all_scripts(element, name: str) -> None:
    """Name `name` for every script of a python-docx run or style element: `font.name` alone sets only
    the Latin faces, and Chinese text is drawn with the w:eastAsia one."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)
