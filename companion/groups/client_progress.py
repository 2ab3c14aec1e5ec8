"""A client's way through the program: the "we missed you" note after an unexcused absence,
their progress (week, sessions attended and held, hours this week) and the attendance
counts a therapist's caseload shows."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case, func
from sqlmodel import Session, col, select

from babel import dates as babel_dates

from companion import access, i18n
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.timeutil import clinic_today, clinic_zone, to_clinic, utcnow
from companion.groups.attendance import ABSENT, EXCUSED, PRESENT
from companion.groups.recurrence import Occurrence, occurrences
from companion.groups.rsvps import ClientSession, _enrolment, upcoming_for_client
from companion.models import GroupAttendance, GroupSeries, Role

MISSED_NOTE_DAYS = 7        # a "we missed you" note stays this long after an absence


@dataclass(frozen=True)
class MissedNote:
    missed: str                     # "Process group on Mon Mar 1"
    next_sessions: list[ClientSession]


def missed_note(session: Session, actor: Actor) -> MissedNote | None:
    """After an unexcused absence (and no session attended since), a kind word and the
    next sessions, for a week."""
    access.authorize(session, actor, actor.id, RecordKind.ATTENDANCE, Action.READ)
    if actor.role != Role.CLIENT:
        return None
    since = utcnow() - timedelta(days=MISSED_NOTE_DAYS)
    latest = session.exec(select(GroupAttendance).where(
        GroupAttendance.client_id == actor.id, col(GroupAttendance.is_current).is_(True),
        GroupAttendance.starts_at >= since, GroupAttendance.status != EXCUSED)
        .order_by(col(GroupAttendance.starts_at).desc())).first()
    if latest is None or latest.status != ABSENT:
        return None
    series = session.get(GroupSeries, latest.series_id)
    now = utcnow()
    upcoming = [s for s in upcoming_for_client(session, actor)
                if not s.occurrence.cancelled and s.occurrence.starts_at > now]
    local = to_clinic(latest.starts_at)
    day = (f"{local:%A %b %-d}" if i18n.current() == i18n.DEFAULT else
           babel_dates.format_skeleton("MMMEEEEd", local, locale=i18n.babel_locale()))
    return MissedNote(i18n._("{title} on {day}").format(title=i18n.group_text(series.title),
                                                       day=day), upcoming[:3])


@dataclass(frozen=True)
class Progress:
    week: int               # week of the program, from 1
    attended: int
    scheduled: int          # sessions held for their track and location since joining
    hours_this_week: float
    weekly_hours: float


def _week_start(today: date) -> datetime:
    monday = today - timedelta(days=today.weekday())
    return datetime.combine(monday, time.min, clinic_zone()).astimezone(timezone.utc)


def _held(occs: list[Occurrence], now: datetime) -> list[Occurrence]:
    return [o for o in occs if not o.cancelled and o.starts_at <= now]


def progress(session: Session, actor: Actor, client_id: int) -> Progress:
    access.authorize(session, actor, client_id, RecordKind.ATTENDANCE, Action.READ, "progress")
    enrolment = _enrolment(session, client_id)
    now, today = utcnow(), clinic_today()
    until = min(now, enrolment.discharged_at or now)
    held = _held(occurrences(session, enrolment.enrolled_at, until, track=enrolment.track,
                             location=enrolment.location), until)
    this_week = GroupAttendance.starts_at >= _week_start(today)
    attended, minutes = session.exec(  # sessions attended, and this week's minutes: one read
        select(func.count(), func.coalesce(func.sum(case((this_week, GroupAttendance.minutes),
                                                         else_=0)), 0))
        .where(GroupAttendance.client_id == client_id, col(GroupAttendance.is_current).is_(True),
               GroupAttendance.status == PRESENT)).one()
    week = (today - to_clinic(enrolment.enrolled_at).date()).days // 7 + 1
    return Progress(week=max(1, week), attended=int(attended), scheduled=len(held),
                    hours_this_week=round(int(minutes) / 60, 1),
                    weekly_hours=get_clinic().weekly_hours)


def attendance_counts(session: Session, clients, days: int = 14) -> dict[int, tuple[int, int]]:
    """(attended, scheduled) per client over the last `days` days, for a caseload the
    caller already checked. `clients`: rows with id, role, track, location, enrolled_at."""
    if not clients:
        return {}
    now = utcnow()
    start = datetime.combine(clinic_today() - timedelta(days=days - 1), time.min,
                             clinic_zone()).astimezone(timezone.utc)
    ids = [c.id for c in clients]
    attended = dict(session.exec(
        select(GroupAttendance.client_id, func.count()).where(
            col(GroupAttendance.client_id).in_(ids), col(GroupAttendance.is_current).is_(True),
            GroupAttendance.status == PRESENT, GroupAttendance.starts_at >= start)
        .group_by(GroupAttendance.client_id)).all())
    held: dict[tuple[str, str], list[Occurrence]] = {}
    for occ in _held(occurrences(session, start, now), now):  # one expansion, then grouped
        held.setdefault((occ.series.track, occ.series.location), []).append(occ)
    out = {}
    for c in clients:
        scheduled = 0 if c.role != Role.CLIENT else sum(
            1 for o in held.get((c.track, c.location), []) if o.ends_at >= c.enrolled_at)
        out[c.id] = (int(attended.get(c.id, 0)), scheduled)
    return out
