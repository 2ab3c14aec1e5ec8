"""Issue 15 items 1 and 5 on the pages: a new day's check-in starts unanswered and asks kindly
for what is missing; after a risky check-in the response opens in view (a dialog) with the
client's own skills, safety plan and the look-back; Home then says what happens next."""
from datetime import timedelta

import pytest
from sqlmodel import select

from companion import safety
from companion.checkins import record_checkin
from companion.core.timeutil import clinic_today
from companion.models import CheckIn
from tests.app.conftest import links, shown, sign_in, texts
from tests.conftest import actor
from tests.support.entries import answered, fill_checkin

CHECKIN = "pages/client/checkin.py"
HOME = "pages/client/home.py"
PLAN = {**safety.empty_sections(), "warning_signs": "Skipping meals, not answering the phone",
        "help_people": [{"name": "Sam (sponsor)", "phone": "(212) 555-0142"}]}


@pytest.fixture
def robin(users, session):
    person = users.client(users.therapist(name="thera"), name="robin")
    session.commit()
    return person


@pytest.fixture
def robin_app(app, robin):
    sign_in(app, "robin")
    return app


def _by_label(widgets, label):
    return next(w for w in widgets if shown(w.label) == label)


def _save(at):
    next(b for b in at.button if b.label == "Save check-in").click().run()
    return at


def dialogs(at):
    """The dialogs drawn in this run, as blocks of the element tree."""
    found, todo = [], [at._tree]
    while todo:
        node = todo.pop()
        if getattr(node, "type", None) == "dialog":
            found.append(node)
        todo.extend(getattr(node, "children", {}).values())
    return found


def dialog_text(block) -> str:
    return "\n".join(shown(e.value) for kind in ("markdown", "caption", "text", "info")
                     for e in block.get(kind))


# -- item 1 ---------------------------------------------------------------------------------------
def test_a_new_days_form_starts_unanswered_after_a_hard_yesterday(robin_app, robin, session):
    record_checkin(session, actor(robin), answered(mood=2, craving=9, stress=8, used="yes",
                                                   medication="yes", sleep_hours=5.5),
                   day=clinic_today() - timedelta(days=1))
    session.commit()
    at = robin_app.switch_page(CHECKIN).run()
    assert [p.value for p in at.pills] == [None, None, None]  # mood, craving, stress
    assert _by_label(at.radio, "Did you use today?").value is None
    assert _by_label(at.radio, "Took my medication as prescribed").value == "yes"  # rarely
    assert _by_label(at.number_input, "Hours of sleep").value == 5.5  # changes: kept
    captions = [shown(c.value) for c in at.caption]  # the ends of each scale, untouched
    assert "1 · very low  …  5 · okay  …  10 · great" in captions
    assert captions.count("0 · none  …  10 · overwhelming") == 2


def test_saving_without_the_four_answers_names_them_and_keeps_what_was_typed(robin_app,
                                                                             session):
    at = robin_app.switch_page(CHECKIN).run()
    fill_checkin(at, mood=6, used=None, stress=None, craving=None)
    note = "Note (optional, just for you and your therapist)"
    _by_label(at.text_area, note).input("A long day but I made it")
    _save(at)
    page = texts(at)
    assert ("Almost there: please answer craving, anxiety or stress and whether you used "
            "today. Nothing was saved yet, and everything you typed is still here.") in page
    assert "How strong was any craving today?" in page  # beside the field
    assert "Did you use today? Choose an answer" in page
    assert "How is your mood today?" not in page  # answered: no message beside it
    assert any("Almost there" in shown(t.value) for t in at.toast)  # in view at Save too
    assert _by_label(at.text_area, note).value == "A long day but I made it"
    assert at.pills[0].value == 6
    assert session.exec(select(CheckIn)).first() is None

    fill_checkin(at, mood=6, craving=2, stress=3, used="no")
    _save(at)
    assert "Saved — thank you" in texts(at)
    row = session.exec(select(CheckIn)).one()
    assert (row.mood, row.craving, row.stress, row.used, row.note) == (
        6, 2, 3, "no", "A long day but I made it")


def test_editing_todays_checkin_starts_from_todays_answers(robin_app, robin, session):
    record_checkin(session, actor(robin), answered(mood=7, craving=1, stress=2, used="no"))
    session.commit()
    at = robin_app.switch_page(CHECKIN).run()
    assert [p.value for p in at.pills] == [7, 1, 2]
    assert _by_label(at.radio, "Did you use today?").value == "no"


# -- item 5 ---------------------------------------------------------------------------------------
def test_a_strong_craving_opens_the_response_in_view_with_skills_and_plan(robin_app, robin,
                                                                          session):
    safety.save(session, actor(robin), PLAN)
    session.commit()
    at = robin_app.switch_page(CHECKIN).run()
    fill_checkin(at, craving=9)
    _save(at)
    [dialog] = dialogs(at)
    said = dialog_text(dialog)
    assert "That's a strong craving" in said and "At 9/10" in said
    assert "Urge surfing" in said  # coping skills (the client's own once they have some)
    assert "Skipping meals, not answering the phone" in said  # their safety plan
    urls = [e.proto.url for e in dialog.get("link_button")]
    assert "tel:+12125550142" in urls and "tel:988" in urls
    assert urls.index("tel:+12125550142") < urls.index("tel:988")  # their person first
    pages = [e.proto.page for e in dialog.get("page_link")]
    assert not any("lookback" in p for p in pages)  # the look-back is for a use
    assert "strong craving" in texts(at)  # and the response stays on the page after


def test_a_use_opens_the_response_with_the_look_back(robin_app, session):
    at = robin_app.switch_page(CHECKIN).run()
    fill_checkin(at, used="yes")
    _save(at)
    [dialog] = dialogs(at)
    assert "Thank you for being honest" in dialog_text(dialog)
    assert any("lookback" in e.proto.page for e in dialog.get("page_link"))
    assert "No safety plan yet" in dialog_text(dialog)  # and the way to make one


def test_a_calm_checkin_opens_no_dialog(robin_app):
    at = robin_app.switch_page(CHECKIN).run()
    fill_checkin(at)
    _save(at)
    assert dialogs(at) == [] and "Saved — thank you" in texts(at)


@pytest.mark.parametrize("entry, said", [
    (dict(craving=8), "a strong craving (8/10) today"),
    (dict(used="yes", craving=2), "a use today")])
def test_home_after_a_risk_answer_says_what_happens_next(robin_app, robin, session, entry,
                                                          said):
    safety.save(session, actor(robin), PLAN)
    record_checkin(session, actor(robin), answered(**entry))
    session.commit()
    at = robin_app.switch_page(HOME).run()
    page = texts(at)
    assert "What happens next" in page and said in page
    assert "your therapist will see this today" in page
    assert "Skipping meals, not answering the phone" in page  # the plan
    assert {"tel:988", "tel:18006624357", "tel:+12125550142"} <= set(links(at).values())


@pytest.mark.parametrize("today", [None, dict(craving=7)])
def test_home_on_a_calm_day_or_before_checking_in_says_nothing_of_it(robin_app, robin,
                                                                      session, today):
    record_checkin(session, actor(robin), answered(craving=9, used="yes"),
                   day=clinic_today() - timedelta(days=1))  # yesterday was hard
    if today is not None:
        record_checkin(session, actor(robin), answered(**today))
    session.commit()
    at = robin_app.switch_page(HOME).run()
    assert "What happens next" not in texts(at)
