"""A therapist's caseload: their assigned clients only, each read audited."""
from __future__ import annotations

import pandas as pd
from sqlmodel import Session, select

from companion import audit
from companion.access import RecordKind, require_role
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.models import Enrolment, Role, User
from companion.timeutil import show


def for_therapist(session: Session, actor: Actor) -> pd.DataFrame:
    require_role(actor, Role.THERAPIST)
    stmt = (select(User.id, User.display_name, User.role, Enrolment.track, Enrolment.location,
                   Enrolment.enrolled_at)
            .join(Enrolment, Enrolment.client_id == User.id)
            .where(Enrolment.therapist_id == actor.id, User.is_active)
            .order_by(User.role, User.display_name))
    rows = session.exec(stmt).all()
    clinic = get_clinic()
    frame = pd.DataFrame({
        "client_id": [r.id for r in rows],
        "Client": [r.display_name for r in rows],
        "Status": ["Alumni" if r.role == Role.ALUMNI else "In program" for r in rows],
        "Track": [clinic.track_label(r.track) for r in rows],
        "Location": [clinic.location_label(r.location) for r in rows],
        "Since": [show(r.enrolled_at, "%b %-d, %Y") for r in rows],
    })
    audit.record_many(session, actor, "read", RecordKind.PROFILE.value,
                      [int(i) for i in frame["client_id"]], "caseload")
    return frame


def client_choices(session: Session, actor: Actor) -> dict[int, str]:
    """Assigned clients' ids and names, for a picker (no record content, not audited)."""
    require_role(actor, Role.THERAPIST)
    stmt = (select(User.id, User.display_name).join(Enrolment, Enrolment.client_id == User.id)
            .where(Enrolment.therapist_id == actor.id, User.is_active)
            .order_by(User.display_name))
    return {row.id: row.display_name for row in session.exec(stmt)}
