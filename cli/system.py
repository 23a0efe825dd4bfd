"""`alliance-desk info` (what this installation is made of, for support) and `alliance-desk gui`.

The `gui` command is the one place the command line reaches the desktop app: it imports `ui` inside
the handler, from the entry point down, so no other command loads Qt.
"""
from __future__ import annotations

import json
import sys

from alliance_desk import __version__
from cli.common import EXIT_OK, db_command


def register_gui(subparsers) -> dict:
    p = db_command(subparsers, "gui", help="启动桌面程序")
    p.add_argument("--open", metavar="ID", help="打开这份申报")
    p.add_argument("--screenshot", metavar="FILE.png", help="把主窗口渲染为 PNG 后退出")
    p.add_argument("--size", default="1366x768", help="截图窗口大小，默认 1366x768")
    p.add_argument("--tab", type=int, default=0, help="截图时编辑器显示的标签页序号")
    return {"gui": cmd_gui}


def register(subparsers) -> dict:
    commands = register_gui(subparsers)
    p = db_command(subparsers, "info", help="显示版本、组件、资源和数据库位置（供技术支持排查）")
    p.add_argument("--json", action="store_true")
    return {**commands, "info": cmd_info}


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
