"""Skills: modules with short lessons and exercises, what to try next, what the therapist
assigned, and a practice log of skills used in daily life."""
import logging

import streamlit as st

from companion import skill_modules, skills
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _, gettext, ngettext
from companion.skill_modules import SkillContentError
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.scroll import to_top
from companion.ui.skills import exercise_form, history
from companion.ui.text import (clinic_markdown, label_text, markdown_text, number_text,
                               option_text)

# The view lives in the URL (?module=…&lesson=…|&exercise=…), so a reload or a bookmark
# opens it again and the phone's Back button steps back out of it: () is all modules,
# (module,) one module, (module, "lesson"|"exercise", id) one item.
URL_KEYS = ("module", "lesson", "exercise")
LOG = "skill-log"
actor = current_actor()


def url_view() -> tuple[str, ...]:
    module = st.query_params.get("module")
    if not module:
        return ()
    for kind in ("lesson", "exercise"):
        if item := st.query_params.get(kind):
            return (module, kind, item)
    return (module,)


def go(*view: str) -> None:
    for key in URL_KEYS:
        st.query_params.pop(key, None)
    if view:
        st.query_params["module"] = view[0]
    if len(view) == 3:
        st.query_params[view[1]] = view[2]


def mark_read(module_id: str, lesson_id: str) -> None:
    try:
        with session_scope() as session:
            skills.mark_lesson_read(session, actor, module_id, lesson_id)
    except CompanionError as exc:
        st.session_state["_skill_error"] = str(exc)


def log_practice() -> None:
    ss = st.session_state
    try:
        with session_scope() as session:
            skills.log_practice(session, actor, ss.get("log-skill"), ss.get("log-helped"),
                                ss.get("log-note", ""))
    except CompanionError as exc:
        remember_failure(LOG, exc)
        return
    clear_failure(LOG)
    ss["_skill_logged"] = ss["log-skill"]
    for name in ("log-skill", "log-helped", "log-note"):
        ss.pop(name, None)


def assigned_note(progress: skills.ModuleProgress) -> None:
    if progress.assignment is None:
        return
    note = progress.assignment.note
    st.info(_("📌 **Assigned by your therapist**: {note}").format(note=markdown_text(note))
            if note else _("📌 **Assigned by your therapist**"))


def progress_markdown(p: skills.ModuleProgress) -> str:
    m = p.module
    return _("{read} of {lessons} lessons read · {done} of {exercises} exercises done · "
             "about {minutes} min in all").format(
        read=number_text(p.lessons_done), lessons=number_text(len(m.lessons)),
        done=number_text(p.exercises_done), exercises=number_text(len(m.exercises)),
        minutes=number_text(m.estimated_minutes))


try:
    with session_scope() as session:
        found = skills.progress(session, actor, actor.id)
except SkillContentError:  # logged; a test names the file and field at fault
    logging.getLogger("companion").exception("data/skills content is broken")
    st.error(_("The skills lessons can't be shown right now. Please let the program's staff "
               "know. Everything you saved is safe."))
    st.stop()
by_id = {p.module.id: p for p in found}
view = url_view()
if view and view[0] not in by_id:  # a module was removed from data/skills, or a typo
    view = ()
to_top("-".join(view) or "all")  # a new view starts at its title
if message := st.session_state.pop("_skill_error", None):
    st.error(markdown_text(message))

if not view:
    st.title(_("Skills"))
    st.caption(_("Short lessons and exercises to practise between sessions. Go at your own "
                 "pace; your answers are saved for you and your therapist."))
    steps = skills.next_steps(found)
    if steps:
        st.header(_("What to try next"))
    for n, step in enumerate(steps):
        with st.container(border=True):
            if step.reason == skills.ASSIGNED:
                st.markdown(f"📌 **{markdown_text(gettext(skills.ASSIGNED))}**")
                note = by_id[step.module.id].assignment.note
                if note:
                    st.markdown(markdown_text(note))
            else:
                st.caption(markdown_text(gettext(step.reason)))
            label = (_("Read: {title} ({module})") if step.kind == "lesson"
                     else _("Try: {title} ({module})"))
            st.button(label.format(title=label_text(step.title),
                                   module=label_text(step.module.title)),
                      key=f"next-{n}",
                      on_click=go, args=(step.module.id, step.kind, step.item_id),
                      width="stretch", type="primary" if n == 0 else "secondary")

    st.header(_("I used a skill today"))
    if logged := st.session_state.pop("_skill_logged", None):
        st.success(_("Logged: {skill}. Every time you practise, it gets easier. 🌱").format(
            skill=markdown_text(skill_modules.skill_label(logged))))
    show_failure(LOG)
    with st.form("skill-log-form", border=True):
        names = {skill: module for skill, module in skills.all_skills()}
        st.selectbox(_("Which skill?"), list(names), index=None, key="log-skill",
                     format_func=lambda s: option_text(f"{names[s].icon} "
                                                       f"{names[s].skill_label(s)}"),
                     placeholder=_("Choose a skill"))
        field_message(LOG, "skill")
        st.pills(_("How much did it help? (0 = not at all, 10 = a lot)"), list(range(11)),
                 key="log-helped")
        field_message(LOG, "helped")
        st.text_input(_("A note (optional)"), key="log-note")
        field_message(LOG, "note")
        st.form_submit_button(_("Log it"), type="primary", width="stretch", on_click=log_practice)
        failure_beside_button(LOG)
    with session_scope() as session:
        helped = skills.practice_summary(session, actor, actor.id)
    if helped:
        with st.expander(_("What has helped me")):
            for use in helped[:8]:
                st.markdown(ngettext(
                    "**{skill}** · helped {average}/10 on average · {times} time",
                    "**{skill}** · helped {average}/10 on average · {times} times",
                    use.times).format(skill=markdown_text(skill_modules.skill_label(use.skill)),
                                      average=number_text(use.average_helped, "g"),
                                      times=number_text(use.times)))

    st.header(_("All modules"))
    for p in found:
        m = p.module
        with st.container(border=True):
            st.markdown(f"### {markdown_text(m.icon)} {markdown_text(m.title)}")
            if p.assignment is not None:
                st.markdown(_("📌 **Assigned by your therapist**"))
            st.markdown(clinic_markdown(m.summary))
            total = len(m.lessons) + len(m.exercises)
            st.progress((p.lessons_done + p.exercises_done) / total)
            st.caption(progress_markdown(p))
            st.button(_("Continue") if p.started else _("Open"), key=f"open-{m.id}", on_click=go,
                      args=(m.id,), width="stretch")
    st.stop()

p = by_id[view[0]]
module = p.module

if len(view) == 1:
    st.button(_("← All skills"), on_click=go, key="back-all")
    st.title(f"{markdown_text(module.icon)} {markdown_text(module.title)}")
    assigned_note(p)
    st.markdown(clinic_markdown(module.summary))
    st.caption(progress_markdown(p))
    st.header(_("Lessons"))
    for lesson in module.lessons:
        done = lesson.id in p.lessons_read
        st.button(_("{mark} {title} · {minutes} min read").format(
                      mark="✅" if done else "📖", title=label_text(lesson.title),
                      minutes=number_text(lesson.minutes)),
                  key=f"lesson-{lesson.id}", on_click=go,
                  args=(module.id, "lesson", lesson.id), width="stretch")
    st.header(_("Exercises"))
    for exercise in module.exercises:
        done = exercise.id in p.done
        st.button(_("{mark} {title} · {minutes} min").format(
                      mark="✅" if done else "✏️", title=label_text(exercise.title),
                      minutes=number_text(exercise.minutes)),
                  key=f"exercise-{exercise.id}", on_click=go,
                  args=(module.id, "exercise", exercise.id), width="stretch")
    st.stop()

kind, item_id = view[1], view[2]
st.button(f"← {label_text(module.title)}", on_click=go, args=(module.id,), key="back-module")

if kind == "lesson":
    lesson = module.lesson(item_id)
    if lesson is None:
        st.warning(_("That lesson isn't available any more."))
        st.stop()
    st.title(markdown_text(lesson.title))
    st.caption(_("{module} · about {minutes} min read").format(
        module=markdown_text(module.title), minutes=number_text(lesson.minutes)))
    st.markdown(clinic_markdown(lesson.body))
    if item_id in p.lessons_read:
        st.success(_("✅ You've read this one."))
    else:
        st.button(_("I've read this"), type="primary", width="stretch", on_click=mark_read,
                  args=(module.id, lesson.id), key="mark-read")
    upcoming = p.next_item()
    if upcoming is not None and upcoming[1] != item_id:
        st.button(_("Next: {title}").format(title=label_text(upcoming[2])), on_click=go, args=(module.id, *upcoming[:2]),
                  width="stretch", key="next-item")
    st.stop()

exercise = module.exercise(item_id)
if exercise is None:
    st.warning(_("That exercise isn't available any more."))
    st.stop()
st.title(markdown_text(exercise.title))
st.caption(_("{module} · about {minutes} min").format(module=markdown_text(module.title),
                                                   minutes=number_text(exercise.minutes)))
st.markdown(clinic_markdown(exercise.intro))
if exercise.caution:
    st.warning(clinic_markdown(exercise.caution), icon="⚠️")
with session_scope() as session:
    versions = skills.answer_history(session, actor, actor.id, module.id, exercise.id)
exercise_form(actor, module, exercise, versions[0] if versions else None)
history(exercise, versions, key=f"history-{module.id}-{exercise.id}")
