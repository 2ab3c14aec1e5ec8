"""Craving log: quick log, details that never overwrite, timer, follow-up, what works."""
from datetime import timedelta

import pytest
import time_machine

from companion import cravings, trends
from companion.cravings import CravingEntry, log_craving
from companion.core.errors import AccessDenied, FormErrors, InvalidInput
from companion.core.timeutil import utcnow
from tests.conftest import actor


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(name="thera"), name="me"))


def test_quick_log_then_details_keep_what_was_written(session, me):
    craving = log_craving(session, me, CravingEntry(intensity=6)).craving
    cravings.add_details(session, me, craving.id,
                         CravingEntry(intensity=6, where="home", triggers=["Bored"],
                                      coping=["Music"], outcome="passed", duration_minutes=20))
    cravings.add_details(session, me, craving.id,
                         CravingEntry(intensity=6, where="work", coping=["Slow breathing"]))
    found = cravings.tags.tags_of(session, "craving", craving.id)
    assert craving.where == "home" and craving.outcome == "passed"
    assert found == {"trigger": ["Bored"], "coping": ["Music", "Slow breathing"]}


def test_local_hour_and_weekday_are_the_clinics(session, me):
    with time_machine.travel("2027-03-01 02:15:00+00:00", tick=False):  # Sun 21:15 in NY
        craving = log_craving(session, me, CravingEntry(intensity=3)).craving
    assert (craving.local_weekday, craving.local_hour, str(craving.local_day)) == (
        6, 21, "2027-02-28")


def test_bad_input_is_named_field_by_field(session, me):
    with pytest.raises(FormErrors) as err:
        log_craving(session, me, CravingEntry(intensity=12, outcome="meh", where="x" * 201,
                                              duration_minutes=-5, coping=["Juggling"]))
    assert set(err.value.fields) == {"intensity", "outcome", "where", "duration_minutes",
                                     "coping"}


def test_surf_timer_records_how_long_the_wave_took(session, me):
    craving = log_craving(session, me, CravingEntry(intensity=7)).craving
    cravings.record_surf(session, me, craving.id, 540)
    assert (craving.surf_seconds, craving.outcome) == (540, "passed")


def test_followup_is_asked_15_minutes_later_only_with_a_strategy(session, me):
    with_coping = log_craving(session, me, CravingEntry(intensity=7, coping=["Music"])).craving
    log_craving(session, me, CravingEntry(intensity=7))
    assert cravings.pending_followups(session, me) == []
    later = utcnow() + timedelta(minutes=16)
    pending = cravings.pending_followups(session, me, now=later)
    assert [(c.id, strategies) for c, strategies in pending] == [(with_coping.id, ["Music"])]
    cravings.record_followup(session, me, with_coping.id, 3)
    assert cravings.pending_followups(session, me, now=later) == []
    with pytest.raises(InvalidInput, match="already"):
        cravings.record_followup(session, me, with_coping.id, 2)


def test_what_works_averages_the_fall_per_strategy(session, me):
    for strategy, before, after in (("Music", 8, 4), ("Music", 6, 4), ("Rested", 5, 5)):
        c = log_craving(session, me, CravingEntry(intensity=before, coping=[strategy])).craving
        cravings.record_followup(session, me, c.id, after)
    frame = trends.what_works(session, me, me.id)
    assert frame.to_dict("records") == [
        {"strategy": "Music", "uses": 2, "avg_drop": 3.0},
        {"strategy": "Rested", "uses": 1, "avg_drop": 0.0}]


def test_only_the_owner_adds_details_or_follow_ups(session, users, me):
    craving = log_craving(session, me, CravingEntry(intensity=5, coping=["Music"])).craving
    other = actor(users.client(users.therapist()))
    with pytest.raises(Exception) as err:
        cravings.record_followup(session, other, craving.id, 1)
    assert "isn't yours" in str(err.value)
    with pytest.raises(AccessDenied):
        cravings.recent(session, other, me.id)


def test_own_craving_reads_only_the_clients_own(session, users, me):
    """The details form starts from the stored craving (issue 18, item 8): read through a
    service that refuses anyone else's, and queues the refusal for the audit trail."""
    from sqlmodel import select

    from companion import audit
    from companion.core.errors import NotFound
    from companion.models import User

    craving = log_craving(session, me, CravingEntry(intensity=9)).craving
    assert cravings.own_craving(session, me, craving.id).intensity == 9
    other = actor(users.client(users.therapist()))
    with pytest.raises(AccessDenied):
        cravings.own_craving(session, other, craving.id)
    assert [(d["actor"].id, d["client_id"]) for d in session.info[audit.DENIED]] == [
        (other.id, me.id)]
    thera = actor(session.exec(select(User).where(User.username == "thera")).one())
    with pytest.raises(AccessDenied):  # staff never read through it, even the assigned one
        cravings.own_craving(session, thera, craving.id)
    with pytest.raises(NotFound):
        cravings.own_craving(session, me, craving.id + 1000)
