"""The check-in form and its save are a fragment (issue 16): tapping Save reruns only the form,
not the sign-in gate, crisis panel and navigation around it. In a real browser: the tap asks
for that fragment's run, which says "Saved" and draws the next version's form; a refused save
keeps what was typed, with the reason beside the field. Uses demo-client2 (one other browser
test signs in as them, and saves nothing)."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import answer_checkin

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser


def _runs_asked(app) -> list[str]:
    """The fragment id of every script run the browser asks for from now on ("" for a run of
    the whole page)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    asked: list[str] = []

    def sent(payload):
        if isinstance(payload, bytes):
            msg = BackMsg()
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "rerun_script":
                asked.append(msg.rerun_script.fragment_id)

    app.ws.on("framesent", sent)
    return asked


def test_a_checkin_save_reruns_only_the_form_and_says_saved(app):
    page = app.page
    app.goto()
    app.sign_in("demo-client2")
    app.navigate("Check-in")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    note = page.get_by_role("textbox", name="Note (optional, just for you and your therapist)")

    # Refused (mood left unanswered): the reason shows, and what was typed stays.
    asked = _runs_asked(app)
    mood = page.get_by_role("radiogroup", name="Mood", exact=True)
    answer_checkin(page)
    if mood.get_by_role("radio", checked=True).count():  # a form: tapping reruns nothing
        mood.get_by_role("radio", checked=True).click()  # tapped again: unanswered
    expect(mood.get_by_role("radio", checked=True)).to_have_count(0)
    note.fill("a fragment's save, refused first")
    app.act(page.get_by_role("button", name="Save check-in"))
    assert asked and asked[-1], f"the Save tap asked for a run of the whole page: {asked}"
    expect(page.get_by_text(re.compile("How is your mood today")).first).to_be_visible()
    expect(note).to_have_value("a fragment's save, refused first")
    expect(page.get_by_text(re.compile(r"^Saved — thank you"))).to_have_count(0)

    # Answered: saved, by the fragment's run alone, and the crisis panel is still there.
    answer_checkin(page)
    app.act(page.get_by_role("button", name="Save check-in"))
    assert asked[-1], f"the Save tap asked for a run of the whole page: {asked}"
    expect(page.get_by_text(re.compile(r"^Saved — thank you for checking in"))).to_be_visible()
    expect(page.locator(".st-key-crisis-help-own")).to_be_visible()
    # The next version's form, starting from what was saved: a second save works too.
    expect(note).to_have_value("a fragment's save, refused first")
    note.fill("a fragment's save, changed")
    app.act(page.get_by_role("button", name="Save check-in"))
    expect(page.get_by_text("Saved — thank you for checking in.", exact=True)).to_be_visible()
    # A whole-page run afterwards (another page and back) shows the saved version.
    app.navigate("Home")
    charts = page.get_by_test_id("stVegaLiteChart")  # the week's sparklines, rows inline
    expect(charts.first.locator("canvas, svg").first).to_be_visible()
    app.navigate("Check-in")
    expect(page.get_by_text(re.compile(r"^Saved .*changed"))).to_be_visible()
    expect(note).to_have_value("a fragment's save, changed")

    # A risk answer (a strong craving): the fragment's run opens the response over the page in
    # a dialog, and it stays on the page below.
    answer_checkin(page, Craving="9")
    app.act(page.get_by_role("button", name="Save check-in"))
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_text(re.compile("That's a strong craving"))).to_be_in_viewport()
    expect(page.get_by_test_id("stMain").get_by_text(
        re.compile("That's a strong craving")).first).to_be_attached()
