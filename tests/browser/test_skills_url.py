"""Issue 18 item 9: a skills module opens at its title, stays open across a reload (it is in
the URL), and the phone's Back button steps back out of it. demo-client1, read-only."""
from __future__ import annotations

import re

import pytest

try:
    from playwright.sync_api import expect
except ImportError:  # the fixtures skip (or, under CI, fail) every test with the reason
    expect = None

pytestmark = pytest.mark.browser


def test_a_module_opens_at_its_title_and_survives_reload_and_back(app):
    page = app.page
    app.goto()
    app.sign_in("demo-client1")
    app.navigate("Skills")
    expect(page.get_by_role("heading", name="All modules")).to_be_visible()
    opens = page.get_by_role("button", name=re.compile(r"^(Open|Continue)$"))
    middle = opens.nth(opens.count() // 2)
    middle.scroll_into_view_if_needed()  # down the list, as a thumb would be
    page.mouse.wheel(0, 300)
    expect(page.get_by_role("heading", name="Skills", exact=True)).not_to_be_in_viewport()
    app.act(opens.nth(opens.count() // 2))
    title = page.get_by_test_id("stMain").get_by_role("heading", level=1)
    expect(title).to_be_visible()
    expect(title).to_be_in_viewport()
    module_title = title.inner_text()
    assert re.search(r"[?&]module=\w", page.url), page.url
    expect(page.get_by_role("heading", name="Lessons")).to_be_visible()

    app.act(page.get_by_role("button", name=re.compile(r"min read$")).first)  # a lesson
    assert re.search(r"[?&]lesson=", page.url), page.url
    lesson_title = title.inner_text()
    expect(title).to_be_in_viewport()

    app.reload()  # the idle sign-out's cookie still holds: the same lesson comes back
    expect(title).to_have_text(lesson_title)

    with app.ws.expect_event("framesent"):
        page.go_back()
    app.settle()
    expect(title).to_have_text(module_title)  # one step back: the module, not Home
    assert "lesson=" not in page.url, page.url
    app.screenshot("phone-skills-module-after-back")
