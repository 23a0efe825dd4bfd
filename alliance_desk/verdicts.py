"""Checking all applications incrementally: stored verdicts, re-judged only when an input changed.

A verdict (db/models_verdicts.py) is stored with what it was judged on:
- the application's `version` — every save of an application moves it (`store.save_documents`);
  a deleted application takes its verdict with it (ON DELETE CASCADE);
- the digest of the pack that judged it (`pack_digest(judging_pack(region, call))`, from the
  loaded pack's content, so an edited pack file or a call judged by another pack version
  re-judges exactly the applications it concerns);
- the digest of the other inputs: the region's calls (their deadlines decide the deadline rule)
  and the application's confirmations of manual items.
`check_all` compares these for every application in one query and judges only what is missing or
stale; the rest is read back as stored. Full check results (`CheckResult` with every item) are
rebuilt from the stored items only when asked for (`Report.results`), since thousands of them
cost more than the check itself.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import models as m
from db.models_verdicts import CheckVerdict

from .docread import BATCH, _execute, read_documents
from .engine import CheckResult, Confirmation, Item, _clause, evaluate
from .packs import Pack, get_pack
from .rules import STATUSES

_DIGESTS: dict[int, tuple[Pack, str]] = {}


def judging_pack(region: str, call_id: str | None) -> Pack:
    """The pack that judges an application of `region` in call `call_id`. Every verdict is keyed by
    this pack's digest, so this is the one place a call mapped to another pack version plugs in."""
    return get_pack(region)


def pack_digest(pack: Pack) -> str:
    """SHA-256 of the loaded pack's content (its parsed TOML), computed once per pack object."""
    hit = _DIGESTS.get(id(pack))
    if hit is not None and hit[0] is pack:
        return hit[1]
    text = json.dumps(pack.raw, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{pack.id}\n{text}".encode("utf-8")).hexdigest()
    _DIGESTS[id(pack)] = (pack, digest)  # the pack is kept, so its id cannot be reused meanwhile
    return digest


def calls_digest(calls: dict) -> str:
    """Digest of a region's calls as the engine sees them (id, deadline, name, note)."""
    text = json.dumps(sorted((c.id, c.region, c.name, str(c.deadline), c.note) for c in calls.values()),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def inputs_digest(calls_d: str, confirmations: dict[str, Confirmation] | None) -> str:
    if not confirmations:
        return calls_d
    text = json.dumps(sorted((c.rule, c.outcome, c.by, c.at, c.note) for c in confirmations.values()),
                      ensure_ascii=False)
    return hashlib.sha256(f"{calls_d}\n{text}".encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Verdict:
    """One application's stored (or just made) verdict: counts and eligibility."""
    application: str
    region: str
    call_id: str | None
    n_fail: int
    n_warn: int
    n_manual: int
    eligible: bool

    @property
    def counts(self) -> dict[str, int]:
        return {"fail": self.n_fail, "warn": self.n_warn, "manual": self.n_manual}


@dataclass
class Report:
    """What `check_all` found: every application's verdict (by id) and which were judged anew."""
    verdicts: list[Verdict]
    rejudged: list[str]
    _session: Session = field(repr=False, default=None)
    _confirmations: dict = field(repr=False, default_factory=dict)
    _items: dict = field(repr=False, default_factory=dict)  # id -> items text of those judged now

    def results(self) -> list[CheckResult]:
        """Full check results of every application, rebuilt from the stored items (read inside the
        session `check_all` was given)."""
        V = CheckVerdict.__table__
        conn = self._session.connection()
        by_id = {v.application: v for v in self.verdicts}
        ids = list(by_id)
        texts = dict(self._items)
        stored = [i for i in ids if i not in texts]
        for i in range(0, len(stored), BATCH):
            texts.update(_execute(conn, select(V.c.application_id, V.c["items"])
                                  .where(V.c.application_id.in_(stored[i:i + BATCH]))))
        out = []
        for app_id in ids:
            v = by_id[app_id]
            out.append(_result(app_id, judging_pack(v.region, v.call_id), json.loads(texts[app_id]),
                               self._confirmations.get(app_id) or {}))
        return out


def _items_text(result: CheckResult) -> str:
    return json.dumps([[it.status, it.message, it.field, 1 if it.confirmation is not None else 0]
                       for it in result.items], ensure_ascii=False, separators=(",", ":"))


def _result(app_id: str, pack: Pack, items: list, confs: dict[str, Confirmation]) -> CheckResult:
    out = []
    for rule, (status, message, fld, confirmed) in zip(pack.rules, items):
        out.append(Item(rule.id, status, message, _clause(pack, rule.clause), rule.text, fld, rule.kind,
                        confs.get(rule.id) if confirmed else None))
    counts = {s: 0 for s in STATUSES}
    for it in out:
        counts[it.status] += 1
    return CheckResult(application=app_id, region=pack.id, items=out, counts=counts)


def all_confirmations(session: Session) -> dict[str, dict[str, Confirmation]]:
    confs: dict[str, dict[str, Confirmation]] = {}
    for r in session.scalars(select(m.Confirmation)):
        confs.setdefault(r.application_id, {})[r.rule] = Confirmation(
            r.rule, r.outcome, r.by, r.at.isoformat(timespec="minutes"), r.note or "")
    return confs


def check_all(session: Session, *, store_verdicts: bool = True) -> Report:
    """Every application's verdict, judging only those whose stored verdict is missing or stale,
    and storing the new ones (committed here; on a read-only database they are judged and not
    kept). The list's cached counts (`applications.n_fail` …) follow a changed verdict."""
    from . import store

    A, V = m.Application.__table__, CheckVerdict.__table__
    conn = session.connection()
    confs = all_confirmations(session)
    try:
        rows = _execute(conn, select(A.c.id, A.c.region, A.c.call_id, A.c.version, A.c.n_fail, A.c.n_warn,
                                     A.c.n_manual, A.c.eligible, V.c.app_version, V.c.pack_digest,
                                     V.c.inputs_digest, V.c.n_fail, V.c.n_warn, V.c.n_manual, V.c.eligible)
                        .select_from(A.outerjoin(V, V.c.application_id == A.c.id)).order_by(A.c.id))
    except DBAPIError:  # a read-only database of an older schema: no stored verdicts to use
        session.rollback()
        conn = session.connection()
        rows = [(*r, None, None, None, None, None, None, None) for r in _execute(conn, select(
            A.c.id, A.c.region, A.c.call_id, A.c.version, A.c.n_fail, A.c.n_warn, A.c.n_manual, A.c.eligible)
            .order_by(A.c.id))]
        store_verdicts = False
    calls: dict[str, dict] = {}
    calls_d: dict[str, str] = {}
    packs: dict[tuple, tuple[Pack, str]] = {}
    verdicts: list[Verdict] = []
    stale: dict[str, tuple] = {}  # id -> (position in verdicts, pack, inputs digest, list counts)
    for (app_id, region, call_id, version, a_fail, a_warn, a_manual, a_elig,
         v_version, v_pack, v_inputs, v_fail, v_warn, v_manual, v_elig) in rows:
        if region not in calls:
            calls[region] = store.calls_for(session, region)
            calls_d[region] = calls_digest(calls[region])
        key = (region, call_id)
        if key not in packs:
            pack = judging_pack(region, call_id)
            packs[key] = (pack, pack_digest(pack))
        pack, p_digest = packs[key]
        i_digest = inputs_digest(calls_d[region], confs.get(app_id))
        if v_version == version and v_pack == p_digest and v_inputs == i_digest:
            verdicts.append(Verdict(app_id, region, call_id, v_fail, v_warn, v_manual, bool(v_elig)))
            continue
        stale[app_id] = (len(verdicts), version, pack, p_digest, i_digest, (a_fail, a_warn, a_manual, bool(a_elig)))
        verdicts.append(None)  # type: ignore[arg-type]  # filled in below

    new_rows, summaries = [], []
    if stale:
        with store._gc_paused():
            if len(stale) * 2 > len(rows):  # most of them: the lean reader of every application
                docs, uscc = store._check_inputs(session)
            else:
                uscc = {}
                docs = read_documents(session, list(stale), uscc_out=uscc)
            for app_id, (pos, version, pack, p_digest, i_digest, listed) in stale.items():
                doc = docs[app_id]
                result = evaluate(doc, pack=pack, calls=calls[doc["region"]], confirmations=confs.get(app_id),
                                  uscc_problems=uscc[app_id])
                c = result.counts
                verdicts[pos] = Verdict(app_id, doc["region"], doc.get("call"), c["fail"], c["warn"], c["manual"],
                                        result.eligible)
                new_rows.append({"application_id": app_id, "app_version": version, "pack_digest": p_digest,
                                 "inputs_digest": i_digest, "n_fail": c["fail"], "n_warn": c["warn"],
                                 "n_manual": c["manual"], "eligible": result.eligible,
                                 "items": _items_text(result)})
                if listed != (c["fail"], c["warn"], c["manual"], result.eligible):
                    summaries.append({"b_id": app_id, "b_version": version, "b_fail": c["fail"],
                                      "b_warn": c["warn"], "b_manual": c["manual"], "b_eligible": result.eligible})
        if store_verdicts:
            _store(session, new_rows, summaries)
    return Report(verdicts, list(stale), session, confs, {r["application_id"]: r["items"] for r in new_rows})


def _store(session: Session, new_rows: list[dict], summaries: list[dict]) -> None:
    from sqlalchemy import bindparam

    from .locking import ReadOnlyDatabase

    A, V = m.Application.__table__, CheckVerdict.__table__
    ids = [r["application_id"] for r in new_rows]
    try:
        for i in range(0, len(ids), BATCH):
            session.execute(delete(V).where(V.c.application_id.in_(ids[i:i + BATCH])))
        session.execute(insert(V), new_rows)
        if summaries:
            # only where nobody saved since (a newer version has its own counts from that save)
            session.execute(update(A).where(A.c.id == bindparam("b_id"), A.c.version == bindparam("b_version"))
                            .values(n_fail=bindparam("b_fail"), n_warn=bindparam("b_warn"),
                                    n_manual=bindparam("b_manual"), eligible=bindparam("b_eligible")), summaries)
        session.commit()
    except (ReadOnlyDatabase, DBAPIError):  # a read-only seat: the verdicts are right, just not kept
        session.rollback()
