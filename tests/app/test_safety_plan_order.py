"""The safety plan in Stanley–Brown's numbered order on every road a client sees: the plan
page and the PHQ-9 item-9 dialog (the download and export: tests/unit)."""
import pytest

from companion import safety
from tests.app.conftest import links, shown, sign_in, sources
from tests.conftest import actor
from tests.unit.test_measures_and_safety import FULL_PLAN

HEADINGS = ["Step 1 · Signs that a hard time may be starting",
            "Step 2 · Things I can do on my own to feel steadier",
            "Step 3 · People and places that help take my mind off things",
            "Step 4 · People I can ask for help",
            "Step 5 · Professionals and services I can contact",
            "Step 6 · Making my surroundings safer",
            "My reasons for living"]


@pytest.fixture
def planned_app(app, users, session):
    robin = users.client(users.therapist(name="thera"), name="robin")
    safety.save(session, actor(robin), FULL_PLAN)
    session.commit()
    sign_in(app, "robin")
    return app


def headings_in_order(at) -> list[str]:
    page = shown(sources(at))
    found = sorted((page.find(f"**{h}**"), h) for h in HEADINGS if f"**{h}**" in page)
    return [h for _, h in found]


def test_the_plan_page_shows_the_numbered_steps_in_order(planned_app):
    at = planned_app.switch_page("pages/client/safety_plan.py").run()
    assert headings_in_order(at) == HEADINGS
    urls = list(links(at).values())  # step 4's person, then step 5's, then 988 and 911
    assert urls.index("tel:+15555550142") < urls.index("tel:+15555550100") < urls.index(
        "tel:988") < urls.index("tel:911")


def test_the_edit_form_asks_in_the_same_order(planned_app):
    at = planned_app.switch_page("pages/client/safety_plan.py").run()
    labels = [shown(t.label) for t in at.text_area]
    assert labels == [h for h in HEADINGS if "People I" not in h and "Professionals" not in h]


def test_the_item9_dialog_shows_the_plan_in_step_order(planned_app):
    at = planned_app.switch_page("pages/client/measures.py").run()
    at.selectbox[0].set_value("phq9:").run()
    for radio in at.radio:
        if radio.label[0].isdigit() and not shown(radio.label).startswith("10."):
            radio.set_value("Several days")
    next(b for b in at.button if b.label == "Save answers").click().run()
    assert "Thank you for telling us" in shown(sources(at))
    assert headings_in_order(at) == HEADINGS
