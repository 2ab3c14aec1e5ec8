"""Two-step sign-in: set it up (QR code drawn here) or give today's code."""
import streamlit as st

from companion import auth, mfa, passkeys
from companion.core.db import session_scope
from companion.i18n import _, gettext
from companion.models import User
from companion.ui.account_notice import account_changes_notice
from companion.ui.gate import current_actor, mark_second_factor_done, sign_out
from companion.ui.passkeys import second_factor_button
from companion.ui.second_factor import enrol, show_recovery_codes
from companion.ui.text import markdown_text

actor = current_actor()
with session_scope() as session:
    user = session.get(User, actor.id)

if st.session_state.get("_recovery_codes"):  # just enrolled: shown this once
    st.title(_("Two-step sign-in is on"))
    if show_recovery_codes():
        mark_second_factor_done(actor.id)
        st.success(_("All set. Opening your pages…"))
        st.button(_("Continue"))
    st.stop()

if not mfa.enrolled(user):
    st.title(_("Set up two-step sign-in"))
    st.write(_("Staff accounts use a second step: a 6-digit code from an authenticator app on "
               "your phone (any app that supports time-based codes)."))
    account_changes_notice(actor)
    if enrol(actor, user):
        st.rerun()
else:
    st.title(_("Two-step sign-in"))
    with session_scope() as session:
        codes_off = passkeys.code_refused(session, user)
    if second_factor_button(actor):
        st.caption(_("Lost your passkey? Enter a recovery code, or ask an admin to reset your "
                     "sign-in.") if codes_off else _("Or give a code:"))
    if not codes_off:
        st.write(_("Enter the 6-digit code from your authenticator app, or one of your "
                   "recovery codes."))
    with st.form("second-factor"):
        code = st.text_input(_("Code"))
        submitted = st.form_submit_button(_("Continue"), type="primary", width="stretch")
    if submitted:
        with session_scope() as session:
            result = mfa.verify(session, actor.id, code)
        if result.outcome is auth.Outcome.OK:
            mark_second_factor_done(actor.id)  # no rerun: the fresh cookie is written now
            st.success(_("Thank you. Opening your pages…"))
            with session_scope() as session:
                wanted = passkeys.passkey_wanted(session, user)
            if wanted:
                st.info(_("One more step: your clinic asks staff to add a passkey, this "
                          "device's fingerprint, face or screen lock. It takes a moment."),
                        icon="🔑")
            st.button(_("Continue"), key="after-code")
        elif result.outcome is auth.Outcome.LOCKED:
            sign_out()  # no rerun here: the cookie is deleted by this very run
            st.error(markdown_text(gettext(auth.LOCKED)))
            st.button(_("Back to sign in"))
            st.stop()
        else:
            st.error(_("That code didn't match. Codes change every 30 seconds; try the "
                       "newest."))
