"""My aftercare plan: built section by section (each saved on its own), sent for review, kept
current."""
import streamlit as st

from companion import aftercare, i18n, pdf, trends
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.i18n import _, clinic_label, format_day, format_moment
from companion.ui.aftercare import (comment_byline_markdown, history_and_diff, section_editor,
                                    section_value, show_section, widget_key)
from companion.ui.downloads import download_button
from companion.ui import drafts as typed_drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, section_status, show_failure)
from companion.ui.gate import current_actor
from companion.ui.scroll import into_view
from companion.ui.text import label_text, markdown_text, number_text

FORM = "aftercare"            # the plan's own actions: send for review, withdraw
SAVED = "_aftercare_saved"    # (section, n): the section just saved, its controls under it
actor = current_actor()
st.title(_("My aftercare plan"))
st.caption(_("What comes after the program: your next care, your supports, your people and "
             "your plan for hard days. Fill it in a section at a time; your therapist reviews "
             "it with you."))

with session_scope() as session:
    plan = aftercare.view(session, actor, actor.id)
    saves = aftercare.section_saves(session, actor, actor.id)
    due = aftercare.review_due(session, actor)
    works = trends.what_works(session, actor, actor.id)
status = plan.status
version = plan.plan.current_version if plan.plan else 0
drafts = st.session_state.pop("_aftercare_drafts", {})  # kept from a refused (stale) save
saved = st.session_state.pop(SAVED, None)
editable = status != "submitted"


def section_form(section: str) -> str:
    return f"{FORM}-{section}"


def _action(fn, message: str, where: str) -> None:
    try:
        with session_scope() as session:
            fn(session, actor)
    except CompanionError as exc:
        remember_failure(FORM, exc)
    else:
        clear_failure(FORM)
        st.session_state["_aftercare_message"] = (where, message)
    if where != "top" and saved:  # the controls stay where they were tapped
        st.session_state[SAVED] = saved


message = st.session_state.pop("_aftercare_message", None)


def plan_controls(where: str) -> None:
    """The plan's status and what to do with it: at the top, and again under the section
    just saved (where the thumb is)."""
    label = aftercare.status_label(status) if plan.plan and version else _("Not started")
    if plan.version:
        st.markdown(_("**Status:** {status} · version {version}, saved {when}").format(
            status=markdown_text(label), version=number_text(version),
            when=markdown_text(format_moment(plan.version.created_at))))
    else:
        st.markdown(_("**Status:** {status}").format(status=markdown_text(label)))
    if message and message[0] == where:
        st.success(markdown_text(message[1]))
    if where == "top":
        show_failure(FORM)
    cols = st.columns(2)
    if status in ("draft", "changes_requested", "updated") and version:
        cols[0].button(_("Send for review"), type="primary", width="stretch",
                       on_click=_action, key=f"ac-send-{where}",
                       args=(aftercare.submit, _("Sent. Your reviewer will look at it soon."),
                             where))
    if status == "submitted":
        cols[0].button(_("Withdraw to edit"), width="stretch", on_click=_action,
                       key=f"ac-withdraw-{where}",
                       args=(aftercare.withdraw, _("Withdrawn: you can edit it again."), where))
    if where == "top" and plan.version is not None:
        saved_at = format_moment(plan.version.created_at)
        spoken = i18n.current()  # the download is made outside this run: in this language

        def _pdf() -> bytes:  # made only when tapped, from the plan already on screen
            return pdf.aftercare_pdf(actor.display_name, plan.sections, status, saved_at,
                                     language=spoken)

        download_button(_("Download PDF"), _pdf, file_name="my-aftercare-plan.pdf",
                        mime="application/pdf", width="stretch", where=cols[1])
    if where != "top":
        failure_beside_button(FORM)


def save_section(section: str, key: str, loaded: int) -> None:
    ss = st.session_state
    value = section_value(section, key)
    try:
        with session_scope() as session:
            aftercare.save_section(session, actor, section, value, expected_version=loaded)
    except CompanionError as exc:
        remember_failure(section_form(section), exc)
        if isinstance(exc, StaleEdit):
            ss["_aftercare_drafts"] = {section: value}
        return
    clear_failure(section_form(section))
    typed_drafts.saved(section_form(section))
    clear_failure(FORM)
    ss["_aftercare_n"] = ss.get("_aftercare_n", 0) + 1
    ss[SAVED] = (section, ss["_aftercare_n"])
    ss["_aftercare_toast"] = True


if due:
    st.info(_("It's been a while since you looked at your plan (review date {day}). Is it "
              "still right for you? Update it, or send it to the clinic to look over.").format(
        day=markdown_text(format_day(due, width="medium"))))
plan_controls("top")
if message:
    st.toast(_("Your plan is updated."), icon="✅")
if st.session_state.pop("_aftercare_toast", False):
    st.toast(_("Section saved."), icon="✅")
if not editable:
    st.caption(_("Your plan is with your reviewer. Withdraw it to make changes."))

comments = {}
for c in plan.comments:
    comments.setdefault(c.section, []).append(c)
for section in aftercare.SECTIONS:
    title = aftercare.title(section)
    form = section_form(section)
    since = saves[section]
    key = widget_key(section, since.version if since else 0)
    with st.container(border=True):
        st.markdown(f"**{markdown_text(title)}**")
        section_status(form, since.created_at if since else None)
        show_section(plan.sections, section)
        for c in comments.get(section, []):
            st.info("💬 " + markdown_text(c.text))
            st.caption(comment_byline_markdown(c, plan.authors))
        if editable:
            with st.expander(_("✏️ Edit · {section}").format(section=label_text(title))):
                if section == "coping" and not works.empty:
                    st.caption(_("What has helped you most: {strategies}").format(
                        strategies=markdown_text(", ".join(
                            clinic_label(s) for s in works["strategy"][:4]))))
                with st.form(f"ac-form-{section}", border=False):
                    typed_drafts.keep(form, key)  # what is typed survives a reload
                    section_editor(section, drafts.get(section, plan.sections.get(section)),
                                   key, row_message=lambda n, f=form, s=section:
                                   field_message(f, f"{s}.{n}"))
                    field_message(form, section)
                    st.form_submit_button(_("Save this section"), type="primary",
                                          width="stretch", on_click=save_section,
                                          args=(section, key, version))
                    failure_beside_button(form)
        if saved and saved[0] == section:
            if not (message and message[0] == section):
                st.success(_("Saved. Earlier versions are kept."))
            plan_controls(section)
            into_view(f"{section}-{saved[1]}")

history_and_diff(actor, actor.id, "mine")
