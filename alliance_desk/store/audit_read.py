"""Reading the audit trail: its rows as `AuditRow`s (payloads decompressed) and one Chinese line
per row for the history the clerk sees, with the labels of actions, entities and fields.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from db.session import unit_of_work

from alliance_desk.store.audit_record import load_text


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
