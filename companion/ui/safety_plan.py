"""Showing a safety plan: its steps, and its contacts as buttons that call."""
from __future__ import annotations

import streamlit as st

from companion import safety
from companion.models import SafetyPlan
from companion.ui.text import label_text, markdown_text


def call_buttons(contacts: list[safety.Contact], key: str) -> None:
    for n, contact in enumerate(contacts):
        st.link_button(f"📞 {label_text(contact.name)} · {label_text(contact.phone)}",
                       contact.tel, width="stretch")


def show_plan(plan: SafetyPlan | None, key: str = "plan") -> None:
    if plan is None:
        st.info("No safety plan yet. Building one takes about ten minutes, and it helps to "
                "have it ready before a hard moment.")
        st.page_link("pages/client/safety_plan.py", label="Make my safety plan", icon="🛟")
        return
    sections = plan.sections
    for name, title in safety.TEXT_SECTIONS.items():
        if sections.get(name):
            st.markdown(f"**{markdown_text(title)}**")
            st.markdown(markdown_text(sections[name]))
    people = [safety.Contact(r["name"], r["phone"]) for r in sections.get("help_people", [])
              if r.get("phone")]
    if people:
        st.markdown(f"**{markdown_text(safety.CONTACT_SECTIONS['help_people'])}**")
        call_buttons(people, f"{key}-people")
    st.markdown(f"**{markdown_text(safety.CONTACT_SECTIONS['professionals'])}**")
    pros = [safety.Contact(r["name"], r["phone"]) for r in sections.get("professionals", [])
            if r.get("phone")]
    call_buttons(pros + safety.standing_contacts(), f"{key}-pros")
