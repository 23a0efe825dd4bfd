"""A pack version's content: the parameters an office may change in its region's pack, the
changes applied to the shipped pack's TOML text (loaded through the same loader and validation as
a shipped pack), and the stored versions read back — with `pack_for_call`, the one place that
answers "which pack judges this call". Below the stored calls and the checks, which ask it; the
services that manage versions (deriving, the test bench, signed exchange) are pack_versions.py.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from db import models as m
from db.models_calls import PackVersion

from alliance_desk.exchange import adpkg
from alliance_desk.store import audit
from alliance_desk.rules.packs import Pack, PackError, get_pack, pack_from_text, parse_text
from db.session import unit_of_work

FORMAT_VERSION = 1
KIND = "pack_version"
ENTRY_NAMES = re.compile(r"pack\.toml|version\.json")
_COUNT_KINDS = ("min_count", "max_count", "range")


# ------------------------------------------------------------------ the parameters an office may change

@dataclass(frozen=True)
class Param:
    """One changeable parameter of a pack: where it is, what it is now, and the clause it rests on."""
    path: tuple            # ("rule", id, param) | ("new_rule", "min_members") | ("material", code, "min_copies")
                           # | ("industries",) | ("publicity", "days") | ("validity", "years")
    label: str
    value: Any             # current value (None: the notice sets none)
    clause: str            # current citation, e.g. "001 § 二(一)"
    kind: str = "int"      # "int" | "copies" (int or "members") | "lines" (list of names)


def _cite(pack: Pack, clause: str, rule=None) -> str:
    if rule is not None and getattr(rule, "notice", ""):
        return f"{rule.notice} § {rule.clause}"
    return f"{pack.seed[:3]} § {clause}" if clause else ""


def parameters(pack: Pack) -> list[Param]:
    from alliance_desk.rules import SELECTORS  # noqa: F401 - the selector names are the `of` values below

    out: list[Param] = []
    has_min_members = False
    for r in pack.rules:
        if r.kind in _COUNT_KINDS:
            for key, word in (("min", "不少于"), ("max", "不超过")):
                if key in r.params:
                    has_min_members |= r.params.get("of") == "members" and key == "min"
                    out.append(Param(("rule", r.id, key), f"{r.text}（{word}）", r.params[key], _cite(pack, r.clause, r)))
        elif r.kind == "agreement_years":
            out.append(Param(("rule", r.id, "years"), f"{r.text}（年限）", r.params["years"], _cite(pack, r.clause, r)))
    if not has_min_members:
        basis = next((r for r in pack.rules if r.kind == "has_kind"), None)
        out.insert(0, Param(("new_rule", "min_members"), "成员单位最少家数（原通知未规定家数）", None,
                            _cite(pack, basis.clause, basis) if basis else ""))
    for mat in pack.materials:
        out.append(Param(("material", mat.code, "min_copies"), f"{mat.name}（份数）", mat.min_copies,
                         _cite(pack, mat.clause), "copies"))
    if pack.industry_mode == "list":
        out.append(Param(("industries",), "产业领域清单（每行一个）", [i.name for i in pack.industries],
                         _cite(pack, str(pack.raw.get("industries", {}).get("clause", ""))), "lines"))
    if pack.publicity:
        out.append(Param(("publicity", "days"), "公示天数", pack.publicity.get("days"),
                         _cite(pack, str(pack.publicity.get("clause", "")))))
    if pack.validity:
        out.append(Param(("validity", "years"), "有效期（年，0 为不设）", pack.validity.get("years"),
                         _cite(pack, str(pack.validity.get("clause", "")))))
    return out


def describe_path(path) -> str:
    return "/".join(str(p) for p in path)


# ------------------------------------------------------------------ applying changes

def _int(value, what: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{what}应为不小于 {low} 的整数（实际：{value!r}）")
    return value


def _rule_prefix(raw: dict) -> str:
    first = next((r.get("id", "") for r in raw.get("rules", []) if "-" in str(r.get("id", ""))), "")
    return first.split("-")[0] if first else str(raw["pack"]["id"]).upper()


def apply_changes(raw: dict, changes: list[dict], notice: str) -> dict:
    """A changed copy of a parsed pack. ValueError names the change and what is wrong with it."""
    out = copy.deepcopy(raw)
    seed = str(out.get("pack", {}).get("seed", ""))[:3]
    rules = {r.get("id"): r for r in out.get("rules", [])}
    for i, ch in enumerate(changes, 1):
        path, value, clause = tuple(ch.get("path") or ()), ch.get("value"), str(ch.get("clause") or "").strip()
        ch_notice = str(ch.get("notice") or notice)  # a change kept from an earlier revision keeps its notice
        where = f"第 {i} 项修改（{describe_path(path)}）"
        try:
            if len(path) == 3 and path[0] == "rule":
                rule = rules.get(path[1])
                if rule is None:
                    raise ValueError(f"规则「{path[1]}」不存在")
                if path[2] not in ("min", "max", "years") or path[2] not in rule:
                    raise ValueError(f"规则「{path[1]}」没有可修改的参数「{path[2]}」")
                rule[path[2]] = _int(value, "数值", 1 if path[2] == "years" else 0)
                if clause:
                    old = (f"{rule['notice']} § {rule['clause']}" if rule.get("notice") else f"{seed} § {rule['clause']}")
                    rule.update(clause=clause, notice=ch_notice, replaces=old)
                if path[2] == "min" and rule.get("of") == "members":
                    rule["text"] = re.sub(r"\d+", str(value), rule["text"], count=1)
            elif path == ("new_rule", "min_members"):
                if not clause:
                    raise ValueError("新增条件须填写新通知的条款")
                n = _int(value, "成员单位家数", 1)
                rule = {"id": f"{_rule_prefix(out)}-MIN-MEMBERS", "kind": "min_count", "of": "members", "min": n,
                        "status": "fail", "clause": clause, "notice": ch_notice, "text": f"成员单位不少于 {n} 家"}
                if ch.get("replaces"):
                    rule["replaces"] = str(ch["replaces"])
                out.setdefault("rules", []).insert(0, rule)
                rules[rule["id"]] = rule
            elif len(path) == 3 and path[0] == "material" and path[2] == "min_copies":
                mat = next((x for x in out.get("materials", []) if x.get("code") == path[1]), None)
                if mat is None:
                    raise ValueError(f"材料「{path[1]}」不存在")
                if value is None:
                    mat.pop("min_copies", None)
                elif value != "members":
                    mat["min_copies"] = _int(value, "份数", 1)
                else:
                    mat["min_copies"] = value
                if clause:
                    mat["clause"] = clause
            elif path == ("industries",):
                names = [str(n).strip() for n in (value or []) if str(n).strip()]
                if not names:
                    raise ValueError("产业领域清单不能为空")
                dup = sorted({n for n in names if names.count(n) > 1})
                if dup:
                    raise ValueError(f"产业领域重复：{'、'.join(dup)}")
                ind = out.setdefault("industries", {})
                old = {it.get("name"): it for it in ind.get("items", [])}
                ind["items"] = [old.get(n, {"name": n}) for n in names]
                if clause:
                    ind["clause"] = clause
            elif path in (("publicity", "days"), ("validity", "years")):
                section = out.setdefault(path[0], {})
                section[path[1]] = _int(value, "天数" if path[0] == "publicity" else "年数", 1 if path[0] == "publicity" else 0)
                if clause:
                    section["clause"] = clause
            else:
                raise ValueError("不认识的修改项")
        except ValueError as exc:
            raise ValueError(f"{where}：{exc}") from None
    info = out.setdefault("pack", {})
    info["revised_by"] = notice
    return out


def _digest(region: str, notice: str, base_text: str, changes: list[dict]) -> str:
    blob = json.dumps({"format_version": FORMAT_VERSION, "region": region, "notice": notice, "changes": changes,
                       "base": base_text}, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


def build(region: str, base_text: str, changes: list[dict], notice: str, label: str, where: str,
          version_id: str = "", format_version: int = FORMAT_VERSION) -> Pack:
    """Load a version as the engine will judge with it. PackError names `where` (the file or the
    database row), the line and the reason."""
    if format_version > FORMAT_VERSION:
        raise PackError(f"{where}：由较新版本的 Alliance Desk 生成（格式版本 {format_version}），本程序只能读取格式版本 "
                        f"{FORMAT_VERSION}，请升级程序；仍按随程序发布的规则包工作")
    if not str(notice or "").strip():
        raise PackError(f"{where}：请填写新通知的文号")
    raw = parse_text(base_text, where)
    if str(raw.get("pack", {}).get("id")) != region:
        raise PackError(f"{where} 第 1 行：规则包属于「{raw.get('pack', {}).get('id')}」，不是「{region}」")
    try:
        changed = apply_changes(raw, changes, notice.strip())
    except ValueError as exc:
        raise PackError(f"{where}：{exc}") from None
    pack = pack_from_text(base_text, where, raw=changed)
    pack.version_id = version_id
    pack.version_label = label
    pack.digest = _digest(region, notice, base_text, changes)
    return pack


def shipped_text(region: str) -> str:
    return get_pack(region).path.read_text(encoding="utf-8")


# ------------------------------------------------------------------ stored versions

@dataclass(frozen=True)
class VersionInfo:
    id: str
    region: str
    label: str
    notice: str
    notice_date: date | None
    changes: list = field(hash=False)
    digest: str = ""
    created_at: datetime | None = None
    created_by: str = ""
    source: str = ""


def _where(row: PackVersion) -> str:
    return f"规则包版本「{row.label}」（数据库 pack_versions/{row.id}）"


def _build_row(row: PackVersion) -> Pack:
    try:
        changes = json.loads(row.changes)
    except ValueError as exc:
        raise PackError(f"{_where(row)} 修改清单第 {getattr(exc, 'lineno', 1)} 行：不是有效的 JSON") from None
    return build(row.region, row.base_text, changes, row.notice, row.label, _where(row), row.id, row.format_version)


_LOADED: dict[str, Pack] = {}  # digest -> pack: a version never changes once stored


def load_version(db, version_id: str) -> Pack:
    with unit_of_work(db) as session:
        row = session.get(PackVersion, version_id)
        if row is None:
            raise PackError(f"没有规则包版本「{version_id}」")
        if row.digest not in _LOADED:
            pack = _build_row(row)
            if pack.digest != row.digest:
                raise PackError(f"{_where(row)}：内容与其摘要不符（被改动过），不予采用")
            _LOADED[row.digest] = pack
        return _LOADED[row.digest]


def pack_for_call(db, region: str, call_id: str | None) -> Pack:
    """The pack that judges applications of `region` in `call_id`: the version the call adopted,
    else the shipped pack. `pack.version_label` and `pack.digest` say which."""
    with unit_of_work(db) as session:
        if call_id:
            row = session.get(m.Call, call_id)
            if row is not None and row.region == region and row.pack_version:
                return load_version(session, row.pack_version)
        return get_pack(region)


def call_pack(db, region: str, call_id: str | None) -> Pack:
    """pack_for_call in its own session (for services that hold a database, not a session)."""
    if not call_id:
        return get_pack(region)
    with unit_of_work(db) as s:
        return pack_for_call(s, region, call_id)


def version_label(db, region: str, version_id: str | None) -> str:
    with unit_of_work(db) as session:
        if not version_id:
            return get_pack(region).version_label
        row = session.get(PackVersion, version_id)
        return row.label if row is not None else f"（缺失的版本 {version_id}）"
