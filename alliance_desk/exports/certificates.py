"""Certificates (证书) for recognised alliances: one A4 landscape page each, in one PDF.

Anshan 002 § 第九条5 (下达批复文件、证书和牌匾) and Gansu 001 § 三(三) (予以公布并授牌); every pack
configures `[exports] certificate_number` (e.g. "AS-{year}-{seq:03d}" → AS-2024-001),
`certificate_title`, `certificate_text` and the issuing `authority`; the validity comes from
`[validity] years` (Anshan 5 years, 002 § 第十一条): valid until the day before the anniversary
(2024-07-01 + 5 years → 2029-06-30). A region without a fixed validity prints no validity line.

Numbers are given once per (application, recognition date) and stored (`issued_certificates`), so
printing again reprints the same number; serials count per region and year (`certificate_series`).

Two modes:
- "full": the whole design on blank paper (frame, title, text, number, authority, date);
- "text": only the text, for pre-printed certificate paper, moved by the printer's calibration
  offsets in mm (stored per printer in `printer_calibrations`; `calibration_sheet` prints a grid of
  marks to measure them).
Text uses the bundled Noto Sans SC (embedded; no calligraphic face may be bundled).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from alliance_desk import dates
from alliance_desk.rules.packs import get_pack
from alliance_desk.lifecycle.workdays import zh_date
from alliance_desk.exports.common import (TIER_ZH, ExportError, ExportResult, ProgressFn, atomic_output, fill, lead, report, settings,
                     template_values)
from db.session import unit_of_work

MODES = ("full", "text")
MM = 72 / 25.4
PAGE_W, PAGE_H = 297 * MM, 210 * MM
RED = (0.62, 0.08, 0.08)
GOLD = (0.72, 0.55, 0.18)

# positions (mm from the top-left corner of the sheet) shared by both modes, so pre-printed paper
# designed from a "full" print lines up
Y_TITLE = 52
Y_NAME = 86
Y_TEXT = 104
Y_FIELDS = 122
FIELD_STEP = 10
X_FIELDS = 70
Y_AUTHORITY = 168
Y_DATE = 178
X_RIGHT_BLOCK = 222   # centre of the authority/date block
X_NUMBER = 30
Y_NUMBER = 186


@dataclass(frozen=True)
class Certificate:
    number: str
    application_id: str
    alliance_name: str
    lead_unit: str
    recognized_on: date
    valid_until: date | None
    authority: str
    title: str
    text: str


def valid_until(recognized_on: date, years: int) -> date | None:
    """The last day of a validity of `years` years that starts on `recognized_on`."""
    return dates.validity_end(recognized_on, years)


def number_for(pattern: str, region: str, year: int, serial: int, region_code: str | None = None) -> str:
    """`pattern` (the pack's certificate_number) with {year}, {seq}, {region} and {region_code}."""
    if region_code is None:
        try:
            region_code = settings(get_pack(region)).get("region_code")
        except ValueError:
            region_code = None
    return fill(pattern, year=year, seq=serial, region=region, region_code=region_code or region[:2].upper())


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def issue_certificates(db, docs: list[dict], region: str, recognized_on: date | dict[str, date],
                       authority: str | None = None, tiers: dict[str, str] | None = None) -> list[Certificate]:
    """Give each application its certificate number (reusing one already issued for the same
    recognition date), in one transaction; returns what to print, in the order of `docs`.
    `recognized_on` is one date for all or one per application id; `tiers` (Chongqing 示范/试点) is
    the decided tier per application id."""
    from sqlalchemy import select

    from db.models_documents import CertificateSeries, IssuedCertificate

    pack = get_pack(region)
    cfg = settings(pack)
    authority = authority or cfg["authority"]
    years = int((pack.validity or {}).get("years") or 0)
    tiers = tiers or {}
    out = []
    with unit_of_work(db, write=True) as s:
        for doc in docs:
            if doc["region"] != region:
                raise ExportError(f"「{doc['name']}」属于 {doc['region']}，不是 {region}")
            on = recognized_on.get(doc["id"]) if isinstance(recognized_on, dict) else recognized_on
            if on is None:
                raise ExportError(f"「{doc['name']}」没有认定日期：请先记录认定决定，或用 --recognized-on 指定",
                                  clerk=f"「{doc['name']}」没有认定日期：请先在“办理进度”中记录认定决定，"
                                        "或取消“使用已记录的认定日期”后填写认定日期")
            row = s.scalar(select(IssuedCertificate).where(IssuedCertificate.application_id == doc["id"],
                                                           IssuedCertificate.recognized_on == on))
            if row is None:
                year = on.year
                series = s.get(CertificateSeries, (region, year))
                if series is None:
                    series = CertificateSeries(region=region, year=year, last_serial=0)
                    s.add(series)
                while True:  # skip numbers taken by hand-made entries or an edited pattern
                    series.last_serial += 1
                    number = number_for(cfg["certificate_number"], region, year, series.last_serial)
                    if s.scalar(select(IssuedCertificate.id).where(IssuedCertificate.number == number)) is None:
                        break
                row = IssuedCertificate(number=number, region=region, year=year, serial=series.last_serial,
                                        application_id=doc["id"], alliance_name=doc["name"],
                                        lead_unit=lead(doc)["name"], recognized_on=on,
                                        valid_until=valid_until(on, years), authority=authority,
                                        issued_at=_now())
                s.add(row)
                s.flush()
            row.last_printed_at = _now()
            tier = tiers.get(doc["id"]) or ""  # the decided tier only, never the one requested
            values = template_values(pack, name=row.alliance_name, year=on.year, tier=TIER_ZH.get(tier, ""))
            out.append(Certificate(row.number, doc["id"], row.alliance_name, row.lead_unit, row.recognized_on,
                                   row.valid_until, row.authority, cfg["certificate_title"],
                                   fill(cfg["certificate_text"], **values)))
    return out


# ------------------------------------------------------------------ printer calibration

@dataclass(frozen=True)
class Calibration:
    printer: str
    offset_x_mm: float
    offset_y_mm: float
    note: str = ""


def save_calibration(db, printer: str, offset_x_mm: float, offset_y_mm: float, note: str = "") -> Calibration:
    from db.models_documents import PrinterCalibration

    printer = (printer or "").strip()
    if not printer:
        raise ExportError("请填写打印机名称")
    for v in (offset_x_mm, offset_y_mm):
        if not -50 <= v <= 50:
            raise ExportError(f"偏移量 {v} mm 超出范围（-50 到 50 mm）")
    with unit_of_work(db, write=True) as s:
        row = s.get(PrinterCalibration, printer) or PrinterCalibration(printer=printer)
        row.offset_x_mm, row.offset_y_mm, row.note, row.updated_at = offset_x_mm, offset_y_mm, note, _now()
        s.add(row)
    return Calibration(printer, offset_x_mm, offset_y_mm, note)


def get_calibration(db, printer: str) -> Calibration:
    from db.models_documents import PrinterCalibration

    with unit_of_work(db) as s:
        row = s.get(PrinterCalibration, printer)
        if row is None:
            raise ExportError(f"没有打印机「{printer}」的校准记录；请先用 alliance-desk certificates calibrate 保存偏移量",
                              clerk=f"没有打印机「{printer}」的套打校准记录：请先请管理员为这台打印机保存偏移量，"
                                    "或取消“套打”整张打印")
        return Calibration(row.printer, row.offset_x_mm, row.offset_y_mm, row.note or "")


def list_calibrations(db) -> list[Calibration]:
    from sqlalchemy import select

    from db.models_documents import PrinterCalibration

    with unit_of_work(db) as s:
        return [Calibration(r.printer, r.offset_x_mm, r.offset_y_mm, r.note or "")
                for r in s.scalars(select(PrinterCalibration).order_by(PrinterCalibration.printer))]


# ------------------------------------------------------------------ drawing

def _fitted(text: str, max_w: float, size: float, minimum: float, sw) -> tuple[float, float]:
    """(font size, width): `size`, or smaller (not below `minimum`) so the text fits `max_w`.
    One width measurement per text: it serves both the fitting and the centring."""
    w = sw(text, size)
    if w <= max_w:
        return size, w
    fitted = max(minimum, size * max_w / w)
    return fitted, w * fitted / size


def _frame(c) -> None:
    c.setStrokeColorRGB(*RED)
    c.setLineWidth(5)
    c.rect(12 * MM, 12 * MM, PAGE_W - 24 * MM, PAGE_H - 24 * MM)
    c.setStrokeColorRGB(*GOLD)
    c.setLineWidth(1.2)
    c.rect(17 * MM, 17 * MM, PAGE_W - 34 * MM, PAGE_H - 34 * MM)
    c.setFillColorRGB(*GOLD)
    for x in (17 * MM, PAGE_W - 17 * MM):
        for y in (17 * MM, PAGE_H - 17 * MM):
            p = c.beginPath()
            p.moveTo(x, y + 4 * MM)
            p.lineTo(x + 4 * MM, y)
            p.lineTo(x, y - 4 * MM)
            p.lineTo(x - 4 * MM, y)
            p.close()
            c.drawPath(p, stroke=0, fill=1)


def _design(c, title: str, font: str, sw, X, Y) -> None:
    """What every certificate of a region shares: frame, 证书, the scheme's name."""
    _frame(c)
    c.setFillColorRGB(*RED)
    size, w = _fitted("证　　书", 250 * MM, 46, 20, sw)
    c.setFont(font, size)
    c.drawString(X(148.5) - w / 2, Y(Y_TITLE), "证　　书")
    c.setFillColorRGB(*GOLD)
    size, w = _fitted(title, 250 * MM, 15, 9, sw)
    c.setFont(font, size)
    c.drawString(X(148.5) - w / 2, Y(Y_TITLE + 12), title)
    c.setFillColorRGB(0, 0, 0)


def draw_certificate(c, cert: Certificate, font: str, sw, mode: str = "full", dx_mm: float = 0.0,
                     dy_mm: float = 0.0, design_form: str | None = None) -> None:
    """One page. Coordinates are mm from the sheet's top-left corner, moved by (dx, dy). With
    `design_form` the shared design (frame, 证书, scheme name) is a form XObject drawn once per file
    and placed on every page."""
    def X(mm_x: float) -> float:
        return (mm_x + dx_mm) * MM

    def Y(mm_y: float) -> float:
        return PAGE_H - (mm_y + dy_mm) * MM

    def centred(text: str, mm_x: float, mm_y: float, size: float, max_mm: float, minimum: float) -> None:
        size, w = _fitted(text, max_mm * MM, size, minimum, sw)
        c.setFont(font, size)
        c.drawString(X(mm_x) - w / 2, Y(mm_y), text)

    if mode == "full":
        if design_form:
            c.doForm(design_form)
        else:
            _design(c, cert.title, font, sw, X, Y)
    centred(cert.alliance_name, 148.5, Y_NAME, 26, 230, 14)
    centred(cert.text, 148.5, Y_TEXT, 16, 235, 10)
    fields = [("牵头单位", cert.lead_unit), ("认定日期", zh_date(cert.recognized_on))]
    if cert.valid_until:
        fields.append(("有效期至", zh_date(cert.valid_until)))
    for i, (label, value) in enumerate(fields):
        text = f"{label}：{value}"
        # no glyph is wider than 1 em: short texts need no measuring
        size = 15 if len(text) * 15 <= 160 * MM else _fitted(text, 160 * MM, 15, 10, sw)[0]
        c.setFont(font, size)
        c.drawString(X(X_FIELDS), Y(Y_FIELDS + i * FIELD_STEP), text)
    centred(cert.authority, X_RIGHT_BLOCK, Y_AUTHORITY, 16, 100, 10)
    centred(zh_date(cert.recognized_on), X_RIGHT_BLOCK, Y_DATE, 15, 100, 10)
    c.setFont(font, 11)
    c.drawString(X(X_NUMBER), Y(Y_NUMBER), f"证书编号：{cert.number}")


def render_certificates(certs: list[Certificate], out: str | Path, mode: str = "full", dx_mm: float = 0.0,
                        dy_mm: float = 0.0, progress: ProgressFn | None = None) -> int:
    from reportlab.pdfgen.canvas import Canvas

    from alliance_desk.exports.fonts import register, string_width

    if mode not in MODES:
        raise ExportError(f"证书模式应为 full（整张打印）或 text（套打），实际为「{mode}」")
    font = register()
    total = len(certs)
    step = max(1, total // 50)
    with atomic_output(out) as tmp:
        c = Canvas(str(tmp), pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=font,
                   initialFontSize=12)
        c.setTitle("证书")
        c.setCreator("Alliance Desk")
        forms: dict[str, str] = {}
        if mode == "full":
            for title in dict.fromkeys(cert.title for cert in certs):
                name = f"certificate-design-{len(forms)}"
                c.beginForm(name)
                _design(c, title, font, string_width, lambda x: x * MM, lambda y: PAGE_H - y * MM)
                c.endForm()
                forms[title] = name
        for i, cert in enumerate(certs, 1):
            draw_certificate(c, cert, font, string_width, mode, dx_mm, dy_mm, forms.get(cert.title))
            c.showPage()
            if i % step == 0:
                report(progress, i, total, f"已排版 {i}/{total} 张证书")
        c.save()
    return total


def calibration_sheet(out: str | Path, dx_mm: float = 0.0, dy_mm: float = 0.0) -> None:
    """A4 landscape with cross marks every 20 mm labelled in mm: print it on the pre-printed paper's
    printer with the current offsets and measure how far the marks are from where they should be."""
    from reportlab.pdfgen.canvas import Canvas

    from alliance_desk.exports.fonts import register

    font = register()
    with atomic_output(out) as tmp:
        c = Canvas(str(tmp), pagesize=(PAGE_W, PAGE_H), initialFontName=font, initialFontSize=8)
        c.setLineWidth(0.3)
        for x in range(20, 297, 20):
            for y in range(20, 210, 20):
                px, py = (x + dx_mm) * MM, PAGE_H - (y + dy_mm) * MM
                c.line(px - 3 * MM, py, px + 3 * MM, py)
                c.line(px, py - 3 * MM, px, py + 3 * MM)
                c.setFont(font, 6)
                c.drawString(px + 1 * MM, py + 1 * MM, f"{x},{y}")
        c.setFont(font, 11)
        c.drawString(20 * MM, PAGE_H - 12 * MM,
                     f"套打校准页：十字中心应距纸张左边 x mm、上边 y mm；当前偏移 x={dx_mm:+.1f} mm，y={dy_mm:+.1f} mm")
        c.showPage()
        c.save()


def write_certificates(db, docs: list[dict], region: str, out: str | Path, recognized_on: date | dict[str, date],
                       mode: str = "full", printer: str | None = None, authority: str | None = None,
                       progress: ProgressFn | None = None, tiers: dict[str, str] | None = None) -> ExportResult:
    if not docs:
        raise ExportError("没有要打印证书的申报")
    if mode not in MODES:
        raise ExportError(f"证书模式应为 full（整张打印）或 text（套打），实际为「{mode}」")
    dx = dy = 0.0
    notes = []
    if mode == "text" and printer:
        cal = get_calibration(db, printer)
        dx, dy = cal.offset_x_mm, cal.offset_y_mm
        notes.append(f"套打偏移：{printer} x={dx:+.1f} mm，y={dy:+.1f} mm")
    report(progress, 0, len(docs), "正在编号")
    certs = issue_certificates(db, docs, region, recognized_on, authority, tiers)
    pages = render_certificates(certs, out, mode, dx, dy, progress)
    res = ExportResult(Path(out), "certificates", len(certs), pages=pages, notes=notes)
    res.notes += [f"{c.number} {c.alliance_name}" for c in certs]
    return res
