"""Each flag rule fires at its threshold and not below; the client gets support at once."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import flags
from companion.checkins import record_checkin
from companion.cravings import CravingEntry, log_craving
from companion.models import CheckIn, Flag
from companion.core.timeutil import clinic_today
from tests.conftest import actor
from tests.support.entries import answered


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(), name="me"))


def _flags(session):
    session.flush()
    return [(f.rule, f.source_kind) for f in session.exec(select(Flag))]


@pytest.mark.parametrize("level,fires", [(7, False), (8, True), (10, True)])
def test_checkin_craving_threshold(session, me, level, fires):
    saved = record_checkin(session, me, answered(craving=level))
    assert (_flags(session) == [("craving_high", "checkin")]) is fires
    assert (saved.support is not None) is fires


@pytest.mark.parametrize("level,fires", [(7, False), (8, True)])
def test_craving_log_threshold(session, me, level, fires):
    saved = log_craving(session, me, CravingEntry(intensity=level))
    assert (_flags(session) == [("craving_high", "craving")]) is fires
    assert (saved.support is not None) is fires


@pytest.mark.parametrize("used,fires", [("no", False), ("prefer_not", False), ("yes", True)])
def test_use_reported_in_checkin(session, me, used, fires):
    saved = record_checkin(session, me, answered(used=used))
    assert (("use_reported", "checkin") in _flags(session)) is fires
    assert (saved.support is not None) is fires


def test_craving_that_ended_in_use_flags_and_supports(session, me):
    saved = log_craving(session, me, CravingEntry(intensity=4, outcome="used"))
    assert _flags(session) == [("use_reported", "craving")]
    assert "courage" in saved.support.headline


def test_editing_a_flagged_checkin_does_not_flag_twice(session, me):
    record_checkin(session, me, answered(craving=9), expected_version=0)
    record_checkin(session, me, answered(craving=9, note="still high"), expected_version=1)
    assert _flags(session) == [("craving_high", "checkin")]


def _history(session, me, moods):
    for offset, mood in enumerate(moods, start=1):
        session.add(CheckIn(client_id=me.id, day=clinic_today() - timedelta(days=offset),
                            mood=mood, craving=0, stress=0, sleep_hours=7, sleep_quality=3,
                            used="no"))
    session.flush()


@pytest.mark.parametrize("today,fires", [(5, False), (4, True)])
def test_mood_drop_of_three_below_the_14_day_baseline(session, me, today, fires):
    _history(session, me, [7, 7, 7, 7])
    record_checkin(session, me, answered(mood=today))
    assert (("mood_drop", "checkin") in _flags(session)) is fires


def test_mood_drop_needs_a_baseline(session, me):
    _history(session, me, [9, 9])
    record_checkin(session, me, answered(mood=1))
    assert ("mood_drop", "checkin") not in _flags(session)


def test_use_after_a_use_free_run_names_the_days(session, me):
    _history(session, me, [6] * 5)
    saved = record_checkin(session, me, answered(used="yes", substances=["Alcohol"]))
    assert "5 check-in days without use" in saved.support.message
    assert "give up" in saved.support.message and "naloxone" in saved.support.message


def test_support_offers_the_clients_own_skills_that_worked(session, me):
    from companion.cravings import record_followup

    for strategy, after in (("Music", 2), ("Walk or exercise", 5)):
        craving = log_craving(session, me, CravingEntry(intensity=7, coping=[strategy])).craving
        record_followup(session, me, craving.id, after)
    saved = log_craving(session, me, CravingEntry(intensity=9))
    assert saved.support.actions[:2] == ("Music", "Walk or exercise")
    assert len(saved.support.actions) == 3


def test_thresholds_live_in_one_place():
    assert (flags.CRAVING_HIGH, flags.MOOD_DROP, flags.MOOD_BASELINE_DAYS) == (8, 3, 14)
