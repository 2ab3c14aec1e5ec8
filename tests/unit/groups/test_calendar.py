"""Calendar files (events, alarms, the daily check-in) and the daily reminder."""
from datetime import datetime, time, timedelta

import icalendar
import pytest

from companion import groups
from companion.core.errors import AccessDenied
from tests.conftest import actor
from tests.unit.groups.conftest import NY, at, find_occ


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
    occ = find_occ(session, world["series"], at(2027, 3, 1, 18))
    cal = icalendar.Calendar.from_ical(groups.calendar_file(session, actor(world["mine"]),
                                                            occ.key, discreet=False))
    (event,) = cal.walk("VEVENT")
    assert "Evening process group" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "North site"
    assert str(event["UID"]) == "group-1-20270301T230000Z@calendar.companion"
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
