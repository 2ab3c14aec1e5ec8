"""Phone-sized journeys through Skills (issue 7) and Groups (issue 8).

Accounts: demo-client6 saves a boundary script (every other browser test only reads as
Finley); demo-client3 answers a group session (elsewhere only signed in to be refused staff
pages); demo-therapist1 takes attendance at the Morning process group (North site) they lead,
marking Avery (demo-client1, whose other journeys look only at headings) and Gray
(demo-client7, who never gets past the lockout). Avery ends up present again, so no absence
flag is left open. Fixtures: conftest.py.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

SCRIPT = {  # the boundary-script exercise's text fields (data/skills/boundaries.toml)
    "The situation": "My brother (test) keeps asking me to his Friday poker night.",
    "Describe": "You've invited me to poker three Fridays in a row.",
    "Express": "I feel torn: I like seeing you, and poker night is where I used to drink.",
    "Ask": "I'm not coming on Fridays for now. Can we get breakfast on Saturday?",
    "Reinforce": "That way I see you and keep my recovery on track.",
    "What I'll say if they push": "Not Fridays for now; Saturday breakfast?",
}
READY = "8"  # "How ready do I feel to say it?", 0–10 pills
MARKS = ("Present", "Absent", "Excused")


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def field(page, start: str):
    """A text input or area by the start of its label (required ones end in " *")."""
    return page.get_by_role("textbox", name=re.compile("^" + re.escape(start)))


def readiness(page, value: str):
    return page.get_by_role("radiogroup", name=re.compile("^How ready do I feel")).get_by_role(
        "radio", name=value, exact=True)


def open_boundary_script(app):
    """Skills → Boundaries → Build a boundary script, as a client taps through it."""
    page = app.page
    expect(heading(page, "All modules")).to_be_visible()
    # Every module card has an "Open"/"Continue" button: the Boundaries card's has its key.
    app.act(page.locator(".st-key-open-boundaries").get_by_role("button"))
    expect(heading(page, "Boundaries")).to_be_visible()
    app.act(page.get_by_role("button", name=re.compile(r"Build a boundary script · 10 min")))
    expect(heading(page, "Build a boundary script")).to_be_visible()


def test_a_client_saves_a_boundary_script_and_finds_it_after_a_reload(app):
    page = app.page
    app.goto()
    app.sign_in("demo-client6")
    expect(heading(page, "Hi, Finley")).to_be_visible()

    app.navigate("Skills")
    expect(heading(page, "Skills")).to_be_visible()
    open_boundary_script(app)
    for label, text in SCRIPT.items():
        field(page, label).fill(text)
    readiness(page, READY).click()  # in a form: no rerun until Save
    expect(readiness(page, READY)).to_be_checked()
    app.screenshot("phone-skills-boundary-script-filled")
    app.act(page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_test_id("stAlert")).to_have_text(re.compile(r"^Saved\. "))
    for label, text in SCRIPT.items():  # the form now shows the saved version
        expect(field(page, label)).to_have_value(text)
    app.screenshot("phone-skills-boundary-script-saved")

    app.reload()  # a new session: the exercise is in the URL, so it opens again (issue 18)
    expect(page.get_by_text(re.compile(r"^Last saved "))).to_be_visible()
    for label, text in SCRIPT.items():
        expect(field(page, label)).to_have_value(text)
    expect(readiness(page, READY)).to_be_checked()
    app.screenshot("phone-skills-boundary-script-after-reload")


def session_card(page, headline: str | None = None):
    """A group session's bordered card on the client's Groups page: the first one with an
    answer to give (cancelled sessions have none), or the one with this headline."""
    cards = page.get_by_test_id("stLayoutWrapper").filter(
        has=page.get_by_role("button", name="✅ Going")).filter(has_text=re.compile(r"\swith "))
    return cards.filter(has_text=headline).first if headline else cards.first


def choose(app, label: str, option: re.Pattern):
    """Pick the first option matching `option` in the selectbox `label` (a rerun), unless
    it is already the one shown."""
    page = app.page
    box = page.get_by_role("combobox", name=label)
    if option.search(box.input_value()):
        return
    box.click()
    app.act(page.get_by_role("option", name=option).first)
    expect(box).to_have_value(option)


def attendance(page, name: str, mark: str):
    return page.get_by_role("radiogroup", name=f"Attendance for {name}").get_by_role(
        "radio", name=mark, exact=True)


def current_mark(page, name: str) -> str | None:
    checked = [m for m in MARKS if attendance(page, name, m).get_attribute("aria-checked")
               == "true"]
    return checked[0] if checked else None


def mark(app, name: str, status: str):
    """Tap a mark and wait for the rerun that badges it "Not saved yet" (a Save tapped
    during that rerun could be sent with the mark before it). Tapping the mark already
    chosen would clear it, so only tap a different one."""
    page = app.page
    if current_mark(page, name) != status:
        app.act(attendance(page, name, status))
    expect(attendance(page, name, status)).to_be_checked()


def saved_message(changed: int, absences: int) -> str:
    if not changed:
        return "No changes to save."
    return (f"Saved {changed} change{'s' if changed != 1 else ''}."
            + (f" {absences} unexcused absence{'s' if absences != 1 else ''} flagged for "
               "their therapists." if absences else ""))


MORNING_NORTH = re.compile(r"Morning process group · you lead$")


def test_a_client_answers_a_group_and_a_facilitator_takes_attendance(app, app_in, new_phone):
    page = app.page
    app.goto()
    app.sign_in("demo-client3")
    expect(heading(page, "Hi, Casey")).to_be_visible()
    app.navigate("Groups")
    expect(heading(page, "Group sessions")).to_be_visible()
    expect(heading(page, "The next two weeks")).to_be_visible()

    card = session_card(page)
    expect(card).to_be_visible()
    headline = card.get_by_test_id("stMarkdownContainer").first.inner_text().split("\n")[0]
    card = session_card(page, headline)  # the same session across reruns
    going = card.get_by_role("button", name="✅ Going")
    cannot = card.get_by_role("button", name="Can't make it")
    if card.get_by_text("You're going ✅").is_visible():  # the demo has Casey going: no first
        app.act(cannot)
        expect(card.get_by_text("Thanks for letting us know.")).to_be_visible()
        expect(card.get_by_text("You can't make this one.")).to_be_visible()
        expect(cannot).to_have_attribute("data-testid", "stBaseButton-primary")  # looks chosen
        expect(going).to_have_attribute("data-testid", "stBaseButton-secondary")
    app.act(going)
    expect(card.get_by_text("See you there. 🌱")).to_be_visible()
    expect(card.get_by_text("You're going ✅")).to_be_visible()
    expect(going).to_be_enabled()   # chosen, not faded as if it could not be tapped
    expect(going).to_have_attribute("data-testid", "stBaseButton-primary")
    expect(cannot).to_have_attribute("data-testid", "stBaseButton-secondary")
    app.screenshot("phone-groups-client-going")

    with page.expect_download() as download:
        card.get_by_role("button", name="Add to my calendar").click()
    assert download.value.suggested_filename == "group-session.ics"
    ics = Path(download.value.path()).read_text()
    assert ics.startswith("BEGIN:VCALENDAR"), ics[:200]
    assert "BEGIN:VEVENT" in ics and "BEGIN:VALARM" in ics, ics
    assert "SUMMARY:Appointment" in ics, ics  # discreet titles are on by default
    assert "Harbor Light" not in ics, ics

    app.reload()  # the answer is kept by the server, not the page
    expect(heading(page, "Group sessions")).to_be_visible()
    expect(session_card(page, headline).get_by_text("You're going ✅")).to_be_visible()

    # The facilitator of the Morning process group (North site) takes attendance.
    staff = app_in(new_phone()).goto()
    spage = staff.page
    staff.sign_in("demo-therapist1")
    expect(heading(spage, "My caseload")).to_be_visible()
    staff.navigate("Groups")
    expect(heading(spage, "Groups")).to_be_visible()
    expect(spage.get_by_role("radio", name="Attendance")).to_be_checked()
    choose(staff, "Session", MORNING_NORTH)
    expect(spage.get_by_role("radiogroup", name="Attendance for Avery Demo")).to_be_visible()
    expect(spage.get_by_role("radiogroup", name="Attendance for Gray Demo")).to_be_visible()

    plan = {"Avery Demo": "Absent", "Gray Demo": "Excused"}
    before = {name: current_mark(spage, name) for name in plan}
    for name, status in plan.items():
        mark(staff, name, status)
    staff.screenshot("phone-groups-attendance-marked")
    staff.act(spage.get_by_role("button", name="Save attendance"))
    changed = [name for name, status in plan.items() if before[name] != status]
    expect(spage.get_by_test_id("stAlert")).to_have_text(
        saved_message(len(changed), int("Avery Demo" in changed)))
    staff.screenshot("phone-groups-attendance-saved")

    mark(staff, "Avery Demo", "Present")  # a correction: Avery was there after all
    staff.act(spage.get_by_role("button", name="Save attendance"))
    expect(spage.get_by_test_id("stAlert")).to_have_text(saved_message(1, 0))

    staff.reload()  # the marks come back from the server
    choose(staff, "Session", MORNING_NORTH)
    expect(attendance(spage, "Avery Demo", "Present")).to_be_checked()
    expect(attendance(spage, "Gray Demo", "Excused")).to_be_checked()
