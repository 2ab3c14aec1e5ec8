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


def test_the_stylesheets_dark_and_light_colours_are_the_themes():
    """phone.css and crisis.css name the theme's background colours (CSS cannot read the
    theme): they must be .streamlit/config.toml's, light first, in each light-dark()."""
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    theme = tomllib.loads((root / ".streamlit" / "config.toml").read_text())["theme"]
    assert "base" not in theme, "a base theme would stop the app following the phone"
    light, dark = theme["light"]["backgroundColor"], theme["dark"]["backgroundColor"]
    crisis = (root / "companion" / "ui" / "crisis.css").read_text()
    assert f"background: light-dark({light}, {dark});" in crisis
    assert f"background: {light};" in crisis and f"background: {dark};" in crisis
    assert f"color: light-dark(#ffffff, {dark});" in STYLESHEET.read_text()
