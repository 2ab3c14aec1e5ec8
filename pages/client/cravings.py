"""Cravings: a two-tap quick log, the urge-surfing timer, details, and "how strong now?"."""

import streamlit as st

from companion import cravings
from companion.cravings import OUTCOMES, CravingEntry
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.tags import coping_options, trigger_options
from companion.core.timeutil import to_clinic
from companion.i18n import _, clinic_label, format_time, gettext, weekday_name
from companion.ui import drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor
from companion.ui.support import show_support
from companion.ui.surf import surf_timer
from companion.ui.text import label_text, markdown_text, number_text, option_text

FORM = "craving"
actor = current_actor()
st.title(_("Cravings"))


def quick_log() -> None:
    level = st.session_state.get("quick_level")
    if level is None:
        return
    with session_scope() as session:
        saved = cravings.log_craving(session, actor, CravingEntry(intensity=int(level)))
    st.session_state["craving_id"] = saved.craving.id
    st.session_state["cr-intensity"] = int(level)
    st.session_state["_craving_support"] = saved.support
    st.session_state["quick_level"] = None


def followup(craving_id: int, widget: str) -> None:
    try:
        with session_scope() as session:
            cravings.record_followup(session, actor, craving_id,
                                     int(st.session_state[widget]))
    except CompanionError as exc:
        st.session_state["_followup_error"] = str(exc)


with session_scope() as session:
    pending = cravings.pending_followups(session, actor)
for craving, strategies in pending:
    with st.container(border=True):
        st.markdown(_("**Earlier ({time}) the craving was {level}/10** and you tried: "
                      "{strategies}.").format(
            time=markdown_text(format_time(craving.at)), level=number_text(craving.intensity),
            strategies=markdown_text(", ".join(clinic_label(s) for s in strategies))))
        widget = f"followup-{craving.id}"
        st.select_slider(_("How strong is it now?"), options=range(0, 11),
                         value=craving.intensity, key=widget)
        st.button(_("Save"), key=f"save-{widget}", on_click=followup, args=(craving.id, widget),
                  width="stretch")
if message := st.session_state.pop("_followup_error", None):
    st.error(markdown_text(message))

st.header(_("How strong is it right now?"))
st.pills(_("Tap a number to log it (0 = none, 10 = overwhelming)"), options=list(range(0, 11)),
         key="quick_level", on_change=quick_log)

craving_id = st.session_state.get("craving_id")
if craving_id and "cr-intensity" not in st.session_state:
    # Coming back from another page: Streamlit dropped the details form's widget values, so
    # the form starts from what this craving holds (not the slider's first stop, 0).
    try:
        with session_scope() as session:
            logged = cravings.own_craving(session, actor, craving_id)
            st.session_state["cr-intensity"] = logged.intensity
            st.session_state.setdefault("cr-outcome", logged.outcome)
    except CompanionError as exc:
        st.error(markdown_text(exc))
        st.session_state["craving_id"] = craving_id = None
support = st.session_state.pop("_craving_support", None)
if craving_id:
    st.success(_("Logged. Noticing an urge is a skill in itself."))
    if support is not None:
        show_support(support)
    surf_timer(actor, craving_id)


def save_details() -> None:
    ss = st.session_state
    duration = ss["cr-duration"]
    entry = CravingEntry(
        intensity=int(ss["cr-intensity"]), triggers=ss["cr-triggers"],
        new_trigger=ss["cr-new-trigger"], where=ss["cr-where"], with_whom=ss["cr-with"],
        coping=ss["cr-coping"], outcome=ss["cr-outcome"],
        duration_minutes=int(duration) if duration else None, note=ss["cr-note"])
    try:
        with session_scope() as session:
            if ss.get("craving_id"):
                saved = cravings.add_details(session, actor, ss["craving_id"], entry)
            else:
                saved = cravings.log_craving(session, actor, entry)
    except CompanionError as exc:
        remember_failure(FORM, exc)
        return
    clear_failure(FORM)
    drafts.saved(FORM)
    for name in ("cr-intensity", "cr-triggers", "cr-coping", "cr-new-trigger", "cr-where", "cr-with",
                 "cr-note", "cr-outcome", "cr-duration"):
        ss.pop(name, None)
    ss["craving_id"] = None
    ss["_craving_saved"] = saved.support
    ss["_craving_saved_flag"] = True


if st.session_state.pop("_craving_saved_flag", False):
    st.success(_("Saved. Each entry helps you see what works for you."))
    if (saved_support := st.session_state.pop("_craving_saved", None)) is not None:
        show_support(saved_support)

with session_scope() as session:
    triggers = trigger_options(session, actor.id)
    coping = coping_options(session, actor.id)
title = _("Add details to this craving") if craving_id else _("Log a craving with details")
with st.expander(title, expanded=bool(craving_id)):
    show_failure(FORM)
    with st.form("craving-details", border=False):
        drafts.keep(FORM, "cr-")  # what is typed survives a reload
        st.select_slider(_("Intensity"), options=range(0, 11), key="cr-intensity")
        field_message(FORM, "intensity")
        st.multiselect(_("What set it off?"), triggers, key="cr-triggers",
                       format_func=lambda label: option_text(clinic_label(label)),
                       placeholder=_("Choose any that fit"))
        field_message(FORM, "triggers")
        st.text_input(_("Another trigger, in your words (optional)"),
                      key="cr-new-trigger")
        field_message(FORM, "new_trigger")
        cols = st.columns(2)
        cols[0].text_input(_("Where was I?"), key="cr-where")
        cols[1].text_input(_("With whom?"), key="cr-with")
        field_message(FORM, "where")
        field_message(FORM, "with_whom")
        st.multiselect(_("What I did"), coping, key="cr-coping",
                       format_func=lambda label: option_text(clinic_label(label)),
                       placeholder=_("A skill or coping strategy"))
        field_message(FORM, "coping")
        st.radio(_("How did it end?"), [None, *OUTCOMES],
                 format_func=lambda o: (_("Not sure yet") if o is None
                                        else label_text(gettext(OUTCOMES[o]))),
                 horizontal=True, key="cr-outcome")
        st.number_input(_("How long did it last? (minutes)"), min_value=0, max_value=1440,
                        value=None, step=5, key="cr-duration")
        field_message(FORM, "duration_minutes")
        st.text_area(_("Note (optional)"), key="cr-note", height=80)
        field_message(FORM, "note")
        st.form_submit_button(_("Save"), type="primary", width="stretch",
                              on_click=save_details)
        failure_beside_button(FORM)

st.header(_("Recent"))
with session_scope() as session:
    recent = cravings.recent(session, actor, actor.id, limit=10)
if not recent:
    st.caption(_("Nothing logged yet. Logging an urge — even a small one — helps you learn "
                 "your patterns."))
for c in recent:
    ended = (gettext(OUTCOMES[c.outcome]) if c.outcome in OUTCOMES
             else _("not sure yet"))
    when = _("{weekday} {time}").format(
        weekday=weekday_name(to_clinic(c.at).date(), width="abbreviated"),
        time=format_time(c.at))
    level = _("{level}/10").format(level=number_text(c.intensity))
    if c.followup_intensity is not None:
        line = _("**{level}** · {when} · {ended} · later {later}/10").format(
            level=markdown_text(level), when=markdown_text(when), ended=markdown_text(ended),
            later=number_text(c.followup_intensity))
    else:
        line = _("**{level}** · {when} · {ended}").format(
            level=markdown_text(level), when=markdown_text(when), ended=markdown_text(ended))
    st.markdown(line)
