"""One-time set-up: create the clinic's first admin (shown only while no account exists)."""
import streamlit as st

from companion import people
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _
from companion.passwords import MIN_CHARS
from companion.ui.text import markdown_text, number_text

st.title(_("Welcome to IOP Companion"))
st.write(_("No account exists yet. Create the clinic's first administrator. This page "
           "disappears as soon as that account exists."))
with st.form("first_admin"):
    name = st.text_input(_("Your name"))
    username = st.text_input(_("Username"))
    password = st.text_input(_("Password"), type="password",
                             help=_("At least {count} characters; spaces are fine.").format(
                                 count=number_text(MIN_CHARS)))
    repeat = st.text_input(_("Repeat password"), type="password")
    submitted = st.form_submit_button(_("Create admin account"), type="primary",
                                      width="stretch")
if submitted:
    try:
        if password.strip() != repeat.strip():
            raise people.InvalidInput(_("The two passwords don't match."))
        with session_scope() as session:
            people.create_first_admin(session, username, name, password)
    except CompanionError as exc:
        st.error(markdown_text(exc))
    else:
        st.success(_("Admin account created. Opening the sign-in page…"))
        st.button(_("Continue to sign in"))
