"""Filtering the application list as the clerk types, at 5,000 applications.

One run = `listing.apply_filters` over all rows with the search index + the model reset, i.e.
`ApplicationListModel.set_filters(Filters(text=…))` with a QTableView attached (offscreen). Prints
the median of 50 runs over varied search texts (member names, USCC fragments, two-word queries,
no match) and, for comparison, a bare Python loop doing only the substring tests:

    filter: X ms median of 50 (target < 50 ms; bare substring scan Y ms)

Uses the cached database of bench_startup.py. Nothing is asserted. Run: python bench/bench_list_filter.py
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_startup import N, ensure_database  # noqa: E402

RUNS = 50
TARGET_MS = 50.0


def main() -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=N, help="applications in the database (default 5000)")
    args = ap.parse_args()
    path = ensure_database(args.n)
    import ui  # noqa: F401 - applies the PySide6 reference-count workaround first
    from PySide6.QtWidgets import QApplication, QTableView

    from alliance_desk import listing
    from alliance_desk.listing import Filters
    from db.session import open_database
    from ui.list_model import ApplicationListModel

    app = QApplication.instance() or QApplication(sys.argv[:1])
    db = open_database(path)
    t0 = time.perf_counter()
    rows, index = listing.load_all(db)
    load_s = time.perf_counter() - t0
    model = ApplicationListModel(db)
    model.set_rows(rows, index)
    view = QTableView()
    view.setModel(model)
    view.resize(1366, 600)
    view.show()
    app.processEvents()

    # search texts a clerk would type: fragments of real member names and codes, and misses
    entries = [index[r.id].split("\n") for r in rows[:: max(1, len(rows) // 10)]]
    texts = []
    for e in entries:
        texts += [e[1][:4], e[2][:8], e[3][2:6]]     # a member name, a USCC prefix, part of a name
    texts += ["有限公司", "研究院 材料", "不存在的单位名称", "91", "大学"]
    texts = (texts * (RUNS // len(texts) + 1))[:RUNS]

    times, shown = [], []
    for text in texts:
        t = time.perf_counter()
        model.set_filters(Filters(text=text))
        times.append(time.perf_counter() - t)
        shown.append(model.rowCount())
        app.processEvents()  # let the view repaint between keystrokes (not timed)

    bare = []
    values = list(index.values())
    for text in texts:
        t = time.perf_counter()
        needle = text.lower()
        [v for v in values if needle in v]
        bare.append(time.perf_counter() - t)

    ms, bare_ms = statistics.median(times) * 1000, statistics.median(bare) * 1000
    print(f"filter: {ms:.1f} ms median of {RUNS} at {args.n} (target < {TARGET_MS:.0f} ms; "
          f"bare substring scan {bare_ms:.1f} ms; ratio {ms / bare_ms:.1f})")
    print(f"  {len(rows)} applications ({args.n} expected), {sum(len(v) for v in values) / 1e6:.1f} M characters indexed; "
          f"rows+index loaded in {load_s:.2f} s; max {max(times) * 1000:.1f} ms; "
          f"rows shown per run {min(shown)}–{max(shown)}")
    view.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
