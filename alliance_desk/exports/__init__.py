"""Official documents: one entry point for the CLI and the export dialog.

    from alliance_desk.exports import export
    result = export(db, "recommendation-table", region="chongqing", call="chongqing-2022",
                    out="汇总表.xlsx", county=None, ids=None, progress=None)

Kinds (`KINDS`):
- "recommendation-table" (.xlsx)  — exports/recommendation.py
- "member-table"         (.xlsx)  — exports/ganzhou_tables.py (Ganzhou 文件5/6/7)
- "application-form"     (.pdf or .xlsx, by the file name) — exports/forms.py (Ganzhou, Chongqing)
- "notice"               (.pdf or .docx) — exports/notice.py; options start, days, unit, dated, contact
- "certificates"         (.pdf)   — exports/certificates.py; options recognized_on (default: each
                                    application's recorded decision date), mode, printer

`progress(done, total, text)` is called as the export goes; raising from it (the dialog's 取消) stops
the export and leaves no file behind. Heavy libraries (openpyxl, ReportLab, python-docx) are imported
by the kind's module when it runs, never at start-up.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from alliance_desk.rules.packs import get_pack
from alliance_desk.exports.common import (PURPOSE_PUBLICITY, PURPOSE_RECOGNIZED, PURPOSE_RECOMMENDED, TIER_ZH, ExportError,
                     ExportResult, ProgressFn, decisions, nothing_selected, select_documents, settings)
from db.session import unit_of_work

KINDS = {
    "recommendation-table": "推荐汇总表（Excel）",
    "member-table": "成员单位表、理事及秘书处名单、专家咨询委员会名单（Excel）",
    "application-form": "申请表（PDF 或 Excel）",
    "notice": "公示（PDF 或 Word）",
    "certificates": "证书（PDF）",
}
PURPOSE = {"recommendation-table": PURPOSE_RECOMMENDED, "member-table": PURPOSE_RECOMMENDED,
           "application-form": PURPOSE_RECOMMENDED, "notice": PURPOSE_PUBLICITY,
           "certificates": PURPOSE_RECOGNIZED}
SUFFIXES = {"recommendation-table": (".xlsx",), "member-table": (".xlsx",), "application-form": (".pdf", ".xlsx"),
            "notice": (".pdf", ".docx"), "certificates": (".pdf",)}

__all__ = ["KINDS", "ExportError", "ExportResult", "export", "available_kinds", "select_documents"]


def available_kinds(region: str) -> list[str]:
    """The kinds a region's documents include (application forms and member tables exist only where
    the notice prints them)."""
    cfg = settings(get_pack(region))
    out = ["recommendation-table"]
    if cfg.get("member_tables"):
        out.append("member-table")
    if cfg.get("application_form"):
        out.append("application-form")
    out += ["notice", "certificates"]
    return out


def call_year(call: str | None, fallback: int) -> int:
    m = re.search(r"(19|20)\d{2}", call or "")
    return int(m.group(0)) if m else fallback


def export(db, kind: str, region: str, call: str | None, out: str | Path, county: str | None = None,
           ids: list[str] | None = None, progress: ProgressFn | None = None, override_reason: str | None = None,
           actor: str | None = None, **opts) -> ExportResult:
    """Write the document. A notice or certificates for applications that have not earned them
    (guard.py) is refused with guard.DocumentsRefused, unless `override_reason` is given: then the
    file is written and each overridden application gets an audit row with the reason."""
    from alliance_desk.exports import guard

    docs = _documents(db, kind, region, call, out, county, ids)
    overridden = guard.enforce(db, kind, docs, override_reason)
    result = _write(db, kind, region, call, out, docs, progress, opts)
    if overridden:
        guard.record_override(db, kind, overridden, override_reason or "", str(out), actor)
        result.notes += guard.override_notes(overridden, override_reason or "")
    return result


def _documents(db, kind: str, region: str, call: str | None, out: str | Path, county: str | None,
               ids: list[str] | None) -> list[dict]:
    if kind not in KINDS:
        raise ExportError(f"未知的导出类型「{kind}」（可用：{'、'.join(KINDS)}）")
    pack = get_pack(region)
    cfg = settings(pack)
    out = Path(out)
    if out.suffix.lower() not in SUFFIXES[kind]:
        raise ExportError(f"{KINDS[kind]}的文件名应以 {' 或 '.join(SUFFIXES[kind])} 结尾：{out.name}")
    if kind == "member-table" and not cfg.get("member_tables"):
        raise ExportError(f"{pack.region_name}的通知没有规定成员单位表、理事及专家名单（赣州有）")
    if kind == "application-form" and not cfg.get("application_form"):
        raise ExportError(f"{pack.region_name}的通知没有公布申请表样式（赣州、重庆有）")
    docs = select_documents(db, region, call, county, ids, PURPOSE[kind])
    if not docs:
        raise nothing_selected(PURPOSE[kind], region, call, county)
    return docs


def _write(db, kind: str, region: str, call: str | None, out: str | Path, docs: list[dict],
           progress: ProgressFn | None, opts: dict) -> ExportResult:
    from alliance_desk.exports.guard import checklist_failures

    pack = get_pack(region)
    cfg = settings(pack)
    out = Path(out)
    if kind == "recommendation-table":
        from alliance_desk.exports.recommendation import write_recommendation_table

        return write_recommendation_table(docs, region, out, recommender=opts.get("recommender") or "",
                                          contact=opts.get("contact") or "", phone=opts.get("phone") or "",
                                          progress=progress, include_personal=bool(opts.get("include_personal")),
                                          failures=checklist_failures(db, docs))
    if kind == "member-table":
        from alliance_desk.exports.ganzhou_tables import write_member_tables

        return write_member_tables(docs, out, progress=progress)
    if kind == "application-form":
        from alliance_desk.exports.forms import write_application_forms

        return write_application_forms(docs, cfg["application_form"], out, out.suffix.lower().lstrip("."),
                                       progress=progress)
    if kind == "notice":
        from alliance_desk.store.pack_versions import call_pack
        from alliance_desk.lifecycle.workdays import UNIT_CALENDAR, load_calendar
        from alliance_desk.exports.notice import write_notice

        start = opts.get("start") or date.today()
        if not opts.get("days"):  # the call's own rules: a revised notice may set other publicity days
            opts["days"] = int((call_pack(db, region, call).publicity or {}).get("days") or 0) or None
        unit = opts.get("unit") or (pack.publicity or {}).get("unit") or "working"
        calendar = None if unit == UNIT_CALENDAR else load_calendar(db)
        notice_opts = {k: opts[k] for k in ("days", "unit", "dated", "contact", "authority", "include_personal")
                       if opts.get(k)}
        # the tier (示范/试点) printed is the one decided, never the one requested
        tiers = {i: d.outcome for i, d in decisions(db, [d["id"] for d in docs]).items()
                 if d.outcome in TIER_ZH}
        return write_notice(docs, region, out, start, calendar, progress=progress, tiers=tiers,
                            year=opts.get("year") or call_year(call, start.year), **notice_opts)
    from alliance_desk.exports.certificates import write_certificates

    # the recognition date: --recognized-on, else each application's recorded decision date
    decided = decisions(db, [d["id"] for d in docs])
    dates = opts.get("recognized_on") or {i: d.decided_on for i, d in decided.items()}
    tiers = {i: d.outcome for i, d in decided.items() if d.outcome in TIER_ZH}
    return write_certificates(db, docs, region, out, dates, mode=opts.get("mode") or "full",
                              printer=opts.get("printer"), authority=opts.get("authority"), progress=progress,
                              tiers=tiers)


# ------------------------------------------------------------------ what the export dialog offers

KIND_PACKAGE = "package"


def dialog_kinds(region: str) -> list[tuple[str, str]]:
    """(kind, Chinese label) for the export dialog: the region's documents and the submission package."""
    return [(k, KINDS[k]) for k in available_kinds(region)] + [(KIND_PACKAGE, "上报包（.adpkg，签名）")]


def list_calls(db, region: str) -> list[tuple[str, str]]:
    """(call id, name) of the region's calls: the pack's and the office's."""
    from alliance_desk import store

    with unit_of_work(db) as s:
        calls = store.calls_for(s, region)
    return sorted(((c.id, c.name) for c in calls.values()), key=lambda x: x[0], reverse=True)


def list_counties(db, region: str, call: str | None = None) -> list[str]:
    from sqlalchemy import select

    from db import models as m

    with unit_of_work(db) as s:
        q = select(m.Application.county).where(m.Application.region == region).distinct()
        if call:
            q = q.where(m.Application.call_id == call)
        return sorted(c for c in s.scalars(q) if c)


def list_candidates(db, region: str, call: str | None = None, county: str | None = None) -> list[dict]:
    """Applications the user may tick: id, name, county, recommended, stage."""
    from sqlalchemy import select

    from db import models as m

    A = m.Application
    with unit_of_work(db) as s:
        q = select(A.id, A.name, A.county, A.recommended, A.stage).where(A.region == region)
        if call:
            q = q.where(A.call_id == call)
        if county:
            q = q.where(A.county == county)
        rows = s.execute(q.order_by(A.county, A.name)).all()
    return [{"id": r.id, "name": r.name, "county": r.county, "recommended": bool(r.recommended),
             "stage": r.stage} for r in rows]


def preview(db, kind: str, region: str, call: str | None, county: str | None = None,
            ids: list[str] | None = None, **opts) -> list[str]:
    """What an export would contain, as lines of Chinese text (no file is written)."""
    purpose = PURPOSE_RECOMMENDED if kind == KIND_PACKAGE else PURPOSE[kind]
    docs = select_documents(db, region, call, county, ids, purpose)
    if not docs:
        raise nothing_selected(purpose, region, call, county)
    label = "上报包" if kind == KIND_PACKAGE else KINDS[kind]
    from alliance_desk.store.pack_versions import call_pack

    judged_by = call_pack(db, region, call)
    lines = [f"{label}：{len(docs)} 份申报", f"审查依据：{judged_by.version_label}"]
    lines += _guard_lines(db, kind, docs)
    if kind == "notice":
        from alliance_desk.lifecycle.workdays import UNIT_CALENDAR, load_calendar, period

        pub = judged_by.publicity or {}
        unit = opts.get("unit") or pub.get("unit") or "working"
        days = opts.get("days") or int(pub.get("days") or 0)
        if days > 0:
            cal = None if unit == UNIT_CALENDAR else load_calendar(db)
            lines.append("公示期：" + period(cal, opts.get("start") or date.today(), days, unit).text())
        else:
            lines.append("规则包未设置公示期，请指定公示天数")
    if kind == "certificates":
        decided = decisions(db, [d["id"] for d in docs])
        for d in docs:
            on = opts.get("recognized_on") or (decided[d["id"]].decided_on if d["id"] in decided else None)
            lines.append(f"{d['name']}（认定日期：{on.isoformat() if on else '未记录'}）")
        return lines
    lines += [f"{i}. {d['name']}（{d['county']}）" for i, d in enumerate(docs, 1)]
    return lines


def refusals(db, kind: str, region: str, call: str | None, county: str | None = None,
             ids: list[str] | None = None) -> list:
    """The applications a notice or certificates export would refuse (guard.Refusal), with reasons."""
    from alliance_desk.exports import guard

    if kind not in guard.GUARDED:
        return []
    return guard.check(db, kind, select_documents(db, region, call, county, ids, PURPOSE[kind]))


def _guard_lines(db, kind: str, docs: list[dict]) -> list[str]:
    from alliance_desk.exports import guard

    if kind in guard.GUARDED:
        found = guard.check(db, kind, docs)
        return ["不能列入：" + r.line() for r in found]
    if kind in ("recommendation-table", KIND_PACKAGE):
        failing = guard.checklist_failures(db, docs)
        return [f"「{d['name']}」{guard.failure_mark(failing[d['id']])}" for d in docs if d["id"] in failing]
    return []
