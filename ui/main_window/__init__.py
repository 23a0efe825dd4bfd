"""The main window: application list with filters, editors in tabs, the checklist dock.

Every dialog is a thin wrapper around a method that takes paths or ids (`import_json_files`,
`export_json_to`, `open_database_path`, `import_members_from`, …), so tests and scripts drive the
window without file dialogs. Database work goes through `alliance_desk` services; lists load in
the background and come back to the GUI thread through `ui.workers`. `MainWindow` (window.py) is
the shell; each seam of its work is a mixin module here (app_list, panel, database, tabs, tools,
transfer).
"""
from ui.main_window.common import APP_DISPLAY_NAME
from ui.main_window.window import MainWindow

__all__ = ["APP_DISPLAY_NAME", "MainWindow"]
