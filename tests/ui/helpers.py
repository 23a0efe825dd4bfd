"""Helpers the UI tests share: a shown main window on a database, Chinese typed through the input
method, and the export dialog over the demo data."""
from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from alliance_desk import demo, store
from tests.ui.editor_helpers import edit_member_cell as open_member_cell


def make_window(qtbot, db, settings: QSettings, show: bool = True):
    """A main window on `db`, shown and with its list and search index loaded."""
    from ui.main_window import MainWindow

    w = MainWindow(db, settings)
    qtbot.addWidget(w)
    if show:
        w.show()
        qtbot.waitExposed(w)
    if db is not None:
        qtbot.waitUntil(lambda: w.index_ready, timeout=10000)
    return w


def commit_text(widget, text: str) -> None:
    """Chinese arrives from the input method as a commit string (QTest.keyClicks is ASCII only)."""
    ev = QInputMethodEvent("", [])
    ev.setCommitString(text)
    QApplication.sendEvent(widget, ev)


def export_dialog_on_demo(qtbot, db, **options):
    """The export dialog for chongqing, shown, over the demo applications stored in `db`."""
    from ui.exports import ExportDialog

    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    dlg = ExportDialog(db, region="chongqing", **options)
    qtbot.addWidget(dlg)
    dlg.show()
    qtbot.waitExposed(dlg)
    return dlg


def edit_member_cell(editor, row: int, field: str):
    """Open the cell editor of member `row`'s `field` in the editor's member table, text selected."""
    assert editor.focus_field(f"members[{row}].{field}")
    return open_member_cell(editor, row, field)[1]
