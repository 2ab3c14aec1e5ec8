"""Aftercare plans waiting for my review: comment per section, then approve or ask for changes."""
import streamlit as st

from companion import aftercare
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.core.timeutil import to_clinic
from companion.i18n import _, format_month_day, gettext
from companion.ui.aftercare import comment_card, history_and_diff, show_section
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, option_text

actor = current_actor()
st.title(_("Aftercare reviews"))
if done := st.session_state.pop("_review_done", None):
    st.toast(_("Review saved."), icon="✅")
    st.success(markdown_text(done))
with session_scope() as session:
    waiting = aftercare.waiting_for(session, actor)
if not waiting:
    st.info(_("No plans are waiting for your review."))
    st.stop()
names = {p.client_id: _("{name} · sent {day}").format(
    name=name, day=format_month_day(to_clinic(p.updated_at).date())) for p, name in waiting}
chosen = st.selectbox(_("Plan"), list(names), format_func=lambda i: option_text(names[i]),
                      key="review-client")


def add_comment(section: str) -> None:
    text = st.session_state.get(f"rc-{chosen}-{section}", "")
    try:
        with session_scope() as session:
            aftercare.comment(session, actor, chosen, section, text)
    except CompanionError as exc:  # shown beside this section's button; the box keeps the text
        st.session_state["_review_error"] = (section, str(exc))
        return
    st.session_state[f"rc-{chosen}-{section}"] = ""


def decide(approve: bool) -> None:
    try:
        with session_scope() as session:
            aftercare.decide(session, actor, chosen, approve,
                             st.session_state.get(f"review-note-{chosen}", ""))
    except CompanionError as exc:  # shown beside Approve / Ask for changes
        st.session_state["_review_error"] = ("decide", str(exc))
        return
    st.session_state["_review_done"] = (_("Approved.") if approve
                                        else _("Sent back with your comments."))


failed_at, error = st.session_state.pop("_review_error", (None, None))
if error:  # at the top too: in view however the page was scrolled
    st.error(markdown_text(error))
with session_scope() as session:
    view = aftercare.view(session, actor, chosen)
own = [c for c in view.comments if c.version == view.plan.current_version]
for section, (title, _kind, _fields) in aftercare.SECTIONS.items():
    with st.container(border=True):
        st.markdown(f"**{markdown_text(gettext(title))}**")
        show_section(view.sections, section)
        for c in own:
            if c.section == section:
                comment_card(actor, c, view.authors, view.wordings, f"rc-{chosen}")
        st.text_input(_("Comment on this section"), key=f"rc-{chosen}-{section}")
        st.button(_("Add comment"), key=f"rc-btn-{chosen}-{section}", on_click=add_comment,
                  args=(section,), width="stretch")
        if error and failed_at == section:
            st.error(markdown_text(error), icon="⚠️")
st.text_area(_("Note to the client (optional)"), key=f"review-note-{chosen}")
cols = st.columns(2)
cols[0].button(_("Approve"), type="primary", width="stretch", on_click=decide, args=(True,))
cols[1].button(_("Ask for changes"), width="stretch", on_click=decide, args=(False,))
if error and failed_at == "decide":
    st.error(markdown_text(error), icon="⚠️")
history_and_diff(actor, chosen, "review")
