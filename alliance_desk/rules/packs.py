"""Region rule packs: one TOML file per region under resources/regions/.

Loading checks everything the engine will rely on, so a pack with an unknown rule kind,
parameter, selector, field or material fails here with the file and line, never at check time.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path

from alliance_desk.paths import resource
from alliance_desk.rules.kinds import KINDS, application_fields, check_params, member_fields  # noqa: F401
from alliance_desk.rules.labels import STATUSES

# `notice` and `replaces` are set by a pack version (alliance_desk.store.pack_versions): the revised
# notice a changed rule now rests on, and the citation it replaced
COMMON = {"id", "kind", "status", "clause", "text", "notice", "replaces"}
TOP_LEVEL = {"pack", "industries", "materials", "calls", "stages", "publicity", "validity",
             "obligations", "scoring", "exports", "rules", "lifecycle"}


class PackError(ValueError):
    pass


@dataclass(frozen=True)
class Industry:
    name: str
    group: str = ""
    division: str = ""  # 对口科室 (Ganzhou 附件1)
    leader: str = ""


@dataclass(frozen=True)
class Material:
    code: str
    name: str
    min_copies: int | str | None = None  # an int, or "members" (one per member unit)
    clause: str = ""


@dataclass(frozen=True)
class Call:
    id: str
    region: str
    name: str
    deadline: datetime | None  # the applicants' deadline
    note: str = ""
    county_deadline: datetime | None = None  # the county's (recommending office's) deadline to the city

    @property
    def closes(self) -> datetime | None:
        """The last moment an application is in time: the applicants' deadline, else the county's
        deadline to the city (004 § 三(一) dates only the district's)."""
        return self.deadline or self.county_deadline


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    clause: str = ""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    status: str
    clause: str
    text: str
    params: dict
    line: int
    notice: str = ""    # a revised notice's citation name (pack versions); empty: the pack's own notice
    replaces: str = ""  # the citation this rule had before the revision


@dataclass
class Pack:
    id: str
    name: str
    region_name: str
    authority: str
    scheme: str
    seed: str
    path: Path
    info: dict
    industries: list[Industry]
    industry_mode: str
    materials: list[Material]
    calls: list[Call]
    stages: list[Stage]
    publicity: dict
    validity: dict
    rules: list[Rule]
    raw: dict = field(repr=False, default_factory=dict)
    # which rules judged: the shipped pack, or an office's version of it (alliance_desk.store.pack_versions)
    version_id: str = ""      # empty for the shipped pack
    version_label: str = ""
    digest: str = ""          # SHA-256 of what was loaded: equal digest, equal verdicts

    def industry(self, name: str) -> Industry | None:
        return next((i for i in self.industries if i.name == name), None)

    def material(self, code: str) -> Material:
        return next(m for m in self.materials if m.code == code)

    def rule(self, rule_id: str) -> Rule:
        return next(r for r in self.rules if r.id == rule_id)


# ------------------------------------------------------------------ loading

def _line_of(lines: list[str], rule_id: str | None, key: str | None) -> int:
    """1-based line of `key` inside the rule whose id is `rule_id` (best effort; TOML keeps no positions)."""
    start = 0
    if rule_id:
        pat = re.compile(r'^\s*id\s*=\s*["\']' + re.escape(rule_id) + r'["\']')
        start = next((i for i, ln in enumerate(lines) if pat.match(ln)), 0)
        # the table header [[rules]] sits above the id line
        head = start
        while head > 0 and not lines[head].strip().startswith("[["):
            head -= 1
        start = head
    if key:
        pat = re.compile(r"^\s*" + re.escape(key) + r"\s*=")
        for i in range(start, len(lines)):
            if i > start and lines[i].strip().startswith("[[rules]]"):
                break
            if pat.match(lines[i]) or (key in lines[i] and i > start):
                return i + 1
    return start + 1


def _as_datetime(value) -> datetime | None:
    # a date alone means the end of that day
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, datetime.max.time()).replace(second=0, microsecond=0)
    return value


def load_pack(path: str | Path) -> Pack:
    path = Path(path)
    pack = pack_from_text(path.read_text(encoding="utf-8"), path)
    pack.version_label = f"{pack.region_name}规则包（随程序发布，{path.name}）"
    return pack


def parse_text(text: str, path) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PackError(f"{path}: TOML 语法错误：{exc}") from None


def pack_from_text(text: str, path, raw: dict | None = None) -> Pack:
    """Load and validate a pack from its TOML text. `raw`, when given, is that text already parsed
    and changed (a pack version's overrides); line numbers still refer to `text`."""
    import hashlib

    lines = text.splitlines()
    if raw is None:
        raw = parse_text(text, path)

    def fail(msg: str, rule_id: str | None = None, key: str | None = None, line: int | None = None):
        ln = line or _line_of(lines, rule_id, key)
        raise PackError(f"{path} 第 {ln} 行：{msg}")

    for key in raw:
        if key not in TOP_LEVEL:
            fail(f"未知的配置段「{key}」", key=key)
    info = raw.get("pack") or fail("缺少 [pack] 段", line=1)
    for req in ("id", "name", "region_name", "authority", "scheme", "seed"):
        if req not in info:
            fail(f"[pack] 缺少 {req}", line=1)
    pack_id = info["id"]

    ind = raw.get("industries", {})
    industry_mode = ind.get("mode", "free")
    industries = [Industry(**{k: v for k, v in it.items()}) for it in ind.get("items", [])]
    if industry_mode not in ("list", "free"):
        fail(f"industries.mode 应为 list 或 free，实际「{industry_mode}」", key="mode")

    materials = []
    for m in raw.get("materials", []):
        unknown = set(m) - {"code", "name", "min_copies", "clause"}
        if unknown:
            fail(f"材料 {m.get('code')} 有未知字段 {sorted(unknown)}", key=sorted(unknown)[0])
        materials.append(Material(m["code"], m["name"], m.get("min_copies"), m.get("clause", "")))
    codes = {m.code for m in materials}

    calls = []
    for c in raw.get("calls", []):
        calls.append(Call(c["id"], pack_id, c["name"], _as_datetime(c.get("deadline")), c.get("note", ""),
                          _as_datetime(c.get("county_deadline"))))

    stages = [Stage(s["id"], s["name"], s.get("clause", "")) for s in raw.get("stages", [])]

    rules: list[Rule] = []
    seen: set[str] = set()
    for r in raw.get("rules", []):
        rid = r.get("id")
        if not rid:
            fail("规则缺少 id", key="kind")
        if rid in seen:
            fail(f"规则 id「{rid}」重复", rid)
        seen.add(rid)
        kind = r.get("kind")
        if kind not in KINDS:
            fail(f"规则 {rid} 使用了未知的规则类型「{kind}」（可用：{', '.join(sorted(KINDS))}）", rid, "kind")
        status = r.get("status")
        if status not in STATUSES or status in ("pass", "na"):
            fail(f"规则 {rid} 的 status「{status}」无效（应为 fail、warn 或 manual）", rid, "status")
        for req in ("clause", "text"):
            if not r.get(req):
                fail(f"规则 {rid} 缺少 {req}", rid)
        params = {k: v for k, v in r.items() if k not in COMMON}
        check_params(params, kind, rid, codes, fail)
        rules.append(Rule(rid, kind, status, r["clause"], r["text"], params, _line_of(lines, rid, None),
                          r.get("notice", ""), r.get("replaces", "")))

    if industry_mode == "list" and not industries:
        fail("industries.mode = list 但没有列出产业", key="mode")
    return Pack(
        id=pack_id, name=info["name"], region_name=info["region_name"], authority=info["authority"],
        scheme=info["scheme"], seed=info["seed"], path=Path(path), info=info, industries=industries,
        industry_mode=industry_mode, materials=materials, calls=calls, stages=stages,
        publicity=raw.get("publicity", {}), validity=raw.get("validity", {}), rules=rules, raw=raw,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@lru_cache(maxsize=1)
def regions_dir() -> Path:
    return resource("regions")


@lru_cache(maxsize=None)
def _load_all(directory: str) -> dict[str, Pack]:
    packs = {}
    for p in sorted(Path(directory).glob("*.toml")):
        pack = load_pack(p)
        if pack.id in packs:
            raise PackError(f"{p}: 地区 id「{pack.id}」与 {packs[pack.id].path} 重复")
        packs[pack.id] = pack
    return packs


def all_packs(directory: str | Path | None = None) -> dict[str, Pack]:
    return _load_all(str(directory or regions_dir()))


def get_pack(region: str) -> Pack:
    try:
        return all_packs()[region]
    except KeyError:
        raise PackError(f"没有地区「{region}」的规则包（resources/regions/{region}.toml）") from None
