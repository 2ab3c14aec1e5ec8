"""A double-tapped Save in a real browser: the second tap carries the version the form was
loaded with and the same answers, so it says "Saved" again, never "saved from another
screen", and keeps one new version. Uses demo-alum2, whom no other browser test signs in."""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import answer_checkin

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser


def test_a_double_tapped_checkin_save_says_saved(app):
    page = app.page
    app.goto()
    app.sign_in("demo-alum2")
    app.navigate("Check-in")
    expect(page.get_by_role("heading", name="Daily check-in")).to_be_visible()
    answer_checkin(page)  # a new day's form starts unanswered
    page.get_by_role("textbox", name="Something I want to bring to group (optional)").fill(
        "tapped twice on purpose")
    with app.ws.expect_event("framesent"):
        page.get_by_role("button", name="Save check-in").dblclick()
    app.settle()
    # The second tap either reached the server while the first one's run was still going
    # (then it is the identical resubmission, answered "Saved — thank you…") or after it (then
    # its button was gone and the page shows "Saved <time>"); never a stale-edit error.
    expect(page.get_by_text(re.compile(r"^Saved")).first).to_be_visible()
    expect(page.get_by_text(re.compile("from another screen"))).to_have_count(0)
