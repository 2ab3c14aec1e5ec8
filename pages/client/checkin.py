"""Today's check-in: one short form, editable today and tomorrow. A new day's mood, craving,
stress and use start unanswered; only medication and sleep start from the latest."""
from datetime import timedelta

import streamlit as st

from companion import checkins, safety
from companion.checkins import CheckInEntry
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError, StaleEdit
from companion.tags import coping_options, trigger_options
from companion.core.timeutil import clinic_today
from companion.i18n import _, clinic_label, format_moment
from companion.ui import drafts
from companion.ui.forms import (clear_failure, failure_beside_button, field_message,
                               remember_failure, show_failure)
from companion.ui.gate import current_actor, fragment_gate, note_activity, recheck_after
from companion.ui.support import show_support, support_dialog
from companion.ui.text import label_text, markdown_text, number_text, option_text

FORM = "checkin"
# name, label, the numbers to tap, the words at the ends (shown before anything is tapped)
SCALES = (("mood", _("Mood"), range(1, 11), _("1 · very low  …  5 · okay  …  10 · great")),
          ("craving", _("Craving"), range(0, 11), _("0 · none  …  10 · overwhelming")),
          ("stress", _("Anxiety or stress"), range(0, 11),
           _("0 · none  …  10 · overwhelming")))
SLEEP_WORDS = {1: _("Poor"), 2: _("Restless"), 3: _("Okay"), 4: _("Good"), 5: _("Great")}
# The answers' keys are the service's (checkins.USED_CHOICES, MEDICATION_CHOICES).
USED_WORDS = {"no": _("No"), "yes": _("Yes"), "prefer_not": _("Prefer not to say")}
MED_OPTIONS = {None: _("Not on medication"), "yes": _("Yes"), "no": _("No")}
DAY_WORDS = {"Today": _("Today"), "Yesterday": _("Yesterday")}

current_actor()  # signed in, or nothing below runs
st.title(_("Daily check-in"))


@st.fragment
def checkin() -> None:
    """The day, the form and its save. A fragment: a save reruns only this, not the sign-in
    gate, crisis panel and navigation around it (issue 16: a save's wall time under load).
    The save's own transaction re-checks the session (`access.require_current`) and notes
    the activity the skipped gate would have; a risk answer's response opens from this run
    (a dialog, and below the form's top) as it did from the whole page's."""
    fragment_gate()  # signed out, idle or refused: the whole page's run, through the gate
    actor = current_actor()  # this run's (a save notes activity on it)
    today = clinic_today()
    which = st.segmented_control(_("Day"), list(DAY_WORDS), default="Today",
                                 format_func=DAY_WORDS.get,
                                 label_visibility="collapsed") or "Today"
    day = today if which == "Today" else today - timedelta(days=1)

    with session_scope() as session:
        existing = checkins.current(session, actor, actor.id, day)
        start = (checkins.entry_of(session, existing) if existing
                 else checkins.defaults(session, actor))
        triggers = trigger_options(session, actor.id)
        coping = coping_options(session, actor.id)
    version = existing.version if existing else 0
    start = st.session_state.pop("_checkin_draft", None) or start
    key = f"ci-{day}-{version}-"

    def save() -> None:
        ss = st.session_state
        entry = CheckInEntry(
            mood=ss[key + "mood"], craving=ss[key + "craving"], stress=ss[key + "stress"],
            sleep_hours=ss[key + "sleep_hours"], sleep_quality=ss[key + "sleep_quality"],
            used=ss[key + "used"], substances=ss[key + "substances"],
            use_details=ss[key + "use_details"], triggers=ss[key + "triggers"],
            new_trigger=ss[key + "new_trigger"], skills=ss[key + "skills"],
            medication=ss[key + "medication"], note=ss[key + "note"],
            bring_to_group=ss[key + "bring_to_group"])
        try:
            with session_scope() as session:
                result = checkins.record_checkin(session, actor, entry, day=day,
                                                 expected_version=version)
                note_activity(session)  # the gate this fragment's run skips would have
        except CompanionError as exc:
            recheck_after(exc)
            remember_failure(FORM, exc)
            st.toast(markdown_text(str(exc)), icon="✏️")  # in view at the Save button too
            if isinstance(exc, StaleEdit):  # the form reloads at the newer version: keep it
                ss["_checkin_draft"] = entry
            return
        clear_failure(FORM)
        drafts.saved(f"{FORM}-{day}")
        if result.checkin.used == "yes":
            ss["lookback_checkin"] = result.checkin.id
        ss["_checkin_saved"] = (result.checkin.day, result.checkin.version, result.support)

    saved = st.session_state.pop("_checkin_saved", None)
    if saved:
        st.toast(_("Check-in saved."), icon="✅")  # in view wherever the phone is scrolled
        st.success(_("Saved — thank you for checking in. That counts. 🌱") if saved[1] == 1
                   else _("Saved — thank you for checking in."))
        if saved[2] is not None:  # a risk answer: the response opens in view, and stays below
            with session_scope() as session:
                plan = safety.current(session, actor, actor.id)
            support_dialog(saved[2], plan)
            show_support(saved[2])
    elif existing:
        when = markdown_text(format_moment(existing.created_at))
        st.caption(_("Saved {when} (changed {count}×). You can change it today and tomorrow; "
                     "earlier answers are kept.").format(when=when,
                                                         count=number_text(existing.version - 1))
                   if existing.version > 1 else
                   _("Saved {when}. You can change it today and tomorrow; earlier answers are "
                     "kept.").format(when=when))
    show_failure(FORM)

    with st.form(f"checkin-{day}-{version}", border=False):
        # what is typed survives a reload; this fragment draws its own drafts component
        # (below), as a save reruns only the fragment
        drafts.keep(f"{FORM}-{day}", key)
        for name, label, numbers, ends in SCALES:  # pills: nothing is chosen until tapped
            with st.container(key=f"scale-{name}", gap=None):  # two rows (app.css)
                st.markdown(f"**{markdown_text(label)}**")
                st.caption(markdown_text(ends))
                st.pills(label_text(label), list(numbers), default=getattr(start, name),
                         key=key + name, format_func=number_text,
                         label_visibility="collapsed", width="stretch")
            field_message(FORM, name)
        cols = st.columns(2)
        cols[0].number_input(_("Hours of sleep"), 0.0, 24.0, float(start.sleep_hours), 0.5,
                             key=key + "sleep_hours")
        cols[1].selectbox(_("Sleep quality"), list(SLEEP_WORDS), index=start.sleep_quality - 1,
                          format_func=SLEEP_WORDS.get, key=key + "sleep_quality")
        field_message(FORM, "sleep_hours")
        st.radio(_("Did you use today?"), list(USED_WORDS),
                 format_func=USED_WORDS.get,
                 index=list(USED_WORDS).index(start.used) if start.used else None,
                 horizontal=True, key=key + "used")
        field_message(FORM, "used")
        with st.expander(_("If you used: what, and anything you want to add (optional)")):
            st.multiselect(_("What did you use?"), list(get_clinic().substances),
                           default=[s for s in start.substances
                                    if s in get_clinic().substances],
                           format_func=lambda t: option_text(clinic_label(t)),
                           key=key + "substances")
            field_message(FORM, "substances")
            st.text_area(_("Details (optional)"), start.use_details,
                         key=key + "use_details", height=80)
            field_message(FORM, "use_details")
        st.multiselect(_("Triggers today"), triggers,
                       default=[t for t in start.triggers if t in triggers],
                       key=key + "triggers",
                       format_func=lambda t: option_text(clinic_label(t)),
                       placeholder=_("Choose any that fit"))
        field_message(FORM, "triggers")
        st.text_input(_("Another trigger, in your words (optional)"), start.new_trigger,
                      key=key + "new_trigger")  # kept with the draft after a stale edit
        field_message(FORM, "new_trigger")
        st.multiselect(_("Skills I used today"), coping,
                       default=[s for s in start.skills if s in coping],
                       format_func=lambda t: option_text(clinic_label(t)),
                       key=key + "skills", placeholder=_("Choose any you used"))
        field_message(FORM, "skills")
        st.radio(_("Took my medication as prescribed"), list(MED_OPTIONS),
                 format_func=MED_OPTIONS.get,
                 index=list(MED_OPTIONS).index(start.medication), horizontal=True,
                 key=key + "medication")
        st.text_area(_("Note (optional, just for you and your therapist)"), start.note,
                     key=key + "note", height=80)
        field_message(FORM, "note")
        st.text_input(_("Something I want to bring to group (optional)"),
                      start.bring_to_group, key=key + "bring_to_group")
        field_message(FORM, "bring_to_group")
        st.form_submit_button(_("Save check-in"), type="primary", width="stretch",
                              on_click=save)
        failure_beside_button(FORM)
    drafts.draw(actor.id, key="_drafts_checkin")  # a save's run drops its draft here


checkin()
