"""The audit trail: append-only rows of staff reads and changes of client records.

Rows name what was opened, never its content. After each transaction that wrote audit rows,
`seal` chains the new rows in order: each sealed row carries a sequence number, the previous
row's hash and a SHA-256 over its own content and that hash, so `verify` finds the first
altered or missing row (`companion verify-audit`).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

import pandas as pd
import sqlalchemy as sa
from sqlmodel import Session, col, select, update

from companion.actors import Actor
from companion.core.errors import AccessDenied
from companion.models import AuditEvent, AuditSeal, Role, User
from companion.core.timeutil import clinic_zone, show, utcnow

GENESIS = "0" * 64
DIRTY = "audit_dirty"
DENIED = "audit_denied"  # refusals waiting to be written after the rollback
REDISCLOSURE_NOTICE = (
    "This information has been disclosed to you from records protected by federal "
    "confidentiality rules (42 CFR part 2). The federal rules prohibit you from making any "
    "further disclosure of information in this record that identifies a patient as having or "
    "having had a substance use disorder either directly, by reference to publicly available "
    "information, or through verification of such identification by another person unless "
    "further disclosure is expressly permitted by the written consent of the individual whose "
    "information is being disclosed or as otherwise permitted by 42 CFR part 2. A general "
    "authorization for the release of medical or other information is NOT sufficient for this "
    "purpose (see § 2.31). The federal rules restrict any use of the information to "
    "investigate or prosecute with regard to a crime any patient with a substance use "
    "disorder, except as provided at §§ 2.12(c)(5) and 2.65.")


def record(session: Session, actor: Actor, action: str, record_kind: str,
           client_id: int | None, detail: str = "") -> None:
    session.add(AuditEvent(actor_id=actor.id, actor_role=actor.role.value, action=action,
                           record_kind=record_kind, client_id=client_id, detail=detail[:500]))
    session.info[DIRTY] = True


def record_denials(session: Session) -> bool:
    """Write the refusals noted during a rolled-back transaction; True if there were any."""
    denied = session.info.pop(DENIED, [])
    for d in denied:
        record(session, d["actor"], d["action"][:16], d["record_kind"], d["client_id"],
               d.get("detail", "refused"))
    return bool(denied)


def record_many(session: Session, actor: Actor, action: str, record_kind: str,
                client_ids: list[int], detail: str = "") -> None:
    """One statement for many rows (a caseload of 60 is one INSERT, not 60)."""
    if not client_ids:
        return
    now = utcnow()
    session.execute(sa.insert(AuditEvent), [
        {"at": now, "actor_id": actor.id, "actor_role": actor.role.value, "action": action,
         "record_kind": record_kind, "client_id": client_id, "detail": detail[:500]}
        for client_id in client_ids])
    session.info[DIRTY] = True


def _digest(row: AuditEvent, prev: str) -> str:
    at = row.at.astimezone(timezone.utc)
    content = "|".join(str(v) for v in (row.seq, row.id, at.isoformat(), row.actor_id,
                                        row.actor_role, row.action, row.record_kind,
                                        row.client_id, row.detail, prev))
    return hashlib.sha256(content.encode()).hexdigest()


def seal(engine: sa.Engine) -> int:
    """Chain every unsealed row, in id order. The first statement updates the one seal row,
    which makes concurrent sealers (other replicas) wait their turn."""
    with Session(engine) as session:
        session.exec(update(AuditSeal).where(AuditSeal.id == 1)
                     .values(turns=AuditSeal.turns + 1))
        head = session.get(AuditSeal, 1)
        rows = session.exec(select(AuditEvent).where(col(AuditEvent.seq).is_(None))
                            .order_by(AuditEvent.id)).all()
        for row in rows:
            row.seq = head.last_seq + 1
            row.prev_hash = head.last_hash
            row.row_hash = _digest(row, head.last_hash)
            head.last_seq, head.last_hash = row.seq, row.row_hash
            session.add(row)
        session.add(head)
        session.commit()
        return len(rows)


@dataclass(frozen=True)
class Verdict:
    ok: bool
    checked: int
    message: str


def verify(session: Session) -> Verdict:
    """Walk the chain; report the first row that was altered, removed or inserted."""
    head = session.get(AuditSeal, 1)
    prev, expected = GENESIS, 1
    stmt = select(AuditEvent).where(col(AuditEvent.seq).is_not(None)).order_by(AuditEvent.seq)
    for row in session.exec(stmt).yield_per(1000):
        if row.seq != expected:
            return Verdict(False, expected - 1, f"audit row #{expected} is missing")
        if row.prev_hash != prev or row.row_hash != _digest(row, prev):
            return Verdict(False, expected - 1,
                           f"audit row #{row.seq} (id {row.id}) was altered")
        prev, expected = row.row_hash, expected + 1
    if head is None or head.last_seq != expected - 1 or head.last_hash != prev:
        return Verdict(False, expected - 1,
                       f"the newest audit rows after #{expected - 1} are missing")
    return Verdict(True, expected - 1, f"audit trail intact: {expected - 1} rows checked")


def _range(start: date | None, end: date | None):
    zone = clinic_zone()
    low = datetime.combine(start, time.min, zone) if start else None
    high = datetime.combine(end + timedelta(days=1), time.min, zone) if end else None
    return low, high


def events(session: Session, actor: Actor, *, staff_id: int | None = None,
           client_id: int | None = None, start: date | None = None, end: date | None = None,
           limit: int = 500) -> pd.DataFrame:
    """The newest audit rows, filtered, for admins only."""
    if actor.role != Role.ADMIN:
        raise AccessDenied("Only admins can see the audit trail.")
    staff = User.__table__.alias("staff")
    client = User.__table__.alias("client")
    stmt = (select(AuditEvent.seq, AuditEvent.at, staff.c.username, AuditEvent.actor_role,
                   AuditEvent.action, AuditEvent.record_kind, client.c.username,
                   AuditEvent.detail)
            .join(staff, staff.c.id == AuditEvent.actor_id, isouter=True)
            .join(client, client.c.id == AuditEvent.client_id, isouter=True)
            .order_by(col(AuditEvent.id).desc()).limit(limit))
    low, high = _range(start, end)
    if staff_id is not None:
        stmt = stmt.where(AuditEvent.actor_id == staff_id)
    if client_id is not None:
        stmt = stmt.where(AuditEvent.client_id == client_id)
    if low is not None:
        stmt = stmt.where(AuditEvent.at >= low)
    if high is not None:
        stmt = stmt.where(AuditEvent.at < high)
    frame = pd.DataFrame(session.exec(stmt).all(),
                         columns=["#", "When", "Staff", "Role", "Action", "Record", "Client",
                                  "Detail"])
    frame["When"] = [show(at, "%Y-%m-%d %H:%M") for at in frame["When"]]
    return frame


def as_csv(frame: pd.DataFrame) -> str:
    """CSV for download, led by the Part 2 notice prohibiting re-disclosure (42 CFR 2.32)."""
    return f"# {REDISCLOSURE_NOTICE}\n" + frame.to_csv(index=False)


def views_of_me(session: Session, actor: Actor, limit: int = 200) -> pd.DataFrame:
    """Which staff opened my records, and when: what a client may ask to know."""
    if actor.role not in (Role.CLIENT, Role.ALUMNI):
        raise AccessDenied("This list is for clients.")
    stmt = (select(AuditEvent.at, User.display_name, AuditEvent.actor_role,
                   AuditEvent.action, AuditEvent.record_kind)
            .join(User, User.id == AuditEvent.actor_id)
            .where(AuditEvent.client_id == actor.id,
                   col(AuditEvent.action).in_(("read", "write")))
            .order_by(col(AuditEvent.id).desc()).limit(limit))
    frame = pd.DataFrame(session.exec(stmt).all(),
                         columns=["When", "Who", "Role", "Action", "What"])
    frame["When"] = [show(at) for at in frame["When"]]
    frame["What"] = frame["What"].str.replace("_", " ")
    frame["Action"] = frame["Action"].map({"read": "viewed", "write": "changed"})
    return frame
