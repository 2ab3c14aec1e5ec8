"""Buttons that ask first: discharge, password and second-factor resets, deactivation,
deleting a group. One tap shows the question beside the button with "Yes, …" and "Cancel";
nothing happens until "Yes". Inline rather than in a dialog, so it stays where the thumb is
and a screen reader reads it in order."""
from __future__ import annotations

import streamlit as st

from companion.i18n import _
from companion.ui.text import label_text, markdown_text


def _pending(key: str) -> str:
    return f"_confirm_{key}"


def confirmed(label: str, key: str, question: str, *, yes: str | None = None,
              on_yes=None) -> bool:
    """True on the run where the person tapped "Yes" after `label`; `question` (which may
    hold a name: shown as text) says what will happen. `key` names this action for this
    record, so a question left open never carries over to another person. `on_yes`, if
    given, runs as the "Yes" button's callback (before the page reruns: it may change other
    widgets' state)."""
    pending, done = _pending(key), f"_confirmed_{key}"
    if st.session_state.pop(done, False):   # "Yes" was tapped: this run acts on it
        st.button(label_text(label), key=key, width="stretch")
        return True
    if not st.session_state.get(pending):
        if st.button(label_text(label), key=key, width="stretch"):
            st.session_state[pending] = True
            st.rerun()
        return False

    def agree() -> None:
        st.session_state.pop(pending, None)
        st.session_state[done] = True
        if on_yes is not None:
            on_yes()

    with st.container(border=True, key=f"confirm-{key}"):
        st.warning(markdown_text(question), icon="❓")
        cols = st.columns(2)
        cols[0].button(label_text(yes or _("Yes, {action}").format(
                           action=f"{label[0].lower()}{label[1:]}")),
                       key=f"{key}-yes", type="primary", width="stretch", on_click=agree)
        if cols[1].button(_("Cancel"), key=f"{key}-cancel", width="stretch"):
            st.session_state.pop(pending, None)
            st.rerun()
    return False
