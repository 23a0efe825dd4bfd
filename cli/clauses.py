"""`alliance-desk clauses --region R [--json]`: how each clause of the region's notice is served.

Exit codes as in cli.common: 0 printed, 2 unknown region or a broken register (one Chinese line per
problem on stderr).
"""
from __future__ import annotations

import json
import sys

from cli.common import EXIT_INVALID, EXIT_OK, REGION_HELP


def register(subparsers) -> dict:
    p = subparsers.add_parser("clauses", help="列出地区通知的条款对照表：每条条件由哪条规则、材料或文书落实")
    p.add_argument("--region", required=True, help=REGION_HELP)
    p.add_argument("--json", action="store_true", help="输出 JSON")
    return {"clauses": cmd_clauses}


def format_register(region: str, rows: list[dict], uncovered: list[str]) -> str:
    lines = [f"条款对照表：{region}（{len(rows)} 条）", ""]
    for r in rows:
        lines.append(f"[{r['clause']}] {r['quote']}")
        if r["serves"]:
            lines.append("    落实：" + "；".join(r["serves_text"]))
        else:
            lines.append(f"    不设条件：{r['no_condition']}")
    if uncovered:
        lines += ["", f"未对照的条件（{len(uncovered)} 句）："] + [f"    {s}" for s in uncovered]
    return "\n".join(lines)


def cmd_clauses(args) -> int:
    from alliance_desk.rules.clauses import ClauseError, as_rows, get_register, problems, uncovered
    from alliance_desk.rules.packs import PackError, get_pack

    try:
        pack = get_pack(args.region)
        reg = get_register(args.region)
    except (PackError, ClauseError) as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_INVALID
    broken = problems(reg, pack)
    if broken:
        for line in broken:
            print(line, file=sys.stderr)
        return EXIT_INVALID
    rows, missing = as_rows(reg, pack), uncovered(reg)
    if args.json:
        print(json.dumps({"region": pack.id, "notice": pack.seed, "clauses": rows, "uncovered": missing},
                         ensure_ascii=False, indent=2))
    else:
        print(format_register(f"{pack.region_name}（{pack.seed}）", rows, missing))
    return EXIT_OK
