"""What a client was typing in a form, kept in this browser tab across a reload.

Streamlit sends a form's values to the server only on submit, and a reload starts a new
server session, so nothing kept on the server survives a reload mid-form. A small packaged
component (static/drafts/, its script a file, so the CSP holds) keeps what is typed in the
text boxes of the forms a page names in the tab's `sessionStorage`, under the signed-in
person's id, and puts it back after a reload; the form then says so (`keep`).

- A page names a form's boxes by the prefix of their widget keys (`keep`, inside the form).
  Keys that carry the saved version (check-in, plan sections, exercises) make a draft of an
  older version never land on a newer save.
- A save that succeeds calls `saved(form)`: the form's draft is dropped.
- Signing out drops every draft in the tab (`forget_all`). Drafts are kept per person, and
  another person's are dropped as soon as someone else is signed in in this tab, so a shared
  phone never shows one person's words in another's account.
- An idle sign-out keeps them: the same person signing in again gets them back.

The component is drawn once per run, at the end (`draw`, from router.py)."""
from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import streamlit as st
import streamlit.components.v1 as components

from companion.i18n import _
from companion.ui.text import markdown_text

_DRAFTS = components.declare_component(
    "drafts", path=str(Path(__file__).resolve().parent / "static" / "drafts"))

FORMS = "_drafts_forms"        # this run's forms: name -> the key prefix of their boxes
CLEAR = "_drafts_clear"        # forms saved since the component was last drawn
RESTORED = "_drafts_restored"  # forms a draft was put back into: they say so until saved
FORGET = "_drafts_forget"      # signed out: drop every draft in the tab (until a sign-in)
COMPONENT = "_drafts"


def _css_key(key: str) -> str:
    """A widget key as Streamlit writes it into the class st-key-<key>."""
    return re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


def begin_run() -> None:
    st.session_state[FORMS] = {}


def keep(form: str, prefix: str) -> None:
    """Keep what is typed in the text boxes of `form` (those whose widget key starts with
    `prefix`) in this tab, and put it back after a reload. Called inside the form, at its
    top: when a draft was put back, a line there says so."""
    st.session_state.setdefault(FORMS, {})[form] = _css_key(prefix)
    if form in st.session_state.get(RESTORED, ()):
        st.caption("📝 " + markdown_text(_("We kept what you were typing. Check it, then "
                                            "save when you're ready.")))


def saved(form: str) -> None:
    """`form` was saved: its draft is no longer needed (called from the save's callback)."""
    ss = st.session_state
    ss[CLEAR] = [*ss.get(CLEAR, []), form]
    ss[RESTORED] = set(ss.get(RESTORED, ())) - {form}


def forget_all() -> None:
    """Signed out on purpose: every draft in this tab goes, whoever's."""
    st.session_state[FORGET] = True


def _reported(key: str = COMPONENT) -> None:
    value = st.session_state.get(key) or {}
    back = value.get("restored") or []
    st.session_state[RESTORED] = set(st.session_state.get(RESTORED, ())) | set(back)


def draw(owner_id: int | None, key: str = COMPONENT) -> None:
    """The component, once a run, after the page: with the signed-in person (None when
    signed out), the forms this run's page named, and the forms saved since last time.
    A fragment that saves a form draws its own (its `key`): its run skips the page's, so
    that one would drop the saved draft, and keep the form's next version, only at the next
    page's run (a reload before then found the saved draft still in the tab)."""
    ss = st.session_state
    if owner_id is not None:
        ss.pop(FORGET, None)
    elif not ss.get(FORGET):
        return  # signed out, nothing to drop: nothing to draw
    forms = ss.get(FORMS, {}) if owner_id is not None else {}
    ss[RESTORED] = set(ss.get(RESTORED, ())) & set(forms)  # left the page: said no more
    _DRAFTS(owner=str(owner_id) if owner_id is not None else "", forms=forms,
            clear=ss.pop(CLEAR, []), forget=bool(ss.get(FORGET)), key=key,
            default=None, on_change=partial(_reported, key))  # (a component's own args=
            # would be sent to its script, not to the callback)
