"""The document, package, key and calendar subcommands as a clerk's script calls them."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from alliance_desk import demo, store
import cli
from cli import documents as cli_documents
from cli import main

ROOT = Path(__file__).resolve().parents[1]


def run(capsys, *argv):
    try:
        code = main([str(a) for a in argv])
    except SystemExit as exc:  # argparse refuses the arguments themselves (exit 2, Chinese message)
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize("start,n,end", [
    ("2025-09-28", 5, "2025-10-10"),
    ("2025-09-30", 5, "2025-10-13"),
    ("2025-10-01", 1, "2025-10-09"),
    ("2025-10-08", 3, "2025-10-11"),
    ("2025-09-26", 2, "2025-09-28"),
])
def test_publicity_end_across_national_day(capsys, start, n, end):
    code, out, err = run(capsys, "calendar", "publicity-end", start, n)
    assert (code, out.strip(), err) == (0, end, "")


def test_publicity_end_refuses_years_without_data(capsys):
    from alliance_desk.lifecycle.workdays import library_years

    last = max(library_years())  # 2026 with chinese-calendar 1.11: 2027 has no data
    code, out, err = run(capsys, "calendar", "publicity-end", f"{last}-12-28", 10)
    assert code == 2 and out == "" and str(last + 1) in err
    code, out, err = run(capsys, "calendar", "publicity-end", f"{last + 4}-05-06", 1)
    assert code == 2 and str(last + 4) in err
    code, out, err = run(capsys, "calendar", "publicity-end", f"{last}-12-28", 5, "--unit", "calendar")
    assert (code, out.strip()) == (0, f"{last + 1}-01-01")  # calendar days need no holiday data
    code, out, err = run(capsys, "calendar", "publicity-end", "2025-13-01", 5)
    assert code == 2 and "不是 YYYY-MM-DD" in err
    code, out, err = run(capsys, "calendar", "publicity-end", "2025-09-30", 0)
    assert code == 2


def test_stored_calendar_via_db(tmp_path, capsys):
    db = tmp_path / "c.sqlite"
    code, out, _ = run(capsys, "calendar", "publicity-end", "2025-09-30", 5, "--db", db)
    assert (code, out.strip()) == (0, "2025-10-13")
    code, _, err = run(capsys, "calendar", "publicity-end", "2026-12-28", 5, "--db", db)
    assert code == 2 and "2027" in err and "set-year" in err
    code, out, err = run(capsys, "calendar", "set-year", 2027, "--holiday", "2027-01-01..2027-01-03=元旦",
                         "--holiday", "2027-02-06..2027-02-12=春节", "--workday", "2027-02-14=春节",
                         "--note", "测试", "--db", db)
    assert code == 0 and "节假日 10 天" in out and "调休上班 1 天" in out
    code, out, _ = run(capsys, "calendar", "publicity-end", "2026-12-28", 5, "--db", db)
    assert (code, out.strip()) == (0, "2027-01-04")
    code, out, _ = run(capsys, "--db", db, "calendar", "publicity-end", "2027-02-05", 2)
    assert (code, out.strip()) == (0, "2027-02-14")  # Friday, then the make-up Sunday after the holiday
    code, out, _ = run(capsys, "calendar", "show", 2027, "--db", db)
    assert code == 0 and "2027-02-14  周日  调休上班  春节" in out
    code, out, _ = run(capsys, "calendar", "years", "--db", db)
    assert "2027  本单位录入" in out and "2025  程序库预置" in out
    code, _, err = run(capsys, "calendar", "set-year", 2027, "--workday", "2027-02-15", "--db", db)
    assert code == 2 and "本来就是工作日" in err
    code, out, _ = run(capsys, "calendar", "show", 2025)
    assert "2025-10-11  周六  调休上班  国庆节" in out


@pytest.fixture
def demo_db(tmp_path):
    from db.session import open_database

    path = tmp_path / "demo.sqlite"
    db = open_database(path)
    store.import_documents(db, [("", d) for d in demo.demo_applications()])
    db.dispose()
    return path


def test_export_commands(demo_db, tmp_path, capsys):
    out = tmp_path / "cq.xlsx"
    code, stdout, err = run(capsys, "export", "recommendation-table", "--db", demo_db, "--region", "chongqing",
                            "--call", "chongqing-2022", "-o", out, "--contact", "张敏", "--phone", "023-1")
    assert code == 0 and "3 份" in stdout, err
    ws = load_workbook(out).active
    assert ws["A3"].value == "序号" and ws["E2"].value == "联系人：张敏 023-1"

    gz = next(d for d in demo.demo_applications() if d["region"] == "ganzhou")
    out = tmp_path / "gz.xlsx"
    code, _, err = run(capsys, "export", "member-table", "--db", demo_db, "--region", "ganzhou",
                       "--application", gz["id"], "-o", out)
    assert code == 0, err
    assert load_workbook(out).sheetnames == ["成员单位表", "理事及秘书处名单", "专家咨询委员会名单"]

    out = tmp_path / "form.pdf"
    code, stdout, err = run(capsys, "export", "application-form", "--db", demo_db, "--region", "ganzhou",
                            "--application", gz["id"], "-o", out)
    assert code == 0 and gz["name"] in PdfReader(str(out)).pages[2].extract_text().replace("\n", "")

    anshan = [d for d in demo.demo_applications() if d["region"] == "anshan"][:2]
    out = tmp_path / "notice.pdf"
    args = ("export", "notice", "--db", demo_db, "--region", "anshan", "--call", "anshan-2024",
            "--application", anshan[0]["id"], anshan[1]["id"], "--start", "2025-09-30", "-o", out)
    code, stdout, err = run(capsys, *args)  # neither was recommended (no step of the procedure yet)
    assert code == 2 and not out.exists()
    assert f"「{anshan[0]['name']}」：未经推荐" in err and "--override-reason" in err
    code, stdout, err = run(capsys, *args, "--override-reason", "市局会议决定提前公示")
    assert code == 0, err
    assert "强制列入（理由：市局会议决定提前公示）" in stdout
    assert "公示期：2025年9月30日至2025年10月13日（5个工作日）" in stdout
    text = "".join(p.extract_text() for p in PdfReader(str(out)).pages).replace("\n", "")
    assert anshan[0]["name"] in text and anshan[1]["name"] in text

    out = tmp_path / "certs.pdf"
    args = ("export", "certificates", "--db", demo_db, "--region", "anshan", "--application", anshan[0]["id"],
            "--recognized-on", "2024-07-01", "-o", out)
    code, stdout, err = run(capsys, *args)
    assert code == 2 and "没有记录认定决定" in err and not out.exists()
    assert run(capsys, "decide", "--db", demo_db, "--application", anshan[0]["id"], "--outcome", "recognized",
               "--on", "2024-07-01", "--doc-no", "鞍科发〔2024〕8号")[0] == 0
    code, stdout, err = run(capsys, *args)
    assert code == 0 and "AS-2024-001" in stdout, err

    # refusals: exit 2 with a sentence
    code, _, err = run(capsys, "export", "notice", "--db", demo_db, "--region", "anshan", "--call", "anshan-2024",
                       "-o", tmp_path / "n.pdf")
    assert code == 2 and "公示阶段" in err
    code, _, err = run(capsys, "export", "recommendation-table", "--db", demo_db, "--region", "anshan",
                       "-o", tmp_path / "t.pdf")
    assert code == 2 and ".xlsx" in err
    code, _, err = run(capsys, "export", "recommendation-table", "--db", demo_db, "--region", "nowhere",
                       "-o", tmp_path / "t.xlsx")
    assert code == 2 and "nowhere" in err


def test_package_and_keys_commands(demo_db, tmp_path, capsys):
    city = tmp_path / "city.sqlite"
    pkg = tmp_path / "up.adpkg"
    code, _, err = run(capsys, "package", "export", "--db", demo_db, "--region", "chongqing", "--call",
                       "chongqing-2022", "-o", pkg)
    assert code == 2 and "keys init" in err and not pkg.exists()
    code, out, _ = run(capsys, "keys", "init", "--office", "两江新区经济运行局", "--db", demo_db)
    assert code == 0 and "指纹" in out
    code, out, _ = run(capsys, "package", "export", "--db", demo_db, "--region", "chongqing", "--call",
                       "chongqing-2022", "-o", pkg)
    assert code == 0 and "3 份申报" in out
    code, _, err = run(capsys, "package", "import", "--db", city, pkg)
    assert code == 2 and "未登记为可信" in err and "数据库未作任何修改" in err
    keyfile = tmp_path / "county.key"
    assert run(capsys, "keys", "export", "--db", demo_db, "-o", keyfile)[0] == 0
    assert json.loads(keyfile.read_text(encoding="utf-8"))["office"] == "两江新区经济运行局"
    code, out, _ = run(capsys, "keys", "trust", keyfile, "--db", city)
    assert code == 0 and "两江新区经济运行局" in out
    code, out, _ = run(capsys, "package", "verify", "--db", city, pkg)
    assert code == 0 and "校验通过" in out
    code, out, _ = run(capsys, "package", "import", "--db", city, pkg)
    assert code == 0 and "新增 3 份" in out
    code, out, _ = run(capsys, "package", "import", "--db", city, pkg)
    assert code == 0 and "新增 0 份，更新 3 份" in out
    code, out, _ = run(capsys, "keys", "list", "--db", city)
    assert "两江新区经济运行局" in out
    fp = out.split()[2]
    assert run(capsys, "keys", "remove", fp[:10], "--db", city)[0] == 0
    code, _, err = run(capsys, "package", "import", "--db", city, pkg)
    assert code == 2


def test_printer_calibration_commands(demo_db, tmp_path, capsys):
    code, out, _ = run(capsys, "certificates", "calibrate", "--printer", "HP", "--dx", "2.5", "--dy", "-1",
                       "--db", demo_db)
    assert code == 0 and "+2.5" in out
    code, out, _ = run(capsys, "certificates", "printers", "--db", demo_db)
    assert "HP  x=+2.5 mm  y=-1.0 mm" in out
    sheet = tmp_path / "cal.pdf"
    assert run(capsys, "certificates", "calibration-sheet", "--printer", "HP", "-o", sheet, "--db", demo_db)[0] == 0
    assert "套打校准页" in PdfReader(str(sheet)).pages[0].extract_text()
    code, _, err = run(capsys, "certificates", "calibrate", "--printer", "HP", "--dx", "99", "--dy", "0",
                       "--db", demo_db)
    assert code == 2 and "超出范围" in err


def test_register_plugs_into_alliance_desk(capsys):
    import argparse

    handlers = cli_documents.register(argparse.ArgumentParser().add_subparsers())
    assert set(handlers) == {"export", "package", "keys", "calendar", "certificates"}
    parser = cli.build_parser()
    args = parser.parse_args(["calendar", "publicity-end", "2025-09-30", "5"])
    assert cli.COMMANDS["calendar"] is cli_documents.dispatch
    assert cli.COMMANDS["calendar"](args) == 0
    assert capsys.readouterr().out.strip() == "2025-10-13"


@pytest.mark.slow
def test_real_process_exit_codes(tmp_path):
    env_cmd = [sys.executable, "-m", "cli", "calendar", "publicity-end"]
    ok = subprocess.run(env_cmd + ["2025-09-28", "5"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert ok.returncode == 0 and ok.stdout.strip() == "2025-10-10"
    bad = subprocess.run(env_cmd + ["2026-12-30", "3"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert bad.returncode == 2 and "2027" in bad.stderr
    assert date.fromisoformat(ok.stdout.strip())
