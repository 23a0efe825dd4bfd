"""Call and pack-version subcommands of `alliance-desk`.

    alliance-desk call list  --db D --region R [--json]
    alliance-desk call add   --db D --region R --year 2026 --name N --deadline "2026-05-30 17:00"
                             [--doc-no X] [--doc-date D] [--county-deadline T] [--publicity-on D]
                             [--decision-on D] [--note T] [--id ID] [--pack-version V]
    alliance-desk call edit  --db D --region R --id ID [same options]
    alliance-desk call close --db D --region R --id ID [--reopen]
    alliance-desk pack-version list|derive|bench|adopt|export|import …

Exit codes as in cli.common: 0 done, 2 refused (one Chinese line on stderr), 1 other failure.
"""
from __future__ import annotations

import json
import sys

from cli.common import EXIT_INVALID, EXIT_OK, STATUS_ZH, db_command, open_db, parser_class


def _call_options(p, required: bool) -> None:
    p.add_argument("--year", type=int, default=None, help="年度")
    p.add_argument("--name", required=required, default=None, help="批次名称")
    p.add_argument("--doc-no", default=None, help="通知文号")
    p.add_argument("--doc-date", default=None, help="通知日期 YYYY-MM-DD")
    p.add_argument("--deadline", default=None, help="申报单位截止时间（YYYY-MM-DD[ HH:MM]，只写日期为当天 23:59）")
    p.add_argument("--county-deadline", default=None, help="县区向市里报送的截止时间（通知有此规定时）")
    p.add_argument("--publicity-on", default=None, help="公示日期 YYYY-MM-DD")
    p.add_argument("--decision-on", default=None, help="决定日期 YYYY-MM-DD")
    p.add_argument("--note", default=None)
    p.add_argument("--pack-version", default=None, help="采用的规则包版本 id（默认随程序发布的规则包）")
    p.add_argument("--by", default=None, help="经办人")


def register(subparsers) -> dict:
    parsers = parser_class(subparsers)
    p = subparsers.add_parser("call", help="申报批次：列出、新增、修改、关闭")
    sub = p.add_subparsers(dest="call_command", parser_class=parsers, required=True,
                           metavar="{list,add,edit,close}")
    q = db_command(sub, "list", help="列出一个地区的申报批次（开放的在前）")
    q.add_argument("--region", required=True)
    q.add_argument("--json", action="store_true")
    q = db_command(sub, "add", help="新增申报批次")
    q.add_argument("--region", required=True)
    q.add_argument("--id", default=None, help="批次 id（默认：地区-年度）")
    _call_options(q, required=True)
    q = db_command(sub, "edit", help="修改申报批次（已有申报作出决定的不能修改）")
    q.add_argument("--region", required=True)
    q.add_argument("--id", required=True)
    _call_options(q, required=False)
    q = db_command(sub, "close", help="关闭申报批次")
    q.add_argument("--region", required=True)
    q.add_argument("--id", required=True)
    q.add_argument("--reopen", action="store_true", help="重新开放")
    q.add_argument("--by", default=None)

    p = subparsers.add_parser("pack-version", help="规则包版本：按新通知修订规则包、试算、采用、导出导入")
    sub = p.add_subparsers(dest="pv_command", parser_class=parsers, required=True,
                           metavar="{list,params,derive,bench,adopt,export,import}")
    q = db_command(sub, "list", help="列出规则包版本")
    q.add_argument("--region", default=None)
    q = sub.add_parser("params", help="列出一个地区规则包可修改的参数")
    q.add_argument("--region", required=True)
    for name, text in (("derive", "按新通知派生新版本"), ("bench", "试算：最近一个批次的申报按旧、新版本审查的差别")):
        q = db_command(sub, name, help=text)
        q.add_argument("--region", required=True)
        q.add_argument("--label", required=name == "derive", default="试算版本")
        q.add_argument("--notice", required=True, help="新通知文号")
        q.add_argument("--notice-date", default=None)
        q.add_argument("--set", action="append", default=[], metavar="PATH=VALUE[@CLAUSE]",
                       help="修改一项参数，如 new_rule/min_members=3@二(一)、rule/JZ-MEMBERS/min=5@二(二)")
        q.add_argument("--from", dest="from_version", default=None, metavar="VERSION",
                       help="在已有版本的基础上修订（默认随程序发布的规则包）")
        if name == "bench":
            q.add_argument("--call", default=None, help="试算的批次（默认最近一个有申报的批次）")
        q.add_argument("--by", default=None)
    q = db_command(sub, "adopt", help="申报批次采用某个规则包版本（--version shipped 为随程序发布的规则包）")
    q.add_argument("--call", required=True)
    q.add_argument("--version", required=True)
    q.add_argument("--by", default=None)
    q = db_command(sub, "export", help="把规则包版本导出为签名文件")
    q.add_argument("--version", required=True)
    q.add_argument("-o", "--output", required=True)
    q = db_command(sub, "import", help="导入其他单位的规则包版本签名文件")
    q.add_argument("file")
    q.add_argument("--by", default=None)
    return {"call": cmd_call, "pack-version": cmd_pack_version}


def _fail(msg: str) -> int:
    print(msg, file=sys.stderr)
    return EXIT_INVALID


def _call_values(args) -> dict:
    from alliance_desk.store.calls import parse_day, parse_when

    out = {}
    for key, label in (("deadline", "截止时间"), ("county_deadline", "县区报送截止时间")):
        if getattr(args, key) is not None:
            out[key] = parse_when(getattr(args, key), label)
    for key, label in (("doc_date", "通知日期"), ("publicity_on", "公示日期"), ("decision_on", "决定日期")):
        if getattr(args, key) is not None:
            out[key] = parse_day(getattr(args, key), label)
    for key in ("year", "name", "doc_no", "note"):
        if getattr(args, key) is not None:
            out[key] = getattr(args, key)
    return out


def _fmt(v) -> str:
    if v is None:
        return "—"
    return v.strftime("%Y-%m-%d %H:%M") if hasattr(v, "hour") else str(v)


def _print_call(c) -> None:
    state = "已关闭" if c.closed else "开放"
    print(f"{c.id}\t{state}\t{c.name}\t截止 {_fmt(c.deadline)}\t县区报送截止 {_fmt(c.county_deadline)}\t"
          f"文号 {c.doc_no or '—'}\t规则：{c.pack_label}\t申报 {c.applications} 份（已决定 {c.decided}）")


def cmd_call(args) -> int:
    from alliance_desk.store import calls
    from alliance_desk.rules.packs import PackError
    from alliance_desk.store import StoreError

    db = open_db(args)
    try:
        if args.call_command == "list":
            rows = calls.list_calls(db, args.region)
            if args.json:
                print(json.dumps([{k: (_fmt(v) if hasattr(v, "year") else v) for k, v in c.__dict__.items()}
                                  for c in rows], ensure_ascii=False, indent=2))
            else:
                for c in rows:
                    _print_call(c)
            return EXIT_OK
        if args.call_command == "close":
            c = calls.close_call(db, _own(db, args), by=args.by, reopen=args.reopen)
        elif args.call_command == "add":
            c = calls.add_call(db, args.region, call_id=args.id, pack_version=args.pack_version, by=args.by,
                               **_call_values(args))
        else:
            values = _call_values(args)
            if args.pack_version is not None:
                values["pack_version"] = None if args.pack_version == "shipped" else args.pack_version
            c = calls.edit_call(db, _own(db, args), by=args.by, **values)
    except (StoreError, PackError) as exc:
        return _fail(str(exc))
    _print_call(c)
    return EXIT_OK


def _own(db, args) -> str:
    """The call id, refused when it belongs to another region than --region."""
    from alliance_desk.store.calls import get_call
    from alliance_desk.rules.packs import get_pack
    from alliance_desk.store import StoreError

    c = get_call(db, args.id)
    if c.region != args.region:
        raise StoreError(f"申报批次「{args.id}」不属于{get_pack(args.region).region_name}")
    return c.id


def parse_set(items: list[str]) -> list[dict]:
    """`new_rule/min_members=3@二(一)` -> {"path": [...], "value": 3, "clause": "二(一)"}."""
    from alliance_desk.store import StoreError

    out = []
    for item in items:
        if "=" not in item:
            raise StoreError(f"--set「{item}」应写成 路径=值[@条款]")
        path, rest = item.split("=", 1)
        value, _, clause = rest.partition("@")
        value = value.strip()
        parsed: object
        if path.strip() == "industries":
            parsed = [v.strip() for v in value.split(",") if v.strip()]
        elif value.isdigit():
            parsed = int(value)
        else:
            parsed = value
        out.append({"path": [p for p in path.strip().split("/") if p], "value": parsed, "clause": clause.strip()})
    return out


def cmd_pack_version(args) -> int:
    from alliance_desk.store import calls
    from alliance_desk.store import pack_versions as pv
    from alliance_desk.rules.packs import PackError, get_pack
    from alliance_desk.store import StoreError

    try:
        if args.pv_command == "params":
            for p in pv.parameters(get_pack(args.region)):
                print(f"{pv.describe_path(p.path)}\t{p.label}\t当前 {p.value if p.value is not None else '—'}\t{p.clause}")
            return EXIT_OK
        db = open_db(args)
        if args.pv_command == "list":
            for v in pv.list_versions(db, args.region):
                print(f"{v.id}\t{v.region}\t{v.label}\t{v.notice}\t{len(v.changes)} 项修改\t{v.source}\t摘要 {v.digest[:12]}")
            return EXIT_OK
        if args.pv_command in ("derive", "bench"):
            changes = parse_set(args.set)
            nd = calls.parse_day(args.notice_date, "通知日期") if args.notice_date else None
            if args.pv_command == "derive":
                v = pv.derive(db, args.region, args.label, args.notice, changes, nd, by=args.by,
                              from_version=args.from_version)
                print(f"已保存规则包版本 {v.id}（{v.label}），摘要 {v.digest[:12]}")
                return EXIT_OK
            base_text, earlier, _ = pv.base_of(db, args.region, args.from_version)
            pack = pv.build(args.region, base_text, earlier + changes, args.notice, args.label, "试算版本")
            b = pv.bench(db, args.region, pack, args.call)
            print(f"批次 {b.call_name}：{b.checked} 份申报，按「{b.old_label}」与「{b.new_label}」审查，{len(b.rows)} 份有差别")
            for r in b.rows:
                verdict = lambda ok: "符合条件" if ok else "不符合条件"  # noqa: E731
                print(f"{r.name}（{r.application}）：{verdict(r.old_eligible)} → {verdict(r.new_eligible)}")
                for rule, old, new, msg, clause in r.changed:
                    print(f"    {rule}：{STATUS_ZH.get(old, old)} → {STATUS_ZH.get(new, new)}  {msg}  [{clause}]")
            return EXIT_OK
        if args.pv_command == "adopt":
            c = calls.adopt_version(db, args.call, None if args.version == "shipped" else args.version, by=args.by)
            _print_call(c)
            return EXIT_OK
        if args.pv_command == "export":
            manifest = pv.export_version(db, args.version, args.output)
            print(f"已导出 {args.output}（{manifest['label']}，签名单位 {manifest['sender']['office']}）")
            return EXIT_OK
        v = pv.import_version(db, args.file, by=args.by)
        print(f"已导入规则包版本 {v.id}（{v.label}，{v.notice}），来源 {v.source}")
        return EXIT_OK
    except (StoreError, PackError) as exc:
        return _fail(str(exc))
