"""The stylesheet is the app's own and fetches nothing: no url(), no @import, no fonts."""
import re

from companion.ui.style import STYLESHEET


def test_the_stylesheet_fetches_nothing_from_anywhere():
    css = STYLESHEET.read_text()
    assert css.strip()
    for pattern in (r"url\s*\(", r"@import", r"@font-face", r"https?:", r"//[a-z0-9.-]+\.",
                    r"<", r"expression\s*\("):
        assert not re.search(pattern, css, re.I), pattern


def test_the_stylesheet_sets_the_44px_floor():
    assert "min-height: 44px" in STYLESHEET.read_text()
