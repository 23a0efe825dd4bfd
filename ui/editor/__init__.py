"""The application editor: tabs for one application, member table, undo, validation, autosave."""
from ui.editor.editor import ApplicationEditor
from ui.editor.members import HolderTableModel, MemberTableModel, RecordTableModel

__all__ = ["ApplicationEditor", "HolderTableModel", "MemberTableModel", "RecordTableModel"]
