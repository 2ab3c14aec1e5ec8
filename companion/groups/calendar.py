"""A client's daily check-in reminder and calendar (.ics, RFC 5545) files: one session, or a
schedule for the next 8 weeks with the daily check-in. One event builder serves the one-off
download (`calendar_file`) and the subscription feed (companion/calendar_feed.py, served at
/calendar/<token>.ics by companion/web/routes.py).

What every calendar reader must get right (checked in the tests with icalendar,
recurring-ical-events and vobject):

- SEQUENCE only rises: each event's is kept per person in `calendar_sequences` with a hash of
  what the event says; any change (a cancellation, its undoing, a move, a new RSVP) raises
  it, and DTSTAMP is the moment it last changed, so an unchanged file is byte-identical
  (what makes ETag/304 work).
- The clinic zone's VTIMEZONE is written with yearly RRULEs (as RFC 5545's own example),
  never the comma-separated RDATE lists vobject misreads.
- The daily check-in keeps one DTSTART (the day the reminder was set, at its time) and one
  UID for as long as it exists; changing the time raises its SEQUENCE.
- Every text field goes through `calendar_text` (no control or hidden characters), so an
  old row that predates the checks at save cannot break the file.
- Discreet: no program name in PRODID or UIDs; neutral titles unless asked otherwise.
"""
from __future__ import annotations

import calendar as _monthdays
import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, select

from companion.i18n import N_, _, gettext, group_text
from companion import access
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import clinic_zone, utcnow
from companion.groups.attendance import _enrolled_here
from companion.groups.recurrence import Occurrence, _zone, occurrence_by_key, occurrences
from companion.groups.rsvps import NOT_GOING, _in_program, names
from companion.models import CalendarSequence, CheckInReminder, Enrolment, GroupRsvp
from companion.ui.text import calendar_text

CALENDAR_DAYS = 56          # what a whole-schedule file or feed carries ahead
ALARMS = (timedelta(days=1), timedelta(hours=1))   # calendar reminders before each session
PRODID = "-//Companion//Calendar 1.0//EN"          # nothing that names the program
UID_DOMAIN = "calendar.companion"
# Words in the file are in the reader's language (the account's, for the feed: see
# companion/calendar_feed.py); translated when a file is built.
NEUTRAL_TITLE = N_("Appointment")
NOT_GOING_MARK = N_("{title} (not going)")
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


@dataclass(frozen=True)
class Choices:
    """What a file carries. `discreet`: neutral titles, no topic or facilitator;
    `show_site`: the site's name as LOCATION; `skip_not_going`: sessions I said I'd miss are
    left out (otherwise marked "(not going)", free time, no alarms)."""
    discreet: bool = True
    show_site: bool = False
    skip_not_going: bool = False


@dataclass(frozen=True)
class Built:
    body: bytes
    newest_change: datetime | None   # the latest DTSTAMP in it


# --- The daily check-in reminder ------------------------------------------------------------


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


# --- Events ---------------------------------------------------------------------------------


def _uid(occ: Occurrence) -> str:
    return f"group-{occ.series.id}-{occ.occurrence_at:%Y%m%dT%H%M%SZ}@{UID_DOMAIN}"


def _checkin_uid(row: CheckInReminder) -> str:
    """One UID for the reminder's whole life; a reminder turned off and on again is a new
    event. Opaque: it does not carry the client's id."""
    seed = f"checkin:{row.client_id}:{row.created_at.timestamp():.6f}".encode()
    return f"checkin-{hashlib.sha256(seed).hexdigest()[:24]}@{UID_DOMAIN}"


def _text(event, name: str, value: str) -> None:
    event.add(name, calendar_text(value))


def _line(event, name: str, value: str) -> None:
    """A one-line value (a URL is not escaped the way text is): no line breaks at all."""
    event.add(name, " ".join(calendar_text(value).split()))


def _alarm(text: str, before: timedelta):
    from icalendar import Alarm

    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", -before)
    _text(alarm, "description", text)
    return alarm


def _event(occ: Occurrence, facilitator: str, choices: Choices, not_going: bool = False):
    """A session's VEVENT without SEQUENCE and DTSTAMP (see `_Sequences`)."""
    from icalendar import Event

    clinic = get_clinic()
    zone = _zone(occ.series)
    telehealth = occ.series.location == "telehealth"
    title = group_text(occ.title)
    neutral = gettext(NEUTRAL_TITLE)
    name = neutral if choices.discreet else _("{title} — {clinic}").format(title=title,
                                                                          clinic=clinic.name)
    event = Event()
    event.add("uid", _uid(occ))
    event.add("dtstart", occ.starts_at.astimezone(zone))
    event.add("dtend", occ.ends_at.astimezone(zone))
    _text(event, "summary", gettext(NOT_GOING_MARK).format(title=name) if not_going else name)
    lines = [] if choices.discreet else [group_text(occ.series.topic),
                                         _("With {facilitator}").format(facilitator=facilitator)]
    if not_going:
        lines.append(_("You said you can't make this one."))
    if occ.note:
        lines.append((_("Cancelled: {note}") if occ.cancelled else _("Changed: {note}")).format(
            note=occ.note))
    if occ.series.link:
        lines.append(_("Join: {link}").format(link=occ.series.link))
        _line(event, "url", occ.series.link)
    if text := "\n".join(line for line in lines if line):
        _text(event, "description", text)
    if telehealth:
        _line(event, "location", occ.series.link or _("Online"))
    elif choices.show_site:
        _text(event, "location", clinic.location_label(occ.series.location))
    event.add("status", "CANCELLED" if occ.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if occ.cancelled or not_going else "OPAQUE")
    if not occ.cancelled and not not_going:
        for before in ALARMS:
            shown = neutral if choices.discreet else title
            words = (_("{title} tomorrow") if before >= timedelta(days=1)
                     else _("{title} in 1 hour"))
            event.add_component(_alarm(words.format(title=shown), before))
    return event


def _checkin_event(row: CheckInReminder):
    """Daily from the day the reminder was set, at its (local) time: a fixed DTSTART."""
    from icalendar import Event

    zone = clinic_zone()
    at = time(row.minute_of_day // 60, row.minute_of_day % 60)
    start = datetime.combine(row.created_at.astimezone(zone).date(), at, zone)
    event = Event()
    event.add("uid", _checkin_uid(row))
    event.add("dtstart", start)
    event.add("dtend", start + timedelta(minutes=5))
    event.add("rrule", {"freq": "daily"})
    event.add("summary", _("Check in"))
    event.add("description", _("Your daily check-in: about 30 seconds in the app."))
    event.add("transp", "TRANSPARENT")
    event.add_component(_alarm(_("Time for your daily check-in"), timedelta(0)))
    return event


class _Sequences:
    """Each event's SEQUENCE and DTSTAMP for one person's calendar (see the module note)."""

    def __init__(self, session: Session, user_id: int, uids: list[str]):
        self.session, self.user_id = session, user_id
        self.rows = {r.uid: r for r in session.exec(select(CalendarSequence).where(
            CalendarSequence.user_id == user_id, col(CalendarSequence.uid).in_(uids)))}

    def seal(self, event, now: datetime) -> datetime:
        uid = str(event["UID"])
        fingerprint = hashlib.sha256(event.to_ical()).hexdigest()
        row = self.rows.get(uid)
        if row is None:
            row = CalendarSequence(user_id=self.user_id, uid=uid, sequence=0,
                                   fingerprint=fingerprint, changed_at=now)
            self.session.add(row)
        elif row.fingerprint != fingerprint:
            row.sequence, row.fingerprint, row.changed_at = row.sequence + 1, fingerprint, now
            self.session.add(row)
        event.add("sequence", row.sequence)
        event.add("dtstamp", row.changed_at)
        return row.changed_at


# --- The clinic's time zone -----------------------------------------------------------------


def _transitions(zone: ZoneInfo, year: int) -> list[tuple[datetime, timedelta, timedelta]]:
    """(moment in UTC, offset before, offset after) for each change of offset in `year`."""
    found, step = [], timedelta(minutes=15)
    moment = datetime(year, 1, 1, tzinfo=timezone.utc)
    end = datetime(year + 1, 1, 1, tzinfo=timezone.utc)
    before = moment.astimezone(zone).utcoffset()
    day = timedelta(days=1)
    while moment < end:
        if (moment + day).astimezone(zone).utcoffset() != before:
            probe = moment
            while probe.astimezone(zone).utcoffset() == before:
                probe += step
            after = probe.astimezone(zone).utcoffset()
            found.append((probe, before, after))
            before, moment = after, probe
            continue
        moment += day
    return found


def _yearly_rule(local: datetime) -> dict:
    """The yearly rule a change at `local` follows: the n-th (or last) weekday of its month."""
    last_day = _monthdays.monthrange(local.year, local.month)[1]
    nth = -1 if local.day + 7 > last_day else (local.day - 1) // 7 + 1
    return {"freq": "yearly", "bymonth": local.month,
            "byday": f"{nth}{_WEEKDAYS[local.weekday()]}"}


def _first_in_1970(local: datetime, rule: dict) -> datetime:
    from dateutil.rrule import YEARLY, rrule, weekday

    nth = int(rule["byday"][:-2])
    wd = weekday(_WEEKDAYS.index(rule["byday"][-2:]), nth)
    return rrule(YEARLY, bymonth=rule["bymonth"], byweekday=wd,
                 dtstart=datetime(1970, 1, 1, local.hour, local.minute))[0]


def vtimezone(zone: ZoneInfo, year: int):
    """The zone's VTIMEZONE with yearly RRULEs for `year`'s rules (a zone without daylight
    saving: one STANDARD)."""
    from icalendar import Timezone, TimezoneDaylight, TimezoneStandard

    tz = Timezone()
    tz.add("tzid", zone.key)
    changes = _transitions(zone, year)
    if not changes:
        jan = datetime(year, 1, 1, 12, tzinfo=zone)
        part = TimezoneStandard()
        part.add("dtstart", datetime(1970, 1, 1))
        part.add("tzoffsetfrom", jan.utcoffset())
        part.add("tzoffsetto", jan.utcoffset())
        part.add("tzname", jan.tzname())
        tz.add_component(part)
        return tz
    for moment, before, after in changes:
        local = (moment + before).replace(tzinfo=None)   # the wall clock as it changes
        aware = moment.astimezone(zone)
        part = TimezoneDaylight() if aware.dst() else TimezoneStandard()
        rule = _yearly_rule(local)
        part.add("dtstart", _first_in_1970(local, rule))
        part.add("tzoffsetfrom", before)
        part.add("tzoffsetto", after)
        part.add("rrule", rule)
        part.add("tzname", aware.tzname())
        tz.add_component(part)
    return tz


# --- Files ----------------------------------------------------------------------------------


def build(session: Session, owner_id: int, occs: list[Occurrence], choices: Choices,
          checkin: CheckInReminder | None = None, calendar_name: str | None = None,
          refresh: timedelta | None = None) -> Built:
    """The calendar file for `owner_id` (whose SEQUENCEs these are): `occs`, their RSVPs
    applied, and the daily check-in if given; `refresh` for a feed. No access check:
    callers make it."""
    from icalendar import Calendar

    now = utcnow()
    skipped = {(r.series_id, r.occurrence_at) for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.client_id == owner_id, GroupRsvp.status == NOT_GOING,
        col(GroupRsvp.series_id).in_({o.series.id for o in occs})))} if occs else set()
    who = names(session, [o.series.facilitator_id for o in occs])
    events = []
    for occ in occs:
        not_going = (occ.series.id, occ.occurrence_at) in skipped and not occ.cancelled
        if not_going and choices.skip_not_going:
            continue
        events.append(_event(occ, who.get(occ.series.facilitator_id, ""), choices, not_going))
    if checkin is not None:
        events.append(_checkin_event(checkin))
    sequences = _Sequences(session, owner_id, [str(e["UID"]) for e in events])
    stamps = [sequences.seal(event, now) for event in events]
    session.flush()
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = calendar_name or (_("Appointments") if choices.discreet else get_clinic().name)
    _text(cal, "x-wr-calname", name)
    if refresh is not None:   # a feed: how often to fetch (RFC 7986, and Outlook's own name)
        from icalendar import vDuration

        cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", vDuration(refresh))
    zones = {_zone(o.series).key for o in occs} | ({clinic_zone().key} if checkin else set())
    for key in sorted(zones):
        cal.add_component(vtimezone(ZoneInfo(key), now.year))
    for event in events:
        cal.add_component(event)
    return Built(cal.to_ical(), max(stamps, default=None))


def client_sessions_ahead(session: Session, enrolment: Enrolment) -> list[Occurrence]:
    """The next 8 weeks for the client's track and site (or telehealth), cancelled included."""
    now = utcnow()
    return [o for o in occurrences(session, now, now + timedelta(days=CALENDAR_DAYS),
                                   track=enrolment.track, location=enrolment.location)
            if o.ends_at > now]


def facilitated_ahead(session: Session, facilitator_id: int) -> list[Occurrence]:
    """The next 8 weeks of the sessions a facilitator runs."""
    now = utcnow()
    return [o for o in occurrences(session, now, now + timedelta(days=CALENDAR_DAYS),
                                   facilitator_id=facilitator_id) if o.ends_at > now]


def calendar_file(session: Session, actor: Actor, key: str | None = None,
                  discreet: bool = True) -> bytes:
    """An RFC 5545 file: one session (`key`), or my whole schedule for the next 8 weeks
    with my daily check-in (if I chose a time). Cancelled sessions are included as
    CANCELLED so a re-imported file updates the calendar. `discreet` leaves out what the
    program is, and the site's name, for calendars others may see."""
    access.authorize(session, actor, actor.id, RecordKind.RSVP, Action.READ)
    enrolment = _in_program(session, actor)
    if enrolment is None:
        raise InvalidInput(_("Group sessions are for clients in the program."))
    if key is not None:
        occ = occurrence_by_key(session, key)
        if not _enrolled_here(session, occ, actor.id):
            raise AccessDenied(_("This session isn't on your schedule."))
        occs = [occ]
    else:
        occs = client_sessions_ahead(session, enrolment)
    checkin = session.get(CheckInReminder, actor.id) if key is None else None
    choices = Choices(discreet=discreet, show_site=not discreet)
    return build(session, actor.id, occs, choices, checkin).body
