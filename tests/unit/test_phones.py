"""The one phone rule (companion/phones.py), on both roads that take a typed number: the
safety plan and the aftercare plan's "people to call"."""
import pytest

from companion import aftercare, phones, safety
from companion.core.errors import FormErrors
from tests.conftest import actor

# typed -> the tel: link (None: refused)
TABLE = {
    "555-555-0142": "tel:+15555550142",
    "(555) 555-0142": "tel:+15555550142",
    "555.555.0142": "tel:+15555550142",
    "5555550142": "tel:+15555550142",
    "1 555 555 0142": "tel:+15555550142",
    "1-800-662-4357": "tel:+18006624357",
    "+1 (404) 555-0199": "tel:+14045550199",
    " 404 555 0199 ": "tel:+14045550199",
    "988": "tel:988",
    "911": "tel:911",
    "211": "tel:211",
    "555 12": None,             # became tel:55512 before
    "555-0142": None,           # 7 digits: no area code
    "55501": None,
    "call her": None,
    "555-555-014": None,        # 9 digits
    "555-555-01422": None,      # 11 digits without a leading 1
    "2-555-555-0142": None,     # a country code other than 1
    "+44 20 7946 0958": None,
    "155-555-0142": None,       # an area code starts 2–9
    "555-155-0142": None,       # so does the exchange
    "411": None,
    "9 1 1 1": None,
    "555+555+0142": None,
    "555/555/0142": None,
    "555-555-0142 ext 2": None,
    "１２３": None,             # full-width digits are not what a dialler takes
    "5" * 30: None,
    "": None,
}


@pytest.fixture
def me(users):
    return actor(users.client(users.therapist()))


@pytest.mark.parametrize("typed", TABLE)
def test_phone_rule(typed):
    assert phones.tel(typed) == TABLE[typed]
    assert phones.plausible(typed) is (TABLE[typed] is not None)


@pytest.mark.parametrize("typed", ["555 12", "555-0142", "call her"])
def test_the_safety_plan_refuses_what_the_rule_refuses(session, me, typed):
    with pytest.raises(FormErrors) as err:
        safety.save(session, me, {"help_people": [{"name": "Sis", "phone": typed}]})
    message = f"“{typed}” {phones.PROBLEM}."
    assert err.value.fields == {"help_people": message, "help_people.0": message}


@pytest.mark.parametrize("typed", ["555 12", "555-0142", "call her"])
def test_the_aftercare_plan_refuses_what_the_rule_refuses(session, me, typed):
    sections = {**aftercare.empty_sections(),
                "people": [{"name": "Sis", "relationship": "sister", "phone": typed}]}
    with pytest.raises(FormErrors) as err:
        aftercare.save(session, me, sections)
    message = f"“{typed}” {phones.PROBLEM}."
    assert err.value.fields == {"people": message, "people.0": message}


def test_both_plans_keep_a_plausible_number_as_typed(session, me):
    plan = safety.save(session, me, {"help_people": [{"name": "Sis",
                                                      "phone": "(555) 555-0142"}]})
    assert plan.sections["help_people"] == [{"name": "Sis", "phone": "(555) 555-0142"}]
    assert [c.tel for c in safety.contacts(plan)] == ["tel:+15555550142"]


def test_a_number_saved_before_the_rule_never_becomes_a_link(session, me):
    plan = safety.save(session, me, {"reasons": "My kids"})
    plan.sections = {**plan.sections, "help_people": [{"name": "Sis", "phone": "555 12"}]}
    assert safety.contacts(plan) == []  # not in the crisis control
    assert safety.step_contacts(plan, "help_people")[0].tel is None  # shown, as text
