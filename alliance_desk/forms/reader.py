"""Read a filled form back by its labels, not by cell positions.

Pairs: in every table row outside a row table, a cell whose text is a known label (any variant,
compared loosely, normalise.label_key) takes the next cell as its value; a label alone in its row
takes the row below (long text); "标签：值" inside one cell reads too. Row tables: a row whose cells
name two or more columns of a table (成员单位名称, 统一社会信用代码 …) is a header; the rows below it,
until the next header or label row, are items, read by the header's columns — so rows moved, merged
or added by the applicant still read, and blank rows are skipped. Members listed in several tables
are joined by name; the lead unit's own block (二、牵头单位信息) joins its row by name too.

The result is a list of Items (one value each, with the label it came from and a doubt when the
text did not read cleanly); service.build_document turns them into an application.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from alliance_desk.rules.packs import all_packs
from alliance_desk.forms import normalise as nz
from alliance_desk.forms.docx_read import Extracted, extract
from alliance_desk.forms.fields import ROW_TABLES, Field
from alliance_desk.forms.layouts import Layout, layout_for
from alliance_desk.forms.writer import MARK

_SECTION = re.compile(r"^[一二三四五六七八九十]+[、.．]")


@dataclass
class Item:
    key: str                 # "name", "members[0].uscc", "organization.council[1].role" …
    field: Field
    raw: str = ""
    label: str = ""          # the label as printed in the form ("" when the form lacks it)
    where: str = ""
    value: Any = None
    doubt: str | None = None

    def reparse(self, raw: str, unit: str = "") -> None:
        self.raw = raw
        self.value, self.doubt = nz.parse(raw, self.field, unit)


@dataclass
class FormRead:
    source: str
    region: str | None = None
    call: str | None = None
    items: dict[str, Item] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def add(self, item: Item) -> Item:
        self.items[item.key] = item
        return item


def _region_of(ex: Extracted) -> tuple[str | None, str | None]:
    props = ex.props
    if props.get("category") == MARK:
        kv = dict(p.split("=", 1) for p in props.get("keywords", "").split(";") if "=" in p)
        if kv.get("region") in all_packs():
            return kv["region"], kv.get("call") or None
    text = nz.label_key("".join(ex.paragraphs[:12]) + props.get("title", ""))
    for region in all_packs():
        if nz.label_key(layout_for(region).title) in text:
            return region, None
    # a form retyped without its title: the region's name in the first lines
    for region, pack in all_packs().items():
        if pack.region_name and nz.label_key(pack.region_name) in text:
            return region, None
    return None, None


def _call_of(region: str, ex: Extracted, call: str | None) -> str | None:
    pack = all_packs()[region]
    ids = [c.id for c in pack.calls]
    if call in ids:
        return call
    text = nz.label_key("".join(ex.paragraphs[:12]) + ex.props.get("subject", ""))
    for c in pack.calls:
        if nz.label_key(c.name) and nz.label_key(c.name) in text:
            return c.id
    return None


def _index(fields) -> dict[str, Field]:
    """label key -> field; a variant two fields share belongs to neither (printed labels win)."""
    out: dict[str, Field] = {}
    taken: set[str] = set()
    for f in fields:
        k = nz.label_key(f.label)
        out[k] = f
        taken.add(k)
    clash: set[str] = set()
    for f in fields:
        for v in f.labels[1:]:
            k = nz.label_key(v)
            if k in taken:
                continue
            if k in out and out[k].path != f.path:
                clash.add(k)
            out.setdefault(k, f)
    for k in clash:
        out.pop(k, None)
    return out


class _Reader:
    def __init__(self, lay: Layout, result: FormRead):
        self.lay = lay
        self.r = result
        self.pairs = _index(lay.pair_fields())
        cols: dict[str, dict[str, Field]] = {}
        for t in lay.row_tables():
            cols.setdefault(t.key, {}).update({c.path: c for c in t.columns})
        self.cols = {key: _index(list(fs.values())) for key, fs in cols.items()}
        self.found: dict[str, Item] = {}             # pairs by path
        self.rows: dict[str, list[tuple[int, dict[str, Item]]]] = {k: [] for k in ROW_TABLES}  # (table no, row)
        self.row_tables_seen: dict[str, int] = {k: 0 for k in ROW_TABLES}

    # -------------------------------------------------------------- pairs
    def pair(self, f: Field, label: str, raw: str, where: str) -> None:
        unit = nz.unit_of(label)
        value, doubt = nz.parse(raw, f, unit)
        old = self.found.get(f.path)
        if old is not None:
            if old.value in (None, "", []) and value not in (None, "", []):
                pass  # the later, filled copy wins over an empty one
            else:
                if value not in (None, "", []) and value != old.value:
                    old.doubt = f"表中两处填写不一致：「{nz.clean(old.raw)}」与「{nz.clean(raw)}」"
                return
        self.found[f.path] = Item(f.path, f, raw, nz.clean(label), where, value, doubt)

    def label_of(self, text: str) -> Field | None:
        return self.pairs.get(nz.label_key(text)) if text and len(text) <= 40 else None

    def pairs_row(self, cells: list[str], nxt: list[str] | None, where: str) -> bool:
        """Read the labels of one row; True when the row below was used as a value."""
        i, used_next = 0, False
        filled = [c for c in cells if nz.clean(c)]
        while i < len(cells):
            text = cells[i]
            f = self.label_of(text)
            if f is None and ("：" in text or ":" in text):
                head, tail = re.split(r"[:：]", text, maxsplit=1)
                g = self.label_of(head)
                if g is not None and nz.clean(tail):
                    self.pair(g, head, tail, where)
                i += 1
                continue
            if f is None:
                i += 1
                continue
            j = i + 1
            while j < len(cells) and cells[j] == cells[i]:  # a merged label repeated by the writer of the file
                j += 1
            # the next cell is the value; a value that reads like a label still is one when no
            # value cell follows it (label | 「联系人」 | label | value)
            if j < len(cells) and (self.label_of(cells[j]) is None
                                   or j + 1 == len(cells) or self.label_of(cells[j + 1]) is not None):
                self.pair(f, text, cells[j], where)
                i = j + 1
                continue
            if len(filled) == 1 and nxt is not None and f.kind in ("text", "lines"):
                self.pair(f, text, "\n".join(c for c in nxt if nz.clean(c)), where)
                used_next = True
            else:
                self.pair(f, text, "", where)
            i = j
        return used_next

    # -------------------------------------------------------------- row tables
    def header(self, cells: list[str], caption: str) -> tuple[str, dict[int, Field]] | None:
        """The row table this row is the header of, with its columns; None for any other row. A row
        of label | value pairs (二、牵头单位信息) names columns too, but more of its cells are labels
        of the form's pairs or values."""
        best = None
        pair_labels = sum(1 for c in cells if self.label_of(c) is not None)
        for key, index in self.cols.items():
            colmap = {}
            for i, c in enumerate(cells):
                f = index.get(nz.label_key(c))
                if f is not None and f not in colmap.values():
                    colmap[i] = f
            names = {f.path for f in colmap.values()}
            if len(colmap) >= 2 and names & {"name", "member"} and len(colmap) > pair_labels:
                score = len(colmap)
                if best is None or score > best[0]:
                    best = (score, key, colmap)
                elif score == best[0] and key.endswith("expert_committee") and "专家" in caption:
                    best = (score, key, colmap)
        return (best[1], best[2]) if best else None

    def data_row(self, key: str, colmap: dict[int, Field], cells: list[str], width: int, where: str,
                 headers: list[str]) -> None:
        if all(nz.is_blank(cells[i]) or re.fullmatch(r"[…\.]+", nz.clean(cells[i]))
               for i in colmap if i < len(cells)):
            return  # blank rows (with at most a 序号) are room to write more
        row: dict[str, Item] = {}
        for i, f in colmap.items():
            raw = cells[i] if i < len(cells) else ""
            unit = nz.unit_of(headers[i])
            value, doubt = nz.parse(raw, f, unit)
            if len(cells) != width and nz.clean(raw):
                doubt = doubt or "本行单元格与表头不对齐（有合并或拆分），请核对"
            row[f.path] = Item("", f, raw, nz.clean(headers[i]), where, value, doubt)
        self.rows[key].append((self.row_tables_seen[key], row))

    # -------------------------------------------------------------- the document
    def read(self, ex: Extracted) -> None:
        for t_no, table in enumerate(ex.tables, 1):
            state = None
            skip = False
            rows = table.rows
            for r_no, cells in enumerate(rows, 1):
                if skip:
                    skip = False
                    continue
                where = f"第{t_no}个表格第{r_no}行"
                h = self.header(cells, table.before)
                if h is not None:
                    state = (h[0], h[1], len(cells), cells)
                    self.row_tables_seen[h[0]] += 1
                    continue
                first = next((c for c in cells if nz.clean(c)), "")
                if state is not None and not (self.label_of(first) or _SECTION.match(nz.clean(first))):
                    self.data_row(state[0], state[1], cells, state[2], where, state[3])
                    continue
                state = None
                nxt = rows[r_no] if r_no < len(rows) else None
                skip = self.pairs_row(cells, nxt, where)
        for text in ex.paragraphs:  # "标签：值" lines outside the tables fill what the tables left empty
            m = re.match(r"^\s*([^:：]{2,20})[:：](.+)$", text)
            f = self.label_of(m.group(1)) if m else None
            if f is not None and f.path not in self.found and nz.clean(m.group(2).replace("_", "")):
                self.pair(f, m.group(1), m.group(2), "正文")


def _name_key(item: Item | None) -> str:
    return nz.clean(item.value) if item is not None and isinstance(item.value, str) else ""


def _assemble(rd: _Reader, res: FormRead) -> None:
    for path, item in rd.found.items():
        if not path.startswith("lead."):
            item.key = path
            res.add(item)
    # members: every members table row joins the member of that name (nth row of a name: nth member)
    members: list[dict[str, Item]] = []
    by_name: dict[str, list[int]] = {}
    seen_in_table: dict[tuple[int, str], int] = {}
    first_table = rd.rows["members"][0][0] if rd.rows["members"] else 0
    for table_no, row in rd.rows["members"]:
        name = _name_key(row.get("name"))
        nth = seen_in_table.get((table_no, name), 0)
        seen_in_table[(table_no, name)] = nth + 1
        idx = by_name.get(name, [])
        if name and nth < len(idx):
            target = members[idx[nth]]
            for p, it in row.items():
                if p == "name":
                    continue
                if p in target and target[p].value not in (None, "", []) and it.value != target[p].value:
                    target[p].doubt = f"同一成员在两张表中填写不一致：「{nz.clean(target[p].raw)}」与「{nz.clean(it.raw)}」"
                elif p not in target or target[p].value in (None, "", []):
                    target[p] = it
        else:
            by_name.setdefault(name, []).append(len(members))
            if table_no > first_table and name and "name" in row:
                row["name"].doubt = "此成员只出现在后面的表中，未列入成员单位名单，请核对"
            members.append(dict(row))
    lead = {p[5:]: it for p, it in rd.found.items() if p.startswith("lead.")}
    lead_name = _name_key(lead.get("name"))
    if any(it.value not in (None, "", []) for it in lead.values()):  # a lead block left blank adds no one
        idx = by_name.get(lead_name, [])
        if lead_name and idx:
            target = members.pop(idx[0])
        else:
            target = {}
        for p, it in lead.items():
            if p not in target or target[p].value in (None, "", []):
                target[p] = it
            elif it.value not in (None, "", []) and it.value != target[p].value:
                target[p].doubt = (f"牵头单位信息与成员表不一致：「{nz.clean(it.raw)}」与「{nz.clean(target[p].raw)}」")
        role = target.get("role")
        if role is None or role.value != "lead":
            doubt = None
            if role is not None and role.value is not None:
                doubt = f"成员表中的角色是「{nz.clean(role.raw)}」，按牵头单位信息记为牵头单位"
            where = next(iter(lead.values())).where
            target["role"] = Item("", ROW_TABLES["members"]["role"], "牵头单位", "牵头单位信息", where, "lead", doubt)
        members.insert(0, target)
    leads = [i for i, m in enumerate(members) if m.get("role") is not None and m["role"].value == "lead"]
    if len(leads) > 1:
        for i in leads[1:]:
            members[i]["role"].doubt = "有两家以上牵头单位，只能有一家"
    elif leads and leads[0] != 0:
        members.insert(0, members.pop(leads[0]))
    for i, m in enumerate(members):
        for p, it in m.items():
            it.key = f"members[{i}].{p}"
            res.add(it)
    res.counts["members"] = len(members)
    for key in ("platforms", "organization.council", "organization.expert_committee"):
        for i, (_, row) in enumerate(rd.rows[key]):
            for p, it in row.items():
                it.key = f"{key}[{i}].{p}"
                res.add(it)
        res.counts[key] = len(rd.rows[key])


def read_form(path: str | Path, extracted: Extracted | None = None) -> FormRead:
    """Read one form file. A file that is refused or not a form gives a FormRead with problems."""
    from alliance_desk.forms.docx_read import FormFileError

    res = FormRead(str(path))
    try:
        ex = extracted if extracted is not None else extract(path)
    except FormFileError as exc:
        res.problems.append(str(exc))
        return res
    region, call = _region_of(ex)
    if region is None:
        res.problems.append(f"{Path(path).name}：看不出是哪个地区的申报表（没有找到表名，如「重庆市产业技术创新联盟申报表」）")
        return res
    res.region = region
    res.call = _call_of(region, ex, call)
    rd = _Reader(layout_for(region), res)
    rd.read(ex)
    _assemble(rd, res)
    if not res.items:
        res.problems.append(f"{Path(path).name}：没有读到任何栏目，这不像是申报表")
    return res

