"""Who may change an application, and which exchange file is the newer one.

Signed files prove who sent them, not that they are the latest or that the sender may change what
they carry. Two rules close that:

- **Newer wins.** Every exported package and score file carries its creation time and a sequence
  number per sender and scope (a submission's region/call/county, a score file's round), counted
  in the sender's database (`next_sequence`). The receiver keeps the newest file it accepted per
  kind, sender key and scope (`exchange_marks`) and, per application, the rank of the package
  that last wrote it (`application_owners`). A file that ranks below (`is_older`) is refused;
  taken knowingly (`allow_older`), the audit row says what it undid.
- **Owners.** An application belongs to the office whose key first sent it (or to this office,
  when it was typed in or imported here). A package may add applications but never changes one
  another office owns; the city moves ownership explicitly (`transfer`, audited).

Storage is db/models_trust.py. No Qt.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from alliance_desk.store import audit
from alliance_desk.store.docread import iter_documents
from db.session import unit_of_work

OWN = "self"   # `transfer` target meaning this office


class TrustError(ValueError):
    """A refused exchange file or transfer; the message is Chinese."""


def scope_of(*parts) -> str:
    return "|".join("" if p is None else str(p) for p in parts)


def _when(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.astimezone()


@dataclass(frozen=True)
class Rank:
    """Where a file stands among its sender's files of one scope."""
    sequence: int | None
    created_at: str | None
    sha256: str

    def label(self) -> str:
        when = (self.created_at or "时间不详")[:19].replace("T", " ")
        return f"生成于 {when}" + (f"，序号 {self.sequence}" if self.sequence is not None else "")


def is_older(new: Rank, last: Rank) -> bool:
    """Whether `new` is not newer than `last` (the same file again is not older). The sequence
    decides when both carry one; else the creation time, and a tie is refused too (two different
    files cannot both be the latest)."""
    if new.sha256 == last.sha256:
        return False
    if new.sequence is not None and last.sequence is not None and new.sequence != last.sequence:
        return new.sequence < last.sequence
    a, b = _when(new.created_at), _when(last.created_at)
    if a is None or b is None:
        return a is None and b is not None
    return a <= b


def next_sequence(db, scope: str) -> int:
    """The sender's next sequence number for `scope` (inside the caller's transaction)."""
    with unit_of_work(db, write=True) as session:
        from db.models_trust import ExchangeCounter

        row = session.get(ExchangeCounter, scope, with_for_update=True)
        if row is None:
            row = ExchangeCounter(scope=scope, last_sequence=0)
            session.add(row)
        row.last_sequence += 1
        session.flush()
        return row.last_sequence


@dataclass
class Verdict:
    """What an incoming file would do: refusals that no confirmation lifts (`problems`) and, when
    it is older than what was accepted, what it would undo (`older`)."""
    problems: list[str] = field(default_factory=list)
    older: list[str] = field(default_factory=list)

    def older_text(self) -> str:
        return "；".join(self.older)


def check_mark(db, kind: str, fingerprint: str, scope: str, rank: Rank, verdict: Verdict,
               what: str) -> None:
    """Add to `verdict` when a newer file of this kind, sender and scope was accepted before."""
    with unit_of_work(db) as session:
        from db.models_trust import ExchangeMark

        mark = session.get(ExchangeMark, (kind, fingerprint, scope))
        if mark is not None:
            last = Rank(mark.sequence, mark.created_at, mark.sha256)
            if is_older(rank, last):
                verdict.older.append(f"{what}（{rank.label()}）早于已接受的同一发送方文件（{last.label()}）")


def accept_mark(db, kind: str, fingerprint: str, scope: str, rank: Rank) -> None:
    """Remember the file as the newest accepted, unless a newer one already is (an older file taken
    knowingly does not lower the mark)."""
    with unit_of_work(db, write=True) as session:
        from db.models_trust import ExchangeMark

        mark = session.get(ExchangeMark, (kind, fingerprint, scope))
        if mark is None:
            session.add(ExchangeMark(kind=kind, fingerprint=fingerprint, scope=scope, sequence=rank.sequence,
                                     created_at=rank.created_at, sha256=rank.sha256, accepted_at=_now()))
        elif not is_older(rank, Rank(mark.sequence, mark.created_at, mark.sha256)):
            mark.sequence, mark.created_at, mark.sha256, mark.accepted_at = (rank.sequence, rank.created_at,
                                                                             rank.sha256, _now())


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


# ------------------------------------------------------------------ submissions: owners

def check_submission(db, fingerprint: str, office: str, own_fingerprints: set[str], scope: str,
                     rank: Rank, docs: list[dict]) -> Verdict:
    """Ownership and age of a submission package's applications against what is stored."""
    with unit_of_work(db) as session:
        from sqlalchemy import select

        from db.models import Application
        from db.models_trust import ApplicationOwner

        verdict = Verdict()
        check_mark(session, "submission", fingerprint, scope, rank, verdict, "该上报包")
        ids = [d["id"] for d in docs]
        stored = dict(session.execute(select(Application.id, Application.name).where(Application.id.in_(ids))).all())
        owners = {o.application_id: o for o in session.scalars(
            select(ApplicationOwner).where(ApplicationOwner.application_id.in_(ids)))}
        for d in docs:
            if d["id"] not in stored:
                continue
            owner = owners.get(d["id"])
            if owner is None and fingerprint not in own_fingerprints:
                verdict.problems.append(f"申报「{stored[d['id']]}」（{d['id']}）是本单位的申报，"
                                        f"「{office}」的上报包不能修改它")
            elif owner is not None and owner.fingerprint != fingerprint:
                verdict.problems.append(f"申报「{stored[d['id']]}」（{d['id']}）属于「{owner.office}」，"
                                        f"「{office}」的上报包不能修改它（如确需移交，请由本单位办理归属移交）")
            elif owner is not None and is_older(rank, Rank(owner.sequence, owner.created_at, owner.package_sha256 or "")):
                verdict.older.append(f"申报「{stored[d['id']]}」将退回到较早的内容"
                                     f"（现有内容来自{Rank(owner.sequence, owner.created_at, '').label()}的上报包）")
        return verdict


def accept_submission(db, fingerprint: str, office: str, scope: str, rank: Rank, app_ids: list[str]) -> None:
    """After the applications are written: the sender owns the new ones, and the rank moves on."""
    with unit_of_work(db, write=True) as session:
        from sqlalchemy import select

        from db.models_trust import ApplicationOwner

        accept_mark(session, "submission", fingerprint, scope, rank)
        owners = {o.application_id: o for o in session.scalars(
            select(ApplicationOwner).where(ApplicationOwner.application_id.in_(app_ids)))}
        now = _now()
        for app_id in app_ids:
            owner = owners.get(app_id)
            if owner is None:
                session.add(ApplicationOwner(application_id=app_id, fingerprint=fingerprint, office=office,
                                             sequence=rank.sequence, created_at=rank.created_at,
                                             package_sha256=rank.sha256, since=now))
            elif owner.fingerprint == fingerprint and not is_older(
                    rank, Rank(owner.sequence, owner.created_at, owner.package_sha256 or "")):
                owner.sequence, owner.created_at, owner.package_sha256 = rank.sequence, rank.created_at, rank.sha256


def owner_of(db, app_id: str) -> tuple[str, str] | None:
    """(office, key fingerprint) owning an application, or None when it is this office's."""
    from db.models_trust import ApplicationOwner

    with unit_of_work(db) as s:
        row = s.get(ApplicationOwner, app_id)
        return (row.office, row.fingerprint) if row is not None else None


def transfer(db, app_id: str, to: str, by: str | None = None, note: str = "") -> str:
    """Give an application to another office (a registered key, by fingerprint prefix) or back to
    this office (`to` = OWN); audited. Returns the new owner's name."""
    from sqlalchemy import select

    from db.models import Application
    from db.models_documents import TrustedKey
    from db.models_trust import ApplicationOwner

    with unit_of_work(db, write=True) as s:
        app = s.get(Application, app_id)
        if app is None:
            raise TrustError(f"没有 id 为 {app_id} 的申报")
        row = s.get(ApplicationOwner, app_id)
        before = {"office": row.office, "fingerprint": row.fingerprint} if row is not None else {"office": "本单位"}
        if to == OWN:
            if row is not None:
                s.delete(row)
            after = {"office": "本单位"}
        else:
            prefix = to.replace(":", "").lower()
            if len(prefix) < 8:
                raise TrustError("请给出接收单位公钥指纹的前 8 位以上")
            keys = list(s.scalars(select(TrustedKey).where(TrustedKey.fingerprint.like(prefix + "%"))))
            if len(keys) != 1:
                raise TrustError(f"指纹以 {to} 开头的可信公钥有 {len(keys)} 个，应恰好 1 个")
            key = keys[0]
            if row is None:
                row = ApplicationOwner(application_id=app_id, since=_now())
                s.add(row)
            # the new owner's next package is compared from scratch: its sequence is its own
            row.fingerprint, row.office, row.sequence, row.created_at, row.package_sha256 = (
                key.fingerprint, key.office, None, None, None)
            row.since = _now()
            after = {"office": key.office, "fingerprint": key.fingerprint}
        if note:
            after["note"] = note
        audit.record(s, by, "owner_transfer", "application_owner", app_id, before, after, application_id=app_id)
        return after["office"]


# ------------------------------------------------------------------ migration 0008

def adopt_existing(db) -> None:
    """Bring a database from before owners and anchors up to date: one "anchor" audit row per
    application (its whole current document, which anchors it), and owners and marks from the
    trail's earlier package imports (the first sender of an application owns it)."""
    with unit_of_work(db, write=True) as session:
        from sqlalchemy import select

        from db.models import Application
        from db.models_audit import AuditEntry as E

        ids = list(session.scalars(select(Application.id).where(Application.audit_id.is_(None)).order_by(Application.id)))
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            docs = list(iter_documents(session, chunk, batch=len(chunk)))
            audit.record_many(session, [("migration", "anchor", "application", d["id"], None, {"document": d}, None)
                                        for d in docs])
        owners: dict[str, tuple] = {}
        marks: dict[tuple, Rank] = {}
        rows = session.execute(select(E.entity_id, E.after).where(E.action == "package_import").order_by(E.id))
        for sha, after in rows:
            a = audit.load_text(after)
            if not isinstance(a, dict) or not a.get("fingerprint"):
                continue
            fp, rank = str(a["fingerprint"]), Rank(a.get("sequence"), a.get("created_at"), str(sha))
            for app_id in a.get("applications") or []:
                owners.setdefault(app_id, (fp, str(a.get("sender") or ""), rank))
            key = ("submission", fp, scope_of(a.get("region"), a.get("call"), a.get("county")))
            if key not in marks or not is_older(rank, marks[key]):
                marks[key] = rank
        from db.models_trust import ApplicationOwner, ExchangeMark

        existing = set(session.scalars(select(Application.id)))
        known = set(session.scalars(select(ApplicationOwner.application_id)))
        known_marks = set(session.execute(select(ExchangeMark.kind, ExchangeMark.fingerprint, ExchangeMark.scope)).all())
        now = _now()
        for app_id, (fp, office, rank) in owners.items():
            if app_id in existing and app_id not in known:
                session.add(ApplicationOwner(application_id=app_id, fingerprint=fp, office=office, sequence=rank.sequence,
                                             created_at=rank.created_at, package_sha256=rank.sha256, since=now))
        for (kind, fp, scope), rank in marks.items():
            if (kind, fp, scope) not in known_marks:
                session.add(ExchangeMark(kind=kind, fingerprint=fp, scope=scope, sequence=rank.sequence,
                                         created_at=rank.created_at, sha256=rank.sha256, accepted_at=now))
