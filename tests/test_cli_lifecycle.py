"""`alliance-desk decide | stage | lifecycle …` on a real SQLite file: output, JSON, exit codes,
Chinese refusals that write nothing, and wiring into the main parser with `register`."""
from __future__ import annotations

import argparse
import hashlib
import json
import sqlite3
import subprocess
import sys

import pytest

from alliance_desk import store
import cli
from cli import lifecycle as cli_lifecycle
from factory import eligible


def file_digest(path) -> str:
    con = sqlite3.connect(path)
    rows = [(t, sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())))
            for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name").fetchall()]
    con.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def with_db(argv: list[str], path: str) -> list[str]:
    """Put `--db PATH` right after the (sub)command name."""
    n = 2 if argv[0] == "lifecycle" else 1
    return argv[:n] + ["--db", path] + argv[n:]


@pytest.fixture
def dbfile(tmp_path, db):
    docs = [eligible(r) for r in ("anshan", "gansu")]
    store.import_documents(db, [("", d) for d in docs])
    return str(db.engine.url.database), {d["region"]: d["id"] for d in docs}


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def test_anshan_walk_decide_record_and_due_json(dbfile, capsys):
    path, ids = dbfile
    an = ids["anshan"]
    for stage, on in (("apply", "2024-06-03"), ("county_review", "2024-06-10"), ("expert_review", "2024-06-20"),
                      ("director_meeting", "2024-06-28"), ("publicity", "2024-07-01")):
        code, out, _ = run(capsys, "stage", "--db", path, "--application", an, "--to", stage, "--on", on)
        assert code == 0
    assert out.strip() == "「测试精品钢材产业技术创新联盟」：局长办公会 → 公示（推进，2024-07-01，鞍山市科学技术局）"
    code, out, _ = run(capsys, "decide", "--db", path, "--application", an, "--outcome", "recognized",
                       "--on", "2024-07-10", "--doc-no", "鞍科发〔2024〕30号")
    assert code == 0
    assert out.splitlines() == ["「测试精品钢材产业技术创新联盟」：认定（2024-07-10，文号 鞍科发〔2024〕30号）",
                                "有效期至 2029-07-09"]
    code, out, _ = run(capsys, "stage", "--db", path, "--application", an, "--to", "issue", "--on", "2024-07-20",
                       "--by", "王科长", "--note", "证书 2024-001")
    assert out.strip().endswith("认定 → 批复与证书（推进，2024-07-20，王科长：证书 2024-001）")

    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2024-12-15", "--json")
    items = json.loads(out)
    assert code == 0 and [(i["alliance"], i["kind"], i["due"], i["status"]) for i in items] == [
        (an, "summary", "2024-12-31", "due")]
    assert items[0]["clause"] == "002 § 第十一条" and items[0]["period"] == 2024

    code, out, _ = run(capsys, "lifecycle", "record", "--db", path, "--alliance", an, "--kind", "summary",
                       "--on", "2024-12-20", "--by", "张三")
    assert code == 0 and out.splitlines()[0] == \
        "已登记：「测试精品钢材产业技术创新联盟」2024 年度 年度技术创新活动总结和下一年度计划（2024-12-20）"
    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2024-12-15", "--json")
    assert len(json.loads(out)) == 1  # as of 15 December the summary of the 20th has not arrived yet
    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2024-12-21", "--json")
    assert json.loads(out) == []

    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2027-07-01", "--json")
    assert [(i["kind"], i["due"], i["status"]) for i in json.loads(out)] == [
        ("summary", "2025-12-31", "overdue"), ("summary", "2026-12-31", "overdue"), ("mid_term", "2027-07-09", "due")]
    code, out, _ = run(capsys, "lifecycle", "record", "--db", path, "--alliance", an, "--kind", "mid_term",
                       "--on", "2027-07-05", "--result", "较差", "--score", "52")
    assert code == 0
    assert out.splitlines()[1:] == ["→ 期中考核评估较差：已给予告诫，限期于 2027-10-03 前整改（002 § 第十二条）",
                                    "当前状态：已告诫·限期整改"]
    code, out, _ = run(capsys, "lifecycle", "show", "--db", path, "--alliance", an, "--on", "2027-07-06", "--json")
    shown = json.loads(out)
    assert shown["state"] == "warned" and shown["expires_on"] == "2029-07-09"
    assert shown["procedure"]["current"] == "issue" and len(shown["procedure"]["transitions"]) == 7
    code, out, _ = run(capsys, "lifecycle", "dashboard", "--db", path, "--on", "2027-07-06", "--json")
    dash = json.loads(out)
    assert [a["alliance"] for a in dash["at_risk"]] == [an] and "告诫" in dash["at_risk"][0]["reason"]


def test_gansu_change_report_and_assessment_via_cli(dbfile, capsys):
    path, ids = dbfile
    gs = ids["gansu"]
    code, out, _ = run(capsys, "decide", "--db", path, "--application", gs, "--outcome", "approved",
                       "--on", "2024-09-10")
    assert code == 0 and out.splitlines()[1] == "不设有效期（按年度义务和考核管理）"
    code, out, _ = run(capsys, "lifecycle", "record", "--db", path, "--alliance", gs, "--kind", "change",
                       "--on", "2025-04-01", "--result", "牵头单位重组")
    assert code == 0 and out.splitlines()[:2] == [
        "已登记：「测试先进制造产业技术创新联盟」重大调整（牵头单位重组）（2025-04-01）",
        "→ 新增事项：重大调整报备（牵头单位重组），应于 2025-12-31 前完成（001 § 四4）"]
    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2025-12-10", "--json")
    assert [(i["kind"], i["due"], i["status"]) for i in json.loads(out)] == [
        ("summary", "2025-02-28", "overdue"), ("assessment", "2025-12-31", "due"),
        ("change_report", "2025-12-31", "due")]
    code, out, _ = run(capsys, "lifecycle", "record", "--db", path, "--alliance", gs, "--kind", "assessment",
                       "--on", "2025-12-12", "--result", "fail", "--score", "45")
    assert "→ 两年一次考核（2025 年）不合格；连续两次考核不合格将取消资格（001 § 四3）" in out.splitlines()
    code, out, _ = run(capsys, "lifecycle", "due", "--db", path, "--on", "2026-01-05")
    assert out.splitlines() == ["2025-02-28  已逾期  测试先进制造产业技术创新联盟  2024 年度 上一年度工作总结  [001 § 四3]",
                                "2025-12-31  已逾期  测试先进制造产业技术创新联盟  2025-04-01 重大调整 "
                                "重大调整报备（牵头单位重组）  [001 § 四4]"]


@pytest.mark.parametrize("argv,lines", [
    (["decide", "--application", "{an}", "--outcome", "recognized", "--on", "2024-02-30"],
     ["--on：「2024-02-30」不是有效日期（应为 YYYY-MM-DD）"]),
    (["decide", "--application", "nope", "--outcome", "recognized", "--on", "2024-07-10"],
     ["没有 id 为 nope 的联盟（申报）"]),
    (["decide", "--application", "{an}", "--outcome", "pilot", "--on", "2024-07-10"],
     ["鞍山市不作「试点」决定；可作的决定：认定（recognized）、不予认定（rejected）"]),
    (["stage", "--application", "{an}", "--to", "publicity", "--on", "2024-07-01"],
     ["办理程序须从「提交申请」开始，不能直接到「公示」：须先经过「提交申请」、「县区审查推荐」、「专家评审」、「局长办公会」"
      "（002 § 第九条1）"]),
    (["stage", "--application", "{an}", "--to", "nowhere"],
     ["「nowhere」不是鞍山市办理程序中的步骤；可选：apply（提交申请）、county_review（县区审查推荐）、expert_review（专家评审）、"
      "director_meeting（局长办公会）、publicity（公示）、recognition（认定）、issue（批复与证书）"]),
    (["lifecycle", "record", "--alliance", "ghost", "--kind", "summary", "--on", "2025-01-01"],
     ["没有 id 为 ghost 的联盟（申报）"]),
    (["lifecycle", "record", "--alliance", "{an}", "--kind", "summary", "--on", "2025-01-01"],
     ["「测试精品钢材产业技术创新联盟」尚未认定（还没有记录决定），不能登记「年度技术创新活动总结和下一年度计划」"]),
    (["lifecycle", "record", "--alliance", "{an}", "--kind", "summary", "--on", "20250101", "--score", "x",
      "--items", "[1]"],
     ["--on：「20250101」不是有效日期（应为 YYYY-MM-DD）", "--score：「x」不是数字",
      "--items：应为 JSON 对象，如 {\"benchmark\": 10}，实际「[1]」"]),
    (["lifecycle", "due", "--on", "2025-01-01", "--within", "-3"], ["--within 不能为负数"]),
])
def test_invalid_input_exits_2_with_one_chinese_line_per_problem(dbfile, capsys, argv, lines):
    path, ids = dbfile
    before = file_digest(path)
    code, out, err = run(capsys, *with_db([a.replace("{an}", ids["anshan"]) for a in argv], path))
    assert code == 2 and out == ""
    assert err.splitlines() == lines
    assert file_digest(path) == before


def test_back_without_note_is_refused_then_accepted_with_one(dbfile, capsys):
    path, ids = dbfile
    an = ids["anshan"]
    run(capsys, "stage", "--db", path, "--application", an, "--to", "apply", "--on", "2024-06-03")
    run(capsys, "stage", "--db", path, "--application", an, "--to", "county_review", "--on", "2024-06-10")
    code, _, err = run(capsys, "stage", "--db", path, "--application", an, "--to", "apply", "--on", "2024-06-11")
    assert code == 2 and err.splitlines() == ["退回到「提交申请」须填写说明"]
    code, out, _ = run(capsys, "stage", "--db", path, "--application", an, "--to", "apply", "--on", "2024-06-11",
                       "--note", "材料不全，退回补正")
    assert code == 0 and "县区审查推荐 → 提交申请（退回，2024-06-11，联盟发起单位：材料不全，退回补正）" in out


def test_register_wires_into_the_main_parser(dbfile, capsys):
    """What the lead's one line in cli.build_parser does: `COMMANDS.update(cli_lifecycle.register(sub))`;
    a top-level `--db` before the subcommand is kept."""
    path, ids = dbfile
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    handlers = cli_lifecycle.register(sub) if "decide" not in sub.choices else \
        {k: cli.COMMANDS[k] for k in ("decide", "stage", "lifecycle")}
    assert set(handlers) == {"decide", "stage", "lifecycle"}
    args = parser.parse_args(["--db", path, "decide", "--application", ids["gansu"], "--outcome", "approved",
                              "--on", "2024-09-10"])
    assert handlers[args.command](args) == 0
    assert "批复成立（2024-09-10）" in capsys.readouterr().out
    with pytest.raises(SystemExit) as exc:  # argparse errors stay Chinese and exit 2
        parser.parse_args(["lifecycle", "record", "--alliance", "x"])
    assert exc.value.code == 2 and "参数错误" in capsys.readouterr().err


def test_a_real_process_prints_json_and_never_a_traceback(dbfile):
    path, ids = dbfile
    cmd = [sys.executable, "-m", "cli"]
    p = subprocess.run(cmd + ["decide", "--db", path, "--application", ids["anshan"], "--outcome", "recognized",
                              "--on", "2021-03-01"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    p = subprocess.run(cmd + ["lifecycle", "due", "--db", path, "--on", "2024-03-01", "--json"],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0 and [(i["kind"], i["due"]) for i in json.loads(p.stdout)] == [
        ("summary", "2021-12-31"), ("summary", "2022-12-31"), ("summary", "2023-12-31"), ("mid_term", "2024-02-29")]  # 2021-03-01 + 3 years − 1 day
    p = subprocess.run(cmd + ["lifecycle", "record", "--db", path, "--alliance", ids["anshan"], "--kind", "final",
                              "--on", "2024-03-01", "--result", "pass"], capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and "Traceback" not in p.stderr and "没有待登记的「期满运行综合评估（期末）」" in p.stderr
