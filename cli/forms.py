"""`alliance-desk form …`: the region's application form as Word, blank or filled, and filled forms
read back (registered by cli.build_parser like cli.documents):

    alliance-desk form blank --region R [--call C] -o F.docx
    alliance-desk form filled --id ID [--db D] [-o F.docx]
    alliance-desk form read F.docx … [--db D] [--dry-run] [--update]

`form read` reads every file first; a batch with a problem in any file writes nothing (exit 2, one
line per file and field). A form whose alliance (name and lead unit USCC) is already stored is an
update: without --update it is refused with the changes listed, never overwritten silently.
`--dry-run` prints, as JSON, field by field what was read, from which label, what is doubtful, and
the region's checklist on the result.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.common import EXIT_INVALID, EXIT_OK, ArgParser, db_command, opened_db


def register(subparsers) -> dict:
    p = subparsers.add_parser("form", help="申报表（Word）：导出空白或已填表，读取填好的申报表")
    sub = p.add_subparsers(dest="form_command", parser_class=ArgParser, required=True)
    k = sub.add_parser("blank", help="导出地区的空白申报表（.docx）")
    k.add_argument("--region", required=True)
    k.add_argument("--call", help="申报批次（默认：该地区最新批次）")
    k.add_argument("-o", "--output", required=True)
    k.set_defaults(handler=cmd_blank)
    k = db_command(sub, "filled", help="按数据库中的申报导出已填申报表（.docx）")
    k.add_argument("--id", required=True)
    k.add_argument("-o", "--output")
    k.set_defaults(handler=cmd_filled)
    k = db_command(sub, "read", help="读取填好的申报表并导入（全部成功或全部不写入）")
    k.add_argument("files", nargs="+")
    k.add_argument("--dry-run", action="store_true", help="只读取并输出 JSON，不写入数据库")
    k.add_argument("--update", action="store_true", help="同名且牵头单位相同的已有申报按表更新")
    k.set_defaults(handler=cmd_read)
    return {"form": dispatch}


def dispatch(args) -> int:
    from alliance_desk.exports.common import ExportError
    from alliance_desk.rules.packs import PackError
    from alliance_desk.store import StoreError

    try:
        return args.handler(args)
    except (StoreError, PackError, ExportError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID


def cmd_blank(args) -> int:
    from alliance_desk.forms.writer import write_form
    from alliance_desk.rules.packs import all_packs

    if args.region not in all_packs():
        print(f"没有这个地区：{args.region}（可选 {'、'.join(all_packs())}）", file=sys.stderr)
        return EXIT_INVALID
    calls = [c.id for c in all_packs()[args.region].calls]
    if args.call and args.call not in calls:
        print(f"地区 {args.region} 没有申报批次 {args.call}（可选 {'、'.join(calls)}）", file=sys.stderr)
        return EXIT_INVALID
    out = write_form(args.region, args.output, call=args.call)
    print(f"已导出空白申报表 {out}")
    return EXIT_OK


def cmd_filled(args) -> int:
    from alliance_desk import store
    from alliance_desk.forms.writer import write_form

    with opened_db(args) as db, db.Session() as s:
        doc = store.get_document(s, args.id)
    out = Path(args.output or f"{doc['name']}-申报表.docx")
    write_form(doc["region"], out, doc)
    print(f"已导出已填申报表 {out}")
    return EXIT_OK


def cmd_read(args) -> int:
    from alliance_desk.forms import service

    with opened_db(args) as db:
        cands = service.read_forms(db, args.files)
        if args.dry_run:
            print(json.dumps(service.dry_run(cands), ensure_ascii=False, indent=1, default=str))
            return EXIT_OK if all(not c.problems for c in cands) else EXIT_INVALID
        lines = []
        for c in cands:
            lines += [f"{c.name}：{p}" for p in c.problems]
            if c.existing_id is not None and not args.update:
                lines.append(f"{c.name}：数据库中已有「{c.doc['name']}」（同名、牵头单位相同），读到的表将更新它；"
                             "确认请加 --update。变化：")
                lines += [f"  {label}：{_show(old)} → {_show(new)}" for _, label, old, new in c.diff] or ["  （无变化）"]
        if lines:
            for line in lines:
                print(line, file=sys.stderr)
            print("未写入数据库。", file=sys.stderr)
            return EXIT_INVALID
        report = service.save(db, cands)
    for c in cands:
        doubts = c.doubts()
        note = f"，{len(doubts)} 处待核对：" + "；".join(f"{service.label_of(c, d.key)}（{d.doubt}）"
                                                  for d in doubts[:5]) if doubts else ""
        print(f"{c.name}：{'更新' if c.existing_id else '新建'}「{c.doc['name']}」{note}")
    print(report.summary())
    return EXIT_OK


def _show(v) -> str:
    if v is None or v == []:
        return "（空）"
    if isinstance(v, list):
        return "、".join(map(str, v))
    return str(v)
