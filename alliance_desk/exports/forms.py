"""Application forms filled from a stored application, as PDF and as .xlsx:

- Ganzhou 赣州市产业科技创新联合体组建申请表 (003 § 组建申请表, 填表说明; 第八条): cover, 填表说明,
  the table with 成员情况, 科研团队, 市级及以上科研平台 and the two opinion boxes;
- Chongqing 重庆市产业技术创新联盟申报表 (004 § 附件1): 一、基本信息表, 二、牵头单位信息,
  三、联盟成员信息, the 主要成员情况表 — at most 5 enterprises and at most 5 research institutes,
  universities and service bodies (注：填写主要成员情况，限5家) —, 四、审核意见表.

Fields the application does not hold (注册资金, 专利数 …) are left blank for the applicant to fill by
hand; nothing is invented. Check boxes print ■ (ticked) or □.

One form model (form_grid.py: rows on a 24-column grid, cells with column and row spans) holds both
forms' tables (form_tables.py) and drives both renderers (form_render.py): ReportLab platypus for the
PDF (the bundled Noto Sans SC embedded, see fonts.py) and openpyxl for the workbook (merged cells,
thin borders, A4 portrait fitted to width). This module writes the file.
"""
from __future__ import annotations

from pathlib import Path

from alliance_desk.exports.common import ExportError, ExportResult, ProgressFn
from alliance_desk.exports.form_grid import Form
from alliance_desk.exports.form_render import render_pdf, render_xlsx
from alliance_desk.exports.form_tables import (FORM_BUILDERS, FORM_TITLES, GANZHOU_NOTES, build_form, chongqing_form,
                                               ganzhou_form, main_members)

FORMS = tuple(FORM_BUILDERS)

__all__ = ["FORMS", "Form", "GANZHOU_NOTES", "build_form", "chongqing_form", "ganzhou_form", "main_members",
           "render_pdf", "render_xlsx", "write_application_forms"]


def write_application_forms(docs: list[dict], form: str, out: str | Path, fmt: str = "pdf",
                            progress: ProgressFn | None = None) -> ExportResult:
    """One form per application into one PDF (each application from a new page) or one workbook
    (one sheet per application)."""
    if not docs:
        raise ExportError("没有要导出的申报")
    forms = []
    for i, d in enumerate(docs, 1):
        forms.append(build_form(d, form))
    if fmt == "pdf":
        pages = render_pdf(forms, out, title=FORM_TITLES[form], progress=progress)
        return ExportResult(Path(out), "application-form", len(docs), pages=pages)
    if fmt == "xlsx":
        render_xlsx(forms, out, progress=progress)
        return ExportResult(Path(out), "application-form", len(docs))
    raise ExportError(f"申请表只能导出为 pdf 或 xlsx，实际为「{fmt}」")
