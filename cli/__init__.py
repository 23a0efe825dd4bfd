"""`alliance-desk` command line. With no arguments it starts the desktop app.

This package builds the parser from its command modules (each has `register(subparsers)` returning
{command: handler}) and dispatches through the writer-lock guard (cli.guard). What the command modules
share lives in cli.common; they never import this package, so the imports run one way.

Exit codes: 0 done, 2 invalid input (one Chinese line per problem on stderr), 1 other failure.
Heavy modules are imported inside each command so that `validate`/`check` start fast.
"""
from __future__ import annotations

import argparse
import sys

from alliance_desk import __version__
from cli.common import EXIT_FAIL, ArgParser, add_db

# {top-level command: handler}, filled by build_parser from the modules' register()
COMMANDS: dict = {}


def build_parser(window_only: bool = False) -> argparse.ArgumentParser:
    """The whole command line, or (`window_only`) the top level and `gui` alone: starting the window
    need not build ~80 subcommand parsers first (a noticeable part of the time to the first paint)."""
    parser = ArgParser(prog="alliance-desk", description="产业技术创新联盟申报审查工具")
    parser.add_argument("--version", action="version", version=f"Alliance Desk {__version__}")
    add_db(parser, top=True)
    sub = parser.add_subparsers(dest="command", parser_class=ArgParser)
    if window_only:
        from cli import system

        COMMANDS.update(system.register_gui(sub))
        return parser
    for module in command_modules():
        COMMANDS.update(module.register(sub))
    return parser


def command_modules() -> tuple:
    """Every command module, in the order `alliance-desk --help` lists their commands. Imported here
    (plain import statements, which the frozen build's analysis follows), not at the top: starting
    the window needs none of them."""
    from cli import applications, calls, clauses, documents, forms, lifecycle, review, safety, system

    return applications, system, lifecycle, documents, review, safety, calls, clauses, forms


def starts_the_window(argv: list[str]) -> bool:
    """True when `argv` is at most a top-level `--db X` and then nothing or `gui …`: the window
    starts, and `gui`'s own options are all the parser has to know. Anything else (a command,
    --help, --version, an abbreviated option) takes the whole parser."""
    i = 0
    while i < len(argv):
        if argv[i] == "--db":
            i += 2
        elif argv[i].startswith("--db="):
            i += 1
        else:
            break
    return i >= len(argv) or argv[i] == "gui"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(window_only=starts_the_window(argv)).parse_args(argv)
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
