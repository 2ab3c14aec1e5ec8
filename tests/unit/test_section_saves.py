"""Long plans saved a section at a time (issue 18, item 7): a section save checks only its
section, makes a new version of the whole plan with only that section changed, is refused
when the plan was saved elsewhere since, writes nothing when nothing changed, and acts on the
client's own plan only."""
import pytest
from sqlmodel import select

from companion import aftercare, phones, safety
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, StaleEdit
from companion.models import AftercareVersion, SafetyPlan
from tests.conftest import actor
from tests.unit.test_aftercare import plan
from tests.unit.test_measures_and_safety import FULL_PLAN


@pytest.fixture
def cast(users):
    therapist = users.therapist(name="thera")
    return {"me": actor(users.client(therapist, name="me")),
            "other": actor(users.client(therapist, name="other")),
            "therapist": actor(therapist)}


GOAL = [{"goal": "Run 5k", "target_date": "2027-03-31", "progress": "40"}]


# -- the aftercare plan ---------------------------------------------------------------------
def test_an_aftercare_section_save_keeps_the_other_sections_as_stored(session, cast):
    me = cast["me"]
    aftercare.save(session, me, plan(routine="Walk at 7"), expected_version=0)
    saved = aftercare.save_section(session, me, "goals", GOAL, expected_version=1)
    assert saved.version == 2
    assert saved.sections == {**aftercare.view(session, me, me.id).sections}
    assert saved.sections == {**plan(routine="Walk at 7"), "goals": GOAL}
    assert aftercare.diff(aftercare.history(session, me, me.id)[1].sections,
                          saved.sections) == [("Goals", ["+ Run 5k · by Mar 31, 2027 · 40%"])]


def test_a_first_section_save_starts_the_plan(session, cast):
    me = cast["me"]
    saved = aftercare.save_section(session, me, "routine", "  Walk at 7 ", expected_version=0)
    assert saved.version == 1
    assert saved.sections == {**aftercare.empty_sections(), "routine": "Walk at 7"}
    assert aftercare.view(session, me, me.id).status == "draft"


def test_a_section_save_checks_only_its_section(session, cast):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        aftercare.save_section(session, me, "people", [
            {"name": "Sis", "relationship": "", "phone": "call her"}], expected_version=0)
    assert set(err.value.fields) == {"people", "people.0"}
    assert "doesn't look like a phone number" in err.value.fields["people"]
    assert session.exec(select(AftercareVersion)).first() is None
    with pytest.raises(InvalidInput, match="Unknown section"):
        aftercare.save_section(session, me, "nonsense", "x", expected_version=0)


def test_a_stale_section_save_is_refused_naming_what_changed(session, cast):
    me = cast["me"]
    aftercare.save(session, me, plan(), expected_version=0)
    aftercare.save_section(session, me, "routine", "Walk at 7", expected_version=1)  # elsewhere
    with pytest.raises(StaleEdit) as err:
        aftercare.save_section(session, me, "coping", "Call Sis", expected_version=1)
    assert err.value.changed == ["My daily routine"]
    assert "“My daily routine” changed there" in str(err.value)
    assert [v.version for v in aftercare.history(session, me, me.id)] == [2, 1]


def test_an_identical_section_save_writes_nothing(session, cast):
    me = cast["me"]
    aftercare.save(session, me, plan(), expected_version=0)
    first = aftercare.save_section(session, me, "goals", GOAL, expected_version=1)
    again = aftercare.save_section(session, me, "goals", GOAL, expected_version=1)  # double tap
    assert again.id == first.id
    assert [v.version for v in aftercare.history(session, me, me.id)] == [2, 1]


def test_a_section_save_is_refused_while_the_plan_is_with_the_reviewer(session, cast):
    me = cast["me"]
    aftercare.save(session, me, plan(), expected_version=0)
    aftercare.submit(session, me)
    with pytest.raises(InvalidInput, match="Withdraw it first"):
        aftercare.save_section(session, me, "routine", "Walk", expected_version=1)


def test_another_client_cannot_touch_or_read_my_sections(session, cast):
    me, other = cast["me"], cast["other"]
    aftercare.save(session, me, plan(), expected_version=0)
    theirs = aftercare.save_section(session, other, "routine", "Their walk", expected_version=0)
    assert theirs.client_id == other.id
    assert aftercare.view(session, me, me.id).sections == plan()  # mine: as it was
    with pytest.raises(AccessDenied):
        aftercare.section_saves(session, other, me.id)
    with pytest.raises(AccessDenied):  # staff never write as a client
        aftercare.save_section(session, cast["therapist"], "routine", "x", expected_version=0)


def test_each_section_says_when_it_was_saved(session, cast):
    me = cast["me"]
    assert set(aftercare.section_saves(session, me, me.id).values()) == {None}
    aftercare.save(session, me, plan(), expected_version=0)
    aftercare.save_section(session, me, "routine", "Walk at 7", expected_version=1)
    saves = aftercare.section_saves(session, me, me.id)
    assert saves["routine"].version == 2
    assert saves["warning_signs"].version == 1 and saves["people"].version == 1
    assert saves["coping"] is None  # never filled in
    assert saves["routine"].created_at is not None


# -- the safety plan ------------------------------------------------------------------------
def test_a_safety_step_save_keeps_the_other_steps_as_stored(session, cast):
    me = cast["me"]
    safety.save(session, me, FULL_PLAN, expected_version=0)
    saved = safety.save_step(session, me, "coping", "Breathe, then walk", expected_version=1)
    assert saved.version == 2
    expected = {**safety.empty_sections(), **FULL_PLAN, "coping": "Breathe, then walk"}
    assert safety.current(session, me, me.id).sections == expected


def test_a_safety_step_save_checks_only_its_step(session, cast):
    me = cast["me"]
    with pytest.raises(FormErrors) as err:
        safety.save_step(session, me, "help_people", [{"name": "Sis", "phone": "call her"}],
                         expected_version=0)
    assert set(err.value.fields) == {"help_people", "help_people.0"}
    assert session.exec(select(SafetyPlan)).first() is None
    with pytest.raises(InvalidInput, match="Unknown step"):
        safety.save_step(session, me, "nonsense", "x", expected_version=0)


def test_a_stale_safety_step_save_is_refused_and_an_identical_one_writes_nothing(session, cast):
    me = cast["me"]
    safety.save(session, me, FULL_PLAN, expected_version=0)
    first = safety.save_step(session, me, "reasons", "My kids and my dog", expected_version=1)
    assert safety.save_step(session, me, "reasons", "My kids and my dog",
                            expected_version=1).id == first.id  # a double tap
    with pytest.raises(StaleEdit) as err:
        safety.save_step(session, me, "coping", "Call Sis", expected_version=1)
    assert err.value.changed == ["My reasons for living"]
    assert [p.version for p in safety.history(session, me, me.id)] == [2, 1]


def test_another_client_cannot_touch_or_read_my_safety_steps(session, cast):
    me, other = cast["me"], cast["other"]
    safety.save(session, me, FULL_PLAN, expected_version=0)
    theirs = safety.save_step(session, other, "reasons", "Their reasons", expected_version=0)
    assert theirs.client_id == other.id
    assert safety.current(session, me, me.id).sections["reasons"] == "My kids"
    with pytest.raises(AccessDenied):
        safety.step_saves(session, other, me.id)
    with pytest.raises(AccessDenied):
        safety.save_step(session, cast["therapist"], "reasons", "x", expected_version=0)


def test_each_safety_step_says_when_it_was_saved(session, cast):
    me = cast["me"]
    safety.save_step(session, me, "reasons", "My kids", expected_version=0)
    safety.save_step(session, me, "coping", "Walk", expected_version=1)
    saves = safety.step_saves(session, me, me.id)
    assert (saves["reasons"].version, saves["coping"].version) == (1, 2)
    assert saves["warning_signs"] is None and saves["help_people"] is None


def test_every_bad_aftercare_row_gets_its_own_message(session, cast):
    """Issue 18 item 5 for the aftercare plan: each bad person or goal row has its own
    message (rows as the form numbers them)."""
    rows = [{"name": "Sis", "relationship": "sister", "phone": "call her"},
            {"name": "", "relationship": "friend", "phone": ""}]
    with pytest.raises(FormErrors) as err:
        aftercare.save_section(session, cast["me"], "people", rows, expected_version=0)
    fields = err.value.fields
    assert fields["people.0"] == f"“call her” {phones.PROBLEM}."
    assert fields["people.1"] == "This person needs a name."
    assert fields["people"] == "2 rows need a change: each one says what."
