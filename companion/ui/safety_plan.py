"""Showing a safety plan: its numbered steps in their order, and its contacts as buttons
that call."""
from __future__ import annotations

import streamlit as st

from companion import safety
from companion.i18n import _
from companion.models import SafetyPlan
from companion.ui.text import label_text, markdown_text


def call_buttons(contacts: list[safety.Contact], key: str = "") -> None:
    """One call button a row. A number saved before numbers were checked, that a phone could
    not call, is shown as text with a way to fix it, never as a link that rings nobody."""
    for contact in contacts:
        if contact.tel:
            st.link_button(f"📞 {label_text(contact.name)} · {label_text(contact.phone)}",
                           contact.tel, width="stretch", wrap=True)
        else:
            st.markdown(_("📞 {name} · {phone} — this number looks incomplete; you can fix it "
                          "under “Edit my plan”.").format(name=markdown_text(contact.name),
                                                          phone=markdown_text(contact.phone)))


def show_plan(plan: SafetyPlan | None, key: str = "plan") -> None:
    if plan is None:
        st.info(_("No safety plan yet. Building one takes about ten minutes, and it helps to "
                  "have it ready before a hard moment."))
        st.page_link("pages/client/safety_plan.py", label=_("Make my safety plan"), icon="🛟")
        return
    sections = plan.sections
    for step in safety.STEPS:
        if step.kind == "text":
            if sections.get(step.key):
                st.markdown(f"**{markdown_text(safety.heading(step))}**")
                st.markdown(markdown_text(sections[step.key]))
            continue
        people = safety.step_contacts(plan, step.key)
        if step.key == "professionals":  # 988 and 911 are always part of step 5
            people += safety.standing_contacts()
        if people:
            st.markdown(f"**{markdown_text(safety.heading(step))}**")
            call_buttons(people, f"{key}-{step.key}")
