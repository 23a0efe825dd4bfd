"""Document speed against bare baselines measured in the same run (medians of several runs):

- 500 certificates (full design) vs a bare ReportLab script drawing the same text with the same
  font (Noto Sans SC, registered once for both) — target ≤ 1.5×;
- a 5,000-row recommendation table (Chongqing 附件3 layout, styles, print setup, row heights) vs bare
  openpyxl write-only writing the same cell values — target ≤ 1.5×.

Prints `name: value (ratio R to baseline B, target T)`. Run: python bench/bench_documents.py
"""
from __future__ import annotations

import sys
import tempfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import paired  # noqa: E402
from alliance_desk import demo  # noqa: E402
from alliance_desk.lifecycle.workdays import zh_date  # noqa: E402

N_CERTS = 500
N_ROWS = 5000
RUNS = 5


def certificates(tmp: Path) -> tuple[float, float]:
    from reportlab.pdfgen.canvas import Canvas

    from alliance_desk.exports.certificates import PAGE_H, PAGE_W, Certificate, render_certificates
    from alliance_desk.exports.fonts import register

    font = register()
    docs = demo.demo_applications()
    certs = []
    for i in range(N_CERTS):
        d = docs[i % len(docs)]
        lead = next(m for m in d["members"] if m["role"] == "lead")
        certs.append(Certificate(f"AS-2024-{i + 1:03d}", d["id"], d["name"], lead["name"], date(2024, 7, 1),
                                 date(2029, 6, 30), "鞍山市科学技术局", "鞍山市产业技术创新战略联盟",
                                 "经审核，该联盟被认定为鞍山市产业技术创新战略联盟。"))

    def bare():
        c = Canvas(str(tmp / "bare.pdf"), pagesize=(PAGE_W, PAGE_H), pageCompression=1, initialFontName=font)
        for cert in certs:
            c.setFont(font, 46)
            c.drawCentredString(PAGE_W / 2, 450, "证　　书")
            c.setFont(font, 15)
            c.drawCentredString(PAGE_W / 2, 416, cert.title)
            c.setFont(font, 26)
            c.drawCentredString(PAGE_W / 2, 351, cert.alliance_name)
            c.setFont(font, 16)
            c.drawCentredString(PAGE_W / 2, 300, cert.text)
            c.setFont(font, 15)
            c.drawString(198, 249, f"牵头单位：{cert.lead_unit}")
            c.drawString(198, 221, f"认定日期：{zh_date(cert.recognized_on)}")
            c.drawString(198, 192, f"有效期至：{zh_date(cert.valid_until)}")
            c.setFont(font, 16)
            c.drawCentredString(629, 119, cert.authority)
            c.setFont(font, 15)
            c.drawCentredString(629, 91, zh_date(cert.recognized_on))
            c.setFont(font, 11)
            c.drawString(85, 68, f"证书编号：{cert.number}")
            c.showPage()
        c.save()

    ours = lambda: render_certificates(certs, tmp / "ours.pdf", "full")  # noqa: E731
    bare()
    ours()
    return paired(ours, bare, RUNS)[:2]


def recommendation_table(tmp: Path) -> tuple[float, float]:
    from openpyxl import Workbook

    from alliance_desk.exports.recommendation import CHONGQING_COLUMNS, chongqing_row, write_recommendation_table

    base = demo.demo_applications()
    docs = [base[i % len(base)] for i in range(N_ROWS)]

    def bare():
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("推荐汇总表")
        ws.append(["重庆市产业技术创新联盟推荐汇总表"])
        ws.append(["推荐单位（盖章）：", None, None, None, "联系人：", None, None, "单位：万元"])
        ws.append(CHONGQING_COLUMNS)
        for i, d in enumerate(docs, 1):
            ws.append(chongqing_row(i, d))
        wb.save(tmp / "bare.xlsx")

    ours = lambda: write_recommendation_table(docs, "chongqing", tmp / "ours.xlsx")  # noqa: E731
    bare()
    ours()
    return paired(ours, bare, RUNS)[:2]


def line(name: str, value: float, base: float, target: float) -> str:
    return f"{name}: {value:.3f} s (ratio {value / base:.2f} to baseline {base:.3f} s, target ≤ {target}×)"


def main() -> int:
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        ours, bare = certificates(tmp)
        print(line(f"{N_CERTS} certificates (full design)", ours, bare, 1.5))
        r1 = ours / bare
        ours, bare = recommendation_table(tmp)
        print(line(f"{N_ROWS}-row recommendation table", ours, bare, 1.5))
        r2 = ours / bare
    return 0 if r1 <= 1.5 and r2 <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
