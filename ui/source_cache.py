"""Keep PySide6 from holding the source text of every module the app imports.

PySide6 hooks `import`: for each Python module imported after it, it asks whether the module's
source mentions "PySide6" (for its opt-in `__feature__` switches), with `inspect.getsource`. That
goes through `linecache`, which keeps every line of every such module for the rest of the run:
SQLAlchemy, Alembic, openpyxl and the app itself, about 26 MB once a database is open (measured at
50,000 applications, where the memory target is 300 MB). The same question is answered here by
reading the file's bytes once, without keeping them; the lines already cached are dropped.

`install()` is idempotent. The check is PySide6's private helper; when a PySide6 release no longer
has it, nothing is replaced and only the one-off clearing of the cache remains.
"""
from __future__ import annotations

import linecache
import sys

_MARK = "_alliance_desk_reads_bytes"


def install() -> bool:
    """Replace PySide6's check (True when replaced now or before) and empty linecache."""
    import PySide6.QtCore  # noqa: F401 - loads the import hook and its helper module

    feature = sys.modules.get("PySide6.support.feature") or sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    replaced = False
    if original is not None:
        replaced = getattr(original, _MARK, False)
        if not replaced:
            feature._mod_uses_pyside = _reads_bytes(original)
            replaced = True
    linecache.clearcache()
    return replaced


def _reads_bytes(original):
    def uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return original(module)  # no plain source file: PySide6's own way (it says False)
        try:
            with open(path, "rb") as fh:
                return b"PySide6" in fh.read()
        except OSError:
            return False

    setattr(uses_pyside, _MARK, True)
    return uses_pyside
