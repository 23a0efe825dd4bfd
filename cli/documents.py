"""Subcommands for official documents, submission packages, keys, certificate printing and (through
cli.workdays) the working-day calendar.

`register(subparsers)` adds them to `alliance-desk` and returns {command: handler}; each subcommand's
parser carries its handler as `args.handler`:

    alliance-desk export recommendation-table|member-table|application-form|notice|certificates
                  --db DB --region R --call C [--county X] [--application ID …] -o FILE
                  (notice: --start DATE [--days N] [--unit working|calendar] [--date DATE] [--contact TEXT];
                   certificates: [--recognized-on DATE] [--mode full|text] [--printer NAME];
                   recommendation-table: [--recommender UNIT] [--contact NAME] [--phone TEL])
    alliance-desk package export --db DB --region R --call C [--county X] [--application ID …] -o FILE.adpkg
    alliance-desk package import --db DB FILE.adpkg [--allow-older]   (package verify: check only)
    alliance-desk package transfer --db DB --application ID --to FINGERPRINT|self
    alliance-desk keys init --office NAME [--replace] | show | export -o FILE | trust FILE [--office NAME]
                  | list | remove FINGERPRINT              (all with --db DB)
    alliance-desk calendar …                                  (see cli.workdays)
    alliance-desk certificates calibrate --printer NAME --dx MM --dy MM | calibration-sheet -o FILE

Exit codes as in cli.common: 0 done, 2 refused input (one Chinese line per problem on stderr), 1 other.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.common import EXIT_INVALID, EXIT_OK, REGION_HELP, ArgParser, add_db, date_arg, db_command, open_db, opened_db
from cli.workdays import positive_days, register_calendar

TOP_COMMANDS = ("export", "package", "keys", "calendar", "certificates")


def _mm(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是数字（毫米）") from None


def _selection(p: argparse.ArgumentParser, output: bool = True) -> None:
    add_db(p)
    p.add_argument("--region", required=True, help=REGION_HELP)
    p.add_argument("--call", help="申报批次 id，如 chongqing-2022")
    p.add_argument("--county", help="只导出该县（区）的申报")
    p.add_argument("--application", action="extend", nargs="+", metavar="ID", default=None,
                   help="只导出这些申报（可多个；不指定时按导出类型自动选择）")
    if output:
        p.add_argument("-o", "--output", required=True, metavar="FILE")


def register(subparsers) -> dict:
    """Add this module's subcommands to `alliance-desk`'s subparsers; return {command: handler}."""
    # ---------------------------------------------------------------- export
    p = subparsers.add_parser("export", help="导出推荐汇总表、成员单位表、申请表、公示、证书")
    kinds = p.add_subparsers(dest="export_kind", parser_class=ArgParser, required=True)
    personal_help = "打印申报材料中的个人手机号、身份证号（默认隐去中间位）"
    for kind, help_text in (("recommendation-table", "推荐汇总表（.xlsx）"),
                            ("member-table", "赣州成员单位表、理事及秘书处名单、专家咨询委员会名单（.xlsx）"),
                            ("application-form", "申请表（.pdf 或 .xlsx；赣州组建申请表、重庆申报表）"),
                            ("notice", "公示（.pdf 按 GB/T 9704-2012 版式，或 .docx）"),
                            ("certificates", "证书（.pdf，每个联盟一页）")):
        k = kinds.add_parser(kind, help=help_text)
        _selection(k)
        if kind in ("notice", "certificates"):
            k.add_argument("--override-reason", metavar="TEXT",
                           help="强制列入未经推荐（公示）或未记录认定决定（证书）的申报，理由记入审计记录")
        if kind == "recommendation-table":
            k.add_argument("--recommender", help="推荐单位（默认：所选申报推荐意见中的推荐单位）")
            k.add_argument("--contact", help="推荐单位联系人")
            k.add_argument("--phone", help="推荐单位联系电话")
        if kind in ("recommendation-table", "notice"):
            k.add_argument("--include-personal", action="store_true", default=None, help=personal_help)
        if kind == "notice":
            k.add_argument("--start", type=date_arg, help="公示开始日期（默认今天；非工作日则顺延）")
            k.add_argument("--days", type=positive_days, help="公示天数（默认按规则包 [publicity]）")
            k.add_argument("--unit", choices=("working", "calendar"), help="working=工作日，calendar=自然日")
            k.add_argument("--date", type=date_arg, dest="dated", help="成文日期（默认公示开始日期）")
            k.add_argument("--contact", help="联系方式一段文字（默认按规则包 [exports] notice_contact）")
        if kind == "certificates":
            k.add_argument("--recognized-on", type=date_arg, help="认定日期（默认今天）")
            k.add_argument("--mode", choices=("full", "text"), default="full",
                           help="full=整张打印；text=只打文字（套打预印证书纸）")
            k.add_argument("--printer", help="套打时使用该打印机保存的校准偏移")
        k.set_defaults(handler=cmd_export)

    # ---------------------------------------------------------------- package
    p = subparsers.add_parser("package", help="县→市上报包（.adpkg）的导出与导入")
    sub = p.add_subparsers(dest="package_command", parser_class=ArgParser, required=True)
    k = sub.add_parser("export", help="导出上报包：所选批次中推荐的申报，用本单位密钥签名")
    _selection(k)
    k.add_argument("--office", help="本单位名称（尚无签名密钥时据此生成）")
    k.set_defaults(handler=cmd_package_export)
    for name, help_text in (("import", "导入上报包（全部成功或全部不写入；可重复导入）"),
                            ("verify", "只校验上报包，不导入")):
        k = db_command(sub, name, help=help_text)
        k.add_argument("file")
        k.set_defaults(handler=cmd_package_import if name == "import" else cmd_package_verify)
    sub.choices["import"].add_argument("--allow-older", action="store_true", dest="allow_older",
                                       help="确认导入比已接受的更早的上报包（会覆盖较新的内容，记入审计记录）")
    k = db_command(sub, "transfer", help="移交申报归属：此后只有新归属单位的上报包能修改它")
    k.add_argument("--application", required=True, metavar="ID")
    k.add_argument("--to", required=True, metavar="FINGERPRINT|self",
                   help="接收单位已登记公钥的指纹（前 8 位以上），或 self（归本单位）")
    k.add_argument("--by", default=None)
    k.add_argument("--note", default="")
    k.set_defaults(handler=cmd_package_transfer)

    # ---------------------------------------------------------------- keys
    p = subparsers.add_parser("keys", help="本单位签名密钥与可信的发送单位公钥")
    sub = p.add_subparsers(dest="keys_command", parser_class=ArgParser, required=True)
    k = db_command(sub, "init", help="生成本单位签名密钥")
    k.add_argument("--office", required=True)
    k.add_argument("--replace", action="store_true", help="已有密钥时更换（接收单位须重新登记公钥）")
    k.set_defaults(handler=cmd_keys_init)
    k = db_command(sub, "show", help="显示本单位公钥指纹")
    k.set_defaults(handler=cmd_keys_show)
    k = db_command(sub, "export", help="导出本单位公钥文件（发给接收单位登记）")
    k.add_argument("-o", "--output", metavar="FILE")
    k.set_defaults(handler=cmd_keys_export)
    k = db_command(sub, "trust", help="登记发送单位的公钥文件为可信")
    k.add_argument("file")
    k.add_argument("--office", help="发送单位名称（默认取公钥文件中的名称）")
    k.add_argument("--note", default="")
    k.set_defaults(handler=cmd_keys_trust)
    k = db_command(sub, "list", help="列出可信公钥")
    k.set_defaults(handler=cmd_keys_list)
    k = db_command(sub, "remove", help="撤销一个可信公钥")
    k.add_argument("fingerprint")
    k.set_defaults(handler=cmd_keys_remove)

    register_calendar(subparsers)

    # ---------------------------------------------------------------- certificates
    p = subparsers.add_parser("certificates", help="证书套打的打印机校准")
    sub = p.add_subparsers(dest="certificates_command", parser_class=ArgParser, required=True)
    k = db_command(sub, "calibrate", help="保存打印机的套打偏移（毫米，向右、向下为正）")
    k.add_argument("--printer", required=True)
    k.add_argument("--dx", type=_mm, required=True)
    k.add_argument("--dy", type=_mm, required=True)
    k.add_argument("--note", default="")
    k.set_defaults(handler=cmd_cert_calibrate)
    k = db_command(sub, "calibration-sheet", help="打印校准页（十字标记），用于测量偏移")
    k.add_argument("--printer", help="按该打印机已保存的偏移排版")
    k.add_argument("-o", "--output", required=True)
    k.set_defaults(handler=cmd_cert_sheet)
    k = db_command(sub, "printers", help="列出已保存的打印机校准")
    k.set_defaults(handler=cmd_cert_printers)

    # cli.main dispatches by the top-level name; `dispatch` then runs the subcommand's handler
    return {name: dispatch for name in TOP_COMMANDS}


def dispatch(args) -> int:
    return _guard(args.handler, args)


def _guard(handler, args) -> int:
    """Domain refusals become exit 2 with their Chinese message."""
    from alliance_desk.exports.common import ExportError
    from alliance_desk.exchange.packages import PackageError
    from alliance_desk.rules.packs import PackError
    from alliance_desk.store import StoreError
    from alliance_desk.store.trust import TrustError
    from alliance_desk.lifecycle.workdays import CalendarError

    from alliance_desk.exports.guard import DocumentsRefused

    try:
        return handler(args)
    except (ExportError, PackageError, CalendarError, StoreError, PackError, TrustError) as exc:
        lines = str(exc).splitlines() or [type(exc).__name__]
        if isinstance(exc, DocumentsRefused):
            lines[-1] = "如确需列入，加 --override-reason 理由（记入审计记录）；未生成文件"
        for line in lines:
            print(line, file=sys.stderr)
        return EXIT_INVALID


# ------------------------------------------------------------------ handlers

def _progress_printer(label: str):
    if not sys.stderr.isatty():
        return None

    def progress(done: int, total: int, text: str = "") -> None:
        print(f"\r{label} {done}/{total} {text}".ljust(60), end="", file=sys.stderr, flush=True)
    return progress


def cmd_export(args) -> int:
    from alliance_desk.exports import export

    opts = {}
    for key in ("recommender", "contact", "phone", "start", "days", "unit", "dated", "recognized_on", "mode",
                "printer", "include_personal"):
        if getattr(args, key, None) is not None:
            opts[key] = getattr(args, key)
    with opened_db(args) as db:
        result = export(db, args.export_kind, args.region, args.call, args.output, county=args.county,
                        ids=args.application, progress=_progress_printer("导出"),
                        override_reason=getattr(args, "override_reason", None), **opts)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(result.summary())
    for note in result.notes:
        print(note)
    return EXIT_OK


def cmd_package_export(args) -> int:
    from alliance_desk.exchange import packages

    with opened_db(args) as db:
        if args.office and packages.office_key(db) is None:
            info = packages.generate_office_key(db, args.office)
            print(f"已生成本单位签名密钥：{info.office}，指纹 {info.short}")
        res = packages.export_package(db, args.output, args.region, args.call, args.county, args.application)
    print(f"已导出上报包 {res.path}：{len(res.application_ids)} 份申报，发送单位 {res.sender}，"
          f"SHA-256 {res.sha256}")
    for line in res.notes:
        print(line)
    return EXIT_OK


def cmd_package_import(args) -> int:
    from alliance_desk.exchange import packages

    try:
        with opened_db(args) as db:
            res = packages.import_package(db, args.file, allow_older=args.allow_older)
    except packages.PackageError as exc:
        print(f"上报包被拒绝，数据库未作任何修改：{exc}", file=sys.stderr)
        return EXIT_INVALID
    from alliance_desk.store import report_lines

    print("\n".join(report_lines(res.summary(), res.created, res.updated, res.warnings)))
    return EXIT_OK


def cmd_package_transfer(args) -> int:
    from alliance_desk.store import trust

    with opened_db(args) as db:
        office = trust.transfer(db, args.application, args.to, args.by, args.note)
    print(f"申报 {args.application} 已移交给「{office}」")
    return EXIT_OK


def cmd_package_verify(args) -> int:
    from alliance_desk.exchange import packages

    try:
        with opened_db(args) as db:
            info, docs = packages.verify_package(db, args.file)
    except packages.PackageError as exc:
        print(f"上报包校验未通过：{exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"校验通过：发送单位 {info.sender}，生成于 {info.created_at}，{len(docs)} 份申报")
    for _, d in docs:
        print(f"{d['id']}  {d['name']}")
    return EXIT_OK


def cmd_keys_init(args) -> int:
    from alliance_desk.exchange import packages

    db = open_db(args)
    info = packages.generate_office_key(db, args.office, replace=args.replace)
    print(f"已生成签名密钥：{info.office}\n指纹 {info.short}\n（完整指纹 {info.fingerprint}）")
    return EXIT_OK


def cmd_keys_show(args) -> int:
    from alliance_desk.exchange import packages

    info = packages.office_key(open_db(args))
    if info is None:
        print("本单位还没有签名密钥：请运行 alliance-desk keys init --office 本单位名称", file=sys.stderr)
        return EXIT_INVALID
    print(f"{info.office}\n指纹 {info.short}\n（完整指纹 {info.fingerprint}）")
    return EXIT_OK


def cmd_keys_export(args) -> int:
    from alliance_desk.exchange import packages

    text = packages.public_key_text(open_db(args))
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"已导出公钥到 {args.output}")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_keys_trust(args) -> int:
    from alliance_desk.exchange import packages

    try:
        text = Path(args.file).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"无法读取公钥文件 {args.file}：{exc}", file=sys.stderr)
        return EXIT_INVALID
    info = packages.trust_key(open_db(args), text, args.office, args.note)
    print(f"已登记可信公钥：{info.office}，指纹 {info.short}")
    return EXIT_OK


def cmd_keys_list(args) -> int:
    from alliance_desk.exchange import packages

    keys = packages.trusted_keys(open_db(args))
    if not keys:
        print("（尚未登记可信公钥）")
    for k in keys:
        print(f"{k.short}  {k.office}  {k.fingerprint}")
    return EXIT_OK


def cmd_keys_remove(args) -> int:
    from alliance_desk.exchange import packages

    info = packages.untrust_key(open_db(args), args.fingerprint)
    print(f"已撤销可信公钥：{info.office}，指纹 {info.short}")
    return EXIT_OK


def cmd_cert_calibrate(args) -> int:
    from alliance_desk.exports.certificates import save_calibration

    cal = save_calibration(open_db(args), args.printer, args.dx, args.dy, args.note)
    print(f"已保存「{cal.printer}」的套打偏移：x={cal.offset_x_mm:+.1f} mm，y={cal.offset_y_mm:+.1f} mm")
    return EXIT_OK


def cmd_cert_sheet(args) -> int:
    from alliance_desk.exports.certificates import calibration_sheet, get_calibration

    dx = dy = 0.0
    if args.printer:
        cal = get_calibration(open_db(args), args.printer)
        dx, dy = cal.offset_x_mm, cal.offset_y_mm
    calibration_sheet(args.output, dx, dy)
    print(f"已生成校准页 {args.output}")
    return EXIT_OK


def cmd_cert_printers(args) -> int:
    from alliance_desk.exports.certificates import list_calibrations

    cals = list_calibrations(open_db(args))
    if not cals:
        print("（尚未保存打印机校准）")
    for c in cals:
        print(f"{c.printer}  x={c.offset_x_mm:+.1f} mm  y={c.offset_y_mm:+.1f} mm  {c.note}")
    return EXIT_OK
