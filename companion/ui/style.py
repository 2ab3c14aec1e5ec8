"""The app's one stylesheet (companion/ui/static/phone.css), put on every page once a run.

It is a file of this package, not user text: nothing typed by a user can reach it. The
Content-Security-Policy allows inline styles ('unsafe-inline' for style-src) and nothing in it
fetches from anywhere (tests/unit/test_phone_style.py checks both).
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

STYLESHEET = Path(__file__).resolve().parent / "static" / "phone.css"


def apply_style() -> None:
    """Style-only HTML goes to Streamlit's event container: it takes no space on the page."""
    st.html(STYLESHEET)
