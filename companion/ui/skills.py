"""Skills widgets shared by the client and therapist pages: an exercise's form (one widget
per typed field, saved as a new version), saved answers shown as plain text, and the
breathing timer (drawn by the server once a second, no custom scripts)."""
from __future__ import annotations

import time
from datetime import datetime

import streamlit as st

from companion import skills
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.i18n import _, format_moment
from companion.models import SkillAnswer
from companion.skill_modules import TEXT_LIMITS, Exercise, FieldSpec, Module, Timer
from companion.ui import drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                                remember_failure, show_failure)
from companion.ui.text import label_text, markdown_text, number_text

SAVED = "_skill_saved"


def _scale_label(spec: FieldSpec) -> str:
    low, high = number_text(spec.min), number_text(spec.max)
    if spec.low_label and spec.high_label:
        return (f"{label_text(spec.label)} ({low} = {label_text(spec.low_label)}, "
                f"{high} = {label_text(spec.high_label)})")
    return f"{label_text(spec.label)} ({low}–{high})"


def _field_label(spec: FieldSpec) -> str:
    label = _scale_label(spec) if spec.type == "scale" else label_text(spec.label)
    return f"{label} *" if spec.required else label


def _widget(spec: FieldSpec, key: str, value) -> None:
    label = _field_label(spec)
    hint = markdown_text(spec.help) if spec.help else None
    if spec.type == "short_text":
        st.text_input(label, value or "", key=key, help=hint)
    elif spec.type == "long_text":
        st.text_area(label, value or "", key=key, help=hint, height=110)
    elif spec.type == "choice":
        st.radio(label, spec.options, key=key, help=hint,
                 format_func=lambda o: label_text(spec.option_label(o)),
                 width="stretch",
                 index=spec.options.index(value) if value in spec.options else None)
    elif spec.type == "choices":
        st.pills(label, spec.options, selection_mode="multi", key=key, help=hint,
                 format_func=lambda o: label_text(spec.option_label(o)),
                 default=[v for v in (value or []) if v in spec.options])
    elif spec.type == "scale" and spec.max - spec.min <= 10:
        st.pills(label, list(range(spec.min, spec.max + 1)), selection_mode="single",
                 key=key, help=hint, default=value if isinstance(value, int) else None)
    elif spec.type == "scale":
        st.select_slider(label, list(range(spec.min, spec.max + 1)), key=key, help=hint,
                         value=value if isinstance(value, int) else spec.min)
    else:  # time of day
        chosen = datetime.strptime(value, "%H:%M").time() if value else None
        st.time_input(label, chosen, key=key, help=hint, step=900)


def _read(spec: FieldSpec, raw):
    if spec.type == "time":
        return raw.strftime("%H:%M") if raw is not None else None
    if spec.type == "choices":
        return list(raw or [])
    if spec.type in TEXT_LIMITS:
        return raw or ""
    return raw


def _timer_keys(module: Module, exercise: Exercise) -> tuple[str, str]:
    base = f"timer-{module.id}-{exercise.id}"
    return f"{base}-started", f"{base}-done"


def _save(actor: Actor, module: Module, exercise: Exercise, version: int, key: str,
          form: str) -> None:
    ss = st.session_state
    answers = {spec.id: _read(spec, ss.get(key + spec.id)) for spec in exercise.fields}
    _, done = _timer_keys(module, exercise)
    if exercise.timer is not None and ss.get(done) is not None:
        answers[skills.TIMER_KEY] = int(ss[done])
    try:
        with session_scope() as session:
            row = skills.save_answers(session, actor, module.id, exercise.id, answers,
                                      expected_version=version)
    except CompanionError as exc:
        remember_failure(form, exc)
        if isinstance(exc, StaleEdit):  # the form reloads at the newer version: keep the draft
            ss[f"_draft-{form}"] = answers
        return
    clear_failure(form)
    drafts.saved(form)
    ss.pop(done, None)
    ss[SAVED] = (module.id, exercise.id, row.version)


def exercise_form(actor: Actor, module: Module, exercise: Exercise,
                  current: SkillAnswer | None) -> None:
    """The exercise's fields, filled with the latest saved answers; saving adds a version."""
    form = f"skill-{module.id}-{exercise.id}"
    version = current.version if current else 0
    start = st.session_state.pop(f"_draft-{form}", None) or (current.answers if current else {})
    key = f"sk-{module.id}-{exercise.id}-{version}-"
    saved = st.session_state.get(SAVED)
    if saved and saved[:2] == (module.id, exercise.id):
        st.session_state.pop(SAVED)
        st.success(_("Saved. Well done for practising. 🌱") if saved[2] == 1 else
                   _("Saved. Your earlier answers are kept too."))
    elif current is not None:
        when = markdown_text(format_moment(current.created_at))
        st.caption(_("Last saved {when} (version {version}). Change anything and save again; "
                     "earlier versions are kept.").format(when=when,
                                                          version=number_text(current.version))
                   if current.version > 1 else
                   _("Last saved {when}. Change anything and save again; earlier versions "
                     "are kept.").format(when=when))
    show_failure(form)
    if any(spec.required for spec in exercise.fields):
        st.caption(_("Answers marked * are needed to save; the rest are up to you."))
    # A timed exercise is not a form: its ratings must survive the timer's reruns.
    holder = st.container() if exercise.timer else st.form(form, border=False)
    with holder:
        drafts.keep(form, key)  # what is typed survives a reload
        if exercise.timer and exercise.timer.after_field is None:
            breathing_timer(module, exercise)
        for spec in exercise.fields:
            _widget(spec, key + spec.id, start.get(spec.id))
            field_message(form, spec.id)
            if exercise.timer and exercise.timer.after_field == spec.id:
                breathing_timer(module, exercise)
        args = (actor, module, exercise, version, key, form)
        if exercise.timer:
            st.button(_("Save"), type="primary", width="stretch", on_click=_save, args=args,
                      key=f"save-{form}")
        else:
            st.form_submit_button(_("Save"), type="primary", width="stretch", on_click=_save,
                                  args=args)
        failure_beside_button(form)


def _value_text(spec: FieldSpec, value) -> str:
    if spec.type == "choices":
        return ", ".join(spec.option_label(str(v)) for v in value)
    if spec.type == "choice":
        return spec.option_label(str(value))
    if spec.type == "scale":
        return f"{value}/{spec.max}"
    return str(value)


def show_answers(exercise: Exercise, answers: dict) -> None:
    """Saved answers as plain text (what a person typed is never read as markdown)."""
    shown = False
    for spec in exercise.fields:
        value = answers.get(spec.id)
        if value is None or value == "" or value == []:
            continue
        st.markdown(f"**{markdown_text(spec.label)}**  \n"
                    f"{markdown_text(_value_text(spec, value))}")
        shown = True
    seconds = answers.get(skills.TIMER_KEY)
    if seconds:
        st.caption(_("Timer: {minutes} min {seconds} s").format(
            minutes=number_text(seconds // 60), seconds=number_text(seconds % 60)))
    if not shown:
        st.caption(_("No answers."))


def history(exercise: Exercise, versions: list[SkillAnswer], key: str) -> None:
    """Earlier versions (all but the newest), behind a toggle."""
    earlier = versions[1:]
    if not earlier:
        return
    if st.toggle(_("Show earlier versions ({count})").format(count=number_text(len(earlier))),
                 key=key):
        for row in earlier:
            with st.container(border=True):
                st.caption(_("Version {version} · saved {when}").format(
                    version=number_text(row.version),
                    when=markdown_text(format_moment(row.created_at))))
                show_answers(exercise, row.answers)


# --- the breathing timer -----------------------------------------------------------------

def _start(started: str, done: str) -> None:
    st.session_state[started] = time.time()
    st.session_state.pop(done, None)


def _finish(started: str, done: str, limit: int) -> None:
    begun = st.session_state.pop(started, None)
    if begun is not None:
        st.session_state[done] = min(limit, int(time.time() - begun))


def _stop(started: str) -> None:
    st.session_state.pop(started, None)


def breathing_timer(module: Module, exercise: Exercise) -> None:
    timer = exercise.timer
    if timer is None:
        return
    started, done = _timer_keys(module, exercise)
    minutes = max(1, round(timer.seconds / 60))
    if (seconds := st.session_state.get(done)) is not None:
        st.success(_("You breathed for {minutes} min {seconds} s. Notice how you feel, then "
                     "rate it below and save.").format(minutes=number_text(seconds // 60),
                                                       seconds=number_text(seconds % 60)))
        st.button(_("Start the timer again"), on_click=_start, args=(started, done),
                  width="stretch", key=f"again-{started}")
        return
    if started not in st.session_state:
        st.button(_("▶️ Start the breathing timer ({minutes} min)").format(
                      minutes=number_text(minutes)), type="primary",
                  on_click=_start, args=(started, done), width="stretch",
                  key=f"start-{started}")
        return
    _running(timer, started, done)


@st.fragment(run_every=1)
def _running(timer: Timer, started: str, done: str) -> None:
    if started not in st.session_state:
        return
    elapsed = time.time() - st.session_state[started]
    if elapsed >= timer.seconds:
        _finish(started, done, timer.seconds)
        st.rerun()
    cue, count = timer.cue(elapsed)
    left = max(0, timer.seconds - int(elapsed))
    with st.container(border=True):
        st.header(f"{markdown_text(cue)}… {number_text(count)}", anchor=False)
        st.progress(min(1.0, elapsed / timer.seconds),
                    text=_("{minutes}:{seconds} left").format(
                        minutes=number_text(left // 60), seconds=number_text(left % 60, "02d")))
        st.caption(_("Slow and comfortable. If you feel lightheaded, breathe normally for a "
                     "while."))
        cols = st.columns(2)
        cols[0].button(_("I'm done"), type="primary", on_click=_finish,
                       args=(started, done, timer.seconds), width="stretch",
                       key=f"finish-{started}")
        cols[1].button(_("Stop timer"), on_click=_stop, args=(started,), width="stretch",
                       key=f"stop-{started}")
