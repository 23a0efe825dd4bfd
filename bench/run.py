"""All benchmarks, one command: `python bench/run.py [--only NAME …] [--verbose]`.

Runs each bench script in its own process (one at a time: they time things), reads its figures and
prints one line per figure,

    name: value (ratio to baseline, target) — ok | MISSED

then exits 1 if any target is missed or a figure could not be measured, else 0. The scripts' full
output goes to bench/.data/run-<time>.log (and to the terminal with --verbose). Data are generated
reproducibly (alliance_desk.demo.bulk_applications; the review data of bench_review.py — 200 experts,
20,000 scores — through alliance_desk.review) and cached under bench/.data/ (git-ignored): the
first run builds them and takes longer.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "bench" / ".data"
NUM = r"([0-9]+(?:\.[0-9]+)?)"


@dataclass
class Figure:
    name: str
    pattern: str                      # finds the figure's line in the script's output
    ok: Callable[[re.Match], bool]    # is the target met?


def _ratio(limit: float) -> Callable[[re.Match], bool]:
    return lambda mt: float(re.search(r"ratio " + NUM, mt.group(0)).group(1)) <= limit


def _value(limit: float) -> Callable[[re.Match], bool]:
    return lambda mt: float(mt.group(1)) <= limit


BIG = "50000"  # a province's archive (bench/.data/bulk-50000.sqlite, built once: several minutes)

# (script, extra arguments, figures it prints)
SUITE: list[tuple[str, list[str], list[Figure]]] = [
    ("bench_startup.py", [], [
        Figure("startup", r"^startup: .*$", _ratio(2.0)),
    ]),
    ("bench_memory.py", [], [
        Figure("memory", r"^peak memory with the list open: " + NUM + r" MB.*$", _value(350.0)),
    ]),
    ("bench_list_filter.py", [], [
        Figure("list filter", r"^filter: " + NUM + r" ms.*$", _value(50.0)),
    ]),
    ("bench_check.py", [], [
        Figure("check one", r"^check one application.*?: " + NUM + r" ms.*$", _value(50.0)),
        Figure("check all", r"^check all \d+ stored applications: " + NUM + r" s.*$", _value(2.0)),
    ]),
    ("bench_import.py", [], [
        Figure("import", r"^import \d+ files: .*$", _ratio(3.0)),
    ]),
    ("bench_documents.py", [], [
        Figure("certificates", r"^\d+ certificates.*$", _ratio(1.5)),
        Figure("recommendation table", r"^\d+-row recommendation table.*$", _ratio(1.5)),
    ]),
    ("bench_forms.py", [], [
        Figure("read forms", r"^read \d+ filled forms: .*$", _ratio(2.0)),
    ]),
    ("bench_archive.py", ["--n", "5000"], [
        Figure("recommendation table 5000", r"^recommendation table of \d+ applications at 5000: .*$", _ratio(1.5)),
        Figure("check all after one edit 5000", r"^check all 5000 stored applications after one edit: " + NUM
               + r" s.*$", _value(0.5)),
        Figure("check all first time 5000", r"^check all 5000 stored applications, first time: " + NUM
               + r" s.*$", _value(2.0)),
    ]),
    # a province's archive: the same figures at 50,000 applications, against the same bare baselines
    ("bench_archive.py", ["--n", BIG], [
        Figure("recommendation table 50000", r"^recommendation table of \d+ applications at 50000: .*$",
               _ratio(1.5)),
        Figure("check all after one edit 50000", r"^check all 50000 stored applications after one edit: "
               + NUM + r" s.*$", _value(0.5)),
    ]),
    ("bench_startup.py", ["--n", BIG, "--runs", "3"], [
        Figure("list shown 50000", r"^list of 50000 applications shown: .*$", _ratio(2.0)),
    ]),
    ("bench_list_filter.py", ["--n", BIG], [
        Figure("list filter 50000", r"^filter: " + NUM + r" ms median of \d+ at 50000.*$", _value(50.0)),
    ]),
    ("bench_memory.py", ["--n", BIG], [
        Figure("memory 50000", r"^peak memory with the list open: " + NUM + r" MB.*$", _value(300.0)),
    ]),
    ("bench_review.py", [], [  # targets are ours (the issue sets none for review); see bench_review.py
        Figure("round summary", r"^round summary .*$", _ratio(2.0)),
        Figure("assignment grid", r"^assignment grid .*$", _ratio(3.0)),
        Figure("auto-assign", r"^auto-assign .*$", _ratio(5.0)),
        Figure("import score file", r"^import one expert's score file.*$", _ratio(4.0)),
    ]),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", metavar="NAME",
                    help="run only these scripts (e.g. startup import: matched against the script names)")
    ap.add_argument("--verbose", "-v", action="store_true", help="also print every script's own output")
    ap.add_argument("--small", action="store_true", help="skip the 50,000-application figures")
    args = ap.parse_args()
    DATA.mkdir(parents=True, exist_ok=True)
    if not (DATA / ".gitignore").exists():
        (DATA / ".gitignore").write_text("*\n", encoding="utf-8")
    log_path = DATA / f"run-{time.strftime('%Y%m%d-%H%M%S')}.log"
    missed = 0
    with log_path.open("w", encoding="utf-8") as log:
        for script, extra, figures in SUITE:
            label = " ".join([script, *extra])
            if args.only and not any(o in label for o in args.only):
                continue
            if args.small and BIG in extra:
                continue
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, str(ROOT / "bench" / script), *extra], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            out = proc.stdout
            log.write(f"===== {label} (exit {proc.returncode}, {time.perf_counter() - t0:.0f} s)\n{out}\n")
            log.flush()
            if args.verbose:
                print(f"----- {label} (exit {proc.returncode})\n{out.rstrip()}", flush=True)
            for fig in figures:
                mt = re.search(fig.pattern, out, re.MULTILINE)
                if mt is None:
                    missed += 1
                    print(f"{fig.name}: not measured ({script} exited {proc.returncode}; see {log_path.name})",
                          flush=True)
                    continue
                good = fig.ok(mt)
                missed += not good
                print(f"{mt.group(0).strip()} — {'ok' if good else 'MISSED'}", flush=True)
    print(f"{'all targets met' if not missed else f'{missed} target(s) missed'}; "
          f"full output in {log_path.relative_to(ROOT)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
