"""Child process for test_autosave_kill.py: open an ApplicationEditor offscreen, type a new name,
print TYPED and idle in the event loop until the parent SIGKILLs it.

usage: python editor_child.py DB_PATH APP_ID NEW_NAME
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> int:
    db_path, app_id, new_name = sys.argv[1:4]
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication([])
    from db.session import open_database
    from ui.editor import ApplicationEditor

    db = open_database(db_path)
    editor = ApplicationEditor(db, app_id, user="child")
    editor.show()
    field = editor.widget_for("name")
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, new_name)  # synchronous: no timer has fired, nothing saved yet
    print("TYPED", editor.has_unsaved_changes(), flush=True)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
