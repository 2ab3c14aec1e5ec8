"""Group sessions: the next two weeks for my track and site, going or not, my calendar
subscription and calendar files, a daily check-in reminder, and how far along I am."""
from datetime import time

import streamlit as st

from companion import groups
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.models import Role
from companion.core.timeutil import utcnow
from companion.i18n import _, format_time, group_text, ngettext
from companion.ui.gate import current_actor
from companion.ui.groups import calendar_download, headline_markdown, progress_line, status_line
from companion.ui.subscription import subscription_panel
from companion.ui.text import markdown_text, number_text

actor = current_actor()


def save_reminder(on: bool) -> None:
    with session_scope() as session:
        groups.set_reminder(session, actor, st.session_state["reminder-at"] if on else None)
    st.session_state["_reminder_saved"] = (
        _("Daily reminder set for {time}.").format(
            time=_clock(st.session_state["reminder-at"])) if on
        else _("Daily reminder turned off."))


def _clock(at: time) -> str:
    """A wall-clock time of day in this run's language ('8:00 PM' / '8:00 p.m.')."""
    from datetime import datetime

    from companion.core.timeutil import clinic_zone

    return format_time(datetime.combine(utcnow().date(), at, tzinfo=clinic_zone()))


def reminder_section(remind_at: time | None) -> None:
    st.header(_("Daily check-in reminder"))
    st.caption(_("Pick a time and your calendar also carries a daily “Check in” with an alarm "
                 "at that time (a subscribed calendar picks up a new time by itself)."))
    if message := st.session_state.pop("_reminder_saved", None):
        st.success(markdown_text(message))
    st.time_input(_("Remind me at"), value=remind_at or time(20, 0), step=900, key="reminder-at",
                  format="12h")
    cols = st.columns(2)
    cols[0].button(_("Save reminder time"), key="reminder-save", on_click=save_reminder,
                   args=(True,), type="primary", width="stretch")
    cols[1].button(_("Turn off"), key="reminder-off", on_click=save_reminder, args=(False,),
                   width="stretch", disabled=remind_at is None)
    if remind_at is not None:
        st.caption(_("Now: every day at {time}.").format(time=markdown_text(_clock(remind_at))))
    st.caption(_("All times are the clinic's local time."))


if actor.role == Role.ALUMNI:   # no group sessions after discharge; the check-in goes on
    st.title(_("My calendar"))
    st.caption(_("Group sessions were part of the program. Your calendar can still remind "
                 "you to check in every day."))
    subscription_panel(actor)
    with session_scope() as session:
        alumni_reminder = groups.reminder(session, actor)
    reminder_section(alumni_reminder)
    st.stop()
st.title(_("Group sessions"))
if actor.role != Role.CLIENT:
    st.info(_("Group sessions are for clients in the program. Your check-ins and plans are "
              "still here whenever you need them."))
    st.stop()

discreet = st.session_state.get("ics-discreet", True)  # the toggle below; read for every file
with session_scope() as session:
    progress = groups.progress(session, actor, actor.id)
    missed = groups.missed_note(session, actor)
    upcoming = groups.upcoming_for_client(session, actor)
    remind_at = groups.reminder(session, actor)


def answer(key: str, going: bool) -> None:
    series_id, at = groups.parse_key(key)
    reason = "" if going else st.session_state.get(f"reason-{key}", "")
    try:
        with session_scope() as session:
            groups.rsvp(session, actor, series_id, at, going, reason)
    except CompanionError as exc:
        st.session_state[f"_rsvp_error_{key}"] = str(exc)
    else:
        st.session_state[f"_rsvp_saved_{key}"] = (
            _("See you there. 🌱") if going else _("Thanks for letting us know."))


if missed is not None:
    st.info(_("We missed you at {session}. We hope you're okay — life gets in the way "
              "sometimes, and you're always welcome back. If something is making it hard to "
              "come, your therapist would like to help.").format(
                  session=markdown_text(missed.missed)), icon="💛")
    if missed.next_sessions:
        st.markdown(_("**Your next sessions:**") + "  \n" + "  \n".join(
            headline_markdown(s.occurrence) for s in missed.next_sessions))

with st.container(border=True):
    progress_line(progress)

st.header(_("The next two weeks"))
if not upcoming:
    st.caption(_("No group sessions are scheduled for your track and site in the next two "
                 "weeks. Your therapist can tell you more."))
for item in upcoming:
    occ, key = item.occurrence, item.occurrence.key
    with st.container(border=True):
        st.markdown(headline_markdown(occ) + "  \n" + _("with {facilitator}").format(
            facilitator=markdown_text(item.facilitator)))
        if occ.series.topic:
            st.caption(markdown_text(group_text(occ.series.topic)))
        status_line(occ)
        if occ.cancelled:
            continue
        if occ.starts_at <= utcnow():  # under way: nothing left to answer
            st.caption(_("Happening now."))
            continue
        if message := st.session_state.pop(f"_rsvp_saved_{key}", None):
            st.success(markdown_text(message))
        if message := st.session_state.pop(f"_rsvp_error_{key}", None):
            st.error(markdown_text(message))
        if item.is_going:
            st.markdown(_("You're going ✅"))
        elif item.rsvp is not None:
            st.markdown(_("You can't make this one — {reason}.").format(
                reason=markdown_text(item.rsvp.reason)) if item.rsvp.reason
                else _("You can't make this one."))
        elif item.spots_left <= 3:
            st.caption(_("This session is full.") if item.spots_left == 0
                       else ngettext("{n} seat left.", "{n} seats left.",
                                     item.spots_left).format(n=number_text(item.spots_left)))
        # The chosen answer looks chosen (filled), never disabled: a faded "Going" reads as
        # "you can't"; tapping the chosen one again changes nothing.
        declined = item.rsvp is not None and not item.is_going
        cols = st.columns(2)
        cols[0].button(_("✅ Going"), key=f"go-{key}", on_click=answer, args=(key, True),
                       width="stretch", type="secondary" if declined else "primary")
        cols[1].button(_("Can't make it"), key=f"no-{key}", on_click=answer, args=(key, False),
                       width="stretch", type="primary" if declined else "secondary")
        if item.rsvp is not None and not item.is_going:
            st.text_input(_("Reason (optional, for your therapist)"), key=f"reason-{key}",
                          value=item.rsvp.reason)
            st.button(_("Save reason"), key=f"why-{key}", on_click=answer, args=(key, False),
                      width="stretch")
        if occ.series.link:
            st.link_button(_("Join online"), occ.series.link, width="stretch", icon="💻")
        calendar_download(actor, _("Add to my calendar"), key, discreet, f"ics-{key}")

st.header(_("My calendar"))
subscription_panel(actor)
with st.expander(_("Or download a one-time calendar file")):
    st.caption(_("Every session of the next eight weeks, with reminders. A file doesn't "
                 "update itself: download it again after a change."))
    discreet = st.toggle(_("Discreet titles (“Appointment”)"), value=True, key="ics-discreet",
                         help=_("Leaves the program's name, topics and site out of your "
                                "calendar, in case others can see it."))
    calendar_download(actor, _("Download all my sessions"), None, discreet, "ics-all")

reminder_section(remind_at)
