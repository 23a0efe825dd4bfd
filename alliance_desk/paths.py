"""Where bundled resources live, in a source checkout and in a frozen build."""
from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    # PyInstaller unpacks `datas` under sys._MEIPASS.
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    # A wheel ships them inside the package (see setup.py); a checkout keeps them beside the packages.
    here = Path(__file__).resolve().parent
    installed = here / "resources"
    return installed if installed.is_dir() else here.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
