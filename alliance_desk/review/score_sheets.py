"""Excel score sheets of the expert review, out and back in. The score summary and the expert draw
record are in `sheet_reports` (re-exported here), the layout and cell helpers both share in
`sheet_cells`.

A score sheet is one workbook per expert. Sheet 评分: first row 申请编号, 联盟名称, one column per
scored item titled 名称（N分）, 总分 (a SUM formula), 评审意见; one row per assigned application.
Every score cell has data validation 0..N; objective items are pre-filled with the suggested score
(a cell note shows the computed share). The sheet and the workbook structure are protected (only
score and comment cells are editable). A very hidden sheet `_meta` carries the round, the expert,
the template and the issued layout (headers and rows) with its SHA-256 digest, which the database
also keeps: a sheet of another round, a re-issued or an altered one is refused on import, with the
sheet, row and column named.

No Qt. openpyxl is imported inside the functions. Text that starts with = + - @ is written as text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

from db import models_review as rm
from db.session import Database, unit_of_work

from alliance_desk.review import scoring
from alliance_desk.review.assignment import assignment_grid, assignments_of
from alliance_desk.review.common import ReviewError
from alliance_desk.review.rounds import get_round
from alliance_desk.review.scores import ImportResult, ScoreEntry, apply_scores
from alliance_desk.review.sheet_cells import (_PROTECT, COL_COMMENT, COL_ID, COL_NAME, GUIDE, MAX_FILE_BYTES, META,
                                              SHEET, SHEET_FORMAT, _col, _safe_name, _set, _text, headers_for,
                                              layout_digest)
# the summary and the draw record live in sheet_reports; callers keep importing them from here
from alliance_desk.review.sheet_reports import write_draw_record, write_summary  # noqa: F401


# ------------------------------------------------------------------ write score sheets

def write_sheet(db: Database, round_id: str, expert_id: str, path: str | Path) -> Path:
    """The score sheet of one expert; records the layout digest so the filled sheet can be checked."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation

    path = Path(path)
    info = get_round(db, round_id)
    tpl = info.template
    expert = next((x.expert for x in info.experts if x.expert.id == expert_id), None)
    if expert is None:
        raise ReviewError(f"专家 {expert_id} 不是评审轮次「{info.name}」的专家")
    apps = assignments_of(db, round_id, expert_id)
    if not apps:
        raise ReviewError(f"{expert.name}在评审轮次「{info.name}」中没有分配的申报")
    with unit_of_work(db) as s:
        from alliance_desk.store import get_document

        docs = {a.id: get_document(s, a.id) for a in apps}
    headers = headers_for(tpl)
    rows = [(a.id, a.name) for a in apps]
    digest = layout_digest(round_id, expert_id, tpl.id, headers, rows)
    leaves = tpl.leaves
    first_item, last_item = 3, 2 + len(leaves)
    c_total, c_comment = last_item + 1, last_item + 2

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    thin = Side(style="thin", color="999999")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    input_fill = PatternFill("solid", fgColor="FFF9E5")
    wrap = Alignment(wrap_text=True, vertical="center")
    for c, h in enumerate(headers, 1):
        cell = ws.cell(row=1, column=c)
        _set(cell, h)
        cell.font, cell.fill, cell.alignment, cell.border = head_font, head_fill, wrap, border
    ws.row_dimensions[1].height = 140  # narrow item columns: the longest header wraps over 9 lines
    for i, (app_id, name) in enumerate(rows):
        r = i + 2
        _set(ws.cell(row=r, column=1), app_id)
        _set(ws.cell(row=r, column=2), name)
        sugg = scoring.suggestions(tpl, docs[app_id])
        for j, it in enumerate(leaves):
            cell = ws.cell(row=r, column=first_item + j)
            cell.protection = Protection(locked=False)
            cell.fill = input_fill
            if it.key in sugg:
                cell.value = sugg[it.key].points
                cell.comment = Comment(f"系统建议（可修改）：{sugg[it.key].text}", "Alliance Desk", width=260,
                                       height=90)
        tc = ws.cell(row=r, column=c_total)
        tc.value = f"=SUM({_col(first_item)}{r}:{_col(last_item)}{r})"
        cc = ws.cell(row=r, column=c_comment)
        cc.protection = Protection(locked=False)
        cc.fill = input_fill
        cc.alignment = Alignment(wrap_text=True, vertical="top")
        for c in range(1, c_comment + 1):
            ws.cell(row=r, column=c).border = border
    last_row = len(rows) + 1
    for j, it in enumerate(leaves):
        letter = _col(first_item + j)
        dv = DataValidation(type="decimal", operator="between", formula1="0", formula2=scoring.fmt(it.max),
                            allow_blank=True, showErrorMessage=True, showInputMessage=True,
                            errorTitle="分数超出范围", error=f"「{it.name}」请填写 0 到 {scoring.fmt(it.max)} 之间的分数",
                            promptTitle=f"满分 {scoring.fmt(it.max)} 分",
                            prompt=f"低于 {scoring.fmt(it.comment_below)} 分须在评审意见栏说明理由")
        dv.add(f"{letter}2:{letter}{last_row}")
        ws.add_data_validation(dv)
        ws.column_dimensions[letter].width = 10
    # the id is for the import, not for the expert: hidden, so the printed page starts with the name
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["A"].hidden = True
    ws.column_dimensions["B"].width = 28
    ws.column_dimensions[_col(c_total)].width = 8
    ws.column_dimensions[_col(c_comment)].width = 40
    ws.freeze_panes = "C2"
    # printed: A4 landscape, one page wide (as many pages down as needed), the header row on every page
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddHeader.center.text = f"{info.name} · {tpl.label}"
    ws.oddFooter.center.text = f"评审专家：{expert.name}（签字）"
    ws.protection.sheet = True
    ws.protection.password = _PROTECT
    ws.protection.formatColumns = False
    ws.protection.formatRows = False

    g = wb.create_sheet(GUIDE)
    lines = [
        ("评审轮次", info.name), ("地区", info.region_name), ("评分模板", tpl.label),
        ("模板来源", tpl.origin + (f"；{tpl.note}" if tpl.note else "")),
        ("评审专家", f"{expert.name}（{expert.unit}）"),
        ("截止时间", info.deadline.strftime("%Y-%m-%d %H:%M") if info.deadline else "—"),
        ("填写要求", "在“评分”工作表黄色单元格中填写各项得分（0 至该项满分），总分自动计算；"
                 "任何一项低于满分的 60% 时须在“评审意见”栏说明理由；请勿增删行列、修改申请编号和联盟名称。"),
        ("客观指标", "带批注的单元格已按成员单位数据预填建议分，可根据材料修改。"),
    ]
    for i, (k, v) in enumerate(lines, 1):
        _set(g.cell(row=i, column=1), k)
        g.cell(row=i, column=1).font = head_font
        _set(g.cell(row=i, column=2), v)
        g.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    r0 = len(lines) + 2
    for c, h in enumerate(("一级指标", "评分项", "满分", "低于此分须写意见"), 1):
        _set(g.cell(row=r0, column=c), h)
        g.cell(row=r0, column=c).font = head_font
    for i, it in enumerate(leaves, r0 + 1):
        _set(g.cell(row=i, column=1), it.criterion_name)
        _set(g.cell(row=i, column=2), it.name)
        g.cell(row=i, column=3).value = it.max
        g.cell(row=i, column=4).value = round(it.comment_below, 2)
    g.column_dimensions["A"].width = 16
    g.column_dimensions["B"].width = 70
    g.protection.sheet = True
    g.protection.password = _PROTECT

    meta = wb.create_sheet(META)
    meta_rows = [("format", SHEET_FORMAT), ("round", round_id), ("expert", expert_id), ("template", tpl.id),
                 ("issued_at", datetime.now().replace(microsecond=0).isoformat()), ("digest", digest),
                 ("headers", json.dumps(headers, ensure_ascii=False)), ("rows", json.dumps(rows, ensure_ascii=False))]
    for i, (k, v) in enumerate(meta_rows, 1):
        meta.cell(row=i, column=1).value = k
        _set(meta.cell(row=i, column=2), v)
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    meta.protection.password = _PROTECT
    wb.security = WorkbookProtection(workbookPassword=_PROTECT, lockStructure=True)
    wb.properties.title = f"{info.name} 专家评分表（{tpl.label}）"
    wb.properties.creator = "Alliance Desk"
    wb.active = 0

    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    with unit_of_work(db, write=True) as s:
        rx = s.get(rm.ReviewRoundExpert, (round_id, expert_id))
        rx.sheet_digest = digest
        rx.sheet_issued_at = datetime.now().replace(microsecond=0)
    return path


def write_sheets(db: Database, round_id: str, out_dir: str | Path,
                 progress: Callable[[int, int, str], None] | None = None) -> list[Path]:
    """One score sheet per expert who has assigned applications; returns the files written.
    `progress(done, total, text)` is called before each sheet (it may raise to stop between sheets:
    each sheet written so far is complete and recorded as issued)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    info = get_round(db, round_id)
    grid = assignment_grid(db, round_id)
    due = [(i, x) for i, x in enumerate(info.experts, 1)
           if any(grid.cell(a.id, x.expert.id).state in ("assigned", "scored") for a in info.applications)]
    paths = []
    for i, x in due:
        if progress is not None:
            progress(len(paths), len(due), f"正在生成{x.expert.name}的评分表（{len(paths) + 1}/{len(due)}）…")
        name = _safe_name(f"评分表_{info.name}_{i:02d}_{x.expert.name}.xlsx")
        paths.append(write_sheet(db, round_id, x.expert.id, out_dir / name))
    if not paths:
        raise ReviewError(f"评审轮次「{info.name}」还没有分配专家，无法生成评分表")
    return paths


# ------------------------------------------------------------------ read a filled sheet

@dataclass
class SheetRow:
    row: int
    application_id: str
    name: str
    raw: dict[str, Any]
    comment: Any


@dataclass
class ParsedSheet:
    meta: dict[str, str]
    headers: list[str]
    rows: list[tuple[str, str]]
    data: list[SheetRow] = field(default_factory=list)



def read_sheet(path: str | Path) -> ParsedSheet:
    """Read a filled score sheet; structural problems raise ReviewError naming sheet, row and column.
    Values are returned raw (checked against the template by `import_sheet`)."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    import zipfile

    path = Path(path)
    label = f"{path.name}："
    if not path.is_file():
        raise ReviewError(f"{label}文件不存在")
    from alliance_desk.exchange import safety

    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ReviewError(f"{label}文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB 上限")
        why = safety.xlsx_problem(path)
        if why:
            raise ReviewError(f"{label}{why}")
        wb = load_workbook(path, read_only=True, data_only=False)
    except ReviewError:
        raise
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ReviewError(f"{label}不是有效的 Excel 文件（{type(exc).__name__}）") from None
    except Exception as exc:  # noqa: BLE001 - any parse failure means "not a usable sheet"
        raise ReviewError(f"{label}不是有效的 Excel 文件（{type(exc).__name__}）") from None
    try:
        if META not in wb.sheetnames:
            raise ReviewError(f"{label}不是本系统下发的评分表（缺少隐藏的校验工作表 {META}）")
        meta = {}
        for row in wb[META].iter_rows(min_row=1, max_row=50, max_col=2, values_only=True):
            if row and row[0]:
                meta[str(row[0])] = "" if row[1] is None else str(row[1])
        if meta.get("format") != SHEET_FORMAT:
            raise ReviewError(f"{label}评分表格式 {meta.get('format')!r} 不受支持")
        try:
            headers = json.loads(meta["headers"])
            rows = [tuple(x) for x in json.loads(meta["rows"])]
            if not (isinstance(headers, list) and all(isinstance(h, str) for h in headers) and len(headers) >= 4
                    and all(len(x) == 2 and all(isinstance(v, str) for v in x) for x in rows)
                    and all(meta[k] for k in ("round", "expert", "template"))):
                raise ValueError("layout")
        except (KeyError, ValueError, TypeError, RecursionError):
            raise ReviewError(f"{label}隐藏的校验信息已损坏") from None
        digest = layout_digest(meta.get("round", ""), meta.get("expert", ""), meta.get("template", ""), headers, rows)
        if digest != meta.get("digest"):
            raise ReviewError(f"{label}隐藏的校验信息被改动（摘要不符），拒绝导入")
        if SHEET not in wb.sheetnames:
            raise ReviewError(f"{label}缺少工作表「{SHEET}」")
        ws = wb[SHEET]
        grid = [list(r) for r in ws.iter_rows(min_row=1, max_row=len(rows) + 200, max_col=len(headers) + 20,
                                              values_only=True)]
    except ReviewError:
        raise
    except Exception as exc:  # noqa: BLE001 - sheets are parsed lazily; damaged XML or hostile meta
        raise ReviewError(f"{label}评分表内容已损坏，无法读取（{type(exc).__name__}）") from None
    finally:
        wb.close()
    problems = []
    where = f"{label}工作表「{SHEET}」"
    head = grid[0] if grid else []
    for c, h in enumerate(headers):
        got = _text(head[c]) if c < len(head) else ""
        if got != h:
            problems.append(f"{where}第 1 行 {_col(c + 1)} 列：表头应为「{h}」，实际为「{got}」（表头被改动）")
    for c in range(len(headers), len(head)):
        if _text(head[c]):
            problems.append(f"{where}第 1 行 {_col(c + 1)} 列：多出的列「{_text(head[c])}」（表头被改动）")
    for i, (app_id, name) in enumerate(rows):
        line = grid[i + 1] if i + 1 < len(grid) else []
        got_id = _text(line[0]) if line else ""
        got_name = _text(line[1]) if len(line) > 1 else ""
        if got_id != app_id:
            problems.append(f"{where}第 {i + 2} 行 A 列（{COL_ID}）：应为「{app_id}」，实际为「{got_id}」（申报行被改动）")
        if got_name != name:
            problems.append(f"{where}第 {i + 2} 行 B 列（{COL_NAME}）：应为「{name}」，实际为「{got_name}」（申报行被改动）")
    for j in range(len(rows) + 1, len(grid)):
        if any(_text(v) for v in grid[j]):
            problems.append(f"{where}第 {j + 1} 行：下发的评分表只有 {len(rows)} 个申报行，这一行是多出来的（申报行被改动）")
            break
    if problems:
        raise ReviewError(problems)
    parsed = ParsedSheet(meta, headers, rows)
    n_items = len(headers) - 4
    for i, (app_id, name) in enumerate(rows):
        line = grid[i + 1] + [None] * (len(headers) - len(grid[i + 1]))
        parsed.data.append(SheetRow(i + 2, app_id, name, {str(k): line[2 + k] for k in range(n_items)},
                                    line[len(headers) - 1]))
    return parsed


def import_sheet(db: Database, path: str | Path, round_id: str | None = None) -> ImportResult:
    """Import one filled score sheet, all or nothing. Refused with the sheet, row and column named:
    a score over an item's maximum, a missing required comment, text in a number cell; and refused
    as a whole: a sheet of another round, of another database, re-issued since, or altered."""
    path = Path(path)
    label = f"{path.name}："
    parsed = read_sheet(path)
    meta = parsed.meta
    rid, eid = meta["round"], meta["expert"]
    if round_id is not None and rid != round_id:
        raise ReviewError(f"{label}这是另一评审轮次（{rid}）的评分表，不属于本轮次")
    info = None
    try:
        info = get_round(db, rid)
    except ReviewError:
        raise ReviewError(f"{label}评审轮次 {rid} 不在本数据库中（评分表来自其他单位或其他评审轮次）") from None
    with unit_of_work(db) as s:
        rx = s.get(rm.ReviewRoundExpert, (rid, eid))
        issued = rx.sheet_digest if rx is not None else None
    if rx is None:
        raise ReviewError(f"{label}专家 {eid} 不是评审轮次「{info.name}」的专家")
    if issued is None:
        raise ReviewError(f"{label}本单位未向该专家下发过评分表")
    if issued != meta["digest"]:
        raise ReviewError(f"{label}评分表与本单位最近一次下发给该专家的版本不符（已重新下发或被改动），请使用最新下发的评分表")
    tpl = info.template
    if meta["template"] != tpl.id or parsed.headers != headers_for(tpl):
        raise ReviewError(f"{label}评分模板与本轮次不符")
    leaves = tpl.leaves
    where = f"{label}工作表「{SHEET}」"
    comment_col = _col(len(parsed.headers))
    problems, entries, skipped = [], [], []
    for row in parsed.data:
        raw = {leaves[int(k)].key: v for k, v in row.raw.items()}
        comment = _text(row.comment)
        subjective_blank = all(raw[it.key] is None or _text(raw[it.key]) == "" for it in leaves if not it.suggest)
        if subjective_blank and not comment:
            skipped.append(row.application_id)
            continue
        clean, errs = scoring.validate(tpl, raw, None, comment, "overall")
        for p in errs:
            if p.field != "comment":
                j = next(i for i, it in enumerate(leaves) if it.key == p.key)
                problems.append(f"{where}第 {row.row} 行 {_col(3 + j)} 列（{leaves[j].header}）：{p.message}")
        low = [tpl.leaf(p.key) for p in errs if p.field == "comment"]
        if low:
            items = "、".join(f"「{it.name}」{scoring.fmt(clean[it.key])} 分（满分 {scoring.fmt(it.max)}）" for it in low)
            problems.append(f"{where}第 {row.row} 行 {comment_col} 列（{COL_COMMENT}）：须填写评审意见——"
                            f"{items}低于满分的 60%")
        if not errs:
            entries.append(ScoreEntry(row.application_id, clean, comment or None))
    if problems:
        raise ReviewError(problems)
    with unit_of_work(db, write=True) as s:
        result = apply_scores(s, rid, eid, entries, "sheet", path.name, label=label)
    result.skipped = skipped
    return result
