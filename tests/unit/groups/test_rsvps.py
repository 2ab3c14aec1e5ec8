"""RSVPs: going or not (with a reason), capacity, and only the clients expected."""
import pytest
from sqlmodel import select

from companion import groups
from companion.core.errors import AccessDenied, InvalidInput
from companion.models import GroupRsvp
from tests.conftest import actor
from tests.unit.groups.conftest import at, monday_group


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
