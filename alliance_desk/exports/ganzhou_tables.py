"""Ganzhou's three lists of the 组建指引 第三步 (003 § 组建指引 第三步), as one .xlsx:

- 文件5 成员单位表: 联合体名称, 牵头单位, 研究方向, 产业链环节, then the members in two blocks —
  技术支撑体系 (the lead unit's core platform first, then universities, research institutes and testing
  bodies) and 产业促进体系 (enterprises and every other member) — each ordered upstream → midstream →
  downstream as the template asks (按产业链供应链上中下游顺序排序);
- 文件6 理事推荐名单 and 秘书处人员名单 (在理事会职务：理事长、副理事长、理事成员);
- 文件7 专家咨询委员会推荐名单 (在专家委职务：名誉主任、主任、委员).

One sheet per list and application (several applications give several sheet triples). Written in
openpyxl write-only mode with the same print setup as the other office tables (A4 portrait, header
row repeated, fitted to width, ruled grid, 宋体).
"""
from __future__ import annotations

from pathlib import Path

from alliance_desk.exports.common import LEVEL_RANK, LEVEL_ZH, ExportResult, ProgressFn, atomic_output, lead, report

SUPPORT_KINDS = ("university", "research_institute", "testing")
COUNCIL_ROLE_ZH = {"honorary_chair": "名誉理事长", "chair": "理事长", "vice_chair": "副理事长",
                   "director": "理事成员", "member": "理事成员"}
COUNCIL_ORDER = ("honorary_chair", "chair", "vice_chair", "director", "member")
SECRETARIAT_ROLE_ZH = {"secretary_general": "秘书长", "deputy_secretary_general": "副秘书长"}
EXPERT_ROLE_ZH = {"honorary_chair": "名誉主任", "chair": "主任", "vice_chair": "副主任", "director": "委员",
                  "member": "委员"}
EXPERT_ORDER = ("honorary_chair", "chair", "vice_chair", "director", "member")


def chain_rank(segment: str | None) -> int:
    s = segment or ""
    for i, word in enumerate(("上游", "中游", "下游")):
        if word in s:
            return i
    return 3


def core_platform(doc: dict) -> tuple[str, str]:
    """(platform text, lead unit) for the 核心平台 row."""
    ld = lead(doc)
    plats = sorted(ld.get("platforms") or [], key=lambda p: LEVEL_RANK.get(p.get("level"), 9))
    if plats:
        p = plats[0]
        return f"{p['name']}（{LEVEL_ZH.get(p.get('level'), '')}，依托{ld['name']}）", ld
    return f"{ld['name']}（核心平台未填写）", ld


def split_members(doc: dict) -> tuple[list[dict], list[dict]]:
    """(技术支撑体系, 产业促进体系) members, each ordered along the chain (stable)."""
    support = [m for m in doc["members"] if m.get("kind") in SUPPORT_KINDS]
    promote = [m for m in doc["members"] if m.get("kind") not in SUPPORT_KINDS]
    return (sorted(support, key=lambda m: chain_rank(m.get("chain_segment"))),
            sorted(promote, key=lambda m: chain_rank(m.get("chain_segment"))))


def chain_segments(doc: dict) -> str:
    segs = [m.get("chain_segment") for m in doc["members"] if m.get("chain_segment")]
    ordered = sorted(dict.fromkeys(segs), key=chain_rank)
    return "、".join(ordered)


def council_rows(doc: dict) -> list[list]:
    council = [h for h in doc["organization"].get("council") or [] if h["role"] in COUNCIL_ROLE_ZH]
    council.sort(key=lambda h: COUNCIL_ORDER.index(h["role"]))
    return [[h["name"], h["unit"], h.get("title") or "", COUNCIL_ROLE_ZH[h["role"]]] for h in council]


def secretariat_rows(doc: dict) -> list[list]:
    people = [h for body in ("council", "expert_committee") for h in doc["organization"].get(body) or []
              if h["role"] in SECRETARIAT_ROLE_ZH]
    people.sort(key=lambda h: list(SECRETARIAT_ROLE_ZH).index(h["role"]))
    return [[h["name"], h["unit"], SECRETARIAT_ROLE_ZH[h["role"]]] for h in people]


def expert_rows(doc: dict) -> list[list]:
    experts = [h for h in doc["organization"].get("expert_committee") or [] if h["role"] in EXPERT_ROLE_ZH]
    experts.sort(key=lambda h: EXPERT_ORDER.index(h["role"]))
    return [[h["name"], h["unit"], h.get("title") or "", EXPERT_ROLE_ZH[h["role"]]] for h in experts]


def write_member_tables(docs: list[dict], out: str | Path, progress: ProgressFn | None = None) -> ExportResult:
    from openpyxl import Workbook

    from alliance_desk.exchange.xlsx_safe import safe_row, sheet_title
    from alliance_desk.exports.xlsx_common import Styles, merged, row_height, set_row_height, setup_print

    wb = Workbook(write_only=True)
    st = None
    taken: list[str] = []
    total = len(docs)

    def sheet(name: str, widths: list[float], header_row: int):
        nonlocal st
        ws = wb.create_sheet(sheet_title(name, taken))
        taken.append(ws.title)
        if st is None:
            st = Styles(wb)
        setup_print(ws, widths, f"{header_row}:{header_row}", landscape=False)
        set_row_height(ws, 1, 34)
        return ws

    def line(ws, text: str, n: int, row: int, style=None) -> None:
        ws.append(safe_row(ws, [text] + [None] * (n - 1), style or st.line))
        merged(ws, f"A{row}:{chr(64 + n)}{row}")

    for k, doc in enumerate(docs, 1):
        tag = f"{k}-" if total > 1 else ""
        # ---------------------------------------------------------- 文件5
        widths5 = [7, 48, 34]
        ws = sheet(f"{tag}成员单位表", widths5, 7)
        line(ws, "成 员 单 位 表", 3, 1, st.title)
        line(ws, f"联合体名称：{doc['name']}", 3, 2)
        line(ws, f"牵头单位：{lead(doc)['name']}", 3, 3)
        directions = f"研究方向：{'；'.join(doc.get('research_directions') or [])}"
        set_row_height(ws, 4, row_height([directions], [sum(widths5)]))
        line(ws, directions, 3, 4)
        line(ws, f"产业链环节：{chain_segments(doc)}", 3, 5)
        line(ws, "联合体成员单位：", 3, 6)
        ws.append(safe_row(ws, ["序号", "成员单位", "所处产业链环节"], st.header))
        support, promote = split_members(doc)
        ws.append(safe_row(ws, [None, "技术支撑体系：", None], st.section))
        text, ld = core_platform(doc)
        rows = [[1, text, ld.get("chain_segment") or ""]]
        rows += [[i, m["name"], m.get("chain_segment") or ""]
                 for i, m in enumerate((m for m in support if m is not ld), 2)]
        row = 9
        for r in rows:
            set_row_height(ws, row, row_height(r, widths5))
            ws.append(safe_row(ws, r, styles=[st.cell_center, st.cell, st.cell]))
            row += 1
        ws.append(safe_row(ws, [None, "产业促进体系：", None], st.section))
        row += 1
        for i, m in enumerate(promote, 1):
            r = [i, m["name"], m.get("chain_segment") or ""]
            set_row_height(ws, row, row_height(r, widths5))
            ws.append(safe_row(ws, r, styles=[st.cell_center, st.cell, st.cell]))
            row += 1
        # ---------------------------------------------------------- 文件6
        widths6 = [12, 38, 24, 16]
        ws = sheet(f"{tag}理事及秘书处名单", widths6, 4)
        line(ws, "理事推荐名单，秘书处人员名单", 4, 1, st.title)
        line(ws, f"联合体名称：{doc['name']}", 4, 2)
        line(ws, "理事推荐名单：", 4, 3)
        ws.append(safe_row(ws, ["姓名", "单位", "职务/职称", "在理事会职务"], st.header))
        row = 4
        for r in council_rows(doc) or [[" ", None, None, None]]:
            set_row_height(ws, row + 1, row_height(r, widths6))
            ws.append(safe_row(ws, r, styles=[st.cell_center, st.cell, st.cell, st.cell_center]))
            row += 1
        line(ws, "在理事会职务：理事长、副理事长、理事成员", 4, row + 1, st.note)
        ws.append(safe_row(ws, [None] * 4, st.line))  # an empty line outside the grid
        row += 2
        sec = doc["organization"].get("secretariat") or {}
        where = []
        if sec.get("address"):
            where.append(f"办公地址：{sec['address']}")
        if sec.get("full_time_staff") is not None:
            where.append(f"专职人员 {sec['full_time_staff']} 人")
        line(ws, "秘 书 处：" + ("（" + "；".join(where) + "）" if where else ""), 4, row + 1)
        ws.append(safe_row(ws, ["姓名", "单位", "秘书处分工", None], st.header))
        merged(ws, f"C{row + 2}:D{row + 2}")
        people = secretariat_rows(doc)
        blanks = max(0, max(2, sec.get("full_time_staff") or 0) - len(people))
        for k6, r in enumerate(people + [[" ", None, None]] * min(blanks, 5), row + 3):
            ws.append(safe_row(ws, r + [None], styles=[st.cell_center, st.cell, st.cell, st.cell]))
            merged(ws, f"C{k6}:D{k6}")
        # ---------------------------------------------------------- 文件7
        widths7 = [12, 38, 24, 16]
        ws = sheet(f"{tag}专家咨询委员会名单", widths7, 3)
        line(ws, "专家咨询委员会推荐名单", 4, 1, st.title)
        line(ws, f"联合体名称：{doc['name']}", 4, 2)
        ws.append(safe_row(ws, ["姓名", "单位", "职务/职称", "在专家委职务"], st.header))
        experts = expert_rows(doc)
        for k7, r in enumerate(experts or [[" ", None, None, None]]):
            set_row_height(ws, 4 + k7, row_height(r, widths7))
            ws.append(safe_row(ws, r, styles=[st.cell_center, st.cell, st.cell, st.cell_center]))
        line(ws, "在专家委职务：名誉主任、主任、委员", 4, 4 + max(1, len(experts)), st.note)
        report(progress, k, total, f"已写入 {k}/{total}：{doc['name']}")
    if not docs:
        wb.create_sheet("成员单位表")
    with atomic_output(out) as tmp:
        wb.save(tmp)
    return ExportResult(Path(out), "member-table", total)
