"""Download buttons that say what to do when the file doesn't arrive.

A file offered by `st.download_button` is kept in the memory of the replica that made it, and
the browser fetches it with a plain request after the tap. When that request finds no file
(the replica restarted; nginx tried every replica), Chromium turns it into a failed entry in
its downloads and stays on the page: the app hears nothing, and a page of nginx's is never
shown. So the app says it where the thumb is: after every tap, a line under the button tells
what to expect and what to do. The tap re-runs only the button (a fragment), which puts the
file back on the replica holding this session, so tapping again does get it.
"""
from __future__ import annotations

from contextlib import nullcontext
from typing import Any

import streamlit as st

from companion.ui.text import label_text, markdown_text

HINT = ("Downloading {name}… Not in your downloads after a few seconds? Tap the button again: "
        "it makes a fresh copy.")
_TAPPED = "_download_tapped:"


def download_button(label: str, data: Any, *, file_name: str, mime: str,
                    key: str | None = None, where: Any = None, help: str | None = None,
                    **options: Any) -> None:
    """`st.download_button(label, data, …)` for every page, drawn in `where` (a column, a
    container) or here. `data` may be a function, called only when tapped. `label` and `help`
    are plain text (made inert here: pass them as typed, not through companion/ui/text.py)."""
    with where if where is not None else nullcontext():
        _button(label, data, file_name, mime, key, help, options)


@st.fragment
def _button(label: str, data: Any, file_name: str, mime: str, key: str | None,
            help: str | None, options: dict[str, Any]) -> None:
    tapped = _TAPPED + (key or f"{label}|{file_name}")
    st.download_button(label_text(label), data=data, file_name=file_name, mime=mime, key=key,
                       help=markdown_text(help) if help else None,
                       on_click=_remember_tap, args=(tapped,), **options)
    if st.session_state.pop(tapped, False):
        st.caption(HINT.format(name=markdown_text(file_name)))


def _remember_tap(tapped: str) -> None:
    st.session_state[tapped] = True
