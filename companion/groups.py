"""Group sessions: weekly schedules with exceptions, RSVPs, attendance, program progress,
the pre-group view and calendar files.

Time: every moment is stored in UTC. A series keeps its first start (DTSTART) and an
iCalendar RRULE; the rule is expanded in the series' local zone and each occurrence is then
converted to UTC, so a Monday 6 pm group stays at 6 pm local across daylight-saving changes.
An occurrence is named by its series and its original start (`occurrence_at`, RFC 5545's
RECURRENCE-ID), which stays the same when that one occurrence is moved.

Access: scheduling is for admins and therapists (a schedule is not a client record). A
client RSVPs for themself. Attendance is marked by the client's own therapist (through
`access.authorize`) or by the session's facilitator for the clients expected at that
session (`authorize_for_group` below: the one, narrow exception, audited the same way).

Calendar subscription: a live feed URL would need an HTTP route that answers a calendar app
with the file, and Streamlit serves only its own app (static serving is off for safety), so
clients download an .ics snapshot instead and download again after a change.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pandas as pd
from dateutil.rrule import rrulestr
from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from companion import access, audit, flags
from companion.access import Action, RecordKind
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.models import (CheckIn, CheckInReminder, Enrolment, Flag, GroupAttendance,
                              GroupException, GroupRsvp, GroupSeries, Role, User)
from companion.core.timeutil import clinic_today, clinic_zone, to_clinic, utcnow

UPCOMING_DAYS = 14          # what a client sees ahead
CALENDAR_DAYS = 56          # what the whole-schedule calendar file carries ahead
OVERLAP_DAYS = 366          # how far ahead a facilitator's sessions are checked for overlaps
MISSED_NOTE_DAYS = 7        # a "we missed you" note stays this long after an absence
MARK_EARLY_MINUTES = 15     # attendance can be taken from this long before the start
ALARMS = (timedelta(days=1), timedelta(hours=1))   # calendar reminders before each session
TITLE_MAX, TOPIC_MAX, LINK_MAX, NOTE_MAX, REASON_MAX = 120, 500, 300, 300, 300
CAPACITY_MAX = 60

GOING, NOT_GOING = "going", "not_going"
PRESENT, ABSENT, EXCUSED = "present", "absent", "excused"
ATTENDANCE_LABELS = {PRESENT: "Present", ABSENT: "Absent", EXCUSED: "Excused"}
SCHEDULED, MOVED, CANCELLED = "scheduled", "moved", "cancelled"
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PRODID = "-//IOP Companion//Group sessions//EN"


# --- Occurrences ------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Occurrence:
    series: GroupSeries
    occurrence_at: datetime   # the original start: the occurrence's name
    starts_at: datetime       # as held (a move changes these)
    ends_at: datetime
    status: str = SCHEDULED
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.series.id}@{int(self.occurrence_at.timestamp())}"

    @property
    def cancelled(self) -> bool:
        return self.status == CANCELLED

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def title(self) -> str:
        return self.series.title


def parse_key(key: str) -> tuple[int, datetime]:
    try:
        series_id, stamp = key.split("@")
        return int(series_id), datetime.fromtimestamp(int(stamp), timezone.utc)
    except (ValueError, OverflowError):
        raise NotFound("That session no longer exists.") from None


def _zone(series: GroupSeries) -> ZoneInfo:
    return ZoneInfo(series.tzid)


def _local_naive(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone).astimezone(timezone.utc)


def _planned(series: GroupSeries, start: datetime, end: datetime) -> list[datetime]:
    """Original starts (UTC) in [start, end): the rule expanded in local time."""
    zone = _zone(series)
    rule = rrulestr(series.rrule, dtstart=_local_naive(series.starts_at, zone))
    low = _local_naive(start, zone) - timedelta(days=1)
    high = _local_naive(end, zone) + timedelta(days=1)
    moments = (_to_utc(local, zone) for local in rule.between(low, high, inc=True))
    return [at for at in moments if start <= at < end]


def _is_planned(series: GroupSeries, at: datetime) -> bool:
    return at in _planned(series, at - timedelta(minutes=1), at + timedelta(minutes=1))


def _expand(session: Session, series_list: list[GroupSeries], start: datetime, end: datetime
            ) -> list[Occurrence]:
    if not series_list:
        return []
    ids = [s.id for s in series_list]
    longest = timedelta(minutes=max(s.duration_minutes for s in series_list))
    exceptions = session.exec(select(GroupException).where(
        col(GroupException.series_id).in_(ids),
        ((GroupException.occurrence_at >= start - longest) & (GroupException.occurrence_at < end))
        | ((GroupException.status == MOVED) & (GroupException.starts_at < end)
           & (GroupException.ends_at > start)))).all()
    by_key = {(e.series_id, e.occurrence_at): e for e in exceptions}
    out = []
    for series in series_list:
        length = timedelta(minutes=series.duration_minutes)
        originals = set(_planned(series, start - length, end))  # those still running count
        originals |= {e.occurrence_at for e in exceptions if e.series_id == series.id
                      and e.occurrence_at not in originals and _is_planned(series, e.occurrence_at)}
        for at in originals:
            exc = by_key.get((series.id, at))
            if exc is None:
                occ = Occurrence(series, at, at, at + length)
            elif exc.status == MOVED:
                occ = Occurrence(series, at, exc.starts_at, exc.ends_at, MOVED, exc.note)
            else:
                occ = Occurrence(series, at, at, at + length, CANCELLED, exc.note)
            if occ.starts_at < end and occ.ends_at > start:
                out.append(occ)
    return sorted(out, key=lambda o: (o.starts_at, o.series.title, o.series.id))


def occurrences(session: Session, start: datetime, end: datetime, *, track: str | None = None,
                location: str | None = None, facilitator_id: int | None = None,
                series_ids: list[int] | None = None) -> list[Occurrence]:
    """Every occurrence touching [start, end), moves and cancellations applied, by start."""
    stmt = select(GroupSeries).where(GroupSeries.starts_at < end + timedelta(days=60))
    if track is not None:
        stmt = stmt.where(GroupSeries.track == track)
    if location is not None:
        stmt = stmt.where(GroupSeries.location == location)
    if facilitator_id is not None:
        stmt = stmt.where(GroupSeries.facilitator_id == facilitator_id)
    if series_ids is not None:
        stmt = stmt.where(col(GroupSeries.id).in_(series_ids))
    return _expand(session, list(session.exec(stmt)), start, end)


def get_occurrence(session: Session, series_id: int, occurrence_at: datetime) -> Occurrence:
    series = session.get(GroupSeries, series_id)
    if series is not None:
        for occ in _expand(session, [series], occurrence_at - timedelta(minutes=1),
                           occurrence_at + timedelta(minutes=1)):
            if occ.occurrence_at == occurrence_at:
                return occ
        exc = session.exec(select(GroupException).where(
            GroupException.series_id == series_id,
            GroupException.occurrence_at == occurrence_at)).first()
        if exc is not None and exc.status == MOVED:
            return Occurrence(series, occurrence_at, exc.starts_at, exc.ends_at, MOVED, exc.note)
    raise NotFound("That session no longer exists.")


def occurrence_by_key(session: Session, key: str) -> Occurrence:
    return get_occurrence(session, *parse_key(key))


# --- Rules (RRULE text) -----------------------------------------------------------------------


def rule_text(weekdays: list[int], every_weeks: int = 1, until: date | None = None) -> str:
    parts = ["FREQ=WEEKLY"]
    if every_weeks > 1:
        parts.append(f"INTERVAL={every_weeks}")
    parts.append("BYDAY=" + ",".join(WEEKDAYS[d] for d in sorted(set(weekdays))))
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


def _rule_parts(text: str) -> dict[str, str]:
    return dict(part.split("=", 1) for part in text.split(";") if "=" in part)


def rule_weekdays(series: GroupSeries) -> list[int]:
    return [WEEKDAYS.index(d) for d in _rule_parts(series.rrule).get("BYDAY", "").split(",")
            if d in WEEKDAYS]


def rule_until(series: GroupSeries) -> date | None:
    until = _rule_parts(series.rrule).get("UNTIL")
    return datetime.strptime(until[:8], "%Y%m%d").date() if until else None


def describe(series: GroupSeries) -> str:
    """"Mondays and Wednesdays, 6:00–7:30 PM, until Mar 1" in the clinic's words."""
    days = [WEEKDAY_NAMES[d] + "s" for d in rule_weekdays(series)]
    days_text = " and ".join([", ".join(days[:-1]), days[-1]] if len(days) > 1 else days)
    interval = int(_rule_parts(series.rrule).get("INTERVAL", 1))
    start = series.starts_at.astimezone(_zone(series))
    end = start + timedelta(minutes=series.duration_minutes)
    text = f"{days_text}, {_clock(start)}–{_clock(end)}"
    if interval > 1:
        text += f", every {interval} weeks"
    until = rule_until(series)
    text += f", from {start:%b %-d}" + (f" until {until:%b %-d, %Y}" if until else "")
    return text


def _clock(moment: datetime) -> str:
    return moment.strftime("%-I:%M %p").replace(":00 ", " ")


def when(occ: Occurrence) -> str:
    """"Mon Mar 1, 6 PM–7:30 PM" in the clinic's zone."""
    start, end = to_clinic(occ.starts_at), to_clinic(occ.ends_at)
    return f"{start:%a %b %-d}, {_clock(start)}–{_clock(end)}"


# --- Scheduling (admins and therapists) -------------------------------------------------------


@dataclass
class SeriesInput:
    """What the schedule form collects; times are the clinic's local times."""

    title: str = ""
    topic: str = ""
    track: str = ""
    location: str = ""
    link: str = ""
    facilitator_id: int | None = None
    capacity: int = 12
    first_day: date | None = None
    start: time | None = None
    end: time | None = None
    weekdays: list[int] = field(default_factory=list)  # 0 = Monday
    every_weeks: int = 1
    until: date | None = None


def _require_scheduler(actor: Actor) -> None:
    access.require_role(actor, Role.ADMIN, Role.THERAPIST)


def facilitators(session: Session, actor: Actor) -> dict[int, str]:
    """Active therapists who can lead a group (names only)."""
    _require_scheduler(actor)
    stmt = (select(User.id, User.display_name).where(User.role == Role.THERAPIST,
                                                     col(User.is_active).is_(True))
            .order_by(User.display_name))
    return {row.id: row.display_name for row in session.exec(stmt)}


def all_series(session: Session, actor: Actor) -> list[GroupSeries]:
    _require_scheduler(actor)
    return list(session.exec(select(GroupSeries).order_by(GroupSeries.track,
                                                          GroupSeries.location,
                                                          GroupSeries.starts_at)))


def _check_details(session: Session, data: SeriesInput, errors: dict[str, str]) -> None:
    clinic = get_clinic()
    data.title = " ".join((data.title or "").split())
    data.topic = (data.topic or "").strip()
    data.link = (data.link or "").strip()
    if not 1 <= len(data.title) <= TITLE_MAX:
        errors["title"] = f"Please give the group a title (up to {TITLE_MAX} characters)."
    if len(data.topic) > TOPIC_MAX:
        errors["topic"] = f"Please keep the topic under {TOPIC_MAX} characters."
    if data.track not in {t.key for t in clinic.tracks}:
        errors["track"] = "Choose a track."
    if data.location not in {loc.key for loc in clinic.locations}:
        errors["location"] = "Choose a site or telehealth."
    if data.location == "telehealth":
        if not data.link.startswith("https://") or len(data.link) > LINK_MAX or " " in data.link:
            errors["link"] = ("A telehealth group needs its join link, starting with https:// "
                              f"(up to {LINK_MAX} characters).")
    else:
        data.link = ""
    therapist = session.get(User, data.facilitator_id) if data.facilitator_id else None
    if therapist is None or therapist.role != Role.THERAPIST or not therapist.is_active:
        errors["facilitator_id"] = "Choose an active therapist to lead the group."
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= CAPACITY_MAX:
        errors["capacity"] = f"Capacity is a number of seats from 1 to {CAPACITY_MAX}."


def _window_end(series: GroupSeries, start: datetime) -> datetime:
    until = rule_until(series)
    horizon = start + timedelta(days=OVERLAP_DAYS)
    if until is None:
        return horizon
    last = datetime.combine(until + timedelta(days=1), time.min, _zone(series))
    return min(horizon, last.astimezone(timezone.utc))


def _first_clash(session: Session, facilitator_id: int, mine: list[Occurrence],
                 skip: tuple[int, datetime] | None = None) -> Occurrence | None:
    """The first of the facilitator's other sessions overlapping one of `mine`."""
    mine = [o for o in mine if not o.cancelled]
    if not mine:
        return None
    start, end = min(o.starts_at for o in mine), max(o.ends_at for o in mine)
    theirs = [o for o in occurrences(session, start, end, facilitator_id=facilitator_id)
              if not o.cancelled and (o.series.id, o.occurrence_at) != skip]
    for a in mine:
        for b in theirs:
            if a.series is b.series and a.occurrence_at == b.occurrence_at:
                continue
            if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
                return b
    return None


def _clash_message(session: Session, clash: Occurrence) -> str:
    who = session.get(User, clash.series.facilitator_id)
    return (f"{who.display_name} already leads “{clash.series.title}” on {when(clash)}, which "
            "overlaps. Choose another time or facilitator.")


def _new_series(data: SeriesInput, tzid: str) -> GroupSeries:
    zone = ZoneInfo(tzid)
    start = datetime.combine(data.first_day, data.start, zone).astimezone(timezone.utc)
    minutes = (datetime.combine(data.first_day, data.end)
               - datetime.combine(data.first_day, data.start)).seconds // 60
    return GroupSeries(title=data.title, topic=data.topic, track=data.track,
                       location=data.location, link=data.link,
                       facilitator_id=data.facilitator_id, capacity=data.capacity,
                       starts_at=start, duration_minutes=minutes,
                       rrule=rule_text(data.weekdays, data.every_weeks, data.until), tzid=tzid)


def schedule_series(session: Session, actor: Actor, data: SeriesInput) -> GroupSeries:
    """A new weekly group. Every problem is reported at once, and nothing is saved unless
    all is well: end before start, no days, a rule with no sessions, an overlap."""
    _require_scheduler(actor)
    errors: dict[str, str] = {}
    _check_details(session, data, errors)
    if data.first_day is None:
        errors["first_day"] = "Choose the first day."
    if data.start is None or data.end is None:
        errors["end"] = "Choose a start and an end time."
    elif data.end <= data.start:
        errors["end"] = "The group must end after it starts (on the same day)."
    if not data.weekdays or not set(data.weekdays) <= set(range(7)):
        errors["weekdays"] = "Choose at least one day of the week."
    if not isinstance(data.every_weeks, int) or not 1 <= data.every_weeks <= 4:
        errors["every_weeks"] = "Repeat every 1 to 4 weeks."
    if data.until is not None and data.first_day is not None and data.until < data.first_day:
        errors["until"] = "The last day can't be before the first day."
    if errors:
        raise FormErrors(errors)
    series = _new_series(data, clinic_zone().key)
    window = _window_end(series, series.starts_at)
    planned = _planned(series, series.starts_at, window)
    if not planned:
        days = ", ".join(WEEKDAY_NAMES[d] for d in sorted(set(data.weekdays)))
        last = f"{data.until:%b %-d}" if data.until else "a year later"
        raise FormErrors({"weekdays": f"No {days} falls between {data.first_day:%b %-d} and "
                                      f"{last}: this schedule has no sessions. Choose other "
                                      "days or a later last day."})
    length = timedelta(minutes=series.duration_minutes)
    now = utcnow()
    # a group that began in the past is checked for the year ahead (or, if all past, as is)
    ahead = planned if planned[0] >= now else _planned(series, now,
                                                       now + timedelta(days=OVERLAP_DAYS))
    mine = [Occurrence(series, at, at, at + length) for at in (ahead or planned)]
    clash = _first_clash(session, series.facilitator_id, mine)
    if clash is not None:
        raise FormErrors({"start": _clash_message(session, clash)})
    series.created_by = actor.id
    session.add(series)
    session.flush()
    return series


def _series(session: Session, series_id: int) -> GroupSeries:
    series = session.get(GroupSeries, series_id)
    if series is None:
        raise NotFound("That group no longer exists.")
    return series


def _most_going(session: Session, series_id: int, since: datetime) -> tuple[int, datetime | None]:
    stmt = (select(GroupRsvp.occurrence_at, func.count()).where(
        GroupRsvp.series_id == series_id, GroupRsvp.status == GOING,
        GroupRsvp.occurrence_at >= since).group_by(GroupRsvp.occurrence_at)
        .order_by(func.count().desc()).limit(1))
    row = session.exec(stmt).first()
    return (row[1], row[0]) if row else (0, None)


def update_series(session: Session, actor: Actor, series_id: int, data: SeriesInput
                  ) -> GroupSeries:
    """Change a group's details and last day. Its days and times stay: to change those,
    give this group a last day and schedule the new time as a new group (past attendance
    stays with this one). Capacity can't go below the RSVPs already made."""
    _require_scheduler(actor)
    series = _series(session, series_id)
    errors: dict[str, str] = {}
    _check_details(session, data, errors)
    first_day = to_clinic(series.starts_at).date()
    if data.until is not None and data.until < first_day:
        errors["until"] = "The last day can't be before the first day."
    now = utcnow()
    going, at = _most_going(session, series.id, now)
    if "capacity" not in errors and data.capacity < going:
        errors["capacity"] = (f"{going} clients already said they're going on "
                              f"{to_clinic(at):%a %b %-d}; capacity can't be below that.")
    if errors:
        raise FormErrors(errors)
    parts = _rule_parts(series.rrule)
    parts.pop("UNTIL", None)
    if data.until is not None:
        parts["UNTIL"] = f"{data.until:%Y%m%d}T235959"
    changed = GroupSeries(**{**series.model_dump(), "rrule": ";".join(
        f"{k}={v}" for k, v in parts.items())})
    if not _planned(changed, changed.starts_at, _window_end(changed, changed.starts_at)):
        raise FormErrors({"until": "With that last day this group has no sessions at all."})
    if data.facilitator_id != series.facilitator_id:
        start = max(now, series.starts_at)
        mine = [o for o in _expand(session, [changed], start, _window_end(changed, start))]
        clash = _first_clash(session, data.facilitator_id, mine)
        if clash is not None:
            raise FormErrors({"facilitator_id": _clash_message(session, clash)})
    for name in ("title", "topic", "track", "location", "link", "facilitator_id", "capacity"):
        setattr(series, name, getattr(data, name))
    series.rrule, series.updated_at = changed.rrule, utcnow()
    session.add(series)
    return series


def delete_series(session: Session, actor: Actor, series_id: int) -> None:
    """Only a group nobody has answered or attended yet (a mistake); otherwise give it a
    last day, so its history stays."""
    _require_scheduler(actor)
    series = _series(session, series_id)
    for model in (GroupAttendance, GroupRsvp):
        if session.exec(select(model.id).where(model.series_id == series.id)).first():
            raise InvalidInput("Clients have already answered or attended this group, so it "
                               "stays in the history. Give it a last day instead.")
    session.exec(delete(GroupException).where(GroupException.series_id == series.id))
    session.delete(series)


def _clean_note(note: str, required: bool = True) -> str:
    note = " ".join((note or "").split())
    if required and not note:
        raise FormErrors({"note": "Please add a short note for clients (it shows with the "
                                  "session), e.g. “Clinic closed for training”."})
    if len(note) > NOTE_MAX:
        raise FormErrors({"note": f"Please keep the note under {NOTE_MAX} characters."})
    return note


def _exception_for(session: Session, series_id: int, occurrence_at: datetime
                   ) -> GroupException | None:
    return session.exec(select(GroupException).where(
        GroupException.series_id == series_id,
        GroupException.occurrence_at == occurrence_at)).first()


def _changeable(session: Session, series_id: int, occurrence_at: datetime) -> Occurrence:
    series = _series(session, series_id)
    if not _is_planned(series, occurrence_at):
        raise NotFound("That session isn't part of this group's schedule.")
    occ = get_occurrence(session, series_id, occurrence_at)
    if min(occ.starts_at, occ.occurrence_at) <= utcnow():
        raise InvalidInput("That session has already started, so it can't be changed.")
    return occ


def cancel_occurrence(session: Session, actor: Actor, series_id: int, occurrence_at: datetime,
                      note: str) -> GroupException:
    _require_scheduler(actor)
    note = _clean_note(note)
    _changeable(session, series_id, occurrence_at)
    exc = _exception_for(session, series_id, occurrence_at) or GroupException(
        series_id=series_id, occurrence_at=occurrence_at, status=CANCELLED)
    exc.status, exc.starts_at, exc.ends_at, exc.note = CANCELLED, None, None, note
    exc.created_by, exc.updated_at = exc.created_by or actor.id, utcnow()
    session.add(exc)
    return exc


def move_occurrence(session: Session, actor: Actor, series_id: int, occurrence_at: datetime,
                    day: date | None, start: time | None, end: time | None,
                    note: str) -> GroupException:
    """One session at another day or time; its RSVPs and name stay."""
    _require_scheduler(actor)
    errors = {}
    if day is None or start is None or end is None:
        errors["end"] = "Choose the new day, start and end."
    elif end <= start:
        errors["end"] = "The session must end after it starts."
    try:
        note = _clean_note(note)
    except FormErrors as exc:
        errors |= exc.fields
    if errors:
        raise FormErrors(errors)
    occ = _changeable(session, series_id, occurrence_at)
    zone = _zone(occ.series)
    new_start = datetime.combine(day, start, zone).astimezone(timezone.utc)
    new_end = datetime.combine(day, end, zone).astimezone(timezone.utc)
    if new_start <= utcnow():
        raise FormErrors({"end": "Choose a time that's still ahead."})
    moved = Occurrence(occ.series, occurrence_at, new_start, new_end, MOVED, note)
    clash = _first_clash(session, occ.series.facilitator_id, [moved],
                         skip=(series_id, occurrence_at))
    if clash is not None:
        raise FormErrors({"end": _clash_message(session, clash)})
    exc = _exception_for(session, series_id, occurrence_at) or GroupException(
        series_id=series_id, occurrence_at=occurrence_at, status=MOVED)
    exc.status, exc.starts_at, exc.ends_at, exc.note = MOVED, new_start, new_end, note
    exc.created_by, exc.updated_at = exc.created_by or actor.id, utcnow()
    session.add(exc)
    return exc


def restore_occurrence(session: Session, actor: Actor, series_id: int,
                       occurrence_at: datetime) -> None:
    """Undo a cancellation or a move (the usual time must still be free)."""
    _require_scheduler(actor)
    occ = _changeable(session, series_id, occurrence_at)
    exc = _exception_for(session, series_id, occurrence_at)
    if exc is None:
        return
    length = timedelta(minutes=occ.series.duration_minutes)
    usual = Occurrence(occ.series, occurrence_at, occurrence_at, occurrence_at + length)
    clash = _first_clash(session, occ.series.facilitator_id, [usual],
                         skip=(series_id, occurrence_at))
    if clash is not None:
        raise InvalidInput(_clash_message(session, clash))
    session.delete(exc)


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


def schedule(session: Session, actor: Actor, days: int = UPCOMING_DAYS,
             start: datetime | None = None) -> list[Occurrence]:
    """Everything on the calendar for staff, from the start of today."""
    _require_scheduler(actor)
    start = start or datetime.combine(clinic_today(), time.min, clinic_zone())
    return occurrences(session, start, start + timedelta(days=days))


def names(session: Session, ids) -> dict[int, str]:
    ids = list(set(ids))
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.display_name).where(col(User.id).in_(ids))).all())


# --- Clients: upcoming sessions and RSVPs -----------------------------------------------------


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
    enrolment = session.get(Enrolment, client_id)
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


def _expected_here(session: Session, occ: Occurrence, client_id: int) -> bool:
    return client_id in {c for c, _ in expected_clients(session, occ)}


def rsvp(session: Session, actor: Actor, series_id: int, occurrence_at: datetime, going: bool,
         reason: str = "") -> GroupRsvp:
    """Going, or can't make it (an optional reason, for the therapist). A full session
    takes no more "going"."""
    access.authorize(session, actor, actor.id, RecordKind.RSVP, Action.WRITE)
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise FormErrors({"reason": f"Please keep the reason under {REASON_MAX} characters."})
    occ = get_occurrence(session, series_id, occurrence_at)
    if actor.role != Role.CLIENT or not _expected_here(session, occ, actor.id):
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


# --- Attendance ------------------------------------------------------------------------------

# What a session's facilitator may do for a client expected at that session who is not on
# their caseload: take and read attendance, read the RSVP, and read the one line the client
# wrote for the group (CheckIn.bring_to_group, through `pregroup` only; nothing else of the
# check-in). Everything else stays with the client's own therapist (`access.RULES`).
FACILITATOR_MAY = frozenset({(RecordKind.ATTENDANCE, Action.READ),
                             (RecordKind.ATTENDANCE, Action.WRITE),
                             (RecordKind.RSVP, Action.READ),
                             (RecordKind.CHECKIN, Action.READ)})


def expected_clients(session: Session, occ: Occurrence) -> list[tuple[int, str]]:
    """Clients in the program on this track and location who had joined by the session,
    and anyone already marked for it; by name."""
    stmt = (select(User.id, User.display_name).join(Enrolment, Enrolment.client_id == User.id)
            .where(User.role == Role.CLIENT, col(User.is_active).is_(True),
                   Enrolment.track == occ.series.track,
                   Enrolment.location == occ.series.location,
                   Enrolment.enrolled_at <= occ.ends_at))
    found = dict(session.exec(stmt).all())
    marked = session.exec(select(User.id, User.display_name).join(
        GroupAttendance, GroupAttendance.client_id == User.id).where(
        GroupAttendance.series_id == occ.series.id,
        GroupAttendance.occurrence_at == occ.occurrence_at)).all()
    found |= dict(marked)
    return sorted(found.items(), key=lambda item: item[1])


def _facilitates(actor: Actor, occ: Occurrence) -> bool:
    return actor.role == Role.THERAPIST and occ.series.facilitator_id == actor.id


def may_for_group(session: Session, actor: Actor, occ: Occurrence, client_id: int,
                  kind: RecordKind, action: Action) -> bool:
    if access.allowed(session, actor, client_id, kind, action):
        return True
    return ((kind, action) in FACILITATOR_MAY and _facilitates(actor, occ)
            and _expected_here(session, occ, client_id))


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
    mark: str | None       # present / absent / excused / None


def my_sessions(session: Session, actor: Actor, start: datetime, end: datetime
                ) -> list[Occurrence]:
    """Sessions a therapist leads, or where clients of theirs are expected."""
    access.require_role(actor, Role.THERAPIST)
    occs = occurrences(session, start, end)
    mine = set(session.exec(select(Enrolment.track, Enrolment.location).join(
        User, User.id == Enrolment.client_id).where(Enrolment.therapist_id == actor.id,
                                                    User.role == Role.CLIENT)).all())
    return [o for o in occs if o.series.facilitator_id == actor.id
            or (o.series.track, o.series.location) in mine]


def attendance_sheet(session: Session, actor: Actor, occ: Occurrence) -> list[SheetRow]:
    """Expected clients the actor may mark, with their RSVP and current mark (audited)."""
    access.require_role(actor, Role.THERAPIST)
    rows = []
    answers = {r.client_id: r for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.series_id == occ.series.id, GroupRsvp.occurrence_at == occ.occurrence_at))}
    marks = _current_marks(session, occ)
    for client_id, name in expected_clients(session, occ):
        if not may_for_group(session, actor, occ, client_id, RecordKind.ATTENDANCE,
                             Action.WRITE):
            continue
        authorize_attendance(session, actor, occ, client_id, Action.READ, "attendance sheet")
        answer = answers.get(client_id)
        rows.append(SheetRow(client_id, name, answer.status if answer else None,
                             answer.reason if answer else "",
                             marks[client_id].status if client_id in marks else None))
    return rows


def mark_attendance(session: Session, actor: Actor, occ: Occurrence,
                    marks: dict[int, str]) -> list[GroupAttendance]:
    """Present / absent / excused for each client; all or nothing. A change keeps the
    earlier mark as a version. An unexcused absence flags the client's therapist; an
    absence corrected later settles that flag with the correction as its note."""
    access.require_role(actor, Role.THERAPIST)
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
    what = f"{occ.title}, {to_clinic(occ.starts_at):%a %b %-d}"
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
            flags.for_absence(session, row, versions, what)
        else:
            flags.settle_absence(session, client_id, versions, actor.id,
                                 f"Attendance corrected to {status} by {actor.display_name}")
        saved.append(row)
    return saved


# --- "We missed you" and progress ------------------------------------------------------------


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
    return MissedNote(f"{series.title} on {to_clinic(latest.starts_at):%A %b %-d}",
                      upcoming[:3])


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
    attended = session.exec(select(func.count()).select_from(GroupAttendance).where(
        GroupAttendance.client_id == client_id, col(GroupAttendance.is_current).is_(True),
        GroupAttendance.status == PRESENT)).one()
    minutes = session.exec(select(func.coalesce(func.sum(GroupAttendance.minutes), 0)).where(
        GroupAttendance.client_id == client_id, col(GroupAttendance.is_current).is_(True),
        GroupAttendance.status == PRESENT,
        GroupAttendance.starts_at >= _week_start(today))).one()
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


# --- The pre-group view (therapists) ---------------------------------------------------------


@dataclass(frozen=True)
class PreGroupRow:
    client_id: int
    name: str
    on_caseload: bool       # mood, craving and flags are shown only for one's own clients
    rsvp: GroupRsvp | None
    week: pd.DataFrame | None
    open_flags: list[Flag] | None
    bring: str
    bring_day: date | None


def _bring_to_group(session: Session, client_id: int) -> tuple[str, date | None]:
    row = session.exec(select(CheckIn.bring_to_group, CheckIn.day).where(
        CheckIn.client_id == client_id, col(CheckIn.is_current).is_(True),
        CheckIn.day >= clinic_today() - timedelta(days=6), CheckIn.bring_to_group != "")
        .order_by(col(CheckIn.day).desc())).first()
    return (row[0], row[1]) if row else ("", None)


def pregroup(session: Session, actor: Actor, occ: Occurrence) -> list[PreGroupRow]:
    """Every expected client the therapist may see: RSVP, the week's mood and craving, open
    flags and what they want to bring to group. Each read is audited."""
    from companion import trends

    access.require_role(actor, Role.THERAPIST)
    answers = {r.client_id: r for r in session.exec(select(GroupRsvp).where(
        GroupRsvp.series_id == occ.series.id, GroupRsvp.occurrence_at == occ.occurrence_at))}
    rows = []
    for client_id, name in expected_clients(session, occ):
        own = access.allowed(session, actor, client_id, RecordKind.CHECKIN, Action.READ)
        if not own and not (_facilitates(actor, occ)):
            continue
        detail = f"pre-group {occ.title} {occ.starts_at:%Y-%m-%d}"
        authorize_for_group(session, actor, occ, client_id, RecordKind.RSVP, Action.READ, detail)
        authorize_for_group(session, actor, occ, client_id, RecordKind.CHECKIN, Action.READ,
                            detail + (" (bring to group only)" if not own else ""))
        bring, day = _bring_to_group(session, client_id)
        week = trends.daily(session, actor, client_id, 7) if own else None
        open_flags = (flags.for_client(session, actor, client_id, include_acknowledged=False)
                      if own else None)
        rows.append(PreGroupRow(client_id, name, own, answers.get(client_id), week, open_flags,
                                bring, day))
    return rows


# --- Daily check-in reminder and calendar files ----------------------------------------------


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
        if not _expected_here(session, occ, actor.id):
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


# --- Demo -----------------------------------------------------------------------------------

DEMO_GROUPS = [  # title, topic, track, location, facilitator index, days, start, end
    ("Morning process group", "Check-in round, then what came up this week.", "morning",
     "north", 0, [0, 2, 4], time(9), time(12)),
    ("Morning process group", "Check-in round, then what came up this week.", "morning",
     "river", 1, [0, 2, 4], time(9), time(12)),
    ("Morning group (online)", "Relapse prevention skills and a check-in round.", "morning",
     "telehealth", 0, [1, 3], time(9), time(12)),
    ("Evening process group", "Coping with cravings after work; family and relationships.",
     "evening", "north", 1, [1, 3], time(18), time(21)),
    ("Evening process group", "Coping with cravings after work; family and relationships.",
     "evening", "river", 1, [0, 2], time(18), time(21)),
    ("Evening group (online)", "Mindfulness, urge surfing and planning the week ahead.",
     "evening", "telehealth", 0, [0, 2], time(18), time(21)),
]


def seed_demo(session: Session, clients, therapists: list[User], rng: random.Random) -> None:
    """A fictional weekly schedule on both tracks and every site, begun 8 weeks ago, with
    attendance since each client joined, RSVPs for the week ahead, one cancelled and one
    moved session. `clients`: users, or (user, days) pairs as the demo passes them."""
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
    created = []
    for title, topic, track, location, who, days, start, end in DEMO_GROUPS:
        data = SeriesInput(title=title, topic=topic, track=track, location=location,
                           link="https://telehealth.example.invalid/harbor-light-demo"
                           if location == "telehealth" else "",
                           facilitator_id=therapists[who].id, capacity=12, first_day=first,
                           start=start, end=end, weekdays=days)
        series = _new_series(data, zone.key)
        series.created_by = therapists[who].id
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
