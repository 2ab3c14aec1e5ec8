"""The "Need help now?" control: drawn first on every page, with no database needed."""
from __future__ import annotations

import streamlit as st

from companion.clinic import FALLBACK_CRISIS, get_clinic

LABEL = "🆘 Need help now?"


def crisis_control() -> None:
    with st.popover(LABEL, width="stretch"):
        crisis_resources()


def crisis_resources() -> None:
    try:
        clinic = get_clinic()
        resources = clinic.crisis_resources
    except Exception:  # a broken clinic file must never take the crisis numbers away
        clinic, resources = None, FALLBACK_CRISIS
    st.markdown("**You are not alone. Reach someone now:**")
    for res in resources:
        st.markdown(f"**{res.name}** — {res.detail}")
        cols = st.columns(2)
        if res.tel_link:
            cols[0].link_button(f"📞 Call {res.call}", res.tel_link, width="stretch")
        if res.sms_link:
            label = f"💬 Text {res.text_body + ' to ' if res.text_body else ''}{res.text}"
            cols[1].link_button(label, res.sms_link, width="stretch")
    if clinic is not None and clinic.phone:
        st.markdown(f"**{clinic.name}** — during program hours, call the clinic.")
        st.link_button(f"📞 Call the clinic {clinic.phone}", f"tel:{clinic.phone}",
                       width="stretch")
