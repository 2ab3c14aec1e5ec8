"""The optional look-forward line: off by default, the client's own, a number that a use day
changes without resetting anything."""
from datetime import timedelta

import pytest

from companion import milestones
from companion.actors import Actor
from companion.core.errors import AccessDenied, InvalidInput
from companion.core.timeutil import clinic_today
from companion.models import CheckIn


def _day(session, user, day, used):
    session.add(CheckIn(client_id=user.id, day=day, mood=5, craving=1, stress=2,
                        sleep_hours=7, sleep_quality=3, used=used))


def test_off_until_the_client_turns_it_on(users, session):
    me = Actor.of(users.client(users.therapist(), name="robin"))
    assert milestones.current(session, me) is None and milestones.line(session, me) is None


def test_days_without_use_count_from_check_ins_and_a_use_day_changes_only_the_number(
        users, session):
    robin = users.client(users.therapist(), name="robin")
    me, today = Actor.of(robin), clinic_today()
    for n in range(14):
        _day(session, robin, today - timedelta(days=n), "yes" if n == 3 else "no")
    _day(session, robin, today - timedelta(days=20), "no")   # outside the two weeks
    milestones.choose(session, me, "without_use")
    assert milestones.line(session, me, today) == "13 of the last 14 days without use."


def test_days_since_a_date_of_my_own(users, session):
    me = Actor.of(users.client(users.therapist(), name="robin"))
    today = clinic_today()
    milestones.choose(session, me, "since", today - timedelta(days=40))
    assert milestones.line(session, me, today).startswith("40 days since ")
    with pytest.raises(InvalidInput):
        milestones.choose(session, me, "since", today + timedelta(days=1))
    milestones.choose(session, me, None)
    assert milestones.line(session, me, today) is None


def test_nobody_else_sets_or_reads_my_line(users, session):
    lead = users.therapist(name="lead")
    robin, sky = users.client(lead, name="robin"), users.client(lead, name="sky")
    milestones.choose(session, Actor.of(robin), "without_use")
    assert milestones.current(session, Actor.of(sky)) is None   # only ever one's own row
    for staff in (lead, users.admin(name="boss")):
        with pytest.raises(AccessDenied):
            milestones.current(session, Actor.of(staff))
    with pytest.raises(AccessDenied):
        milestones.choose(session, Actor.of(lead), "without_use")
