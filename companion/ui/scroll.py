"""Small packaged components for where the page is and goes: start a new view at its top
(Streamlit keeps the scroll position when a rerun draws a different view on the same page: a
skills module opened from the list showed mid-page, its title off-screen), bring a result
into view, and open an app address in the same tab."""
from __future__ import annotations

from pathlib import Path

import streamlit.components.v1 as components

_SCROLL_TOP = components.declare_component(
    "scroll_top", path=str(Path(__file__).resolve().parent / "static" / "scroll_top"))


def to_top(view: str) -> None:
    """Scroll to the top once each time `view` changes (a new key mounts the component anew,
    and its script runs once on mounting); nothing is drawn."""
    _SCROLL_TOP(key=f"scroll-top-{view}", default=None)


_INTO_VIEW = components.declare_component(
    "into_view", path=str(Path(__file__).resolve().parent / "static" / "into_view"))


def into_view(moment: str) -> None:
    """Bring the element drawn just before this into view (centred), once each time `moment`
    changes: a save whose result and next step are drawn under its button, which a phone may
    have scrolled below the fold. Nothing is drawn."""
    _INTO_VIEW(key=f"into-view-{moment}", default=None)


_TOP_LINK = components.declare_component(
    "top_link", path=str(Path(__file__).resolve().parent / "static" / "top_link"))


def same_tab_link(label: str, url: str, *, icon: str = "", key: str,
                  unavailable: str = "") -> None:
    """A full-width button-like link to `url` (relative to the page's address) that opens in
    this tab: `st.link_button` always opens a new one. `label` is the app's own words. With
    `unavailable`, a link to a passkey ceremony: where the browser can't make or use
    passkeys (no WebAuthn, or not a secure context), those words show instead of a link
    that could only fail."""
    _TOP_LINK(label=label, url=url, icon=icon, key=key, unavailable=unavailable, default=None)
