"""Due measures, the item-9 flag, severe and worsening flags, safety-plan versions and access."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import chains, measures, phones, safety
from companion.core.errors import AccessDenied, FormErrors, InvalidInput, StaleEdit
from companion.models import AuditEvent, Flag, MeasureResponse, User
from companion.core.timeutil import clinic_today
from tests.conftest import actor


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist(name="thera"), name="me"))


def phq(values):
    return {str(i): v for i, v in enumerate(values, start=1)}


def _flags(session):
    session.flush()
    return [(f.rule, f.urgent) for f in session.exec(select(Flag))]


def test_new_client_has_phq9_gad7_and_intake_bam_due(session, me):
    due = {(d.instrument.id, d.form) for d in measures.due(session, me)}
    assert due == {("phq9", ""), ("gad7", ""), ("bam", "30")}


def test_weekly_bam_after_intake_and_biweekly_phq(session, me):
    measures.submit(session, me, "phq9", phq([0] * 9))
    measures.submit(session, me, "bam", {"1": 1}, form="30")
    due = {(d.instrument.id, d.form) for d in measures.due(session, me)}
    assert due == {("gad7", "")}
    in_a_week = clinic_today() + timedelta(days=7)
    assert {(d.instrument.id, d.form) for d in measures.due(session, me, in_a_week)} == {
        ("gad7", ""), ("bam", "7")}
    in_two_weeks = clinic_today() + timedelta(days=14)
    assert ("phq9", "") in {(d.instrument.id, d.form)
                            for d in measures.due(session, me, in_two_weeks)}


def test_alumni_get_the_30_day_bam_monthly(session, users):
    alum = actor(users.alumni(users.therapist()))
    due = {(d.instrument.id, d.form) for d in measures.due(session, alum)}
    assert ("bam", "30") in due and ("bam", "7") not in due


def test_item9_above_zero_raises_an_urgent_flag(session, me):
    saved = measures.submit(session, me, "phq9", phq([0] * 8 + [1]))
    assert saved.risk
    assert _flags(session) == [("self_harm", True)]


def test_item9_at_zero_raises_nothing(session, me):
    saved = measures.submit(session, me, "phq9", phq([1] * 8 + [0]))
    assert not saved.risk and _flags(session) == []


def test_severe_total_and_worsening_raise_ordinary_flags(session, me):
    measures.submit(session, me, "phq9", phq([2] + [1] * 7 + [0]))       # 9
    saved = measures.submit(session, me, "phq9", phq([2] * 6 + [1, 1, 0]))  # 14: +5
    assert saved.scored.values["total"] == 14
    assert _flags(session) == [("worsening", False)]
    measures.submit(session, me, "gad7", phq([3, 3, 3, 2, 2, 1, 1]))       # 15: severe
    assert ("severe_score", False) in _flags(session)


def test_a_rise_of_four_is_not_worsening(session, me):
    measures.submit(session, me, "phq9", phq([2] + [1] * 7 + [0]))  # 9
    measures.submit(session, me, "phq9", phq([2] * 5 + [1] * 3 + [0]))  # 13: +4
    assert _flags(session) == []


def test_empty_questionnaire_is_refused(session, me):
    with pytest.raises(InvalidInput, match="at least one"):
        measures.submit(session, me, "phq9", {})
    assert session.exec(select(MeasureResponse)).first() is None


def test_history_and_meaning(session, me):
    measures.submit(session, me, "gad7", phq([1] * 7))
    frame = measures.history(session, me, me.id, "gad7")
    assert frame[["scale", "value", "band"]].to_dict("records") == [
        {"scale": "total", "value": 7, "band": "Mild"}]
    sentence = measures.meaning(measures.instruments.get("gad7"), "total", 7)
    assert "mild" in sentence and "safe" not in sentence.lower()


def test_measures_access(session, users, me):
    measures.submit(session, me, "phq9", phq([1] * 9))
    other = actor(users.client(users.therapist()))
    with pytest.raises(AccessDenied):
        measures.history(session, other, me.id, "phq9")
    therapist = actor(session.exec(select(User).where(User.username == "thera")).one())
    assert len(measures.history(session, therapist, me.id, "phq9")) == 1
    assert session.exec(select(AuditEvent.record_kind)).all() == ["measure"]


PLAN = {"warning_signs": "Skipping meals, not answering texts",
        "coping": "Walk around the block", "reasons": "My kids",
        "help_people": [{"name": "Sis", "phone": "555-555-0142"}, {"name": "", "phone": ""}],
        "professionals": [{"name": "Sponsor", "phone": "(555) 555-0199"}]}


def test_safety_plan_versions_keep_every_save(session, me):
    first = safety.save(session, me, PLAN, expected_version=0)
    second = safety.save(session, me, {**PLAN, "reasons": "My kids and my dog"},
                         expected_version=1)
    versions = safety.history(session, me, me.id)
    assert [(v.version, v.is_current) for v in versions] == [(2, True), (1, False)]
    assert versions[1].sections["reasons"] == "My kids"
    assert first.sections["help_people"] == [{"name": "Sis", "phone": "555-555-0142"}]
    assert [c.tel for c in safety.contacts(second)] == ["tel:+15555550142", "tel:+15555550199"]


def test_stale_safety_plan_save_is_refused(session, me):
    safety.save(session, me, PLAN, expected_version=0)
    with pytest.raises(StaleEdit, match="still here") as err:
        safety.save(session, me, {**PLAN, "reasons": "My kids and my dog"}, expected_version=0)
    titles = {step.key: step.title for step in safety.STEPS}
    assert err.value.changed == [titles[k] for k in ("warning_signs", "coping", "help_people",
                                                     "professionals", "reasons")]
    assert len(safety.history(session, me, me.id)) == 1


def test_a_double_tapped_safety_plan_save_is_one_version(session, me):
    first = safety.save(session, me, PLAN, expected_version=0)
    assert safety.save(session, me, PLAN, expected_version=0).id == first.id  # second tap
    assert safety.save(session, me, {**PLAN, "coping": " Walk around the block "},
                       expected_version=1).id == first.id  # the same, once cleaned
    assert [p.version for p in safety.history(session, me, me.id)] == [1]


def test_a_stale_safety_plan_names_the_sections_changed_there(session, me):
    safety.save(session, me, PLAN, expected_version=0)
    safety.save(session, me, {**PLAN, "reasons": "My kids and my dog",
                              "help_people": [{"name": "Sis", "phone": "555-555-0100"}]},
                expected_version=1)
    with pytest.raises(StaleEdit) as err:
        safety.save(session, me, {**PLAN, "coping": "Call my sponsor"}, expected_version=1)
    assert str(err.value) == (
        "Your safety plan was saved from another screen since you opened it: “People I can "
        "ask for help” and “My reasons for living” changed there. What you typed is still "
        "here: check the latest, then save again.")  # in the plan's own order
    assert [p.version for p in safety.history(session, me, me.id)] == [2, 1]


def test_bad_contacts_get_a_message(session, me):
    with pytest.raises(FormErrors) as err:
        safety.save(session, me, {**PLAN, "help_people": [{"name": "", "phone": "555"}],
                                  "professionals": [{"name": "X", "phone": "call me"}]})
    assert set(err.value.fields) == {"help_people", "help_people.0", "professionals",
                                     "professionals.0"}


def test_every_bad_contact_row_gets_its_own_message(session, me):
    """Issue 18 item 5: two bad rows in one step, each with its own message under it (rows
    numbered as the form shows them, a blank row between them counted), and a count for
    the step."""
    with pytest.raises(FormErrors) as err:
        safety.save(session, me, {**PLAN, "help_people": [
            {"name": "Sis", "phone": "555 12"}, {"name": "", "phone": ""},
            {"name": "", "phone": "212-555-0142"}, {"name": "Dad", "phone": "212-555-0143"}]})
    fields = err.value.fields
    assert fields["help_people.0"] == f"“555 12” {phones.PROBLEM}."
    assert fields["help_people.2"] == "This phone number needs a name beside it."
    assert "help_people.1" not in fields and "help_people.3" not in fields
    assert fields["help_people"] == "2 rows need a change: each one says what."


def test_safety_plan_access(session, users, me):
    safety.save(session, me, PLAN)
    other = actor(users.client(users.therapist()))
    stranger = actor(users.therapist())
    for who in (other, stranger):
        with pytest.raises(AccessDenied):
            safety.current(session, who, me.id)
    with pytest.raises(AccessDenied):
        safety.save(session, stranger, PLAN)  # staff never write a client's plan... as them
    therapist = actor(session.exec(select(User).where(User.username == "thera")).one())
    assert safety.current(session, therapist, me.id).sections["reasons"] == "My kids"


def test_plan_text_always_lists_988_and_911(session, me):
    text = safety.as_text(safety.save(session, me, PLAN))
    assert "988" in text and "911" in text and "My kids" in text


def test_chain_analysis_is_optional_and_kept(session, users, me):
    with pytest.raises(FormErrors):
        chains.record(session, me, {})
    chains.record(session, me, {"before": "Payday, walked past the bar", "next_time": "Call Sis"})
    therapist = actor(session.exec(select(User).where(User.username == "thera")).one())
    assert chains.for_client(session, therapist, me.id)[0].answers["next_time"] == "Call Sis"
    with pytest.raises(AccessDenied):
        chains.for_client(session, actor(users.client(users.therapist())), me.id)


FULL_PLAN = {"warning_signs": "Skipping meals", "coping": "Walk around the block",
             "distractions": "The library", "environment": "Naloxone in the drawer",
             "reasons": "My kids", "help_people": [{"name": "Sis", "phone": "555-555-0142"}],
             "professionals": [{"name": "Counselor", "phone": "555-555-0100"}]}
STEP_ORDER = ["STEP 1 · SIGNS THAT A HARD TIME MAY BE STARTING", "Skipping meals",
              "STEP 2 · THINGS I CAN DO ON MY OWN TO FEEL STEADIER", "Walk around the block",
              "STEP 3 · PEOPLE AND PLACES THAT HELP TAKE MY MIND OFF THINGS", "The library",
              "STEP 4 · PEOPLE I CAN ASK FOR HELP", "- Sis: 555-555-0142",
              "STEP 5 · PROFESSIONALS AND SERVICES I CAN CONTACT", "- Counselor: 555-555-0100",
              "- 988 Suicide & Crisis Lifeline: 988", "- Emergency: 911",
              "STEP 6 · MAKING MY SURROUNDINGS SAFER", "Naloxone in the drawer",
              "MY REASONS FOR LIVING", "My kids"]


def test_plan_text_follows_the_numbered_steps_then_reasons(session, me):
    lines = safety.as_text(safety.save(session, me, FULL_PLAN)).splitlines()
    found = [line for line in lines if line in STEP_ORDER]
    assert found == STEP_ORDER


def test_one_ordered_definition_of_the_steps():
    assert [(s.number, s.key) for s in safety.STEPS] == [
        (1, "warning_signs"), (2, "coping"), (3, "distractions"), (4, "help_people"),
        (5, "professionals"), (6, "environment"), (None, "reasons")]
    assert list(safety.empty_sections()) == [s.key for s in safety.STEPS]


def test_unscored_wording_counts_the_questions_actually_skipped(session, me):
    """It said "several questions were skipped" when one was."""
    gad7 = measures.instruments.get("gad7")
    assert "because one question was skipped" in measures.meaning(gad7, "total", None, 1)
    assert "because three questions were skipped" in measures.meaning(gad7, "total", None, 3)
    measures.submit(session, me, "gad7", {**phq([1] * 7), "2": None, "5": None})
    frame = measures.history(session, me, me.id, "gad7")
    assert frame[["value", "missing"]].to_dict("records") == [{"value": None, "missing": 2}]
    phq9 = measures.submit(session, me, "phq9", {**phq([1] * 8), "9": None})
    sentence = measures.meaning(measures.instruments.get("phq9"), "total",
                                phq9.scored.values["total"], phq9.scored.missing["total"])
    assert "one question was skipped" in sentence and "several" not in sentence


@pytest.mark.parametrize("form", ["30", "7"])
def test_bam_saved_with_no_alcohol_days_has_a_use_score(session, me, form):
    answers = {i.id: 0 for i in measures.instruments.get("bam").items(form)}
    answers.update({"5": None, "6": 1})
    saved = measures.submit(session, me, "bam", answers, form=form)
    assert saved.scored.values["use"] == 1
    assert session.exec(select(MeasureResponse)).one().answers["5"] is None  # kept as not asked


def test_item9_blank_raises_a_same_day_flag_below_urgent_and_no_total(session, me):
    """It raised nothing and prorated the total as if item 9 had been answered."""
    saved = measures.submit(session, me, "phq9", {**phq([2] * 8), "9": None, "10": 1})
    assert saved.risk_unanswered and not saved.risk
    assert saved.scored.values == {"total": None}
    session.flush()
    flag = session.exec(select(Flag)).one()
    assert (flag.rule, flag.tier) == ("item9_unanswered", "same_day")
    assert "left blank" in flag.reason and "check in today" in flag.reason


def test_item9_blank_on_an_almost_empty_questionnaire_still_flags(session, me):
    measures.submit(session, me, "phq9", {"1": 1})
    assert _flags(session) == [("item9_unanswered", False)]


def test_item9_answered_leaves_no_unanswered_flag(session, me):
    measures.submit(session, me, "phq9", {**phq([1] * 8), "9": 0, "3": None})
    assert _flags(session) == []
