"""Clause registers: how each clause of a region's notice is served.

One TOML file per region in resources/regions/clauses/<region>.toml, beside the pack. Every clause
of the notice that sets a condition, a material, a date, a procedure step or a form has an entry
with the clause's own words (`quote`, a passage of the notice) and what serves it (`serves`:
`rule:ID`, `material:CODE`, `export:LAYOUT`, `stage:ID`, `call:ID`, `obligation:ID`,
`scoring:ID`, `lifecycle:validity|publicity|revoke|outcomes`, `industry:list`), or
`no_condition` with a one-line reason. The notices themselves are copied into
resources/regions/notices/ so the register can be checked against their text anywhere.

`problems()` says what is wrong with a register (an unknown rule, material or export, a quote not
in the notice); `uncovered()` lists the notice's sentences with a condition word that no entry quotes.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from alliance_desk.rules.packs import Pack, all_packs, get_pack, regions_dir

# Words that make a sentence a condition (须, 应, 不少于 …), and compounds where they are not one
# (供应链 is no 应, 需求 no 需, 主要 no 要).
CONDITION_WORDS = ("须", "应", "不少于", "不超过", "不低于", "不能少于", "具有", "具备", "提交", "报送", "截止",
                   "截至", "必须", "要有", "要建立", "优先", "需", "要", "不得", "限", "日前", "底前", "之前",
                   "月前")
NOT_CONDITIONS = ("供应", "相应", "对应", "响应", "适应", "效应", "应用", "需求", "需要", "急需", "所需", "主要",
                  "重要", "必要", "要求", "纲要", "概要", "要素", "有限", "期限", "限期")
TARGET_KINDS = ("rule", "material", "export", "stage", "call", "obligation", "scoring", "lifecycle", "industry")
TARGET_LABELS = {"rule": "规则", "material": "材料", "export": "文书", "stage": "办理步骤", "call": "申报批次",
                 "obligation": "后续义务", "scoring": "评分表", "lifecycle": "有效期与管理", "industry": "产业目录"}
EXPORT_LABELS = {"recommendation-table": "推荐汇总表", "member-table": "成员单位表等名单",
                 "application-form": "申请表/申报表", "notice": "公示", "certificates": "证书",
                 "package": "报送数据包"}
LIFECYCLE_LABELS = {"validity": "有效期", "publicity": "公示期", "revoke": "取消资格条件", "outcomes": "认定结果"}


class ClauseError(ValueError):
    pass


@dataclass(frozen=True)
class Entry:
    clause: str
    quote: str
    serves: tuple[str, ...]
    no_condition: str
    line: int

    @property
    def rules(self) -> list[str]:
        return [t.split(":", 1)[1] for t in self.serves if t.startswith("rule:")]


@dataclass(frozen=True)
class Register:
    region: str
    path: Path
    notice_path: Path
    notice: str
    entries: tuple[Entry, ...]


def compact(text: str) -> str:
    """Text without any white space (the notices wrap lines and pad with full-width spaces)."""
    return re.sub(r"\s+", "", text)


def is_condition(sentence: str) -> bool:
    t = sentence
    for word in NOT_CONDITIONS:
        t = t.replace(word, "")
    return any(w in t for w in CONDITION_WORDS)


def sentences(text: str) -> list[str]:
    """The notice cut at 。；！？ and line ends, white space removed."""
    return [s for s in (compact(x) for x in re.split(r"[。；！？\n]", text)) if s]


def notices_dir() -> Path:
    return regions_dir() / "notices"


def registers_dir() -> Path:
    return regions_dir() / "clauses"


def _entry_lines(text: str) -> list[int]:
    return [i + 1 for i, ln in enumerate(text.splitlines()) if ln.strip() == "[[clauses]]"]


def load_register(path: str | Path, pack: Pack | None = None) -> Register:
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ClauseError(f"{path}: TOML 语法错误：{exc}") from None
    region = (raw.get("register") or {}).get("region") or path.stem
    pack = pack or get_pack(region)
    notice_path = notices_dir() / pack.seed
    try:
        notice = notice_path.read_text(encoding="utf-8")
    except OSError:
        raise ClauseError(f"{path}: 找不到通知原文 {notice_path}") from None
    lines = _entry_lines(text)
    entries = []
    for i, e in enumerate(raw.get("clauses", [])):
        line = lines[i] if i < len(lines) else 1
        unknown = set(e) - {"clause", "quote", "serves", "no_condition"}
        if unknown or "clause" not in e or "quote" not in e:
            raise ClauseError(f"{path} 第 {line} 行：条目须有 clause 和 quote，不认识 {sorted(unknown)}")
        entries.append(Entry(e["clause"], e["quote"], tuple(e.get("serves", ())), e.get("no_condition", ""), line))
    return Register(region, path, notice_path, notice, tuple(entries))


@lru_cache(maxsize=None)
def _cached(region: str) -> Register:
    return load_register(registers_dir() / f"{region}.toml")


def get_register(region: str) -> Register:
    get_pack(region)  # an unknown region says so in the packs' words
    path = registers_dir() / f"{region}.toml"
    if not path.exists():
        raise ClauseError(f"地区「{region}」没有条款对照表（resources/regions/clauses/{region}.toml）")
    return _cached(region)


def all_registers() -> dict[str, Register]:
    return {region: get_register(region) for region in all_packs()}


# ------------------------------------------------------------------ what serves an entry

def _targets(pack: Pack) -> dict[str, dict[str, str]]:
    """Every id a register may name, with its Chinese label."""
    raw = pack.raw
    return {
        "rule": {r.id: r.text for r in pack.rules},
        "material": {m.code: m.name for m in pack.materials},
        "export": {x: EXPORT_LABELS.get(x, x) for x in (raw.get("exports") or {}).get("layouts", [])},
        "stage": {s.id: s.name for s in pack.stages},
        "call": {c.id: c.name for c in pack.calls},
        "obligation": {o["id"]: o["name"] for o in raw.get("obligations", [])},
        "scoring": {s["id"]: s["name"] for s in raw.get("scoring", [])},
        "lifecycle": {k: v for k, v in LIFECYCLE_LABELS.items()
                      if (k != "revoke" or (raw.get("lifecycle") or {}).get("revoke_when"))},
        "industry": {"list": "产业目录"} if pack.industry_mode == "list" else {},
    }


def label(pack: Pack, target: str) -> str:
    """`rule:JZ-CORE-MIN` -> 规则 JZ-CORE-MIN（联盟核心成员不能少于五家）."""
    kind, _, ident = target.partition(":")
    name = _targets(pack).get(kind, {}).get(ident, "")
    head = TARGET_LABELS.get(kind, kind)
    if kind in ("lifecycle", "industry"):
        return f"{head}：{name or ident}"
    return f"{head} {ident}" + (f"（{name}）" if name else "")


def problems(reg: Register, pack: Pack | None = None) -> list[str]:
    """What is wrong with the register: names that do not exist, quotes not in the notice, entries
    that neither serve nor say why not."""
    pack = pack or get_pack(reg.region)
    known = _targets(pack)
    notice = compact(reg.notice)
    out = []
    for e in reg.entries:
        where = f"{reg.path.name} 第 {e.line} 行（{e.clause}）"
        if compact(e.quote) not in notice:
            out.append(f"{where}：原文「{e.quote[:30]}…」不在通知 {pack.seed} 中")
        if not e.serves and not e.no_condition:
            out.append(f"{where}：既没有对应项，也没有说明为何不设条件")
        for t in e.serves:
            kind, _, ident = t.partition(":")
            if kind not in TARGET_KINDS:
                out.append(f"{where}：对应项「{t}」的类型未知（可用：{', '.join(TARGET_KINDS)}）")
            elif ident not in known[kind]:
                out.append(f"{where}：对应项「{t}」在规则包 {pack.id} 中不存在")
    return out


def uncovered(reg: Register) -> list[str]:
    """Sentences of the notice with a condition word that no entry quotes (or lies inside)."""
    quotes = [compact(e.quote) for e in reg.entries]
    return [s for s in sentences(reg.notice)
            if is_condition(s) and not any(q in s or s in q for q in quotes)]


def as_rows(reg: Register, pack: Pack | None = None) -> list[dict]:
    """The register as plain rows (CLI --json, the UI)."""
    pack = pack or get_pack(reg.region)
    return [{"clause": f"{pack.seed[:3]} § {e.clause}", "quote": compact(e.quote), "serves": list(e.serves),
             "serves_text": [label(pack, t) for t in e.serves], "no_condition": e.no_condition}
            for e in reg.entries]
