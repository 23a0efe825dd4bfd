"""Shared fixtures of the UI tests."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _cjk_font(qapp):
    """Every window is drawn with the bundled CJK font, as the app draws it (no tofu in screenshots)."""
    from ui.fonts import ensure_cjk_font

    ensure_cjk_font(qapp)
