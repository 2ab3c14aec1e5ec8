"""What the group-session tests share: a clinic moment, a Monday 6 pm group, a frozen clock
and a small world (a lead and another therapist, three clients, an admin, one series)."""
from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from companion import groups
from companion.groups.recurrence import get_occurrence
from companion.models import Enrolment
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


def find_occ(session, series, when):
    return get_occurrence(session, series.id, when)
