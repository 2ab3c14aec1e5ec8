"""A client subscribes their phone's calendar from Groups, copies the address and the running
server answers it (issue 17). Account: demo-client8 (Harper, evening / River site), whose
other journey only opens the crisis popover. Fixtures: conftest.py."""
from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser


def heading(page, text: str):
    return page.get_by_role("heading", name=re.compile(re.escape(text)))


def test_a_client_subscribes_copies_the_address_and_the_server_answers_it(app, app_url):
    page = app.page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    app.goto()
    app.sign_in("demo-client8")
    expect(heading(page, "Hi, Harper")).to_be_visible()
    app.navigate("Groups")
    expect(heading(page, "My calendar")).to_be_visible()
    app.act(page.get_by_role("button", name="📅 Subscribe my phone's calendar"))

    panel = page.locator(".st-key-calendar-feed-address")
    expect(panel.get_by_text("Your private calendar address is ready")).to_be_visible()
    expect(panel.get_by_test_id("stImage").locator("img")).to_be_visible()   # the QR code
    code = panel.get_by_test_id("stCode")
    address = code.inner_text().strip()
    assert re.fullmatch(re.escape(app_url) + r"/calendar/[A-Za-z0-9_-]{43}\.ics", address), address
    add = panel.get_by_role("link", name="Add to my phone's calendar")
    assert add.get_attribute("href") == "webcal://" + address.split("://", 1)[1]
    panel.get_by_text("iPhone or iPad: how to").click()
    expect(panel.get_by_text("Subscribed Calendars")).to_be_visible()
    app.screenshot("phone-groups-calendar-subscription")

    code.hover()
    code.get_by_role("button").first.click()   # Streamlit's copy button on the code block
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.strip() == address

    answer = page.request.get(copied.strip())
    assert answer.status == 200, answer.status
    assert answer.headers["content-type"].startswith("text/calendar")
    assert answer.headers["cache-control"] == "private, no-store"
    body = answer.text()
    assert body.startswith("BEGIN:VCALENDAR") and "BEGIN:VTIMEZONE" in body
    assert "Harper" not in body and "IOP" not in body and "Harbor Light" not in body
    again = page.request.get(address, headers={"If-None-Match": answer.headers["etag"]})
    assert again.status == 304

    app.act(panel.get_by_role("button", name="Done"))
    expect(page.locator(".st-key-calendar-feed-address")).to_have_count(0)
    app.reload()
    expect(page.get_by_text(re.compile(r"Your calendar last updated (just now|1 minute ago)"))
           ).to_be_visible()
    app.act(page.get_by_role("button", name="Stop subscription"))
    expect(page.get_by_text("Subscription stopped")).to_be_visible()
    gone = page.request.get(address)
    assert gone.status == 404 and gone.text() == "Not found\n"
