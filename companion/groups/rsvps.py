"""Clients and their group sessions: what is coming up for my track and site, my answer
(going, or can't make it, with an optional reason) and the seats taken.

Access: a client reads and answers for themself, and only for sessions they are expected at.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from companion import access, run_context
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.core import textrules
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.core.timeutil import utcnow
from companion.groups.attendance import _enrolled_here
from companion.groups.recurrence import Occurrence, get_occurrence, occurrences
from companion.i18n import _
from companion.models import Enrolment, GroupRsvp, Role, User

UPCOMING_DAYS = 14          # what a client sees ahead
REASON_MAX = 300
GOING, NOT_GOING = "going", "not_going"


@dataclass(frozen=True)
class ClientSession:
    occurrence: Occurrence
    facilitator: str
    rsvp: GroupRsvp | None
    going: int

    @property
    def spots_left(self) -> int:
        return max(0, self.occurrence.series.capacity - self.going)

    @property
    def is_going(self) -> bool:
        return self.rsvp is not None and self.rsvp.status == GOING


def _enrolment(session: Session, client_id: int) -> Enrolment:
    enrolment = run_context.enrolment(session, client_id)  # the signed-in client's: this run's
    if enrolment is None:
        raise NotFound("You aren't enrolled in a track yet. Please ask the clinic.")
    return enrolment


def _in_program(session: Session, actor: Actor) -> Enrolment | None:
    if actor.role != Role.CLIENT:
        return None
    return _enrolment(session, actor.id)


def upcoming_for_client(session: Session, actor: Actor, days: int = UPCOMING_DAYS
                        ) -> list[ClientSession]:
    """Sessions for my track and location in the next `days` days (cancelled ones too, with
    their note), my answers and the seats taken."""
    access.authorize(session, actor, actor.id, RecordKind.RSVP, Action.READ)
    enrolment = _in_program(session, actor)
    if enrolment is None:
        return []
    now = utcnow()
    occs = [o for o in occurrences(session, now, now + timedelta(days=days),
                                   track=enrolment.track, location=enrolment.location)
            if o.ends_at > now]
    return _client_sessions(session, actor.id, occs)


def _client_sessions(session: Session, client_id: int, occs: list[Occurrence]
                     ) -> list[ClientSession]:
    if not occs:
        return []
    mine = {(r.series_id, r.occurrence_at): r for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.client_id == client_id,
        col(GroupRsvp.series_id).in_({o.series.id for o in occs})))}
    counts = going_counts(session, occs)
    who = names(session, [o.series.facilitator_id for o in occs])
    return [ClientSession(o, who.get(o.series.facilitator_id, ""),
                          mine.get((o.series.id, o.occurrence_at)),
                          counts.get((o.series.id, o.occurrence_at), 0)) for o in occs]


def next_for_client(session: Session, actor: Actor) -> ClientSession | None:
    return next((s for s in upcoming_for_client(session, actor)
                 if not s.occurrence.cancelled), None)


def rsvp(session: Session, actor: Actor, series_id: int, occurrence_at: datetime, going: bool,
         reason: str = "") -> GroupRsvp:
    """Going, or can't make it (an optional reason, for the therapist). A full session
    takes no more "going"."""
    access.authorize(session, actor, actor.id, RecordKind.RSVP, Action.WRITE)
    if found := textrules.problem((reason or "").strip(), subject=_("The reason")):
        raise FormErrors({"reason": found})
    reason = " ".join((reason or "").split())
    if found := textrules.too_long(reason, REASON_MAX, subject=_("The reason")):
        raise FormErrors({"reason": found})
    occ = get_occurrence(session, series_id, occurrence_at)
    if actor.role != Role.CLIENT or not _enrolled_here(session, occ, actor.id):
        raise AccessDenied("This session isn't on your schedule.")
    if occ.cancelled:
        raise InvalidInput("This session was cancelled, so there's nothing to answer.")
    if occ.starts_at <= utcnow():
        raise InvalidInput("This session has already started.")
    answer = session.exec(select(GroupRsvp).where(
        GroupRsvp.series_id == series_id, GroupRsvp.occurrence_at == occurrence_at,
        GroupRsvp.client_id == actor.id)).first()
    if going and (answer is None or answer.status != GOING):
        if going_counts(session, [occ]).get((series_id, occurrence_at), 0) >= occ.series.capacity:
            raise InvalidInput("This session is full. Please choose another one, or talk to "
                               "your therapist.")
    if answer is None:
        answer = GroupRsvp(series_id=series_id, occurrence_at=occurrence_at,
                           client_id=actor.id, status=GOING)
    answer.status = GOING if going else NOT_GOING
    answer.reason = "" if going else reason
    answer.updated_at = utcnow()
    session.add(answer)
    session.flush()
    return answer


def going_counts(session: Session, occs: list[Occurrence]) -> dict[tuple[int, datetime], int]:
    """How many said they're going, per occurrence (a count: no names, for anyone)."""
    if not occs:
        return {}
    stmt = (select(GroupRsvp.series_id, GroupRsvp.occurrence_at, func.count())
            .where(col(GroupRsvp.series_id).in_({o.series.id for o in occs}),
                   GroupRsvp.status == GOING,
                   GroupRsvp.occurrence_at >= min(o.occurrence_at for o in occs),
                   GroupRsvp.occurrence_at <= max(o.occurrence_at for o in occs))
            .group_by(GroupRsvp.series_id, GroupRsvp.occurrence_at))
    return {(s, at): n for s, at, n in session.exec(stmt)}


def names(session: Session, ids) -> dict[int, str]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return run_context.cached("user_names", tuple(ids), lambda: dict(session.exec(
        select(User.id, User.display_name).where(col(User.id).in_(ids))).all()), session)
