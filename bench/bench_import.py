"""Importing 5,000 application files, against a bare SQLAlchemy Core bulk insert of the same rows.

The files are written once from `alliance_desk.demo.bulk_applications(5000)` (150,000 member units)
as exchange-format JSON and cached under bench/.data/import-5000-<key>/ (the key follows the demo,
exchange and schema sources). Each run starts from a fresh migrated SQLite database (not timed) and
times either

- ours: `store.import_files(db, paths)` — read, parse and validate every file, USCC verdicts, the
  region's checklist counts, and writing every row in one transaction; or
- bare: one `Connection.execute(insert(table), rows)` executemany per table, in one transaction,
  of exactly the rows `ours` writes (prepared beforehand, member ids included).

Runs alternate (bare, ours, …); medians are printed as

    import 5000 files: X s (ratio R to bare Core executemany Y s, target ≤ 3.0×)

followed by an untimed breakdown of where ours spends its time. Exit 1 if the target is missed.
Run: python bench/bench_import.py [--runs 3] [--n 5000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT / "bench" / ".data"
N = 5000
TARGET = 3.0


def _key() -> str:
    h = hashlib.sha1()
    files = [ROOT / "alliance_desk" / "demo.py", ROOT / "resources" / "schema" / "application.schema.json"]
    files += sorted((ROOT / "alliance_desk" / "exchange").glob("*.py"))
    for f in files:
        h.update(f.name.encode())
        h.update(f.read_bytes())
    return h.hexdigest()[:12]


def ensure_files(n: int = N) -> list[Path]:
    """The cached application files (written on first use, or again when their sources changed)."""
    from alliance_desk import demo, exchange

    DATA.mkdir(parents=True, exist_ok=True)
    ignore = DATA / ".gitignore"
    if not ignore.exists():
        ignore.write_text("*\n", encoding="utf-8")
    folder = DATA / f"import-{n}-{_key()}"
    done = folder / ".complete"
    if not done.exists():
        for old in DATA.glob(f"import-{n}-*"):
            shutil.rmtree(old, ignore_errors=True)
        folder.mkdir(parents=True)
        print(f"(writing {n} application files to {folder.relative_to(ROOT)}, once)", flush=True)
        for i, doc in enumerate(demo.bulk_applications(n)):
            exchange.write_file(doc, folder / f"{i:05d}.json")
        done.write_text("", encoding="utf-8")
    return sorted(folder.glob("*.json"))


def prepared_rows(docs: list[dict]) -> list[tuple]:
    """(table, rows) in insertion order: exactly what the store writes for `docs` into an empty database."""
    from alliance_desk import store
    from alliance_desk.rules import uscc
    from alliance_desk.rules.engine import evaluate
    from db import models as m

    now = store._now()
    apps, children = [], store._Rows()
    for doc in docs:
        verdicts = [uscc.problem(md.get("uscc")) for md in doc["members"]]
        res = evaluate(doc, uscc_problems=verdicts)
        apps.append({"id": doc["id"], "created_at": now, "version": 1, **store._app_values(doc), "updated_at": now,
                     "n_fail": res.counts["fail"], "n_warn": res.counts["warn"], "n_manual": res.counts["manual"],
                     "eligible": res.eligible})
        children.add(doc["id"], doc, verdicts)
    for i, row in enumerate(children.members, 1):
        row["id"] = i
    platforms = [{"member_id": children.members[i]["id"], **row} for i, row in children.platforms]
    T = lambda model: model.__table__  # noqa: E731
    return [(T(m.Application), apps), (T(m.Agreement), children.agreements), (T(m.Systems), children.systems),
            (T(m.Member), children.members), (T(m.Platform), platforms), (T(m.OfficeHolder), children.holders),
            (T(m.MaterialReceipt), children.materials)]


def bare_insert(db, rows: list[tuple]) -> None:
    from sqlalchemy import insert

    with db.engine.begin() as conn:
        for table, batch in rows:
            if batch:
                conn.execute(insert(table), batch)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--n", type=int, default=N)
    args = ap.parse_args()

    from alliance_desk import store
    from db.session import open_database

    paths = ensure_files(args.n)
    docs = [json.loads(p.read_bytes()) for p in paths]  # our own valid files: no need to validate here
    rows = prepared_rows(docs)
    n_rows = sum(len(r) for _, r in rows)

    with tempfile.TemporaryDirectory(dir=DATA) as tmp:
        def fresh(label):
            db = open_database(Path(tmp) / f"{label}-{time.monotonic_ns()}.sqlite")
            with db.engine.connect():
                pass
            return db

        ours_t, bare_t = [], []
        for run in range(args.runs):
            db = fresh("bare")
            t = time.perf_counter()
            bare_insert(db, rows)
            bare_t.append(time.perf_counter() - t)
            db.dispose()
            db = fresh("ours")
            t = time.perf_counter()
            report = store.import_files(db, paths)
            ours_t.append(time.perf_counter() - t)
            assert len(report.created) == len(paths), report.summary()
            db.dispose()

        # untimed breakdown: the store's own work on already-parsed documents
        db = fresh("split")
        t = time.perf_counter()
        store.import_documents(db, [("", d) for d in docs])
        store_s = time.perf_counter() - t
        db.dispose()

    ours, bare = statistics.median(ours_t), statistics.median(bare_t)
    ratio = ours / bare
    print(f"import {len(paths)} files: {ours:.2f} s (ratio {ratio:.2f} to bare Core executemany {bare:.2f} s, "
          f"target ≤ {TARGET}×)")
    print(f"  {n_rows} rows; of ours: store.import_documents of the parsed documents {store_s:.2f} s "
          f"(ratio {store_s / bare:.2f}), so reading + parsing + schema validation ≈ {ours - store_s:.2f} s; "
          f"runs ours {[round(x, 2) for x in ours_t]}, bare {[round(x, 2) for x in bare_t]}")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
