"""The audit trail: append-only rows of staff reads and changes of client records."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
from sqlmodel import Session, col, select

from companion.actors import Actor
from companion.errors import AccessDenied
from companion.models import AuditEvent, Role, User
from companion.timeutil import show


def record(session: Session, actor: Actor, action: str, record_kind: str,
           client_id: int | None, detail: str = "") -> None:
    session.add(AuditEvent(actor_id=actor.id, actor_role=actor.role.value, action=action,
                           record_kind=record_kind, client_id=client_id, detail=detail[:500]))


def record_many(session: Session, actor: Actor, action: str, record_kind: str,
                client_ids: list[int], detail: str = "") -> None:
    for client_id in client_ids:
        record(session, actor, action, record_kind, client_id, detail)


def events(session: Session, actor: Actor, *, since: datetime | None = None,
           client_id: int | None = None, limit: int = 500) -> pd.DataFrame:
    """The newest audit rows, for admins only (reading them is itself not a client record)."""
    if actor.role != Role.ADMIN:
        raise AccessDenied("Only admins can see the audit trail.")
    staff = User.__table__.alias("staff")
    client = User.__table__.alias("client")
    stmt = (select(AuditEvent.at, staff.c.username, AuditEvent.actor_role, AuditEvent.action,
                   AuditEvent.record_kind, client.c.username, AuditEvent.detail)
            .join(staff, staff.c.id == AuditEvent.actor_id, isouter=True)
            .join(client, client.c.id == AuditEvent.client_id, isouter=True)
            .order_by(col(AuditEvent.id).desc()).limit(limit))
    if since is not None:
        stmt = stmt.where(AuditEvent.at >= since)
    if client_id is not None:
        stmt = stmt.where(AuditEvent.client_id == client_id)
    rows = session.exec(stmt).all()
    frame = pd.DataFrame(rows, columns=["When", "Staff", "Role", "Action", "Record", "Client",
                                        "Detail"])
    frame["When"] = [show(at, "%Y-%m-%d %H:%M") for at in frame["When"]]
    return frame
