"""The phone floor at 390×844: every tap target at least 44×44 CSS px on the main client
pages (measured by bounding box), the craving pills on one line, questionnaire answers as
large stacked choices, and deep links that survive signing in.

Read-only journeys: demo-client1 and demo-client3 (this file changes no data). Fixtures:
conftest.py.
"""
from __future__ import annotations

import re

import pytest

from tests.browser.conftest import App

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

MIN_TARGET = 44
# What a client taps. Radio and checkbox inputs are hidden: their label is the target.
# The select slider's thumb is left out: its whole track takes the tap.
TAPPABLE = ", ".join([
    "button", "a[href]", "summary", "label[data-testid='stRadioOption']",
    "label[data-baseweb='checkbox'], .react-aria-ComboBox [role=group]",
    "[data-baseweb='select'] > div",
    "input:not([type=radio]):not([type=checkbox]):not([type=hidden]):not([type=range])",
    "textarea"])
MEASURE = """(selector) => {
  const out = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (r.width === 0 || r.height === 0 || style.visibility === 'hidden') continue;
    if (r.right <= 0 || r.left >= innerWidth) continue;  // off-screen (a closed sidebar)
    if (el.closest('[aria-hidden=true], iframe')) continue;
    // A select is one target (tapping anywhere on it opens it): its inner input and icons
    // are measured as the select itself.
    if (el.closest('[data-baseweb=select], .react-aria-ComboBox') && !el.matches('[role=group]'))
      continue;
    // The eleven 0–10 pills share one line at 28 px wide (44 tall; WCAG 2.5.8's
    // 24 px minimum is met; 44 px tall). Checked on their own below.
    if (el.closest('[data-testid=stButtonGroup]') && r.height >= 44 && r.width >= 28) continue;
    const name = (el.getAttribute('aria-label') || el.innerText || el.getAttribute('data-testid')
                  || el.tagName).trim().slice(0, 40);
    out.push({name, tag: el.tagName, w: Math.round(r.width * 10) / 10,
              h: Math.round(r.height * 10) / 10, top: r.top, left: r.left});
  }
  return out;
}"""
CLIENT_PAGES = ("Home", "Check-in", "Cravings", "Skills", "My trends", "Questionnaires",
                "My safety plan", "Look back", "Aftercare plan", "Groups")


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def small_targets(page) -> list[dict]:
    return [t for t in page.evaluate(MEASURE, TAPPABLE)
            if t["w"] < MIN_TARGET or t["h"] < MIN_TARGET]


def open_questionnaire(app, name: str = "Mood check (PHQ-9)"):
    page = app.page
    box = page.get_by_role("combobox", name="Questionnaire")
    if not re.search(re.escape(name), box.input_value()):
        box.click()
        app.act(page.get_by_role("option", name=re.compile(re.escape(name))).first)
    page.get_by_test_id("stMain").get_by_role("radiogroup").first.wait_for()  # a fragment, no form


def test_every_tap_target_on_the_client_pages_is_at_least_44px(app):
    page = app.page
    app.goto()
    found = {"Sign in": small_targets(page)}
    app.sign_in("demo-client1")
    expect(heading(page, "Hi, Avery")).to_be_visible()
    menu = page.get_by_test_id("stExpandSidebarButton")
    box = menu.bounding_box()
    found["the menu button"] = ([] if box["width"] >= MIN_TARGET and box["height"] >= MIN_TARGET
                                else [box])
    app.open_sidebar()
    found["the menu"] = [t for t in page.evaluate(MEASURE, TAPPABLE)
                         if (t["w"] < MIN_TARGET or t["h"] < MIN_TARGET)]
    app.close_sidebar()
    for title in CLIENT_PAGES:
        app.navigate(title)
        expect(page.get_by_test_id("stHeading").first).to_be_visible()
        if title == "Questionnaires":
            open_questionnaire(app)
        if title == "My safety plan":
            page.get_by_test_id("stExpander").first.wait_for()
        found[title] = small_targets(page)
        app.screenshot(f"phone-targets-{title.lower().replace(' ', '-')}")
    smalls = {title: targets for title, targets in found.items() if targets}
    assert smalls == {}, "\n".join(
        f"{title}: " + ", ".join(f"{t.get('name', '?')!r} {t.get('w', t.get('width'))}×"
                                 f"{t.get('h', t.get('height'))}" for t in targets)
        for title, targets in smalls.items())


def test_craving_pills_sit_on_one_line(app):
    page = app.page
    app.goto()
    app.sign_in("demo-client3")
    app.navigate("Cravings")
    pills = page.get_by_test_id("stButtonGroup").first.locator("button")
    expect(pills).to_have_count(11)
    tops = {round(pills.nth(n).bounding_box()["y"]) for n in range(11)}
    assert len(tops) == 1, f"the 0–10 pills wrap onto {len(tops)} lines"
    for n in range(11):
        box = pills.nth(n).bounding_box()
        assert box["width"] >= 28 and box["height"] >= MIN_TARGET, (n, box)



def test_questionnaire_answers_are_large_stacked_choices(app):
    """PHQ-9 at 390 px: every answer a full-width row at least 44 px tall, with clear space
    between rows (a mis-tap on item 9 matters). Read-only, as the rest of this file: nothing
    is ticked (a ticked answer is kept as the client's draft)."""
    page = app.page
    app.goto()
    app.sign_in("demo-client1")
    app.navigate("Questionnaires")
    open_questionnaire(app)
    group = page.get_by_test_id("stMain").get_by_role("radiogroup").first
    options = group.get_by_test_id("stRadioOption")
    expect(options).to_have_count(4)
    boxes = [options.nth(n).bounding_box() for n in range(4)]
    width = page.get_by_test_id("stMainBlockContainer").evaluate(  # the column's inner width
        "e => e.clientWidth - parseFloat(getComputedStyle(e).paddingLeft)"
        " - parseFloat(getComputedStyle(e).paddingRight)")
    for box in boxes:
        assert box["height"] >= MIN_TARGET and box["width"] >= 0.9 * width, (box, width)
    for upper, lower in zip(boxes, boxes[1:]):
        assert lower["y"] - (upper["y"] + upper["height"]) >= 4, (upper, lower)  # stacked
    app.screenshot("phone-phq9-stacked-answers")


def test_a_bookmark_while_signed_out_shows_sign_in_then_that_page(app, new_phone):
    """Known limit (in the report): the very first script run of a server process runs in
    Streamlit's legacy multipage mode (a pages/ folder sits beside router.py) and answers
    any deep link with "page not found" once; every later run is the app's own navigation.
    So the server serves one run first, as it has for anyone after its first visitor."""
    App(new_phone().new_page()).goto("/")  # the process's first run, if no test made it yet
    page = app.page
    app.goto("/checkin")
    expect(page.get_by_role("textbox", name="Username")).to_be_visible()
    expect(page.get_by_text(re.compile("does not (seem to )?exist", re.I))).to_have_count(0)
    expect(app.crisis_button()).to_be_visible()
    app.sign_in("demo-client3")
    expect(heading(page, "Daily check-in")).to_be_visible()
    assert page.url.rstrip("/").endswith("/checkin")
    expect(page.get_by_text(re.compile("does not (seem to )?exist", re.I))).to_have_count(0)


def test_no_keyboard_hint_sits_over_what_a_phone_user_types(app):
    """Streamlit draws "Press Enter to submit form" inside a form's text box, over the text;
    a phone has no Enter key in view, so the hint is hidden where the pointer is a finger."""
    page = app.page
    app.goto()
    app.sign_in("demo-client1")
    app.navigate("Check-in")
    box = page.get_by_role("textbox", name=re.compile("bring to group"))
    box.click()
    box.press_sequentially("Tired but here")  # typing, as a thumb would (no value is saved)
    hints = page.get_by_test_id("InputInstructions")
    assert hints.count() >= 1, "Streamlit no longer draws its hint: re-check this rule"
    for n in range(hints.count()):
        expect(hints.nth(n)).to_be_hidden()
    box.fill("")
