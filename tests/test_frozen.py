"""The frozen one-folder build (PyInstaller, build.spec) works on its own: version, schema and rule
packs, Alembic migrations, the PostgreSQL driver, Excel and PDF exports with the bundled font, and a
headless window screenshot. Slow; run by `bash scripts/build.sh` after it builds the bundle.

Uses the bundle at ALLIANCE_DESK_FROZEN or dist/AllianceDesk/AllianceDesk[.exe]; without one the
tests are skipped, saying so (building takes minutes, so the ordinary test run does not build)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from alliance_desk import __version__, demo, exchange

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bundle() -> Path:
    exe = "AllianceDesk.exe" if sys.platform == "win32" else "AllianceDesk"
    path = Path(os.environ.get("ALLIANCE_DESK_FROZEN") or ROOT / "dist" / "AllianceDesk" / exe)
    if not path.is_file():
        pytest.skip(f"no frozen build at {path}: bash scripts/build.sh builds it and runs these tests")
    return path


def run(bundle: Path, *args, cwd=None, timeout=180) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("ALLIANCE_DESK_DATABASE_URL", None)
    env.pop("PYTHONPATH", None)  # the bundle must not lean on the checkout
    return subprocess.run([str(bundle), *map(str, args)], capture_output=True, text=True, encoding="utf-8",
                          env=env, cwd=cwd or bundle.parent.parent, timeout=timeout)


def test_version(bundle):
    r = run(bundle, "--version")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"Alliance Desk {__version__}"


def test_info_the_bundle_carries_the_fast_validator_packs_and_font(bundle, tmp_path):
    r = run(bundle, "info", "--json", "--db", tmp_path / "x.sqlite")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["frozen"] == "打包程序" and info["version"] == f"Alliance Desk {__version__}"
    assert info["fast_validation"].startswith("可用"), info["fast_validation"]
    assert info["packs"].count("（") == 5 and info["font"].startswith("NotoSansSC")
    assert info["qt"][0].isdigit(), info["qt"]  # the bundle carries the package metadata


def test_validate_and_check_use_the_bundled_schema_and_packs(bundle, tmp_path):
    doc = next(d for d in demo.demo_applications() if d["region"] == "ganzhou")
    good = tmp_path / "good.json"
    exchange.write_file(doc, good)
    r = run(bundle, "check", good, "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["application"] == doc["id"] and out["region"] == "ganzhou" and out["items"]
    assert all(i["clause"].startswith("003 § ") for i in out["items"] if i["clause"])
    bad = dict(doc, members=[dict(doc["members"][0], kind="company")] + doc["members"][1:])
    (tmp_path / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    r = run(bundle, "validate", tmp_path / "bad.json")
    assert r.returncode == 2 and "members[0].kind" in r.stderr and "不是允许的取值" in r.stderr


def test_database_exports_and_screenshot(bundle, tmp_path):
    db = tmp_path / "office.sqlite"
    r = run(bundle, "demo", "--db", db)  # runs the bundled Alembic migrations, then imports
    assert r.returncode == 0, r.stderr
    xlsx = tmp_path / "推荐汇总表.xlsx"
    r = run(bundle, "export", "recommendation-table", "--db", db, "--region", "chongqing", "--call", "chongqing-2022",
            "-o", xlsx)
    assert r.returncode == 0, r.stderr
    from openpyxl import load_workbook

    ws = load_workbook(xlsx, read_only=True).worksheets[0]
    assert any("创新联盟名称" in str(c) for row in ws.iter_rows(values_only=True) for c in row if c)
    pdf = tmp_path / "申请表.pdf"
    r = run(bundle, "export", "application-form", "--db", db, "--region", "ganzhou", "-o", pdf)
    assert r.returncode == 0, r.stderr
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    fonts = reader.pages[0]["/Resources"]["/Font"].get_object()
    names = [str(ref.get_object().get("/BaseFont")) for ref in fonts.values()]
    assert any("Noto" in n for n in names), names  # the bundled font, embedded
    assert "申请" in reader.pages[0].extract_text()

    shot = tmp_path / "out.png"
    r = run(bundle, "gui", "--db", db, "--screenshot", shot)
    assert r.returncode == 0, r.stderr
    from PySide6.QtGui import QImage

    img = QImage(str(shot))
    assert (img.width(), img.height()) == (1366, 768)
    colours = {img.pixel(x, y) for x in range(0, 1366, 7) for y in range(0, 768, 7)}
    assert len(colours) > 20  # a drawn window with text, not a blank frame


def test_postgresql_driver_is_bundled(bundle, pg_server, tmp_path):
    name = pg_server.fresh()
    try:
        url = pg_server.url_of(name)
        doc = next(d for d in demo.demo_applications() if d["region"] == "anshan")
        f = tmp_path / "a.json"
        exchange.write_file(doc, f)
        r = run(bundle, "import", f, "--db", url)
        assert r.returncode == 0 and "新增 1 份" in r.stdout, r.stderr
        r = run(bundle, "check-db", "--db", url, "--json")
        assert r.returncode == 0, r.stderr
        assert [x["application"] for x in json.loads(r.stdout)] == [doc["id"]]
    finally:
        pg_server.drop(name)


def test_unused_qt_modules_are_left_out(bundle):
    folder = bundle.parent
    names = [p.name for p in folder.rglob("*")]
    for unwanted in ("QtWebEngine", "Qt6Quick", "Qt6Qml", "Qt6Pdf", "Qt63D", "Qt6Multimedia", "Qt6Designer"):
        assert not [n for n in names if unwanted in n], unwanted
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 400 * 2**20, f"bundle is {size / 2**20:.0f} MB"
