"""`export … --include-personal` is the office's explicit choice; without it numbers are masked."""
from __future__ import annotations

import openpyxl

from alliance_desk import store
from cli import main
from factory import eligible


def _values(path):
    wb = openpyxl.load_workbook(path)
    return " ".join(str(c.value) for ws in wb for row in ws.iter_rows() for c in row if c.value is not None)


def test_recommendation_table_masks_unless_the_office_asks(tmp_path, capsys):
    dbp = tmp_path / "p.sqlite"
    from db.session import open_database

    db = open_database(dbp)
    doc = eligible("chongqing")
    doc["contact"] = {"name": "张三", "mobile": "13812345678"}
    doc["recommendation"] = {"recommended": True, "opinion": "同意推荐", "by": "两江新区经信局"}
    store.import_documents(db, [("", doc)])
    db.dispose()
    masked, plain = tmp_path / "m.xlsx", tmp_path / "p.xlsx"
    base = ["export", "recommendation-table", "--db", str(dbp), "--region", "chongqing", "--call", "chongqing-2022"]
    assert main(base + ["-o", str(masked)]) == 0
    assert main(base + ["-o", str(plain), "--include-personal"]) == 0
    capsys.readouterr()
    assert "138****5678" in _values(masked) and "13812345678" not in _values(masked)
    assert "13812345678" in _values(plain)
