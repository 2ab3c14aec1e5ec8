"""My safety plan: ready before a hard moment; every save keeps the earlier versions."""
import streamlit as st

from companion import safety
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.core.timeutil import show
from companion.ui.downloads import download_button
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.safety_plan import show_plan
from companion.ui.text import file_text, label_text, markdown_text, number_text

FORM = "safety"
actor = current_actor()
st.title("My safety plan")
st.caption("A plan for hard moments, in your own words: what you notice, what helps, and who "
           "you can reach. Your therapist can see it, to help you with it.")

with session_scope() as session:
    plan = safety.current(session, actor, actor.id)
version = plan.version if plan else 0
sections = st.session_state.pop("_safety_draft", None) or (
    plan.sections if plan else safety.empty_sections())
key = f"sp-{version}-"

if st.session_state.pop("_safety_saved", False):
    st.toast("Safety plan saved.", icon="✅")
    st.success("Saved. Earlier versions are kept.")
show_failure(FORM)
show_plan(plan, key="view")
if plan is not None:
    st.caption(f"Last saved {show(plan.created_at)} (version {number_text(plan.version)}).")
    download_button("Download a copy to print or keep", file_text(safety.as_text(plan)),
                    file_name="my-safety-plan.txt", mime="text/plain", width="stretch")


def _contacts(section: str) -> list[dict]:
    ss = st.session_state
    return [{"name": ss[f"{key}{section}-name-{n}"], "phone": ss[f"{key}{section}-phone-{n}"]}
            for n in range(safety.MAX_CONTACTS)]


def save() -> None:
    ss = st.session_state
    draft = {name: ss[key + name] for name in safety.TEXT_SECTIONS}
    draft |= {section: _contacts(section) for section in safety.CONTACT_SECTIONS}
    try:
        with session_scope() as session:
            safety.save(session, actor, draft, expected_version=version)
    except CompanionError as exc:
        remember_failure(FORM, exc)
        if isinstance(exc, StaleEdit):
            ss["_safety_draft"] = draft
        return
    clear_failure(FORM)
    ss["_safety_saved"] = True


with st.expander("✏️ Edit my plan", expanded=plan is None):
    with st.form(f"safety-{version}", border=False):
        for step in safety.STEPS:  # the plan's own order, numbered as it is shown
            title = safety.heading(step)
            if step.kind == "text":
                hint = safety.ENVIRONMENT_HINT if step.key == "environment" else None
                st.text_area(label_text(title), sections.get(step.key, ""),
                             key=key + step.key, height=90,
                             help=markdown_text(hint) if hint else None, placeholder=hint)
                field_message(FORM, step.key)
                continue
            st.markdown(f"**{markdown_text(title)}**")
            rows = sections.get(step.key, [])
            for n in range(safety.MAX_CONTACTS):
                row = rows[n] if n < len(rows) else {"name": "", "phone": ""}
                cols = st.columns([3, 2])
                cols[0].text_input(f"Name ({number_text(n + 1)})", row["name"],
                                   key=f"{key}{step.key}-name-{n}")
                cols[1].text_input(f"Phone ({number_text(n + 1)})", row["phone"],
                                   key=f"{key}{step.key}-phone-{n}")
            field_message(FORM, step.key)
            if step.key == "professionals":
                st.caption("The clinic, 988 and 911 are always on your plan.")
        st.form_submit_button("Save my plan", type="primary", width="stretch", on_click=save)
        failure_beside_button(FORM)
