"""What every `alliance-desk` command module shares: exit codes, the Chinese argument parser, the
`--db` option and opening it, printing refusals, column padding for CJK text and argument types.

The command modules (cli.applications, cli.calls, cli.documents, …) import from here and never from
the `cli` package itself, so the package can build its parser from them without an import cycle.
Nothing here imports the core at module level: heavy modules load inside the command that needs them.
"""
from __future__ import annotations

import argparse
import copy
import json
import sys
import unicodedata
from contextlib import contextmanager
from datetime import date

EXIT_OK, EXIT_FAIL, EXIT_INVALID = 0, 1, 2

STATUS_ZH = {"pass": "符合", "fail": "不符合", "warn": "提示", "manual": "待确认", "na": "不适用"}

# An option's help may say `%(regions)s`: the region ids of the packs in resources/regions, read only
# when help is printed, so a new region is one TOML file and commands that print no help load no pack.
REGION_HELP = "地区 id（%(regions)s）"


def region_ids() -> str:
    from alliance_desk.rules.packs import all_packs

    return "、".join(all_packs())


class HelpFormatter(argparse.HelpFormatter):
    def _expand_help(self, action) -> str:
        if "%(regions)" not in (action.help or ""):
            return super()._expand_help(action)
        expanded = copy.copy(action)
        expanded.help = action.help.replace("%(regions)s", region_ids().replace("%", "%%"))
        return super()._expand_help(expanded)


class ArgParser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> None:  # argparse exits 2 with its own text; keep that, in Chinese
        self.print_usage(sys.stderr)
        print(f"参数错误：{message}", file=sys.stderr)
        sys.exit(EXIT_INVALID)


def parser_class(subparsers) -> type:
    """The parser class the main parser gave `subparsers` (plain argparse when registered alone)."""
    return getattr(subparsers, "_parser_class", argparse.ArgumentParser)


def add_db(p: argparse.ArgumentParser, top: bool = False) -> None:
    # On subcommands the option is SUPPRESSed so `alliance-desk --db X gui` keeps X.
    p.add_argument("--db", metavar="PATH", default=None if top else argparse.SUPPRESS,
                   help="数据库文件或 URL（默认：ALLIANCE_DESK_DATABASE_URL，或用户数据目录中的 alliance-desk.sqlite）")


def db_command(subparsers, name: str, **kwargs) -> argparse.ArgumentParser:
    """A subcommand that works on a database: its parser, with `--db` already added."""
    p = subparsers.add_parser(name, **kwargs)
    add_db(p)
    return p


@contextmanager
def opened_db(args):
    """`open_db(args)` for the length of a `with` block; its connections are closed at the end."""
    db = open_db(args)
    try:
        yield db
    finally:
        db.dispose()


def open_db(args):
    """The database `--db` names (top-level or on the subcommand), else the default one."""
    from db.session import open_database

    return open_database(getattr(args, "db", None))


def problems(lines: list[str]) -> int:
    """Print each refusal line on stderr; the exit code for refused input."""
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_INVALID


def print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(0, columns - width(text))


# ------------------------------------------------------------------ argument types (argparse `type=`)

def int_arg(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是整数") from None


def float_arg(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是数字") from None


def date_arg(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"「{text}」不是 YYYY-MM-DD 格式的日期") from None
