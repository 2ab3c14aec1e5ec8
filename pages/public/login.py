"""Sign in. No self-registration and no password recovery by e-mail: resets go via an admin."""
import streamlit as st

from companion.i18n import _, gettext
from companion.ui.gate import DRAFT, authenticator, pop_notice, signed_in, signed_out_why
from companion.ui.language import sign_in_choice
from companion.ui.passkeys import sign_in_button
from companion.ui.text import markdown_text

sign_in_choice()  # English / Español, kept in the address (?lang=)
st.title("🌿 IOP Companion")
st.caption(_("For clients, alumni and staff of the program. Accounts are made by the clinic."))
authenticator().login(fields={"Form name": _("Sign in"), "Username": _("Username"),
                              "Password": _("Password"), "Login": _("Sign in")})
notice = pop_notice()
why = signed_out_why()
if why and not signed_in():
    kept = (" " + _("What you were typing is kept: sign in again to pick up where you left off.")
            if DRAFT in st.session_state else "")
    st.warning(markdown_text(gettext(why)) + kept, icon="🔒")
if signed_in():
    st.success(_("Signed in. Opening your pages…"))
    st.button(_("Continue"))
elif notice and notice != why:
    st.error(markdown_text(gettext(notice)))
if not signed_in():
    # and the Username field offers the phone's passkeys (not while a draft waits)
    sign_in_button(_("Username"), draft_kept=DRAFT in st.session_state)
st.caption(_("Forgot your password? Ask the program's staff for a one-time password."))
