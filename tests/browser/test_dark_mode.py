"""Issue 18 item 12 on a 390×844 phone: the app follows the phone's light or dark setting, and
in both every piece of text on Home and Check-in, captions and the pinned "Need help now?"
control included, reads at 4.5:1 or more against what is behind it.

The colours are measured as the browser draws them: each text's computed colour (whatever the
notation: a canvas turns it into sRGB bytes), its alpha times the opacity of it and every
ancestor, over the first opaque background found going up (semi-transparent layers on the way
composited in). A phone in dark mode left with a light app, or a light box of phone.css or
crisis.css under the dark theme's light text, fails here.
"""
from __future__ import annotations

import pytest

from tests.browser.conftest import HELP_PANEL, PHONE, App

pytestmark = pytest.mark.browser

FLOOR = 4.5  # WCAG 1.4.3 for body text; captions are body-sized text, so the same

# For every visible element holding text of its own: its colour as drawn, what is behind it,
# and who it is (for the failure message).
MEASURE = """([selector, justRoot]) => {
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = 1;
  const ctx = canvas.getContext('2d', {willReadFrequently: true});
  const rgba = (css) => {           // any CSS colour -> [r, g, b, a] (0-255, a 0-1)
    ctx.clearRect(0, 0, 1, 1);
    ctx.fillStyle = 'rgba(0,0,0,0)';
    ctx.fillStyle = css;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return d[3] === 0 ? [0, 0, 0, 0] : [d[0], d[1], d[2], d[3] / 255];
  };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]))
                                     .concat([1]);
  const backdrop = (el) => {         // the opaque colour behind el, layers composited
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const bg = rgba(getComputedStyle(node).backgroundColor);
      if (bg[3] > 0) layers.push(bg);
      if (bg[3] >= 1) break;
    }
    let colour = [255, 255, 255, 1];  // the canvas under everything
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour;
  };
  const opacity = (el) => {
    let o = 1;
    for (let node = el; node; node = node.parentElement) o *= +getComputedStyle(node).opacity;
    return o;
  };
  const root = document.querySelector(selector) || document.body;
  const found = [];
  for (const el of justRoot ? [root] : root.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own && !justRoot) continue;
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    if (box.width < 1 || box.height < 1 || style.visibility !== 'visible') continue;
    if (el.closest('[aria-hidden=true], [disabled], [aria-disabled=true], script, style'))
      continue;
    const behind = backdrop(el);
    const text = rgba(style.color);
    text[3] *= opacity(el);
    found.push({text: over(text, behind), behind,
                tag: el.tagName.toLowerCase(),
                testid: (el.closest('[data-testid]') || {dataset: {}}).dataset.testid || '',
                words: el.textContent.trim().slice(0, 50)});
  }
  return found;
}"""


def luminance(rgb) -> float:
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def background(app: App, selector: str):
    """The opaque colour drawn behind the first element `selector` matches."""
    return app.page.evaluate(MEASURE, [selector, True])[0]["behind"]


def texts_below_the_floor(app: App, selector: str = "[data-testid=stApp]") -> list[str]:
    found = app.page.evaluate(MEASURE, [selector, False])
    assert found, f"no text measured in {selector}"
    return [f"{round(contrast(t['text'], t['behind']), 2)}:1 {t['tag']} in {t['testid']} "
            f"{t['words']!r} (text {[round(c) for c in t['text'][:3]]} on "
            f"{[round(c) for c in t['behind'][:3]]})"
            for t in found if contrast(t["text"], t["behind"]) < FLOOR]


def measured(app: App, scheme: str):
    """Every page check for one scheme: the background's darkness, every text on Home (with
    its captions) and on Check-in, and the crisis control, closed and open."""
    page = app.page
    behind = background(app, "[data-testid=stApp]")
    if scheme == "dark":
        assert luminance(behind) < 0.05, f"the app is not dark: background {behind}"
    else:
        assert luminance(behind) > 0.8, f"the app is not light: background {behind}"
    failures = texts_below_the_floor(app)
    captions = page.get_by_test_id("stCaptionContainer")
    assert captions.count(), "Home has no caption to measure"

    help_button = app.crisis_button()
    help_button.wait_for()
    panel = background(app, f"{HELP_PANEL} details")
    assert abs(luminance(panel) - luminance(behind)) < 0.1, (
        f"the crisis panel {panel} is not of the {scheme} app's colour {behind}")
    help_button.click()
    page.locator(f"{HELP_PANEL} [data-testid=stExpanderDetails]").wait_for()
    app.screenshot(f"{scheme}-home-help-open")
    failures += texts_below_the_floor(app, HELP_PANEL)
    return failures


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_app_follows_the_phone_and_all_text_reads_at_4_5_to_1(browser, app_url, scheme):
    context = browser.new_context(**PHONE, base_url=app_url, color_scheme=scheme)
    context.set_default_timeout(15_000)
    try:
        app = App(context.new_page())
        app.goto()
        app.sign_in("demo-client1")
        app.screenshot(f"{scheme}-home")
        failures = measured(app, scheme)
        app.close_crisis_help()

        app.navigate("Check-in")
        app.page.get_by_role("radiogroup", name="Mood", exact=True).wait_for()
        app.screenshot(f"{scheme}-checkin")
        failures += texts_below_the_floor(app)
        app.page.get_by_role("button", name="Save check-in").scroll_into_view_if_needed()
        app.screenshot(f"{scheme}-checkin-save")
        assert not failures, f"text under {FLOOR}:1 in {scheme} mode:\n" + "\n".join(failures)
    finally:
        context.close()
