"""Form helpers: field messages shown beside the field, kept across the rerun."""
from __future__ import annotations

import streamlit as st

from companion.core.errors import CompanionError, FormErrors
from companion.ui.text import markdown_text


def errors_for(form: str) -> dict[str, str]:
    return st.session_state.get(f"_errors_{form}", {})


def field_message(form: str, name: str) -> None:
    message = errors_for(form).get(name)
    if message:
        st.error(markdown_text(message), icon="✏️")


def remember_failure(form: str, exc: CompanionError) -> None:
    """Keep per-field messages for the next draw; widgets keep their typed values."""
    st.session_state[f"_errors_{form}"] = exc.fields if isinstance(exc, FormErrors) else {}
    st.session_state[f"_failure_{form}"] = str(exc)
    st.session_state[f"_toast_{form}"] = True


def clear_failure(form: str) -> None:
    st.session_state.pop(f"_errors_{form}", None)
    st.session_state.pop(f"_failure_{form}", None)


def show_failure(form: str) -> None:
    """The failed save's message at the top of the form, and once as a toast (in view
    wherever the phone is scrolled)."""
    message = st.session_state.get(f"_failure_{form}")
    if message:
        st.error(markdown_text(message))
        if st.session_state.pop(f"_toast_{form}", False):
            failure_toast(message)


def failure_toast(message: object) -> None:
    from companion.i18n import _

    st.toast(_("Not saved yet: {message}").format(message=markdown_text(message)), icon="⚠️",
             duration="long")


def failure_beside_button(form: str) -> None:
    """The failed save's message again just under its Save button, where the thumb is: the
    one at the top is out of view on a phone."""
    message = st.session_state.get(f"_failure_{form}")
    if message:
        st.error(markdown_text(message), icon="⚠️")


def section_status(form: str, saved_at) -> None:
    """A plan section's status line: why its last save failed, else when it was saved, else
    that it is not saved yet."""
    from companion.i18n import _, format_moment

    if st.session_state.get(f"_failure_{form}"):
        show_failure(form)
    elif saved_at is not None:
        st.caption(_("Saved · {when}").format(when=markdown_text(format_moment(saved_at))))
    else:
        st.caption(_("Not saved yet"))
