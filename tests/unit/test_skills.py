"""Skills practice: answers kept as versions with stale-edit detection, the practice log,
progress and what to try next, assignments, and who may see or change what."""
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from companion import skills, tags
from companion.core import db
from companion.checkins import record_checkin
from companion.cravings import CravingEntry, log_craving
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, NotFound, StaleEdit
from companion.models import AuditEvent, SkillAnswer, SkillAssignment
from tests.conftest import actor
from tests.support.entries import answered

NO = ("boundaries", "saying-no")
PLAN = ("relapse-prevention", "my-plan")


@pytest.fixture
def world(users):
    t1, t2 = users.therapist(), users.therapist()
    return {"t1": t1, "t2": t2, "c1": users.client(t1), "c2": users.client(t2),
            "admin": users.admin()}


def _no(text="No, I can't lend money this month.", **more):
    return {"request": "My cousin (test) asked to borrow money.", "my_no": text, **more}


def test_saving_keeps_every_version_and_the_newest_is_current(session, world):
    me = actor(world["c1"])
    first = skills.save_answers(session, me, *NO, _no(), expected_version=0)
    second = skills.save_answers(session, me, *NO, _no("Not this time."), expected_version=1)
    assert (first.version, second.version) == (1, 2)
    rows = skills.answer_history(session, me, me.id, *NO)
    assert [(r.version, r.is_current, r.answers["my_no"]) for r in rows] == [
        (2, True, "Not this time."), (1, False, "No, I can't lend money this month.")]
    assert skills.current_answers(session, me, me.id, *NO).version == 2
    assert skills.latest_answers(session, me, me.id, *NO)["my_no"] == "Not this time."
    assert skills.latest_answers(session, me, me.id, *PLAN) is None


def test_a_stale_save_is_refused_and_writes_nothing(session, world):
    me = actor(world["c1"])
    skills.save_answers(session, me, *NO, _no(), expected_version=0)
    with pytest.raises(StaleEdit, match="saved from another screen"):
        skills.save_answers(session, me, *NO, _no("from my old tab"), expected_version=0)
    assert [r.answers["my_no"] for r in session.exec(select(SkillAnswer))] == [
        "No, I can't lend money this month."]


def test_a_double_tapped_save_is_one_version(session, world):
    me = actor(world["c1"])
    first = skills.save_answers(session, me, *NO, _no(), expected_version=0)
    assert skills.save_answers(session, me, *NO, _no(), expected_version=0).id == first.id
    assert skills.save_answers(session, me, *NO, _no(" No, I can't lend money this month. "),
                               expected_version=1).id == first.id  # the same, once cleaned
    assert [r.version for r in skills.answer_history(session, me, me.id, *NO)] == [1]


def test_a_double_tap_after_the_timer_is_one_version(session, world):
    me, box = actor(world["c1"]), ("stress-grounding", "box-breathing")
    first = skills.save_answers(session, me, *box, {"before": 7, "after": 4,
                                                    skills.TIMER_KEY: 120}, expected_version=0)
    # the page forgets the timer once saved: the second tap carries the ratings only
    again = skills.save_answers(session, me, *box, {"before": 7, "after": 4},
                                expected_version=0)
    assert again.id == first.id and again.answers[skills.TIMER_KEY] == 120


def test_a_stale_save_names_the_questions_changed_there(session, world):
    me = actor(world["c1"])
    skills.save_answers(session, me, *NO, _no(), expected_version=0)
    skills.save_answers(session, me, *NO, _no("Not this time."), expected_version=1)
    with pytest.raises(StaleEdit) as err:
        skills.save_answers(session, me, *NO, _no(guilty_thought="They'll hate me."),
                            expected_version=1)
    assert err.value.changed == ["My no, in one sentence"]
    assert "since you opened them: “My no, in one sentence” changed there. What you typed" \
        in str(err.value)
    with pytest.raises(StaleEdit) as err:  # opened before the first save
        skills.save_answers(session, me, *NO, _no("Maybe."), expected_version=0)
    assert err.value.changed == ["The request", "My no, in one sentence"]


def test_answers_are_checked_against_the_exercise_fields(session, world):
    me = actor(world["c1"])
    with pytest.raises(FormErrors) as caught:
        skills.save_answers(session, me, *NO, {"request": "x" * 5001, "my_no": "  "})
    assert set(caught.value.fields) == {"request", "my_no"}
    assert "is 5,001 characters; the most it can hold is 5,000" in caught.value.fields["request"]
    assert caught.value.fields["my_no"] == skills.NEEDED
    with pytest.raises(FormErrors) as caught:
        skills.save_answers(session, me, "routines", "halt-check",
                            {"hungry": 11, "angry": True, "lonely": 2, "tired": 3})
    assert set(caught.value.fields) == {"hungry", "angry"}
    with pytest.raises(FormErrors) as caught:
        skills.save_answers(session, me, "emotional-regulation", "emotion-check-in",
                            {"feelings": ["Calm", "Made up"]})
    assert set(caught.value.fields) == {"feelings"}
    with pytest.raises(InvalidInput, match="don't belong"):
        skills.save_answers(session, me, *NO, {**_no(), "extra": "x"})
    with pytest.raises(InvalidInput, match="nothing to save"):
        skills.save_answers(session, me, "stress-grounding", "box-breathing",
                            {"before": None, "after": None, skills.TIMER_KEY: 120})
    with pytest.raises(NotFound):
        skills.save_answers(session, me, "boundaries", "no-such-exercise", {})
    assert session.exec(select(SkillAnswer)).all() == []


def test_times_choices_and_timer_are_kept_in_a_plain_shape(session, world):
    me = actor(world["c1"])
    row = skills.save_answers(session, me, "routines", "daily-routine",
                              {"wake_time": "7:00", "morning": "Water, shower, a walk",
                               "bedtime": "22:30"})
    assert row.answers["wake_time"] == "07:00" and row.answers["bedtime"] == "22:30"
    assert row.answers["evening_time"] is None and row.answers["day"] == ""
    with pytest.raises(FormErrors):
        skills.save_answers(session, me, "routines", "daily-routine",
                            {"wake_time": "25:99", "morning": "x"})
    row = skills.save_answers(session, me, "stress-grounding", "box-breathing",
                              {"before": 8, "after": 4, skills.TIMER_KEY: 120})
    assert row.answers == {"before": 8, "after": 4, skills.TIMER_KEY: 120}


def test_answers_are_encrypted_at_rest(db_url, session, world):
    canary = "pelican-canary-5521 under the bridge"
    me = actor(world["c1"])
    skills.save_answers(session, me, *NO, _no(canary))
    skills.log_practice(session, me, "Saying no", 7, canary)
    skills.assign_module(session, actor(world["t1"]), me.id, "boundaries", canary)
    session.commit()
    with db.engine_for(db_url).connect() as conn:  # what any SQL client would see
        for table, column in (("skill_answers", "answers"), ("skill_practice", "note"),
                              ("skill_assignments", "note")):
            values = list(conn.execute(sa.text(f"SELECT {column} FROM {table}")).scalars())
            assert values and not any(canary in str(v) for v in values), table
    if db_url.startswith("sqlite"):  # and the files a backup would copy
        db.engine_for(db_url).dispose()
        path = Path(db_url.split("///", 1)[1])
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert canary.encode() not in raw
    assert skills.latest_answers(session, me, me.id, *NO)["my_no"] == canary


def test_practice_log_and_what_helped(session, world):
    me = actor(world["c1"])
    skills.log_practice(session, me, "Box breathing", 8, "Before the bus")
    skills.log_practice(session, me, "Box breathing", 6)
    skills.log_practice(session, me, "Worry time", 3)
    log = skills.practice_log(session, me, me.id)
    assert [(e.skill, e.helped, e.module_id) for e in log][-1] == (
        "Box breathing", 8, "stress-grounding")
    assert [(u.skill, u.times, u.average_helped) for u in
            skills.practice_summary(session, me, me.id)] == [("Box breathing", 2, 7.0),
                                                            ("Worry time", 1, 3.0)]
    with pytest.raises(FormErrors) as caught:
        skills.log_practice(session, me, "Juggling", 11, "x" * 281)
    assert set(caught.value.fields) == {"skill", "helped", "note"}


def test_practised_skills_become_check_in_and_craving_choices(session, world):
    me = actor(world["c1"])
    clinic_list = tags.coping_options()
    assert tags.coping_options(session, me.id) == clinic_list
    with pytest.raises(FormErrors):
        record_checkin(session, me, answered(skills=["Box breathing"]))
    skills.log_practice(session, me, "Box breathing", 7)
    skills.log_practice(session, me, "Urge surfing", 7)  # already on the clinic's list
    skills.save_answers(session, me, *NO, _no())
    options = tags.coping_options(session, me.id)
    assert options[:len(clinic_list)] == clinic_list
    assert options[len(clinic_list):] == ["Saying no", "Box breathing"]  # modules' order
    assert options.count("Urge surfing") == 1
    record_checkin(session, me, answered(skills=["Box breathing"]))
    log_craving(session, me, CravingEntry(intensity=4, coping=["Saying no"]))
    other = actor(world["c2"])
    assert "Box breathing" not in tags.coping_options(session, other.id)


def test_progress_and_what_to_try_next(session, world):
    me = actor(world["c1"])
    found = skills.progress(session, me, me.id)
    first = skills.next_steps(found)[0]
    assert (first.module.id, first.kind, first.reason) == ("cravings", "lesson", skills.NEW)
    assert skills.mark_lesson_read(session, me, "routines", "halt") is True
    assert skills.mark_lesson_read(session, me, "routines", "halt") is False
    skills.save_answers(session, me, "routines", "halt-check",
                        {"hungry": 1, "angry": 2, "lonely": 3, "tired": 4})
    routines = {p.module.id: p for p in skills.progress(session, me, me.id)}["routines"]
    assert (routines.lessons_done, routines.exercises_done, routines.started,
            routines.complete) == (1, 1, True, False)
    steps = skills.next_steps(skills.progress(session, me, me.id))
    assert (steps[0].module.id, steps[0].item_id, steps[0].reason) == (
        "routines", "why-routines-help", skills.CONTINUE)
    skills.assign_module(session, actor(world["t1"]), me.id, "boundaries", "For Thursday")
    steps = skills.next_steps(skills.progress(session, me, me.id))
    assert [(s.module.id, s.reason) for s in steps[:2]] == [
        ("boundaries", skills.ASSIGNED), ("routines", skills.CONTINUE)]
    with pytest.raises(NotFound):
        skills.mark_lesson_read(session, me, "routines", "no-such-lesson")


def test_a_complete_module_is_not_suggested(session, world):
    me = actor(world["c1"])
    module = skills.module_or_404("boundaries")
    for lesson in module.lessons:
        skills.mark_lesson_read(session, me, module.id, lesson.id)
    skills.save_answers(session, me, *NO, _no())
    skills.save_answers(session, me, "boundaries", "boundary-script",
                        {"situation": "s", "describe": "d", "ask": "a"})
    found = {p.module.id: p for p in skills.progress(session, me, me.id)}
    assert found["boundaries"].complete and found["boundaries"].next_item() is None
    assert "boundaries" not in {s.module.id for s in skills.next_steps(list(found.values()),
                                                                          limit=10)}


def test_assigning_replaces_the_note_and_keeps_the_earlier_one(session, world):
    therapist, client = actor(world["t1"]), world["c1"]
    first = skills.assign_module(session, therapist, client.id, "routines", "Try the HALT check")
    second = skills.assign_module(session, therapist, client.id, "routines", "And the review")
    active = skills.assignments(session, actor(client), client.id)
    assert [a.note for a in active] == ["And the review"]
    assert first.withdrawn_at is not None and second.withdrawn_at is None
    skills.withdraw_assignment(session, therapist, second.id)
    assert skills.assignments(session, actor(client), client.id) == []
    assert len(session.exec(select(SkillAssignment)).all()) == 2
    with pytest.raises(FormErrors):
        skills.assign_module(session, therapist, client.id, "routines", "x" * 281)
    with pytest.raises(NotFound):
        skills.assign_module(session, therapist, client.id, "no-such-module")


# --- who may see or change what -------------------------------------------------------

def test_a_client_cannot_read_another_clients_answers(session, world):
    mine, theirs = actor(world["c1"]), world["c2"]
    skills.save_answers(session, actor(theirs), *NO, _no())
    for call in (skills.current_answers, skills.answer_history, skills.latest_answers):
        with pytest.raises(AccessDenied):
            call(session, mine, theirs.id, *NO)
    for call in (skills.practice_log, skills.practice_summary, skills.progress,
                 skills.overview, skills.assignments):
        with pytest.raises(AccessDenied):
            call(session, mine, theirs.id)


def test_the_therapist_reads_their_clients_answers_and_each_read_is_audited(session, world):
    client, therapist = world["c1"], actor(world["t1"])
    skills.save_answers(session, actor(client), *PLAN,
                        {"warning_signs": "Skipping meals", "high_risk": "Fridays",
                         "coping_steps": "Call my sponsor (test)"})
    before = len(session.exec(select(AuditEvent)).all())
    plan = skills.latest_answers(session, therapist, client.id, *PLAN)
    assert plan["coping_steps"] == "Call my sponsor (test)"
    view = skills.overview(session, therapist, client.id)
    assert view.versions[PLAN][0].answers["warning_signs"] == "Skipping meals"
    session.flush()
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()[before:]
    assert {(r.actor_id, r.record_kind, r.client_id) for r in rows} == {
        (therapist.id, "skill_practice", client.id), (therapist.id, "skill_assignment", client.id)}
    assert any(r.detail == "skills answers relapse-prevention/my-plan" for r in rows)


def test_another_therapists_client_is_refused_and_nothing_is_read(session, world):
    other_client, therapist = world["c2"], actor(world["t1"])
    session.flush()
    reads = select(AuditEvent).where(AuditEvent.action.in_(("read", "write")))
    before = len(session.exec(reads).all())
    with pytest.raises(AccessDenied):
        skills.overview(session, therapist, other_client.id)
    with pytest.raises(AccessDenied):
        skills.latest_answers(session, therapist, other_client.id, *PLAN)
    with pytest.raises(AccessDenied):
        skills.assign_module(session, therapist, other_client.id, "routines")
    session.flush()
    assert len(session.exec(reads).all()) == before  # (the refusals are audited on rollback)


def test_only_the_client_writes_answers_and_only_the_therapist_assigns(session, world):
    therapist, client = actor(world["t1"]), actor(world["c1"])
    with pytest.raises(AccessDenied):
        skills.save_answers(session, therapist, *NO, _no())
    with pytest.raises(AccessDenied):
        skills.log_practice(session, therapist, "Saying no", 5)
    with pytest.raises(AccessDenied):
        skills.assign_module(session, client, client.id, "routines")
    row = skills.assign_module(session, therapist, client.id, "routines")
    with pytest.raises(AccessDenied):
        skills.withdraw_assignment(session, client, row.id)
    with pytest.raises(AccessDenied):
        skills.withdraw_assignment(session, actor(world["t2"]), row.id)
    with pytest.raises(AccessDenied):
        skills.progress(session, actor(world["admin"]), client.id)


def test_alumni_keep_practising(session, users):
    alum = actor(users.alumni(users.therapist()))
    skills.save_answers(session, alum, *NO, _no())
    skills.log_practice(session, alum, "Saying no", 9)
    assert skills.latest_answers(session, alum, alum.id, *NO)["my_no"]


def test_broken_skills_content_never_stops_a_check_in(session, world, monkeypatch):
    from companion import skill_modules

    me = actor(world["c1"])
    skills.log_practice(session, me, "Box breathing", 7)

    def broken(*_):
        raise skill_modules.SkillContentError("x.toml: title: must be some text")

    monkeypatch.setattr(skill_modules, "load_all", broken)
    assert tags.coping_options(session, me.id) == tags.coping_options()
    record_checkin(session, me, answered(skills=["Slow breathing"]))
