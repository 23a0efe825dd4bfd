"""Member list (成员名单) as an Excel sheet: write one, read one back, and apply it to a stored application.

No Qt. openpyxl is imported only when a sheet is written or read. Reading uses
`openpyxl.load_workbook(read_only=True)`, which parses the XML with defusedxml when it is installed.
Text that starts with `= + - @` is written as text, never as a formula.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

# openpyxl turns any string starting with "=" into a formula; set_value forces text (also for
# + - @ tab CR and error literals) and keeps it text when someone edits the cell (quote prefix)
from alliance_desk.exchange.xlsx_safe import cell_text as _text, set_value as _set
from alliance_desk.rules import KIND_LABELS
from db.session import unit_of_work

COLUMNS = ("序号", "单位名称", "统一社会信用代码", "单位类型", "角色", "本地注册", "法定代表人", "所处产业链环节",
           "研究方向", "职工人数", "研发人员", "研发投入（万元）", "诚信良好")
# column -> member key (序号 is only a row number)
FIELDS = {"单位名称": "name", "统一社会信用代码": "uscc", "单位类型": "kind", "角色": "role", "本地注册": "in_region",
          "法定代表人": "legal_rep", "所处产业链环节": "chain_segment", "研究方向": "research_direction",
          "职工人数": "employees", "研发人员": "rd_staff", "研发投入（万元）": "rd_spend_wan", "诚信良好": "integrity_ok"}
ROLE_LABELS = {"lead": "牵头单位", "core": "核心成员", "member": "一般成员"}
SHEET_TITLE = "成员名单"
MAX_ROWS = 10_000
MAX_FILE_BYTES = 20 * 1024 * 1024

_FORMULA_START = ("=", "+", "-", "@")
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "对", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无"}
# other spellings a clerk may type, besides the labels above and the schema's English codes
_KIND_ALIASES = {"大学": "university", "高等院校": "university", "高等学校": "university", "院校": "university",
                 "研究院": "research_institute", "研究所": "research_institute", "科研机构": "research_institute",
                 "协会": "industry_association", "金融": "financial", "检测": "testing", "用户": "user",
                 "公司": "enterprise"}
_ROLE_ALIASES = {"牵头": "lead", "牵头单位": "lead", "理事长单位": "lead", "核心": "core", "核心成员单位": "core",
                 "核心单位": "core", "成员": "member", "一般": "member", "成员单位": "member", "一般成员单位": "member"}


class MemberExcelError(ValueError):
    """The sheet cannot be used; `problems` holds one Chinese line per problem (row and column named)."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


@dataclass
class MemberSheet:
    members: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ write

def _yes_no(value: Any) -> str | None:
    return None if value is None else ("是" if value else "否")


def member_row(n: int, md: dict) -> list[Any]:
    """One member as the sheet's row values (Chinese labels for codes)."""
    return [n, md.get("name"), md.get("uscc"), KIND_LABELS.get(md.get("kind"), md.get("kind")),
            ROLE_LABELS.get(md.get("role"), md.get("role")), _yes_no(md.get("in_region")), md.get("legal_rep"),
            md.get("chain_segment"), md.get("research_direction"), md.get("employees"), md.get("rd_staff"),
            md.get("rd_spend_wan"), _yes_no(md.get("integrity_ok"))]


def write_members(members: Iterable[dict], path: str | Path, title: str = "") -> int:
    """Write the member sheet; returns the number of members written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_TITLE
    first = 1
    if title:
        _set(ws.cell(row=1, column=1), title)
        ws.cell(row=1, column=1).font = Font(bold=True, size=14)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
        first = 2
    head_font, head_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for c, name in enumerate(COLUMNS, start=1):
        cell = ws.cell(row=first, column=c, value=name)
        cell.font, cell.fill = head_font, head_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    n = 0
    for n, md in enumerate(members, start=1):
        for c, value in enumerate(member_row(n, md), start=1):
            _set(ws.cell(row=first + n, column=c), value)
    widths = (6, 36, 22, 12, 10, 10, 12, 20, 24, 10, 10, 14, 10)
    for c, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    ws.freeze_panes = ws.cell(row=first + 1, column=3)
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    wb.save(tmp)
    tmp.replace(path)
    return n


# ------------------------------------------------------------------ read

def _bool(raw: str) -> bool | None | str:
    low = raw.lower()
    if low in _TRUE:
        return True
    if low in _FALSE:
        return False
    return "?"


def _code(raw: str, labels: dict[str, str], aliases: dict[str, str]) -> str | None:
    if raw in labels:
        return raw
    by_label = {v: k for k, v in labels.items()}
    return by_label.get(raw) or aliases.get(raw)


def _int(raw: Any) -> int | str:
    if isinstance(raw, bool):
        return "?"
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = _text(raw).replace(",", "").replace("，", "")
    return int(text) if text.isdigit() else "?"


def _number(raw: Any) -> float | str:
    if isinstance(raw, bool):
        return "?"
    if isinstance(raw, (int, float)):
        return float(raw)
    text = _text(raw).replace(",", "").replace("，", "")
    try:
        return float(text)
    except ValueError:
        return "?"


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    for i, row in enumerate(rows[:10]):
        cols = {_text(v): c for c, v in enumerate(row) if _text(v)}
        if "单位名称" in cols and "统一社会信用代码" in cols:
            return i, cols
    return None


def parse_rows(rows: list[tuple], source: str = "") -> MemberSheet:
    """Members from sheet rows (the header row is found among the first 10 rows by its column names)."""
    where = f"{source}：" if source else ""
    found = _find_header(rows)
    if found is None:
        return MemberSheet(problems=[f"{where}找不到表头（需要「单位名称」和「统一社会信用代码」等列）"])
    head, cols = found
    out = MemberSheet()
    missing = [c for c in ("单位类型", "本地注册") if c not in cols]
    if missing:
        out.problems.append(f"{where}缺少列：{'、'.join(missing)}")
        return out
    for i, row in enumerate(rows[head + 1:], start=head + 2):
        def get(col: str) -> Any:
            c = cols.get(col)
            return row[c] if c is not None and c < len(row) else None

        if all(_text(get(col)) == "" for col in FIELDS):
            continue  # empty line
        if len(out.members) >= MAX_ROWS:
            out.problems.append(f"{where}成员超过 {MAX_ROWS} 家，已停止读取")
            break

        def bad(col: str, msg: str) -> None:
            out.problems.append(f"{where}第 {i} 行「{col}」：{msg}")

        md: dict[str, Any] = {}
        name = _text(get("单位名称"))
        if len(name) < 2:
            bad("单位名称", "未填写或少于 2 个字")
        md["name"] = name
        md["uscc"] = _text(get("统一社会信用代码")).upper().replace(" ", "")
        raw = _text(get("单位类型"))
        kind = _code(raw, KIND_LABELS, _KIND_ALIASES)
        if kind is None:
            bad("单位类型", f"「{raw}」不是可选的类型（{'、'.join(KIND_LABELS.values())}）" if raw else "未填写")
        md["kind"] = kind
        raw = _text(get("角色"))
        role = _code(raw, ROLE_LABELS, _ROLE_ALIASES) if raw else "member"
        if role is None:
            bad("角色", f"「{raw}」不是可选的角色（{'、'.join(ROLE_LABELS.values())}）")
        md["role"] = role
        raw = _text(get("本地注册"))
        flag = _bool(raw) if raw else None
        if flag is None or flag == "?":
            bad("本地注册", f"应填「是」或「否」，实际「{raw}」" if raw else "未填写（填「是」或「否」）")
        md["in_region"] = flag
        for col, key in (("法定代表人", "legal_rep"), ("所处产业链环节", "chain_segment"),
                         ("研究方向", "research_direction")):
            text = _text(get(col))
            if text:
                md[key] = text
        for col, key in (("职工人数", "employees"), ("研发人员", "rd_staff")):
            value = get(col)
            if _text(value):
                n = _int(value)
                if n == "?":
                    bad(col, f"应为不小于 0 的整数，实际「{_text(value)}」")
                md[key] = n
        value = get("研发投入（万元）")
        if _text(value):
            x = _number(value)
            if x == "?" or (isinstance(x, float) and x < 0):
                bad("研发投入（万元）", f"应为不小于 0 的数字，实际「{_text(value)}」")
            md["rd_spend_wan"] = x
        raw = _text(get("诚信良好"))
        if raw:
            flag = _bool(raw)
            if flag == "?":
                bad("诚信良好", f"应填「是」或「否」，实际「{raw}」")
            md["integrity_ok"] = flag
        out.members.append(md)
    leads = [m for m in out.members if m.get("role") == "lead"]
    if len(leads) > 1:
        out.problems.append(f"{where}有 {len(leads)} 家牵头单位，应只有 1 家")
    return out


def read_members(path: str | Path) -> MemberSheet:
    """Read the first sheet of an .xlsx member list. Raises MemberExcelError when the file is not a
    readable workbook; row problems are returned in `problems`."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise MemberExcelError([f"{path.name}：无法读取文件（{exc.strerror or exc}）"]) from None
    if size > MAX_FILE_BYTES:
        raise MemberExcelError([f"{path.name}：文件过大（{size // 1024 // 1024} MB），成员名单不应超过 "
                                f"{MAX_FILE_BYTES // 1024 // 1024} MB"])
    from openpyxl import load_workbook

    from alliance_desk.exchange import safety

    why = safety.xlsx_problem(path)
    if why:
        raise MemberExcelError([f"{path.name}：{why}"])
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - zip/xml/format errors all mean "not a usable .xlsx"
        raise MemberExcelError([f"{path.name}：不是可读取的 Excel（.xlsx）文件（{type(exc).__name__}）"]) from None
    try:
        ws = wb[SHEET_TITLE] if SHEET_TITLE in wb.sheetnames else wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + 20:
                break
    except Exception as exc:  # noqa: BLE001 - the sheet's XML is read lazily, here
        raise MemberExcelError([f"{path.name}：工作表内容已损坏，无法读取（{type(exc).__name__}）"]) from None
    finally:
        wb.close()
    sheet = parse_rows(rows, path.name)
    why = safety.tree_problem(sheet.members)
    if why:
        sheet.problems.append(f"{path.name}：成员名单 {why}")
    return sheet


# ------------------------------------------------------------------ apply to a stored application

def _key(md: dict) -> tuple[str, str]:
    return (md.get("uscc") or "").upper(), md.get("name") or ""


def merge_members(existing: list[dict], imported: list[dict], mode: str = "replace") -> list[dict]:
    """The new member list. Columns of the sheet overwrite; details the sheet has no column for
    (platforms, contact, address …) are kept from the existing member with the same USCC, else the
    same name. `replace`: the sheet is the whole list; `append`: existing members stay, the sheet's
    are updated in place or added at the end."""
    if mode not in ("replace", "append"):
        raise ValueError(f"unknown mode {mode!r}")
    by_uscc = {(m.get("uscc") or "").upper(): i for i, m in enumerate(existing) if m.get("uscc")}
    by_name = {m.get("name"): i for i, m in enumerate(existing) if m.get("name")}
    result = [dict(m) for m in existing] if mode == "append" else []
    for md in imported:
        u, n = _key(md)
        i = by_uscc.get(u) if u else None
        if i is None:
            i = by_name.get(n)
        base = dict(existing[i]) if i is not None else {}
        # keys of the sheet's columns are taken from the sheet (a blank cell clears the optional value)
        for key in FIELDS.values():
            base.pop(key, None)
        base.update(md)
        if mode == "append" and i is not None:
            result[i] = base
        else:
            result.append(base)
    return result


def export_members(db, app_id: str, path: str | Path) -> int:
    """Write a stored application's members to `path`; returns how many."""
    from alliance_desk.store import get_document

    with unit_of_work(db) as s:
        doc = get_document(s, app_id)
    return write_members(doc["members"], path, title=f"{doc['name']} 成员单位名单")


def import_members(db, app_id: str, path: str | Path, mode: str = "replace") -> int:
    """Read `path` and store its members into the application (one transaction; nothing is written
    when the sheet has a problem). Returns the number of members the application now has."""
    from alliance_desk.store import load_draft, save_draft

    sheet = read_members(path)
    if sheet.problems:
        raise MemberExcelError(sheet.problems)
    if not sheet.members:
        raise MemberExcelError([f"{Path(path).name}：没有读到任何成员单位"])
    with unit_of_work(db) as s:
        draft = load_draft(s, app_id)
    doc = dict(draft.doc)
    doc["members"] = merge_members(doc["members"], sheet.members, mode)
    invalid = draft.invalid
    if mode == "replace":
        # raw text kept for the old members' cells no longer belongs to the same rows
        invalid = {k: v for k, v in invalid.items() if not k.startswith("members")}
    save_draft(db, doc, invalid, expected_version=draft.version)
    return len(doc["members"])
