"""One assigned client's skills work (modules, lessons, saved answers with their versions,
practice log) and assigning a module with a short note. Every look is audited."""
import streamlit as st

from companion import caseload, skill_modules, skills
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.skill_modules import SkillContentError
from companion.i18n import _, format_moment
from companion.ui.client_pick import client_links, pick_client
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.skills import history, show_answers
from companion.ui.text import label_text, markdown_text, number_text, option_text

FORM = "skill-assign"
actor = current_actor()
st.title(_("Skills practice"))
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info(_("No clients are assigned to you yet."))
    st.stop()
chosen = pick_client(clients, key="skills-client")  # ?client= carries across pages
if chosen is None:
    st.stop()
client_links(chosen, clients[chosen], here="skills")


def assign(client_id: int) -> None:
    ss = st.session_state
    try:
        with session_scope() as session:
            row = skills.assign_module(session, actor, client_id, ss["assign-module"],
                                       ss.get("assign-note", ""))
    except CompanionError as exc:
        remember_failure(FORM, exc)
        return
    clear_failure(FORM)
    ss["_assigned"] = skill_modules.get(row.module_id).title
    ss.pop("assign-note", None)


def withdraw(assignment_id: int) -> None:
    try:
        with session_scope() as session:
            skills.withdraw_assignment(session, actor, assignment_id)
    except CompanionError as exc:
        st.session_state["_withdraw_error"] = str(exc)


try:
    with session_scope() as session:
        data = skills.overview(session, actor, chosen)
except SkillContentError as exc:  # a clinician's edit to data/skills/ needs fixing
    st.error(_("The skills content has a problem, so this page can't be shown: {problem}")
             .format(problem=markdown_text(exc)))
    st.stop()

st.header(_("Assign a module"))
if title := st.session_state.pop("_assigned", None):
    st.success(_("Assigned “{module}”. Your client sees it at the top of their Skills page.")
               .format(module=markdown_text(title)))
if message := st.session_state.pop("_withdraw_error", None):
    st.error(markdown_text(message))
show_failure(FORM)
with st.form("assign-form", border=True):
    catalogue = {m.id: m for m in skill_modules.modules()}
    st.selectbox(_("Module"), list(catalogue), key="assign-module",
                 format_func=lambda m: option_text(f"{catalogue[m].icon} {catalogue[m].title}"))
    st.text_input(_("A short note for your client (optional)"),
                  key="assign-note", placeholder=_("e.g. Let's talk about this on Thursday"))
    field_message(FORM, "note")
    st.form_submit_button(_("Assign"), type="primary", on_click=assign, args=(chosen,))
    failure_beside_button(FORM)
for p in data.progress:
    if p.assignment is None:
        continue
    a = p.assignment
    cols = st.columns([4, 1])
    by = data.assigned_by.get(a.therapist_id) or _("a former therapist")
    cols[0].markdown(f"📌 **{markdown_text(p.module.title)}** · " + _("assigned {when} by {who}")
                     .format(when=markdown_text(format_moment(a.assigned_at)),
                             who=markdown_text(by))
                     + (f"  \n{markdown_text(a.note)}" if a.note else ""))
    cols[1].button(_("Withdraw"), key=f"withdraw-{a.id}", on_click=withdraw, args=(a.id,))

st.header(_("Modules"))
for p in data.progress:
    m = p.module
    mark = " · " + _("📌 assigned") if p.assignment else ""
    done = " · " + _("✅ complete") if p.complete else ""
    with st.expander(f"{label_text(m.icon)} {label_text(m.title)} — " + _(
            "lessons {lessons_done}/{lessons}, exercises {exercises_done}/{exercises}").format(
                lessons_done=number_text(p.lessons_done), lessons=number_text(len(m.lessons)),
                exercises_done=number_text(p.exercises_done),
                exercises=number_text(len(m.exercises))) + f"{mark}{done}"):
        read = [lesson.title for lesson in m.lessons if lesson.id in p.lessons_read]
        st.caption(_("Lessons read: {lessons}").format(
            lessons=markdown_text(", ".join(read)) if read else _("none yet")))
        for exercise in m.exercises:
            versions = data.versions.get((m.id, exercise.id), [])
            if not versions:
                st.markdown(f"**{markdown_text(exercise.title)}** · " + _("not done yet"))
                continue
            latest = versions[0]
            st.markdown(f"**{markdown_text(exercise.title)}** · " + _(
                "version {version}, saved {when}").format(
                    version=number_text(latest.version),
                    when=markdown_text(format_moment(latest.created_at))))
            with st.container(border=True):
                show_answers(exercise, latest.answers)
            history(exercise, versions, key=f"t-history-{chosen}-{m.id}-{exercise.id}")

st.header(_("Practice log"))
if not data.practice:
    st.caption(_("No skills logged yet."))
for use in data.summary:
    st.markdown(f"**{markdown_text(use.skill)}** · {number_text(use.times)}× · " + _(
        "helped {n}/10 on average").format(n=number_text(use.average_helped, 'g')))
if data.practice:
    st.caption(_("Most recent"))
for entry in data.practice:
    note = f" · {markdown_text(entry.note)}" if entry.note else ""
    st.markdown(f"{markdown_text(format_moment(entry.at))} · {markdown_text(entry.skill)} · "
                + _("helped **{n}**/10").format(n=number_text(entry.helped)) + note)
