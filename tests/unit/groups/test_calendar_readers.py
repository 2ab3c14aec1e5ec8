"""Calendar files as independent readers see them (issue 17 item 3): icalendar,
recurring-ical-events and vobject, across the 2027 daylight-saving dates, with SEQUENCE,
the daily check-in, a session over the changing hour and hostile old rows."""
import re
from datetime import date, datetime, time, timedelta, timezone

import icalendar
import recurring_ical_events
import vobject

from companion import groups
from companion.groups.calendar import vtimezone
from companion.models import GroupException, GroupRsvp, GroupSeries
from tests.conftest import actor
from tests.unit.groups.conftest import NY, UTC, at, find_occ, monday_group

MARCH_CHANGE, NOVEMBER_CHANGE = date(2027, 3, 14), date(2027, 11, 7)


def _group_events(body: bytes) -> list:
    return [e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")
            if str(e["UID"]).startswith("group-")]


def _vobject_starts(body: bytes) -> list[datetime]:
    cal = vobject.readOne(body.decode())
    return sorted(ev.dtstart.value.astimezone(UTC) for ev in cal.vevent_list
                  if ev.uid.value.startswith("group-"))


def test_every_reader_puts_sessions_at_6_pm_local_across_both_2027_changes(session, world,
                                                                           clock):
    mine = actor(world["mine"])
    for moment, change in ((at(2027, 3, 2), MARCH_CHANGE), (at(2027, 10, 20), NOVEMBER_CHANGE)):
        clock.move_to(moment)
        body = groups.calendar_file(session, mine)
        mondays = [change + timedelta(days=d) for d in range(-7, 14)
                   if (change + timedelta(days=d)).weekday() == 0]
        expected = [at(d.year, d.month, d.day, 18) for d in mondays]
        assert any(m < change for m in mondays) and any(m > change for m in mondays)
        # vobject builds the zone from the file's VTIMEZONE alone
        assert [s for s in _vobject_starts(body) if s in expected] == expected
        assert set(expected) <= set(_vobject_starts(body))
        # recurring-ical-events, on the same window
        window = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
            mondays[0], mondays[-1] + timedelta(days=1))
        got = sorted(e.decoded("DTSTART").astimezone(UTC) for e in window
                     if str(e["UID"]).startswith("group-"))
        assert got == expected


def test_vtimezone_uses_yearly_rules_never_rdate_lists():
    tz = vtimezone(NY, 2027)
    text = tz.to_ical().decode()
    assert "RDATE" not in text
    assert "RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3" in text
    assert "RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11" in text


def test_vtimezone_for_a_zone_without_daylight_saving_is_one_standard_part():
    from zoneinfo import ZoneInfo

    (part,) = vtimezone(ZoneInfo("America/Phoenix"), 2027).subcomponents
    assert part.name == "STANDARD" and part.decoded("TZOFFSETTO") == timedelta(hours=-7)


def test_sequence_only_rises_over_cancel_restore_move_move(session, world, clock):
    mine, admin = actor(world["mine"]), actor(world["admin"])
    series, when = world["series"], at(2027, 3, 8, 18)
    uid = f"group-{series.id}-20270308T230000Z@calendar.companion"

    def sequence() -> int:
        event = next(e for e in _group_events(groups.calendar_file(session, mine))
                     if str(e["UID"]) == uid)
        return int(event["SEQUENCE"])

    clock.move_to(at(2027, 3, 2))
    seen = [sequence()]
    groups.cancel_occurrence(session, admin, series.id, when, "Snow day")
    seen.append(sequence())
    groups.restore_occurrence(session, admin, series.id, when)
    session.flush()
    seen.append(sequence())
    groups.move_occurrence(session, admin, series.id, when, date(2027, 3, 9), time(18),
                           time(19, 30), "Tuesday this week")
    seen.append(sequence())
    groups.move_occurrence(session, admin, series.id, when, date(2027, 3, 10), time(18),
                           time(19, 30), "Wednesday after all")
    seen.append(sequence())
    assert seen == [0, 1, 2, 3, 4]
    assert sequence() == 4   # nothing changed: no bump, and the file is the same bytes
    assert groups.calendar_file(session, mine) == groups.calendar_file(session, mine)


def test_a_new_rsvp_raises_sequence_and_marks_or_leaves_out_the_session(session, world, clock):
    from companion.groups.calendar import Choices, build, client_sessions_ahead
    from companion.models import Enrolment

    mine = world["mine"]
    clock.move_to(at(2027, 3, 2))
    enrolment = session.get(Enrolment, mine.id)
    before = _group_events(build(session, mine.id, client_sessions_ahead(session, enrolment),
                                 Choices()).body)[0]
    groups.rsvp(session, actor(mine), world["series"].id, at(2027, 3, 8, 18), False, "Work")
    occs = client_sessions_ahead(session, enrolment)
    marked = _group_events(build(session, mine.id, occs, Choices()).body)[0]
    assert str(marked["SUMMARY"]) == "Appointment (not going)"
    assert str(marked["TRANSP"]) == "TRANSPARENT" and marked.walk("VALARM") == []
    assert int(marked["SEQUENCE"]) == int(before["SEQUENCE"]) + 1
    assert "Work" not in build(session, mine.id, occs, Choices()).body.decode()
    left_out = _group_events(build(session, mine.id, occs, Choices(skip_not_going=True)).body)
    assert str(left_out[0]["UID"]) != str(marked["UID"])


def test_daily_checkin_keeps_its_start_and_uid_and_bumps_sequence_on_change(session, world,
                                                                           clock):
    mine = actor(world["mine"])

    def daily():
        cal = icalendar.Calendar.from_ical(groups.calendar_file(session, mine))
        return next(e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("checkin-"))

    groups.set_reminder(session, mine, time(20, 30))
    first = daily()
    clock.move_to(at(2027, 3, 5))
    again = daily()
    assert again.decoded("DTSTART") == first.decoded("DTSTART") == datetime(
        2027, 2, 20, 20, 30, tzinfo=NY)
    assert int(again["SEQUENCE"]) == int(first["SEQUENCE"]) == 0
    assert str(again["UID"]) == str(first["UID"])
    assert re.fullmatch(r"checkin-[0-9a-f]{24}@calendar\.companion", str(first["UID"]))
    groups.set_reminder(session, mine, time(9))
    changed = daily()
    assert changed.decoded("DTSTART") == datetime(2027, 2, 20, 9, tzinfo=NY)
    assert int(changed["SEQUENCE"]) == 1 and str(changed["UID"]) == str(first["UID"])
    # after the spring change, vobject and recurring-ical-events still ring at 9 am local
    body = groups.calendar_file(session, mine)
    window = recurring_ical_events.of(icalendar.Calendar.from_ical(body)).between(
        datetime(2027, 3, 15, tzinfo=NY), datetime(2027, 3, 16, tzinfo=NY))
    rings = [e.decoded("DTSTART") for e in window if str(e["UID"]).startswith("checkin-")]
    assert [r.astimezone(UTC) for r in rings] == [datetime(2027, 3, 15, 13, tzinfo=UTC)]
    vcal = vobject.readOne(body.decode())
    ev = next(e for e in vcal.vevent_list if e.uid.value.startswith("checkin-"))
    after = ev.getrruleset().after(datetime(2027, 3, 15, tzinfo=NY))
    assert after.astimezone(UTC) == datetime(2027, 3, 15, 13, tzinfo=UTC)


def test_a_session_over_the_changing_hour_keeps_its_local_end(session, world, clock):
    admin = actor(world["admin"])
    night = groups.schedule_series(session, admin, monday_group(
        world["lead"], title="Night group", first_day=date(2027, 3, 7), start=time(1),
        end=time(3), weekdays=[6]))
    session.flush()
    clock.move_to(at(2027, 3, 10))
    occ = find_occ(session, night, datetime(2027, 3, 14, 1, tzinfo=NY).astimezone(UTC))
    assert occ.ends_at == datetime(2027, 3, 14, 3, tzinfo=NY).astimezone(UTC)
    body = groups.calendar_file(session, actor(world["mine"]))
    (event,) = [e for e in _group_events(body) if str(e["UID"]).startswith(f"group-{night.id}-")
                and e.decoded("DTSTART").date() == MARCH_CHANGE]
    assert event.decoded("DTEND").replace(tzinfo=None) == datetime(2027, 3, 14, 3)


def test_control_characters_in_old_rows_never_reach_the_file(session, world, clock):
    series = session.get(GroupSeries, world["series"].id)
    series.title = "Group\x07\x1b[31m"
    series.topic = "Line\rBREAK:INJECTED\x01"
    series.link = "https://meet.example.org/x\r\nATTENDEE:evil"
    series.location = "telehealth"
    session.add(series)
    session.add(GroupException(series_id=series.id, occurrence_at=at(2027, 3, 8, 18),
                               status="cancelled", note="Off\x0b\u202etoday\r\nX-EVIL:1"))
    session.flush()
    clock.move_to(at(2027, 3, 2))
    from companion.models import Enrolment
    session.get(Enrolment, world["mine"].id).location = "telehealth"
    for discreet in (True, False):
        body = groups.calendar_file(session, actor(world["mine"]), discreet=discreet)
        text = body.decode()
        assert not any(ord(c) < 32 and c not in "\r\n" for c in text)
        assert "\u202e" not in text and "\nX-EVIL" not in text and "\nATTENDEE" not in text
        assert "\nBREAK" not in text
        vobject.readOne(text)   # still one well-formed calendar
        events = _group_events(body)
        assert str(events[0]["STATUS"]) == "CANCELLED"


def test_discreet_files_name_no_program_and_no_site_unless_chosen(session, world, clock):
    from companion.groups.calendar import Choices, build, client_sessions_ahead
    from companion.models import Enrolment

    clock.move_to(at(2027, 3, 2))
    mine = world["mine"]
    occs = client_sessions_ahead(session, session.get(Enrolment, mine.id))
    plain = build(session, mine.id, occs, Choices()).body.decode()
    assert "iop" not in plain.lower() and "North site" not in plain
    cal = icalendar.Calendar.from_ical(plain)
    assert "iop" not in str(cal["PRODID"]).lower()
    assert all("iop" not in str(e["UID"]).lower() for e in cal.walk("VEVENT"))
    assert "Evening process group" not in plain and "Test Therapist" not in plain
    with_site = build(session, mine.id, occs, Choices(show_site=True)).body.decode()
    assert "LOCATION:North site" in with_site


def test_rsvp_of_another_client_does_not_touch_my_file(session, world, clock):
    clock.move_to(at(2027, 3, 2))
    before = groups.calendar_file(session, actor(world["mine"]))
    groups.rsvp(session, actor(world["theirs"]), world["series"].id, at(2027, 3, 8, 18), False)
    assert session.exec(__import__("sqlmodel").select(GroupRsvp)).all()
    assert groups.calendar_file(session, actor(world["mine"])) == before
