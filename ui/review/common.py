"""Shared bits of the officer's review screen: the translation context, the grid's state colours, the
chart's series colours and the number format.
"""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QColor

from alliance_desk.review import scoring


TRIM_FALLBACK_FG = QColor("#b35c00")


def _t(text: str) -> str:
    return QCoreApplication.translate("ReviewRoundWidget", text)


STATE_COLORS = {"assigned": QColor("#d6eaff"), "scored": QColor("#c8e6c9"), "conflict": QColor("#f8d7da"),
                "conflict_assigned": QColor("#f5b7b1"), "free": QColor("#ffffff")}
SERIES_COLORS = [QColor(c) for c in ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948",
                                     "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")]


def _fmt(x) -> str:
    return "—" if x is None else scoring.fmt(round(x, 2))
