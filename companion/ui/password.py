"""The change-password form, used at first sign-in and from the account page."""
import streamlit as st

from companion import people
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _
from companion.passwords import MIN_CHARS
from companion.ui.gate import restart_session_after_password_change
from companion.ui.text import markdown_text, number_text


def password_form(actor: Actor, forced: bool) -> None:
    """A failed save keeps what was typed and says why; a good one keeps this device signed in."""
    with st.form("change_password"):
        current = st.text_input(_("Current password"), type="password")
        new = st.text_input(_("New password"), type="password",
                            help=_("At least {count} characters. Spaces and any characters "
                                   "are fine; a short sentence is easy to remember.").format(
                                count=number_text(MIN_CHARS)))
        repeat = st.text_input(_("Repeat new password"), type="password")
        submitted = st.form_submit_button(_("Save new password"), type="primary",
                                          width="stretch")
    if not submitted:
        return
    try:
        with session_scope() as session:
            people.change_own_password(session, actor, current, new, repeat)
    except CompanionError as exc:
        st.error(markdown_text(exc))
        return
    restart_session_after_password_change()
    st.success(_("Your password is changed. Any other device you were signed in on is signed "
                 "out."))
    if forced:
        st.button(_("Continue"), type="primary")
