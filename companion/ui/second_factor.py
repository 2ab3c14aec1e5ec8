"""Setting up two-step sign-in (shared by the staff sign-in step and a client's account)."""
from __future__ import annotations

import streamlit as st

from companion import mfa
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _
from companion.models import User
from companion.ui.text import markdown_text


def enrol(actor: Actor, user: User) -> bool:
    """Draw the QR code and the confirm box; True once the codes have been shown."""
    secret = st.session_state.setdefault("_totp_secret", mfa.new_secret())
    st.image(mfa.qr_png(mfa.provisioning_uri(user, secret)),
             caption=_("Scan with your authenticator app"), width=220)
    with st.expander(_("Can't scan? Type this key instead")):
        st.code(secret, language=None)
    code = st.text_input(_("The 6-digit code your app shows"), key="enrol-code")
    if st.button(_("Turn on two-step sign-in"), type="primary", width="stretch"):
        try:
            with session_scope() as session:
                codes = mfa.confirm_enrolment(session, actor, secret, code)
        except CompanionError as exc:
            st.error(markdown_text(exc))
            return False
        st.session_state.pop("_totp_secret", None)
        st.session_state["_recovery_codes"] = codes
        return True
    return False


def show_recovery_codes() -> bool:
    """Show the just-made recovery codes once; True when the person says they saved them."""
    codes = st.session_state.get("_recovery_codes")
    if not codes:
        return False
    st.markdown(_("**Your recovery codes.** Each works once if you lose your phone. Write "
                  "them down or print them now — they won't be shown again."))
    st.code("\n".join(codes), language=None)
    if st.button(_("I've saved them — continue"), type="primary", width="stretch"):
        st.session_state.pop("_recovery_codes")
        return True
    return False
