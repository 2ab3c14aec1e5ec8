"""My aftercare plan: build it section by section, send it for review, keep it current."""
import streamlit as st

from companion import aftercare, pdf, trends
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.core.timeutil import show
from companion.ui.aftercare import (comment_byline_markdown, history_and_diff,
                                    show_section)
from companion.ui.downloads import download_button
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.text import label_text, markdown_text, number_text, option_text

FORM = "aftercare"
actor = current_actor()
st.title("My aftercare plan")
st.caption("What comes after the program: your next care, your supports, your people and your "
           "plan for hard days. Your therapist reviews it with you.")

with session_scope() as session:
    plan = aftercare.view(session, actor, actor.id)
    due = aftercare.review_due(session, actor)
    works = trends.what_works(session, actor, actor.id)
status = plan.status
version = plan.plan.current_version if plan.plan else 0
sections = st.session_state.pop("_aftercare_draft", None) or plan.sections
key = f"ac-{version}-"

if due:
    st.info("It's been a while since you looked at your plan (review date "
            f"{markdown_text(due.strftime('%b %-d'))}). "
            "Is it still right for you? Update it, or send it to the clinic to look over.")
label = aftercare.STATUS_LABELS[status] if plan.plan and version else "Not started"
st.markdown(f"**Status:** {markdown_text(label)}" + (
    f" · version {number_text(version)}, saved {show(plan.version.created_at)}"
    if plan.version else ""))
if message := st.session_state.pop("_aftercare_message", None):
    st.toast("Your plan is updated.", icon="✅")
    st.success(markdown_text(message))
show_failure(FORM)


def _action(fn, message: str) -> None:
    try:
        with session_scope() as session:
            fn(session, actor)
    except CompanionError as exc:
        remember_failure(FORM, exc)
        return
    clear_failure(FORM)
    st.session_state["_aftercare_message"] = message


cols = st.columns(2)
if status in ("draft", "changes_requested", "updated") and version:
    cols[0].button("Send for review", type="primary", width="stretch", on_click=_action,
                   args=(aftercare.submit, "Sent. Your reviewer will look at it soon."))
if status == "submitted":
    cols[0].button("Withdraw to edit", width="stretch", on_click=_action,
                   args=(aftercare.withdraw, "Withdrawn: you can edit it again."))
if plan.version is not None:
    saved_at = show(plan.version.created_at)

    def _pdf() -> bytes:  # made only when tapped, from the plan already on screen
        return pdf.aftercare_pdf(actor.display_name, plan.sections, status, saved_at)

    download_button("Download PDF", _pdf, file_name="my-aftercare-plan.pdf",
                    mime="application/pdf", width="stretch", where=cols[1])

comments = {}
for c in plan.comments:
    comments.setdefault(c.section, []).append(c)
for section, (title, _, _) in aftercare.SECTIONS.items():
    with st.container(border=True):
        st.markdown(f"**{markdown_text(title)}**")
        show_section(plan.sections, section)
        for c in comments.get(section, []):
            st.info("💬 " + markdown_text(c.text))
            st.caption(comment_byline_markdown(c, plan.authors))


def _rows(section: str, fields: tuple[str, ...]) -> list[dict]:
    return [{f: st.session_state.get(f"{key}{section}-{n}-{f}", "") for f in fields}
            for n in range(aftercare.MAX_ROWS)]


def save() -> None:
    ss = st.session_state
    draft = {}
    for section, (_, kind, fields) in aftercare.SECTIONS.items():
        if kind == "text":
            draft[section] = ss[key + section]
        elif kind == "fields":
            draft[section] = {f: ss[f"{key}{section}-{f}"] for f in fields}
        else:
            draft[section] = _rows(section, fields)
    try:
        with session_scope() as session:
            aftercare.save(session, actor, draft, expected_version=version)
    except CompanionError as exc:
        remember_failure(FORM, exc)
        if isinstance(exc, StaleEdit):
            ss["_aftercare_draft"] = draft
        return
    clear_failure(FORM)
    ss["_aftercare_message"] = "Saved. Earlier versions are kept."


ROWS_SHOWN = 3
with st.expander("✏️ Edit my plan", expanded=not version):
    if status == "submitted":
        st.caption("Your plan is with your reviewer. Withdraw it to make changes.")
    else:
        if not works.empty:
            st.caption("What has helped you most: "
                       + markdown_text(", ".join(works["strategy"][:4])))
        with st.form(f"aftercare-{version}", border=False):
            for section, (title, kind, fields) in aftercare.SECTIONS.items():
                st.markdown(f"**{markdown_text(title)}**")
                value = sections.get(section)
                if kind == "text":
                    st.text_area(label_text(title), value or "",
                                 key=key + section, height=90, label_visibility="collapsed")
                elif kind == "fields":
                    for f in fields:
                        if f == "level":
                            options = ["", *aftercare.CARE_LEVELS]
                            current = value.get(f, "") if value.get(f, "") in options else ""
                            st.selectbox(label_text(aftercare.FIELD_LABELS[f]), options,
                                         format_func=option_text, index=options.index(current),
                                         key=f"{key}{section}-{f}")
                        else:
                            st.text_input(label_text(aftercare.FIELD_LABELS[f]), value.get(f, ""),
                                          key=f"{key}{section}-{f}")
                else:
                    rows = value or []
                    shown = min(aftercare.MAX_ROWS, max(ROWS_SHOWN, len(rows) + 1))
                    for n in range(shown):  # one empty row more than filled, at least three
                        row = rows[n] if n < len(rows) else {f: "" for f in fields}
                        for col, f in zip(st.columns(len(fields)), fields):
                            # every box labelled: on a phone the columns stack
                            col.text_input(f"{label_text(aftercare.FIELD_LABELS[f])} "
                                           f"({number_text(n + 1)})",
                                           row.get(f, ""),
                                           key=f"{key}{section}-{n}-{f}")
                field_message(FORM, section)
            st.form_submit_button("Save my plan", type="primary", width="stretch",
                                  on_click=save)
            failure_beside_button(FORM)

history_and_diff(actor, actor.id, "mine")
