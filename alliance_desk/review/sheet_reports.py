"""Excel reports of a review round: the score summary (评分汇总表: every expert's total, the
aggregates, ranks, per-criterion averages, every item of every score) and the expert draw record
(专家抽取记录表, with its seed so the draw can be redone). No Qt; openpyxl is imported inside the
functions; text that could be a formula is written as text.
"""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from db import models_review as rm
from db.session import Database, unit_of_work

from alliance_desk.review import scoring
from alliance_desk.review.common import SOURCE_LABELS
from alliance_desk.review.random_draw import get_draw, verify_draw
from alliance_desk.review.results import summary as round_summary
from alliance_desk.review.rounds import get_round
from alliance_desk.review.sheet_cells import _set


# ------------------------------------------------------------------ score summary

def write_summary(db: Database, round_id: str, path: str | Path, method: str | None = None) -> Path:
    """Score summary (评分汇总表): every expert's total, the aggregates and the rank; per-criterion
    averages; every item of every score."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    path = Path(path)
    sm = round_summary(db, round_id, method)
    info, tpl = sm.round, sm.round.template
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="DDEBF7")
    flag_fill = PatternFill("solid", fgColor="FCE4D6")
    wrap = Alignment(wrap_text=True, vertical="center")
    fx = lambda v: None if v is None else round(v, 2)  # noqa: E731

    wb = Workbook()
    ws = wb.active
    ws.title = "评分汇总"
    _set(ws.cell(row=1, column=1), f"{info.name} 专家评分汇总表")
    ws.cell(row=1, column=1).font = Font(bold=True, size=14)
    thr = []
    if info.threshold_range is not None:
        thr.append(f"极差超过 {scoring.fmt(info.threshold_range)} 分")
    if info.threshold_sd is not None:
        thr.append(f"标准差超过 {scoring.fmt(info.threshold_sd)}")
    _set(ws.cell(row=2, column=1), f"评分模板：{tpl.label}；汇总方法：{scoring.METHOD_LABELS[sm.method]}；"
                                   f"分歧提示：{'或'.join(thr) if thr else '未设阈值'}；"
                                   f"生成时间：{datetime.now():%Y-%m-%d %H:%M}")
    heads = (["排名", "申请编号", "联盟名称", "牵头单位"] + [e.name for e in sm.experts] +
             ["评分人数", "平均分", "去掉最高最低分后平均", "中位数", "标准分换算", "极差", "标准差", "汇总分", "分歧提示",
              "备注"])
    for c, h in enumerate(heads, 1):
        cell = ws.cell(row=4, column=c)
        _set(cell, h)
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
    for i, a in enumerate(sm.aggregates, 5):
        ref = sm.app(a.application)
        vals = [a.rank, a.application, ref.name, ref.lead]
        vals += [fx(sm.scores[(a.application, e.id)].total) if (a.application, e.id) in sm.scores else None
                 for e in sm.experts]
        vals += [a.n, fx(a.mean), fx(a.trimmed), fx(a.median), fx(a.zscore), fx(a.range), fx(a.sd), fx(a.value),
                 "；".join(a.flag_reasons), a.trim_note]
        for c, v in enumerate(vals, 1):
            _set(ws.cell(row=i, column=c), v)
            if a.flagged:
                ws.cell(row=i, column=c).fill = flag_fill
    if any(a.trim_fallback for a in sm.aggregates):
        # said under the table too: a reader of the printed sheet must not take a plain mean for a trimmed one
        foot = 5 + len(sm.aggregates) + 1
        _set(ws.cell(row=foot, column=1), f"注：“去掉最高最低分后平均”需至少 {scoring.TRIM_MIN} 位专家评分；"
                                          "评分人数不足的申报按算术平均计算，见“备注”列。")
        ws.cell(row=foot, column=1).font = Font(italic=True, color="9C5700")
    for letter, w in (("A", 6), ("B", 38), ("C", 32), ("D", 28)):
        ws.column_dimensions[letter].width = w
    ws.freeze_panes = "E5"

    wc = wb.create_sheet("指标平均分")
    heads = ["申请编号", "联盟名称"] + [f"{c.name}（{scoring.fmt(c.max)}分）" for c in tpl.criteria] + \
        [f"{it.criterion_name}-{it.header}" if it.key != it.criterion_id else it.header for it in tpl.leaves]
    for c, h in enumerate(heads, 1):
        cell = wc.cell(row=1, column=c)
        _set(cell, h)
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
    for i, a in enumerate(sm.aggregates, 2):
        vals = [a.application, sm.app(a.application).name]
        vals += [fx(a.criterion_means.get(c.id)) for c in tpl.criteria]
        vals += [fx(a.item_means.get(it.key)) for it in tpl.leaves]
        for c, v in enumerate(vals, 1):
            _set(wc.cell(row=i, column=c), v)

    wd = wb.create_sheet("评分明细")
    heads = ["申请编号", "联盟名称", "专家", "专家单位"] + [it.header for it in tpl.leaves] + ["总分", "评审意见", "来源"]
    for c, h in enumerate(heads, 1):
        cell = wd.cell(row=1, column=c)
        _set(cell, h)
        cell.font, cell.fill, cell.alignment = bold, head_fill, wrap
    i = 2
    for ref in info.applications:
        for x in info.experts:
            d = sm.scores.get((ref.id, x.expert.id))
            if d is None:
                continue
            vals = [ref.id, ref.name, x.expert.name, x.expert.unit] + [d.items.get(it.key) for it in tpl.leaves] + \
                [fx(d.total), d.comment, SOURCE_LABELS.get(d.source, d.source)]
            for c, v in enumerate(vals, 1):
                _set(wd.cell(row=i, column=c), v)
            i += 1
    wb.properties.title = f"{info.name} 评分汇总表（{tpl.label}）"
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path


# ------------------------------------------------------------------ draw record

def write_draw_record(db: Database, draw_id: int, path: str | Path) -> Path:
    """专家抽取记录表 for the file: conditions, seed, who was drawn (正式 and 备选), signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    path = Path(path)
    d = get_draw(db, draw_id)
    info = get_round(db, d.round_id)
    with unit_of_work(db) as s:
        conflicts = {}
        for c in s.scalars(select(rm.ReviewConflict).where(rm.ReviewConflict.round_id == d.round_id)):
            conflicts.setdefault(c.expert_id, []).append(c.reason)
    wb = Workbook()
    ws = wb.active
    ws.title = "专家抽取记录表"
    ws.merge_cells("A1:H1")
    _set(ws["A1"], "专家抽取记录表")
    ws["A1"].font = Font(bold=True, size=16)
    ws["A1"].alignment = Alignment(horizontal="center")
    lines = [("评审轮次", info.name), ("地区 / 批次", f"{info.region_name} / {info.call_id or '—'}"),
             ("评分模板", info.template.label),
             ("抽取时间", d.drawn_at.strftime("%Y-%m-%d %H:%M")), ("抽取条件", f"专业领域：{d.field or '不限'}"),
             ("候选专家人数", len(d.candidates)), ("抽取人数", f"正式 {d.count} 人，备选 {d.reserves} 人"),
             ("随机种子", d.seed),
             ("复核方法", "将候选专家按 SHA-256(“种子:专家编号”) 的十六进制值升序排列，前若干位依次为正式专家和备选专家；"
                      "候选名单见“候选专家”工作表"),
             ("复核结果", "与记录一致" if verify_draw(d) else "与记录不一致")]
    for i, (k, v) in enumerate(lines, 3):
        _set(ws.cell(row=i, column=1), k)
        ws.cell(row=i, column=1).font = Font(bold=True)
        ws.merge_cells(start_row=i, start_column=2, end_row=i, end_column=8)
        _set(ws.cell(row=i, column=2), v)
        ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True)
    r0 = 3 + len(lines) + 1
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    heads = ("序号", "类别", "姓名", "单位", "专业领域", "职称", "联系电话", "回避提示")
    for c, h in enumerate(heads, 1):
        cell = ws.cell(row=r0, column=c)
        _set(cell, h)
        cell.font, cell.border = Font(bold=True), border
    for i, eid in enumerate(d.selected, 1):
        e = d.experts[eid]
        vals = [i, "正式" if i <= d.count else "备选", e.name, e.unit, e.field, e.title, e.phone,
                "；".join(conflicts.get(eid, []))]
        for c, v in enumerate(vals, 1):
            cell = ws.cell(row=r0 + i, column=c)
            _set(cell, v)
            cell.border = border
    r1 = r0 + len(d.selected) + 2
    for i, k in enumerate(("抽取人（签字）：", "监督人（签字）：", "日期："), r1):
        _set(ws.cell(row=i, column=1), k)
    if d.by:
        _set(ws.cell(row=r1, column=3), d.by)
    for letter, w in (("A", 14), ("B", 10), ("C", 12), ("D", 30), ("E", 16), ("F", 12), ("G", 16), ("H", 36)):
        ws.column_dimensions[letter].width = w
    cs = wb.create_sheet("候选专家")
    _set(cs.cell(row=1, column=1), "顺序")
    _set(cs.cell(row=1, column=2), "专家编号")
    for i, eid in enumerate(d.candidates, 2):
        cs.cell(row=i, column=1).value = i - 1
        _set(cs.cell(row=i, column=2), eid)
    cs.column_dimensions["B"].width = 40
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return path
