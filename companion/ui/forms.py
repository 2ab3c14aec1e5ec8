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


def clear_failure(form: str) -> None:
    st.session_state.pop(f"_errors_{form}", None)
    st.session_state.pop(f"_failure_{form}", None)


def show_failure(form: str) -> None:
    message = st.session_state.get(f"_failure_{form}")
    if message:
        st.error(markdown_text(message))
