"""Issue 18 item 6: text over a limit is refused at save with its count, never cut or dropped.

Text boxes no longer carry the browser's `max_chars` (it refused a long paste without a word),
so each service's limit is what stands: one character over is refused with a message that
says how long the text is, the most it may be and how much to cut; exactly at the limit saves.
"""
import pytest
from sqlmodel import select

from companion import aftercare, chains, checkins, cravings, flags, safety, skill_modules, skills
from companion.core import textrules
from companion.core.errors import FormErrors, InvalidInput
from companion.models import ChainAnalysis, Flag, SkillAssignment, SkillPractice
from tests.conftest import actor
from tests.support.entries import answered


def counted(count: int, limit: int) -> str:
    return (f"is {count:,} characters; the most it can hold is {limit:,}. "
            f"Shorten it by {count - limit:,} and save again — nothing you typed was lost.")


@pytest.fixture
def cast(users):
    therapist = users.therapist(name="thera")
    return {"therapist": actor(therapist), "me": actor(users.client(therapist, name="me"))}


def test_the_message_names_the_count_the_limit_and_the_cut():
    assert textrules.too_long("x" * 1000, 1000) is None
    assert textrules.too_long("x" * 5000, 1000, subject="Your note") == (
        "Your note is 5,000 characters; the most it can hold is 1,000. Shorten it by 4,000 "
        "and save again — nothing you typed was lost.")


def test_a_form_error_leads_with_the_length_message_so_it_shows_beside_save():
    alone = FormErrors({"note": textrules.too_long("x" * 1200, 1000, subject="Your note")})
    assert str(alone).startswith("Your note is 1,200 characters")
    both = FormErrors({"mood": "Choose a number.",
                       "note": textrules.too_long("x" * 1200, 1000, subject="Your note")})
    assert str(both).startswith("Your note is 1,200") and "other highlighted answers" in str(both)
    assert "highlighted answers" in str(FormErrors({"mood": "Choose a number."}))


# --- the check-in ---------------------------------------------------------------------------

@pytest.mark.parametrize("name, limit, extra", [
    ("note", checkins.NOTE_MAX, {}),
    ("bring_to_group", checkins.BRING_MAX, {}),
    ("use_details", checkins.DETAILS_MAX, {"used": "yes"}),
    ("new_trigger", 80, {}),
])
def test_checkin_text_over_its_limit_is_refused_with_the_count(session, cast, name, limit,
                                                               extra):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        checkins.record_checkin(session, me, answered(**extra, **{name: "x" * (limit + 1)}))
    assert counted(limit + 1, limit) in err.value.fields[name]
    assert counted(limit + 1, limit) in str(err.value)  # beside the Save button too
    assert checkins.current(session, me, me.id, checkins.clinic_today()) is None
    saved = checkins.record_checkin(session, me, answered(**extra, **{name: "x" * limit}))
    if name == "new_trigger":  # kept as one of the client's own triggers
        assert any(len(t) == limit for t in checkins.tags.trigger_options(session, me.id))
    else:
        assert len(getattr(saved.checkin, name)) == limit


def test_checkin_note_pasted_at_five_thousand_is_refused(session, cast):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        checkins.record_checkin(session, me, answered(note="x" * 5000))
    assert str(err.value).startswith("Your note is 5,000 characters; the most it can hold is "
                                     "1,000. Shorten it by 4,000")


# --- cravings -------------------------------------------------------------------------------

@pytest.mark.parametrize("name, limit", [("note", cravings.NOTE_MAX),
                                         ("where", cravings.WHERE_MAX),
                                         ("with_whom", cravings.WITH_MAX)])
def test_craving_text_over_its_limit_is_refused_with_the_count(session, cast, name, limit):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        cravings.log_craving(session, me, cravings.CravingEntry(intensity=5,
                                                                **{name: "x" * (limit + 1)}))
    assert counted(limit + 1, limit) in err.value.fields[name]
    assert cravings.recent(session, me, me.id) == []
    saved = cravings.log_craving(session, me, cravings.CravingEntry(intensity=5,
                                                                    **{name: "x" * limit}))
    assert len(getattr(saved.craving, name)) == limit


# --- writing: look-back, safety plan, aftercare plan, exercises ------------------------------

def test_writing_fields_have_room():
    assert chains.ANSWER_MAX == 5000
    assert safety.TEXT_MAX == 5000
    assert aftercare.TEXT_MAX == 5000
    assert skill_modules.TEXT_LIMITS["long_text"] == 5000
    long_fields = [spec for module in skill_modules.modules() for e in module.exercises
                   for spec in e.fields if spec.type == "long_text"]
    assert long_fields and min(spec.limit for spec in long_fields) >= 5000


def test_a_look_back_answer_over_its_limit_is_refused_with_the_count(session, cast):
    me, limit = cast["me"], chains.ANSWER_MAX
    with pytest.raises(FormErrors) as err:
        chains.record(session, me, {"before": "x" * (limit + 1), "feelings": "tense"})
    assert counted(limit + 1, limit) in err.value.fields["before"]
    assert counted(limit + 1, limit) in str(err.value)
    assert session.exec(select(ChainAnalysis)).all() == []
    saved = chains.record(session, me, {"before": "x" * limit})
    assert len(saved.answers["before"]) == limit


def test_a_safety_plan_step_over_its_limit_is_refused_with_the_count(session, cast):
    me, limit = cast["me"], safety.TEXT_MAX
    with pytest.raises(FormErrors) as err:
        safety.save(session, me, {"coping": "x" * (limit + 1)})
    assert counted(limit + 1, limit) in err.value.fields["coping"]
    assert safety.current(session, me, me.id) is None
    assert len(safety.save(session, me, {"coping": "x" * limit}).sections["coping"]) == limit


def test_a_safety_plan_name_over_its_limit_is_refused_with_the_count(session, cast):
    me, limit = cast["me"], safety.NAME_MAX
    with pytest.raises(FormErrors) as err:
        safety.save(session, me, {"help_people": [{"name": "x" * (limit + 1), "phone": ""}]})
    assert counted(limit + 1, limit) in err.value.fields["help_people"]
    assert safety.current(session, me, me.id) is None
    safety.save(session, me, {"help_people": [{"name": "x" * limit, "phone": ""}]})


def _plan(**overrides):
    return {**aftercare.empty_sections(), **overrides}


@pytest.mark.parametrize("field, sections, limit", [
    ("warning_signs", lambda n: {"warning_signs": "x" * n}, aftercare.TEXT_MAX),
    ("next_care", lambda n: {"next_care": {"level": "", "provider": "x" * n, "when": ""}},
     aftercare.FIELD_MAX),
    ("people", lambda n: {"people": [{"name": "x" * n, "relationship": "", "phone": ""}]},
     aftercare.FIELD_MAX),
], ids=["text", "fields", "rows"])
def test_an_aftercare_section_over_its_limit_is_refused_with_the_count(session, cast, field,
                                                                       sections, limit):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        aftercare.save(session, me, _plan(**sections(limit + 1)), expected_version=0)
    assert counted(limit + 1, limit) in err.value.fields[field]
    assert aftercare.history(session, me, me.id) == []
    aftercare.save(session, me, _plan(**sections(limit)), expected_version=0)
    assert len(aftercare.history(session, me, me.id)) == 1


def test_aftercare_review_comment_and_note_over_their_limits_are_refused(session, cast):
    me, therapist = cast["me"], cast["therapist"]
    aftercare.save(session, me, _plan(warning_signs="Skipping meals"), expected_version=0)
    aftercare.submit(session, me)
    with pytest.raises(InvalidInput, match=counted(1001, aftercare.COMMENT_MAX)):
        aftercare.comment(session, therapist, me.id, "people", "x" * 1001)
    aftercare.comment(session, therapist, me.id, "people", "x" * aftercare.COMMENT_MAX)
    with pytest.raises(InvalidInput, match=counted(1001, aftercare.NOTE_MAX)):
        aftercare.decide(session, therapist, me.id, approve=False, note="x" * 1001)
    aftercare.decide(session, therapist, me.id, approve=False, note="x" * aftercare.NOTE_MAX)


def test_an_exercise_answer_over_its_limit_is_refused_with_the_count(session, cast):
    me = cast["me"]
    exercise = next(e for e in skill_modules.get("boundaries").exercises if e.id == "saying-no")
    spec = next(f for f in exercise.fields if f.id == "request")
    limit = spec.limit
    with pytest.raises(FormErrors) as err:
        skills.save_answers(session, me, "boundaries", "saying-no",
                            {"request": "x" * (limit + 1), "my_no": "No, thanks."})
    assert counted(limit + 1, limit) in err.value.fields["request"]
    assert counted(limit + 1, limit) in str(err.value)
    assert skills.current_answers(session, me, me.id, "boundaries", "saying-no") is None
    saved = skills.save_answers(session, me, "boundaries", "saying-no",
                                {"request": "x" * limit, "my_no": "No, thanks."})
    assert len(saved.answers["request"]) == limit


def test_skill_notes_over_their_limit_are_refused_with_the_count(session, cast):
    me, therapist, limit = cast["me"], cast["therapist"], skills.NOTE_MAX
    skill, module = skills.all_skills()[0]
    with pytest.raises(FormErrors) as err:
        skills.log_practice(session, me, skill, 6, "x" * (limit + 1))
    assert counted(limit + 1, limit) in err.value.fields["note"]
    assert session.exec(select(SkillPractice)).all() == []
    skills.log_practice(session, me, skill, 6, "x" * limit)
    with pytest.raises(FormErrors) as err:
        skills.assign_module(session, therapist, me.id, module.id, "x" * (limit + 1))
    assert counted(limit + 1, limit) in err.value.fields["note"]
    assert session.exec(select(SkillAssignment)).all() == []
    skills.assign_module(session, therapist, me.id, module.id, "x" * limit)


def test_a_flag_note_over_its_limit_is_refused_with_the_count(session, cast):
    me, therapist, limit = cast["me"], cast["therapist"], flags.ACK_NOTE_MAX
    checkins.record_checkin(session, me, answered(craving=9, used="yes"))
    flag = session.exec(select(Flag).where(Flag.client_id == me.id)).first()
    with pytest.raises(InvalidInput, match=counted(limit + 1, limit)):
        flags.acknowledge(session, therapist, flag.id, "x" * (limit + 1))
    assert session.get(Flag, flag.id).acknowledged_at is None
    assert len(flags.acknowledge(session, therapist, flag.id, "x" * limit).ack_note) == limit
