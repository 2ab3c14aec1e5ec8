"""Which language a run speaks (issue #20), and the sign-in page's language choice.

Signed in: the account's language (set by the gate from the user row, every run). Signed
out: `?lang=` in the address (the sign-in page's choice writes it, so a reload keeps it),
else the browser's Accept-Language header, else `navigator.language` (`st.context.locale`),
else English.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from companion import i18n
from companion.ui.text import label_text

QUERY = "lang"
ACCOUNT_KEY = "_account_language"  # the signed-in account's language (popped at sign-out)


def requested() -> str:
    """The language asked for by the address or the browser (signed out)."""
    asked = i18n.normalise(st.query_params.get(QUERY))
    if asked:
        return asked
    try:
        header = st.context.headers.get("Accept-Language")
    except Exception:  # no request headers (AppTest, a bare run)
        header = None
    try:
        locale = st.context.locale
    except Exception:
        locale = None
    return i18n.from_accept_language(header) or i18n.normalise(locale) or i18n.DEFAULT


def begin_run() -> str:
    """At the top of every run, before anything is drawn."""
    i18n.forget()
    if st.session_state.get("authentication_status") and ACCOUNT_KEY in st.session_state:
        return i18n.use(st.session_state[ACCOUNT_KEY])
    return i18n.use(requested())


def follow_account(language: str | None) -> str:
    """The gate let the person in: their account's language from now on."""
    st.session_state[ACCOUNT_KEY] = i18n.normalise(language) or i18n.DEFAULT
    return i18n.use(st.session_state[ACCOUNT_KEY])


_PAGE_LANG = components.declare_component(
    "page_lang", path=str(Path(__file__).resolve().parent / "static" / "page_lang"))


def mark_document(slot) -> None:
    """<html lang> for this run's language (an invisible packaged component in `slot`, one
    key per language: the account's language replaces the sign-in page's in the same run)."""
    code = i18n.current()
    with slot:
        _PAGE_LANG(lang=code, key=f"page-lang-{code}", default=None)


def forget_account() -> None:
    st.session_state.pop(ACCOUNT_KEY, None)


def _chosen() -> None:
    code = i18n.normalise(st.session_state.get("sign-in-language")) or i18n.current()
    st.query_params[QUERY] = code  # in the address: a reload or a bookmark keeps it
    i18n.use(code)


def sign_in_choice() -> None:
    """English / Español on the sign-in page, each named in its own language."""
    st.session_state["sign-in-language"] = i18n.current()
    st.segmented_control("Language · Idioma", list(i18n.LANGUAGES),
                         format_func=lambda code: label_text(i18n.LANGUAGES[code]),
                         key="sign-in-language",
                         on_change=_chosen, label_visibility="collapsed", width="stretch")
