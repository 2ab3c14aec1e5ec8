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


def _answer_phq9(at, item9: str):
    at.selectbox[0].set_value("phq9:").run()
    for radio in at.radio:
        if shown(radio.label).startswith("9."):
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


def test_safety_plan_saves_and_its_people_come_first_in_crisis_help(client_app, session):
    at = client_app.switch_page("pages/client/safety_plan.py").run()
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    prefix = "sp-0-"
    by_key[prefix + "warning_signs"].input("Skipping meals")
    by_key[prefix + "reasons"].input("My kids")
    by_key[prefix + "help_people-name-0"].input("Sis")
    by_key[prefix + "help_people-phone-0"].input("555-0142")
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "Saved" in texts(at)
    plan = session.exec(select(SafetyPlan)).one()
    assert plan.sections["reasons"] == "My kids"
    at.run()
    urls = list(links(at).values())
    assert urls.index("tel:5550142") < urls.index("tel:988")


def _plan_with_sis(at, phone: str):
    """Opens the safety plan and types a reason and one person (the form at version 0)."""
    at = at.switch_page("pages/client/safety_plan.py").run()
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    for name, value in (("reasons", "My kids"), ("help_people-name-0", "Sis"),
                        ("help_people-phone-0", phone)):
        by_key["sp-0-" + name].input(value)
    return at


def test_a_double_tapped_safety_plan_save_says_saved(client_app, session):
    at = _plan_with_sis(client_app, "555-0142")
    robin = session.exec(select(User).where(User.username == "robin")).one()
    safety.save(session, actor(robin), {"reasons": "My kids", "help_people": [
        {"name": "Sis", "phone": "555-0142"}]}, expected_version=0)  # the first tap
    session.commit()
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "Saved" in texts(at) and "another screen" not in texts(at)
    assert [p.version for p in session.exec(select(SafetyPlan))] == [1]


def test_bad_phone_keeps_the_form_and_says_why(client_app, session):
    at = _plan_with_sis(client_app, "call her")
    next(b for b in at.button if b.label == "Save my plan").click().run()
    assert "doesn't look like a phone number" in texts(at)
    by_key = {w.key: w for w in [*at.text_input, *at.text_area]}
    assert by_key["sp-0-reasons"].value == "My kids"
    assert session.exec(select(SafetyPlan)).first() is None
