"""Sign in. No self-registration and no password recovery by e-mail: resets go via an admin."""
import streamlit as st

from companion.ui.gate import DRAFT, authenticator, pop_notice, signed_in, signed_out_why
from companion.ui.passkeys import sign_in_button
from companion.ui.text import markdown_text

st.title("🌿 IOP Companion")
st.caption("For clients, alumni and staff of the program. Accounts are made by the clinic.")
authenticator().login(fields={"Form name": "Sign in", "Username": "Username",
                              "Password": "Password", "Login": "Sign in"})
notice = pop_notice()
why = signed_out_why()
if why and not signed_in():
    kept = (" What you were typing is kept: sign in again to pick up where you left off."
            if DRAFT in st.session_state else "")
    st.warning(markdown_text(why) + kept, icon="🔒")
if signed_in():
    st.success("Signed in. Opening your pages…")
    st.button("Continue")
elif notice and notice != why:
    st.error(markdown_text(notice))
if not signed_in():
    sign_in_button()
st.caption("Forgot your password? Ask the program's staff for a one-time password.")
