"""`alliance-desk review …`: expert review from the command line.

    review round create --db DB --region R --call C --name N [--template ID]     prints the round id
    review round list --db DB [--json]
    review expert add --db DB --name N --unit U [--uscc X] [--field F] [--title T] [--phone P]
    review expert list --db DB [--field F] [--json]
    review draw --db DB --round ID --count N [--reserves M] [--field F] [--seed S] [--record FILE.xlsx]
    review assign --db DB --round ID --auto --per-application K                   prints JSON
    review assign --db DB --round ID --application A --expert E                   one pair by hand
    review conflicts --db DB --round ID                                           prints JSON
    review declare --db DB --round ID --application A --expert E --reason TEXT
    review sheets --db DB --round ID --out DIR                                    one .xlsx per expert
    review package --db DB --round ID --expert E --out FILE.adpkg                 review package
    review import --db DB FILE [--round ID] [--allow-older]                     .xlsx or score file
    review summary --db DB --round ID [--json] [--method mean|trimmed|median|zscore]
    review export-summary --db DB --round ID --out FILE.xlsx [--method M]

`register(subparsers)` adds the `review` command to the main parser and returns its handler
(cli.build_parser collects it). Exit codes: 0 done, 2 invalid input (one Chinese line per problem on
stderr), 1 other failure. Heavy modules are imported inside the handlers.
"""
from __future__ import annotations

from datetime import datetime

from cli.common import (
    EXIT_OK, REGION_HELP, ArgParser, db_command, float_arg, int_arg, open_db, pad, print_json, problems,
)

METHODS_HELP = "mean（平均）、trimmed（去掉一个最高分和一个最低分）、median（中位数）、zscore（专家标准分）"


def register(subparsers) -> dict:
    """Add `review` to the main parser's subparsers and return {"review": handler}."""
    p = subparsers.add_parser("review", help="专家评审：评审轮次、专家库、分配、评分表、评分汇总")
    sub = p.add_subparsers(dest="review_command", parser_class=ArgParser, metavar="子命令")
    sub.required = True

    pr = sub.add_parser("round", help="评审轮次")
    rsub = pr.add_subparsers(dest="round_command", parser_class=ArgParser, metavar="子命令")
    rsub.required = True
    q = db_command(rsub, "create", help="新建评审轮次（纳入该地区该批次的全部申报），输出轮次 id")
    q.add_argument("--region", required=True, help=REGION_HELP)
    q.add_argument("--call", required=True, help="申报批次 id，如 ganzhou-2022")
    q.add_argument("--name", required=True, help="评审轮次名称")
    q.add_argument("--template", help="评分模板 id（默认：该地区的第一个模板）")
    q.add_argument("--deadline", help="评分截止时间，如 2024-06-30 18:00")
    q.add_argument("--method", default="trimmed", help=f"汇总方法：{METHODS_HELP}")
    q.add_argument("--threshold-range", type=float_arg, default=20.0, help="极差超过此值时提示分歧（默认 20 分）")
    q.add_argument("--threshold-sd", type=float_arg, default=None, help="标准差超过此值时提示分歧")
    q.add_argument("--per-application", type=int_arg, default=3, help="每份申报的评审专家数（默认 3）")
    q = db_command(rsub, "list", help="列出评审轮次")
    q.add_argument("--json", action="store_true")

    pe = sub.add_parser("expert", help="专家库")
    esub = pe.add_subparsers(dest="expert_command", parser_class=ArgParser, metavar="子命令")
    esub.required = True
    q = db_command(esub, "add", help="添加专家，输出专家 id")
    q.add_argument("--name", required=True)
    q.add_argument("--unit", required=True, help="所在单位")
    q.add_argument("--uscc", help="所在单位统一社会信用代码")
    q.add_argument("--field", help="专业领域")
    q.add_argument("--title", help="职称")
    q.add_argument("--phone", help="联系电话")
    q = db_command(esub, "list", help="列出专家库")
    q.add_argument("--field")
    q.add_argument("--json", action="store_true")

    q = db_command(sub, "draw", help="专家随机抽取（按专业领域，含备选），输出 JSON")
    q.add_argument("--round", required=True)
    q.add_argument("--count", type=int_arg, required=True, help="正式专家人数")
    q.add_argument("--reserves", type=int_arg, default=0, help="备选专家人数")
    q.add_argument("--field", help="专业领域（包含此文字）")
    q.add_argument("--seed", type=int_arg, help="随机种子（默认随机生成并记录）")
    q.add_argument("--by", default="", help="抽取人")
    q.add_argument("--record", metavar="FILE.xlsx", help="同时输出专家抽取记录表")

    q = db_command(sub, "assign", help="分配评审专家（自动均衡分配或手工指定一对）")
    q.add_argument("--round", required=True)
    q.add_argument("--auto", action="store_true", help="自动均衡分配，输出 JSON")
    q.add_argument("--per-application", type=int_arg, help="每份申报的专家数（默认：轮次设置）")
    q.add_argument("--application", help="手工分配：申报 id")
    q.add_argument("--expert", help="手工分配：专家 id")

    q = db_command(sub, "conflicts", help="列出本轮次的回避关系（JSON）")
    q.add_argument("--round", required=True)

    q = db_command(sub, "declare", help="登记专家声明的回避")
    q.add_argument("--round", required=True)
    q.add_argument("--application", required=True)
    q.add_argument("--expert", required=True)
    q.add_argument("--reason", required=True)
    q.add_argument("--by", default="")

    q = db_command(sub, "sheets", help="为每位专家生成 Excel 评分表")
    q.add_argument("--round", required=True)
    q.add_argument("--out", required=True, metavar="DIR")

    q = db_command(sub, "package", help="为一位专家生成评审包（.adpkg，签名）")
    q.add_argument("--round", required=True)
    q.add_argument("--expert", required=True)
    q.add_argument("--out", required=True, metavar="FILE.adpkg")

    q = db_command(sub, "import", help="导入专家填好的 Excel 评分表或签名评分文件（.adpkg）")
    q.add_argument("file")
    q.add_argument("--round", help="只接受这一评审轮次的文件")
    q.add_argument("--allow-older", action="store_true", dest="allow_older",
                   help="确认导入比已收到的更早的评分文件（会覆盖较新的评分，记入审计记录）")

    q = db_command(sub, "summary", help="评分汇总与排名")
    q.add_argument("--round", required=True)
    q.add_argument("--json", action="store_true")
    q.add_argument("--method", help=f"汇总方法（默认：轮次设置）：{METHODS_HELP}")

    q = db_command(sub, "export-summary", help="导出评分汇总表（Excel）")
    q.add_argument("--round", required=True)
    q.add_argument("--out", required=True, metavar="FILE.xlsx")
    q.add_argument("--method")

    return {"review": cmd_review}


def _deadline(text: str | None) -> datetime | None:
    if not text:
        return None
    from alliance_desk.review import ReviewError

    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
    raise ReviewError(f"截止时间「{text}」格式应为 YYYY-MM-DD HH:MM")


# ------------------------------------------------------------------ handlers

def cmd_review(args) -> int:
    from alliance_desk.rules.packs import PackError
    from alliance_desk.review import ReviewError
    from alliance_desk.review.scoring import ScoringError

    handler = {"round": _round, "expert": _expert, "draw": _draw, "assign": _assign, "conflicts": _conflicts,
               "declare": _declare, "sheets": _sheets, "package": _package, "import": _import,
               "summary": _summary, "export-summary": _export_summary}[args.review_command]
    try:
        return handler(args)
    except ReviewError as exc:
        return problems(exc.problems)
    except (ScoringError, PackError) as exc:
        return problems([str(exc)])


def _round(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    if args.round_command == "create":
        rid = review.create_round(db, args.region, args.call, args.name, args.template, _deadline(args.deadline),
                                  args.method, args.threshold_range, args.threshold_sd, args.per_application)
        print(rid)
        return EXIT_OK
    rounds = review.list_rounds(db)
    if args.json:
        print_json([{"id": x.id, "name": x.name, "region": x.region, "call": x.call_id, "template": x.template.id,
                      "template_label": x.template.label, "applications": len(x.applications),
                      "experts": len(x.experts)} for x in rounds])
    else:
        for x in rounds:
            print(f"{x.id}  {x.name}  {x.region_name}  {x.template.label}  申报 {len(x.applications)} 份  "
                  f"专家 {len(x.experts)} 位")
    return EXIT_OK


def _expert(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    if args.expert_command == "add":
        print(review.add_expert(db, args.name, args.unit, args.uscc, args.field, args.title, args.phone))
        return EXIT_OK
    experts = review.list_experts(db, args.field)
    if args.json:
        print_json([e.__dict__ for e in experts])
    else:
        for e in experts:
            print(f"{e.id}  {e.name}  {e.unit}  {e.field or ''}  {e.title or ''}")
    return EXIT_OK


def _draw(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    d = review.draw_experts(db, args.round, args.count, args.reserves, args.field, args.seed, args.by)
    if args.record:
        from alliance_desk.review.score_sheets import write_draw_record

        write_draw_record(db, d.id, args.record)
    print_json({"draw": d.id, "round": d.round_id, "seed": d.seed, "field": d.field, "candidates": len(d.candidates),
                 "primary": [{"id": e.id, "name": e.name, "unit": e.unit} for e in d.primary],
                 "reserve": [{"id": e.id, "name": e.name, "unit": e.unit} for e in d.reserve],
                 "record": args.record})
    return EXIT_OK


def _assign(args) -> int:
    from alliance_desk import review

    if args.auto:
        if args.application or args.expert:
            return problems(["--auto 不能与 --application/--expert 同时使用"])
        db = open_db(args)
        result = review.auto_assign(db, args.round, args.per_application)
        print_json(result.as_dict())
        return EXIT_OK
    if not (args.application and args.expert):
        return problems(["请指定 --auto（自动分配），或同时指定 --application 和 --expert（手工分配）"])
    db = open_db(args)
    review.assign(db, args.round, args.application, args.expert)
    print(f"已分配：申报 {args.application} ← 专家 {args.expert}")
    return EXIT_OK


def _conflicts(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    print_json([c.as_dict() for c in review.conflicts(db, args.round)])
    return EXIT_OK


def _declare(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    review.declare_conflict(db, args.round, args.application, args.expert, args.reason, args.by)
    print("已登记回避")
    return EXIT_OK


def _sheets(args) -> int:
    from alliance_desk.review.score_sheets import write_sheets

    db = open_db(args)
    for p in write_sheets(db, args.round, args.out):
        print(p)
    return EXIT_OK


def _package(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    print(review.export_review_package(db, args.round, args.expert, args.out))
    return EXIT_OK


def _import(args) -> int:
    from alliance_desk import review

    db = open_db(args)
    result = review.import_file(db, args.file, args.round, args.allow_older)
    print(result.summary())
    return EXIT_OK


def _summary(args) -> int:
    from alliance_desk import review
    from alliance_desk.review import scoring

    db = open_db(args)
    sm = review.summary(db, args.round, args.method)
    if args.json:
        print_json(sm.as_dict())
        return EXIT_OK
    print(f"{sm.round.name}  评分模板：{sm.round.template.label}  汇总方法：{scoring.METHOD_LABELS[sm.method]}")
    for a in sm.aggregates:
        flag = "  ⚠ " + "；".join(a.flag_reasons) if a.flagged else ""
        if sm.method == "trimmed" and a.trim_fallback:
            flag += f"  注：{a.trim_note}"
        value = scoring.fmt(round(a.value, 2)) if a.value is not None else "—"
        print(f"{a.rank or '—':>3}  {pad(sm.app(a.application).name, 36)}{value:>8}  （{a.n} 位专家）{flag}")
    return EXIT_OK


def _export_summary(args) -> int:
    from alliance_desk.review.score_sheets import write_summary

    db = open_db(args)
    print(write_summary(db, args.round, args.out, args.method))
    return EXIT_OK
