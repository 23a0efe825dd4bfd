"""Shared fixtures of the UI tests."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings

from alliance_desk import store
from factory import eligible, uscc, variant

REGIONS = ("jinzhong", "gansu", "anshan", "ganzhou", "chongqing")


@pytest.fixture(autouse=True)
def _cjk_font(qapp):
    """Every window is drawn with the bundled CJK font, as the app draws it (no tofu in screenshots)."""
    from ui.fonts import ensure_cjk_font

    ensure_cjk_font(qapp)


@pytest.fixture
def docs(db):
    out = [eligible(r) for r in REGIONS]
    small = variant("jinzhong", "small", name="晋中市小型产业技术创新战略联盟", county="榆次区")
    small["members"] = small["members"][:3]
    small["members"][1]["name"] = "山西晋华特种钢材股份有限公司"
    small["members"][1]["uscc"] = uscc(777, "jinzhong")
    typo = variant("gansu", "typo", name="甘肃省校验位错误产业技术创新联盟", county="天水市")
    typo["members"][2]["uscc"] = uscc(3, "gansu", valid=False)
    out += [small, typo]
    store.import_documents(db, [("", d) for d in out])
    return {"all": out, "small": small, "typo": typo}


@pytest.fixture
def settings(tmp_path):
    s = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    yield s
    s.sync()
