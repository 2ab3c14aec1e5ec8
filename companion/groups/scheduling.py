"""Scheduling: a weekly group and its details, changes to one of its sessions (cancel, move,
restore), the facilitator's overlap check and the staff calendar.

Access. A group's facilitator sees something of every client enrolled on its track and site
(`companion.groups.attendance`), so who leads which group is an admin's decision:
- admins schedule, change and delete groups and assign (or confirm) their facilitators; each
  assignment records the admin and the time (`GroupSeries.facilitator_assigned_by/_at`);
- a therapist cancels, moves and restores sessions of the groups an admin assigned them
  (clients see the note), and reads the staff calendar;
- anything else is refused, and the refusal is written to the audit trail (after the
  rollback, as `access.authorize` does), record kind `group_schedule`.
A schedule is not a client record: no client's data is read here.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import NoReturn
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, delete, select

from companion import access, audit
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core import textrules
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.core.timeutil import clinic_today, clinic_zone, to_clinic, utcnow
from companion.groups.attendance import leads
from companion.groups.recurrence import (CANCELLED, MOVED, WEEKDAY_NAMES, Occurrence, _expand,
                                         _held_until, _is_planned, _planned, _rule_parts, _zone,
                                         get_occurrence, occurrences, rule_text, rule_until,
                                         when)
from companion.groups.rsvps import GOING, UPCOMING_DAYS
from companion.i18n import _
from companion.models import (GroupAttendance, GroupException, GroupRsvp, GroupSeries, Role,
                              User)

OVERLAP_DAYS = 366          # how far ahead a facilitator's sessions are checked for overlaps
TITLE_MAX, TOPIC_MAX, LINK_MAX, NOTE_MAX = 120, 500, 300, 300
CAPACITY_MAX = 60
SCHEDULE_KIND = "group_schedule"   # the audit trail's record kind for refused changes
ADMINS_ONLY = "Only an admin schedules groups and chooses who leads them."
NOT_YOURS = "You can change only sessions of groups an admin assigned you to lead."


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


def _refuse(session: Session, actor: Actor, message: str, action: str = "write") -> NoReturn:
    """Raise `AccessDenied`; the refusal is audited once the caller's transaction has been
    rolled back (`db.session_scope`), like `access.authorize`'s."""
    session.info.setdefault(audit.DENIED, []).append(
        dict(actor=actor, action=f"denied {action}", record_kind=SCHEDULE_KIND, client_id=None))
    raise AccessDenied(message)


def _require_staff(session: Session, actor: Actor) -> None:
    if actor.role not in (Role.ADMIN, Role.THERAPIST):
        _refuse(session, actor, "That is not available to your account.", "read")
    access.require_sign_in_complete(session, actor)


def _require_admin(session: Session, actor: Actor, action: str = "write") -> None:
    """An admin; for a change, one whose session still stands (`access.require_current`)."""
    if actor.role != Role.ADMIN:
        _refuse(session, actor, ADMINS_ONLY, action)
    access.require_sign_in_complete(session, actor)
    if action == "write":
        access.require_current(session, actor)


def _require_session_changer(session: Session, actor: Actor, series: GroupSeries) -> None:
    """An admin, or the therapist an admin assigned to lead this group."""
    if actor.role != Role.ADMIN and not leads(actor, series):
        _refuse(session, actor, NOT_YOURS)
    access.require_sign_in_complete(session, actor)


def _series(session: Session, series_id: int) -> GroupSeries:
    series = session.get(GroupSeries, series_id)
    if series is None:
        raise NotFound("That group no longer exists.")
    return series


def facilitators(session: Session, actor: Actor) -> dict[int, str]:
    """Active therapists who can lead a group (names only), for the admin's editor."""
    _require_admin(session, actor, "read")
    stmt = (select(User.id, User.display_name).where(User.role == Role.THERAPIST,
                                                     col(User.is_active).is_(True))
            .order_by(User.display_name))
    return {row.id: row.display_name for row in session.exec(stmt)}


def all_series(session: Session, actor: Actor) -> list[GroupSeries]:
    _require_admin(session, actor, "read")
    return list(session.exec(select(GroupSeries).order_by(GroupSeries.track,
                                                          GroupSeries.location,
                                                          GroupSeries.starts_at)))


def led_series(session: Session, actor: Actor) -> list[GroupSeries]:
    """The groups an admin assigned this therapist to lead: the ones whose sessions they
    may cancel, move and restore."""
    if actor.role != Role.THERAPIST:
        _refuse(session, actor, "Only therapists lead groups.", "read")
    access.require_sign_in_complete(session, actor)
    stmt = select(GroupSeries).where(GroupSeries.facilitator_id == actor.id,
                                     col(GroupSeries.facilitator_assigned_by).is_not(None))
    return list(session.exec(stmt.order_by(GroupSeries.track, GroupSeries.location,
                                           GroupSeries.starts_at)))


def _assign_facilitator(series: GroupSeries, actor: Actor, facilitator_id: int) -> None:
    series.facilitator_id = facilitator_id
    series.facilitator_assigned_by, series.facilitator_assigned_at = actor.id, utcnow()


def confirm_facilitator(session: Session, actor: Actor, series_id: int) -> GroupSeries:
    """An admin confirms the facilitator of a group whose facilitator no admin assigned
    (one a therapist made for themself before admins alone scheduled; see the migration
    that added `facilitator_assigned_by`)."""
    _require_admin(session, actor)
    series = _series(session, series_id)
    therapist = session.get(User, series.facilitator_id)
    if therapist is None or therapist.role != Role.THERAPIST or not therapist.is_active:
        raise InvalidInput("This group's facilitator is no longer an active therapist: "
                           "choose another one and save the group.")
    if series.facilitator_assigned_by is None:
        _assign_facilitator(series, actor, series.facilitator_id)
        session.add(series)
    return series


def _check_details(session: Session, data: SeriesInput, errors: dict[str, str]) -> None:
    clinic = get_clinic()
    textrules.check(errors, "title", (data.title or "").strip())  # as typed, before joining
    data.title = " ".join((data.title or "").split())
    data.topic = (data.topic or "").strip()
    data.link = (data.link or "").strip()
    if not data.title:
        errors["title"] = f"Please give the group a title (up to {TITLE_MAX} characters)."
    textrules.check_length(errors, "title", data.title, TITLE_MAX, subject=_("The title"))
    textrules.check_length(errors, "topic", data.topic, TOPIC_MAX, subject=_("The topic"))
    if data.track not in {t.key for t in clinic.tracks}:
        errors["track"] = "Choose a track."
    if data.location not in {loc.key for loc in clinic.locations}:
        errors["location"] = "Choose a site or telehealth."
    if data.location == "telehealth":
        if not data.link.startswith("https://") or " " in data.link:
            errors["link"] = ("A telehealth group needs its join link, starting with https:// "
                              f"(up to {LINK_MAX} characters).")
        textrules.check_length(errors, "link", data.link, LINK_MAX, subject=_("The link"))
    else:
        data.link = ""
    therapist = session.get(User, data.facilitator_id) if data.facilitator_id else None
    if therapist is None or therapist.role != Role.THERAPIST or not therapist.is_active:
        errors["facilitator_id"] = "Choose an active therapist to lead the group."
    if not isinstance(data.capacity, int) or not 1 <= data.capacity <= CAPACITY_MAX:
        errors["capacity"] = f"Capacity is a number of seats from 1 to {CAPACITY_MAX}."
    textrules.check(errors, "topic", data.topic, multiline=True)
    textrules.check(errors, "link", data.link)  # a CR/LF here broke every calendar file


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
    all is well: end before start, no days, a rule with no sessions, an overlap. Admins
    only; the facilitator is assigned by this admin."""
    _require_admin(session, actor)
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
    mine = [Occurrence(series, at, at, _held_until(series, at)) for at in (ahead or planned)]
    clash = _first_clash(session, series.facilitator_id, mine)
    if clash is not None:
        raise FormErrors({"start": _clash_message(session, clash)})
    series.created_by = actor.id
    _assign_facilitator(series, actor, series.facilitator_id)
    session.add(series)
    session.flush()
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
    stays with this one). Capacity can't go below the RSVPs already made. Admins only; a new
    facilitator is assigned by this admin."""
    _require_admin(session, actor)
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
    if data.facilitator_id != series.facilitator_id:
        _assign_facilitator(series, actor, data.facilitator_id)
    for name in ("title", "topic", "track", "location", "link", "capacity"):
        setattr(series, name, getattr(data, name))
    series.rrule, series.updated_at = changed.rrule, utcnow()
    session.add(series)
    return series


def delete_series(session: Session, actor: Actor, series_id: int) -> None:
    """Only a group nobody has answered or attended yet (a mistake); otherwise give it a
    last day, so its history stays. Admins only."""
    _require_admin(session, actor)
    series = _series(session, series_id)
    for model in (GroupAttendance, GroupRsvp):
        if session.exec(select(model.id).where(model.series_id == series.id)).first():
            raise InvalidInput("Clients have already answered or attended this group, so it "
                               "stays in the history. Give it a last day instead.")
    session.exec(delete(GroupException).where(GroupException.series_id == series.id))
    session.delete(series)


def _clean_note(note: str, required: bool = True) -> str:
    if found := textrules.problem((note or "").strip()):
        raise FormErrors({"note": found})
    note = " ".join((note or "").split())
    if required and not note:
        raise FormErrors({"note": "Please add a short note for clients (it shows with the "
                                  "session), e.g. “Clinic closed for training”."})
    if found := textrules.too_long(note, NOTE_MAX, subject=_("The note")):
        raise FormErrors({"note": found})
    return note


def _exception_for(session: Session, series_id: int, occurrence_at: datetime
                   ) -> GroupException | None:
    return session.exec(select(GroupException).where(
        GroupException.series_id == series_id,
        GroupException.occurrence_at == occurrence_at)).first()


def _changeable(session: Session, actor: Actor, series_id: int, occurrence_at: datetime
                ) -> Occurrence:
    """A session ahead that this actor may change (checked first: a refusal says nothing
    about the session)."""
    series = _series(session, series_id)
    _require_session_changer(session, actor, series)
    access.require_current(session, actor)
    if not _is_planned(series, occurrence_at):
        raise NotFound("That session isn't part of this group's schedule.")
    occ = get_occurrence(session, series_id, occurrence_at)
    if min(occ.starts_at, occ.occurrence_at) <= utcnow():
        raise InvalidInput("That session has already started, so it can't be changed.")
    return occ


def _save_exception(session: Session, actor: Actor, series_id: int, occurrence_at: datetime,
                    status: str, starts_at: datetime | None, ends_at: datetime | None,
                    note: str) -> GroupException:
    """The one session's cancellation or move, new or in place of an earlier one."""
    exc = _exception_for(session, series_id, occurrence_at) or GroupException(
        series_id=series_id, occurrence_at=occurrence_at, status=status)
    exc.status, exc.starts_at, exc.ends_at, exc.note = status, starts_at, ends_at, note
    exc.created_by, exc.updated_at = exc.created_by or actor.id, utcnow()
    session.add(exc)
    return exc


def cancel_occurrence(session: Session, actor: Actor, series_id: int, occurrence_at: datetime,
                      note: str) -> GroupException:
    """One session off, with a note clients see: an admin, or the group's facilitator."""
    _changeable(session, actor, series_id, occurrence_at)
    note = _clean_note(note)
    return _save_exception(session, actor, series_id, occurrence_at, CANCELLED, None, None, note)


def move_occurrence(session: Session, actor: Actor, series_id: int, occurrence_at: datetime,
                    day: date | None, start: time | None, end: time | None,
                    note: str) -> GroupException:
    """One session at another day or time; its RSVPs and name stay. An admin, or the
    group's facilitator."""
    occ = _changeable(session, actor, series_id, occurrence_at)
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
    return _save_exception(session, actor, series_id, occurrence_at, MOVED, new_start, new_end,
                           note)


def restore_occurrence(session: Session, actor: Actor, series_id: int,
                       occurrence_at: datetime) -> None:
    """Undo a cancellation or a move (the usual time must still be free). An admin, or the
    group's facilitator."""
    occ = _changeable(session, actor, series_id, occurrence_at)
    exc = _exception_for(session, series_id, occurrence_at)
    if exc is None:
        return
    usual = Occurrence(occ.series, occurrence_at, occurrence_at,
                       _held_until(occ.series, occurrence_at))
    clash = _first_clash(session, occ.series.facilitator_id, [usual],
                         skip=(series_id, occurrence_at))
    if clash is not None:
        raise InvalidInput(_clash_message(session, clash))
    session.delete(exc)


def schedule(session: Session, actor: Actor, days: int = UPCOMING_DAYS,
             start: datetime | None = None) -> list[Occurrence]:
    """Everything on the calendar for staff (no client's data), from the start of today."""
    _require_staff(session, actor)
    start = start or datetime.combine(clinic_today(), time.min, clinic_zone())
    return occurrences(session, start, start + timedelta(days=days))
