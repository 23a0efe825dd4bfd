"""What every export shares: choosing the applications, the pack's `[exports]` settings, templates,
atomic output files and progress reporting.

Selection without explicit ids (`select_documents`):
- recommendation table, member tables, application forms, submission package: the applications of
  the call whose recommendation says `recommended: true` (推荐意见: 同意推荐);
- publicity notice: the applications at the region's publicity step of the procedure (a stage
  whose id is "publicity" or whose name has 公示, e.g. Anshan 002 § 第九条4); in a region whose
  procedure has no such step, those at the step just before the decision that have no decision yet
  (拟认定: reviewed, not yet decided);
- certificates: the applications with a positive decision (认定, 示范, 试点, 批复成立, 备案) recorded by
  the lifecycle service (table `decisions`); the decision date is the recognition date.
The procedure and decisions come from alliance_desk/lifecycle/__init__.py and db/models_lifecycle.py. Where
those are not available (an older checkout), the `applications.stage` column is read with the
placeholder values of `STAGES_FOR`. Explicit `--application` ids always win.
"""
from __future__ import annotations

import os
import re
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from alliance_desk.rules.packs import Pack, get_pack
from db.session import unit_of_work

ProgressFn = Callable[[int, int, str], None]

PURPOSE_RECOMMENDED = "recommended"
PURPOSE_PUBLICITY = "publicity"
PURPOSE_RECOGNIZED = "recognized"

# Placeholder mapping of `applications.stage` values (see the module docstring).
STAGES_FOR = {
    PURPOSE_PUBLICITY: ("publicity", "公示"),
    PURPOSE_RECOGNIZED: ("recognition", "recognized", "issue", "issued", "certified", "认定"),
}


class ExportError(ValueError):
    """A refused export; the message is Chinese and says what to do. `clerk` is the same said for
    the window (display names, no ids or command-line options); the CLI prints the message."""

    def __init__(self, message: str, clerk: str | None = None):
        super().__init__(message)
        self.clerk = clerk or message


@dataclass
class ExportResult:
    path: Path
    kind: str
    count: int                      # applications (or certificates) in the file
    pages: int | None = None
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        extra = f"，{self.pages} 页" if self.pages else ""
        return f"已导出 {self.path}（{self.count} 份{extra}）"


# ------------------------------------------------------------------ pack settings

DEFAULTS = {
    "layouts": ["recommendation-table", "notice", "certificates", "package"],
    "recommendation_layout": "office",
    "recommendation_title": "",
    "recommendation_note": "本表格式由本单位拟定，可按需替换",
    "alliance_noun": "产业技术创新联盟",
    "authority": "",
    "application_form": "",
    "certificate_number": "{region_code}-{year}-{seq:03d}",
    "certificate_title": "",
    "certificate_text": "经审核，该联盟被认定为{region_name}{alliance_noun}。",
    "notice_title": "关于{year}年度{region_name}拟{scheme}{alliance_noun}名单的公示",
    "notice_intro": "经审查、评审，拟{scheme}以下{count}家{alliance_noun}，现予以公示。",
    "notice_objection": ("公示期间，任何单位和个人对公示名单有异议的，可在公示期内以书面形式向{authority}提出。"
                         "单位提出异议的，须在书面材料上加盖本单位公章；个人提出异议的，须在书面材料上签署真实姓名"
                         "并提供有效联系方式。逾期或匿名提出的异议不予受理。"),
    "notice_contact": "",
}


def settings(pack: Pack) -> dict:
    """The pack's `[exports]` section over the defaults."""
    raw = dict(pack.raw.get("exports", {}))
    out = {**DEFAULTS, **raw}
    out["authority"] = out["authority"] or pack.authority
    out["recommendation_title"] = out["recommendation_title"] or f"{pack.name}推荐汇总表"
    out["certificate_title"] = out["certificate_title"] or f"{pack.region_name}{out['alliance_noun']}"
    return out


_FIELD = re.compile(r"\{([a-z_]+)(?::(0?\d*d))?\}")


def fill(template: str, **values) -> str:
    """`{name}` and `{name:03d}` from `values`; nothing else of str.format (a pack is data, not code).
    An unknown name is left as written."""
    def sub(m: re.Match) -> str:
        key, spec = m.group(1), m.group(2)
        if key not in values:
            return m.group(0)
        v = values[key]
        if spec:
            try:
                return format(int(v), spec)
            except (TypeError, ValueError):
                return str(v)
        return str(v)
    return _FIELD.sub(sub, template)


def template_values(pack: Pack, **more) -> dict:
    s = settings(pack)
    return {"region_name": pack.region_name, "authority": s["authority"], "scheme": pack.scheme,
            "alliance_noun": s["alliance_noun"], "region": pack.id, "pack_name": pack.name,
            "region_code": s.get("region_code") or pack.id[:2].upper(), **more}


# ------------------------------------------------------------------ selection

def _order_key(doc: dict):
    return (doc.get("county") or "", doc.get("submitted_at") or "", doc.get("name") or "")


def select_documents(db, region: str, call: str | None, county: str | None = None,
                     ids: list[str] | None = None, purpose: str = PURPOSE_RECOMMENDED) -> list[dict]:
    """The applications an export is about, as exchange-format dicts."""
    from sqlalchemy import select

    from db import models as m

    from alliance_desk import store

    get_pack(region)
    with unit_of_work(db) as s:
        if ids:
            # plain rows, a few columns: thousands of chosen applications must not become ORM objects
            a = m.Application.__table__
            found = {}
            unique = list(dict.fromkeys(ids))
            for i in range(0, len(unique), 900):
                found.update((r.id, r) for r in s.execute(select(a.c.id, a.c.name, a.c.region, a.c.call_id)
                                                           .where(a.c.id.in_(unique[i:i + 900]))))
            missing = [i for i in ids if i not in found]
            if missing:
                raise ExportError("没有这些申报：" + "、".join(missing))
            wrong = [f"{found[i].name}（{found[i].region}）" for i in ids if found[i].region != region]
            if wrong:
                raise ExportError(f"以下申报不属于地区 {region}：" + "、".join(wrong))
            if call:
                wrong = [f"{found[i].name}（{found[i].call_id or '无批次'}）" for i in ids
                         if found[i].call_id != call]
                if wrong:
                    raise ExportError(f"以下申报不属于申报批次 {call}：" + "、".join(wrong))
            chosen = list(dict.fromkeys(ids))
            return list(store.iter_documents(s, chosen))
        q = select(m.Application.id).where(m.Application.region == region)
        if call:
            q = q.where(m.Application.call_id == call)
        if county:
            q = q.where(m.Application.county == county)
        if purpose == PURPOSE_RECOMMENDED:
            q = q.where(m.Application.recommendation_present.is_(True), m.Application.recommended.is_(True))
        else:
            q = _stage_filter(q, region, purpose)
        chosen = list(s.scalars(q))
        docs = list(store.iter_documents(s, sorted(chosen)))
    return sorted(docs, key=_order_key)


def _lifecycle():
    """(lifecycle module, lifecycle models) or (None, None) where the lifecycle service is absent."""
    try:
        from db import models_lifecycle as lm

        from alliance_desk import lifecycle
        lifecycle.config  # noqa: B018 - the API this module uses
        lm.Decision  # noqa: B018
        return lifecycle, lm
    except (ImportError, AttributeError):
        return None, None


def _stage_filter(q, region: str, purpose: str):
    from sqlalchemy import exists, not_

    from db import models as m

    lifecycle, lm = _lifecycle()
    if lifecycle is None:
        return q.where(m.Application.stage.in_(STAGES_FOR[purpose]))
    has_decision = exists().where(lm.Decision.application_id == m.Application.id)
    if purpose == PURPOSE_RECOGNIZED:
        positive = exists().where(lm.Decision.application_id == m.Application.id,
                                  lm.Decision.outcome.in_(lifecycle.POSITIVE))
        return q.where(positive)
    cfg = lifecycle.config(region)
    stages = [st.id for st in cfg.stages if st.id == "publicity" or "公示" in (st.name or "")]
    if stages:
        return q.where(m.Application.stage.in_(stages))
    before = cfg.stages[cfg.decision_index - 1].id if cfg.decision_index > 0 else None
    return q.where(m.Application.stage == before, not_(has_decision))


@dataclass(frozen=True)
class DecisionInfo:
    outcome: str
    decided_on: date
    doc_no: str | None


def decisions(db, ids: list[str]) -> dict[str, DecisionInfo]:
    """Positive decisions recorded for `ids` (empty where the lifecycle service is absent)."""
    from sqlalchemy import select

    lifecycle, lm = _lifecycle()
    if lifecycle is None or not ids:
        return {}
    with unit_of_work(db) as s:
        rows = s.scalars(select(lm.Decision).where(lm.Decision.application_id.in_(ids),
                                                   lm.Decision.outcome.in_(lifecycle.POSITIVE)))
        return {r.application_id: DecisionInfo(r.outcome, r.decided_on, r.doc_no) for r in rows}


def nothing_selected(purpose: str, region: str, call: str | None, county: str | None) -> ExportError:
    what = {PURPOSE_RECOMMENDED: "推荐意见为“同意推荐”的申报",
            PURPOSE_PUBLICITY: "处于公示阶段的申报",
            PURPOSE_RECOGNIZED: "已认定的申报"}[purpose]
    where = f"地区 {region}" + (f"、批次 {call}" if call else "") + (f"、{county}" if county else "")
    pack = get_pack(region)
    call_name = next((c.name for c in pack.calls if c.id == call), "所选申报批次") if call else ""
    place = pack.region_name + (f"「{call_name}」" if call else "") + (f"{county}" if county else "")
    return ExportError(f"{where}中没有{what}；可用 --application 指定申报 id",
                       clerk=f"{place}没有{what}。可在“申报”列表中勾选要导出的申报。")


# ------------------------------------------------------------------ document helpers

KIND_ZH = {"enterprise": "企业", "university": "高校", "research_institute": "科研院所",
           "industry_association": "行业协会", "intermediary": "中介机构", "financial": "金融机构",
           "testing": "检测机构", "user": "用户单位", "other": "其他"}
LEVEL_ZH = {"national": "国家级", "provincial": "省级", "municipal": "市级", "other": "其他"}
LEVEL_RANK = {"national": 0, "provincial": 1, "municipal": 2, "other": 3}
CLASS_ZH = {"leading": "领军企业", "chain_master": "链主企业", "specialized_national": "国家级专精特新企业",
            "specialized_municipal": "市级专精特新企业", "high_tech": "高新技术企业"}
TIER_ZH = {"demonstration": "示范", "pilot": "试点"}


def lead(doc: dict) -> dict:
    return next((m for m in doc["members"] if m.get("role") == "lead"), doc["members"][0])


def holder(doc: dict, body: str, role: str) -> dict | None:
    return next((h for h in doc["organization"].get(body) or [] if h.get("role") == role), None)


def contact_line(person: dict | None) -> str:
    if not person:
        return ""
    phones = " ".join(x for x in (person.get("phone"), person.get("mobile")) if x)
    return " ".join(x for x in (person.get("name"), phones) if x)


def num(v):
    """Numbers as numbers (2.0 -> 2); None stays None."""
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def fmt_num(v) -> str:
    v = num(v)
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)


def common_value(docs: list[dict], getter) -> str:
    values = {getter(d) for d in docs} - {None, ""}
    return values.pop() if len(values) == 1 else ""


# ------------------------------------------------------------------ output

@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Write to a temporary file beside `path`; it replaces `path` only if the block succeeds, so a
    cancelled or failed export never leaves a half-written file."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def report(progress: ProgressFn | None, done: int, total: int, text: str = "") -> None:
    """Report progress; a cancelling UI raises from inside `progress` to stop the export."""
    if progress is not None:
        progress(done, total, text)
