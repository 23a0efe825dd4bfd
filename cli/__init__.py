"""`alliance-desk` command line. With no arguments it starts the desktop app.

Exit codes: 0 done, 2 invalid input (one Chinese line per problem on stderr), 1 other failure.
Heavy modules are imported inside each command so that `validate`/`check` start fast.
"""
from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from pathlib import Path

from alliance_desk import __version__

EXIT_OK, EXIT_FAIL, EXIT_INVALID = 0, 1, 2

STATUS_ZH = {"pass": "符合", "fail": "不符合", "warn": "提示", "manual": "待确认", "na": "不适用"}


class ArgParser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 with its own text; keep that, in Chinese
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(EXIT_INVALID)


def _add_db(p: argparse.ArgumentParser, top: bool = False) -> None:
    # On subcommands the option is SUPPRESSed so `alliance-desk --db X gui` keeps X.
    p.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                   help="数据库文件或 URL（默认：ALLIANCE_DESK_DATABASE_URL，或用户数据目录中的 alliance-desk.sqlite）")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgParser(prog="alliance-desk", description="产业技术创新联盟申报审查工具")
    parser.add_argument("--version", action="version", version=f"Alliance Desk {__version__}")
    _add_db(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=ArgParser)

    p = sub.add_parser("validate", help="按交换格式校验一份申报 JSON")
    p.add_argument("file")

    p = sub.add_parser("check", help="按所属地区的规则包审查一份申报 JSON")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = sub.add_parser("import", help="把申报 JSON 导入数据库（全部成功或全部不写入）")
    p.add_argument("files", nargs="+")
    _add_db(p)

    p = sub.add_parser("export-json", help="把数据库中的一份申报导出为 JSON")
    _add_db(p)
    p.add_argument("--id", required=True)
    p.add_argument("-o", "--output", metavar="FILE")

    p = sub.add_parser("check-db", help="审查数据库中的全部（或指定）申报")
    _add_db(p)
    p.add_argument("--id", action="append", help="只审查这些 id（可重复）")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("confirm", help="确认一个人工审查项")
    _add_db(p)
    p.add_argument("--id", required=True)
    p.add_argument("--rule", required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--not-met", action="store_true", help="确认为不符合")

    p = sub.add_parser("demo", help="生成含五个地区示例申报的演示数据库")
    _add_db(p)
    p.add_argument("--bulk", type=int, default=0, metavar="N", help="另加 N 份合成申报（用于性能测试）")

    p = sub.add_parser("gui", help="启动桌面程序")
    _add_db(p)
    p.add_argument("--open", metavar="ID", help="打开这份申报")
    p.add_argument("--screenshot", metavar="FILE.png", help="把主窗口渲染为 PNG 后退出")
    p.add_argument("--size", default="1366x768", help="截图窗口大小，默认 1366x768")
    p.add_argument("--tab", type=int, default=0, help="截图时编辑器显示的标签页序号")

    p = sub.add_parser("info", help="显示版本、组件、资源和数据库位置（供技术支持排查）")
    _add_db(p)
    p.add_argument("--json", action="store_true")

    # Subcommands of later capabilities register themselves (each returns {name: handler}).
    from cli import calls as cli_calls
    from cli import clauses as cli_clauses
    from cli import documents as cli_documents
    from cli import forms as cli_forms
    from cli import lifecycle as cli_lifecycle
    from cli import review as cli_review
    from cli import safety as cli_safety

    for module in (cli_lifecycle, cli_documents, cli_review, cli_safety, cli_calls, cli_clauses, cli_forms):
        COMMANDS.update(module.register(sub))
    return parser


def _problems(lines: list[str]) -> int:
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_INVALID


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def format_table(result) -> str:
    lines = []
    c = result.counts
    verdict = "符合条件" if result.eligible else "不符合条件"
    lines.append(f"申报 {result.application}（{result.region}）：{verdict}")
    lines.append(f"不符合 {c['fail']}  提示 {c['warn']}  待确认 {c['manual']}  符合 {c['pass']}  不适用 {c['na']}")
    if result.pack_version:
        lines.append(f"审查依据：{result.pack_version}")
    lines.append("")
    rid_w = max(_width(i.rule) for i in result.items) + 2
    for it in result.items:
        lines.append(f"{_pad(it.rule, rid_w)}{_pad(STATUS_ZH[it.status], 8)}{it.message}  [{it.clause}]")
    return "\n".join(lines)


def cmd_validate(args) -> int:
    from alliance_desk import exchange

    try:
        exchange.read_file(args.file)
    except exchange.ApplicationFormatError as exc:
        return _problems(exc.problems)
    print(f"{args.file}: 符合交换格式 {exchange.FORMAT_ID}")
    return EXIT_OK


def cmd_check(args) -> int:
    from alliance_desk import exchange
    from alliance_desk.rules.engine import evaluate
    from alliance_desk.rules.packs import PackError

    try:
        doc = exchange.read_file(args.file)
        result = evaluate(doc)
    except exchange.ApplicationFormatError as exc:
        return _problems(exc.problems)
    except PackError as exc:
        return _problems([str(exc)])
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    return EXIT_OK


def _open(args):
    from db.session import open_database

    return open_database(args.db)


def cmd_import(args) -> int:
    from alliance_desk import exchange, store

    db = _open(args)
    try:
        report = store.import_files(db, args.files)
    except exchange.ApplicationFormatError as exc:
        print("导入失败，数据库未作任何修改：", file=sys.stderr)
        return _problems(exc.problems)
    except store.StoreError as exc:
        print("导入失败，数据库未作任何修改：", file=sys.stderr)
        return _problems([str(exc)])
    print("\n".join(report.lines()))
    return EXIT_OK


def cmd_export_json(args) -> int:
    from alliance_desk import store

    db = _open(args)
    try:
        text = store.export_json(db, args.id)
    except store.StoreError as exc:
        return _problems([str(exc)])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="\n")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_check_db(args) -> int:
    from alliance_desk import store

    db = _open(args)
    with db.Session() as s:
        try:
            results = [store.check_stored(s, i) for i in args.id] if args.id else store.check_all(s)
        except store.StoreError as exc:
            return _problems([str(exc)])
    if args.json:
        print(json.dumps([r.as_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            print(format_table(r))
            print()
    return EXIT_OK


def cmd_confirm(args) -> int:
    from alliance_desk import store
    from alliance_desk.rules.engine import OUTCOME_MET, OUTCOME_NOT_MET

    db = _open(args)
    try:
        result = store.confirm(db, args.id, args.rule, OUTCOME_NOT_MET if args.not_met else OUTCOME_MET,
                               by=args.by, note=args.note)
    except store.StoreError as exc:
        return _problems([str(exc)])
    item = next(i for i in result.items if i.rule == args.rule)
    print(f"{item.rule}: {item.message}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from alliance_desk import demo, store

    db = _open(args)
    docs = [("", d) for d in demo.demo_applications()]
    report = store.import_documents(db, docs)
    if args.bulk:
        report2 = store.import_documents(db, (("", d) for d in demo.bulk_applications(args.bulk)))
        report.created += report2.created
        report.updated += report2.updated
    print(f"演示数据库 {db.label}：{report.summary()}")
    return EXIT_OK


def system_info(db_arg=None) -> list[tuple[str, str, str]]:
    """(key, Chinese label, value) lines about this installation; never opens the database."""
    import platform
    import sqlite3

    import sqlalchemy

    from alliance_desk import exchange
    from alliance_desk.rules.packs import all_packs
    from alliance_desk.paths import resource
    from db.session import resolve_url

    from importlib.metadata import PackageNotFoundError, version as dist_version

    qt = "未知（无安装信息）"  # the core never imports Qt; a frozen build may carry no metadata
    for dist in ("PySide6-Essentials", "PySide6"):
        try:
            qt = dist_version(dist)
            break
        except PackageNotFoundError:
            continue
    try:
        import jsonschema_rs  # noqa: F401
        fast = "可用（jsonschema-rs）" if exchange._fast_validator() is not None else "不可用（版本过旧）"
    except ImportError:
        fast = "不可用（未安装 jsonschema-rs，导入较慢但结果相同）"
    font = resource("fonts", "NotoSansSC_400Regular.ttf")
    packs = all_packs()
    return [
        ("version", "版本", f"Alliance Desk {__version__}"),
        ("python", "Python", f"{platform.python_version()}（{platform.system()} {platform.machine()}）"),
        ("frozen", "运行方式", "打包程序" if getattr(sys, "frozen", False) else "源代码 / pip 安装"),
        ("sqlite", "SQLite", sqlite3.sqlite_version),
        ("sqlalchemy", "SQLAlchemy", sqlalchemy.__version__),
        ("qt", "PySide6", qt),
        ("fast_validation", "快速格式校验", fast),
        ("packs", "规则包", "、".join(f"{p.id}（{p.region_name}）" for p in packs.values())),
        ("font", "内置字体", f"{font.name}（{font.stat().st_size // 1024} KB）" if font.is_file() else "缺失"),
        ("database", "数据库", resolve_url(db_arg)),
    ]


def cmd_info(args) -> int:
    lines = system_info(getattr(args, "db", None))
    if args.json:
        print(json.dumps({k: v for k, _, v in lines}, ensure_ascii=False, indent=2))
    else:
        for _, label, value in lines:
            print(f"{label}：{value}")
    return EXIT_OK


def cmd_gui(args) -> int:
    from ui.app import run

    return run(args)


COMMANDS = {
    "validate": cmd_validate, "check": cmd_check, "import": cmd_import, "export-json": cmd_export_json,
    "check-db": cmd_check_db, "confirm": cmd_confirm, "demo": cmd_demo, "gui": cmd_gui, "info": cmd_info,
}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    command = args.command or "gui"
    if command == "gui" and not hasattr(args, "screenshot"):
        args.open = None
        args.screenshot = None
        args.size = "1366x768"
        args.tab = 0
    from cli.guard import run

    try:
        return run(command, args, COMMANDS[command])
    except KeyboardInterrupt:
        return EXIT_FAIL
    except Exception as exc:  # noqa: BLE001 - a clerk sees a sentence, not a traceback
        if getattr(args, "debug", False):
            raise
        print(f"出错了：{type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAIL


if __name__ == "__main__":
    sys.exit(main())
