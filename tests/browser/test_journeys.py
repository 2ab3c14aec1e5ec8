"""Phone-sized journeys through the real app: sign-in, roles, lockout, logout, crisis control.

Each test uses its own browser context and, where sign-in state matters, its own demo account,
so a lockout or a revoked session never leaks into another test. Fixtures: conftest.py.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from companion.auth import LOCKED, WRONG
from tests.browser.conftest import HELP_PANEL

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser

COOKIE = "iop_companion_auth"
STAFF_PAGES = ("My caseload", "Client record", "People", "Audit trail")


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def sign_in_form(page):
    return page.get_by_role("textbox", name="Username")


def nav_link(app, title: str):
    return app.sidebar_nav().get_by_role("link", name=title, exact=True)


def expect_notice(page, text: str):
    """Exactly one alert on the page, and it says `text`."""
    alerts = page.get_by_test_id("stAlert")
    expect(alerts).to_have_count(1)
    expect(alerts).to_have_text(text)


def test_client_signs_in_stays_in_on_reload_and_signs_out_for_good(app):
    page = app.page
    app.goto()
    expect(sign_in_form(page)).to_be_visible()
    app.screenshot("phone-login")

    app.sign_in("demo-client1")
    expect(heading(page, "Hi, Avery")).to_be_visible()
    app.screenshot("phone-client-home")
    app.open_sidebar()
    expect(nav_link(app, "Home")).to_be_visible()
    expect(nav_link(app, "My account")).to_be_visible()
    for title in STAFF_PAGES:
        expect(nav_link(app, title)).to_have_count(0)
    app.close_sidebar()

    app.reload()
    expect(heading(page, "Hi, Avery")).to_be_visible()
    expect(sign_in_form(page)).to_have_count(0)

    app.sign_out()
    expect(sign_in_form(page)).to_be_visible()
    expect(heading(page, "Hi, Avery")).to_have_count(0)

    app.reload()
    expect(sign_in_form(page)).to_be_visible()
    expect(heading(page, "Hi, Avery")).to_have_count(0)


def fits_without_sideways_scrolling(page) -> bool:
    """Nothing on the page is wider than the viewport (issue 19: key columns were off to the
    right)."""
    return page.evaluate("""() => {
        const width = document.documentElement.clientWidth;
        const main = document.querySelector('[data-testid="stMain"]') || document.body;
        return main.scrollWidth <= main.clientWidth + 1
            && document.documentElement.scrollWidth <= width + 1;
    }""")


def test_therapist_sees_only_their_own_caseload(app):
    page = app.page
    app.goto()
    app.sign_in("demo-therapist1")
    expect(heading(page, "My caseload")).to_be_visible()
    # One card a client, in words; a card's first line starts with the client's name.
    cards = page.get_by_test_id("stMarkdownContainer")

    def card(name):
        return cards.filter(has_text=re.compile(rf"^\s*{re.escape(name)} · "))

    expect(card("Avery Demo")).to_have_count(1)
    expect(card("Devon Demo")).to_have_count(1)
    expect(card("Emery Demo")).to_have_count(0)  # demo-therapist2's client
    expect(cards.filter(has_text=re.compile(r"^\s*Last check-in ")).first).to_be_visible()
    assert fits_without_sideways_scrolling(page)
    box = card("Avery Demo").bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    app.screenshot("phone-therapist-caseload")
    app.open_sidebar()
    expect(nav_link(app, "My caseload")).to_be_visible()
    for title in ("People", "Audit trail", "Home"):
        expect(nav_link(app, title)).to_have_count(0)


def test_admin_sees_people_and_audit_trail(app):
    page = app.page
    app.goto()
    app.sign_in("demo-admin")
    expect(heading(page, "People")).to_be_visible()
    app.open_sidebar()
    expect(nav_link(app, "People")).to_be_visible()
    expect(nav_link(app, "Audit trail")).to_be_visible()
    expect(nav_link(app, "My caseload")).to_have_count(0)
    app.navigate("Audit trail")
    expect(heading(page, "Audit trail")).to_be_visible()


def test_five_wrong_passwords_pause_sign_in_even_for_the_right_one(app):
    assert "paused for 15 minutes" in LOCKED
    page = app.page
    app.goto()
    for attempt in range(1, 6):
        app.sign_in("demo-client7", f"not the password {attempt}", ok=False)
        expect_notice(page, WRONG if attempt < 5 else LOCKED)
    app.sign_in("demo-client7", ok=False)
    expect_notice(page, LOCKED)
    expect(heading(page, "Hi, Gray")).to_have_count(0)

    app.goto()  # a fresh session is refused too: the lockout is held by the server
    app.sign_in("demo-client7", ok=False)
    expect_notice(page, LOCKED)
    expect(heading(page, "Hi, Gray")).to_have_count(0)


def test_a_cookie_copied_before_sign_out_no_longer_signs_in(app, app_in, new_phone):
    page = app.page
    app.goto()
    app.sign_in("demo-client2")
    expect(heading(page, "Hi, Blake")).to_be_visible()
    copied = [c for c in page.context.cookies() if c["name"] == COOKIE]
    assert copied, f"no {COOKIE} cookie after sign-in"
    # What the README says of it: SameSite=Strict, script-written (not HttpOnly), and over
    # plain http not Secure (it is when the page is served over HTTPS).
    assert copied[0]["sameSite"] == "Strict"
    assert not copied[0]["httpOnly"] and not copied[0]["secure"]

    # Control: while the session stands, the copied cookie does sign a new browser in.
    control = new_phone()
    control.add_cookies(copied)
    other = app_in(control).goto()
    expect(heading(other.page, "Hi, Blake")).to_be_visible()
    control.close()

    app.sign_out()
    expect(sign_in_form(page)).to_be_visible()

    thief = new_phone()
    thief.add_cookies(copied)
    stolen = app_in(thief).goto()  # waits for the run that read the cookie
    expect(sign_in_form(stolen.page)).to_be_visible()
    expect(heading(stolen.page, "Hi, Blake")).to_have_count(0)


def test_a_full_journey_only_talks_to_this_server(app, phone):
    page = app.page
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    app.goto()
    app.crisis_button().click()
    expect(page.get_by_text("988 Suicide & Crisis Lifeline")).to_be_visible()
    app.close_crisis_help()
    app.sign_in("demo-client6")
    expect(heading(page, "Hi, Finley")).to_be_visible()
    app.open_sidebar()
    titles = [text.strip().splitlines()[-1].strip()
              for text in app.sidebar_nav().get_by_role("link").all_inner_texts()]
    assert "My account" in titles, titles
    for title in titles:  # every page a client has, charts and all
        app.navigate(title)
        expect(page.get_by_test_id("stSkeleton")).to_have_count(0)
    app.navigate("Home")
    expect(heading(page, "Hi, Finley")).to_be_visible()
    app.reload()
    expect(heading(page, "Hi, Finley")).to_be_visible()
    app.sign_out()
    expect(sign_in_form(page)).to_be_visible()

    urls = [u for u in phone.requests + sockets
            if not u.startswith(("data:", "blob:", "about:"))]
    assert len(urls) > 20, "the request recorder saw too little; is it attached?"
    assert any(u.startswith("ws") for u in sockets)
    foreign = sorted({u for u in urls if urlsplit(u).hostname not in ("127.0.0.1", "localhost")})
    assert foreign == [], f"requests left this server: {foreign}"


def _check_crisis_links(page):
    expect(page.get_by_text("988 Suicide & Crisis Lifeline")).to_be_visible()
    links = page.locator(HELP_PANEL).get_by_role("link")
    expect(links.first).to_be_visible()
    hrefs = links.evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert "tel:988" in hrefs, hrefs
    assert "tel:18006624357" in hrefs, hrefs
    expect(page.get_by_role("link", name=re.compile("Call 988"))).to_have_attribute(
        "href", "tel:988")


def test_need_help_now_is_one_tap_away_before_and_after_sign_in(app):
    page = app.page
    app.goto()
    expect(app.crisis_button()).to_be_visible()
    app.crisis_button().click()
    _check_crisis_links(page)
    app.screenshot("phone-crisis-open")
    app.close_crisis_help()

    app.sign_in("demo-client8")
    expect(heading(page, "Hi, Harper")).to_be_visible()
    expect(app.crisis_button()).to_be_visible()
    app.crisis_button().click()
    _check_crisis_links(page)
    app.screenshot("phone-crisis-open-signed-in")


def test_a_staff_page_url_shows_a_client_nothing_of_it(app):
    page = app.page
    app.goto()
    app.sign_in("demo-client3")
    expect(heading(page, "Hi, Casey")).to_be_visible()
    for path in ("/people", "/audit", "/caseload", "/client"):
        app.goto(path)  # the cookie signs them in again; the run that read it has finished
        expect(heading(page, "Hi, Casey")).to_be_visible()
        for title in STAFF_PAGES:
            expect(heading(page, title), f"{path} showed {title!r}").to_have_count(0)


def test_a_staff_page_url_does_open_for_staff(app):
    """Control for the test above: a deep link does survive the cookie sign-in."""
    page = app.page
    app.goto()
    app.sign_in("demo-admin")
    expect(heading(page, "People")).to_be_visible()
    app.goto("/audit")
    expect(heading(page, "Audit trail")).to_be_visible()
