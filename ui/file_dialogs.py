"""File pickers that open where the clerk last was: one remembered folder per kind of file
(databases, application JSON, member sheets, exported documents, review files), kept in the app's
QSettings under `folders/<kind>`. The first time, a kind starts in the home folder.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QWidget

GROUP = "folders"


def safe_file_name(text: str) -> str:
    """`text` as a file name on every system: characters Windows refuses become "_"."""
    return "".join("_" if c in '<>:"/\\|?*\n\r\t' else c for c in text).strip()


def _settings(settings: QSettings | None) -> QSettings:
    return settings if settings is not None else QSettings()


def last_folder(kind: str, settings: QSettings | None = None) -> Path:
    """The folder last used for `kind` (the home folder before the first use or when it is gone)."""
    saved = _settings(settings).value(f"{GROUP}/{kind}", "", str)
    folder = Path(saved) if saved else Path.home()
    return folder if folder.is_dir() else Path.home()


def remember(kind: str, path: str | Path, settings: QSettings | None = None) -> None:
    """Keep the folder of `path` (a file) or `path` itself (a folder) for the next picker of `kind`."""
    p = Path(path)
    folder = p if p.is_dir() else p.parent
    s = _settings(settings)
    s.setValue(f"{GROUP}/{kind}", str(folder))
    s.sync()


def open_file(parent: QWidget | None, kind: str, title: str, filters: str,
              settings: QSettings | None = None) -> str:
    path, _ = QFileDialog.getOpenFileName(parent, title, str(last_folder(kind, settings)), filters)
    if path:
        remember(kind, path, settings)
    return path


def open_files(parent: QWidget | None, kind: str, title: str, filters: str,
               settings: QSettings | None = None) -> list[str]:
    paths, _ = QFileDialog.getOpenFileNames(parent, title, str(last_folder(kind, settings)), filters)
    if paths:
        remember(kind, paths[0], settings)
    return paths


def save_file(parent: QWidget | None, kind: str, title: str, name: str, filters: str,
              settings: QSettings | None = None, suffix: str = "") -> str:
    """Ask where to save `name`; the chosen path gets `suffix` when the clerk left it off."""
    path, _ = QFileDialog.getSaveFileName(parent, title, str(last_folder(kind, settings) / name), filters)
    if path:
        if suffix and not path.lower().endswith(suffix.lower()):
            path += suffix
        remember(kind, path, settings)
    return path


def directory(parent: QWidget | None, kind: str, title: str, settings: QSettings | None = None) -> str:
    path = QFileDialog.getExistingDirectory(parent, title, str(last_folder(kind, settings)))
    if path:
        remember(kind, path, settings)
    return path
