"""Small status icons drawn with QPainter (no image files, crisp at any scale)."""
from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QIcon, QPainter, QPainterPath, QPen, QPixmap

STATUS_COLORS = {
    "pass": QColor("#2e7d32"),
    "fail": QColor("#c62828"),
    "warn": QColor("#ef8f00"),
    "manual": QColor("#1565c0"),
    "na": QColor("#9e9e9e"),
}

_cache: dict[tuple[str, int], QIcon] = {}


def _pixmap(size: int) -> QPixmap:
    ratio = 2.0
    pm = QPixmap(int(size * ratio), int(size * ratio))
    pm.setDevicePixelRatio(ratio)
    pm.fill(Qt.GlobalColor.transparent)
    return pm


def _drawn(key: tuple[str, int], draw) -> QIcon:
    """The icon `draw(painter, size)` paints, drawn once per (name, size)."""
    if key in _cache:
        return _cache[key]
    size = key[1]
    pm = _pixmap(size)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    draw(p, float(size))
    p.end()
    icon = QIcon(pm)
    _cache[key] = icon
    return icon


def status_icon(status: str, size: int = 18) -> QIcon:
    """✓ green pass, ✗ red fail, ! amber warn, ? blue manual, – grey na: a filled circle with a white mark."""
    return _drawn((status, size), lambda p, s: _draw_status(p, s, status))


def _draw_status(p: QPainter, s: float, status: str) -> None:
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(STATUS_COLORS.get(status, STATUS_COLORS["na"]))
    p.drawEllipse(QRectF(0.5, 0.5, s - 1, s - 1))
    pen = QPen(QColor("white"), max(1.6, s * 0.12), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap,
               Qt.PenJoinStyle.RoundJoin)
    p.setPen(pen)
    p.setBrush(Qt.BrushStyle.NoBrush)
    if status == "pass":
        path = QPainterPath(QPointF(s * 0.27, s * 0.52))
        path.lineTo(QPointF(s * 0.44, s * 0.69))
        path.lineTo(QPointF(s * 0.74, s * 0.34))
        p.drawPath(path)
    elif status == "fail":
        p.drawLine(QPointF(s * 0.32, s * 0.32), QPointF(s * 0.68, s * 0.68))
        p.drawLine(QPointF(s * 0.68, s * 0.32), QPointF(s * 0.32, s * 0.68))
    elif status == "warn":
        p.drawLine(QPointF(s * 0.5, s * 0.24), QPointF(s * 0.5, s * 0.58))
        p.setBrush(QColor("white"))
        p.drawPoint(QPointF(s * 0.5, s * 0.76))
    elif status == "manual":
        path = QPainterPath(QPointF(s * 0.35, s * 0.38))
        path.cubicTo(QPointF(s * 0.35, s * 0.18), QPointF(s * 0.66, s * 0.18), QPointF(s * 0.66, s * 0.38))
        path.cubicTo(QPointF(s * 0.66, s * 0.52), QPointF(s * 0.5, s * 0.5), QPointF(s * 0.5, s * 0.62))
        p.drawPath(path)
        p.drawPoint(QPointF(s * 0.5, s * 0.79))
    else:  # na
        p.drawLine(QPointF(s * 0.3, s * 0.5), QPointF(s * 0.7, s * 0.5))


def warning_icon(size: int = 14) -> QIcon:
    """An amber triangle with '!' for invalid table cells."""
    return _drawn(("cell-warning", size), _draw_warning)


def _draw_warning(p: QPainter, s: float) -> None:
    tri = QPainterPath(QPointF(s * 0.5, s * 0.06))
    tri.lineTo(QPointF(s * 0.96, s * 0.92))
    tri.lineTo(QPointF(s * 0.04, s * 0.92))
    tri.closeSubpath()
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor("#d84315"))
    p.drawPath(tri)
    p.setPen(QPen(QColor("white"), max(1.4, s * 0.12), Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    p.drawLine(QPointF(s * 0.5, s * 0.36), QPointF(s * 0.5, s * 0.62))
    p.drawPoint(QPointF(s * 0.5, s * 0.79))


def bold(font: QFont) -> QFont:
    f = QFont(font)
    f.setBold(True)
    return f
