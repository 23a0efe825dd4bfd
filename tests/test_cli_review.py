"""`alliance-desk review …` end to end: a Ganzhou round scored through the command line with five
experts, two conflicts refused, sheets filled with openpyxl as an expert would, a tampered sheet and
a sheet of another round refused, the summary checked against hand-computed trimmed means."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from openpyxl import load_workbook

import cli
from test_review import EXPECTED_RANK, EXPECTED_TRIMMED, EXPERTS, TOTALS, Scenario, ganzhou_app
from test_score_sheets import fill


def run(capsys, *args) -> tuple[int, str, str]:
    """Run one command in-process, exactly as `alliance-desk …` would."""
    argv = [str(a) for a in args]
    try:
        code = cli.main(argv)
    except SystemExit as exc:          # argparse refuses the arguments themselves
        code = exc.code
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_ganzhou_round_end_to_end_through_the_cli(tmp_path, capsys):
    from alliance_desk import exchange
    from alliance_desk.review import scoring

    db = tmp_path / "office.sqlite"
    files = []
    for i, k in enumerate("ABC", 1):
        p = tmp_path / f"{k}.json"
        exchange.write_file(ganzhou_app(k, i), p)
        files.append(p)
    code, out, err = run(capsys, "import", "--db", db, *files)
    assert code == 0, err

    experts = {}
    for k, (name, unit, fld) in EXPERTS.items():
        extra = ["--uscc", ganzhou_app("A", 1)["members"][2]["uscc"]] if k == "E1" else []
        code, out, err = run(capsys, "review", "expert", "add", "--db", db, "--name", name, "--unit", unit,
                             "--field", fld, *extra)
        assert code == 0, err
        experts[k] = out.strip()
    code, out, err = run(capsys, "review", "round", "create", "--db", db, "--region", "ganzhou",
                         "--call", "ganzhou-2022", "--name", "2022年联合体组建专家评审", "--template", "GZ-FORMATION")
    assert code == 0, err
    rid = out.strip()
    sc = Scenario(None, rid, {k: ganzhou_app(k, i)["id"] for i, k in enumerate("ABC", 1)}, experts)

    # automatic balanced assignment: two conflicts refused with reasons
    code, out, err = run(capsys, "review", "assign", "--db", db, "--round", rid, "--auto", "--per-application", 4)
    assert code == 0, err
    result = json.loads(out)
    refused = {(sc.app_key(c["application"]), sc.expert_key(c["expert"])): c for c in result["refused"]}
    assert set(refused) == {("A", "E1"), ("B", "E2")}
    assert refused[("A", "E1")]["kind"] == "member_uscc" and "统一社会信用代码" in refused[("A", "E1")]["reason"]
    assert refused[("B", "E2")]["kind"] == "council" and "理事会" in refused[("B", "E2")]["reason"]
    assert len(result["assignments"]) == 12 and result["shortfalls"] == []
    assert sorted(v["count"] for v in result["loads"].values()) == [2, 2, 2, 3, 3]
    # a conflicted pair cannot be forced by hand; the fifth expert on C can
    code, out, err = run(capsys, "review", "assign", "--db", db, "--round", rid, "--application", sc.apps["A"],
                         "--expert", experts["E1"])
    assert code == 2 and "存在回避关系" in err and "统一社会信用代码" in err
    on_c = {sc.expert_key(a["expert"]) for a in result["assignments"] if a["application"] == sc.apps["C"]}
    missing = (set(experts) - on_c).pop()
    code, out, err = run(capsys, "review", "assign", "--db", db, "--round", rid, "--application", sc.apps["C"],
                         "--expert", experts[missing])
    assert code == 0, err

    # one score sheet per expert, filled as the expert would
    code, out, err = run(capsys, "review", "sheets", "--db", db, "--round", rid, "--out", tmp_path / "sheets")
    assert code == 0, err
    paths = [p for p in out.splitlines() if p.endswith(".xlsx")]
    assert len(paths) == 5
    from test_score_sheets import sheets_by_expert

    sheets = sheets_by_expert(sc, paths)
    tpl = scoring.get_template("ganzhou", "GZ-FORMATION")

    # a tampered copy (a row's application changed) and a sheet of another round
    tampered = tmp_path / "tampered.xlsx"
    shutil.copy(fill(sheets["E5"], sc, tpl), tampered)
    wb = load_workbook(tampered)
    wb["评分"]["B3"] = "赣州稀土功能材料产业科技创新联合体"
    wb.save(tampered)
    code, out, err = run(capsys, "review", "round", "create", "--db", db, "--region", "ganzhou",
                         "--call", "ganzhou-2022", "--name", "第二轮")
    rid2 = out.strip()
    run(capsys, "review", "assign", "--db", db, "--round", rid2, "--auto", "--per-application", 1)
    code, out, err = run(capsys, "review", "sheets", "--db", db, "--round", rid2, "--out", tmp_path / "round2")
    other_round = out.splitlines()[0]

    for k in ("E1", "E2", "E3", "E4", "E5"):
        code, out, err = run(capsys, "review", "import", "--db", db, fill(sheets[k], sc, tpl), "--round", rid)
        assert code == 0, err
        assert "新增" in out
    code, out, err = run(capsys, "review", "import", "--db", db, tampered, "--round", rid)
    assert code == 2 and "工作表「评分」第 3 行 B 列（联盟名称）" in err and "申报行被改动" in err
    code, out, err = run(capsys, "review", "import", "--db", db, other_round, "--round", rid)
    assert code == 2 and "另一评审轮次" in err

    # importing the same file again changes nothing
    code, out, err = run(capsys, "review", "summary", "--db", db, "--round", rid, "--json")
    before = json.loads(out)
    code, out, err = run(capsys, "review", "import", "--db", db, sheets["E3"])
    assert code == 0 and "新增 0 份，更新 0 份，未变 3 份" in out
    code, out, err = run(capsys, "review", "summary", "--db", db, "--round", rid, "--json")
    summary = json.loads(out)
    assert summary == before

    # the summary against hand-computed trimmed means
    assert summary["method"] == "trimmed" and summary["template"] == "GZ-FORMATION" and summary["official"]
    apps = {sc.app_key(a["id"]): a for a in summary["applications"]}
    for k in "ABC":
        assert apps[k]["trimmed"] == pytest.approx(EXPECTED_TRIMMED[k], abs=1e-4)
        assert apps[k]["value"] == apps[k]["trimmed"] and apps[k]["rank"] == EXPECTED_RANK[k]
    assert apps["C"]["n"] == 5 and apps["A"]["n"] == 4 and apps["B"]["n"] == 4
    assert apps["B"]["flagged"] and apps["B"]["range"] == 35
    totals_c = sorted(s["total"] for s in apps["C"]["scores"])
    assert totals_c == sorted(v for (a, _), v in TOTALS.items() if a == "C")
    code, out, err = run(capsys, "review", "summary", "--db", db, "--round", rid, "--json", "--method", "median")
    med = {sc.app_key(a["id"]): a for a in json.loads(out)["applications"]}
    assert (med["A"]["value"], med["B"]["value"], med["C"]["value"]) == (85, 70.5, 86)
    code, out, err = run(capsys, "review", "summary", "--db", db, "--round", rid)
    assert code == 0 and "赣州电子信息产业科技创新联合体" in out.splitlines()[1] and "⚠" in out
    code, out, err = run(capsys, "review", "export-summary", "--db", db, "--round", rid, "--out", tmp_path / "s.xlsx")
    assert code == 0 and (tmp_path / "s.xlsx").exists()


def test_invalid_input_exits_2_with_one_line_per_problem(tmp_path, capsys):
    from alliance_desk.review import scoring
    from alliance_desk.review.score_sheets import write_sheet
    from db.session import open_database
    from test_review import build

    db_path = tmp_path / "office.sqlite"
    database = open_database(db_path)
    sc = build(database)
    sheet = write_sheet(database, sc.round_id, sc.experts["E3"], tmp_path / "e3.xlsx")
    database.dispose()
    tpl = scoring.get_template("ganzhou")
    fill(sheet, sc, tpl)
    wb = load_workbook(sheet)
    ws = wb["评分"]
    ws["C2"], ws["D3"], ws["U4"] = 7, "优秀", None
    wb.save(sheet)
    code, out, err = run(capsys, "review", "import", "--db", db_path, sheet)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 3
    assert lines[0] == f"{sheet.name}：工作表「评分」第 2 行 C 列（人员就位及岗位设置情况（4分））：7 分超过该项满分 4 分"
    assert "第 3 行 D 列（办公场所情况，能否满足办公需求（6分））：「优秀」不是数字" in lines[1]
    assert "第 4 行 U 列（评审意见）：须填写评审意见" in lines[2]

    cases = [
        (["review", "round", "create", "--region", "ganzhou", "--call", "nope", "--name", "x"], "申报批次「nope」不属于赣州市"),
        (["review", "round", "create", "--region", "mars", "--call", "x", "--name", "x"], "没有地区「mars」的规则包"),
        (["review", "expert", "add", "--name", "", "--unit", "某单位"], "专家姓名不能为空"),
        (["review", "assign", "--round", sc.round_id], "请指定 --auto"),
        (["review", "assign", "--round", "no-such-round", "--auto"], "没有 id 为 no-such-round 的评审轮次"),
        (["review", "summary", "--round", sc.round_id, "--method", "best"], "未知的汇总方法「best」"),
        (["review", "import", tmp_path / "missing.txt"], "只能导入 Excel 评分表（.xlsx）或签名评分文件（.adpkg）"),
        (["review", "draw", "--round", sc.round_id, "--count", "三"], "「三」不是整数"),
    ]
    for args, needle in cases:
        code, out, err = run(capsys, *args[:3], "--db", db_path, *args[3:]) if args[1] in ("round", "expert") \
            else run(capsys, *args[:2], "--db", db_path, *args[2:])
        assert code == 2 and needle in err, (args, err)


def test_entry_point_runs_in_a_fresh_process(tmp_path):
    """The command as a clerk types it: Chinese output, exit codes, never a traceback."""
    db = tmp_path / "office.sqlite"
    base = [sys.executable, "-m", "cli"]
    p = subprocess.run(base + ["review", "round", "create", "--db", str(db), "--region", "gansu",
                               "--call", "gansu-standing", "--name", "甘肃组建审核"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    rid = p.stdout.strip()
    p = subprocess.run(base + ["review", "summary", "--db", str(db), "--round", rid, "--json"],
                       capture_output=True, text=True, timeout=60)
    data = json.loads(p.stdout)
    assert data["template_label"] == "产业联盟组建专家会议审核评分表（本单位自定模板）" and data["official"] is False
    p = subprocess.run(base + ["review", "import", "--db", str(db), str(tmp_path / "nothing.xlsx")],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "nothing.xlsx：文件不存在" in p.stderr
