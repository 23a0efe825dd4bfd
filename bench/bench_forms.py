"""Reading filled application forms (Word files clerks fill in) against python-docx opening the same files and walking
their tables (medians of several alternating runs):

- ours: alliance_desk.forms.reader.read_form on 200 filled forms (the demo applications of all five
  regions, written by `form filled`) — the safety checks, the XML, the labels, the member tables,
  every value parsed;
- baseline: `docx.Document(path)` and `cell.text` of every cell of every row of every table.

Target ≤ 2.0×. Prints `name: value (ratio R to baseline B, target T)`. Run: python bench/bench_forms.py
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from _common import paired  # noqa: E402
from alliance_desk import demo  # noqa: E402
from alliance_desk.forms.reader import read_form  # noqa: E402
from alliance_desk.forms.writer import write_form  # noqa: E402

N_FORMS = 200
RUNS = 3


def main() -> int:
    docs = demo.demo_applications()
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i in range(N_FORMS):
            d = docs[i % len(docs)]
            paths.append(write_form(d["region"], Path(tmp) / f"{i}.docx", d))

        def ours():
            for p in paths:
                r = read_form(p)
                assert not r.problems

        def bare():
            from docx import Document

            for p in paths:
                for table in Document(str(p)).tables:
                    for row in table.rows:
                        for cell in row.cells:
                            cell.text  # noqa: B018 - the walk is what is timed

        o, b, _, _ = paired(ours, bare, RUNS)
    print(f"read {N_FORMS} filled forms: {o:.2f} s (ratio {o / b:.2f} to baseline {b:.2f} s python-docx "
          f"open + walk tables, target 2.0)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
