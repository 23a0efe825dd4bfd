"""Pack versions: an office's revision of its region's pack after a revised notice.

A version is the shipped pack's TOML text, kept whole, plus a list of changes to its parameters
(minimum members, agreement years, copies of a material, the industries list, publicity days,
validity years …), each with the new notice's clause. It is loaded through the same loader and
validation as a shipped pack (`packs.pack_from_text`), so whatever rule kinds that loader knows
flow into it, and a version it cannot load is refused with the file, the line and the reason.

Each call names the version that judges it (`calls.adopt_version`); `pack_for_call` is the one
place that answers "which pack judges this call" — with a label and a digest that change exactly
when the verdicts could. Versions live in the database (the user's data), never in the install
folder, and travel between offices as signed .adpkg files (kind "pack_version"). No Qt.
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

from alliance_desk.store.docread import iter_documents
from alliance_desk.store.judging import _confirmations, calls_for
from alliance_desk.store.office_keys import private_key, trusted_sender
from alliance_desk.store.pack_revision import (  # noqa: F401  (re-exported)
    FORMAT_VERSION, KIND, ENTRY_NAMES, Param, VersionInfo, _LOADED, _build_row, _cite, _digest, _int,
    _where, apply_changes, build, call_pack, describe_path, load_version, pack_for_call, parameters,
    shipped_text, version_label)


def _info(row: PackVersion) -> VersionInfo:
    try:
        changes = json.loads(row.changes)
    except ValueError:
        changes = []
    return VersionInfo(row.id, row.region, row.label, row.notice, row.notice_date, changes, row.digest,
                       row.created_at, row.created_by, row.source)


def list_versions(db, region: str | None = None) -> list[VersionInfo]:
    with unit_of_work(db) as s:
        q = select(PackVersion).order_by(PackVersion.region, PackVersion.created_at, PackVersion.id)
        if region:
            q = q.where(PackVersion.region == region)
        return [_info(r) for r in s.scalars(q)]


def broken_versions(db) -> list[str]:
    """One line per stored version that cannot be loaded (the app still starts on the shipped packs)."""
    out = []
    with unit_of_work(db) as s:
        for row in s.scalars(select(PackVersion)):
            try:
                load_version(s, row.id)
            except PackError as exc:
                out.append(str(exc))
    return out


def _new_id(s, region: str, notice_date: date | None) -> str:
    base = f"{region}-v{(notice_date or date.today()).year}"
    taken = set(s.scalars(select(PackVersion.id).where(PackVersion.id.like(f"{base}%"))))
    n = 1
    while f"{base}.{n}" in taken:
        n += 1
    return f"{base}.{n}"


def base_of(db, region: str, from_version: str | None) -> tuple[str, list[dict], Pack]:
    """(base TOML, changes so far, pack) to derive from: the shipped pack, or a stored version (a
    revision of a revision keeps the earlier changes and adds its own)."""
    if not from_version:
        return shipped_text(region), [], get_pack(region)
    with unit_of_work(db) as s:
        row = s.get(PackVersion, from_version)
        if row is None or row.region != region:
            raise PackError(f"没有{get_pack(region).region_name}的规则包版本「{from_version}」")
        earlier = [{**c, "notice": c.get("notice") or row.notice} for c in json.loads(row.changes)]
        return row.base_text, earlier, load_version(s, from_version)


def derive(db, region: str, label: str, notice: str, changes: list[dict], notice_date: date | None = None,
           by: str | None = None, base_text: str | None = None, from_version: str | None = None) -> VersionInfo:
    """Validate and store a new version of `region`'s pack: the shipped pack (or `base_text`, or the
    stored version `from_version`) with `changes`."""
    label, notice = (label or "").strip(), (notice or "").strip()
    if not label:
        raise PackError("请填写版本名称")
    if from_version:
        base_text, earlier, _ = base_of(db, region, from_version)
        changes = earlier + list(changes)
    base_text = base_text if base_text is not None else shipped_text(region)
    pack = build(region, base_text, changes, notice, label, f"规则包版本「{label}」")
    with unit_of_work(db, write=True) as s:
        vid = _new_id(s, region, notice_date)
        row = PackVersion(id=vid, region=region, label=label, notice=notice, notice_date=notice_date,
                          format_version=FORMAT_VERSION, base_text=base_text,
                          changes=json.dumps(changes, ensure_ascii=False), digest=pack.digest,
                          created_at=datetime.now().replace(microsecond=0), created_by=by or audit.default_actor(),
                          source="本单位制定")
        s.add(row)
        audit.record(s, by, "pack_version_add", "pack_version", vid, None,
                     {"region": region, "label": label, "notice": notice, "changes": changes, "digest": pack.digest})
        return _info(row)


# ------------------------------------------------------------------ test bench

@dataclass
class BenchRow:
    application: str
    name: str
    old_eligible: bool
    new_eligible: bool
    changed: list[tuple[str, str, str, str, str]]  # (rule, old status, new status, new message, clause)


@dataclass
class Bench:
    call_id: str | None
    call_name: str
    old_label: str
    new_label: str
    checked: int
    rows: list[BenchRow]  # only the applications whose verdict or items differ


def latest_call(db, region: str) -> str | None:
    """The region's newest call that has applications (the one a revision is tried on)."""
    from alliance_desk.store.calls import list_calls

    with_apps = [c for c in list_calls(db, region) if c.applications]
    with_apps.sort(key=lambda c: (c.year or 0, c.deadline or datetime.min, c.id), reverse=True)
    return with_apps[0].id if with_apps else None


def bench(db, region: str, new_pack: Pack, call_id: str | None = None) -> Bench:
    """The applications of `call_id` (default: the latest call) judged by the pack that judges them
    now and by `new_pack`; the differences, before anything is adopted."""
    from alliance_desk.rules.engine import evaluate

    call_id = call_id or latest_call(db, region)
    rows: list[BenchRow] = []
    with unit_of_work(db) as s:
        call = s.get(m.Call, call_id) if call_id else None
        old_pack = pack_for_call(s, region, call_id)
        calls = calls_for(s, region)
        ids = list(s.scalars(select(m.Application.id).where(m.Application.region == region,
                                                            m.Application.call_id == call_id)))
        docs = list(iter_documents(s, ids))
        for doc in docs:
            confs = _confirmations(s, doc["id"])
            old = evaluate(doc, pack=old_pack, calls=calls, confirmations=confs)
            new = evaluate(doc, pack=new_pack, calls=calls, confirmations=confs)
            before = {i.rule: i.status for i in old.items}
            changed = [(i.rule, before.get(i.rule, "—"), i.status, i.message, i.clause)
                       for i in new.items if before.get(i.rule) != i.status]
            if changed or old.eligible != new.eligible:
                rows.append(BenchRow(doc["id"], doc["name"], old.eligible, new.eligible, changed))
    rows.sort(key=lambda r: r.old_eligible == r.new_eligible)  # changed verdicts first
    return Bench(call_id, call.name if call else "（无申报批次）", old_pack.version_label, new_pack.version_label,
                 len(docs), rows)


# ------------------------------------------------------------------ signed exchange between offices

def export_version(db, version_id: str, out: str | Path) -> dict:
    """Write the version as a signed .adpkg file (this office's key); returns the manifest."""
    office, key = private_key(db)
    with unit_of_work(db) as s:
        row = s.get(PackVersion, version_id)
        if row is None:
            raise PackError(f"没有规则包版本「{version_id}」")
        meta = {"format_version": row.format_version, "id": row.id, "region": row.region, "label": row.label,
                "notice": row.notice, "notice_date": row.notice_date.isoformat() if row.notice_date else None,
                "changes": json.loads(row.changes), "digest": row.digest}
        entries = {"pack.toml": row.base_text.encode("utf-8"),
                   "version.json": (json.dumps(meta, ensure_ascii=False, indent=2) + "\n").encode("utf-8")}
    return adpkg.write_package(out, KIND, office, entries, key, {"region": meta["region"], "label": meta["label"]})


def import_version(db, path: str | Path, by: str | None = None) -> VersionInfo:
    """Verify signature, sender and content, then store the version (the same file twice: once)."""
    try:
        pkg = adpkg.read_package(path, kind=KIND, names=ENTRY_NAMES)
    except adpkg.PackageError as exc:
        raise PackError(str(exc)) from None
    label = pkg.path.name
    sender = trusted_sender(db, pkg.key_fingerprint)
    if sender is None:
        raise PackError(f"{label}：发送单位「{pkg.sender}」的公钥（指纹 {adpkg.short_fingerprint(pkg.key_fingerprint)}）"
                        "未登记为可信：请核对指纹后用 alliance-desk keys trust 登记其公钥文件")
    try:
        meta = pkg.json("version.json")
        base_text = pkg.entries["pack.toml"].decode("utf-8")
    except (adpkg.PackageError, KeyError, UnicodeDecodeError) as exc:
        raise PackError(f"{label}：内容不完整或无法读取（{exc}）") from None
    need = ("format_version", "id", "region", "label", "notice", "changes", "digest")
    missing = [k for k in need if k not in meta]
    if missing:
        raise PackError(f"{label}:version.json：缺少 {'、'.join(missing)}")
    region = str(meta["region"])
    get_pack(region)
    nd = date.fromisoformat(meta["notice_date"]) if meta.get("notice_date") else None
    pack = build(region, base_text, meta["changes"], meta["notice"], meta["label"], f"{label}:pack.toml",
                 str(meta["id"]), int(meta["format_version"]))
    if pack.digest != meta["digest"]:
        raise PackError(f"{label}:version.json：摘要与内容不符")
    with unit_of_work(db, write=True) as s:
        row = s.get(PackVersion, meta["id"])
        if row is not None:
            if row.digest != pack.digest:
                raise PackError(f"{label}：本单位已有同名版本「{row.label}」（{row.id}），内容不同，未导入")
            return _info(row)
        row = PackVersion(id=str(meta["id"]), region=region, label=str(meta["label"]), notice=str(meta["notice"]),
                          notice_date=nd, format_version=int(meta["format_version"]), base_text=base_text,
                          changes=json.dumps(meta["changes"], ensure_ascii=False), digest=pack.digest,
                          created_at=datetime.now().replace(microsecond=0), created_by=by or audit.default_actor(),
                          source=f"{label}（{sender}，指纹 {adpkg.short_fingerprint(pkg.key_fingerprint)}）")
        s.add(row)
        audit.record(s, by, "pack_version_import", "pack_version", row.id, None,
                     {"region": region, "label": row.label, "notice": row.notice, "digest": row.digest,
                      "source": row.source})
        return _info(row)
