import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests import factory/strategies helpers

import pytest  # noqa: E402


@pytest.fixture
def db(tmp_path):
    """A fresh, migrated SQLite database file for each test."""
    from db.session import open_database

    database = open_database(tmp_path / "test.sqlite")
    yield database
    database.dispose()
