"""Names the main window's parts share: settings keys, sizes, the open-tab record and small text
helpers.
"""
from __future__ import annotations

import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoStack

from ui import file_dialogs

if TYPE_CHECKING:  # imported when the first application opens (start-up speed)
    from ui.checklist import ChecklistPanel
    from ui.editor import ApplicationEditor
MAX_RECENT = 8
SEARCH_DELAY_MS = 120
LIST_WIDTH_WITH_EDITOR = 380

K_GEOMETRY, K_STATE, K_HEADER = "window/geometry", "window/state", "list/header"
K_SPLITTER, K_RECENT, K_USER = "window/splitter", "recentDatabases", "user/name"
K_SHOW_CHECKLIST, K_SHOW_LIST = "view/checklist", "view/list"

# X11 and Windows append this to window titles unless they already end with it (ui/app.py sets it)
APP_DISPLAY_NAME = "Alliance Desk"


def _as_bool(value, default: bool) -> bool:
    if value is None:
        return default
    if isinstance(value, str):
        return value.lower() in ("true", "1", "yes")
    return bool(value)



@dataclass
class _Open:
    """An application open in a tab."""
    app_id: str
    editor: ApplicationEditor
    panel: ChecklistPanel
    undo_stack: QUndoStack



def _short(title: str, n: int = 18) -> str:
    return title if len(title) <= n else title[:n - 1] + "…"


def _safe_name(name: str) -> str:
    return file_dialogs.safe_file_name(name) or "申报"


def _login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name in some sandboxes
        return ""

