"""The Skills page on a phone: a lesson read, an exercise saved (and saved again, and stale),
the practice log feeding the check-in, the breathing timer, and the therapist's view."""
import time

import pytest
from sqlmodel import select

from companion import skills
from companion.models import AuditEvent, SkillAnswer, SkillLessonRead, SkillPractice, User
from tests.app.conftest import new_app, shown, sign_in, sources, texts
from tests.conftest import actor

PAGE = "pages/client/skills.py"


@pytest.fixture
def client_app(app, users, session):
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    return app.switch_page(PAGE).run()


def _robin(session):
    return session.exec(select(User).where(User.username == "robin")).one()


def _click(at, key):
    at.button(key=key).click().run()
    assert not at.exception, at.exception
    return at


def _by_label(widgets, label):
    return next(w for w in widgets if shown(w.label) == label)


def test_skills_page_lists_modules_and_what_to_try_next(client_app):
    page = texts(client_app)
    assert "What to try next" in page and "All modules" in page
    for title in ("Riding out cravings", "Relapse prevention", "Emotional regulation",
                  "Routines", "Boundaries", "Stress and grounding"):
        assert title in page
    assert "0 of 3 lessons read" in page


def test_reading_a_lesson_marks_it_read_and_shows_progress(client_app, session):
    at = _click(client_app, "open-cravings")
    assert "Lessons" in texts(at) and "Exercises" in texts(at)
    at = _click(at, "lesson-urge-surfing")
    assert "rise, peak and pass" in texts(at)
    at = _click(at, "mark-read")
    assert "You've read this one" in texts(at)
    assert [(r.module_id, r.lesson_id) for r in session.exec(select(SkillLessonRead))] == [
        ("cravings", "urge-surfing")]
    at = _click(at, "next-item")  # on to the next lesson
    assert "Delay, distract, decide" in texts(at)
    at = _click(at, "back-module")
    at = _click(at, "back-all")
    assert "1 of 3 lessons read" in texts(at)


def _open_saying_no(at):
    _click(at, "open-boundaries")
    return _click(at, "exercise-saying-no")


def test_an_exercise_saves_a_version_each_time_and_keeps_the_history(client_app, session):
    at = _open_saying_no(client_app)
    _by_label(at.text_area, "The request *").input("A friend (test) wants a ride to a party")
    _by_label(at.text_input, "My no, in one sentence *").input("Not this Friday.")
    at.button(key="FormSubmitter:skill-boundaries-saying-no-Save").click().run()
    assert "Saved. Well done" in texts(at)
    row = session.exec(select(SkillAnswer)).one()
    assert (row.version, row.answers["my_no"]) == (1, "Not this Friday.")
    assert _by_label(at.text_input, "My no, in one sentence *").value == "Not this Friday."
    _by_label(at.text_input, "My no, in one sentence *").input("No thanks, not this time.")
    at.button(key="FormSubmitter:skill-boundaries-saying-no-Save").click().run()
    assert "earlier answers are kept" in texts(at)
    session.expire_all()
    assert sorted((r.version, r.is_current) for r in session.exec(select(SkillAnswer))) == [
        (1, False), (2, True)]
    at.toggle(key="history-boundaries-saying-no").set_value(True).run()
    assert "Not this Friday." in sources(at)  # the earlier version, shown as plain text


def test_a_missing_answer_is_named_and_nothing_is_saved(client_app, session):
    at = _open_saying_no(client_app)
    _by_label(at.text_area, "The request *").input("Lend money")
    at.button(key="FormSubmitter:skill-boundaries-saying-no-Save").click().run()
    assert skills.NEEDED in texts(at)
    assert _by_label(at.text_area, "The request *").value == "Lend money"
    assert session.exec(select(SkillAnswer)).all() == []


def test_a_stale_exercise_keeps_what_was_typed(client_app, session):
    at = _open_saying_no(client_app)
    _by_label(at.text_area, "The request *").input("Typed on this phone")
    _by_label(at.text_input, "My no, in one sentence *").input("No.")
    skills.save_answers(session, actor(_robin(session)), "boundaries", "saying-no",
                        {"request": "From my other phone", "my_no": "Nope."})
    session.commit()
    at.button(key="FormSubmitter:skill-boundaries-saying-no-Save").click().run()
    assert "saved from another screen" in texts(at)
    assert _by_label(at.text_area, "The request *").value == "Typed on this phone"
    session.expire_all()
    assert [r.answers["my_no"] for r in session.exec(select(SkillAnswer))] == ["Nope."]


def test_a_double_tapped_exercise_save_says_saved(client_app, session):
    at = _open_saying_no(client_app)
    _by_label(at.text_area, "The request *").input("A ride to a party")
    _by_label(at.text_input, "My no, in one sentence *").input("No.")
    skills.save_answers(session, actor(_robin(session)), "boundaries", "saying-no",
                        {"request": "A ride to a party", "my_no": "No."},
                        expected_version=0)  # the first tap
    session.commit()
    at.button(key="FormSubmitter:skill-boundaries-saying-no-Save").click().run()
    assert "Saved. Well done" in texts(at) and "another screen" not in texts(at)
    session.expire_all()
    assert [r.version for r in session.exec(select(SkillAnswer))] == [1]


def test_the_practice_log_feeds_the_check_in(client_app, session):
    at = client_app
    at.selectbox(key="log-skill").set_value("Box breathing")
    at.pills(key="log-helped").set_value(7)
    at.text_input(key="log-note").input("Before the **meeting**")
    at.button(key="FormSubmitter:skill-log-form-Log it").click().run()
    assert "Logged: Box breathing" in texts(at)
    entry = session.exec(select(SkillPractice)).one()
    assert (entry.skill, entry.helped, entry.note) == ("Box breathing", 7,
                                                        "Before the **meeting**")
    assert "helped 7/10 on average" in texts(at)
    at = at.switch_page("pages/client/checkin.py").run()
    assert "Box breathing" in _by_label(at.multiselect, "Skills I used today").options


def test_box_breathing_timer_counts_and_saves_with_the_ratings(client_app, session):
    at = _click(client_app, "open-stress-grounding")
    at = _click(at, "exercise-box-breathing")
    at.pills(key="sk-stress-grounding-box-breathing-0-before").set_value(7).run()
    at = _click(at, "start-timer-stress-grounding-box-breathing-started")
    assert any(cue in texts(at) for cue in ("Breathe in", "Hold", "Breathe out"))
    at.session_state["timer-stress-grounding-box-breathing-started"] = time.time() - 130
    at.run()
    assert "You breathed for 2 min 0 s" in texts(at)
    at.pills(key="sk-stress-grounding-box-breathing-0-after").set_value(4).run()
    at = _click(at, "save-skill-stress-grounding-box-breathing")
    row = session.exec(select(SkillAnswer)).one()
    assert row.answers == {"before": 7, "after": 4, skills.TIMER_KEY: 120}


def test_therapist_assigns_a_module_and_sees_the_answers_audited(app, users, session):
    therapist = users.therapist(name="thera")
    robin = users.client(therapist, name="robin")
    skills.save_answers(session, actor(robin), "boundaries", "saying-no",
                        {"request": "Ride to a party", "my_no": "[click](http://x.test) no"})
    session.commit()
    sign_in(app, "thera")
    at = app.switch_page("pages/therapist/skills.py").run()
    at.selectbox(key="skills-client").set_value(robin.id).run()
    page = texts(at)
    assert "Saying no" in page and "Ride to a party" in page
    assert "[click](http://x.test) no" in page  # shown as typed,
    assert "\\[click\\](http:\u2060" in sources(at)  # never as a link
    at.selectbox(key="assign-module").set_value("routines")
    at.text_input(key="assign-note").input("Let's look at your evenings on Thursday")
    at.button(key="FormSubmitter:assign-form-Assign").click().run()
    assert "Assigned “Routines”" in texts(at)
    kinds = set(session.exec(select(AuditEvent.record_kind).where(
        AuditEvent.client_id == robin.id, AuditEvent.actor_id == therapist.id)))
    assert {"skill_practice", "skill_assignment"} <= kinds

    client = sign_in(new_app(), "robin")
    at = client.switch_page(PAGE).run()
    page = texts(at)
    assert "Assigned by your therapist" in page
    assert "Let's look at your evenings on Thursday" in page


def test_broken_content_says_so_kindly(app, users, session, monkeypatch):
    from companion import skill_modules

    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")

    def broken(*_):
        raise skill_modules.SkillContentError("x.toml: title: must be some text")

    monkeypatch.setattr(skill_modules, "load_all", broken)
    at = app.switch_page(PAGE).run()
    assert not at.exception
    assert "can't be shown right now" in texts(at) and "x.toml" not in texts(at)
