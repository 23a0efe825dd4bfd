"""Helpers the editor's UI tests share: an editor with a checklist panel attached, and opening a
member table cell's editor."""
from __future__ import annotations

from alliance_desk import store
from factory import eligible
from ui.checklist import ChecklistPanel


def editor_with_panel(qtbot, db, region, doc=None, user="张三", size=(950, 700), wait_for="panel"):
    """A stored application (`doc`, else an eligible one of `region`) open in an editor, with a
    ChecklistPanel attached; both shown at `size` (the panel 420 wide)."""
    from ui.editor import ApplicationEditor

    if doc is None:
        doc = eligible(region)
        store.import_documents(db, [("", doc)])
    editor = ApplicationEditor(db, doc["id"], user=user)
    panel = ChecklistPanel()
    qtbot.addWidget(editor)
    qtbot.addWidget(panel)
    editor.attach_checklist(panel)
    editor.resize(*size)
    panel.resize(420, size[1])
    editor.show()
    panel.show()
    qtbot.waitExposed(panel if wait_for == "panel" else editor)
    return editor, panel, doc


def edit_member_cell(editor, row: int, key: str):
    """Open the cell editor of member `row`, column `key`, with its text selected: (index, widget)."""
    editor.focus_field(f"members[{row}].{key}")
    view, model = editor.members_panel.view, editor.member_model
    idx = model.index(row, model.column_of(key))
    view.edit(idx)
    cell_editor = view.indexWidget(idx)
    assert cell_editor is not None
    cell_editor.selectAll()
    return idx, cell_editor
