"""The desktop app on a real X server: Xvfb with Qt's xcb platform plugin, never `offscreen`.

The rest of the suite runs Qt offscreen, which needs none of the X libraries the real window
links; this is the test that fails when scripts/setup.sh misses one of them (Qt then stops with
'Could not load the Qt platform plugin "xcb"'). Xvfb writes its screen to a file (-fbdir), so
the test reads what the X server really shows.
"""
from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from PySide6.QtGui import QColor

from ui.list_model import ELIGIBLE_BG, ELIGIBLE_FG, INELIGIBLE_BG

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SCREEN = (1366, 768)


def read_xwd(path: Path):
    """Xvfb's -fbdir screen file (XWD, 24-bit depth in 32-bit pixels) as a QImage."""
    from PySide6.QtGui import QImage

    data = path.read_bytes()
    header = struct.unpack(">25I", data[:100])
    header_size, width, height = header[0], header[4], header[5]
    bits_per_pixel, bytes_per_line, ncolors = header[11], header[12], header[19]
    assert bits_per_pixel == 32, header
    start = header_size + ncolors * 12
    return QImage(data[start:start + bytes_per_line * height], width, height, bytes_per_line,
                  QImage.Format.Format_RGB32).copy()


def colours(image) -> set[int]:
    """The RGB values on a coarse grid (every 3rd pixel): enough to find the verdict cells."""
    found = set()
    for y in range(0, image.height(), 3):
        for x in range(0, image.width(), 3):
            found.add(image.pixel(x, y) & 0xFFFFFF)
    return found


def verdicts_written(image) -> bool:
    """符合条件 drawn in its green in the right-hand columns: the window's own (translated) words are
    on the screen, not blanked by a translation catalogue."""
    fg = ELIGIBLE_FG
    near = 0
    for y in range(image.height()):
        for x in range(image.width() - 400, image.width()):
            c = QColor(image.pixel(x, y))
            near += abs(c.red() - fg.red()) + abs(c.green() - fg.green()) + abs(c.blue() - fg.blue()) < 60
    return near > 200


@pytest.fixture
def xserver(tmp_path):
    xvfb = shutil.which("Xvfb")
    assert xvfb, "Xvfb is missing: scripts/setup.sh installs the xvfb package"
    fbdir = tmp_path / "fb"
    fbdir.mkdir()
    read_end, write_end = os.pipe()
    # -displayfd: the server picks a free display number itself and writes it to the pipe
    proc = subprocess.Popen([xvfb, "-displayfd", str(write_end), "-screen", "0", f"{SCREEN[0]}x{SCREEN[1]}x24",
                             "-fbdir", str(fbdir), "-nolisten", "tcp"],
                            pass_fds=(write_end,), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    os.close(write_end)
    with os.fdopen(read_end) as r:
        number = r.readline().strip()
    assert number.isdigit(), proc.stderr.read().decode(errors="replace") if proc.poll() is not None else number
    yield f":{number}", fbdir / "Xvfb_screen0"
    proc.terminate()
    proc.wait(timeout=10)


def app_env(display: str, home: Path) -> dict:
    env = dict(os.environ)
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "ALLIANCE_DESK_STARTUP_PROBE"):
        env.pop(name, None)
    env.update(DISPLAY=display, QT_QPA_PLATFORM="xcb", HOME=str(home), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "data"), PYTHONPATH=str(ROOT))
    return env


def demo_database(display: str, tmp_path: Path, name: str) -> tuple[Path, dict]:
    """The demo database written as scripts/run-demo.sh writes it (minus setup), and the app's environment."""
    db = tmp_path / name
    env = app_env(display, tmp_path / "home")
    subprocess.run([sys.executable, "-m", "cli", "demo", "--db", str(db)], env=env, cwd=ROOT,
                   check=True, capture_output=True, timeout=300)
    return db, env


def test_app_opens_the_demo_database_in_a_real_x_window_and_quits_cleanly(xserver, tmp_path):
    display, screen_file = xserver
    db, env = demo_database(display, tmp_path, "alliance-desk-demo.sqlite")

    app = subprocess.Popen([sys.executable, "-m", "cli", "--db", str(db)], env=env, cwd=ROOT,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lock = Path(f"{db}.lock")
    wanted = {ELIGIBLE_BG.rgb() & 0xFFFFFF, INELIGIBLE_BG.rgb() & 0xFFFFFF}
    shown = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and app.poll() is None:
            if lock.exists() and screen_file.exists():
                image = read_xwd(screen_file)
                # the list rows' verdict cells (符合条件 green, 不符合条件 red) are on the X screen
                if wanted <= colours(image):
                    shown = image
                    break
            time.sleep(0.5)
        assert app.poll() is None, app.stderr.read().decode(errors="replace")
        assert shown is not None, "the main window with the demo database never appeared on the X screen"
        assert (shown.width(), shown.height()) == SCREEN
        assert verdicts_written(shown)
        shot = tmp_path / "real-window.png"
        assert shown.save(str(shot))
        assert shot.stat().st_size > 10_000
        # the way a terminal's Ctrl+C or a logout ends it: the window closes and releases the lock
        app.send_signal(signal.SIGTERM)
        out, err = app.communicate(timeout=60)
    finally:
        if app.poll() is None:
            app.kill()
            app.wait()
    assert app.returncode == 0, err.decode(errors="replace")
    assert b"Could not load the Qt platform plugin" not in err
    assert not lock.exists()
    # the day's start-up backup, taken in the background once the list was on screen, is complete
    from db.sqlite_file import backups_dir

    taken = list(backups_dir(db).glob("*-startup-*.sqlite"))
    assert len(taken) == 1 and not list(backups_dir(db).glob("*.part")), sorted(backups_dir(db).iterdir())


def test_screenshot_path_renders_on_xcb(xserver, tmp_path):
    """`gui --screenshot` with the xcb platform: the window is created on the X server."""
    display, _ = xserver
    db, env = demo_database(display, tmp_path, "one.sqlite")
    out = tmp_path / "shot.png"
    done = subprocess.run([sys.executable, "-m", "cli", "--db", str(db), "gui", "--screenshot", str(out)],
                          env=env, cwd=ROOT, capture_output=True, timeout=180)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == SCREEN
    assert {ELIGIBLE_BG.rgb() & 0xFFFFFF, INELIGIBLE_BG.rgb() & 0xFFFFFF} <= colours(image)
    assert verdicts_written(image)
