"""Recurrence: a weekly rule expanded in local time stays at its local hour across
daylight-saving changes; stored in UTC, described in the clinic's words."""
from datetime import date, datetime, time

from companion import groups
from tests.conftest import actor
from tests.unit.groups.conftest import NY, UTC, at, monday_group


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
