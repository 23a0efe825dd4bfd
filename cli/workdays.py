"""`alliance-desk calendar …`: the working-day calendar and publicity periods.

    alliance-desk calendar publicity-end START N [--db DB] [--unit working|calendar]
    alliance-desk calendar years|show YEAR|set-year YEAR --holiday SPEC … --workday SPEC … [--db DB]

Without --db, `calendar publicity-end` and `calendar show` read the chinese-calendar library directly
(2004–2026 in version 1.11); with --db they use the stored calendar, seeded from the library and
extended by the office (`calendar set-year`). A period that reaches a year without data exits 2
with a message naming the year. The parsers are added by cli.documents.register, whose `dispatch`
turns the calendar's refusals into exit 2 like those of the other document commands.
"""
from __future__ import annotations

import argparse
import sys

from cli.common import EXIT_INVALID, EXIT_OK, ArgParser, date_arg, db_command, open_db, opened_db


def positive_days(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是整数") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"天数应至少为 1，实际为 {n}")
    return n


def register_calendar(subparsers) -> None:
    """Add `calendar …` to `subparsers`; each subcommand's handler is `args.handler`."""
    p = subparsers.add_parser("calendar", help="节假日与调休日历、公示期计算")
    sub = p.add_subparsers(dest="calendar_command", parser_class=ArgParser, required=True)
    k = db_command(sub, "publicity-end", help="公示期最后一天：从 START（或其后第一个工作日）起第 N 个工作日")
    k.add_argument("start", type=date_arg)
    k.add_argument("days", type=positive_days)
    k.add_argument("--unit", choices=("working", "calendar"), default="working")
    k.set_defaults(handler=cmd_calendar_end)
    k = db_command(sub, "years", help="列出数据库中已有节假日数据的年份")
    k.set_defaults(handler=cmd_calendar_years)
    k = db_command(sub, "show", help="列出某年的节假日和调休上班日")
    k.add_argument("year", type=int)
    k.set_defaults(handler=cmd_calendar_show)
    k = db_command(sub, "set-year", help="录入（或替换）某年的节假日和调休上班日")
    k.add_argument("year", type=int)
    k.add_argument("--holiday", action="append", default=[], metavar="SPEC",
                   help="节假日：YYYY-MM-DD 或 YYYY-MM-DD..YYYY-MM-DD，可加 =名称（可重复）")
    k.add_argument("--workday", action="append", default=[], metavar="SPEC",
                   help="调休上班日（周六或周日）：YYYY-MM-DD，可加 =名称（可重复）")
    k.add_argument("--note", default="", help="依据，如 国务院办公厅关于2027年部分节假日安排的通知")
    k.set_defaults(handler=cmd_calendar_set_year)


def _calendar(args):
    """The stored calendar with --db (or a top-level --db), else the library."""
    from alliance_desk.lifecycle import workdays

    if getattr(args, "db", None):
        with opened_db(args) as db:
            return workdays.load_calendar(db)
    return workdays.WorkCalendar.from_library()


def cmd_calendar_end(args) -> int:
    from alliance_desk.lifecycle import workdays

    cal = None if args.unit == workdays.UNIT_CALENDAR else _calendar(args)
    per = workdays.period(cal, args.start, args.days, args.unit)
    print(per.end.isoformat())
    return EXIT_OK


def cmd_calendar_years(args) -> int:
    from alliance_desk.lifecycle import workdays

    if not getattr(args, "db", None):
        years = workdays.library_years()
        print(f"chinese-calendar：{years.start}–{years.stop - 1}（未指定 --db，直接使用程序库）")
        return EXIT_OK
    db = open_db(args)
    workdays.ensure_seeded(db)
    with db.Session() as s:
        for y in workdays.covered_years(s):
            src = "程序库预置" if y.source == workdays.SOURCE_LIBRARY else "本单位录入"
            print(f"{y.year}  {src}  节假日 {y.holidays} 天  调休上班 {y.workdays} 天  {y.note}")
    return EXIT_OK


def cmd_calendar_show(args) -> int:
    from alliance_desk.lifecycle import workdays

    if getattr(args, "db", None):
        db = open_db(args)
        workdays.ensure_seeded(db)
        with db.Session() as s:
            if args.year not in {y.year for y in workdays.covered_years(s)}:
                raise workdays.CalendarMissing(args.year, "database")
            entries = workdays.year_entries(s, args.year)
    else:
        if args.year not in workdays.library_years():
            raise workdays.CalendarMissing(args.year, "library")
        entries = workdays.library_entries(args.year)
    for e in entries:
        kind = "节假日" if e.kind == workdays.HOLIDAY else "调休上班"
        print(f"{e.day.isoformat()}  周{'一二三四五六日'[e.day.weekday()]}  {kind}  {e.name}")
    return EXIT_OK


def cmd_calendar_set_year(args) -> int:
    from alliance_desk.lifecycle import workdays

    if not getattr(args, "db", None):
        print("录入节假日需要 --db 指定数据库", file=sys.stderr)
        return EXIT_INVALID
    hol = [x for spec in args.holiday for x in workdays.parse_days(spec)]
    work = [x for spec in args.workday for x in workdays.parse_days(spec)]
    db = open_db(args)
    workdays.ensure_seeded(db)
    info = workdays.set_year(db, args.year, hol, work, note=args.note)
    print(f"已保存 {info.year} 年：节假日 {info.holidays} 天，调休上班 {info.workdays} 天")
    return EXIT_OK
