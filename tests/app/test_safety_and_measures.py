"""A questionnaire on a phone, the item-9 response in the same rerun, the safety plan."""
import pytest
from sqlmodel import select

from companion import safety
from companion.models import Flag, MeasureResponse, SafetyPlan, User
from tests.app.conftest import links, shown, sign_in, texts
from tests.conftest import actor


@pytest.fixture
def client_app(app, users, session):
    users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    sign_in(app, "robin")
    return app


def _answer_phq9(at, item9: str | None):
    at.selectbox[0].set_value("phq9:").run()
    for radio in at.radio:
        if shown(radio.label).startswith("9."):
            if item9 is not None:
                radio.set_value(item9)
        elif radio.label[0].isdigit() and not shown(radio.label).startswith("10."):
            radio.set_value("Several days")
    next(b for b in at.button if b.label == "Save answers").click().run()


def test_phq9_with_item9_above_zero_shows_the_plan_and_flags_today(client_app, session):
    at = client_app.switch_page("pages/client/measures.py").run()
    assert "Due:" in str(at.selectbox[0].options)
    _answer_phq9(at, "Several days")
    page = texts(at)
    assert "Thank you for telling us" in page and "will reach out to you today" in page
    assert "safe" not in page.lower().replace("safety", "")
    assert "No safety plan yet" in page  # robin has none yet: offered right here
    assert {"tel:988", "tel:911"} <= set(links(at).values())
    flag = session.exec(select(Flag)).one()
    assert (flag.rule, flag.urgent) == ("self_harm", True)
    assert session.exec(select(MeasureResponse)).one().scores == {"total": 9}


def test_phq9_with_item9_at_zero_is_calm_and_unflagged(client_app, session):
    at = client_app.switch_page("pages/client/measures.py").run()
    _answer_phq9(at, "Not at all")
    page = texts(at)
    assert "Saved your PHQ-9" in page and "Thank you for telling us" not in page
    assert "mild" in page.lower()
    assert session.exec(select(Flag)).first() is None


def test_skipped_items_are_allowed(client_app, session):
    at = client_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value("gad7:").run()
    next(r for r in at.radio if shown(r.label).startswith("1.")).set_value("Nearly every day")
    next(b for b in at.button if b.label == "Save answers").click().run()
    response = session.exec(select(MeasureResponse)).one()
    assert response.answers["1"] == 3 and response.answers["2"] is None
    assert response.scores == {"total": None}
    assert "couldn't be scored" in texts(at)


def _save_step(at, step: str):
    at.button(key=f"FormSubmitter:sp-form-{step}-Save this step").click().run()


def test_safety_plan_saves_and_its_people_come_first_in_crisis_help(client_app, session):
    at = client_app.switch_page("pages/client/safety_plan.py").run()
    assert texts(at).count("Not saved yet") == len(safety.STEPS)
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    by_key["sp-reasons-0-text"].input("My kids")
    _save_step(at, "reasons")
    assert "Saved" in texts(at)
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    by_key["sp-help_people-0-name-0"].input("Sis")
    by_key["sp-help_people-0-phone-0"].input("555-555-0142")
    _save_step(at, "help_people")
    assert "Saved. Earlier versions are kept." in texts(at)
    plan = session.exec(select(SafetyPlan).where(SafetyPlan.is_current)).one()
    assert plan.sections["reasons"] == "My kids"
    assert plan.sections["help_people"] == [{"name": "Sis", "phone": "555-555-0142"}]
    assert texts(at).count("Not saved yet") == len(safety.STEPS) - 2
    at.run()
    urls = list(links(at).values())
    assert urls.index("tel:+15555550142") < urls.index("tel:988")


def _plan_with_sis(at, phone: str):
    """Opens the safety plan and types one person into step 4 (the form at version 0)."""
    at = at.switch_page("pages/client/safety_plan.py").run()
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    for name, value in (("name-0", "Sis"), ("phone-0", phone)):
        by_key["sp-help_people-0-" + name].input(value)
    return at


def test_a_double_tapped_safety_plan_save_says_saved(client_app, session):
    at = _plan_with_sis(client_app, "555-555-0142")
    robin = session.exec(select(User).where(User.username == "robin")).one()
    safety.save(session, actor(robin), {"help_people": [
        {"name": "Sis", "phone": "555-555-0142"}]}, expected_version=0)  # the first tap
    session.commit()
    _save_step(at, "help_people")
    assert "Saved" in texts(at) and "another screen" not in texts(at)
    assert [p.version for p in session.exec(select(SafetyPlan))] == [1]


def test_bad_phone_keeps_the_form_and_says_why(client_app, session):
    at = _plan_with_sis(client_app, "call her")
    _save_step(at, "help_people")
    assert "doesn't look like a phone number" in texts(at)
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    assert by_key["sp-help_people-0-name-0"].value == "Sis"
    assert by_key["sp-help_people-0-phone-0"].value == "call her"
    assert session.exec(select(SafetyPlan)).first() is None
    # where the thumb is: again under the step's Save button, and a toast in view
    beside = [e for e in at.error if e.icon == "⚠️"]
    assert beside and "nothing was saved yet" in beside[-1].value
    assert [t.value for t in at.toast if t.value.startswith("Not saved yet")]


def test_saving_one_step_keeps_what_is_typed_in_another(client_app, session):
    at = client_app.switch_page("pages/client/safety_plan.py").run()

    def ids():
        return {w.key: w.id for w in [*at.text_input, *at.text_area]
                if w.key and w.key.startswith("sp-")}

    before = ids()
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    by_key["sp-coping-0-text"].input("Walk around the block")  # typed, not saved
    by_key["sp-warning_signs-0-text"].input("Skipping meals")
    _save_step(at, "warning_signs")
    assert not at.exception
    # The browser holds what is typed in a form until it is submitted, for as long as the
    # box is the same widget: every box outside the step saved is.
    after = ids()
    assert {k: v for k, v in after.items() if not k.startswith("sp-warning_signs-")} == {
        k: v for k, v in before.items() if not k.startswith("sp-warning_signs-")}
    assert "sp-warning_signs-1-text" in after
    plan = session.exec(select(SafetyPlan)).one()
    assert (plan.sections["warning_signs"], plan.sections["coping"]) == ("Skipping meals", "")
    page = texts(at)
    assert "Saved · " in page and page.count("Not saved yet") == len(safety.STEPS) - 1


def test_a_stale_step_save_is_refused_and_keeps_what_was_typed(client_app, session):
    at = client_app.switch_page("pages/client/safety_plan.py").run()
    at.text_area(key="sp-coping-0-text").input("Walk around the block")
    robin = session.exec(select(User).where(User.username == "robin")).one()
    safety.save_step(session, actor(robin), "reasons", "My kids", expected_version=0)
    session.commit()  # another screen
    _save_step(at, "coping")
    assert "“My reasons for living” changed there" in texts(at)
    assert at.text_area(key="sp-coping-0-text").value == "Walk around the block"
    assert [p.version for p in session.exec(select(SafetyPlan))] == [1]


def test_a_blank_questionnaire_says_why_beside_its_button_and_in_a_toast(client_app):
    at = client_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value("gad7:").run()
    next(b for b in at.button if b.label == "Save answers").click().run()
    assert not at.exception
    beside = [e.value for e in at.error if e.icon == "⚠️"]
    assert beside, [e.value for e in at.error]
    assert [t.value for t in at.toast if t.value.startswith("Not saved yet")]


def test_saved_message_shows_once(client_app, session):
    """It showed twice: a copy of the success line came in with the save toast (ab1b7d5)."""
    at = client_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value("gad7:").run()
    for radio in at.radio:
        if radio.label[0].isdigit() and not shown(radio.label).startswith("8."):
            radio.set_value("Several days")
    next(b for b in at.button if b.label == "Save answers").click().run()
    saved = [shown(s.value) for s in at.success if "Saved your GAD-7" in shown(s.value)]
    assert saved == ["Saved your GAD-7. Thank you."]


def _radio(at, number: str):
    return next((r for r in at.radio if shown(r.label).startswith(f"{number}. ")), None)


@pytest.mark.parametrize("form", ["30", "7"])
def test_bam_hides_what_its_skip_instructions_pass_over_and_scores_use(client_app, session,
                                                                       form):
    """With no alcohol days, item 5 used to stay asked and the Use score read "Incomplete"."""
    if form == "7":  # the weekly form is offered a week after the intake one
        from datetime import timedelta

        from companion.core.timeutil import clinic_today, utcnow
        from companion.models import User

        robin = session.exec(select(User).where(User.username == "robin")).one()
        session.add(MeasureResponse(client_id=robin.id, instrument="bam", form="30",
                                    answers={"1": 1}, scores={}, local_day=clinic_today()
                                    - timedelta(days=8), completed_at=utcnow()
                                    - timedelta(days=8)))
        session.commit()
    at = client_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value(f"bam:{form}").run()
    assert _radio(at, "5") is not None and _radio(at, "7A") is not None
    _radio(at, "4").set_value("0").run()
    assert _radio(at, "5") is None
    assert "Question 5 is skipped: you had no days with any alcohol." in texts(at)
    _radio(at, "6").set_value("0").run()
    assert all(_radio(at, f"7{x}") is None for x in "ABCDEFG")
    assert "Questions 7A–7G are skipped" in texts(at)
    for radio in at.radio:
        if radio.value is None:
            radio.set_value(radio.options[0])
    next(b for b in at.button if b.label == "Save answers").click().run()
    response = session.exec(select(MeasureResponse).where(MeasureResponse.form == form)
                            .order_by(MeasureResponse.id.desc())).first()
    assert response.scores["use"] == 0 and response.answers["5"] is None
    assert "Saved your BAM" in texts(at) and "couldn't be scored" not in texts(at)


def test_the_skipped_question_rule_shows_where_it_comes_from(client_app):
    at = client_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value("gad7:").run()
    assert "this clinic's own rule — the instrument's authors publish none" in texts(at)


def _page_links(at) -> list[str]:
    return [el.proto.label for el in at.get("page_link")]


def test_phq9_with_item9_blank_offers_it_again_gently_with_help_and_flags_today(client_app,
                                                                               session):
    """It saved with no flag, no help, and a total prorated as if item 9 had been answered."""
    at = client_app.switch_page("pages/client/measures.py").run()
    _answer_phq9(at, None)
    page = texts(at)
    assert "Question 9 was left blank" in page and "That's okay" in page
    assert "Thank you for telling us" not in page  # not the words for a risk answer
    assert "safe" not in page.lower().replace("safety", "")
    assert {"tel:988", "tel:911"} <= set(links(at).values())
    assert "No safety plan yet" in page and "Make my safety plan" in _page_links(at)
    response = session.exec(select(MeasureResponse)).one()
    assert response.answers["9"] is None and response.scores == {"total": None}
    flag = session.exec(select(Flag)).one()
    assert (flag.rule, flag.tier) == ("item9_unanswered", "same_day")

    # "Answer question 9": the questionnaire comes back with the other answers kept
    next(b for b in at.button if b.label == "Answer question 9").click().run()
    assert at.selectbox(key="measure-pick").value == "phq9:"
    assert "Your other answers are filled in" in texts(at)
    assert [r.value for r in at.radio if shown(r.label)[:2] in {f"{n}." for n in range(1, 9)}] == [
        "Several days"] * 8
    next(r for r in at.radio if shown(r.label).startswith("9.")).set_value("Not at all")
    next(b for b in at.button if b.label == "Save answers").click().run()
    assert "Saved your PHQ-9" in texts(at)
    latest = session.exec(select(MeasureResponse).order_by(MeasureResponse.id.desc())).first()
    assert latest.scores == {"total": 8}
    assert [f.rule for f in session.exec(select(Flag))] == ["item9_unanswered"]


def test_a_plan_on_file_is_one_tap_away_when_item9_is_blank(client_app, session):
    from companion.models import User

    robin = session.exec(select(User).where(User.username == "robin")).one()
    session.add(SafetyPlan(client_id=robin.id, version=1, sections={
        "reasons": "My kids", "help_people": [{"name": "Sis", "phone": "555-555-0142"}]}))
    session.commit()
    at = client_app.switch_page("pages/client/measures.py").run()
    _answer_phq9(at, None)
    assert "Open my safety plan" in _page_links(at)
    assert "tel:+15555550142" in links(at).values() and "My kids" in texts(at)


def test_each_bad_contact_row_says_what_is_wrong_under_it(client_app, session):
    """Issue 18 item 5: two bad rows in one step, each with its own message under it."""
    at = _plan_with_sis(client_app, "call her")
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    by_key["sp-help_people-0-phone-2"].input("212-555-0142")  # row 3: a number, no name
    _save_step(at, "help_people")
    row_messages = [e.value for e in at.error if e.icon == "✏️"]
    assert any("“call her” doesn't look like a phone number" in m for m in row_messages)
    assert any("needs a name beside it" in m for m in row_messages)
    assert "2 rows need a change" in texts(at)
    assert session.exec(select(SafetyPlan)).first() is None
