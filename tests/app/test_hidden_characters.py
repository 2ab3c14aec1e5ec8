"""A hidden formatting character typed (or pasted) into a form: the save is refused with a
message beside that field, and everything typed stays on screen (issue 14, finding 1)."""
from sqlmodel import select

from companion.models import CheckIn, SafetyPlan
from tests.app.conftest import sign_in, texts

NOTE = "Note (optional, just for you and your therapist)"
BRING = "Something I want to bring to group (optional)"


def _by_label(widgets, label):
    return next(w for w in widgets if w.label == label)


def test_a_checkin_with_a_hidden_character_is_refused_and_kept(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/checkin.py").run()
    _by_label(at.text_area, NOTE).input("A long day but I made it")
    _by_label(at.text_input, BRING).input("Saying no to \u202eeno erom")
    next(b for b in at.button if b.label in ("Save check-in", "Save")).click().run()
    page = texts(at)
    assert ("This has a hidden formatting character (U+202E, right-to-left override) "
            "that we can't save. Please retype it.") in page
    assert "Saved" not in page
    assert _by_label(at.text_area, NOTE).value == "A long day but I made it"
    assert _by_label(at.text_input, BRING).value == "Saying no to \u202eeno erom"
    assert session.exec(select(CheckIn)).first() is None


def test_a_safety_plan_keeps_a_family_emoji(app, users, session):
    users.client(users.therapist(), name="robin")
    session.commit()
    sign_in(app, "robin")
    at = app.switch_page("pages/client/safety_plan.py").run()
    family = "My kids 👩\u200d👧\u200d👦"
    _by_label(at.text_area, "My reasons for living").input(family)
    at.button(key="FormSubmitter:sp-form-reasons-Save this step").click().run()
    assert "Saved" in texts(at)
    assert session.exec(select(SafetyPlan)).one().sections["reasons"] == family
