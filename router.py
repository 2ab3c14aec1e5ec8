"""The page script app.py serves: page config, safety check, crisis control, login gate, navigation.

Every browser run starts here (Streamlit reruns it on each interaction); it picks the pages
the signed-in role may see and runs the one asked for.
"""
import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from companion import people, run_context
from companion.core.config import get_settings
from companion.core.db import session_scope
from companion.passwords import dummy_hash
from companion.core.safety_check import problems
from companion.ui.crisis import crisis_control, own_crisis_contacts
from companion.i18n import _
from companion.ui import drafts, language
from companion.ui.gate import (gate, logout_button, passkey_first, pop_restored,
                               second_factor_done)
from companion.ui.navigation import fully_signed_in, pages_for
from companion.ui.style import apply_style
from companion.ui.text import markdown_text

run_context.reset()  # nothing loaded by an earlier run is trusted in this one
spoken = language.begin_run()  # the address's or browser's language until the gate knows who
st.set_page_config(page_title="IOP Companion", page_icon="🌿", layout="centered",
                   initial_sidebar_state="auto")
apply_style()
drafts.begin_run()
lang_slot = st.empty()  # <html lang> of the language this run speaks
language.mark_document(lang_slot)
help_slot = st.empty()  # drawn first, so crisis help shows whatever fails later
with help_slot:
    crisis_control()

unsafe = problems(st.get_option, get_settings())
if unsafe:
    st.error("This server's settings are not safe for health records, so the app will not run. "
             "An administrator needs to fix: "
             + "; ".join(markdown_text(problem) for problem in unsafe))
    st.stop()

try:  # what the gate loads for this run is forgotten when it ends, however it ends
    try:
        with session_scope() as session:
            first_run = not people.clinic_is_set_up(session)
        dummy_hash()  # made once per process, before any sign-in, so timing tells nothing
        actor, user = (None, None) if first_run else gate()
    except (SQLAlchemyError, OSError):  # database unreachable: say so, keep crisis help usable
        logging.getLogger("companion").exception("database unavailable")
        st.error(_("The app can't reach its database right now. Please try again in a few "
                   "minutes. If you need help now, use “Need help now?” at the foot of the "
                   "screen."))
        st.stop()

    if actor is not None:
        with st.sidebar:
            st.caption(_("Signed in as **{name}**").format(
                name=markdown_text(actor.display_name)))
            logout_button()
        if not st.session_state.get("authentication_status"):
            actor, user = None, None

    held = passkey_first(actor)  # staff under the clinic's rule add a passkey first
    navigation = st.navigation(pages_for(actor, user, first_run, second_factor_done(), held))
    if actor is not None and actor.is_client_side and fully_signed_in(user, second_factor_done(),
                                                                      held):
        with help_slot:
            crisis_control(own_crisis_contacts(actor), plan_link=True)
    elif language.i18n.current() != spoken:  # the account speaks another: help in its words
        with help_slot:
            crisis_control(replacing=True)
    if actor is not None and pop_restored():
        st.toast(_("Welcome back: what you were typing is back in the form."), icon="📝")
        st.info(_("Welcome back. What you were typing before the sign-out is back in the form "
                  "below: check it, then save."), icon="📝")
    if language.i18n.current() != spoken:  # the account's language, not the sign-in page's
        language.mark_document(lang_slot)
    navigation.run()
    drafts.draw(actor.id if actor is not None else None)  # after the page: its forms named
finally:
    run_context.reset()
    language.i18n.forget()
