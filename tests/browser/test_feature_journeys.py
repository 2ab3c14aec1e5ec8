"""Feature journeys in a real browser (issues 3–6): check-ins, safety and measures, the
therapist's workspace, and the aftercare review loop.

Journeys that change data use demo accounts no other browser test signs in with (demo-alum1,
demo-client4, demo-client5, demo-therapist2; demo-therapist1 only reviews demo-client4's plan).
Fixtures: conftest.py.
"""
from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import ARTIFACTS, App

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1280, "height": 800}}
CHECKIN_TARGET_S = 30


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def exact(text: str):
    return re.compile(rf"^\s*{re.escape(text)}\s*$")


@pytest.fixture
def laptop(browser, app_url, request):
    """A 1280×800 desktop context; a failing test leaves a screenshot in test-artifacts/."""
    context = browser.new_context(**LAPTOP, base_url=app_url)
    context.set_default_timeout(15_000)
    yield context
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.name)
        for i, page in enumerate(context.pages):
            try:
                page.screenshot(path=str(ARTIFACTS / f"FAILED-{name}-laptop-{i}.png"),
                                full_page=True)
            except Exception:  # the page may be gone; the failure itself is what matters
                pass
    context.close()


def choose(app: App, label: str, option):
    """Pick `option` (text or pattern) in the selectbox labelled `label`; waits for the rerun."""
    page = app.page
    page.get_by_test_id("stSelectbox").filter(has_text=label).click()
    app.act(page.get_by_role("option", name=option))


# -- 1. Check-ins (issue 3) -------------------------------------------------------------------
def test_checkin_then_quick_craving_then_trends(app):
    page = app.page
    app.goto()
    app.sign_in("demo-alum1")
    expect(heading(page, "Hi, Indigo")).to_be_visible()

    started = time.monotonic()
    app.navigate("Check-in")
    expect(heading(page, "Daily check-in")).to_be_visible()
    mood = page.get_by_role("slider").first
    print("slider:", mood.evaluate("e => e.outerHTML"))
    app.screenshot("feature-checkin-form")
