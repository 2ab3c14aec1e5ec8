"""Sessions held with a client: that an individual, family or group session took place, on
which day, with one optional agreed next step. Clinical notes stay in the clinic's record
system, so nothing more is asked. Rows are only ever added: a mistaken one stays, and a
corrected one is recorded beside it (nothing a clinician relied on is overwritten)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import Session, col, select

from companion.i18n import N_
from companion.access import Action, RecordKind, authorize
from companion.actors import Actor
from companion.core.errors import InvalidInput
from companion.core.timeutil import clinic_today
from companion.models import TherapySession

KINDS = {"individual": N_("Individual"), "family": N_("Family"), "group": N_("Group")}
NEXT_STEP_MAX = 200
OLDEST_DAYS = 365


def record(session: Session, actor: Actor, client_id: int, day: date, kind: str,
           next_step: str = "") -> TherapySession:
    """Record a session the acting therapist held with one of their clients."""
    authorize(session, actor, client_id, RecordKind.THERAPY_SESSION, Action.WRITE,
              f"session {day}")
    today = clinic_today()
    if kind not in KINDS:
        raise InvalidInput("Choose whether it was an individual, family or group session.")
    if day > today:
        raise InvalidInput("A session can be recorded once it has taken place: that day "
                           "is still to come.")
    if day < today - timedelta(days=OLDEST_DAYS):
        raise InvalidInput("That day is more than a year ago: record it in the clinic's "
                           "record system instead.")
    if "\n" in (next_step or "").strip():
        raise InvalidInput("The agreed next step is one line; notes belong in the clinic's "
                           "record system.")
    step = " ".join((next_step or "").split())
    if len(step) > NEXT_STEP_MAX:
        raise InvalidInput(f"Keep the agreed next step to one line of {NEXT_STEP_MAX} "
                           f"characters (it has {len(step)}); notes belong in the clinic's "
                           "record system.")
    held = TherapySession(client_id=client_id, therapist_id=actor.id, day=day, kind=kind,
                          next_step=step)
    session.add(held)
    session.flush()
    return held


def for_client(session: Session, actor: Actor, client_id: int,
               limit: int = 20) -> list[TherapySession]:
    """The client's sessions, newest first (the client sees their own)."""
    authorize(session, actor, client_id, RecordKind.THERAPY_SESSION, Action.READ, "sessions")
    stmt = (select(TherapySession).where(TherapySession.client_id == client_id)
            .order_by(col(TherapySession.day).desc(), col(TherapySession.id).desc())
            .limit(limit))
    return list(session.exec(stmt))


def last_day(session: Session, actor: Actor, client_id: int) -> date | None:
    """The day of the client's most recent session, if any."""
    authorize(session, actor, client_id, RecordKind.THERAPY_SESSION, Action.READ,
              "last session")
    stmt = (select(TherapySession.day).where(TherapySession.client_id == client_id)
            .order_by(col(TherapySession.day).desc()).limit(1))
    return session.exec(stmt).first()
