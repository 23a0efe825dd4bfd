"""The score chart of the officer's review screen: one bar group per application, one bar per
expert's score, the aggregate marked.
"""
from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QWidget

from alliance_desk import review as rv
from alliance_desk.review import scoring

from ui.review.common import SERIES_COLORS, _fmt, _t


class ScoreChart(QWidget):
    """Grouped bars: for each application (in rank order), every expert's total; a dark line marks
    the aggregate; a red label marks disagreement. Drawn with QPainter (QtCharts is not part of
    PySide6-Essentials)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.groups: list[tuple[str, list[tuple[str, float]], float | None, bool, int | None]] = []
        self.experts: list[str] = []
        self.maximum = 100.0
        self.method_label = ""
        self.setMinimumSize(480, 300)

    def set_summary(self, sm: rv.Summary | None) -> None:
        self.groups, self.experts = [], []
        if sm is not None:
            self.maximum = sm.round.template.total
            self.method_label = scoring.METHOD_LABELS[sm.method]
            self.experts = [e.name for e in sm.experts]
            for a in sm.aggregates:
                bars = [(e.name, sm.scores[(a.application, e.id)].total) for e in sm.experts
                        if (a.application, e.id) in sm.scores]
                self.groups.append((sm.app(a.application).name, bars, a.value, a.flagged, a.rank))
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(900, 420)

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("white"))
        fm = QFontMetrics(self.font())
        if not self.groups:
            p.setPen(QColor("#777777"))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, _t("还没有评分"))
            return
        left, right, top, bottom = 46, 16, 34 + fm.height(), 20 + 2 * fm.height() + 8
        w, h = self.width() - left - right, self.height() - top - bottom
        # legend
        x = left
        for i, name in enumerate(self.experts):
            color = SERIES_COLORS[i % len(SERIES_COLORS)]
            p.fillRect(QRectF(x, 10, 12, 12), color)
            p.setPen(QColor("#333333"))
            p.drawText(int(x + 16), 10 + fm.ascent() - 1, name)
            x += 16 + fm.horizontalAdvance(name) + 14
        p.setPen(QPen(QColor("#333333"), 2))
        p.drawLine(int(x), 16, int(x + 18), 16)
        p.drawText(int(x + 22), 10 + fm.ascent() - 1, _t("汇总分") + f"（{self.method_label}）")
        # axes and grid
        step = 20 if self.maximum >= 60 else 10 if self.maximum >= 20 else 1
        v = 0.0
        while v <= self.maximum + 1e-9:
            y = top + h - h * v / self.maximum
            p.setPen(QPen(QColor("#e0e0e0"), 1))
            p.drawLine(left, int(y), left + w, int(y))
            p.setPen(QColor("#555555"))
            p.drawText(QRectF(0, y - fm.height() / 2, left - 6, fm.height()),
                       int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), scoring.fmt(v))
            v += step
        p.setPen(QPen(QColor("#555555"), 1))
        p.drawLine(left, top + h, left + w, top + h)
        gw = w / len(self.groups)
        color_of = {n: SERIES_COLORS[i % len(SERIES_COLORS)] for i, n in enumerate(self.experts)}
        for gi, (label, bars, value, flagged, rank) in enumerate(self.groups):
            gx = left + gi * gw
            inner = gw * 0.8
            bw = inner / max(1, len(bars))
            for bi, (expert, total) in enumerate(bars):
                bh = h * min(total, self.maximum) / self.maximum
                p.fillRect(QRectF(gx + gw * 0.1 + bi * bw + 1, top + h - bh, bw - 2, bh), color_of[expert])
            if value is not None:
                y = top + h - h * value / self.maximum
                p.setPen(QPen(QColor("#222222"), 2))
                p.drawLine(int(gx + gw * 0.06), int(y), int(gx + gw * 0.94), int(y))
                p.drawText(QRectF(gx, y - fm.height() - 2, gw, fm.height()), int(Qt.AlignmentFlag.AlignHCenter),
                           _fmt(value))
            p.setPen(QColor("#b71c1c") if flagged else QColor("#333333"))
            text = (f"{rank}. " if rank else "") + label + (" ⚠" if flagged else "")
            rect = QRectF(gx + 2, top + h + 6, gw - 4, 2 * fm.height() + 2)
            p.drawText(rect, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap),
                       text)
        p.end()


# ------------------------------------------------------------------ dialogs
