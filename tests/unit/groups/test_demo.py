"""The demo schedule: both tracks, every site, nobody double-booked, idempotent."""
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import select

from companion import groups
from companion.models import GroupAttendance, GroupSeries
from tests.unit.groups.conftest import UTC


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
