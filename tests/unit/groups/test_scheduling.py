"""Scheduling: bad input refused with a message and nothing saved, overlaps for one
facilitator, capacity against RSVPs, and one-session exceptions (cancel, move, restore)."""
from datetime import date, time

import pytest
from sqlalchemy import func
from sqlmodel import select

from companion import groups
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound
from companion.models import GroupException, GroupSeries
from tests.conftest import actor
from tests.unit.groups.conftest import NY, at, find_occ, monday_group


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
    occ = find_occ(session, series, march8)
    assert (occ.status, occ.starts_at, occ.minutes) == ("moved", at(2027, 3, 9, 17), 90)
    found = groups.occurrences(session, at(2027, 3, 9, 0), at(2027, 3, 10, 0))
    assert [o.occurrence_at for o in found] == [march8]
    assert groups.occurrences(session, at(2027, 3, 8, 0), at(2027, 3, 9, 0)) == []
    clock.move_to(at(2027, 3, 2))
    item = groups.upcoming_for_client(session, actor(world["mine"]))[0]
    assert item.is_going and item.occurrence.note == "Tuesday this week only"
    groups.restore_occurrence(session, actor(world["admin"]), series.id, march8)
    assert find_occ(session, series, march8).starts_at == march8


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
