"""A province's archive (tens of thousands of applications): export and check-all end to end on the real path, at N applications.

Figures, each against a bare baseline measured in the same run (alternating, medians):

- recommendation table, one call of N/5 applications (every Chongqing application of the bulk data,
  chosen by id as the list's selection is): `exports.export(db, "recommendation-table", …)` — the
  service the export dialog and the command line call, from the database to the saved .xlsx —
  vs a bare SQLAlchemy Core read of the same applications' rows (applications, members, office
  holders, materials, agreements, systems) plus openpyxl write-only of the same cell values;
  target ≤ 1.5× at 50,000;
- check all, first time (no stored verdicts) and after one edit (one application saved again through
  `store.save_document`, then `verdicts.check_all`), vs a bare Core read of the applications and
  members tables; targets: after one edit ≤ 0.5 s at 50,000; at 5,000 the first check < 2 s.

The database is the cached one of bench_startup.py (`ensure_database(n)`). Run:
python bench/bench_archive.py --n 50000 [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import paired  # noqa: E402
from bench_startup import ensure_database  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--check-only", action="store_true",
                    help="only check all after one edit, on the verdicts already stored (no export, no first check)")
    args = ap.parse_args()
    path = ensure_database(args.n)

    from openpyxl import Workbook
    from sqlalchemy import select

    from alliance_desk import exports, store
    from alliance_desk.store import verdicts
    from alliance_desk.exports.recommendation import CHONGQING_COLUMNS
    from db import models as m
    from db.models_archive import CheckVerdict, CheckVerdictItems
    from db.session import open_database

    db = open_database(path)
    A = m.Application.__table__
    with db.Session() as s:
        ids = list(s.scalars(select(A.c.id).where(A.c.region == "chongqing", A.c.call_id == "chongqing-2022")
                             .order_by(A.c.id)))
    tmp = Path(tempfile.mkdtemp(prefix="bench-archive-"))

    def ours_export():
        exports.export(db, "recommendation-table", "chongqing", "chongqing-2022", tmp / "ours.xlsx", ids=ids)

    def bare_export():
        tables = [t.__table__ for t in (m.Application, m.Member, m.OfficeHolder, m.MaterialReceipt, m.Agreement,
                                        m.Systems)]
        got = {}
        with db.engine.connect() as c:
            for t in tables:
                key = t.c.id if t is A else t.c.application_id
                rows = []
                for i in range(0, len(ids), 900):
                    rows += c.execute(select(t).where(key.in_(ids[i:i + 900]))).all()
                got[t.name] = rows
        members: dict[str, list] = {}
        for r in got["members"]:
            members.setdefault(r.application_id, []).append(r)
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("推荐汇总表")
        ws.append(["重庆市产业技术创新联盟推荐汇总表"])
        ws.append(["推荐单位（盖章）：", None, None, None, "联系人：", None, None, "单位：万元"])
        ws.append(CHONGQING_COLUMNS)
        for i, a in enumerate(got["applications"], 1):
            mem = members.get(a.id, [])
            lead = next((x.name for x in mem if x.role == "lead"), "")
            contact = a.contact or {}
            ws.append([i, a.name, a.industry, lead, len(mem), a.investment_wan, a.tech_staff_total,
                       "建设目标：" + (a.goals or "") + "\n建设内容：" + "；".join(a.research_directions or []),
                       contact.get("name") or "", contact.get("phone") or contact.get("mobile") or ""])
        wb.save(tmp / "bare.xlsx")

    if not args.check_only:
        ours_export()  # warm-up: imports, page cache
        bare_export()
        o, b, to, tb = paired(ours_export, bare_export, args.runs)
        print(f"recommendation table of {len(ids)} applications at {args.n}: {o:.2f} s "
              f"(ratio {o / b:.2f} to bare Core read + openpyxl write {b:.2f} s, target ≤ 1.5×)")
        print(f"  runs ours {[round(x, 2) for x in to]}, bare {[round(x, 2) for x in tb]}")

    def bare_read():
        with db.engine.connect() as c:
            c.execute(select(m.Application)).all()
            c.execute(select(m.Member)).all()

    def clear():
        with db.Session.begin() as s:
            s.execute(CheckVerdict.__table__.delete())
            s.execute(CheckVerdictItems.__table__.delete())

    def check():
        with db.Session() as s:
            return verdicts.check_all(s)

    base = statistics.median([_time(bare_read) for _ in range(args.runs)])
    cold = []
    for _ in range(0 if args.check_only else 1 if args.n >= 50000 else args.runs):  # 50,000: once (minutes)
        clear()
        cold.append(_time(check))
    report = check()
    assert not report.rejudged and len(report.verdicts) == args.n, (len(report.rejudged), len(report.verdicts))
    with db.Session() as s:
        doc = store.get_document(s, ids[len(ids) // 2])
    after = []
    for _ in range(args.runs):
        with db.Session.begin() as s:  # the clerk saves one application (unchanged text, new version)
            store.save_document(s, doc)
        t = time.perf_counter()
        report = check()
        after.append(time.perf_counter() - t)
        assert report.rejudged == [doc["id"]], report.rejudged
    unchanged = statistics.median([_time(check) for _ in range(args.runs)])
    c, a = statistics.median(cold) if cold else float("nan"), statistics.median(after)
    print(f"check all {args.n} stored applications after one edit: {a:.3f} s "
          f"(ratio {a / base:.2f} to bare Core read {base:.2f} s, target ≤ 0.5 s at 50000)")
    print(f"check all {args.n} stored applications, first time: {c:.2f} s "
          f"(ratio {c / base:.2f} to bare Core read {base:.2f} s, target < 2 s at 5000)")
    print(f"  nothing changed: {unchanged:.3f} s; runs first {[round(x, 2) for x in cold]}, "
          f"after one edit {[round(x, 3) for x in after]}")
    db.dispose()
    return 0


def _time(fn) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


if __name__ == "__main__":
    sys.exit(main())
