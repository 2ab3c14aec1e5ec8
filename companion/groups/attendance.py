"""Attendance: who is expected at a session, what its facilitator may do for them, the
attendance sheet and marking (a change keeps the earlier mark; an unexcused absence flags
the client's therapist).

Access: attendance is marked by the client's own therapist (through `access.authorize`) or
by the session's facilitator, when an admin assigned them, for the clients enrolled on that
session's track and site (`may_for_group` below: the one, narrow exception, audited the same
way).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from companion.i18n import N_
from companion import access, audit, flags
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.core.errors import InvalidInput
from companion.core.timeutil import to_clinic, utcnow
from companion.groups.recurrence import Occurrence, occurrences
from companion.models import (Enrolment, GroupAttendance, GroupRsvp, GroupSeries, Role,
                              User)

MARK_EARLY_MINUTES = 15     # attendance can be taken from this long before the start
PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
ATTENDANCE_LABELS = {PRESENT: N_("Present"), ABSENT: N_("Absent"),
                     EXCUSED: N_("Excused")}  # English; gettext them to show

# What a session's admin-assigned facilitator may do for a client enrolled on its track and
# site who is not on their caseload: take and read attendance, read the RSVP, and read the
# one line the client wrote for the group (CheckIn.bring_to_group, through `pregroup` only;
# nothing else of the check-in). Everything else stays with the client's own therapist
# (`access.RULES`).
FACILITATOR_MAY = frozenset({(RecordKind.ATTENDANCE, Action.READ),
                             (RecordKind.ATTENDANCE, Action.WRITE),
                             (RecordKind.RSVP, Action.READ),
                             (RecordKind.CHECKIN, Action.READ)})


def enrolled_clients(session: Session, occ: Occurrence) -> dict[int, str]:
    """Clients in the program on this session's track and location who had joined by its
    end: the only clients its facilitator has any rights for."""
    stmt = (select(User.id, User.display_name).join(Enrolment, Enrolment.client_id == User.id)
            .where(User.role == Role.CLIENT, col(User.is_active).is_(True),
                   Enrolment.track == occ.series.track,
                   Enrolment.location == occ.series.location,
                   Enrolment.enrolled_at <= occ.ends_at))
    return dict(session.exec(stmt).all())


def expected_clients(session: Session, occ: Occurrence) -> list[tuple[int, str]]:
    """The enrolled clients above and anyone already marked for the session (a client who
    has since changed track keeps their mark on the sheet for their own therapist); by
    name. Being marked gives the facilitator nothing: see `may_for_group`."""
    found = enrolled_clients(session, occ)
    marked = session.exec(select(User.id, User.display_name).join(
        GroupAttendance, GroupAttendance.client_id == User.id).where(
        GroupAttendance.series_id == occ.series.id,
        GroupAttendance.occurrence_at == occ.occurrence_at)).all()
    found |= dict(marked)
    return sorted(found.items(), key=lambda item: item[1])


def _enrolled_here(session: Session, occ: Occurrence, client_id: int) -> bool:
    return client_id in enrolled_clients(session, occ)


def leads(actor: Actor, series: GroupSeries) -> bool:
    """The actor is this group's facilitator as an admin assigned (`facilitator_assigned_by`
    is set only by admin services): a therapist who named themself gets nothing from it."""
    return (actor.role == Role.THERAPIST and series.facilitator_id == actor.id
            and series.facilitator_assigned_by is not None)


def may_for_group(session: Session, actor: Actor, occ: Occurrence, client_id: int,
                  kind: RecordKind, action: Action) -> bool:
    if access.allowed(session, actor, client_id, kind, action):
        return True
    return ((kind, action) in FACILITATOR_MAY and leads(actor, occ.series)
            and _enrolled_here(session, occ, client_id))


def authorize_for_group(session: Session, actor: Actor, occ: Occurrence, client_id: int,
                        kind: RecordKind, action: Action, detail: str = "") -> None:
    """`access.authorize`, plus the facilitator's narrow rights above; audited either way
    (a refusal too, by `access.authorize`)."""
    if (not access.allowed(session, actor, client_id, kind, action)
            and may_for_group(session, actor, occ, client_id, kind, action)):
        audit.record(session, actor, action.value, kind.value, client_id,
                     f"as facilitator of {occ.title} {occ.starts_at:%Y-%m-%d %H:%M}Z: {detail}")
        return
    access.authorize(session, actor, client_id, kind, action, detail)


def authorize_attendance(session: Session, actor: Actor, occ: Occurrence, client_id: int,
                         action: Action = Action.WRITE, detail: str = "") -> None:
    authorize_for_group(session, actor, occ, client_id, RecordKind.ATTENDANCE, action, detail)


def _current_marks(session: Session, occ: Occurrence) -> dict[int, GroupAttendance]:
    stmt = select(GroupAttendance).where(GroupAttendance.series_id == occ.series.id,
                                         GroupAttendance.occurrence_at == occ.occurrence_at,
                                         col(GroupAttendance.is_current).is_(True))
    return {a.client_id: a for a in session.exec(stmt)}


@dataclass(frozen=True)
class SheetRow:
    client_id: int
    name: str
    rsvp: str | None       # going / not_going / None
    reason: str
    mark: str | None       # present / absent / excused / None (the saved mark)
    marked_by: str | None = None       # who saved it (display name)
    marked_at: datetime | None = None  # when


def my_sessions(session: Session, actor: Actor, start: datetime, end: datetime
                ) -> list[Occurrence]:
    """Sessions a therapist leads (as an admin assigned), or where clients of theirs are
    expected."""
    access.require_role(session, actor, Role.THERAPIST)
    occs = occurrences(session, start, end)
    mine = set(session.exec(select(Enrolment.track, Enrolment.location).join(
        User, User.id == Enrolment.client_id).where(Enrolment.therapist_id == actor.id,
                                                    User.role == Role.CLIENT)).all())
    return [o for o in occs if leads(actor, o.series)
            or (o.series.track, o.series.location) in mine]


def my_clients_expected(session: Session, actor: Actor, occs: list[Occurrence]
                        ) -> dict[str, int]:
    """Per session key: how many of the therapist's own clients (in the program, by track
    and site) are expected there (counts only: nothing of anyone's record)."""
    access.require_role(session, actor, Role.THERAPIST)
    counts = dict(((track, location), n) for track, location, n in session.exec(
        select(Enrolment.track, Enrolment.location, func.count()).join(
            User, User.id == Enrolment.client_id).where(
            Enrolment.therapist_id == actor.id, User.role == Role.CLIENT,
            col(User.is_active).is_(True)).group_by(Enrolment.track, Enrolment.location)))
    return {o.key: counts.get((o.series.track, o.series.location), 0) for o in occs}


def attendance_sheet(session: Session, actor: Actor, occ: Occurrence) -> list[SheetRow]:
    """Expected clients the actor may mark, with their RSVP and current mark (audited)."""
    access.require_role(session, actor, Role.THERAPIST)
    rows = []
    answers = {r.client_id: r for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.series_id == occ.series.id, GroupRsvp.occurrence_at == occ.occurrence_at))}
    marks = _current_marks(session, occ)
    markers = dict(session.exec(select(User.id, User.display_name).where(
        col(User.id).in_({m.marked_by for m in marks.values()}))).all()) if marks else {}
    for client_id, name in expected_clients(session, occ):
        if not may_for_group(session, actor, occ, client_id, RecordKind.ATTENDANCE,
                             Action.WRITE):
            continue
        authorize_attendance(session, actor, occ, client_id, Action.READ, "attendance sheet")
        answer, mark = answers.get(client_id), marks.get(client_id)
        rows.append(SheetRow(client_id, name, answer.status if answer else None,
                             answer.reason if answer else "", mark.status if mark else None,
                             markers.get(mark.marked_by) if mark else None,
                             mark.created_at if mark else None))
    return rows


def mark_attendance(session: Session, actor: Actor, occ: Occurrence,
                    marks: dict[int, str]) -> list[GroupAttendance]:
    """Present / absent / excused for each client; all or nothing. A change keeps the
    earlier mark as a version. An unexcused absence flags the client's therapist; an
    absence corrected later settles that flag with the correction as its note."""
    access.require_role(session, actor, Role.THERAPIST)
    access.require_current(session, actor)
    if occ.cancelled:
        raise InvalidInput("This session was cancelled, so there is no attendance to take.")
    if occ.starts_at - timedelta(minutes=MARK_EARLY_MINUTES) > utcnow():
        raise InvalidInput("Attendance can be taken from 15 minutes before the session.")
    bad = {c: s for c, s in marks.items() if s not in ATTENDANCE_LABELS}
    if bad:
        raise InvalidInput("Mark each person present, absent or excused.")
    for client_id in marks:  # every check first: a refusal writes nothing at all
        if not may_for_group(session, actor, occ, client_id, RecordKind.ATTENDANCE,
                             Action.WRITE):
            access.authorize(session, actor, client_id, RecordKind.ATTENDANCE, Action.WRITE)
    current = _current_marks(session, occ)
    saved = []
    for client_id, status in marks.items():
        before = current.get(client_id)
        if before is not None and before.status == status:
            continue
        authorize_attendance(session, actor, occ, client_id, Action.WRITE,
                             f"marked {status}")
        if before is not None:
            before.is_current = False
            session.add(before)
            session.flush()
        row = GroupAttendance(series_id=occ.series.id, occurrence_at=occ.occurrence_at,
                              client_id=client_id, version=before.version + 1 if before else 1,
                              status=status, starts_at=occ.starts_at, minutes=occ.minutes,
                              marked_by=actor.id)
        session.add(row)
        session.flush()
        versions = list(session.exec(select(GroupAttendance.id).where(
            GroupAttendance.series_id == occ.series.id,
            GroupAttendance.occurrence_at == occ.occurrence_at,
            GroupAttendance.client_id == client_id)))
        if status == ABSENT:
            flags.for_absence(session, row, versions, occ.title,
                              to_clinic(occ.starts_at).date())
        else:
            flags.settle_absence(session, client_id, versions, actor.id,
                                 f"Attendance corrected to {status} by {actor.display_name}")
        saved.append(row)
    return saved
