"""The application editor: tabs for one application, member table, undo, validation, autosave."""
from .editor import ApplicationEditor
from .members import HolderTableModel, MemberTableModel, RecordTableModel

__all__ = ["ApplicationEditor", "HolderTableModel", "MemberTableModel", "RecordTableModel"]
