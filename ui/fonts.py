"""Make sure Chinese text renders: register the bundled Noto Sans SC when the system has no CJK font."""
from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

BUNDLED_FONT = "NotoSansSC_400Regular.ttf"
POINT_SIZE = 10

_registered: str | None = None


def _bundled_path() -> str:
    from alliance_desk.paths import resource

    return str(resource("fonts", BUNDLED_FONT))


def ensure_cjk_font(app: QApplication) -> str:
    """Return the family used for Chinese text. If no installed family supports Simplified Chinese,
    register the bundled font (once per process) and make it the application font at 10 pt."""
    global _registered
    if _registered is None:
        sc = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
        if sc:
            default = app.font().family()
            return default if default in sc else sc[0]
        font_id = QFontDatabase.addApplicationFont(_bundled_path())
        families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
        if not families:  # unreadable file: keep Qt's default rather than fail to start
            return app.font().family()
        _registered = families[0]
    font = QFont(_registered)
    font.setPointSize(POINT_SIZE)
    app.setFont(font)
    return _registered
