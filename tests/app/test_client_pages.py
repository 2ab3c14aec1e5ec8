"""The check-in and craving forms, the supportive response, and kept input on failure."""
import re

import pytest
from sqlmodel import select

from companion.models import CheckIn, Craving, Flag
from tests.app.conftest import links, shown, sign_in, sources, texts
from tests.support.entries import answered, fill_checkin


@pytest.fixture
def client_app(app, users, session):
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    return app


def _by_label(widgets, label):
    return next(w for w in widgets if shown(w.label) == label)


def test_checkin_saves_and_shows_in_history(client_app, session):
    at = client_app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at, mood=7)
    _by_label(at.text_input, "Something I want to bring to group (optional)").input(
        "How to say no at family dinners")
    _submit(at)
    assert "Saved — thank you" in texts(at)
    row = session.exec(select(CheckIn)).one()
    assert (row.mood, row.bring_to_group, row.version) == (7, "How to say no at family dinners", 1)
    assert "You can change it today and tomorrow" in texts(at.run())


def _submit(at):
    next(b for b in at.button if b.label in ("Save check-in", "Save")).click().run()


def test_strong_craving_shows_support_and_flags_the_therapist(client_app, session):
    at = client_app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at, craving=9)
    _submit(at)
    page = texts(at)
    assert "strong craving" in page and "Urge surfing" in page
    assert "tel:988" in links(at).values()
    assert [f.rule for f in session.exec(select(Flag))] == ["craving_high"]


def test_stale_checkin_keeps_what_was_typed_and_says_why(client_app, session):
    """Saved from another device since this form opened: nothing is overwritten, the typed
    answers stay on screen, and the person is told why."""
    from companion.actors import Actor
    from companion.checkins import record_checkin
    from companion.models import User

    at = client_app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at, mood=3)
    note = "Note (optional, just for you and your therapist)"
    _by_label(at.text_area, note).input("A long day but I made it")
    _by_label(at.text_input, ANOTHER_TRIGGER).input("Payday")
    robin = Actor.of(session.exec(select(User).where(User.username == "robin")).one())
    record_checkin(session, robin, answered(mood=8, note="from my other phone"))
    session.commit()
    _submit(at)
    assert ("since you opened it: Mood, Craving, Stress, Use and Note changed there."
            in texts(at))  # all the other screen answered, against this blank form
    assert _by_label(at.pills, "Mood").value == 3
    assert _by_label(at.text_area, note).value == "A long day but I made it"
    assert _by_label(at.text_input, ANOTHER_TRIGGER).value == "Payday"
    rows = session.exec(select(CheckIn)).all()
    assert [(r.mood, r.note) for r in rows] == [(8, "from my other phone")]
    _submit(at)  # saving again, on purpose, now makes a second version
    session.expire_all()
    assert sorted(r.version for r in session.exec(select(CheckIn))) == [1, 2]


ANOTHER_TRIGGER = "Another trigger, in your words (optional)"


def test_a_double_tapped_checkin_save_says_saved(client_app, session):
    """The second tap carries the version the form was loaded with and the same answers:
    it shows "Saved", not a stale-edit error, and saves nothing more."""
    from companion.actors import Actor
    from companion.checkins import record_checkin
    from companion.models import User

    at = client_app.switch_page("pages/client/checkin.py").run()
    fill_checkin(at, mood=3)
    _by_label(at.text_input, ANOTHER_TRIGGER).input("Payday")
    robin = Actor.of(session.exec(select(User).where(User.username == "robin")).one())
    record_checkin(session, robin, answered(mood=3, new_trigger="Payday"),
                   expected_version=0)  # the first tap, already saved
    session.commit()
    _submit(at)  # the second tap, from the form still at version 0
    assert "Saved — thank you" in texts(at) and "another screen" not in texts(at)
    assert [r.version for r in session.exec(select(CheckIn))] == [1]
    assert "Payday" in _by_label(at.multiselect, "Triggers today").value


def test_quick_craving_log_is_one_tap(client_app, session):
    at = client_app.switch_page("pages/client/cravings.py").run()
    at.pills[0].set_value(6).run()
    craving = session.exec(select(Craving)).one()
    assert craving.intensity == 6
    assert "Logged" in texts(at)
    assert any(b.label.startswith("🌊 Ride it out") for b in at.button)


@pytest.fixture
def clock(surf_clock):
    """The urge-surfing timer's clock (tests/conftest.py): `clock.at = t`."""
    return surf_clock


def _ride_it_out(at):
    return next(b for b in at.button if b.label.startswith("🌊 Ride it out")).click().run()


def _recent(at):
    return [line for line in texts(at).splitlines() if re.match(r"\*\*\d+/10\*\* · ", line)]


def _time_left(at):
    return shown(at.progress[0].text).split(" — ")[0]


def test_urge_surfing_timer_records_the_wave(client_app, session, clock):
    at = client_app.switch_page("pages/client/cravings.py").run()
    at.pills[0].set_value(7).run()
    assert _recent(at)[0].endswith("· not sure yet")
    at = _ride_it_out(at)
    assert "Breathe in… 4" in texts(at)
    clock.at += 125  # as if the wave took two minutes
    assert "Breathe out slowly… 1" in texts(at.run())  # 125 s: 8 cycles of 14 s, and 13 s
    next(b for b in at.button if b.label == "The wave passed").click().run()
    craving = session.exec(select(Craving)).one()
    assert craving.surf_seconds == 125 and craving.outcome == "passed"
    assert "You rode that wave for 2 min 5 s" in texts(at)
    assert _recent(at)[0].endswith("· It passed")  # the stored outcome, not "not sure yet"
    assert not any(b.label == "The wave passed" for b in at.button)
    at.run()  # the closing words show once; the timer can be started again
    assert "You rode that wave" not in texts(at)
    assert any(b.label.startswith("🌊 Ride it out") for b in at.button)


def test_the_client_chooses_how_long_to_surf_the_urge(client_app, session, clock):
    at = client_app.switch_page("pages/client/cravings.py").run()
    at.pills[0].set_value(8).run()
    length = at.segmented_control(key="surf-length")
    assert length.options == ["5 min", "10 min", "15 min", "20 min"] and length.value == 10
    length.set_value(5).run()
    at = _ride_it_out(at)
    assert _time_left(at) == "5:00"
    clock.at += 61
    assert _time_left(at.run()) == "3:59"
    clock.at += 5 * 60
    assert _time_left(at.run()) == "0:00" and "Time's up" in texts(at)
    next(b for b in at.button if b.label == "Stop timer").click().run()
    assert "Timer stopped" in texts(at)
    assert session.exec(select(Craving)).one().outcome is None  # stopping stores no outcome
    assert at.segmented_control(key="surf-length").value == 5  # the length chosen last


def test_craving_details_start_from_the_stored_intensity_after_another_page(client_app, session):
    at = client_app.switch_page("pages/client/cravings.py").run()
    at.pills[0].set_value(9).run()
    assert _by_label(at.select_slider, "Intensity").value == 9
    at = at.switch_page("pages/client/home.py").run()
    at = at.switch_page("pages/client/cravings.py").run()
    assert "Add details to this craving" in [e.label for e in at.expander]
    assert _by_label(at.select_slider, "Intensity").value == 9  # not the slider's first stop
    _by_label(at.text_input, "Where was I?").input("At the bus stop")
    _submit(at)
    craving = session.exec(select(Craving)).one()
    assert (craving.intensity, craving.where) == (9, "At the bus stop")


def test_craving_with_details_and_use_supports_kindly(client_app, session):
    at = client_app.switch_page("pages/client/cravings.py").run()
    _by_label(at.select_slider, "Intensity").set_value(4)
    _by_label(at.multiselect, "What I did").set_value(["Music"])
    _by_label(at.radio, "How did it end?").set_value("used")
    _submit(at)
    page = texts(at)
    assert "Thank you for being honest" in page and "naloxone" in page
    craving = session.exec(select(Craving)).one()
    assert (craving.intensity, craving.outcome) == (4, "used")
    assert [f.rule for f in session.exec(select(Flag))] == ["use_reported"]


def test_follow_up_is_asked_on_the_next_visit(client_app, session):
    from datetime import timedelta

    from companion.actors import Actor
    from companion.cravings import CravingEntry, log_craving
    from companion.models import User
    from companion.core.timeutil import utcnow

    robin = Actor.of(session.exec(select(User).where(User.username == "robin")).one())
    log_craving(session, robin, CravingEntry(intensity=7, coping=["Music"]),
                at=utcnow() - timedelta(minutes=20))
    session.commit()
    at = client_app.switch_page("pages/client/home.py").run()
    assert "to follow up" in texts(at)
    at = at.switch_page("pages/client/cravings.py").run()
    _by_label(at.select_slider, "How strong is it now?").set_value(2)
    next(b for b in at.button if b.label == "Save").click().run()
    session.expire_all()
    assert session.exec(select(Craving)).one().followup_intensity == 2
    assert "How strong is it now?" not in [s.label for s in at.select_slider]


def test_therapist_sees_the_same_data_and_each_look_is_audited(app, users, session):
    from companion.actors import Actor
    from companion.checkins import record_checkin
    from companion.models import AuditEvent

    therapist = users.therapist(name="thera")
    client = users.client(therapist, name="robin")
    users.client(users.therapist(), name="someone-else")
    record_checkin(session, Actor.of(client), answered(mood=4, bring_to_group="**bold**"))
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/client.py").run()
    assert at.selectbox[0].options == [client.display_name]
    at.selectbox[0].set_value(client.id).run()
    assert "Mood **4**/10" in sources(at) and r"\*\*bold\*\*" in sources(at)
    kinds = {a.record_kind for a in session.exec(select(AuditEvent).where(
        AuditEvent.actor_id == therapist.id, AuditEvent.client_id == client.id))}
    assert {"checkin", "craving"} <= kinds


def test_the_look_forward_line_is_off_until_chosen_on_my_account(client_app, session):
    from datetime import timedelta

    from companion.core.timeutil import clinic_today

    at = client_app.switch_page("pages/client/home.py").run()
    assert "🌱" not in texts(at)
    at = at.switch_page("pages/common/account.py").run()
    at.radio(key="milestone-kind").set_value("since").run()
    at.date_input(key="milestone-since").set_value(clinic_today() - timedelta(days=12))
    at.button(key="milestone-save").click().run()
    assert not at.exception and "it shows on your Home page" in texts(at)
    at = at.switch_page("pages/client/home.py").run()
    assert "🌱 12 days since" in texts(at)
