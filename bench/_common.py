"""What several benchmarks share: timing our code against a bare baseline in alternating runs, and
the command lines and options of the start-up benchmarks (bench_startup, bench_memory)."""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path


def paired(ours, bare, runs: int) -> tuple[float, float, list, list]:
    """Medians of `runs` alternating runs of each, and every time (alternating keeps drift in machine
    load from favouring either side)."""
    t_ours, t_bare = [], []
    for _ in range(runs):
        for fn, times in ((bare, t_bare), (ours, t_ours)):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    return statistics.median(t_ours), statistics.median(t_bare), t_ours, t_bare


def startup_options(doc: str, runs: int, n: int) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--runs", type=int, default=runs)
    ap.add_argument("--n", type=int, default=n, help=f"applications in the database (default {n})")
    return ap.parse_args()


def startup_commands(bare_code: str, db: Path) -> tuple[list[str], list[str]]:
    """(the bare Qt window, the app's window on `db`) as command lines."""
    return [sys.executable, "-c", bare_code], [sys.executable, "-m", "cli", "gui", "--db", str(db)]
