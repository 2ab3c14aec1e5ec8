"""Daily check-ins: one a day, editable that day and the next, every version kept."""
from datetime import timedelta

import pytest
import time_machine
from sqlmodel import select

from companion import checkins
from companion.checkins import CheckInEntry, record_checkin
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, StaleEdit
from companion.models import AuditEvent, CheckIn, EntryTag, Flag, PersonalTrigger
from companion.core.timeutil import clinic_today
from tests.conftest import actor
from tests.support.entries import answered


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(name="thera"), name="me"))


def test_first_save_of_the_day_is_version_one(session, me):
    saved = record_checkin(session, me, answered(mood=7, triggers=["Bored"],
                                                 skills=["Slow breathing"]))
    assert (saved.checkin.version, saved.checkin.day, saved.checkin.is_current) == (
        1, clinic_today(), True)
    labels = set(session.exec(select(EntryTag.tag_type, EntryTag.label)))
    assert labels == {("trigger", "Bored"), ("skill", "Slow breathing")}
    assert saved.flags == [] and saved.support is None


def test_an_edit_keeps_the_earlier_version(session, me):
    record_checkin(session, me, answered(mood=4, note="rough morning"), expected_version=0)
    record_checkin(session, me, answered(mood=6, note="better after group"),
                   expected_version=1)
    versions = checkins.history(session, me, me.id, clinic_today())
    assert [(v.version, v.mood, v.note, v.is_current) for v in versions] == [
        (2, 6, "better after group", True), (1, 4, "rough morning", False)]
    assert checkins.current(session, me, me.id, clinic_today()).mood == 6


def test_stale_form_is_refused_and_nothing_written(session, me):
    record_checkin(session, me, answered(mood=4), expected_version=0)
    with pytest.raises(StaleEdit, match="still here") as err:
        record_checkin(session, me, answered(mood=9), expected_version=0)
    # what the other screen set, against a blank (unanswered) form
    assert err.value.changed == ["Mood", "Craving", "Stress", "Use"]
    assert len(checkins.history(session, me, me.id, clinic_today())) == 1


def _tapped(**more):
    """What the form sends: a fresh entry each tap, the same answers."""
    answers = dict(mood=4, craving=9, triggers=["Bored"], skills=["Slow breathing"],
                   new_trigger="Payday", note="rough morning")
    return answered(**{**answers, **more})


def test_a_double_tapped_save_is_one_version_and_says_saved(session, me):
    first = record_checkin(session, me, _tapped(), expected_version=0)
    flags_after_first = session.exec(select(Flag)).all()
    again = record_checkin(session, me, _tapped(), expected_version=0)  # the second tap
    assert (again.checkin.id, again.checkin.version) == (first.checkin.id, 1)
    assert again.flags == [] and session.exec(select(Flag)).all() == flags_after_first
    assert again.support == first.support and again.support is not None
    assert record_checkin(session, me, _tapped(), expected_version=1).checkin.version == 1
    assert len(checkins.history(session, me, me.id, clinic_today())) == 1
    assert sorted(session.exec(select(EntryTag.label).where(EntryTag.tag_type == "trigger"))
                  ) == ["Bored", "Payday"]


def test_a_change_only_in_the_tags_is_a_new_version(session, me):
    record_checkin(session, me, _tapped(), expected_version=0)
    more_skills = ["Slow breathing", "Urge surfing"]
    assert record_checkin(session, me, _tapped(skills=more_skills),
                          expected_version=1).checkin.version == 2
    again = record_checkin(session, me, _tapped(triggers=["Payday", "Bored"], new_trigger="",
                                                skills=more_skills), expected_version=2)
    assert again.checkin.version == 2  # the typed trigger was kept: the same check-in
    with pytest.raises(StaleEdit) as err:  # a tab still at version 1 changes the triggers
        record_checkin(session, me, _tapped(triggers=["Bored", "Tired"]), expected_version=1)
    assert err.value.changed == ["Skills"]


def test_a_real_stale_edit_names_what_changed_there(session, me):
    record_checkin(session, me, answered(mood=4, note="rough morning"), expected_version=0)
    record_checkin(session, me, answered(mood=8, note="from my other phone"),
                   expected_version=1)
    with pytest.raises(StaleEdit) as err:
        record_checkin(session, me, answered(mood=5, note="rough morning, better now"),
                       expected_version=1)
    assert err.value.changed == ["Mood", "Note"]
    assert str(err.value) == (
        "This check-in was saved from another screen since you opened it: Mood and Note "
        "changed there. Your answers are still here: review the latest, then save again.")
    assert len(checkins.history(session, me, me.id, clinic_today())) == 2


def test_yesterday_is_editable_the_day_before_is_not(session, me):
    yesterday = clinic_today() - timedelta(days=1)
    assert record_checkin(session, me, answered(), day=yesterday).checkin.day == yesterday
    with pytest.raises(InvalidInput, match="day after"):
        record_checkin(session, me, answered(), day=clinic_today() - timedelta(days=2))


def test_today_follows_the_clinic_zone_not_utc(session, me):
    # 03:30 UTC on Jan 10 is still Jan 9 in New York.
    with time_machine.travel("2027-01-10 03:30:00+00:00", tick=False):
        saved = record_checkin(session, me, answered())
        assert str(saved.checkin.day) == "2027-01-09"


def test_every_bad_field_gets_its_own_message(session, me):
    entry = answered(mood=0, craving=11, sleep_hours=30, used="maybe", note="x" * 1001,
                     triggers=["Not a trigger"], skills=["Juggling"])
    with pytest.raises(FormErrors) as err:
        record_checkin(session, me, entry)
    assert set(err.value.fields) == {"mood", "craving", "sleep_hours", "used", "note",
                                     "triggers", "skills"}
    assert session.exec(select(CheckIn)).first() is None


def test_substances_only_kept_when_use_is_yes(session, me):
    saved = record_checkin(session, me, answered(used="no", substances=["Alcohol"],
                                                 use_details="x"))
    assert saved.checkin.use_details == ""
    assert session.exec(select(EntryTag).where(EntryTag.tag_type == "substance")).first() is None


def test_own_trigger_is_remembered_and_offered(session, me):
    record_checkin(session, me, answered(new_trigger="  Driving past   the old bar "))
    assert session.exec(select(PersonalTrigger.label)).one() == "Driving past the old bar"
    assert "Driving past the old bar" in checkins.tags.trigger_options(session, me.id)
    record_checkin(session, me, answered(triggers=["Driving past the old bar"]),
                   expected_version=1)


def test_only_what_rarely_changes_comes_from_the_latest_checkin(session, me):
    assert checkins.defaults(session, me) == CheckInEntry()
    record_checkin(session, me, answered(sleep_hours=5.5, sleep_quality=2, medication="yes",
                                         note="private"))
    start = checkins.defaults(session, me)
    assert (start.sleep_hours, start.sleep_quality, start.medication, start.note) == (
        5.5, 2, "yes", "")


FOUR = {"mood": "your mood", "craving": "craving", "stress": "anxiety or stress",
        "used": "whether you used today"}


def test_a_new_days_form_starts_unanswered(session, me):
    """Yesterday's answers (a strong craving, a use) never start today's form."""
    yesterday = clinic_today() - timedelta(days=1)
    record_checkin(session, me, answered(mood=2, craving=9, stress=8, used="yes",
                                         medication="no"), day=yesterday)
    start = checkins.defaults(session, me)
    assert (start.mood, start.craving, start.stress, start.used) == (None, None, None, None)
    assert start.medication == "no"


def test_a_check_in_without_the_four_answers_is_refused_naming_each(session, me):
    with pytest.raises(FormErrors) as err:
        record_checkin(session, me, CheckInEntry(note="typed before anything else"))
    assert set(err.value.fields) == set(FOUR)
    assert str(err.value) == (
        "Almost there: please answer your mood, craving, anxiety or stress and whether you "
        "used today. Nothing was saved yet, and everything you typed is still here.")
    assert session.exec(select(CheckIn)).first() is None


@pytest.mark.parametrize("name", FOUR)
def test_each_missing_answer_is_named_alone(session, me, name):
    entry = answered(note="typed")
    setattr(entry, name, None)
    with pytest.raises(FormErrors) as err:
        record_checkin(session, me, entry)
    assert list(err.value.fields) == [name]
    assert f"please answer {FOUR[name]}." in str(err.value)
    assert session.exec(select(CheckIn)).first() is None


def test_a_missing_answer_and_a_bad_one_each_get_their_message(session, me):
    with pytest.raises(FormErrors) as err:
        record_checkin(session, me, CheckInEntry(mood=4, craving=12, stress=1,
                                                 note="x" * 1001))
    assert set(err.value.fields) == {"craving", "used", "note"}
    assert "please answer whether you used today" in str(err.value)


def test_editing_today_starts_from_todays_answers(session, me):
    saved = record_checkin(session, me, answered(mood=3, craving=8, stress=6, used="prefer_not"))
    today = checkins.entry_of(session, checkins.current(session, me, me.id, clinic_today()))
    assert (today.mood, today.craving, today.stress, today.used) == (3, 8, 6, "prefer_not")
    assert saved.checkin.version == 1


def test_another_client_cannot_read_or_write(session, users, me):
    other = actor(users.client(users.therapist()))
    record_checkin(session, me, answered())
    with pytest.raises(AccessDenied):
        checkins.current(session, other, me.id, clinic_today())
    with pytest.raises(AccessDenied):
        checkins.history(session, other, me.id, clinic_today())


def test_therapist_reads_assigned_client_audited_but_cannot_write(session, users, me):
    from companion.models import User

    therapist = actor(session.exec(select(User).where(User.username == "thera")).one())
    record_checkin(session, me, answered(mood=3))
    assert checkins.current(session, therapist, me.id, clinic_today()).mood == 3
    audit = session.exec(select(AuditEvent)).all()
    assert [(a.actor_id, a.record_kind, a.client_id) for a in audit] == [
        (therapist.id, "checkin", me.id)]
    stranger = actor(users.therapist())
    with pytest.raises(AccessDenied):
        checkins.current(session, stranger, me.id, clinic_today())
