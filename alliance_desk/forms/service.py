"""From read forms to stored applications: build the application, flag what is doubtful, find the
application it updates, show the region's checklist on it, and import a batch all or nothing.

    cands = read_forms(db, ["a.docx", "b.docx"])      # one Candidate per file, nothing written
    cands[0].edit("members[0].uscc", "91500000MA74T7W47J")   # the clerk corrects in place
    report = save(db, cands)                           # store.import_documents: one transaction, audited

An application with the same name and lead unit USCC as a stored one is offered as an update of it
(`existing_id`, `diff`): the form's fields replace the stored ones, what the form does not carry
(materials, recommendation, member contacts …) is kept.
"""
from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from sqlalchemy import select

from alliance_desk import exchange, store
from alliance_desk.rules import uscc
from alliance_desk.rules.engine import CheckResult, evaluate
from alliance_desk.forms import normalise as nz
from alliance_desk.forms.fields import APPLICATION, ROW_TABLES, Field
from alliance_desk.forms.layouts import Layout, Pairs, layout_for
from alliance_desk.forms.reader import FormRead, Item, read_form
from db.session import unit_of_work

FORMAT = "alliance-desk/application@1"
ProgressFn = Callable[[int, int, str], None]


class FormImportError(ValueError):
    """A batch that cannot be saved; `problems` has one Chinese line per file and field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


# ------------------------------------------------------------------ what a layout carries

def carried(lay: Layout) -> dict[str, dict[str, Field]]:
    """{"": application fields, "members": member fields, "platforms": …, holders …} of the layout."""
    out: dict[str, dict[str, Field]] = {"": {}}
    for b in lay.blocks:
        if isinstance(b, Pairs):
            for f in b.fields:
                if f.path.startswith("lead."):
                    out.setdefault("members", {}).setdefault(f.path[5:], ROW_TABLES["members"][f.path[5:]])
                else:
                    out[""][f.path] = f
    for t in lay.row_tables():
        for c in t.columns:
            out.setdefault(t.key, {}).setdefault(c.path, ROW_TABLES[t.key][c.path])
    if "members" in out:
        out["members"]["role"] = ROW_TABLES["members"]["role"]
    return out


def _get(node: Any, path: str) -> Any:
    for part in path.split("."):
        if not isinstance(node, dict):
            return None
        node = node.get(part)
    return node


def _put(doc: dict, path: str, value: Any) -> None:
    parts = path.split(".")
    node = doc
    for part in parts[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[parts[-1]] = value


def _seen(f: Field, value: Any) -> Any:
    """The value as the form gives it back: printed, then read."""
    if f.kind == "lines" and value is not None:
        value = [x for x in value if isinstance(x, str)]
    v, _ = nz.parse(nz.fmt(value, f), f)
    return None if v in (None, []) else v


def _ordered_members(doc: dict) -> list[dict]:
    ms = doc.get("members") or []
    return [m for m in ms if m.get("role") == "lead"] + [m for m in ms if m.get("role") != "lead"]


def form_view(doc: dict, region: str | None = None) -> dict[str, Any]:
    """Every value the region's form carries for `doc`, keyed like the reader's Items ("name",
    "members[0].uscc" …; the lead unit first), as the form can carry it. `read(write(doc))` gives
    exactly this: it is the round trip's promise."""
    lay = layout_for(region or doc["region"])
    spec = carried(lay)
    out: dict[str, Any] = {}
    for path, f in spec[""].items():
        v = _seen(f, _get(doc, path))
        if v is not None:
            out[path] = v
    rows = {"members": _ordered_members(doc),
            "platforms": [dict(p, member=m["name"]) for m in _ordered_members(doc) for p in m.get("platforms") or []],
            "organization.council": (doc.get("organization") or {}).get("council") or [],
            "organization.expert_committee": (doc.get("organization") or {}).get("expert_committee") or []}
    for key, fields in spec.items():
        if not key:
            continue
        for i, row in enumerate(rows[key]):
            for path, f in fields.items():
                v = _seen(f, row.get(path))
                if v is not None:
                    out[f"{key}[{i}].{path}"] = v
    return out


# ------------------------------------------------------------------ building the application

def _split(key: str) -> tuple[str, int, str] | None:
    if "[" not in key:
        return None
    head, rest = key.split("[", 1)
    idx, path = rest.split("].", 1)
    return head, int(idx), path


def build_document(read: FormRead, base: dict | None = None) -> dict:
    """The application the items describe; on `base` (the stored one it updates), keeping what the
    form does not carry."""
    lay = layout_for(read.region)
    spec = carried(lay)
    doc = copy.deepcopy(base) if base is not None else {
        "format": FORMAT, "id": str(uuid.uuid4()), "region": read.region, "members": [],
        "agreement": {"signed_on": None, "expires_on": None},
        "organization": {"council": [], "expert_committee": [], "secretariat": None}, "systems": {}}
    doc["region"] = read.region
    if read.call:
        doc["call"] = read.call
    for path in spec[""]:
        item = read.items.get(path)
        value = item.value if item is not None else None
        parts = path.split(".")
        if path.startswith("organization.secretariat.") and value is not None and not doc["organization"].get(
                "secretariat"):
            doc["organization"]["secretariat"] = {}
        if value not in (None, []):
            _put(doc, path, value)
        else:
            parent = _get(doc, ".".join(parts[:-1])) if len(parts) > 1 else doc
            if isinstance(parent, dict):
                parent.pop(parts[-1], None)
    for key in ("signed_on", "expires_on"):
        doc["agreement"].setdefault(key, None)
    rows: dict[str, list[dict]] = {k: [{} for _ in range(read.counts.get(k, 0))] for k in ROW_TABLES}
    for key, item in read.items.items():
        s = _split(key)
        if s is not None and item.value not in (None, []):
            rows[s[0]][s[1]][s[2]] = item.value
    old_members = {(m.get("uscc") or "", m.get("name")): m for m in (base or {}).get("members", [])}
    members = []
    for row in rows["members"]:
        old = next((m for (code, name), m in old_members.items()
                    if (row.get("uscc") and code == row.get("uscc")) or name == row.get("name")), None)
        m = copy.deepcopy(old) if old is not None else {}
        for path in spec.get("members", {}):
            m.pop(path, None)
        m.update(row)
        if "platforms" in spec:
            m["platforms"] = []
        members.append(m)
    by_name = {m.get("name"): m for m in reversed(members)}
    for p in rows["platforms"]:
        owner = by_name.get(p.pop("member", None))
        if owner is not None:
            owner.setdefault("platforms", []).append(p)
    doc["members"] = members
    for key in ("organization.council", "organization.expert_committee"):
        if key in spec:
            doc["organization"][key.split(".")[1]] = rows[key]
    return doc


# ------------------------------------------------------------------ candidates

@dataclass
class Candidate:
    """One read form in the preview: its items, the application, and what stands in the way."""
    read: FormRead
    doc: dict | None = None
    problems: list[str] = field(default_factory=list)        # block saving
    existing_id: str | None = None
    existing_doc: dict | None = None
    diff: list[tuple[str, str, Any, Any]] = field(default_factory=list)   # key, label, old, new
    check: CheckResult | None = None

    @property
    def source(self) -> str:
        return self.read.source

    @property
    def name(self) -> str:
        return Path(self.read.source).name

    def doubts(self) -> list[Item]:
        return [it for it in self.read.items.values() if it.doubt]

    def edit(self, key: str, raw: str) -> Item:
        """The clerk's correction of one field (raw text, read like the form's)."""
        item = self.read.items[key]
        item.reparse(raw, nz.unit_of(item.label))
        if item.doubt is None and _is_uscc(key) and item.value:
            why = uscc.problem(item.value)
            item.doubt = f"统一社会信用代码{why}" if why else None
        item.label = item.label or "（手工填写）"
        return item


def _is_uscc(key: str) -> bool:
    return key.startswith("members[") and key.endswith("].uscc")


def label_of(cand: Candidate, key: str) -> str:
    """A clerk's name for a field: 「成员「重庆大学」· 统一社会信用代码」."""
    s = _split(key)
    item = cand.read.items.get(key)
    if s is None:
        return item.field.label if item is not None else APPLICATION[key].label if key in APPLICATION else key
    head, i, path = s
    f = ROW_TABLES[head][path]
    if head == "members":
        name = cand.read.items.get(f"members[{i}].name")
        who = nz.clean(name.raw) if name and name.raw else f"第{i + 1}家"
        return f"成员「{who}」· {f.label}"
    noun = {"platforms": "科研平台", "organization.council": "理事会", "organization.expert_committee": "专家委员会"}[head]
    return f"{noun}第{i + 1}行 · {f.label}"


def _ensure_items(read: FormRead) -> None:
    """An item (empty) for every field the form carries, so the preview lists what was not read."""
    spec = carried(layout_for(read.region))
    for path, f in spec[""].items():
        if path not in read.items:
            read.add(Item(path, f, "", "", "", None, "表中没有找到此栏" if f.required else None))
    for key, fields in spec.items():
        for i in range(read.counts.get(key, 0) if key else 0):
            for path, f in fields.items():
                k = f"{key}[{i}].{path}"
                if k not in read.items:
                    read.add(Item(k, f, "", "", "", None, "表中没有找到此栏" if f.required else None))
    for key, item in read.items.items():
        if _is_uscc(key) and item.value and not item.doubt:
            why = uscc.problem(item.value)
            if why:
                item.doubt = f"统一社会信用代码{why}"
        if item.field.required and item.value in (None, "") and not item.doubt:
            item.doubt = "必填，未填写"


def _find_existing(db, doc: dict) -> str | None:
    from db import models as m

    lead = next((x for x in doc["members"] if x.get("role") == "lead"), None)
    if not doc.get("name") or lead is None or not lead.get("uscc"):
        return None
    with unit_of_work(db) as s:
        q = (select(m.Application.id).join(m.Member, m.Member.application_id == m.Application.id)
             .where(m.Application.name == doc["name"], m.Member.role == "lead", m.Member.uscc == lead["uscc"]))
        return s.execute(q).scalars().first()


def refresh(db, cand: Candidate) -> Candidate:
    """(Re)build the application from the items: schema problems, the stored one it updates (with
    the diff), and the region's checklist on the result."""
    read = cand.read
    cand.problems = list(read.problems)
    cand.doc = None
    cand.check = None
    if read.problems or read.region is None:
        return cand
    doc = build_document(read, cand.existing_doc)
    if cand.existing_doc is None and db is not None:
        found = _find_existing(db, doc)
        if found is not None:
            with unit_of_work(db) as s:
                cand.existing_doc = store.get_document(s, found)
            cand.existing_id = found
            doc = build_document(read, cand.existing_doc)
    problems = exchange.validate_document(doc)
    for line in problems:
        key, _, msg = line.partition(": ")
        if key in read.items:
            read.items[key].doubt = msg if not read.items[key].doubt else read.items[key].doubt
        cand.problems.append(f"{label_of(cand, key) if key in read.items else key}：{msg}")
    if read.call is None:
        cand.problems.append("看不出申报批次：请在表头写明批次名称")
    cand.doc = doc
    if cand.existing_doc is not None:
        old, new = form_view(cand.existing_doc, read.region), form_view(doc, read.region)
        cand.diff = [(k, label_of(cand, k), old.get(k), new.get(k)) for k in sorted(set(old) | set(new))
                     if old.get(k) != new.get(k)]
    if not problems:
        calls = None
        if db is not None:
            with unit_of_work(db) as s:
                calls = store.calls_for(s, doc["region"])
        cand.check = evaluate(doc, calls=calls)
    return cand


def read_forms(db, paths, progress: ProgressFn | None = None) -> list[Candidate]:
    """Read every file (nothing is written). `progress(done, total, text)` may raise to cancel."""
    paths = [str(p) for p in paths]
    out = []
    for i, p in enumerate(paths):
        if progress is not None:
            progress(i, len(paths), f"正在读取 {Path(p).name}")
        read = read_form(p)
        if not read.problems:
            _ensure_items(read)
        out.append(refresh(db, Candidate(read)))
    if progress is not None:
        progress(len(paths), len(paths), "")
    _same_in_batch(out)
    return out


def _same_in_batch(cands: list[Candidate]) -> None:
    seen: dict[tuple, str] = {}
    for c in cands:
        if c.doc is None:
            continue
        lead = next((m for m in c.doc["members"] if m.get("role") == "lead"), {})
        key = (c.doc.get("name"), lead.get("uscc"))
        if key in seen:
            c.problems.append(f"与本批的「{seen[key]}」是同一联盟（名称和牵头单位统一社会信用代码相同）")
        else:
            seen[key] = c.name


def save(db, cands: list[Candidate]) -> store.ImportReport:
    """Import the batch in one transaction (store.import_documents: all or nothing, audited)."""
    problems = [f"{c.name}：{p}" for c in cands for p in c.problems]
    if problems:
        raise FormImportError(problems)
    return store.import_documents(db, [(c.name, c.doc) for c in cands])


def dry_run(cands: list[Candidate]) -> dict:
    """What `form read --dry-run` prints: per file, field by field, and the checklist."""
    files = []
    for c in cands:
        fields = [{"field": k, "name": label_of(c, k), "value": it.value, "text": nz.clean(it.raw),
                   "label": it.label, "where": it.where, "doubt": it.doubt}
                  for k, it in c.read.items.items()]
        files.append({
            "file": c.source, "region": c.read.region, "call": c.read.call,
            "application": c.doc.get("name") if c.doc else None,
            "update_of": c.existing_id,
            "changes": [{"field": k, "name": n, "old": o, "new": v} for k, n, o, v in c.diff],
            "problems": c.problems, "doubtful": [f["field"] for f in fields if f["doubt"]],
            "fields": fields,
            "checklist": c.check.as_dict() if c.check is not None else None,
            "document": c.doc,
        })
    return {"files": files, "ok": not any(f["problems"] for f in files)}
