"""The application commands of `alliance-desk`: validate, check, import, export-json, check-db,
confirm and demo — one exchange-format file or the stored applications, checked against their region's
pack. `register(subparsers)` adds them and returns {command: handler}.

Exit codes (cli.common): 0 done, 2 invalid input (one Chinese line per problem on stderr), 1 other.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.common import EXIT_OK, STATUS_ZH, add_db, db_command, open_db, pad, problems, width


def register(subparsers) -> dict:
    p = subparsers.add_parser("validate", help="按交换格式校验一份申报 JSON")
    p.add_argument("file")

    p = subparsers.add_parser("check", help="按所属地区的规则包审查一份申报 JSON")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="输出 JSON")

    p = subparsers.add_parser("import", help="把申报 JSON 导入数据库（全部成功或全部不写入）")
    p.add_argument("files", nargs="+")
    add_db(p)

    p = db_command(subparsers, "export-json", help="把数据库中的一份申报导出为 JSON")
    p.add_argument("--id", required=True)
    p.add_argument("-o", "--output", metavar="FILE")

    p = db_command(subparsers, "check-db", help="审查数据库中的全部（或指定）申报")
    p.add_argument("--id", action="append", help="只审查这些 id（可重复）")
    p.add_argument("--json", action="store_true")

    p = db_command(subparsers, "confirm", help="确认一个人工审查项")
    p.add_argument("--id", required=True)
    p.add_argument("--rule", required=True)
    p.add_argument("--by", required=True)
    p.add_argument("--note", default="")
    p.add_argument("--not-met", action="store_true", help="确认为不符合")

    p = db_command(subparsers, "demo", help="生成含五个地区示例申报的演示数据库")
    p.add_argument("--bulk", type=int, default=0, metavar="N", help="另加 N 份合成申报（用于性能测试）")
    return {"validate": cmd_validate, "check": cmd_check, "import": cmd_import, "export-json": cmd_export_json,
            "check-db": cmd_check_db, "confirm": cmd_confirm, "demo": cmd_demo}


def format_table(result) -> str:
    lines = []
    c = result.counts
    verdict = "符合条件" if result.eligible else "不符合条件"
    lines.append(f"申报 {result.application}（{result.region}）：{verdict}")
    lines.append(f"不符合 {c['fail']}  提示 {c['warn']}  待确认 {c['manual']}  符合 {c['pass']}  不适用 {c['na']}")
    if result.pack_version:
        lines.append(f"审查依据：{result.pack_version}")
    lines.append("")
    rid_w = max(width(i.rule) for i in result.items) + 2
    for it in result.items:
        lines.append(f"{pad(it.rule, rid_w)}{pad(STATUS_ZH[it.status], 8)}{it.message}  [{it.clause}]")
    return "\n".join(lines)


def cmd_validate(args) -> int:
    from alliance_desk import exchange

    try:
        exchange.read_file(args.file)
    except exchange.ApplicationFormatError as exc:
        return problems(exc.problems)
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
        return problems(exc.problems)
    except PackError as exc:
        return problems([str(exc)])
    if args.json:
        print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    return EXIT_OK


def cmd_import(args) -> int:
    from alliance_desk import exchange, store

    db = open_db(args)
    try:
        report = store.import_files(db, args.files)
    except (exchange.ApplicationFormatError, store.StoreError) as exc:
        print("导入失败，数据库未作任何修改：", file=sys.stderr)
        return problems(exc.problems if isinstance(exc, exchange.ApplicationFormatError) else [str(exc)])
    print("\n".join(report.lines()))
    return EXIT_OK


def cmd_export_json(args) -> int:
    from alliance_desk import store

    db = open_db(args)
    try:
        text = store.export_json(db, args.id)
    except store.StoreError as exc:
        return problems([str(exc)])
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8", newline="\n")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_check_db(args) -> int:
    from alliance_desk import store

    db = open_db(args)
    with db.Session() as s:
        try:
            results = [store.check_stored(s, i) for i in args.id] if args.id else store.check_all(s)
        except store.StoreError as exc:
            return problems([str(exc)])
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

    db = open_db(args)
    try:
        result = store.confirm(db, args.id, args.rule, OUTCOME_NOT_MET if args.not_met else OUTCOME_MET,
                               by=args.by, note=args.note)
    except store.StoreError as exc:
        return problems([str(exc)])
    item = next(i for i in result.items if i.rule == args.rule)
    print(f"{item.rule}: {item.message}")
    return EXIT_OK


def cmd_demo(args) -> int:
    from alliance_desk import demo, store

    db = open_db(args)
    docs = [("", d) for d in demo.demo_applications()]
    report = store.import_documents(db, docs)
    if args.bulk:
        report2 = store.import_documents(db, (("", d) for d in demo.bulk_applications(args.bulk)))
        report.created += report2.created
        report.updated += report2.updated
    print(f"演示数据库 {db.label}：{report.summary()}")
    return EXIT_OK
