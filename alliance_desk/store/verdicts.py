"""Checking all applications incrementally: stored verdicts, re-judged only when an input changed.

A verdict (db/models_archive.py) is stored with what it was judged on:
- the application's `version` — every save of an application moves it (`store.save_documents`);
  a deleted application takes its verdict with it (ON DELETE CASCADE);
- the digest of the pack that judged it (`pack_digest(judging_pack(session, region, call))`, from the
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

from sqlalchemy import and_, case, delete, exists, insert, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from db import models as m
from db.models_archive import CheckVerdict, CheckVerdictItems

from alliance_desk.store.checkinputs import _check_inputs
from alliance_desk.store.docread import BATCH, _execute, read_documents
from alliance_desk.store.documents import count_applications
from alliance_desk.store.judging import _confirmation, calls_for, judging_pack
from alliance_desk.store.rows import _gc_paused
from alliance_desk.rules.engine import CheckResult, Confirmation, Item, _clause, evaluate
from alliance_desk.rules.packs import Pack
from alliance_desk.rules import STATUSES
from db.session import unit_of_work



def pack_digest(pack: Pack) -> str:
    """The digest of what the pack was loaded from (shipped TOML, or an office's version): equal
    digest, equal verdicts."""
    return pack.digest[:32]


def calls_digest(calls: dict) -> str:
    """Digest of a region's calls as the engine sees them (id, deadline, name, note)."""
    text = json.dumps(sorted((c.id, c.region, c.name, str(c.deadline), str(c.county_deadline), c.note)
                             for c in calls.values()),
                      ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def inputs_digest(calls_d: str, confirmations: dict[str, Confirmation] | None) -> str:
    if not confirmations:
        return calls_d
    text = json.dumps(sorted((c.rule, c.outcome, c.by, c.at, c.note) for c in confirmations.values()),
                      ensure_ascii=False)
    return hashlib.sha256(f"{calls_d}\n{text}".encode("utf-8")).hexdigest()[:32]


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
    """What `check_all` did: which applications it judged anew. Every application's verdict is then
    fresh; `verdicts` and `results` read them (inside the session `check_all` was given)."""
    rejudged: list[str]
    _session: Session = field(repr=False, default=None)
    _confirmations: dict = field(repr=False, default_factory=dict)
    _new: dict = field(repr=False, default_factory=dict)  # id -> (Verdict, items text) judged now

    @property
    def verdicts(self) -> list[Verdict]:
        """Every application's verdict, by id."""
        return [v for v, _ in self._pairs(with_items=False)]

    def results(self) -> list[CheckResult]:
        """Full check results of every application (by id), rebuilt from the stored items."""
        packs: dict = {}
        return [_result(v.application, judging_pack(self._session, v.region, v.call_id, packs),
                        json.loads(items), self._confirmations.get(v.application) or {})
                for v, items in self._pairs(with_items=True)]

    def _pairs(self, with_items: bool) -> list[tuple[Verdict, str | None]]:
        A, V, VI = m.Application.__table__, CheckVerdict.__table__, CheckVerdictItems.__table__
        cols = [V.c.application_id, A.c.region, A.c.call_id, V.c.n_fail, V.c.n_warn, V.c.n_manual, V.c.eligible]
        joined = V.join(A, A.c.id == V.c.application_id)
        if with_items:
            cols.append(VI.c["items"])
            joined = joined.join(VI, VI.c.application_id == V.c.application_id)
        out = dict((i, pair) for i, pair in self._new.items())
        try:
            rows = _execute(self._session.connection(), select(*cols).select_from(joined))
        except DBAPIError:  # a read-only seat on an older schema: everything was judged just now
            self._session.rollback()
            rows = []
        for row in rows:
            if row[0] not in out:
                out[row[0]] = (Verdict(*row[:6], bool(row[6])), row[7] if with_items else None)
        return [out[i] for i in sorted(out)]


def _items_text(result: CheckResult) -> str:
    return json.dumps([[it.status, it.message, it.field, 1 if it.confirmation is not None else 0]
                       for it in result.items], ensure_ascii=False, separators=(",", ":"))


def _result(app_id: str, pack: Pack, items: list, confs: dict[str, Confirmation]) -> CheckResult:
    out = []
    for rule, (status, message, fld, confirmed) in zip(pack.rules, items):
        out.append(Item(rule.id, status, message, _clause(pack, rule), rule.text, fld, rule.kind,
                        confs.get(rule.id) if confirmed else None))
    counts = {s: 0 for s in STATUSES}
    for it in out:
        counts[it.status] += 1
    return CheckResult(application=app_id, region=pack.id, items=out, counts=counts,
                       pack_version=pack.version_label, pack_digest=pack.digest)


def all_confirmations(db) -> dict[str, dict[str, Confirmation]]:
    with unit_of_work(db) as session:
        confs: dict[str, dict[str, Confirmation]] = {}
        for r in session.scalars(select(m.Confirmation)):
            confs.setdefault(r.application_id, {})[r.rule] = _confirmation(r)
        return confs


def check_all(db, *, store_verdicts: bool = True) -> Report:
    """Make every application's verdict fresh: judge only those whose stored verdict is missing or
    stale and store the new ones (committed here; on a read-only database they are judged and not
    kept). The list's cached counts (`applications.n_fail` …) follow a changed verdict.

    The comparison runs in the database: one query returns the applications whose verdict is
    missing, of another version, or of another pack or calls digest, plus those with
    confirmations (their inputs digest is per application and compared here)."""
    with unit_of_work(db) as session:
        A, V, C = m.Application.__table__, CheckVerdict.__table__, m.Confirmation.__table__
        conn = session.connection()
        confs = all_confirmations(session)
        calls: dict[str, dict] = {}
        calls_d: dict[str, str] = {}
        packs: dict[tuple, tuple[Pack, str]] = {}
        for region, call_id in _execute(conn, select(A.c.region, A.c.call_id).distinct()):
            if region not in calls:
                calls[region] = calls_for(session, region)
                calls_d[region] = calls_digest(calls[region])
            pack = judging_pack(session, region, call_id)
            packs[(region, call_id)] = (pack, pack_digest(pack))
        # only columns of ix_applications_check: the scan never reads the wide application rows
        wanted = [A.c.id, A.c.region, A.c.call_id, A.c.version]
        try:
            if not packs:
                rows = []
            else:
                pack_case = case(*[(and_(A.c.region == r, A.c.call_id == c if c is not None else A.c.call_id.is_(None)),
                                    d) for (r, c), (_, d) in packs.items()], else_="")
                calls_case = case(*[(A.c.region == r, d) for r, d in calls_d.items()], else_="")
                confirmed = exists().where(C.c.application_id == A.c.id)
                rows = _execute(conn, select(*wanted, V.c.app_version, V.c.pack_digest, V.c.inputs_digest)
                                .select_from(A.outerjoin(V, V.c.application_id == A.c.id))
                                .where(or_(V.c.application_id.is_(None), V.c.app_version != A.c.version,
                                           V.c.pack_digest != pack_case, V.c.inputs_digest != calls_case, confirmed)))
        except DBAPIError:  # a read-only database of an older schema: no stored verdicts to use
            session.rollback()
            conn = session.connection()
            rows = [(*r, None, None, None) for r in _execute(conn, select(*wanted))]
            store_verdicts = False
        stale: dict[str, tuple] = {}
        for app_id, region, call_id, version, v_version, v_pack, v_inputs in sorted(rows):
            pack, p_digest = packs[(region, call_id)]
            i_digest = inputs_digest(calls_d[region], confs.get(app_id))
            if v_version != version or v_pack != p_digest or v_inputs != i_digest:
                stale[app_id] = (version, pack, p_digest, i_digest)

        new: dict[str, tuple[Verdict, str]] = {}
        new_rows, new_items, summaries = [], [], []
        if stale:
            with _gc_paused():
                if len(stale) > 2000 and len(stale) * 2 > count_applications(session):
                    # most of them: the lean reader of every application, in one pass per table
                    docs, uscc = _check_inputs(session)
                else:
                    uscc = {}
                    docs = read_documents(session, list(stale), uscc_out=uscc)
                listed = {}  # the list's cached counts, to update those that change
                ids = list(stale)
                for i in range(0, len(ids), BATCH):
                    for app_id, *counts in _execute(conn, select(A.c.id, A.c.n_fail, A.c.n_warn, A.c.n_manual,
                                                                 A.c.eligible).where(A.c.id.in_(ids[i:i + BATCH]))):
                        listed[app_id] = (*counts[:3], bool(counts[3]))
                for app_id, (version, pack, p_digest, i_digest) in stale.items():
                    doc = docs[app_id]
                    result = evaluate(doc, pack=pack, calls=calls[doc["region"]], confirmations=confs.get(app_id),
                                      uscc_problems=uscc[app_id])
                    c = result.counts
                    items = _items_text(result)
                    new[app_id] = (Verdict(app_id, doc["region"], doc.get("call"), c["fail"], c["warn"], c["manual"],
                                           result.eligible), items)
                    new_rows.append({"application_id": app_id, "app_version": version, "pack_digest": p_digest,
                                     "inputs_digest": i_digest, "n_fail": c["fail"], "n_warn": c["warn"],
                                     "n_manual": c["manual"], "eligible": result.eligible})
                    new_items.append({"application_id": app_id, "items": items})
                    if listed.get(app_id) != (c["fail"], c["warn"], c["manual"], result.eligible):
                        summaries.append({"b_id": app_id, "b_version": version, "b_fail": c["fail"],
                                          "b_warn": c["warn"], "b_manual": c["manual"], "b_eligible": result.eligible})
            if store_verdicts:
                store_verdicts = _store(session, new_rows, new_items, summaries)
        return Report(list(stale), session, confs, {} if store_verdicts else new)


def _store(session: Session, new_rows: list[dict], new_items: list[dict], summaries: list[dict]) -> bool:
    """Store new verdicts (and changed list counts) and commit; False when the database is read-only."""
    from sqlalchemy import bindparam

    from alliance_desk.store.locking import ReadOnlyDatabase

    A, V, VI = m.Application.__table__, CheckVerdict.__table__, CheckVerdictItems.__table__
    ids = [r["application_id"] for r in new_rows]
    try:
        for i in range(0, len(ids), BATCH):
            for t in (V, VI):
                session.execute(delete(t).where(t.c.application_id.in_(ids[i:i + BATCH])))
        session.execute(insert(V), new_rows)
        session.execute(insert(VI), new_items)
        if summaries:
            # only where nobody saved since (a newer version has its own counts from that save)
            session.execute(update(A).where(A.c.id == bindparam("b_id"), A.c.version == bindparam("b_version"))
                            .values(n_fail=bindparam("b_fail"), n_warn=bindparam("b_warn"),
                                    n_manual=bindparam("b_manual"), eligible=bindparam("b_eligible")), summaries)
        session.commit()
        return True
    except (ReadOnlyDatabase, DBAPIError):  # a read-only seat: the verdicts are right, just not kept
        session.rollback()
        return False
