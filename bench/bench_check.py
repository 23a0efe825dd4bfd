"""Checking speed: one application in-process, and all 5,000 stored applications.

Prints ratios against bare baselines measured in the same run:
- one check vs. `json.loads` of the same application file (the least any check must do);
- checking all stored applications vs. a bare SQLAlchemy Core read of the same rows.
Targets (so a clerk never waits on a check): one check < 50 ms; all 5,000 < 2 s. Run: python bench/bench_check.py
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select  # noqa: E402

from alliance_desk import demo, exchange, store  # noqa: E402
from alliance_desk.rules.engine import evaluate  # noqa: E402
from db import models as m  # noqa: E402
from db.session import open_database  # noqa: E402

DATA = ROOT / "bench" / ".data"
N = 5000


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def bulk_db():
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"bulk-{N}.sqlite"
    db = open_database(path)
    with db.Session() as s:
        have = store.count_applications(s)
    if have < N:
        t = time.perf_counter()
        store.import_documents(db, (("", d) for d in demo.bulk_applications(N)))
        print(f"(built {path.name}: {N} applications in {time.perf_counter() - t:.1f} s)")
    return db


def main() -> int:
    doc = demo.demo_applications()[0]
    text = exchange.dumps(doc)
    evaluate(doc)  # warm caches (packs, schema)
    bare = median_time(lambda: json.loads(text), 200)
    one = median_time(lambda: evaluate(exchange.parse_text(text)), 200)
    print(f"check one application (parse + validate + evaluate): {one * 1000:.2f} ms "
          f"(ratio {one / bare:.0f} to bare json.loads {bare * 1000:.3f} ms, target < 50 ms)")

    db = bulk_db()

    def bare_read():
        with db.engine.connect() as c:
            c.execute(select(m.Application)).all()
            c.execute(select(m.Member)).all()
            c.execute(select(m.OfficeHolder)).all()
            c.execute(select(m.MaterialReceipt)).all()

    def check_all():
        with db.Session() as s:
            results = store.check_all(s)
        assert len(results) >= N

    base = median_time(bare_read, 3)
    full = median_time(check_all, 3)
    print(f"check all {N} stored applications: {full:.2f} s "
          f"(ratio {full / base:.1f} to bare Core read {base:.2f} s, target < 2 s)")
    return 0 if one < 0.05 and full < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
