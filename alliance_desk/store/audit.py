"""The audit trail: who changed what, when, before and after — append-only and hash-chained.

One helper records every change, inside the caller's transaction (so the record lands with the
change or not at all):

    audit.record(session, actor, action, entity, entity_id, before, after)

`before`/`after` are JSON-able values (dicts, lists, dates …) or None ("nothing before" /
"nothing after"). Each row stores `hash = sha256(prev_hash + canonical JSON of the row)` where the
canonical JSON holds id, at, actor, action, entity, entity_id, application_id, before and after
(the latter two as the exact text stored). Row ids run 1, 2, 3 … without gaps; `audit_head` keeps
the newest id and hash. `verify(db)` walks the chain and reports the first broken link: an edited
row (its hash no longer matches), a deleted row (a gap, or the next row's prev_hash no longer
matches), rows cut off the end (the head does not match). The table itself refuses UPDATE and
DELETE (triggers added by migration 0005).

For applications the payload is compact: a created application stores the whole document
(`{"document": …}`), an update stores only the changed leaves (`{"changes": {path: value}}` on
each side; a path absent on one side did not exist there), a deletion stores the whole document
before. Imports add `"source"` (file and entry) to `after`.

No Qt. Actor: the service's explicit `by`/`actor` argument when it has one, else
`default_actor()` (the operating-system user).
"""
from __future__ import annotations

import base64
import getpass
import hashlib
import json
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Iterator
from db.session import unit_of_work

GENESIS = "0" * 64

ACTION_LABELS = {
    "create": "新建", "update": "修改", "delete": "删除", "import": "导入", "confirm": "人工确认",
    "unconfirm": "撤销确认", "stage": "办理程序", "decide": "作出决定", "record": "登记", "delete_record": "删除登记",
    "score": "评分", "delete_score": "删除评分", "declare_conflict": "声明回避", "package_import": "导入上报包",
    "restore": "恢复数据库", "add_call": "新增", "anchor": "登记现状", "owner_transfer": "移交",
    "older_accepted": "确认导入较早文件", "calendar_year": "设置", "calendar_remove": "删除",
    "key_generate": "生成", "key_trust": "登记", "key_untrust": "移除",
    "expert_add": "新增", "expert_update": "修改", "round_create": "新建", "round_update": "修改",
    "round_applications": "调整", "round_experts": "加入", "expert_role": "调整", "expert_remove": "移出",
    "assign": "分配", "unassign": "取消分配", "auto_assign": "自动分配", "draw": "随机抽取",
    "edit_call": "修改", "close_call": "关闭", "reopen_call": "重新开放",
    "pack_version_add": "新建", "pack_version_import": "导入",
    "override": "强制列入",
}
LABELS = {
    "create": "新建申报", "update": "修改申报", "delete": "删除申报", "import": "导入申报", "confirm": "人工确认",
    "unconfirm": "撤销人工确认", "stage": "办理步骤", "decide": "作出决定", "record": "认定后登记",
    "delete_record": "删除登记", "score": "专家评分", "delete_score": "删除评分", "declare_conflict": "声明回避",
    "package_import": "导入上报包", "restore": "恢复数据库", "add_call": "新增申报批次",
    "anchor": "登记申报现状", "owner_transfer": "移交申报归属", "older_accepted": "确认导入较早的文件",
    "calendar_year": "设置节假日日历", "calendar_remove": "删除节假日日历年度",
    "key_generate": "生成本单位签名密钥", "key_trust": "登记可信公钥", "key_untrust": "移除可信公钥",
    "expert_add": "新增评审专家", "expert_update": "修改专家信息", "round_create": "新建评审轮次",
    "round_update": "修改评审轮次", "round_applications": "调整评审申报", "round_experts": "加入评审专家",
    "expert_role": "调整专家角色", "expert_remove": "移出评审专家", "assign": "分配评审专家",
    "unassign": "取消分配", "auto_assign": "自动分配评审专家", "draw": "随机抽取专家",
    "edit_call": "修改申报批次", "close_call": "关闭申报批次", "reopen_call": "重新开放申报批次",
    "pack_version_add": "新建规则包版本", "pack_version_import": "导入规则包版本",
    "override": "强制列入公文",
}
ENTITY_LABELS = {
    "application": "申报", "confirmation": "人工确认项", "stage_transition": "办理步骤", "decision": "决定",
    "obligation_record": "认定后登记", "review_score": "专家评分", "package": "上报包", "database": "数据库",
    "call": "申报批次", "calendar": "节假日日历", "office_key": "本单位签名密钥", "trusted_key": "可信公钥",
    "application_owner": "申报归属", "review_expert": "评审专家", "review_round": "评审轮次", "review_assignment": "评审分配",
    "pack_version": "规则包版本",
}


def default_actor() -> str:
    """The operating-system user (never raises)."""
    try:
        return getpass.getuser() or "unknown"
    except Exception:  # noqa: BLE001 - no USER/LOGNAME and no pwd entry (containers, services)
        return "unknown"


def _default(value: Any):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=repr)
    if isinstance(value, bytes):
        return value.hex()
    raise TypeError(f"{type(value).__name__} is not JSON-able")


def canonical_json(value: Any) -> str | None:
    """Stable text of a value: sorted keys, no spaces, UTF-8 characters kept. None stays None."""
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_default)


COMPRESS_OVER = 4096   # stored payload texts longer than this are compressed ("z1:" + base64(zlib))


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def store_text(value: Any) -> str | None:
    """How a payload is stored: canonical JSON, compressed when long. None stays None."""
    text = canonical_json(value)
    if text is None or len(text) <= COMPRESS_OVER:
        return text
    return "z1:" + base64.b64encode(zlib.compress(text.encode("utf-8"), 1)).decode("ascii")


def load_text(stored: str | None) -> Any:
    """The payload value of a stored text (see store_text)."""
    if stored is None:
        return None
    try:
        if stored.startswith("z1:"):
            stored = zlib.decompress(base64.b64decode(stored[3:])).decode("utf-8")
        return json.loads(stored)
    except (ValueError, zlib.error):
        return stored


def row_text(id_: int, at: str, actor: str, action: str, entity: str, entity_id: str, application_id: str | None,
             before: str | None, after: str | None) -> str:
    """The canonical JSON of a row as stored: its fields (before/after as the stored texts) with
    sorted keys and no spaces."""
    return (f'{{"action":{_j(action)},"actor":{_j(actor)},"after":{_j(after)},'
            f'"application_id":{_j(application_id)},"at":{_j(at)},"before":{_j(before)},'
            f'"entity":{_j(entity)},"entity_id":{_j(entity_id)},"id":{int(id_)}}}')


def row_hash(prev_hash: str, text: str) -> str:
    """sha256(prev_hash + canonical JSON of the row), hex."""
    return hashlib.sha256((prev_hash + text).encode("utf-8", "surrogatepass")).hexdigest()


def _now_text() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def record(session, actor: str | None, action: str, entity: str, entity_id: Any, before: Any, after: Any, *,
           application_id: str | None = None) -> int:
    """Append one audit row inside the caller's transaction; returns its id.

    `application_id` (for the per-application history) defaults to `entity_id` when the entity
    is an application."""
    return record_many(session, [(actor, action, entity, entity_id, before, after, application_id)])[0]


def record_many(session, entries: list[tuple]) -> list[int]:
    """`record` for many rows at once (bulk imports): entries are (actor, action, entity,
    entity_id, before, after, application_id); one read of the head, one insert, one head update."""
    from sqlalchemy import insert, select, update

    from db.models_audit import AuditEntry, AuditHead

    if not entries:
        return []
    H = AuditHead.__table__
    # FOR UPDATE serialises appenders on PostgreSQL; SQLite has one writer anyway
    head = session.execute(select(H.c.last_id, H.c.last_hash).where(H.c.id == 1).with_for_update()).first()
    last_id, last_hash = (head[0], head[1]) if head is not None else (0, GENESIS)
    at = _now_text()
    who = default_actor()
    rows, ids = [], []
    for actor, action, entity, entity_id, before, after, application_id in entries:
        actor = (actor or "").strip() or who
        entity_id = str(entity_id)
        if application_id is None and entity == "application":
            application_id = entity_id
        last_id += 1
        b, a = store_text(before), store_text(after)
        digest = row_hash(last_hash, row_text(last_id, at, actor, action, entity, entity_id, application_id, b, a))
        rows.append({"id": last_id, "at": at, "actor": actor, "action": action, "entity": entity,
                     "entity_id": entity_id, "application_id": application_id, "before": b, "after": a,
                     "prev_hash": last_hash, "hash": digest})
        ids.append(last_id)
        last_hash = digest
    session.execute(insert(AuditEntry.__table__), rows)
    _anchor(session, rows)
    if head is None:
        session.execute(insert(H).values(id=1, last_id=last_id, last_hash=last_hash))
    else:
        session.execute(update(H).where(H.c.id == 1).values(last_id=last_id, last_hash=last_hash))
    return ids


def _anchor(session, rows: list[dict]) -> None:
    """Each changed application's row carries the chain position and hash of its newest audit row:
    a trail cut short, wiped or rewritten no longer matches the applications (see trust.py)."""
    from sqlalchemy import bindparam, update

    from db.models import Application

    newest: dict[str, dict] = {}
    for r in rows:
        if r["entity"] == "application" and r["after"] is not None:
            newest[r["entity_id"]] = {"b_app": r["entity_id"], "b_id": r["id"], "b_hash": r["hash"]}
    if newest:
        A = Application.__table__
        session.execute(update(A).where(A.c.id == bindparam("b_app"))
                        .values(audit_id=bindparam("b_id"), audit_hash=bindparam("b_hash")),
                        list(newest.values()))


# ------------------------------------------------------------------ documents: compact diff

def _flatten(value: Any, path: str, out: dict) -> None:
    if isinstance(value, dict) and value:
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list) and value:
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{i}]", out)
    elif value is not None:  # null and absent mean the same in the exchange format
        out[path] = value


def document_diff(old: dict, new: dict) -> tuple[dict, dict]:
    """Only the leaves that differ: ({path: old value}, {path: new value}); a path missing on one
    side did not exist there (e.g. a member added or removed)."""
    a: dict = {}
    b: dict = {}
    _flatten(old, "", a)
    _flatten(new, "", b)
    def same(x, y) -> bool:  # 5 == 5.0 (canonical form drops the .0), but True is not 1
        return x == y and isinstance(x, bool) == isinstance(y, bool)

    before = {k: v for k, v in a.items() if k not in b or not same(v, b[k])}
    after = {k: v for k, v in b.items() if k not in a or not same(v, a[k])}
    return before, after


def snapshots(session, app_ids: list[str]) -> dict[str, dict]:
    """The stored applications among `app_ids` as documents (canonical), read inside the caller's
    transaction in one batch, leaving the session's objects attached."""
    if not app_ids:
        return {}
    from itertools import islice

    from alliance_desk import store

    # one batch holding every id: iter_documents expunges its objects only after a batch, and
    # closing the generator after the last document stops it before that point
    gen = store.iter_documents(session, list(app_ids), batch=len(app_ids))
    try:
        return {d["id"]: d for d in islice(gen, len(app_ids))}
    finally:
        gen.close()


def snapshot(session, app_id: str) -> dict | None:
    return snapshots(session, [app_id]).get(app_id)


def application_change(old: dict | None, new: dict, source: str | None = None, *, imported: bool = False,
                       version: int | None = None) -> tuple[Any, Any] | None:
    """(before, after) payloads for saving `new`.

    Imported documents are kept whole (`{"document": …, "source": …}`); an import over an existing
    application also says what it changed: before `{"version": n, "changes": …}` (the replaced
    version and its old values), after `"changes"` (the new values). Saves from the editor keep a
    compact diff against `old` (the stored document), or the whole document when it is new; None
    when nothing changed."""
    if imported:
        after = {"document": new, **({"source": source} if source else {})}
        if version is None:
            return None, after
        before: dict = {"version": version}
        if old is not None:
            old_values, new_values = document_diff(old, new)
            before["changes"], after["changes"] = old_values, new_values
        return before, after
    if old is None:
        return None, {"document": new}
    before, after = document_diff(old, new)
    if not before and not after:
        return None
    return {"changes": before}, {"changes": after}


# ------------------------------------------------------------------ reading

@dataclass
class AuditRow:
    id: int
    at: str
    actor: str
    action: str
    entity: str
    entity_id: str
    application_id: str | None
    before: Any
    after: Any
    hash: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def label(self) -> str:
        """What happened, in a few Chinese words (修改申报, 办理步骤 …)."""
        return LABELS.get(self.action, f"{self.action_label}{self.entity_label}")

    @property
    def entity_label(self) -> str:
        return ENTITY_LABELS.get(self.entity, self.entity)

    def summary(self, limit: int = 5) -> str:
        return describe(self, limit)

    def as_dict(self) -> dict:
        return {"id": self.id, "at": self.at, "actor": self.actor, "action": self.action, "entity": self.entity,
                "entity_id": self.entity_id, "application_id": self.application_id, "before": self.before,
                "after": self.after, "hash": self.hash}


_load = load_text


def history(db, application_id: str | None = None, limit: int | None = None, newest_first: bool = False
            ) -> list[AuditRow]:
    """Audit rows, oldest first (or newest first), of one application or of everything."""
    from sqlalchemy import select

    from db.models_audit import AuditEntry as E

    q = select(E)
    if application_id is not None:
        q = q.where(E.application_id == application_id)
    q = q.order_by(E.id.desc() if newest_first else E.id)
    if limit is not None:
        q = q.limit(limit)
    with unit_of_work(db) as s:
        return [AuditRow(r.id, r.at, r.actor, r.action, r.entity, r.entity_id, r.application_id,
                         _load(r.before), _load(r.after), r.hash) for r in s.scalars(q)]


def _short(value: Any, n: int = 40) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[:n - 1] + "…"


#: field names of experts and review rounds in the history
FIELD_NAMES = {"name": "名称", "unit": "单位", "unit_uscc": "单位统一社会信用代码", "field": "专业领域", "title": "职称",
               "phone": "电话", "note": "备注", "active": "在库", "deadline": "截止时间", "method": "汇总方法",
               "threshold_range": "极差阈值", "threshold_sd": "标准差阈值", "per_application": "每份专家数",
               "year": "年度", "doc_no": "通知文号", "doc_date": "通知日期", "county_deadline": "县区报送截止",
               "publicity_on": "公示日期", "decision_on": "决定日期", "pack_version": "规则包版本"}


def _change_parts(old: dict, new: dict, limit: int) -> list[str]:
    parts = []
    keys = list(dict.fromkeys(list(old) + list(new)))
    for k in keys[:limit]:
        if k not in old:
            parts.append(f"{k}：新增 {_short(new[k])}")
        elif k not in new:
            parts.append(f"{k}：删除 {_short(old[k])}")
        else:
            parts.append(f"{k}：{_short(old[k])} → {_short(new[k])}")
    if len(keys) > limit:
        parts.append(f"等 {len(keys)} 处")
    if not keys:
        parts.append("内容无变化")
    return parts


def describe(row: AuditRow, limit: int = 5) -> str:
    """One Chinese line saying what changed."""
    before, after = row.before, row.after
    b = before if isinstance(before, dict) else {}
    a = after if isinstance(after, dict) else {}
    parts: list[str] = []
    if "document" in a:
        doc = a["document"] if isinstance(a["document"], dict) else {}
        if row.action == "import":
            replaced = f"（替换第 {b['version']} 版）" if "version" in b else "（新增）"
            parts.append(f"导入「{_short(doc.get('name', ''))}」{replaced}")
            if "changes" in b or "changes" in a:
                parts.extend(_change_parts(b.get("changes") or {}, a.get("changes") or {}, limit))
        elif row.action == "anchor":   # upgrading a database: the trail records what was already there
            parts.append(f"升级时登记已有申报「{_short(doc.get('name', ''))}」的现状")
        else:
            parts.append(f"新建「{_short(doc.get('name', ''))}」")
    elif "document" in b and after is None:
        doc = b["document"] if isinstance(b["document"], dict) else {}
        parts.append(f"删除「{_short(doc.get('name', ''))}」")
    elif "changes" in a or "changes" in b:
        parts.extend(_change_parts(b.get("changes") or {}, a.get("changes") or {}, limit))
    elif row.action == "stage":
        parts.append(f"{b.get('stage') or '开始'} → {a.get('stage')}（{a.get('on')}，{a.get('by')}）")
        if a.get("note"):
            parts.append(_short(a["note"]))
    elif row.action == "decide":
        parts.append(f"{a.get('outcome')}，{a.get('decided_on')}" + (f"，文号 {a['doc_no']}" if a.get("doc_no") else ""))
    elif row.action == "record":
        extra = "".join(f"，{k} {a[k]}" for k in ("result", "score", "period") if a.get(k) is not None)
        parts.append(f"{a.get('label') or a.get('kind')}，{a.get('on')}{extra}")
    elif row.action in ("score", "declare_conflict"):
        what = f"总分 {a.get('total')}" if row.action == "score" else f"回避：{_short(a.get('reason', ''))}"
        old = f"（原总分 {b['total']}）" if b.get("total") is not None else ""
        parts.append(f"{a.get('expert_name', '')} {what}{old}，来源 {a.get('source_name') or a.get('source')}")
    elif row.action in ("confirm", "unconfirm"):
        x = a or b
        parts.append(f"{x.get('rule')}：{x.get('outcome')}" + (f"（{_short(x['note'])}）" if x.get("note") else ""))
    elif row.action == "package_import":
        parts.append(f"{a.get('sender')} 的上报包 {a.get('file')}，{len(a.get('applications') or [])} 份申报")
        if a.get("older_accepted"):
            parts.append(f"经确认导入较早的包：{_short(a['older_accepted'], 80)}")
    elif row.action == "add_call":
        deadline = str(a.get("deadline") or "未设").replace("T", " ")[:16]
        parts.append(f"「{_short(a.get('name', ''))}」（{row.entity_id}），截止 {deadline}")
    elif row.action in ("close_call", "reopen_call"):
        parts.append(f"「{_short(a.get('name', ''))}」（{row.entity_id}）")
    elif row.action in ("pack_version_add", "pack_version_import"):
        parts.append(f"「{_short(a.get('label', ''))}」（{a.get('notice')}），{a.get('region')}")
    elif row.action in ("calendar_year", "calendar_remove"):
        x = a or b
        what = f"{row.entity_id} 年：节假日 {len(x.get('holidays') or {})} 天、调休上班 {len(x.get('workdays') or {})} 天"
        parts.append(what + ("（删除）" if row.action == "calendar_remove" else ""))
        if b and a:
            old_h, new_h = set(b.get("holidays") or {}), set(a.get("holidays") or {})
            old_w, new_w = set(b.get("workdays") or {}), set(a.get("workdays") or {})
            for label, days in (("新增节假日", new_h - old_h), ("取消节假日", old_h - new_h),
                                ("新增调休上班", new_w - old_w), ("取消调休上班", old_w - new_w)):
                if days:
                    parts.append(f"{label} {'、'.join(sorted(days)[:limit])}" + ("等" if len(days) > limit else ""))
    elif row.action in ("key_generate", "key_trust", "key_untrust"):
        from alliance_desk.exchange.adpkg import short_fingerprint

        x = a or b
        parts.append(f"{x.get('office')}，指纹 {short_fingerprint(str(row.entity_id))}…")
        if row.action == "key_generate" and b:
            parts.append(f"替换原密钥 {short_fingerprint(str(b.get('fingerprint')))}…（{b.get('office')}）")
        if row.action == "key_trust" and b:
            parts.append(f"原登记为 {b.get('office')}")
    elif row.action in ("expert_add", "expert_update", "round_update", "edit_call"):
        old, new = b or {}, a or {}
        for k in list(dict.fromkeys(list(new) + list(old)))[:limit]:
            name = FIELD_NAMES.get(k, k)
            parts.append(f"{name}：{_short(old[k])} → {_short(new.get(k))}" if k in old else f"{name}：{_short(new[k])}")
    elif row.action == "round_create":
        from alliance_desk.rules.packs import all_packs
        from alliance_desk.review.scoring import METHOD_LABELS

        region = getattr(all_packs().get(a.get("region")), "region_name", a.get("region"))
        parts.append(f"「{_short(a.get('name', ''))}」，{region}，{len(a.get('applications') or [])} 份申报，"
                     f"每份 {a.get('per_application')} 位专家，{METHOD_LABELS.get(a.get('method'), a.get('method'))}")
    elif row.action == "round_applications":
        parts.append(f"共 {a.get('count')} 份；加入 {len(a.get('added') or [])} 份，移出 {len(b.get('removed') or [])} 份")
    elif row.action in ("round_experts", "expert_role", "expert_remove"):
        x = a or b
        who = x.get("experts") or [x.get("expert")]
        parts.append(f"{len(who)} 位专家" + (f"，{x.get('role')}" if x.get("role") else ""))
    elif row.action in ("assign", "unassign"):
        parts.append(f"专家 {(a or b).get('expert')}")
    elif row.action == "auto_assign":
        parts.append(f"每份 {a.get('per_application')} 位，新分配 {len(a.get('added') or [])} 对"
                     + (f"，因回避撤销 {len(b.get('removed') or [])} 对" if b.get("removed") else ""))
    elif row.action == "draw":
        parts.append(f"第 {a.get('draw')} 次抽取，种子 {a.get('seed')}，从 {a.get('candidates')} 位中抽取 "
                     f"{a.get('count')} 位正式、{a.get('reserves')} 位备选")
    elif row.action == "owner_transfer":
        parts.append(f"{b.get('office')} → {a.get('office')}" + (f"（{_short(a['note'])}）" if a.get("note") else ""))
    elif row.action == "older_accepted":
        parts.append(f"{a.get('file')}：{_short(a.get('undone', ''), 80)}")
    elif row.action == "override":
        parts.append(f"强制列入{a.get('paper')}（{'；'.join(a.get('refused') or [])}），理由：{_short(a.get('reason', ''), 80)}")
    elif row.action == "restore":
        parts.append(f"从 {a.get('restored_from')} 恢复；原数据库另存为 {b.get('replaced_kept_as')}")
    else:
        shown = a or b
        for k, v in list(shown.items())[:limit]:
            if k in ("source",):
                continue
            parts.append(f"{k}={_short(v, 30)}")
    if a.get("source") and row.entity != "calendar":  # a calendar's source is library/office, said above
        parts.append(f"来源：{_short(a['source'], 80)}")
    return "；".join(parts)


# ------------------------------------------------------------------ verification

@dataclass
class VerifyResult:
    ok: bool
    checked: int
    head_hash: str
    broken_id: int | None = None
    broken_at: str | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    applications: bool = False    # the chain is whole but applications do not match it

    def text(self) -> str:
        if self.ok:
            lines = [f"审计记录完整：共 {self.checked} 条，哈希链无断裂；最新哈希 {self.head_hash}"]
        elif self.applications:
            lines = [f"审计记录与申报数据不符（哈希链本身 {self.checked} 条完整）：{self.reason}"]
        else:
            where = f"第 {self.broken_id} 条" if self.broken_id else "链尾"
            at = f"（{self.broken_at}）" if self.broken_at else ""
            lines = [f"审计记录在{where}{at}处断裂：{self.reason}；此前 {self.checked} 条完整"]
        return "\n".join(lines + self.notes)


def changes_after(session, after: int | None, limit: int = 200) -> tuple[int, list[tuple[str | None, str]] | None]:
    """(newest audit id, [(application id, entity) of every row after `after`]) — every change to the
    data appends a row, so a seat polls this to learn what other seats changed. The list is None
    when `after` is None (first look), more than `limit` rows came in, or the trail went back (a
    backup was restored): then reload everything."""
    from sqlalchemy import select

    from db.models_audit import AuditEntry as E, AuditHead as H

    head = session.scalar(select(H.last_id).where(H.id == 1)) or 0
    if after is None:
        return head, None
    if head == after:
        return head, []
    if head < after or head - after > limit:  # went back (a restored backup) or a burst: reload all
        return head, None
    rows = session.execute(select(E.application_id, E.entity).where(E.id > after, E.id <= head).order_by(E.id))
    return head, [(a, e) for a, e in rows]


def _rows(session) -> Iterator:
    from sqlalchemy import select

    from db.models_audit import AuditEntry as E

    cols = (E.id, E.at, E.actor, E.action, E.entity, E.entity_id, E.application_id, E.before, E.after,
            E.prev_hash, E.hash)
    yield from session.execute(select(*cols).order_by(E.id).execution_options(yield_per=2000))


def _protection_notes(session) -> list[str]:
    try:
        if session.get_bind().dialect.name != "sqlite":
            return []
        names = {n for (n,) in session.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_log'")}
    except Exception:  # noqa: BLE001 - a note, never a failure of the check itself
        return []
    if {"audit_log_no_update", "audit_log_no_delete"} <= names:
        return []
    return ["注意：审计表的只可追加保护（触发器）已被移除"]


def verify(db) -> VerifyResult:
    """Walk the whole chain; report the first broken link (an edited, inserted or deleted row, or
    rows cut off the end); then check every application against it (anchors.application_problems:
    a trail cut short or wiped, or an application changed outside the app)."""
    result = _verify_chain(db)
    if not result.ok:
        return result
    from alliance_desk.store.anchors import application_problems

    with unit_of_work(db) as s:
        problems = application_problems(s, result.checked)
    if problems:
        return VerifyResult(False, result.checked, result.head_hash, None, None, problems[0],
                            result.notes + problems[1:], applications=True)
    return result


def _verify_chain(db) -> VerifyResult:
    from sqlalchemy import select

    from db.models_audit import AuditHead as H

    expected_id, prev, checked, prev_at = 1, GENESIS, 0, None
    with unit_of_work(db) as s:
        notes = _protection_notes(s)
        for r in _rows(s):
            rid, at, actor, action, entity, entity_id, app_id, before, after, prev_hash, digest = r
            if rid != expected_id:
                what = f"第 {expected_id} 至 {rid - 1} 条" if rid - 1 > expected_id else f"第 {expected_id} 条"
                return VerifyResult(False, checked, prev, expected_id, prev_at,
                                    f"记录被删除：缺少{what}（上一条完整记录的时间 {prev_at or '—'}）", notes)
            if prev_hash != prev:
                return VerifyResult(False, checked, prev, rid, at,
                                    "本条的前一哈希与上一条记录不符（上一条被改动或删除，或本条是插入的）", notes)
            if row_hash(prev_hash, row_text(rid, at, actor, action, entity, entity_id, app_id, before, after)) != digest:
                return VerifyResult(False, checked, prev, rid, at, "本条内容与其哈希不符（写入后被改动）", notes)
            prev, prev_at, checked, expected_id = digest, at, checked + 1, rid + 1
        head = s.execute(select(H.last_id, H.last_hash).where(H.id == 1)).first()
    if head is None:
        if checked:
            return VerifyResult(False, checked, prev, None, prev_at, "链头记录（audit_head）缺失", notes)
        return VerifyResult(True, 0, GENESIS, notes=notes)
    if head[0] != expected_id - 1 or head[1] != prev:
        if head[0] > expected_id - 1:
            return VerifyResult(False, checked, prev, expected_id, prev_at,
                                f"链尾记录被删除：缺少第 {expected_id} 至 {head[0]} 条", notes)
        return VerifyResult(False, checked, prev, expected_id - 1 if checked else None, prev_at,
                            "链头记录（audit_head）与最后一条记录不符：其后的记录是插入的，或链头被改动", notes)
    return VerifyResult(True, checked, prev, notes=notes)
