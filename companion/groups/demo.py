"""Demo group sessions: a fictional weekly schedule on both tracks and every site, with
attendance, RSVPs, daily check-in reminders and one cancelled and one moved session."""
from __future__ import annotations

import random
from datetime import datetime, time, timedelta, timezone

from sqlmodel import Session, col, delete, select

from companion import flags
from companion.core.timeutil import clinic_today, clinic_zone, to_clinic, utcnow
from companion.groups.attendance import ABSENT, EXCUSED, PRESENT
from companion.groups.recurrence import CANCELLED, MOVED, occurrences
from companion.groups.rsvps import GOING, NOT_GOING
from companion.groups.scheduling import SeriesInput, _new_series
from companion.i18n import N_
from companion.models import (CheckInReminder, Enrolment, GroupAttendance, GroupException,
                              GroupRsvp, GroupSeries, Role, User)

# Titles and topics are stored in English and marked for the catalog: a client reading Spanish
# sees them translated (companion/ui/groups.py `group_text`); what staff type shows as typed.
DEMO_GROUPS = [  # title, topic, track, location, facilitator index, days, start, end
    (N_("Morning process group"), N_("Check-in round, then what came up this week."),
     "morning", "north", 0, [0, 2, 4], time(9), time(12)),
    (N_("Morning process group"), N_("Check-in round, then what came up this week."),
     "morning", "river", 1, [0, 2, 4], time(9), time(12)),
    (N_("Morning group (online)"), N_("Relapse prevention skills and a check-in round."),
     "morning", "telehealth", 0, [1, 3], time(9), time(12)),
    (N_("Evening process group"),
     N_("Coping with cravings after work; family and relationships."),
     "evening", "north", 1, [1, 3], time(18), time(21)),
    (N_("Evening process group"),
     N_("Coping with cravings after work; family and relationships."),
     "evening", "river", 1, [0, 2], time(18), time(21)),
    (N_("Evening group (online)"), N_("Mindfulness, urge surfing and planning the week ahead."),
     "evening", "telehealth", 0, [0, 2], time(18), time(21)),
]


def seed_demo(session: Session, clients, therapists: list[User], rng: random.Random,
              admin: User) -> None:
    """A fictional weekly schedule on both tracks and every site, begun 8 weeks ago, with
    attendance since each client joined, RSVPs for the week ahead, one cancelled and one
    moved session. Groups are scheduled by `admin`, who assigns their facilitators, as in
    the clinic. `clients`: users, or (user, days) pairs as the demo passes them."""
    users = [c[0] if isinstance(c, tuple) else c for c in clients]
    ids = [u.id for u in users]
    mine = list(session.exec(select(GroupSeries.id).where(
        col(GroupSeries.facilitator_id).in_([t.id for t in therapists]))))
    for model in (GroupAttendance, GroupRsvp, GroupException):
        session.exec(delete(model).where(col(model.series_id).in_(mine)))
    session.exec(delete(GroupAttendance).where(col(GroupAttendance.client_id).in_(ids)))
    session.exec(delete(GroupRsvp).where(col(GroupRsvp.client_id).in_(ids)))
    session.exec(delete(CheckInReminder).where(col(CheckInReminder.client_id).in_(ids)))
    session.exec(delete(GroupSeries).where(col(GroupSeries.id).in_(mine)))
    session.flush()
    zone, today, now = clinic_zone(), clinic_today(), utcnow()
    first = today - timedelta(days=56 + today.weekday())
    assigned = datetime.combine(first - timedelta(days=7), time(9), zone).astimezone(
        timezone.utc)  # the admin scheduled the groups a week before they began
    created = []
    for title, topic, track, location, who, days, start, end in DEMO_GROUPS:
        data = SeriesInput(title=title, topic=topic, track=track, location=location,
                           link="https://telehealth.example.invalid/harbor-light-demo"
                           if location == "telehealth" else "",
                           facilitator_id=therapists[who].id, capacity=12, first_day=first,
                           start=start, end=end, weekdays=days)
        series = _new_series(data, zone.key)
        series.created_by = series.facilitator_assigned_by = admin.id
        series.created_at = series.updated_at = series.facilitator_assigned_at = assigned
        session.add(series)
        created.append(series)
    session.flush()
    ahead = occurrences(session, now + timedelta(days=1), now + timedelta(days=8))
    if len(ahead) >= 2:
        session.add(GroupException(series_id=ahead[0].series.id,
                                   occurrence_at=ahead[0].occurrence_at, status=CANCELLED,
                                   note="Clinic closed for staff training (demo). See you at "
                                        "the next session."))
        moved = ahead[-1]
        session.add(GroupException(series_id=moved.series.id, occurrence_at=moved.occurrence_at,
                                   status=MOVED, starts_at=moved.starts_at + timedelta(hours=1),
                                   ends_at=moved.ends_at + timedelta(hours=1),
                                   note="One hour later this week only: room change (demo)."))
    session.flush()
    enrolments = {e.client_id: e for e in session.exec(
        select(Enrolment).where(col(Enrolment.client_id).in_(ids)))}
    in_program = [u for u in users if u.role == Role.CLIENT]
    past = [o for o in occurrences(session, now - timedelta(days=60), now)
            if not o.cancelled and o.ends_at <= now]
    for occ in past:
        for user in in_program:
            e = enrolments[user.id]
            if (e.track, e.location) != (occ.series.track, occ.series.location) \
                    or e.enrolled_at > occ.starts_at:
                continue
            status = rng.choices([PRESENT, ABSENT, EXCUSED], [0.86, 0.08, 0.06])[0]
            row = GroupAttendance(series_id=occ.series.id, occurrence_at=occ.occurrence_at,
                                  client_id=user.id, status=status, starts_at=occ.starts_at,
                                  minutes=occ.minutes, marked_by=occ.series.facilitator_id,
                                  created_at=occ.ends_at)
            session.add(row)
            session.flush()
            if status == ABSENT and occ.starts_at >= now - timedelta(days=10):
                flags.for_absence(session, row, [row.id],
                                  f"{occ.title}, {to_clinic(occ.starts_at):%a %b %-d}")
    for occ in occurrences(session, now, now + timedelta(days=7)):
        if occ.cancelled:
            continue
        for user in in_program:
            e = enrolments[user.id]
            if (e.track, e.location) != (occ.series.track, occ.series.location):
                continue
            pick = rng.random()
            if pick < 0.6:
                session.add(GroupRsvp(series_id=occ.series.id, occurrence_at=occ.occurrence_at,
                                      client_id=user.id, status=GOING))
            elif pick < 0.7:
                session.add(GroupRsvp(series_id=occ.series.id, occurrence_at=occ.occurrence_at,
                                      client_id=user.id, status=NOT_GOING,
                                      reason=rng.choice(["Doctor's appointment",
                                                         "Childcare fell through",
                                                         "Work shift changed"])))
    for user in in_program[::2]:
        session.add(CheckInReminder(client_id=user.id,
                                    minute_of_day=rng.choice([8 * 60, 12 * 60 + 30, 20 * 60])))
    session.flush()
