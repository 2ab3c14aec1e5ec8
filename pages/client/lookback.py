"""A look back at a use (chain analysis): optional, private to me and my therapist."""
import streamlit as st

from companion import chains
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _, gettext
from companion.ui import drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.text import label_text

FORM = "lookback"
actor = current_actor()
st.title(_("Look back"))
st.write(_("A use is something to learn from, not a reason to give up. Looking at the chain "
           "of moments that led to it can show where a different step is possible next time. "
           "This is optional — answer as much or as little as you like."))


def save() -> None:
    answers = {k: st.session_state[f"lb-{k}"] for k in chains.QUESTIONS}
    try:
        with session_scope() as session:
            chains.record(session, actor, answers, st.session_state.get("lookback_checkin"))
    except CompanionError as exc:
        remember_failure(FORM, exc)
        return
    clear_failure(FORM)
    drafts.saved(FORM)
    for k in chains.QUESTIONS:
        st.session_state.pop(f"lb-{k}", None)
    st.session_state["_lookback_saved"] = True


if st.session_state.pop("_lookback_saved", False):
    st.success(_("Saved. Thank you for taking the time — your therapist can go through it "
                 "with you."))
show_failure(FORM)
with st.form("lookback", border=False):
    drafts.keep(FORM, "lb-")  # what is typed survives a reload
    for name, question in chains.QUESTIONS.items():
        st.text_area(label_text(gettext(question)), key=f"lb-{name}", height=90)
        field_message(FORM, name)
    st.form_submit_button(_("Save"), type="primary", width="stretch", on_click=save)
    failure_beside_button(FORM)
