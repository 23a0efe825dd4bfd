"""ui.source_cache: PySide6's import hook still learns which modules mention PySide6, but the
source of every imported module is no longer kept in linecache."""
from __future__ import annotations

import linecache
import sys


def test_modules_imported_after_install_are_judged_without_keeping_their_source(tmp_path, monkeypatch):
    from ui import source_cache

    (tmp_path / "sc_uses_qt.py").write_text("# built on PySide6\nX = 1\n", encoding="utf-8")
    (tmp_path / "sc_plain.py").write_text("Y = 2\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    linecache.getlines(__file__)  # something cached before: install() empties the cache
    assert source_cache.install() is True   # this PySide6 still has the helper it replaces
    assert linecache.cache == {}
    assert source_cache.install() is True   # idempotent
    import sc_plain  # noqa: F401 - an import statement: it goes through PySide6's hook
    import sc_uses_qt  # noqa: F401
    feature = sys.modules.get("PySide6.support.feature") or sys.modules["shibokensupport.feature"]
    assert feature.pyside_feature_dict["sc_uses_qt"] == 0      # may use PySide6's feature switches
    assert feature.pyside_feature_dict["sc_plain"] == -1       # ignored by them
    assert not [k for k in linecache.cache if "sc_" in k]
