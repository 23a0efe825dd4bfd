"""The shared cells of the review's Excel files: sheet names and format, the size limit, the sheet
protection word, the issued layout (headers and their digest), and the small cell helpers (a value
written as text when it could be a formula, a column letter, a cell read back as text, a file name
made safe). Both the score sheets and the summary / draw record build on it.
"""
from __future__ import annotations

import hashlib
import json

from alliance_desk.exchange.xlsx_safe import cell_text as _text, set_value as _set
from alliance_desk.review import scoring

SHEET = "评分"
META = "_meta"
GUIDE = "填表说明"
SHEET_FORMAT = "alliance-desk/score-sheet@1"
COL_ID, COL_NAME, COL_TOTAL, COL_COMMENT = "申请编号", "联盟名称", "总分", "评审意见"
MAX_FILE_BYTES = 20 * 1024 * 1024
_PROTECT = "alliance-desk"   # sheet protection guards against slips, not attackers: the digest does that


def _safe_name(text: str) -> str:
    bad = '<>:"/\\|?*'
    return "".join("_" if c in bad or ord(c) < 32 else c for c in text).strip() or "专家"


# ------------------------------------------------------------------ layout

def headers_for(tpl: scoring.Template) -> list[str]:
    return [COL_ID, COL_NAME] + [it.header for it in tpl.leaves] + [COL_TOTAL, COL_COMMENT]


def layout_digest(round_id: str, expert_id: str, template_id: str, headers: list[str],
                  rows: list[tuple[str, str]]) -> str:
    body = {"format": SHEET_FORMAT, "round": round_id, "expert": expert_id, "template": template_id,
            "headers": headers, "rows": [list(x) for x in rows]}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)
