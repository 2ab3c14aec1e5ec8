"""Group sessions: recurrence across daylight-saving changes, exceptions, RSVPs, capacity,
attendance with its flags and access, progress, the pre-group view and calendar files."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import select

from companion import caseload, groups
from companion.access import Action, RecordKind, authorize
from companion.checkins import CheckInEntry, record_checkin
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.groups.recurrence import get_occurrence
from companion.models import (AuditEvent, Enrolment, Flag, GroupAttendance, GroupException,
                              GroupRsvp, GroupSeries)
from tests.conftest import actor

NY = ZoneInfo("America/New_York")
UTC = timezone.utc


def at(y, m, d, hh=12, mm=0):
    """A local (clinic) moment, as UTC."""
    return datetime(y, m, d, hh, mm, tzinfo=NY).astimezone(UTC)


def monday_group(facilitator, **kw) -> groups.SeriesInput:
    values = dict(title="Evening process group", topic="Coping after work", track="morning",
                  location="north", facilitator_id=facilitator.id, capacity=12,
                  first_day=date(2027, 3, 1), start=time(18), end=time(19, 30), weekdays=[0])
    return groups.SeriesInput(**(values | kw))


@pytest.fixture
def clock():
    with time_machine.travel(at(2027, 2, 20), tick=False) as traveller:
        yield traveller


@pytest.fixture
def world(session, users, clock):
    lead, other = users.therapist(name="lead"), users.therapist(name="other")
    mine = users.client(lead, name="mine")           # morning / north, on lead's caseload
    theirs = users.client(other, name="theirs")      # morning / north, on other's caseload
    evening = users.client(other, name="evening")
    session.get(Enrolment, evening.id).track = "evening"
    for c in (mine, theirs, evening):
        session.get(Enrolment, c.id).enrolled_at = at(2027, 2, 1)
    admin = users.admin(name="boss")
    series = groups.schedule_series(session, actor(admin), monday_group(lead))
    session.flush()
    return {"lead": lead, "other": other, "mine": mine, "theirs": theirs, "evening": evening,
            "admin": admin, "series": series}


def _occ(session, series, when):
    return get_occurrence(session, series.id, when)


# --- Recurrence and daylight saving ---------------------------------------------------------


def test_a_monday_6pm_group_stays_6pm_across_the_march_change(session, world):
    occs = groups.occurrences(session, at(2027, 3, 1, 0), at(2027, 3, 30, 0))
    local = [o.starts_at.astimezone(NY) for o in occs]
    assert [d.day for d in local] == [1, 8, 15, 22, 29]
    assert {(d.hour, d.minute, d.weekday()) for d in local} == {(18, 0, 0)}
    # the UTC moment shifts by the hour instead (EST -5 before Mar 14, EDT -4 after)
    assert [o.starts_at.hour for o in occs] == [23, 23, 22, 22, 22]
    assert all(o.minutes == 90 for o in occs)


def test_a_monday_6pm_group_stays_6pm_across_the_november_change(session, world, clock):
    clock.move_to(at(2027, 10, 1))
    autumn = groups.schedule_series(session, actor(world["admin"]), monday_group(
        world["lead"], first_day=date(2027, 10, 18), start=time(20), end=time(21)))
    occs = groups.occurrences(session, at(2027, 10, 18, 0), at(2027, 11, 16, 0),
                              series_ids=[autumn.id])
    assert [(o.starts_at.astimezone(NY).day, o.starts_at.astimezone(NY).hour) for o in occs] \
        == [(18, 20), (25, 20), (1, 20), (8, 20), (15, 20)]
    assert [o.starts_at.hour for o in occs] == [0, 0, 0, 1, 1]  # 8 pm EDT, then EST, in UTC


def test_times_are_stored_in_utc_and_described_locally(session, world):
    series = world["series"]
    assert series.starts_at == datetime(2027, 3, 1, 23, 0, tzinfo=UTC)
    assert series.rrule == "FREQ=WEEKLY;BYDAY=MO" and series.tzid == "America/New_York"
    assert groups.describe(series) == "Mondays, 6 PM–7:30 PM, from Mar 1"


def test_until_and_interval_bound_the_rule(session, world):
    series = groups.schedule_series(session, actor(world["admin"]), monday_group(
        world["other"], weekdays=[1, 3], every_weeks=2, until=date(2027, 3, 25)))
    days = [o.starts_at.astimezone(NY).date() for o in groups.occurrences(
        session, at(2027, 3, 1, 0), at(2027, 4, 30, 0), series_ids=[series.id])]
    assert days == [date(2027, 3, 2), date(2027, 3, 4), date(2027, 3, 16), date(2027, 3, 18)]
    assert "until Mar 25, 2027" in groups.describe(series)


# --- Bad input: a clear message each, nothing saved -----------------------------------------


def _series_count(session) -> int:
    return session.exec(select(func.count()).select_from(GroupSeries)).one()


@pytest.mark.parametrize("change,field,words", [
    (dict(end=time(17)), "end", "end after it starts"),
    (dict(weekdays=[]), "weekdays", "at least one day"),
    (dict(first_day=date(2027, 3, 2), until=date(2027, 3, 7)), "weekdays", "has no sessions"),
    (dict(until=date(2027, 2, 1)), "until", "before the first day"),
    (dict(title="  "), "title", "title"),
    (dict(location="telehealth", link="http://insecure"), "link", "https://"),
    (dict(capacity=0), "capacity", "1 to"),
])
def test_bad_schedules_are_refused_with_a_message_and_nothing_saved(session, world, change,
                                                                    field, words):
    before = _series_count(session)
    with pytest.raises(FormErrors) as caught:
        groups.schedule_series(session, actor(world["admin"]),
                               monday_group(world["other"], **change))
    assert words in caught.value.fields[field]
    assert _series_count(session) == before


def test_overlapping_sessions_for_the_same_facilitator_are_refused(session, world):
    before = _series_count(session)
    clash = monday_group(world["lead"], title="Skills", first_day=date(2027, 3, 15),
                         start=time(19), end=time(20))
    with pytest.raises(FormErrors) as caught:
        groups.schedule_series(session, actor(world["admin"]), clash)
    assert "already leads “Evening process group” on Mon Mar 15" in caught.value.fields["start"]
    assert _series_count(session) == before
    # back to back is fine, and so is another facilitator at the same time
    groups.schedule_series(session, actor(world["admin"]),
                           monday_group(world["lead"], start=time(19, 30), end=time(20, 30)))
    groups.schedule_series(session, actor(world["admin"]), monday_group(world["other"]))


def test_capacity_cannot_drop_below_the_rsvps(session, world):
    series = world["series"]
    first = at(2027, 3, 1, 18)
    for who in ("mine", "theirs"):
        groups.rsvp(session, actor(world[who]), series.id, first, True)
    data = monday_group(world["lead"], capacity=1)
    with pytest.raises(FormErrors) as caught:
        groups.update_series(session, actor(world["admin"]), series.id, data)
    assert "2 clients already said they're going on Mon Mar 1" in caught.value.fields["capacity"]
    session.refresh(series)
    assert series.capacity == 12
    groups.update_series(session, actor(world["admin"]), series.id,
                         monday_group(world["lead"], capacity=2, title="Renamed"))
    assert (series.capacity, series.title) == (2, "Renamed")


def test_a_last_day_before_any_session_is_refused(session, world):
    data = monday_group(world["lead"], until=date(2027, 3, 1))
    groups.update_series(session, actor(world["admin"]), world["series"].id, data)  # 1 left
    with pytest.raises(FormErrors, match="highlighted"):
        groups.update_series(session, actor(world["admin"]), world["series"].id,
                             monday_group(world["lead"], until=date(2027, 2, 28)))


def test_clients_cannot_schedule(session, world):
    with pytest.raises(AccessDenied):
        groups.schedule_series(session, actor(world["mine"]), monday_group(world["lead"]))


# --- Exceptions -----------------------------------------------------------------------------


def test_cancel_one_occurrence_with_a_note_clients_see(session, world, clock):
    series, march8 = world["series"], at(2027, 3, 8, 18)
    with pytest.raises(FormErrors, match="highlighted"):
        groups.cancel_occurrence(session, actor(world["admin"]), series.id, march8, "  ")
    groups.cancel_occurrence(session, actor(world["admin"]), series.id, march8,
                             "Clinic closed for training")
    clock.move_to(at(2027, 3, 2))
    mine = groups.upcoming_for_client(session, actor(world["mine"]))
    assert [(s.occurrence.starts_at.astimezone(NY).day, s.occurrence.status,
             s.occurrence.note) for s in mine] == [(8, "cancelled", "Clinic closed for training"),
                                                  (15, "scheduled", "")]
    assert groups.next_for_client(session, actor(world["mine"])).occurrence.starts_at == \
        at(2027, 3, 15, 18)
    with pytest.raises(InvalidInput, match="cancelled"):
        groups.rsvp(session, actor(world["mine"]), series.id, march8, True)


def test_move_one_occurrence_keeps_its_name_and_rsvps(session, world, clock):
    series, march8 = world["series"], at(2027, 3, 8, 18)
    groups.rsvp(session, actor(world["mine"]), series.id, march8, True)
    groups.move_occurrence(session, actor(world["admin"]), series.id, march8, date(2027, 3, 9),
                           time(17), time(18, 30), "Tuesday this week only")
    occ = _occ(session, series, march8)
    assert (occ.status, occ.starts_at, occ.minutes) == ("moved", at(2027, 3, 9, 17), 90)
    found = groups.occurrences(session, at(2027, 3, 9, 0), at(2027, 3, 10, 0))
    assert [o.occurrence_at for o in found] == [march8]
    assert groups.occurrences(session, at(2027, 3, 8, 0), at(2027, 3, 9, 0)) == []
    clock.move_to(at(2027, 3, 2))
    item = groups.upcoming_for_client(session, actor(world["mine"]))[0]
    assert item.is_going and item.occurrence.note == "Tuesday this week only"
    groups.restore_occurrence(session, actor(world["admin"]), series.id, march8)
    assert _occ(session, series, march8).starts_at == march8


def test_a_move_onto_the_facilitators_other_session_is_refused(session, world):
    other = groups.schedule_series(session, actor(world["admin"]), monday_group(
        world["lead"], title="Tuesday skills", weekdays=[1], start=time(10), end=time(11)))
    with pytest.raises(FormErrors) as caught:
        groups.move_occurrence(session, actor(world["admin"]), world["series"].id,
                               at(2027, 3, 8, 18), date(2027, 3, 9), time(10, 30), time(12),
                               "Moved")
    assert "Tuesday skills" in caught.value.fields["end"]
    assert session.exec(select(GroupException)).all() == []
    assert other.id is not None


def test_past_sessions_and_unknown_times_cannot_be_changed(session, world, clock):
    with pytest.raises(NotFound, match="isn't part"):
        groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                                 at(2027, 3, 9, 18), "x")
    clock.move_to(at(2027, 3, 2))
    with pytest.raises(InvalidInput, match="already started"):
        groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                                 at(2027, 3, 1, 18), "x")


# --- RSVPs ----------------------------------------------------------------------------------


def test_rsvp_going_and_not_going_with_a_reason(session, world):
    series, first = world["series"], at(2027, 3, 1, 18)
    groups.rsvp(session, actor(world["mine"]), series.id, first, True)
    answer = groups.rsvp(session, actor(world["mine"]), series.id, first, False,
                         "  Doctor's   appointment ")
    rows = session.exec(select(GroupRsvp)).all()
    assert len(rows) == 1 and (answer.status, answer.reason) == ("not_going",
                                                                 "Doctor's appointment")


def test_a_full_session_takes_no_more_going(session, world):
    series, first = world["series"], at(2027, 3, 1, 18)
    groups.update_series(session, actor(world["admin"]), series.id,
                         monday_group(world["lead"], capacity=1))
    groups.rsvp(session, actor(world["mine"]), series.id, first, True)
    with pytest.raises(InvalidInput, match="full"):
        groups.rsvp(session, actor(world["theirs"]), series.id, first, True)
    groups.rsvp(session, actor(world["theirs"]), series.id, first, False)  # still can say no
    groups.rsvp(session, actor(world["mine"]), series.id, first, True)     # same seat, again


def test_only_clients_of_the_track_and_site_can_answer(session, world):
    with pytest.raises(AccessDenied, match="isn't on your schedule"):
        groups.rsvp(session, actor(world["evening"]), world["series"].id, at(2027, 3, 1, 18),
                    True)
    with pytest.raises(AccessDenied):
        groups.rsvp(session, actor(world["lead"]), world["series"].id, at(2027, 3, 1, 18), True)
    assert groups.upcoming_for_client(session, actor(world["evening"])) == []


# --- Attendance, flags and access -----------------------------------------------------------


def _after_first_session(clock):
    clock.move_to(at(2027, 3, 1, 19))


def test_facilitator_marks_expected_clients_not_on_their_caseload(session, world, clock):
    _after_first_session(clock)
    lead, occ = actor(world["lead"]), _occ(session, world["series"], at(2027, 3, 1, 18))
    sheet = groups.attendance_sheet(session, lead, occ)
    assert [r.name for r in sheet] == sorted([world["mine"].display_name,
                                              world["theirs"].display_name])
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "present",
                                                world["theirs"].id: "present"})
    session.flush()
    rows = session.exec(select(AuditEvent).where(AuditEvent.client_id == world["theirs"].id,
                                                 AuditEvent.action == "write")).all()
    assert [r.record_kind for r in rows] == ["attendance"]
    assert rows[0].detail.startswith("as facilitator of Evening process group")
    # the facilitator role gives nothing beyond the group: no general access
    with pytest.raises(AccessDenied):
        authorize(session, lead, world["theirs"].id, RecordKind.ATTENDANCE, Action.WRITE)


def test_no_one_marks_a_client_who_is_not_expected_and_a_refusal_writes_nothing(
        session, world, clock):
    _after_first_session(clock)
    occ = _occ(session, world["series"], at(2027, 3, 1, 18))
    session.flush()
    audits = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(AccessDenied):
        groups.mark_attendance(session, actor(world["lead"]), occ,
                               {world["mine"].id: "present", world["evening"].id: "present"})
    with pytest.raises(AccessDenied):  # not the facilitator, not their client
        groups.mark_attendance(session, actor(world["admin"]), occ, {world["mine"].id: "absent"})
    session.flush()
    assert session.exec(select(GroupAttendance)).all() == []
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == audits
    # their own therapist may mark them, without leading the group
    groups.mark_attendance(session, actor(world["other"]), occ, {world["theirs"].id: "present"})
    assert [r.name for r in groups.attendance_sheet(session, actor(world["other"]), occ)] == [
        world["theirs"].display_name]


def test_attendance_waits_for_the_session_and_skips_cancelled_ones(session, world, clock):
    occ = _occ(session, world["series"], at(2027, 3, 1, 18))
    with pytest.raises(InvalidInput, match="15 minutes before"):
        groups.mark_attendance(session, actor(world["lead"]), occ, {world["mine"].id: "present"})
    _after_first_session(clock)
    with pytest.raises(InvalidInput, match="present, absent or excused"):
        groups.mark_attendance(session, actor(world["lead"]), occ, {world["mine"].id: "late"})
    clock.move_to(at(2027, 3, 2))
    groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                             at(2027, 3, 8, 18), "Closed")
    clock.move_to(at(2027, 3, 8, 19))
    with pytest.raises(InvalidInput, match="cancelled"):
        groups.mark_attendance(session, actor(world["lead"]),
                               _occ(session, world["series"], at(2027, 3, 8, 18)),
                               {world["mine"].id: "present"})


def test_unexcused_absence_flags_the_therapist_and_the_client_is_missed(session, world, clock):
    _after_first_session(clock)
    lead, occ = actor(world["lead"]), _occ(session, world["series"], at(2027, 3, 1, 18))
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "absent",
                                                world["theirs"].id: "excused"})
    flag = session.exec(select(Flag)).one()
    assert (flag.client_id, flag.rule, flag.acknowledged_at) == (world["mine"].id, "absence",
                                                                 None)
    assert "Missed Evening process group, Mon Mar 1 (not excused)" == flag.reason
    assert flag in [f for f, _ in caseload.open_flags(session, lead)]
    note = groups.missed_note(session, actor(world["mine"]))
    assert note.missed == "Evening process group on Monday Mar 1"
    assert [s.occurrence.starts_at for s in note.next_sessions][:2] == [at(2027, 3, 8, 18),
                                                                        at(2027, 3, 15, 18)]
    assert groups.missed_note(session, actor(world["theirs"])) is None
    # the same mark again changes nothing; a correction keeps the first as a version and
    # settles the flag with the correction as its note
    assert groups.mark_attendance(session, lead, occ, {world["mine"].id: "absent"}) == []
    groups.mark_attendance(session, lead, occ, {world["mine"].id: "excused"})
    marks = session.exec(select(GroupAttendance).where(
        GroupAttendance.client_id == world["mine"].id).order_by(GroupAttendance.version)).all()
    assert [(m.version, m.status, m.is_current) for m in marks] == [(1, "absent", False),
                                                                     (2, "excused", True)]
    session.refresh(flag)
    assert flag.acknowledged_at is not None and "corrected to excused" in flag.ack_note
    assert groups.missed_note(session, actor(world["mine"])) is None
    clock.move_to(at(2027, 3, 9, 12))
    assert groups.missed_note(session, actor(world["mine"])) is None


def test_progress_weeks_sessions_and_hours(session, world, clock):
    clock.move_to(at(2027, 3, 9, 12))   # Tuesday: two Mondays have been held
    series = world["series"]
    for day in (1, 8):
        occ = _occ(session, series, at(2027, 3, day, 18))
        groups.mark_attendance(session, actor(world["lead"]), occ,
                               {world["mine"].id: "present" if day == 8 else "absent"})
    p = groups.progress(session, actor(world["mine"]), world["mine"].id)
    assert (p.week, p.attended, p.scheduled, p.hours_this_week, p.weekly_hours) == (
        6, 1, 2, 1.5, 9.0)
    with pytest.raises(AccessDenied):
        groups.progress(session, actor(world["lead"]), world["theirs"].id)
    frame = caseload.for_therapist(session, actor(world["lead"]))
    row = frame.set_index("Client").loc[world["mine"].display_name]
    assert (row["Groups attended (14d)"], row["Groups scheduled (14d)"]) == (1, 2)
    assert list(frame.columns[:len(caseload.COLUMNS) - 2]) == caseload.COLUMNS[:-2]


# --- Pre-group view -------------------------------------------------------------------------


def test_pregroup_view_shows_own_clients_fully_and_others_only_what_they_brought(
        session, world, clock):
    clock.move_to(at(2027, 3, 1, 9))
    record_checkin(session, actor(world["mine"]), CheckInEntry(mood=4, craving=6,
                                                               bring_to_group="Sleep"))
    record_checkin(session, actor(world["theirs"]), CheckInEntry(mood=7, craving=9,
                                                                 bring_to_group="My sister"))
    session.flush()
    occ = _occ(session, world["series"], at(2027, 3, 1, 18))
    groups.rsvp(session, actor(world["theirs"]), world["series"].id, occ.occurrence_at, True)
    rows = {r.name: r for r in groups.pregroup(session, actor(world["lead"]), occ)}
    own, other = rows[world["mine"].display_name], rows[world["theirs"].display_name]
    assert own.on_caseload and list(own.week["mood"]) == [4] and own.bring == "Sleep"
    assert [f.rule for f in own.open_flags] == []
    assert not other.on_caseload and other.week is None and other.open_flags is None
    assert other.bring == "My sister" and other.rsvp.status == "going"
    session.flush()
    kinds = {(a.client_id, a.record_kind) for a in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == world["lead"].id))}
    assert {(world["mine"].id, "checkin"), (world["mine"].id, "flag"),
            (world["theirs"].id, "rsvp"), (world["theirs"].id, "checkin")} <= kinds
    assert (world["theirs"].id, "flag") not in kinds
    # a therapist who doesn't lead the group sees only their own clients in it, in full
    assert [(r.name, r.on_caseload) for r in groups.pregroup(session, actor(world["other"]),
                                                             occ)] == [
        (world["theirs"].display_name, True)]


# --- Calendar files -------------------------------------------------------------------------


def test_calendar_file_parses_with_events_alarms_and_a_daily_checkin(session, world, clock):
    mine = actor(world["mine"])
    groups.cancel_occurrence(session, actor(world["admin"]), world["series"].id,
                             at(2027, 3, 8, 18), "Closed for training")
    groups.set_reminder(session, mine, time(20, 30))
    clock.move_to(at(2027, 3, 2))
    cal = icalendar.Calendar.from_ical(groups.calendar_file(session, mine))
    events = cal.walk("VEVENT")
    group_events = [e for e in events if str(e["UID"]).startswith("group-")]
    assert len(group_events) == 8   # Mar 8 … Apr 26: eight Mondays in the next 56 days
    first, second = group_events[0], group_events[1]
    assert str(first["STATUS"]) == "CANCELLED" and "Closed for training" in str(
        first["DESCRIPTION"])
    assert first.walk("VALARM") == []
    assert str(second["SUMMARY"]) == "Appointment"   # discreet by default
    assert second.decoded("DTSTART") == datetime(2027, 3, 15, 18, tzinfo=NY)
    assert second["DTSTART"].params["TZID"] == "America/New_York"
    assert second.decoded("DTEND") - second.decoded("DTSTART") == timedelta(minutes=90)
    assert sorted(a.decoded("TRIGGER") for a in second.walk("VALARM")) == [
        timedelta(days=-1), timedelta(hours=-1)]
    assert {str(a["ACTION"]) for a in second.walk("VALARM")} == {"DISPLAY"}
    daily = next(e for e in events if str(e["UID"]).startswith("checkin-"))
    assert daily.decoded("DTSTART").time() == time(20, 30)
    assert daily["RRULE"]["FREQ"] == ["DAILY"]
    assert [a.decoded("TRIGGER") for a in daily.walk("VALARM")] == [timedelta(0)]
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["America/New_York"]


def test_one_session_file_names_the_group_when_not_discreet(session, world):
    occ = _occ(session, world["series"], at(2027, 3, 1, 18))
    cal = icalendar.Calendar.from_ical(groups.calendar_file(session, actor(world["mine"]),
                                                            occ.key, discreet=False))
    (event,) = cal.walk("VEVENT")
    assert "Evening process group" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "North site"
    assert str(event["UID"]) == "group-1-20270301T230000Z@iop-companion"
    with pytest.raises(AccessDenied):
        groups.calendar_file(session, actor(world["evening"]), occ.key)


def test_reminder_is_own_and_can_be_turned_off(session, world):
    mine = actor(world["mine"])
    groups.set_reminder(session, mine, time(8, 15))
    assert groups.reminder(session, mine) == time(8, 15)
    groups.set_reminder(session, mine, None)
    assert groups.reminder(session, mine) is None
    with pytest.raises(AccessDenied):
        groups.set_reminder(session, actor(world["lead"]), time(9))


# --- Demo -----------------------------------------------------------------------------------


def test_demo_schedule_has_both_tracks_every_site_and_no_double_booking(session):
    from companion import demo

    demo.seed(session, "a quiet harbor at dawn 42")
    series = session.exec(select(GroupSeries)).all()
    assert {(s.track, s.location) for s in series} == {
        (t, loc) for t in ("morning", "evening") for loc in ("north", "river", "telehealth")}
    now = datetime.now(UTC)
    for s in series:
        mine = groups.occurrences(session, now, now + timedelta(days=28), series_ids=[s.id])
        others = [o for o in groups.occurrences(session, now, now + timedelta(days=28),
                                                facilitator_id=s.facilitator_id)
                  if o.series.id != s.id]
        assert not any(a.starts_at < b.ends_at and b.starts_at < a.ends_at
                       for a in mine for b in others)
    assert session.exec(select(func.count()).select_from(GroupAttendance)).one() > 20
    demo.seed(session, "a quiet harbor at dawn 42")   # idempotent
    assert len(session.exec(select(GroupSeries)).all()) == len(series)
