"""Issue 18 items 10 and 3 on a 390×844 phone: what a client was typing in a form comes back
after a reload (Streamlit sends form values only on submit, and a reload is a new server
session), and after an idle sign-out once the same person signs in again; a save ends the
draft; a sign-out, or another person signing in on the same phone, never shows it to anyone
else (companion/ui/drafts.py and its static/drafts/ component).

Accounts: `draft_people` makes its own two clients (demo-drafts-*); no other browser test
signs them in. demo-drafts-a saves one check-in and one aftercare section.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "quiet harbor lantern 7319"  # as conftest.py seeds the demo
PEOPLE = {"a": ("demo-drafts-a", "Rowan Drafts Demo"), "b": ("demo-drafts-b", "Sky Drafts Demo")}
KEPT = "We kept what you were typing"
NOTE = re.compile("^Note")
COPING = "Coping strategies that work for me"
IDLE = re.compile("signed out after a while without activity")


def seed_draft_people() -> list[str]:
    """Enrol the two accounts in the app's database, through the services."""
    from sqlmodel import select

    from companion import people
    from companion.actors import Actor
    from companion.core.db import session_scope
    from companion.core.timeutil import utcnow
    from companion.models import Role, User
    from companion.passwords import hash_password

    with session_scope() as session:
        admin = Actor.of(session.exec(select(User).where(User.username == "demo-admin")).one())
        therapist = session.exec(select(User).where(User.username == "demo-therapist1")).one()
        for username, name in PEOPLE.values():
            user = people.create_user(session, admin, username, name, Role.CLIENT,
                                      therapist_id=therapist.id, track="evening",
                                      location="telehealth").user
            user.password_hash, user.must_change_password = hash_password(DEMO_PASSWORD), False
            user.notice_acknowledged_at = utcnow()
            session.add(user)
    return [username for username, _ in PEOPLE.values()]


def idle_past_the_limit(username: str) -> None:
    """The account's open sessions were last active an hour ago (the limit is 15 minutes):
    the next page load finds the session idle, as a phone put down and picked up later."""
    from datetime import timedelta

    from sqlmodel import select

    from companion.core.db import session_scope
    from companion.core.timeutil import utcnow
    from companion.models import User, UserSession

    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).one()
        for row in session.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                          UserSession.ended_at.is_(None))):
            row.active_at = utcnow() - timedelta(hours=1)
            session.add(row)


def _in_app(app_env, code: str) -> str:
    from tests.browser.conftest import ROOT

    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=app_env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"failed:\n{done.stdout}{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def draft_people(app_server, app_env):
    out = _in_app(app_env, "import json; from tests.browser.test_drafts import "
                           "seed_draft_people; print(json.dumps(seed_draft_people()))")
    return json.loads(out.strip().splitlines()[-1])


def no_draft_in_tab(page, holding: str = ""):
    """Wait until this tab's sessionStorage holds no draft (with `holding`: none with that
    text); the component drops them once the run that saved or signed out has drawn it."""
    page.wait_for_function(
        """(text) => !Object.keys(sessionStorage).some(
             k => k.startsWith('companion-draft:') && sessionStorage[k].includes(text))""",
        arg=holding)


def _coping_editor(page):
    return page.get_by_test_id("stExpander").filter(has_text=f"Edit · {COPING}")


def _sign_in_as(app, username: str):
    app.sign_in(username)
    expect(app.page.locator(".st-key-crisis-help-own")).to_be_visible()
    app.settle()


def test_what_is_typed_comes_back_after_a_reload_and_a_save_ends_it(app, draft_people):
    page = app.page
    a = draft_people[0]
    app.goto()
    _sign_in_as(app, a)
    app.navigate("Check-in")
    note_text = "Long day, but I went to the meeting and called my sister after."
    page.get_by_role("textbox", name=NOTE).fill(note_text)  # typed, not saved

    app.reload()
    note = page.get_by_role("textbox", name=NOTE)
    expect(note).to_have_value(note_text)
    expect(page.get_by_text(KEPT)).to_be_visible()
    app.screenshot("drafts-checkin-kept")

    from tests.browser.conftest import answer_checkin

    answer_checkin(page)  # a tapped answer is not text: it is not kept
    app.act(page.get_by_role("button", name="Save check-in"))
    expect(page.get_by_text(re.compile("^Saved — thank you"))).to_be_visible()
    expect(page.get_by_text(KEPT)).to_have_count(0)
    no_draft_in_tab(page)
    app.reload()  # what shows is the saved check-in, nothing "kept"
    expect(page.get_by_role("textbox", name=NOTE)).to_have_value(note_text)
    expect(page.get_by_text(KEPT)).to_have_count(0)

    app.navigate("Aftercare plan")
    _coping_editor(page).locator("summary").click()
    coping = "Urge surfing, a walk round the block, cold water on my face"
    _coping_editor(page).get_by_role("textbox").fill(coping)
    app.reload()
    box = _coping_editor(page).get_by_role("textbox")
    expect(box).to_have_value(coping)  # back, and its section opened to show it
    expect(box).to_be_visible()
    expect(_coping_editor(page).get_by_text(KEPT)).to_be_visible()
    save = _coping_editor(page).get_by_role("button", name="Save this section")
    save.scroll_into_view_if_needed()
    app.act(save)
    expect(page.get_by_text("Saved. Earlier versions are kept.")).to_be_visible()
    app.reload()
    expect(page.get_by_text(KEPT)).to_have_count(0)
    _coping_editor(page).locator("summary").click()
    expect(_coping_editor(page).get_by_role("textbox")).to_have_value(coping)  # as saved
    no_draft_in_tab(page)


def test_a_draft_comes_back_to_its_writer_only(app, draft_people, app_env):
    page = app.page
    a, b = draft_people
    app.goto()
    _sign_in_as(app, a)
    app.navigate("Look back")
    typed = "I was tired and skipped dinner, then an old friend called."
    page.get_by_role("textbox").first.fill(typed)

    # Signing out leaves nothing in the tab for whoever picks up the phone next.
    app.sign_out()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    no_draft_in_tab(page)
    app.reload()  # the tab's storage outlives a reload: still nothing to put back
    _sign_in_as(app, a)
    expect(page.get_by_role("textbox").first).to_have_value("")
    expect(page.get_by_text(KEPT)).to_have_count(0)

    # Idle: the phone was put down mid-sentence. The same person signing in gets it back.
    page.get_by_role("textbox").first.fill(typed)
    _in_app(app_env, "from tests.browser.test_drafts import idle_past_the_limit; "
                     f"idle_past_the_limit({a!r})")
    app.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    expect(page.get_by_text(IDLE)).to_be_visible()  # it says why
    _sign_in_as(app, a)
    expect(page.get_by_role("heading", name="Look back")).to_be_visible()
    expect(page.get_by_role("textbox").first).to_have_value(typed)
    expect(page.get_by_text(KEPT)).to_be_visible()
    # Saved: the look-back starts empty again, after a reload too.
    app.close_sidebar()
    save = page.get_by_role("button", name="Save")
    save.evaluate("button => button.scrollIntoView({block: 'center'})")  # not under the help
    app.act(save)
    expect(page.get_by_text(re.compile("^Saved. Thank you for taking the time"))).to_be_visible()
    no_draft_in_tab(page)
    app.reload()
    expect(page.get_by_role("textbox").first).to_have_value("")
    expect(page.get_by_text(KEPT)).to_have_count(0)

    # Idle again, and someone else signs in on this phone: they never see it, and it is gone.
    page.get_by_role("textbox").first.fill(typed)
    _in_app(app_env, "from tests.browser.test_drafts import idle_past_the_limit; "
                     f"idle_past_the_limit({a!r})")
    app.reload()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    _sign_in_as(app, b)
    expect(page.get_by_role("heading", name="Look back")).to_be_visible()
    expect(page.get_by_role("textbox").first).to_have_value("")
    expect(page.get_by_text(KEPT)).to_have_count(0)
    no_draft_in_tab(page, holding="old friend")
