"""Safety subcommands of `alliance-desk`: backup, restore, check-integrity, audit verify|log.

`register(subparsers)` adds them to the main parser and returns {command: handler} (cli.build_parser
collects them).

    alliance-desk backup --db DB [-o FILE]       online copy (default: into backups/ beside DB)
    alliance-desk restore --db DB FILE [--other-database]   replace DB with FILE (old one kept aside)
    alliance-desk check-integrity --db DB        PRAGMA quick_check (exit 2 when damaged)
    alliance-desk audit verify --db DB           exit 0 intact, 2 broken (row id and time named)
    alliance-desk audit log --db DB [--application ID] [--limit N] [--json]

Exit codes as in cli.common: 0 done, 2 refused or broken (one Chinese line per problem on stderr),
1 other failure.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from cli.common import EXIT_INVALID, EXIT_OK, db_command, opened_db, parser_class, problems



def register(subparsers) -> dict:
    """Add `backup`, `restore`, `check-integrity` and `audit …`; return {command name: handler}."""

    p = db_command(subparsers, "backup", help="备份数据库（在线备份，程序运行时也可以）")
    p.add_argument("-o", "--output", metavar="FILE", default=None,
                   help="备份文件（默认：数据库旁 backups 文件夹中按时间命名的文件）")
    p.set_defaults(handler=cmd_backup)

    p = db_command(subparsers, "restore", help="用备份文件恢复数据库（被替换的数据库另存一份）")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--other-database", action="store_true", dest="other_database",
                   help="确认用另一个数据库（审计链或本单位密钥不同）的备份替换当前数据库")
    p.set_defaults(handler=cmd_restore)

    p = db_command(subparsers, "check-integrity", help="检查数据库文件是否完好（PRAGMA quick_check）")
    p.set_defaults(handler=cmd_check_integrity)

    p = subparsers.add_parser("audit", help="审计记录：校验哈希链、查看修改历史")
    sub = p.add_subparsers(dest="audit_command", parser_class=parser_class(subparsers), required=True,
                           metavar="{verify,log}")
    q = db_command(sub, "verify", help="校验审计记录的哈希链（完整：退出码 0；被改动：2）")
    q = db_command(sub, "log", help="列出修改历史")
    q.add_argument("--application", metavar="ID", default=None, help="只看这份申报的历史")
    q.add_argument("--limit", type=int, default=None, metavar="N", help="只列最近 N 条")
    q.add_argument("--json", action="store_true")
    p.set_defaults(handler=cmd_audit)
    return {"backup": cmd_backup, "restore": cmd_restore, "check-integrity": cmd_check_integrity,
            "audit": cmd_audit}


def _sqlite_file(args) -> Path | None:
    from db.session import resolve_url

    from alliance_desk.store.backup import sqlite_path

    path = sqlite_path(resolve_url(getattr(args, "db", None)))
    if path is None:
        print("备份、恢复和完整性检查只适用于 SQLite 数据库文件；PostgreSQL 请用服务器自带的工具（pg_dump）", file=sys.stderr)
    return path


def _on_sqlite_file(args, action, refused: str = "") -> int:
    """Run `action(backup module, path)` on the SQLite file `--db` names; a BackupError is a refusal
    (exit 2, `refused` before its message)."""
    from alliance_desk.store import backup

    path = _sqlite_file(args)
    if path is None:
        return EXIT_INVALID
    try:
        action(backup, path)
    except backup.BackupError as exc:
        return problems([f"{refused}{exc}"])
    return EXIT_OK


def cmd_backup(args) -> int:
    def run(backup, path):
        out = backup.backup_to(path, args.output) if args.output else backup.take_backup(path, "manual").path
        print(f"已备份 {path.name} → {out}")
    return _on_sqlite_file(args, run)


def cmd_restore(args) -> int:
    def run(backup, path):
        res = backup.restore(path, args.file, accept_other=args.other_database)
        print(f"已用 {res.source} 恢复 {res.path.name}（数据库结构版本 {res.revision}）")
        if res.replaced is not None:
            print(f"被替换的数据库另存为 {res.replaced}")
    return _on_sqlite_file(args, run, "恢复失败，数据库未作任何修改：")


def cmd_check_integrity(args) -> int:
    from alliance_desk.store import backup

    path = _sqlite_file(args)
    if path is None:
        return EXIT_INVALID
    health = backup.check_database(path)
    if health.ok:
        print(health.text())
        return EXIT_OK
    return problems(health.text().splitlines())


def cmd_audit(args) -> int:
    from alliance_desk.store import audit

    with opened_db(args) as db:
        if args.audit_command == "verify":
            from alliance_desk.store.backup import sqlite_path
            from alliance_desk.store.restore_guard import backup_problems

            res = audit.verify(db)
            path = sqlite_path(db.url)
            # the backups beside a SQLite file anchor the chain outside the database too
            extra = backup_problems(path, db) if res.ok and path is not None else []
            if extra:
                return problems([f"审计记录与备份不符：{extra[0]}", *extra[1:]])
            if res.ok:
                print(res.text())
                return EXIT_OK
            return problems(res.text().splitlines())
        rows = audit.history(db, args.application, args.limit, newest_first=args.limit is not None)
        if args.limit is not None:
            rows.reverse()
        if args.json:
            print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2, default=str))
            return EXIT_OK
        if not rows:
            print("没有审计记录" + (f"（申报 {args.application}）" if args.application else ""))
        for r in rows:
            what = r.entity_id if r.entity != "application" else r.entity_id[:8]
            print(f"#{r.id}  {r.at}  {r.actor}  {r.label} {what}  {r.summary()}")
        return EXIT_OK
