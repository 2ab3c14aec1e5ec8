"""My safety plan: ready before a hard moment, built a step at a time (each step saved on its
own); every save keeps the earlier versions."""
import streamlit as st

from companion import safety
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.i18n import _, format_moment, gettext
from companion.ui.downloads import download_button
from companion.ui import drafts as typed_drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, section_status)
from companion.ui.gate import current_actor
from companion.ui.scroll import into_view
from companion.ui.safety_plan import show_plan
from companion.ui.text import file_text, label_text, markdown_text, number_text

FORM = "safety"
actor = current_actor()
st.title(_("My safety plan"))
st.caption(_("A plan for hard moments, in your own words: what you notice, what helps, and who "
             "you can reach. Your therapist can see it, to help you with it."))

with session_scope() as session:
    plan = safety.current(session, actor, actor.id)
    saves = safety.step_saves(session, actor, actor.id)
version = plan.version if plan else 0
drafts = st.session_state.pop("_safety_drafts", {})  # kept from a refused (stale) save
sections = plan.sections if plan else safety.empty_sections()
just_saved = st.session_state.pop("_safety_saved", None)
# open while the plan is being made, for the whole visit (not shut by its first save)
editing_open = st.session_state.setdefault("_safety_editor_open", plan is None)

if just_saved:
    st.toast(_("Safety plan saved."), icon="✅")
show_plan(plan, key="view")
if plan is not None:
    st.caption(_("Last saved {when} (version {version}).").format(
        when=markdown_text(format_moment(plan.created_at)), version=number_text(plan.version)))
    download_button(_("Download a copy to print or keep"), file_text(safety.as_text(plan)),
                    file_name=_("my-safety-plan.txt"), mime="text/plain", width="stretch")


def step_form(step: str) -> str:
    return f"{FORM}-{step}"


def _value(step: safety.Step, key: str):
    ss = st.session_state
    if step.kind == "text":
        return ss.get(key + "text", "")
    return [{"name": ss.get(f"{key}name-{n}", ""), "phone": ss.get(f"{key}phone-{n}", "")}
            for n in range(safety.MAX_CONTACTS)]


def save_step(step: safety.Step, key: str, loaded: int) -> None:
    ss = st.session_state
    value = _value(step, key)
    try:
        with session_scope() as session:
            safety.save_step(session, actor, step.key, value, expected_version=loaded)
    except CompanionError as exc:
        remember_failure(step_form(step.key), exc)
        if isinstance(exc, StaleEdit):
            ss["_safety_drafts"] = {step.key: value}
        return
    clear_failure(step_form(step.key))
    typed_drafts.saved(step_form(step.key))
    ss["_safety_saved"] = step.key


with st.expander(_("✏️ Edit my plan"), expanded=editing_open):
    st.caption(_("Each step is saved on its own: fill in one, save it, then the next."))
    for step in safety.STEPS:  # the plan's own order, numbered as it is shown
        form, title = step_form(step.key), safety.heading(step)
        since = saves[step.key]
        # a step's boxes keep their key (and what is typed in them) until that step is saved
        key = f"sp-{step.key}-{since.version if since else 0}-"
        value = drafts.get(step.key, sections.get(step.key))
        with st.form(f"sp-form-{step.key}"):
            typed_drafts.keep(form, key)  # what is typed survives a reload
            st.markdown(f"**{markdown_text(title)}**")
            section_status(form, since.created_at if since else None)
            if step.kind == "text":
                hint = gettext(safety.ENVIRONMENT_HINT) if step.key == "environment" else None
                st.text_area(label_text(title), value or "", key=key + "text", height=90,
                             help=markdown_text(hint) if hint else None, placeholder=hint,
                             label_visibility="collapsed")
            else:
                rows = value or []
                for n in range(safety.MAX_CONTACTS):
                    row = rows[n] if n < len(rows) else {"name": "", "phone": ""}
                    cols = st.columns([3, 2])
                    cols[0].text_input(_("Name ({n})").format(n=number_text(n + 1)),
                                       row["name"], key=f"{key}name-{n}")
                    cols[1].text_input(_("Phone ({n})").format(n=number_text(n + 1)),
                                       row["phone"],
                                       key=f"{key}phone-{n}")
                    field_message(form, f"{step.key}.{n}")  # this row's own message
                if step.key == "professionals":
                    st.caption(_("The clinic, 988 and 911 are always on your plan."))
            field_message(form, step.key)
            st.form_submit_button(_("Save this step"), type="primary", width="stretch",
                                  on_click=save_step, args=(step, key, version))
            failure_beside_button(form)
        if just_saved == step.key:
            st.success(_("Saved. Earlier versions are kept."))
            into_view(f"{step.key}-{version}")  # the page may have moved it off-screen
