"""The "Need help now?" control: drawn first on every page, with no database needed."""
from __future__ import annotations

import streamlit as st

from companion.clinic import FALLBACK_CRISIS, get_clinic
from companion.ui.text import label_text, markdown_text

LABEL = "🆘 Need help now?"


def crisis_control(own_contacts: list | None = None, plan_link: bool = False) -> None:
    """The popover on every page; a client's own safety-plan contacts come first."""
    with st.popover(LABEL, width="stretch"):
        if plan_link:
            st.page_link("pages/client/safety_plan.py", label="Open my safety plan", icon="🛟")
        if own_contacts:
            st.markdown("**Your people, from your safety plan:**")
            for contact in own_contacts:
                st.link_button(f"📞 {label_text(contact.name)} · {label_text(contact.phone)}",
                               contact.tel, width="stretch")
        crisis_resources()


def crisis_resources() -> None:
    try:
        clinic = get_clinic()
        resources = clinic.crisis_resources
    except Exception:  # a broken clinic file must never take the crisis numbers away
        clinic, resources = None, FALLBACK_CRISIS
    st.markdown("**You are not alone. Reach someone now:**")
    for res in resources:
        st.markdown(f"**{markdown_text(res.name)}** — {markdown_text(res.detail)}")
        cols = st.columns(2)
        if res.tel_link:
            cols[0].link_button(f"📞 Call {label_text(res.call)}", res.tel_link, width="stretch")
        if res.sms_link:
            label = (f"💬 Text {label_text(res.text_body) + ' to ' if res.text_body else ''}"
                     f"{label_text(res.text)}")
            cols[1].link_button(label, res.sms_link, width="stretch")
    if clinic is not None and clinic.phone:
        st.markdown(f"**{markdown_text(clinic.name)}** — during program hours, call the clinic.")
        st.link_button(f"📞 Call the clinic {label_text(clinic.phone)}", f"tel:{clinic.phone}",
                       width="stretch")


def own_crisis_contacts(actor) -> list:
    """The client's safety-plan contacts, or none if they can't be read right now."""
    from companion import safety
    from companion.core.db import session_scope

    try:
        with session_scope() as session:
            return safety.contacts(safety.current(session, actor, actor.id))
    except Exception:  # crisis help must render even if this read fails
        return []
