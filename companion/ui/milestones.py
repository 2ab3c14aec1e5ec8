"""The optional "something to look forward to" line: chosen on My account, shown on Home."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from companion import milestones
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.core.timeutil import clinic_today
from companion.i18n import N_, _, gettext
from companion.ui.text import label_text, markdown_text

OFF = "off"
CHOICES = {OFF: N_("Off"), **milestones.KINDS}


def _save(actor: Actor) -> None:
    kind = st.session_state["milestone-kind"]
    try:
        with session_scope() as session:
            milestones.choose(session, actor, None if kind == OFF else kind,
                              st.session_state.get("milestone-since"))
    except CompanionError as exc:
        st.session_state["_milestone_note"] = ("error", str(exc))
    else:
        st.session_state["_milestone_note"] = (
            "success", _("Turned off.") if kind == OFF else _("Saved: it shows on your Home "
                                                                 "page."))


def milestone_settings(actor: Actor) -> None:
    """My account: turn the line on or off, and choose which."""
    st.header(_("Something to look forward to"))
    st.caption(_("An optional line on your Home page. Use days change a number, nothing "
                 "more: no streak ever goes back to zero. Only you see it here."))
    with session_scope() as session:
        chosen = milestones.current(session, actor)
    kinds = list(CHOICES)
    # The labels in this run's language, fixed now: a format_func called later (AppTest
    # reads a widget's value outside the run) gives the same words the options were drawn in.
    shown = {k: gettext(CHOICES[k]) for k in kinds}
    st.radio(_("Show on my Home page"), kinds, format_func=lambda k: label_text(shown[k]),
             key="milestone-kind", width="stretch",
             index=kinds.index(chosen.kind) if chosen else 0)
    if st.session_state.get("milestone-kind") == "since":
        today = clinic_today()
        st.date_input(_("Since"), value=(chosen.since_day if chosen and chosen.since_day
                                         else today - timedelta(days=30)),
                      max_value=today, key="milestone-since", format=_("MM/DD/YYYY"),
                      help=_("Any date that means something to you: a new start, a move, a "
                             "first group."))
    st.button(_("Save"), key="milestone-save", width="stretch", on_click=_save, args=(actor,))
    if note := st.session_state.pop("_milestone_note", None):
        (st.success if note[0] == "success" else st.error)(markdown_text(note[1]))

