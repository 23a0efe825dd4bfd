"""The command-line contract: validate / check / import / export-json, as a clerk's script would call them."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from alliance_desk import exchange
from cli import main
from factory import eligible


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, doc, name="app.json", bom=False, raw=None):
    p = tmp_path / name
    text = raw if raw is not None else json.dumps(doc, ensure_ascii=False, indent=2)
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


@pytest.mark.parametrize("bom", [False, True])
def test_validate_ok_with_and_without_bom(tmp_path, capsys, bom):
    code, out, err = run(capsys, "validate", write(tmp_path, eligible("jinzhong"), bom=bom))
    assert code == 0 and "符合交换格式" in out and err == ""


def _broken(mutator):
    doc = eligible("jinzhong")
    mutator(doc)
    return doc


MALFORMED = [
    ("unknown key", lambda d: d["systems"].__setitem__("charterr", True), "systems.charterr: 未知字段"),
    ("wrong enum", lambda d: d["members"][3].__setitem__("kind", "company"),
     "members[3].kind: \"company\" 不是允许的取值"),
    ("wrong type", lambda d: d["organization"]["secretariat"].__setitem__("full_time_staff", "三"),
     "organization.secretariat.full_time_staff: 应为整数"),
    ("bool as int", lambda d: d.__setitem__("tech_staff_total", True), "tech_staff_total: 应为整数"),
    ("missing required", lambda d: d["agreement"].pop("sealed"), "agreement.sealed: 缺少必填字段"),
    ("missing top", lambda d: d.pop("county"), "county: 缺少必填字段"),
    ("negative count", lambda d: d["members"][2].__setitem__("employees", -3), "members[2].employees: 不能小于 0"),
    ("bad date", lambda d: d["agreement"].__setitem__("expires_on", "2026-02-30"),
     "agreement.expires_on: \"2026-02-30\" 不是有效的日期"),
    ("slash date", lambda d: d.__setitem__("established_on", "2021/03/01"), "established_on: "),
    ("bad submitted_at", lambda d: d.__setitem__("submitted_at", "2023-09-30 18:00"),
     "submitted_at: \"2023-09-30 18:00\" 不是 YYYY-MM-DDTHH:MM"),
    ("impossible submitted_at", lambda d: d.__setitem__("submitted_at", "2023-02-30T10:00"),
     "submitted_at: \"2023-02-30T10:00\" 不是有效的日期时间"),
    ("two leads", lambda d: d["members"][1].__setitem__("role", "lead"), "members: 必须恰有一个牵头单位"),
    ("no lead", lambda d: d["members"][0].__setitem__("role", "core"), "members: 必须恰有一个牵头单位"),
    ("short name", lambda d: d.__setitem__("name", "联盟"), "name: 长度至少 4 个字符"),
    ("bad uuid", lambda d: d.__setitem__("id", "not-a-uuid"), "id: \"not-a-uuid\" 不是有效的 UUID"),
    ("wrong format", lambda d: d.__setitem__("format", "x"), "format: 应为 \"alliance-desk/application@1\""),
    ("wrong region", lambda d: d.__setitem__("region", "beijing"), "region: \"beijing\" 不是允许的取值"),
]


@pytest.mark.parametrize("command", ["validate", "check"])
@pytest.mark.parametrize("label,mutator,expected", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_gives_exit_2_and_path(tmp_path, capsys, command, label, mutator, expected):
    code, out, err = run(capsys, command, write(tmp_path, _broken(mutator)), *(["--json"] if command == "check" else []))
    assert code == 2
    assert expected in err, err
    assert "Traceback" not in err and out == ""


@pytest.mark.parametrize("raw,expected", [
    ('{"format": "alliance-desk/application@1",\n  "id": }', "第 2 行第 9 列：JSON 格式错误"),
    ("", "第 1 行第 1 列：JSON 格式错误"),
    ("[1, 2]", "（根）: 应为对象"),
    ('{"a": NaN}', "NaN"),
    ('{"name": "甲乙丙丁", "name": "x"}', "重复的键"),
])
@pytest.mark.parametrize("command", ["validate", "check"])
def test_broken_json(tmp_path, capsys, command, raw, expected):
    code, out, err = run(capsys, command, write(tmp_path, None, raw=raw))
    assert code == 2 and expected in err, err


@pytest.mark.parametrize("command", ["validate", "check"])
def test_not_utf8_and_missing_file(tmp_path, capsys, command):
    p = tmp_path / "gbk.json"
    p.write_bytes(json.dumps(eligible("gansu"), ensure_ascii=False).encode("gbk"))
    code, _, err = run(capsys, command, p)
    assert code == 2 and "UTF-8" in err
    code, _, err = run(capsys, command, tmp_path / "nope.json")
    assert code == 2 and "无法读取文件" in err


def test_several_problems_one_line_each(tmp_path, capsys):
    doc = eligible("jinzhong")
    doc["members"][3]["kind"] = "company"
    doc["systems"]["x"] = True
    doc.pop("county")
    code, _, err = run(capsys, "validate", write(tmp_path, doc))
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 3
    assert any(ln.startswith(f"{tmp_path / 'app.json'}: county") for ln in lines)


def test_check_json_contract(tmp_path, capsys):
    doc = eligible("jinzhong")
    doc["members"][5]["uscc"] = doc["members"][5]["uscc"][:-1] + ("0" if doc["members"][5]["uscc"][-1] != "0" else "1")
    code, out, err = run(capsys, "check", write(tmp_path, doc), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["application"] == doc["id"] and data["region"] == "jinzhong"
    assert data["eligible"] is False
    assert set(data["counts"]) == {"pass", "fail", "warn", "manual", "na"}
    assert data["counts"]["fail"] == 1
    uscc = next(i for i in data["items"] if i["rule"] == "JZ-USCC")
    assert uscc["status"] == "fail" and uscc["clause"] == "000 § 三(二)/(三)"
    for it in data["items"]:
        assert {"rule", "status", "message", "clause"} <= set(it)


def test_check_readable_table(tmp_path, capsys):
    code, out, _ = run(capsys, "check", write(tmp_path, eligible("gansu")))
    assert code == 0
    assert "符合条件" in out and "GS-POLICY" in out and "待确认" in out and "001 § 二(一)" in out


def test_import_export_roundtrip_and_update(tmp_path, capsys):
    dbp = tmp_path / "d.sqlite"
    docs = [eligible(r) for r in ("jinzhong", "ganzhou")]
    files = [write(tmp_path, d, f"{i}.json") for i, d in enumerate(docs)]
    code, out, err = run(capsys, "import", *files, "--db", dbp)
    assert code == 0 and "新增 2 份" in out, err
    out_file = tmp_path / "out.json"
    code, _, _ = run(capsys, "export-json", "--db", dbp, "--id", docs[0]["id"], "-o", out_file)
    assert code == 0
    first = out_file.read_bytes()
    assert first == exchange.dumps(docs[0]).encode("utf-8")
    # re-import the export: an update, not a duplicate; export again is byte-identical
    code, out, _ = run(capsys, "import", out_file, "--db", dbp)
    assert code == 0 and "更新 1 份" in out
    code, out, _ = run(capsys, "export-json", "--db", dbp, "--id", docs[0]["id"])
    assert out.encode("utf-8") == first
    from db.session import open_database
    from alliance_desk import store
    with open_database(dbp).Session() as s:
        assert store.count_applications(s) == 2


def test_failed_import_writes_nothing(tmp_path, capsys):
    dbp = tmp_path / "d.sqlite"
    good = write(tmp_path, eligible("jinzhong"), "good.json")
    run(capsys, "import", good, "--db", dbp)
    changed = eligible("jinzhong")
    changed["name"] = "改过名字的产业技术创新联盟"
    bad = eligible("anshan")
    bad["members"][0]["kind"] = "company"
    new = eligible("ganzhou")
    code, _, err = run(capsys, "import", write(tmp_path, changed, "c.json"), write(tmp_path, new, "n.json"),
                       write(tmp_path, bad, "bad.json"), "--db", dbp)
    assert code == 2 and "数据库未作任何修改" in err and "bad.json: members[0].kind" in err
    code, out, _ = run(capsys, "export-json", "--db", dbp, "--id", changed["id"])
    assert json.loads(out)["name"] == eligible("jinzhong")["name"]
    code, out, _ = run(capsys, "export-json", "--db", dbp, "--id", new["id"])
    assert code == 2  # the new, valid file of the failed batch did not land either


def test_export_unknown_id(tmp_path, capsys):
    code, _, err = run(capsys, "export-json", "--db", tmp_path / "d.sqlite", "--id", "nope")
    assert code == 2 and "没有 id 为 nope 的申报" in err


def test_console_entry_point_runs(tmp_path):
    p = write(tmp_path, eligible("chongqing"))
    r = subprocess.run([sys.executable, "-m", "cli", "check", str(p), "--json"],
                       capture_output=True, text=True, encoding="utf-8")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["eligible"] is True


def test_info_names_the_installation_without_opening_the_database(capsys, tmp_path):
    target = tmp_path / "office.sqlite"
    code, out, _ = run(capsys, "info", "--json", "--db", str(target))
    info = json.loads(out)
    assert code == 0 and info["version"].startswith("Alliance Desk ")
    assert info["database"] == f"sqlite:///{target}" and not target.exists()
    assert info["fast_validation"].startswith("可用") and "ganzhou（赣州市）" in info["packs"]
    code, out, _ = run(capsys, "info")
    assert code == 0 and "快速格式校验：" in out and "内置字体：NotoSansSC" in out


@pytest.mark.parametrize("argv, window", [
    ([], True), (["gui"], True), (["--db", "x.sqlite"], True), (["--db=x.sqlite", "gui", "--open", "a"], True),
    (["--db", "x.sqlite", "gui", "--size", "800x600"], True), (["--db"], True),
    (["info"], False), (["--help"], False), (["--version"], False), (["--db", "x", "check", "a.json"], False),
    (["--d", "x"], False), (["guix"], False),
])
def test_the_window_starts_on_the_short_parser_with_the_same_arguments(argv, window):
    import cli

    assert cli.starts_the_window(argv) is window
    if window and argv != ["--db"]:
        short, full = cli.build_parser(window_only=True), cli.build_parser()
        assert vars(short.parse_args(argv)) == vars(full.parse_args(argv))
        from cli import system

        assert cli.COMMANDS["gui"] is system.cmd_gui


def test_a_bad_window_option_is_refused_as_before(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["gui", "--tab", "x"])
    assert exc.value.code == 2
    assert "--tab" in capsys.readouterr().err
