"""Scoring templates, objective suggestions, score validation and aggregation. Pure functions: no Qt,
no database.

A template comes from a region pack's `[[scoring]]` entries: criteria with maximum points and
optional sub-items. What an expert scores is a *leaf*: a sub-item, or a criterion that has none.
Leaf keys are "criterion.item" (or "criterion"). A template that no notice gives (`official = false`)
is labelled as the office's own (本单位自定模板) wherever it is shown or exported.
"""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

OWN_TEMPLATE = "本单位自定模板"
LOW_SHARE = 0.6          # an item scored under 60% of its maximum needs a comment
METHODS = ("mean", "trimmed", "median", "zscore")
METHOD_LABELS = {"mean": "算术平均", "trimmed": "去掉一个最高分和一个最低分后平均", "median": "中位数",
                 "zscore": "专家标准分（z 分数）换算"}
TRIM_MIN = 5             # the trimmed mean drops one highest and one lowest only with at least 5 scores


class ScoringError(ValueError):
    """A template that cannot be used, or an unknown method; the message is Chinese."""


def fmt(x: float | int | None, digits: int = 2) -> str:
    """A number as the office writes it: 10, 2.5, 66.67."""
    if x is None:
        return ""
    if isinstance(x, float) and x.is_integer():
        x = int(x)
    if isinstance(x, int):
        return str(x)
    return f"{x:.{digits}f}".rstrip("0").rstrip(".")


# ------------------------------------------------------------------ templates

@dataclass(frozen=True)
class Item:
    """A scored leaf."""
    key: str
    name: str
    max: float
    criterion_id: str
    criterion_name: str
    suggest: str | None = None
    bands: tuple[tuple[float, float], ...] = ()
    note: str = ""

    @property
    def header(self) -> str:
        """The column title of score sheets: 名称（N分）."""
        return f"{self.name}（{fmt(self.max)}分）"

    @property
    def comment_below(self) -> float:
        return self.max * LOW_SHARE


@dataclass(frozen=True)
class Criterion:
    id: str
    name: str
    max: float
    items: tuple[Item, ...]
    has_subitems: bool


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    region: str
    official: bool
    clause: str
    total: float
    criteria: tuple[Criterion, ...]
    note: str = ""
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def leaves(self) -> list[Item]:
        return [it for c in self.criteria for it in c.items]

    def leaf(self, key: str) -> Item:
        for it in self.leaves:
            if it.key == key:
                return it
        raise KeyError(key)

    @property
    def label(self) -> str:
        """Name for screens and exports; the office's own templates say so."""
        return self.name if self.official else f"{self.name}（{OWN_TEMPLATE}）"

    @property
    def origin(self) -> str:
        return f"通知原文（{self.clause}）" if self.official else OWN_TEMPLATE

    def to_dict(self) -> dict:
        """The snapshot kept with a review round (and shipped in review packages)."""
        return {"region": self.region, **self.raw}


def _num(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ScoringError(f"{where}：分值「{value}」应为非负数")
    return float(value)


def template_from_dict(raw: Mapping, region: str = "") -> Template:
    """Build and check one template (a pack's [[scoring]] entry or a round's snapshot)."""
    region = raw.get("region", region) or ""
    tid = raw.get("id")
    where = f"{region} 评分模板 {tid}"
    if not tid or not raw.get("name"):
        raise ScoringError(f"{region} 评分模板缺少 id 或 name")
    unknown = set(raw) - {"id", "name", "official", "clause", "total", "note", "criteria", "region"}
    if unknown:
        raise ScoringError(f"{where}：未知字段 {sorted(unknown)}")
    if not isinstance(raw.get("official"), bool):
        raise ScoringError(f"{where}：须写明 official = true（通知原文）或 false（本单位自定）")
    total = _num(raw.get("total"), where)
    criteria = []
    keys: set[str] = set()
    for c in raw.get("criteria") or []:
        cid, cname = c.get("id"), c.get("name")
        if not cid or not cname:
            raise ScoringError(f"{where}：一级指标缺少 id 或 name")
        unknown = set(c) - {"id", "name", "max", "items", "note"}
        if unknown:
            raise ScoringError(f"{where} 指标 {cid}：未知字段 {sorted(unknown)}")
        cmax = _num(c.get("max"), f"{where} 指标 {cid}")
        subs = c.get("items") or []
        items = []
        if subs:
            for it in subs:
                unknown = set(it) - {"id", "name", "max", "suggest", "bands", "note"}
                if unknown:
                    raise ScoringError(f"{where} 指标 {cid}：子项 {it.get('id')} 有未知字段 {sorted(unknown)}")
                if not it.get("id") or not it.get("name"):
                    raise ScoringError(f"{where} 指标 {cid}：子项缺少 id 或 name")
                items.append(_leaf(f"{cid}.{it['id']}", it, cid, cname, where))
            if not math.isclose(sum(i.max for i in items), cmax):
                raise ScoringError(f"{where} 指标「{cname}」：子项分值之和 {fmt(sum(i.max for i in items))} "
                                   f"不等于该指标分值 {fmt(cmax)}")
        else:
            items.append(_leaf(cid, c, cid, cname, where))
        for i in items:
            if i.key in keys:
                raise ScoringError(f"{where}：指标编号 {i.key} 重复")
            keys.add(i.key)
        criteria.append(Criterion(cid, cname, cmax, tuple(items), bool(subs)))
    if not criteria:
        raise ScoringError(f"{where}：没有评分指标")
    if not math.isclose(sum(c.max for c in criteria), total):
        raise ScoringError(f"{where}：各指标分值之和 {fmt(sum(c.max for c in criteria))} 不等于总分 {fmt(total)}")
    clean = {k: v for k, v in raw.items() if k != "region"}
    return Template(tid, raw["name"], region, raw["official"], raw.get("clause", ""), total, tuple(criteria),
                    raw.get("note", ""), clean)


def _leaf(key: str, d: Mapping, cid: str, cname: str, where: str) -> Item:
    mx = _num(d.get("max"), f"{where} {key}")
    if mx <= 0:
        raise ScoringError(f"{where} {key}：满分应大于 0")
    suggest = d.get("suggest")
    if suggest is not None and suggest not in SUGGESTERS:
        raise ScoringError(f"{where} {key}：未知的客观指标计算方法「{suggest}」（可用：{', '.join(SUGGESTERS)}）")
    bands = []
    for b in d.get("bands") or []:
        if not isinstance(b, (list, tuple)) or len(b) != 2:
            raise ScoringError(f"{where} {key}：bands 每项应为 [比例下限, 分值]")
        lo, pts = _num(b[0], f"{where} {key}"), _num(b[1], f"{where} {key}")
        if lo > 1 or pts > mx:
            raise ScoringError(f"{where} {key}：分档 [{fmt(lo)}, {fmt(pts)}] 超出范围")
        bands.append((lo, pts))
    if suggest and not bands:
        raise ScoringError(f"{where} {key}：客观指标须给出 bands 分档")
    bands.sort(key=lambda b: -b[0])
    return Item(key, d["name"], mx, cid, cname, suggest, tuple(bands), d.get("note", ""))


def templates_for(region: str) -> list[Template]:
    """Every template of a region's pack, in pack order."""
    from alliance_desk.rules.packs import get_pack

    pack = get_pack(region)
    return [template_from_dict(t, region) for t in pack.raw.get("scoring", [])]


def get_template(region: str, template_id: str | None = None) -> Template:
    """A template of the region; without an id, the region's first one."""
    from alliance_desk.rules.packs import get_pack

    tpls = templates_for(region)
    if not tpls:
        raise ScoringError(f"{get_pack(region).region_name}规则包中没有评分模板")
    if template_id is None:
        return tpls[0]
    for t in tpls:
        if t.id == template_id:
            return t
    raise ScoringError(f"{get_pack(region).region_name}没有评分模板「{template_id}」"
                       f"（可用：{', '.join(t.id for t in tpls)}）")


# ------------------------------------------------------------------ objective suggestions

MUNICIPAL_OR_ABOVE = ("municipal", "provincial", "national")


def _share_platform(doc: Mapping) -> tuple[int, int, str]:
    members = doc.get("members") or []
    n = sum(1 for m in members if any(p.get("level") in MUNICIPAL_OR_ABOVE for p in m.get("platforms") or []))
    return n, len(members), "具有市级以上平台的成员单位"


def _share_projects(doc: Mapping) -> tuple[int, int, str]:
    members = doc.get("members") or []
    n = sum(1 for m in members if (m.get("projects_municipal_or_above") or 0) > 0)
    unknown = sum(1 for m in members if m.get("projects_municipal_or_above") is None)
    label = "承担过市级以上项目的成员单位"
    if unknown:
        label += f"（{unknown} 家未填写，按未承担计）"
    return n, len(members), label


SUGGESTERS: dict[str, Callable[[Mapping], tuple[int, int, str]]] = {
    "share_platform_municipal_or_above": _share_platform,
    "share_projects_municipal_or_above": _share_projects,
}


@dataclass(frozen=True)
class Suggestion:
    key: str
    points: float
    share: float
    numerator: int
    denominator: int
    text: str


def band_points(share: float, bands: Iterable[tuple[float, float]]) -> float:
    """Points of the first band whose lower bound the share reaches (bands sorted high to low)."""
    for lo, pts in sorted(bands, key=lambda b: -b[0]):
        if share >= lo - 1e-12:
            return pts
    return 0.0


def suggest(item: Item, doc: Mapping) -> Suggestion | None:
    """The suggested score of an objective item computed from the application's member data."""
    if not item.suggest:
        return None
    num, den, label = SUGGESTERS[item.suggest](doc)
    if den == 0:
        return None
    share = num / den
    pts = band_points(share, item.bands)
    text = f"{label} {num}/{den} = {share * 100:.1f}%，建议 {fmt(pts)} 分"
    return Suggestion(item.key, pts, share, num, den, text)


def suggestions(template: Template, doc: Mapping) -> dict[str, Suggestion]:
    out = {}
    for it in template.leaves:
        s = suggest(it, doc)
        if s is not None:
            out[it.key] = s
    return out


# ------------------------------------------------------------------ validation of one expert's score

@dataclass(frozen=True)
class Problem:
    key: str | None     # the leaf, or None for the whole score
    field: str          # "points" | "comment"
    message: str
    missing: bool = False  # no score at all for the leaf (a gap), as opposed to a wrong one


def parse_points(raw: Any) -> float | None | str:
    """A typed score: a float, None when blank, or a Chinese reason (str) when it is not a number."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return f"「{raw}」不是数字"
    if isinstance(raw, (int, float)):
        if not math.isfinite(raw):
            return f"「{raw}」不是有效数字"
        return float(raw)
    text = str(raw).strip().replace("，", ".").replace("。", ".")
    if not text:
        return None
    # full-width digits typed with a Chinese input method
    text = text.translate(str.maketrans("０１２３４５６７８９．－", "0123456789.-"))
    try:
        value = float(text)
    except ValueError:
        return f"「{raw}」不是数字"
    if not math.isfinite(value):
        return f"「{raw}」不是有效数字"
    return value


def validate(template: Template, points: Mapping[str, Any], comments: Mapping[str, str] | None = None,
             overall_comment: str = "", comment_scope: str = "item") -> tuple[dict[str, float], list[Problem]]:
    """Check one expert's score of one application. Returns (clean points by leaf key, problems).

    Every leaf needs a number in 0..max. A leaf under 60% of its maximum needs a comment: its own
    (comment_scope="item", reviewer mode) or the overall 评审意见 (comment_scope="overall", Excel)."""
    comments = comments or {}
    clean: dict[str, float] = {}
    problems: list[Problem] = []
    for it in template.leaves:
        v = parse_points(points.get(it.key))
        if v is None:
            problems.append(Problem(it.key, "points", f"「{it.name}」未评分", missing=True))
            continue
        if isinstance(v, str):
            problems.append(Problem(it.key, "points", f"{v}，请填写 0 到 {fmt(it.max)} 之间的分数"))
            continue
        if v < 0:
            problems.append(Problem(it.key, "points", f"{fmt(v)} 分不能为负数"))
            continue
        if v > it.max + 1e-9:
            problems.append(Problem(it.key, "points", f"{fmt(v)} 分超过该项满分 {fmt(it.max)} 分"))
            continue
        clean[it.key] = v
        if v < it.comment_below - 1e-9:
            text = (comments.get(it.key) if comment_scope == "item" else overall_comment) or ""
            if not text.strip():
                where = "该项" if comment_scope == "item" else "评审意见栏"
                problems.append(Problem(it.key, "comment",
                                        f"「{it.name}」{fmt(v)} 分低于满分 {fmt(it.max)} 的 60%，须在{where}填写评审意见"))
    return clean, problems


def total_of(points: Mapping[str, float]) -> float:
    return round(sum(points.values()), 6)


def criterion_totals(template: Template, points: Mapping[str, float]) -> dict[str, float]:
    return {c.id: round(sum(points.get(i.key, 0.0) for i in c.items), 6) for c in template.criteria}


# ------------------------------------------------------------------ aggregation

@dataclass(frozen=True)
class ScoreRecord:
    application: str
    expert: str
    total: float
    items: Mapping[str, float] = field(default_factory=dict)


@dataclass
class Aggregate:
    application: str
    n: int
    totals: dict[str, float]            # expert -> total
    mean: float | None
    trimmed: float | None
    median: float | None
    zscore: float | None                # mean z rescaled to the round's score scale
    z_mean: float | None
    range: float | None
    sd: float | None                    # sample standard deviation of the totals (n ≥ 2)
    item_means: dict[str, float]
    criterion_means: dict[str, float]
    flagged: bool = False
    flag_reasons: list[str] = field(default_factory=list)
    value: float | None = None          # the value of the chosen method
    rank: int | None = None

    @property
    def trim_fallback(self) -> bool:
        """The trimmed mean is a plain mean here: fewer than TRIM_MIN scores, nothing was dropped."""
        return 0 < self.n < TRIM_MIN

    @property
    def trim_note(self) -> str:
        return trim_note(self.n) if self.trim_fallback else ""


def trim_note(n: int) -> str:
    return f"仅 {n} 位专家评分（不足 {TRIM_MIN} 位），未去掉最高分和最低分，按算术平均计算"


def trimmed_mean(values: list[float]) -> float | None:
    """Drop one highest and one lowest when there are at least 5 values; otherwise the plain mean."""
    if not values:
        return None
    if len(values) >= TRIM_MIN:
        vs = sorted(values)[1:-1]
        return sum(vs) / len(vs)
    return sum(values) / len(values)


def expert_zscores(records: Iterable[ScoreRecord]) -> dict[tuple[str, str], float]:
    """Per-expert normalisation: z = (total − expert's mean) / expert's population SD over the
    applications that expert scored in the round. An expert with one score or equal scores gives 0."""
    by_expert: dict[str, list[ScoreRecord]] = {}
    for r in records:
        by_expert.setdefault(r.expert, []).append(r)
    out = {}
    for expert, rs in by_expert.items():
        vals = [r.total for r in rs]
        mu = sum(vals) / len(vals)
        sd = statistics.pstdev(vals) if len(vals) > 1 else 0.0
        for r in rs:
            out[(r.application, expert)] = (r.total - mu) / sd if sd > 1e-12 else 0.0
    return out


def competition_ranks(values: Mapping[str, float | None]) -> dict[str, int | None]:
    """1, 2, 2, 4 …; equal after rounding to 2 decimals share a rank; None values get no rank."""
    scored = sorted(((round(v, 2), k) for k, v in values.items() if v is not None), key=lambda t: -t[0])
    ranks: dict[str, int | None] = {k: None for k in values}
    prev, prev_rank = None, 0
    for i, (v, k) in enumerate(scored, 1):
        if v != prev:
            prev, prev_rank = v, i
        ranks[k] = prev_rank
    return ranks


def aggregate(records: Iterable[ScoreRecord], method: str = "trimmed", threshold_range: float | None = None,
              threshold_sd: float | None = None, template: Template | None = None,
              applications: Iterable[str] = ()) -> list[Aggregate]:
    """Aggregate totals per application, flag disagreement and rank by `method`.

    Disagreement: the range (max − min) or the sample SD of an application's totals is greater than
    the round's threshold. The result lists `applications` (even unscored ones) then any other
    application scored, sorted by rank (unranked last, in the given order)."""
    if method not in METHODS:
        raise ScoringError(f"未知的汇总方法「{method}」（可用：{', '.join(METHODS)}）")
    records = list(records)
    order = list(dict.fromkeys(list(applications) + [r.application for r in records]))
    by_app: dict[str, list[ScoreRecord]] = {a: [] for a in order}
    for r in records:
        by_app[r.application].append(r)
    z = expert_zscores(records)
    all_totals = [r.total for r in records]
    grand_mu = sum(all_totals) / len(all_totals) if all_totals else 0.0
    grand_sd = statistics.pstdev(all_totals) if len(all_totals) > 1 else 0.0

    out = []
    for app in order:
        rs = by_app[app]
        totals = {r.expert: r.total for r in rs}
        vals = list(totals.values())
        item_means: dict[str, float] = {}
        crit_means: dict[str, float] = {}
        if rs:
            keys = list(dict.fromkeys(k for r in rs for k in r.items))
            for k in keys:
                xs = [r.items[k] for r in rs if k in r.items]
                item_means[k] = sum(xs) / len(xs)
            if template is not None:
                for c in template.criteria:
                    per_expert = [sum(r.items.get(i.key, 0.0) for i in c.items) for r in rs]
                    crit_means[c.id] = sum(per_expert) / len(per_expert)
        zs = [z[(app, r.expert)] for r in rs]
        z_mean = sum(zs) / len(zs) if zs else None
        agg = Aggregate(
            application=app, n=len(vals), totals=totals,
            mean=sum(vals) / len(vals) if vals else None,
            trimmed=trimmed_mean(vals),
            median=statistics.median(vals) if vals else None,
            zscore=(grand_mu + z_mean * grand_sd) if z_mean is not None else None,
            z_mean=z_mean,
            range=(max(vals) - min(vals)) if vals else None,
            sd=statistics.stdev(vals) if len(vals) > 1 else (0.0 if vals else None),
            item_means=item_means, criterion_means=crit_means)
        if agg.range is not None and threshold_range is not None and agg.range > threshold_range + 1e-9:
            agg.flag_reasons.append(f"极差 {fmt(agg.range)} 分超过阈值 {fmt(threshold_range)} 分")
        if agg.sd is not None and threshold_sd is not None and agg.sd > threshold_sd + 1e-9:
            agg.flag_reasons.append(f"标准差 {fmt(agg.sd)} 超过阈值 {fmt(threshold_sd)}")
        agg.flagged = bool(agg.flag_reasons)
        agg.value = getattr(agg, method)
        out.append(agg)
    ranks = competition_ranks({a.application: a.value for a in out})
    for a in out:
        a.rank = ranks[a.application]
    pos = {a.application: i for i, a in enumerate(out)}
    out.sort(key=lambda a: (a.rank is None, a.rank or 0, pos[a.application]))
    return out
