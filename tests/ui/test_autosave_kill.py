"""Killing the process right after typing loses at most the last second (autosave, SQLite WAL)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from alliance_desk import store
from db.session import open_database
from factory import eligible, stored_file

CHILD = Path(__file__).with_name("editor_child.py")


@pytest.mark.slow
def test_sigkill_after_typing_keeps_the_typed_name(tmp_path):
    path = tmp_path / "kill.sqlite"
    doc = eligible("jinzhong")
    stored_file(path, doc)
    new_name = "Jinzhong New Energy Vehicle Alliance 2024"

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen([sys.executable, str(CHILD), str(path), doc["id"], new_name],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    lines: list[str] = []
    typed = threading.Event()

    def read():
        for line in child.stdout:
            lines.append(line)
            if line.startswith("TYPED"):
                typed.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        if not typed.wait(60):
            child.kill()
            pytest.fail("child never typed: " + "".join(lines) + child.stderr.read())
        assert lines[-1].split() == ["TYPED", "True"]  # unsaved when TYPED was printed
        time.sleep(1.5)
        assert child.poll() is None, child.stderr.read()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        assert child.returncode == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    db = open_database(path)
    try:
        with db.Session() as s:
            draft = store.load_draft(s, doc["id"])
        assert draft.doc["name"] == new_name
        assert draft.version > 1
    finally:
        db.dispose()
