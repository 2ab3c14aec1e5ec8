"""A client's daily check-in reminder and calendar (.ics, RFC 5545) files: one session, or
my schedule for the next 8 weeks with the daily check-in. Nothing else in the package
imports from here.

Calendar subscription: a live feed URL would need an HTTP route that answers a calendar app
with the file, and Streamlit serves only its own app (static serving is off for safety), so
clients download an .ics snapshot instead and download again after a change.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlmodel import Session

from companion import access
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import clinic_today, clinic_zone, utcnow
from companion.groups.attendance import _enrolled_here
from companion.groups.recurrence import (SCHEDULED, Occurrence, _zone, occurrence_by_key,
                                         occurrences)
from companion.groups.rsvps import _in_program, names
from companion.models import CheckInReminder

CALENDAR_DAYS = 56          # what the whole-schedule calendar file carries ahead
ALARMS = (timedelta(days=1), timedelta(hours=1))   # calendar reminders before each session
PRODID = "-//IOP Companion//Group sessions//EN"


def reminder(session: Session, actor: Actor) -> time | None:
    access.authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.READ)
    row = session.get(CheckInReminder, actor.id)
    return None if row is None else time(row.minute_of_day // 60, row.minute_of_day % 60)


def set_reminder(session: Session, actor: Actor, at: time | None) -> None:
    """My daily check-in time (local), or None to stop it."""
    access.authorize(session, actor, actor.id, RecordKind.CHECKIN, Action.WRITE)
    row = session.get(CheckInReminder, actor.id)
    if at is None:
        if row is not None:
            session.delete(row)
            session.flush()
        return
    row = row or CheckInReminder(client_id=actor.id, minute_of_day=0)
    row.minute_of_day, row.updated_at = at.hour * 60 + at.minute, utcnow()
    session.add(row)


def _uid(occ: Occurrence) -> str:
    return f"group-{occ.series.id}-{occ.occurrence_at:%Y%m%dT%H%M%SZ}@iop-companion"


def _event(occ: Occurrence, facilitator: str, discreet: bool, stamp: datetime):
    from icalendar import Alarm, Event

    clinic = get_clinic()
    zone = _zone(occ.series)
    place = clinic.location_label(occ.series.location)
    event = Event()
    event.add("uid", _uid(occ))
    event.add("dtstamp", stamp)
    event.add("dtstart", occ.starts_at.astimezone(zone))
    event.add("dtend", occ.ends_at.astimezone(zone))
    event.add("summary", "Appointment" if discreet else f"{occ.title} — {clinic.name}")
    lines = [] if discreet else [occ.series.topic, f"With {facilitator}"]
    if occ.note:
        lines.append(("Cancelled: " if occ.cancelled else "Changed: ") + occ.note)
    if occ.series.link:
        lines.append(f"Join: {occ.series.link}")
        event.add("url", occ.series.link)
    event.add("description", "\n".join(line for line in lines if line))
    event.add("location", (occ.series.link or place) if occ.series.location == "telehealth"
              else place)
    event.add("status", "CANCELLED" if occ.cancelled else "CONFIRMED")
    event.add("sequence", 1 if occ.status != SCHEDULED else 0)
    if not occ.cancelled:
        for before in ALARMS:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", -before)
            ahead = "tomorrow" if before >= timedelta(days=1) else "in 1 hour"
            alarm.add("description", f"{'Appointment' if discreet else occ.title} {ahead}")
            event.add_component(alarm)
    return event


def _checkin_event(client_id: int, at: time, stamp: datetime):
    from icalendar import Alarm, Event

    zone = clinic_zone()
    start = datetime.combine(clinic_today(), at, zone)
    event = Event()
    event.add("uid", f"checkin-{client_id}@iop-companion")
    event.add("dtstamp", stamp)
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=5))
    event.add("rrule", {"freq": "daily"})
    event.add("summary", "Check in")
    event.add("description", "Your daily check-in: about 30 seconds in the app.")
    event.add("transp", "TRANSPARENT")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(0))
    alarm.add("description", "Time for your daily check-in")
    event.add_component(alarm)
    return event


def calendar_file(session: Session, actor: Actor, key: str | None = None,
                  discreet: bool = True) -> bytes:
    """An RFC 5545 file: one session (`key`), or my whole schedule for the next 8 weeks
    with my daily check-in (if I chose a time). Cancelled sessions are included as
    CANCELLED so a re-imported file updates the calendar. `discreet` leaves out what the
    program is, for calendars others may see."""
    from icalendar import Calendar

    access.authorize(session, actor, actor.id, RecordKind.RSVP, Action.READ)
    enrolment = _in_program(session, actor)
    if enrolment is None:
        raise InvalidInput("Group sessions are for clients in the program.")
    now = utcnow()
    if key is not None:
        occ = occurrence_by_key(session, key)
        if not _enrolled_here(session, occ, actor.id):
            raise AccessDenied("This session isn't on your schedule.")
        occs = [occ]
    else:
        occs = [o for o in occurrences(session, now, now + timedelta(days=CALENDAR_DAYS),
                                       track=enrolment.track, location=enrolment.location)
                if o.ends_at > now]
    who = names(session, [o.series.facilitator_id for o in occs])
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "Appointments" if discreet else get_clinic().name)
    for occ in occs:
        cal.add_component(_event(occ, who.get(occ.series.facilitator_id, ""), discreet, now))
    chosen = reminder(session, actor)
    if key is None and chosen is not None:
        cal.add_component(_checkin_event(actor.id, chosen, now))
    cal.add_missing_timezones()
    return cal.to_ical()
