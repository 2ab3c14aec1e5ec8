"""Typed text shows as typed on every road, in Chromium with Streamlit 1.67's own renderer.

tests/browser/text_roads_app.py draws hostile text (markdown images and links, HTML, `<…>`
and bare-URL autolinks, `www.` and e-mail autolinks, material icons, `:streamlit:`, emoji
shortcodes, colour and help directives, math, emphasis, code, arrows, entities, block
markdown, a right-to-left override) through companion/ui/text.py on each road. In the page:
no markdown container holds a link, image, icon, formula, coloured span or any other element
made from the text; what it shows is what was typed (a bare URL is text, not a link); and the
browser requests nothing from any host but the app's.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from companion.core.config import ROOT
from companion.ui.text import REPLACEMENT, WORD_JOINER

pytestmark = pytest.mark.browser

SCRIPT = "tests/browser/text_roads_app.py"
MARKDOWN = "[data-testid=stMarkdownContainer], [data-testid=stCaptionContainer]"
MADE_FROM_TEXT = ("a, img, svg, video, audio, iframe, .katex, span[role=img], "
                  "[class*=stMarkdownColored], .stMarkdownBadge, .stMarkdownShimmer, del, "
                  "strong, em, code, pre, h1, h2, h3, h4, h5, h6, ul, ol, li, blockquote, table, "
                  "hr, input, [data-testid=stTooltipHoverTarget]")


def _typed() -> dict[str, str]:
    """The strings the page draws (importing it draws nothing)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("text_roads_app", ROOT / SCRIPT)
    page = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(page)
    return page.TYPED


def _flat(text: str) -> str:
    """Text as a reader compares it: word joiners gone, any run of whitespace one space."""
    return " ".join(text.replace(WORD_JOINER, "").replace("\u00a0", " ").split())


def _as_typed(typed: str) -> str:
    """What a reader should see of `typed`: itself, the override shown as U+FFFD."""
    return _flat(typed.replace("\u202e", REPLACEMENT))


@pytest.fixture(scope="module")
def roads_url(serve) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return serve(SCRIPT, env)


@pytest.fixture
def roads_page(browser, roads_url):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    context.set_default_timeout(30_000)
    requests: list[str] = []
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.goto(roads_url)
    page.locator(".st-key-road-done").wait_for()
    expect(page.get_by_test_id("stSkeleton")).to_have_count(0, timeout=30_000)  # all drawn
    yield page, requests, urlsplit(roads_url).netloc
    context.close()


def _made_from_text(page, container: str) -> list[str]:
    return page.evaluate("""([container, markdown, made]) => {
        const found = [];
        for (const root of document.querySelectorAll(container)) {
          for (const md of root.querySelectorAll(markdown)) {
            for (const el of md.querySelectorAll(made)) {
              found.push(el.outerHTML.slice(0, 120));
            }
          }
        }
        return found; }""", [container, MARKDOWN, MADE_FROM_TEXT])


def _markdown_texts(page, container: str) -> list[str]:
    return page.evaluate("""([container, markdown]) =>
        [...document.querySelectorAll(container + ' ' + markdown.split(', ').join(
            ', ' + container + ' '))].map(md => md.innerText)""", [container, MARKDOWN])


def test_every_road_shows_typed_text_as_text(roads_page):
    from playwright.sync_api import expect

    page, requests, app_host = roads_page
    typed = _typed()
    made = {road: _made_from_text(page, f"[class*=st-key-road-{road}-]")
            for road in ("body", "caption", "alert", "label", "help", "option")}
    assert made == {road: [] for road in made}
    assert page.locator("img[src*='127.0.0.2']").count() == 0

    for name, text in typed.items():
        for road in ("body", "caption", "alert"):
            shown = [_flat(t) for t in _markdown_texts(page, f".st-key-road-{road}-{name}")]
            assert shown == [_as_typed(text)], (road, name)
        labels = {_flat(t) for t in _markdown_texts(page, f".st-key-road-label-{name}")}
        assert labels - {"", "inside", "z"} == {_as_typed(text)}, name  # "": not opened
        one_line = _as_typed(text)
        chosen = page.locator(f".st-key-road-option-{name} [data-testid=stSelectbox]")
        assert one_line in {_flat(chosen.inner_text()), _flat(chosen.locator(
            "input").input_value())}, name
        chip = page.locator(f".st-key-road-option-{name} [data-testid=stMultiSelect]")
        assert one_line in _flat(chip.inner_text()), name

    help_icon = "[data-testid=stTooltipHoverTarget]:visible"  # a phone hides buttons' tips
    page.locator(f".st-key-road-help-inline {help_icon}").first.hover()
    tooltip = page.get_by_test_id("stTooltipContent")
    expect(tooltip).to_be_visible()
    assert _made_from_text(page, "[data-testid=stTooltipContent]") == []
    assert _flat(tooltip.inner_text()) == _as_typed(typed["inline"])
    toast = page.get_by_test_id("stToast")
    expect(toast).to_be_visible()
    assert _made_from_text(page, "[data-testid=stToast]") == []
    assert _as_typed(typed["inline"]) in _flat(toast.inner_text())

    elsewhere = sorted({u for u in requests if urlsplit(u).netloc not in (app_host, "")
                        and not u.startswith(("data:", "blob:"))})
    assert elsewhere == []
