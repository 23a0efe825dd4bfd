"""Recommendation summary tables (推荐汇总表, .xlsx), one layout per region pack (`[exports]
recommendation_layout`):

- "chongqing-3": 004 § 附件3 exactly — the title row 重庆市产业技术创新联盟推荐汇总表, the line
  推荐单位（盖章）/ 联系人 / 单位：万元, and the ten columns 序号, 创新联盟名称, 技术领域, 牵头单位,
  联盟成员数量, 联盟组建资金投入, 联盟技术研发人员数, 联盟建设目标和建设内容, 联系人, 电话.
- "office": the office's own layout for regions whose notice names a summary table without giving
  it (Jinzhong 000 § 四(一)4, 附件4 not published) or names none; a note under the title says so.

Written with openpyxl's write-only mode (rows stream to disk; 5,000 rows take well under a second),
print-ready: A4 landscape, the column header row repeated on every page, fitted to one page wide,
a ruled grid (thin borders on the table cells), page numbers in the footer, 宋体.
"""
from __future__ import annotations

from pathlib import Path

from alliance_desk.rules.packs import get_pack
from alliance_desk.exchange.safety import mask_personal
from alliance_desk.exports.common import (ExportError, ExportResult, ProgressFn, atomic_output, common_value, contact_line, holder,
                     lead, num, report, settings)
from alliance_desk.exports.guard import failure_mark

CHONGQING_COLUMNS = ["序号", "创新联盟名称", "技术领域", "牵头单位", "联盟成员数量", "联盟组建资金投入",
                     "联盟技术研发人员数", "联盟建设目标和建设内容", "联系人", "电话"]
CHONGQING_WIDTHS = [6, 26, 14, 26, 9, 11, 11, 48, 10, 15]

OFFICE_COLUMNS = ["序号", "联盟名称", "所属产业（领域）", "牵头单位", "核心成员数", "成员总数", "协议期限",
                  "理事长", "联系人", "联系电话", "推荐意见"]
OFFICE_WIDTHS = [6, 26, 14, 24, 8, 8, 21, 10, 10, 15, 30]

LAYOUTS = ("chongqing-3", "office")
CHECK_COLUMN, CHECK_WIDTH = "审查情况", 24


def _goals(doc: dict) -> str:
    parts = []
    if doc.get("goals"):
        parts.append(f"建设目标：{doc['goals']}")
    if doc.get("research_directions"):
        parts.append("建设内容：" + "；".join(doc["research_directions"]))
    return "\n".join(parts)


def _phone(person: dict | None) -> str:
    if not person:
        return ""
    return person.get("phone") or person.get("mobile") or ""


def chongqing_row(i: int, doc: dict) -> list:
    contact = doc.get("contact") or {}
    return [i, doc["name"], doc["industry"], lead(doc)["name"], len(doc["members"]), num(doc.get("investment_wan")),
            doc.get("tech_staff_total"), _goals(doc), contact.get("name") or "", _phone(contact)]


def _term(doc: dict) -> str:
    ag = doc["agreement"]
    start = ag.get("effective_on") or ag.get("signed_on")
    end = ag.get("expires_on")
    if not start and not end:
        return ""
    return f"{start or '—'} 至 {end or '未写明'}"


def office_row(i: int, doc: dict) -> list:
    contact = doc.get("contact") or {}
    chair = holder(doc, "council", "chair")
    rec = doc.get("recommendation") or {}
    opinion = rec.get("opinion") or ("同意推荐" if rec.get("recommended") else "")
    core = sum(1 for m in doc["members"] if m.get("role") in ("lead", "core"))
    return [i, doc["name"], doc["industry"], lead(doc)["name"], core, len(doc["members"]), _term(doc),
            chair["name"] if chair else "", contact.get("name") or "", _phone(contact), opinion]


def write_recommendation_table(docs: list[dict], region: str, out: str | Path, recommender: str = "",
                               contact: str = "", phone: str = "", progress: ProgressFn | None = None,
                               layout: str | None = None, include_personal: bool = False,
                               failures: dict[str, list[str]] | None = None) -> ExportResult:
    """Write the region's recommendation summary table for `docs` (in the given order). Personal
    mobile and identity numbers from the applications are masked (138****5678) unless
    `include_personal`; the recommending office's own contact line is printed as given.
    `failures` (application id -> failed rule ids) adds a last column 审查情况 marking each
    application that fails its checklist (未通过审查：CQ-LEAD-RD …): a table whose applications all
    pass keeps the notice's columns exactly."""
    from openpyxl import Workbook

    from alliance_desk.exchange.xlsx_safe import safe_row
    from alliance_desk.exports.xlsx_common import Styles, merged, row_height, set_row_height, setup_print

    pack = get_pack(region)
    cfg = settings(pack)
    layout = layout or cfg["recommendation_layout"]
    if layout not in LAYOUTS:
        raise ExportError(f"未知的推荐汇总表格式「{layout}」（可用：{'、'.join(LAYOUTS)}）")
    if not recommender:
        recommender = common_value(docs, lambda d: (d.get("recommendation") or {}).get("by"))
    total = len(docs)

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("推荐汇总表")
    st = Styles(wb)
    if layout == "chongqing-3":
        columns, widths, row_fn = CHONGQING_COLUMNS, CHONGQING_WIDTHS, chongqing_row
        header_row = 3
    else:
        columns, widths, row_fn = OFFICE_COLUMNS, OFFICE_WIDTHS, office_row
        header_row = 4
    failures = failures or {}
    if failures:
        columns, widths = columns + [CHECK_COLUMN], widths + [CHECK_WIDTH]
        plain_row = row_fn
        row_fn = lambda i, doc: plain_row(i, doc) + [failure_mark(failures.get(doc["id"], []))]  # noqa: E731
    body = st.cell
    n = len(columns)
    last = chr(ord("A") + n - 1)
    setup_print(ws, widths, f"{header_row}:{header_row}")
    ws.freeze_panes = f"A{header_row + 1}"
    set_row_height(ws, 1, 36)
    set_row_height(ws, header_row, 34)

    title = cfg["recommendation_title"]
    ws.append(safe_row(ws, [title] + [None] * (n - 1), st.title))
    merged(ws, f"A1:{last}1")
    if layout == "chongqing-3":
        # 附件3: 推荐单位（盖章）：… 联系人：… 单位：万元 — one line above the column header
        set_row_height(ws, 2, 24)
        ws.append(safe_row(ws, [f"推荐单位（盖章）：{recommender}", None, None, None,
                                f"联系人：{contact_line({'name': contact, 'phone': phone})}",
                                None, None, "单位：万元"] + [None] * (n - 8),
                           styles=[st.line] * 7 + [st.line_right] * (n - 7)))
        merged(ws, "A2:D2")
        merged(ws, "E2:G2")
        merged(ws, f"H2:{last}2")
    else:
        set_row_height(ws, 2, 20)
        ws.append(safe_row(ws, [cfg["recommendation_note"]] + [None] * (n - 1), st.note))
        merged(ws, f"A2:{last}2")
        set_row_height(ws, 3, 24)
        ws.append(safe_row(ws, [f"推荐单位（盖章）：{recommender}", None, None, None,
                                f"联系人：{contact}", None, None, f"联系电话：{phone}", None,
                                "填报日期：    年  月  日"] + [None] * (n - 10),
                           styles=[st.line] * 9 + [st.line_right] * (n - 9)))
        merged(ws, "A3:D3")
        merged(ws, "E3:G3")
        merged(ws, "H3:I3")
        merged(ws, f"J3:{last}3")
    ws.append(safe_row(ws, columns, st.header))

    first = header_row + 1
    step = max(1, total // 50)
    for i, doc in enumerate(docs, 1):
        values = row_fn(i, doc)
        if not include_personal:
            values = [mask_personal(v) for v in values]
        set_row_height(ws, first + i - 1, row_height(values, widths))
        ws.append(safe_row(ws, values, body))
        if i % step == 0:
            report(progress, i, total, f"正在写入第 {i}/{total} 行")
    if not docs:
        ws.append(safe_row(ws, [" "] * n, body))
    with atomic_output(out) as tmp:
        wb.save(tmp)
    report(progress, total, total, "完成")
    res = ExportResult(Path(out), "recommendation-table", total)
    res.notes += [f"「{d['name']}」{failure_mark(failures[d['id']])}" for d in docs if d["id"] in failures]
    return res
