"""Lifecycle subcommands of `alliance-desk`: decide, stage, lifecycle due|record|show|dashboard.

`register(subparsers)` adds them to the main parser and returns {command: handler} (cli.build_parser
collects them). Each parser also carries its handler as `args.handler`.

Exit codes as in cli.common: 0 done, 2 invalid input or a refused operation (one Chinese line per
problem on stderr, nothing written). Without --on, the date is today's: the CLI is the one place
that reads the clock; the services never do.
"""
from __future__ import annotations

import json
from datetime import date

from cli.common import EXIT_OK, db_command, open_db, parser_class, problems

OUTCOME_CHOICES = ("recognized", "demonstration", "pilot", "approved", "filed", "rejected")



def register(subparsers) -> dict:
    """Add `decide`, `stage` and `lifecycle …` to `subparsers`; return {command name: handler}."""

    p = db_command(subparsers, "decide", help="记录决定：认定、示范、试点、批复成立、备案或不予认定")
    p.add_argument("--application", required=True, metavar="ID")
    p.add_argument("--outcome", required=True, metavar="|".join(OUTCOME_CHOICES),
                   help="recognized 认定 / demonstration 示范 / pilot 试点 / approved 批复成立 / filed 备案 / "
                        "rejected 不予认定")
    p.add_argument("--on", required=True, metavar="DATE", help="决定日期 YYYY-MM-DD")
    p.add_argument("--doc-no", default=None, metavar="TEXT", help="文号")
    p.add_argument("--by", default="", metavar="NAME")
    p.add_argument("--note", default="")
    p.set_defaults(handler=cmd_decide)

    p = db_command(subparsers, "stage", help="把申报推进到（或退回到）办理程序中的某一步")
    p.add_argument("--application", required=True, metavar="ID")
    p.add_argument("--to", required=True, metavar="STAGE_ID", help="目标步骤 id（见规则包 [[stages]]）")
    p.add_argument("--on", default=None, metavar="DATE", help="日期 YYYY-MM-DD（默认今天）")
    p.add_argument("--by", default=None, metavar="NAME", help="办理人或单位（默认该步骤的办理单位）")
    p.add_argument("--note", default="", metavar="TEXT", help="说明（退回时必填）")
    p.set_defaults(handler=cmd_stage)

    p = subparsers.add_parser("lifecycle", help="认定后的义务：到期事项、登记、状态、看板")
    life = p.add_subparsers(dest="lifecycle_command", parser_class=parser_class(subparsers), required=True,
                            metavar="{due,record,show,dashboard}")

    q = db_command(life, "due", help="某日到期（默认 30 天内）和逾期的全部事项")
    q.add_argument("--on", default=None, metavar="DATE")
    q.add_argument("--within", type=int, default=30, metavar="DAYS", help="多少天内到期算即将到期（默认 30）")
    q.add_argument("--json", action="store_true")

    q = db_command(life, "record", help="登记收到的总结、考核结果、变更报备、整改或取消资格")
    q.add_argument("--alliance", required=True, metavar="ID")
    q.add_argument("--kind", required=True, help="事项，如 summary、mid_term、final、assessment、annual_tasks、"
                                                 "change、change_report、rectification、revocation")
    q.add_argument("--on", required=True, metavar="DATE")
    q.add_argument("--result", default=None, help="结果：excellent/good/pass/poor/fail（或 优秀/良好/合格/较差/不合格）；"
                                                  "打分事项可直接给分数")
    q.add_argument("--score", default=None, metavar="N", help="分数")
    q.add_argument("--year", "--period", dest="period", default=None, metavar="YEAR",
                   help="对应的年度或期次（默认：当前已开始的最近一期）")
    q.add_argument("--topic", default=None, help="变更类型：lead_renamed、lead_reorganized、members_changed")
    q.add_argument("--items", default=None, metavar="JSON", help='逐项得分，如 \'{"benchmark": 10, "guide": 8}\'')
    q.add_argument("--doc-no", default=None, metavar="TEXT")
    q.add_argument("--by", default="", metavar="NAME")
    q.add_argument("--note", default="")

    q = db_command(life, "show", help="一个联盟的状态、有效期和全部义务")
    q.add_argument("--alliance", required=True, metavar="ID")
    q.add_argument("--on", default=None, metavar="DATE")
    q.add_argument("--json", action="store_true")

    q = db_command(life, "dashboard", help="看板：30 天内到期、已逾期、有取消资格风险、本年度届满")
    q.add_argument("--on", default=None, metavar="DATE")
    q.add_argument("--within", type=int, default=30, metavar="DAYS")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_lifecycle)

    return {"decide": cmd_decide, "stage": cmd_stage, "lifecycle": cmd_lifecycle}


# ------------------------------------------------------------------ helpers

class _Invalid(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems


def _date(text: str | None, option: str) -> date:
    from alliance_desk.lifecycle import LifecycleError, parse_date

    if text is None:
        return date.today()
    try:
        return parse_date(text)
    except LifecycleError:
        raise _Invalid([f"{option}：「{text}」不是有效日期（应为 YYYY-MM-DD）"]) from None


def _number(text: str | None, option: str, kind: type = float) -> float | int | None:
    if text is None:
        return None
    try:
        return kind(text)
    except ValueError:
        raise _Invalid([f"{option}：「{text}」不是{'整数' if kind is int else '数字'}"]) from None


def _run(fn, args) -> int:
    from alliance_desk.lifecycle import LifecycleError
    from alliance_desk.rules.packs import PackError

    try:
        return fn(args)
    except _Invalid as exc:
        return problems(exc.problems)
    except LifecycleError as exc:
        return problems(exc.problems)
    except PackError as exc:
        return problems([str(exc)])


def _validity_line(st) -> str:
    if st.expires_on is not None:
        return f"有效期至 {st.expires_on}"
    return "不设有效期（按年度义务和考核管理）"


# ------------------------------------------------------------------ commands

def cmd_decide(args) -> int:
    def run(args):
        from alliance_desk import lifecycle as lc

        on = _date(args.on, "--on")
        db = open_db(args)
        view = lc.decide(db, args.application, args.outcome, on, doc_no=args.doc_no, by=args.by, note=args.note)
        with db.Session() as s:
            st = lc.alliance_status(s, args.application, on)
        doc = f"，文号 {view.doc_no}" if view.doc_no else ""
        print(f"「{st.name}」：{view.label}（{view.decided_on}{doc}）")
        if view.positive:
            print(_validity_line(st))
        return EXIT_OK
    return _run(run, args)


def cmd_stage(args) -> int:
    def run(args):
        from alliance_desk import lifecycle as lc

        on = _date(args.on, "--on")
        db = open_db(args)
        t = lc.move_stage(db, args.application, args.to, on, by=args.by, note=args.note)
        with db.Session() as s:
            state = lc.procedure(s, args.application)
        frm = state.stage(t.from_stage).short if t.from_stage else "（开始）"
        note = f"：{t.note}" if t.note else ""
        print(f"「{state.name}」：{frm} → {state.stage(t.to_stage).short}（{lc.DIRECTIONS[t.direction]}，"
              f"{t.on}，{t.by}{note}）")
        return EXIT_OK
    return _run(run, args)


def cmd_lifecycle(args) -> int:
    handler = {"due": _due, "record": _record, "show": _show, "dashboard": _dashboard}[args.lifecycle_command]
    return _run(handler, args)


def _obligation_line(o) -> str:
    return f"{o.due}  {o.status_label}  {o.alliance}  {o.period_label} {o.name}  [{o.clause}]"


def _due(args) -> int:
    from alliance_desk import lifecycle as lc

    on = _date(args.on, "--on")
    if args.within < 0:
        raise _Invalid(["--within 不能为负数"])
    db = open_db(args)
    with db.Session() as s:
        items = lc.due_obligations(s, on, args.within)
    if args.json:
        print(json.dumps([o.as_dict() for o in items], ensure_ascii=False, indent=2))
        return EXIT_OK
    if not items:
        print(f"{on}：没有逾期或 {args.within} 天内到期的事项")
    for o in items:
        print(_obligation_line(o))
    return EXIT_OK


def _record(args) -> int:
    from alliance_desk import lifecycle as lc

    problems = []
    values = {}
    for key, fn, option in (("on", lambda t: _date(t, "--on"), "--on"),
                            ("score", lambda t: _number(t, "--score"), "--score"),
                            ("period", lambda t: _number(t, "--year", int), "--year")):
        try:
            values[key] = fn(getattr(args, key))
        except _Invalid as exc:
            problems += exc.problems
    items = None
    if args.items is not None:
        try:
            items = json.loads(args.items)
            if not isinstance(items, dict):
                raise ValueError
        except ValueError:
            problems.append(f"--items：应为 JSON 对象，如 {{\"benchmark\": 10}}，实际「{args.items}」")
    if problems:
        raise _Invalid(problems)
    db = open_db(args)
    out = lc.record(db, args.alliance, args.kind, values["on"], result=args.result, score=values["score"],
                    period=values["period"], items=items, topic=args.topic, doc_no=args.doc_no, by=args.by,
                    note=args.note)
    r = out.record
    bits = [b for b in (r.result_label, f"{r.score:g} 分" if r.score is not None else "",
                        f"文号 {r.doc_no}" if r.doc_no else "") if b]
    ob = next((o for o in out.status.obligations if o.kind == r.kind and o.period == r.period), None)
    which = f"{ob.period_label} " if ob else ""
    print(f"已登记：「{out.status.name}」{which}{out.label}（{r.on}{'，' + '，'.join(bits) if bits else ''}）")
    for a in out.consequences:
        print(f"→ {a.text}" + (f"（{a.clause}）" if a.clause else ""))
    print(f"当前状态：{out.status.state_label}")
    return EXIT_OK


def _show(args) -> int:
    from alliance_desk import lifecycle as lc

    on = _date(args.on, "--on")
    db = open_db(args)
    with db.Session() as s:
        st = lc.alliance_status(s, args.alliance, on)
        proc = lc.procedure(s, args.alliance)
    if args.json:
        d = st.as_dict()
        d["procedure"] = proc.as_dict()
        print(json.dumps(d, ensure_ascii=False, indent=2))
        return EXIT_OK
    cur = proc.stage(proc.current)
    print(f"「{st.name}」（{st.region_name}）  办理步骤：{cur.short if cur else '未开始'}  状态：{st.state_label}")
    if st.decision:
        doc = f"，文号 {st.decision.doc_no}" if st.decision.doc_no else ""
        print(f"决定：{st.decision.label}（{st.decision.decided_on}{doc}）  {_validity_line(st)}")
    for a in st.alerts:
        print(f"! {a.text}" + (f"（{a.clause}）" if a.clause else ""))
    for o in st.obligations:
        print(_obligation_line(o))
    return EXIT_OK


def _dashboard(args) -> int:
    from alliance_desk import lifecycle as lc

    on = _date(args.on, "--on")
    db = open_db(args)
    with db.Session() as s:
        d = lc.dashboard(s, on, args.within)
    if args.json:
        print(json.dumps(d.as_dict(), ensure_ascii=False, indent=2))
        return EXIT_OK
    print(f"{args.within} 天内到期（{len(d.due_soon)}）")
    for o in d.due_soon:
        print("  " + _obligation_line(o))
    print(f"已逾期（{len(d.overdue)}）")
    for o in d.overdue:
        print("  " + _obligation_line(o))
    print(f"有取消资格风险（{len(d.at_risk)}）")
    for a in d.at_risk:
        print(f"  {a.name}  {a.state_label}：{a.risk_text()}")
    print(f"本年度届满（{len(d.expiring)}）")
    for a in d.expiring:
        print(f"  {a.name}  {a.expires_on}")
    return EXIT_OK
