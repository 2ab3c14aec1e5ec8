"""Required of staff under the clinic's passkey rule who have none yet, right after their
code: nothing else opens until a passkey is added (the staff services refuse them too:
`access.require_sign_in_complete`). The ceremony is the passkey page's; it comes back to the
address that was asked for."""
import streamlit as st

from companion import passkeys
from companion.core.db import session_scope
from companion.i18n import _
from companion.ui.gate import SESSION_ID, current_actor, sign_out
from companion.ui.passkeys import required_register_button

actor = current_actor()
HELD = "_passkey_first_noted"  # this browser session's hold is audited once
if st.session_state.get(HELD) != st.session_state.get(SESSION_ID):
    with session_scope() as session:
        passkeys.note_held(session, actor)
    st.session_state[HELD] = st.session_state.get(SESSION_ID)

st.title(_("Add a passkey to continue"))
st.write(_("Your clinic asks everyone on the staff to sign in with a passkey: this device's "
           "fingerprint, face or screen lock. A passkey can't be guessed or phished, which "
           "keeps the clients' records safe. It takes a moment, and you only do it once."))
st.write(_("Your pages open as soon as it is added."))
required_register_button()
st.header(_("If this device can't make a passkey"))
st.write(_("Some older phones and shared computers can't. Please ask an admin: they can turn "
           "off the clinic's passkey rule for now, or help you add one on another device. "
           "Until then, the staff pages stay closed for your account."))
# A way out on the page itself (a phone's sidebar starts closed).
if st.button(_("Sign out"), key="sign-out-held", width="stretch"):
    sign_out()  # no rerun: the cookie is deleted by this very run
    st.success(_("Signed out."))
    st.button(_("Back to sign in"))
    st.stop()
