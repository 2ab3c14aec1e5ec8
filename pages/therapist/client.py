"""One assigned client's record, in the order a therapist acts on it: open flags (acknowledge
right here, one note for several), since the last session, questionnaires with their answers,
then trends, safety plan, look-backs and the flag history. Each look is audited."""

import streamlit as st

from companion import (brief, caseload, chains, checkins, cravings, flags, instruments, measures,
                       safety, sessions)
from companion.cravings import OUTCOMES
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today
from companion.i18n import _, format_moment, format_short_day, gettext, ngettext
from companion.ui.client_pick import client_links, pick_client
from companion.ui.flags import acknowledge_flags, flag_markdown, undo_panel
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.outcomes import client_outcomes
from companion.ui.safety_plan import show_plan
from companion.ui.text import label_text, markdown_text, number_text
from companion.ui.trends import draw_trends

RECENT_CRAVINGS = 5

actor = current_actor()
st.title(_("Client record"))
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info(_("No clients are assigned to you yet."))
    st.stop()
chosen = pick_client(clients, key="record-client")
if chosen is None:
    st.stop()
name = clients[chosen]
client_links(chosen, name, here="record")
undo_panel(actor)

# --- 1. Open flags, acknowledged right here --------------------------------------------------
with session_scope() as session:
    open_flags = flags.for_client(session, actor, chosen, include_acknowledged=False)
st.header(_("Open flags ({n})").format(n=number_text(len(open_flags))))
if not open_flags:
    st.caption(_("No open flags for {name}.").format(name=markdown_text(name)))


def acknowledge_ticked(ids: list[int]) -> None:
    ticked = [i for i in ids if st.session_state.get(f"rec-tick-{i}")]
    if acknowledge_flags(actor, ticked, st.session_state.get("rec-ack-note", ""), name,
                         "_rec_ack_error"):
        st.session_state["rec-ack-note"] = ""


if open_flags:  # most urgent tier first, the longest-waiting first
    with st.container(border=True):
        for flag in open_flags:
            st.checkbox(label_text(f"{flags.tier_of(flag).icon} {flags.tier_of(flag).shown} — "
                                   f"{flags.label_of(flag)}"),
                        value=True, key=f"rec-tick-{flag.id}")
            st.markdown(flag_markdown(flag))
        st.text_input(_("What I did or will do (one note for the ticked flags)"),
                      key="rec-ack-note",
                      placeholder=_("e.g. Called, safety plan reviewed, seeing them tomorrow"))
        if message := st.session_state.pop("_rec_ack_error", None):
            st.error(markdown_text(message))
        st.button(_("Acknowledge ticked flags"), key="rec-ack", type="primary", width="stretch",
                  on_click=acknowledge_ticked, args=([f.id for f in open_flags],))

# --- 2. Since last session -------------------------------------------------------------------
with session_scope() as session:   # the brief's period: from the last recorded session
    last_session = sessions.last_day(session, actor, chosen)
    since = brief.default_since(session, actor, chosen, last_session)
    period = checkins.in_period(session, actor, chosen, since)
    recent = cravings.recent(session, actor, chosen, limit=15)
st.header(_("Since last session"))
st.caption(
    _("From the last session, {day} (as the pre-session brief).").format(
        day=markdown_text(format_short_day(since))) if last_session
    else ngettext("No session recorded yet: the last {n} day, from {day}.",
                  "No session recorded yet: the last {n} days, from {day}.",
                  brief.DEFAULT_DAYS).format(n=number_text(brief.DEFAULT_DAYS),
                                             day=markdown_text(format_short_day(since))))
today = period[0] if period and period[0].day == clinic_today() else None
if today is None:
    st.markdown(_("No check-in from {name} yet today.").format(name=markdown_text(name)))
else:
    st.markdown(_("**Today:** Mood **{mood}**/10 · craving **{craving}**/10 · stress "
                  "**{stress}**/10 · sleep {sleep} h · used: **{used}**").format(
        mood=number_text(today.mood), craving=number_text(today.craving),
        stress=number_text(today.stress), sleep=number_text(today.sleep_hours, 'g'),
        used=markdown_text(gettext(checkins.USED_CHOICES[today.used]))))
used = [c for c in period if c.used == "yes"]
st.markdown(ngettext("{n} check-in", "{n} check-ins", len(period)).format(
    n=number_text(len(period))) + " · " + ngettext(
    "use reported on {n} day", "use reported on {n} days", len(used)).format(
    n=number_text(len(used))))
for c in period:
    day = markdown_text(format_short_day(c.day))
    if c.bring_to_group:
        st.markdown(_("**{day} · wants to bring to group:**").format(day=day) + " "
                    + markdown_text(c.bring_to_group))
    if c.used == "yes" and c.use_details:
        st.markdown(_("**{day} · use:**").format(day=day) + " " + markdown_text(c.use_details))
    if c.note:
        st.markdown(_("**{day} · note:**").format(day=day) + " " + markdown_text(c.note))


def craving_line(c) -> None:
    ended = gettext(OUTCOMES[c.outcome]) if c.outcome in OUTCOMES else _("not noted")
    after = (" " + _("→ {n}/10 later").format(n=number_text(c.followup_intensity))
             if c.followup_intensity is not None else "")
    st.markdown(f"**{number_text(c.intensity)}/10**{after} · {markdown_text(format_moment(c.at))}"
                f" · {markdown_text(ended)}")


st.markdown(_("**Recent cravings**"))
for c in recent[:RECENT_CRAVINGS]:
    craving_line(c)
if len(recent) > RECENT_CRAVINGS:
    with st.expander(_("{n} earlier").format(n=number_text(len(recent) - RECENT_CRAVINGS))):
        for c in recent[RECENT_CRAVINGS:]:
            craving_line(c)
if not recent:
    st.caption(_("No cravings logged."))

# --- 3. Questionnaires: the latest answers item by item (a risk item marked), then history ---
st.header(_("Questionnaires"))
for instrument in instruments.load_all().values():
    with session_scope() as session:
        latest = measures.latest_answers(session, actor, chosen, instrument.id)
    if latest is None:
        continue
    with st.expander(_("{title} answers, {when}").format(
            title=label_text(instrument.title), when=label_text(format_moment(latest.completed_at))),
                     expanded=any(i.risk and (latest.answers.get(i.id) or 0) > 0
                                  for i in instrument.items(latest.form))):
        for item in instrument.items(latest.form):
            answer = latest.answers.get(item.id)
            shown = next((o.label for o in item.options if o.score == answer), None)
            mark = "🚩 " if item.risk else ""
            words = _("left blank") if answer is None else f"{shown or answer}"
            st.markdown(f"{mark}**{markdown_text(item.id)}.** {markdown_text(item.text)} — "
                        f"**{markdown_text(words)}**"
                        + (" " + _("(risk item)") if item.risk else ""))
client_outcomes(actor, chosen)
measure_trends(actor, chosen, about=name)

# --- 4. Trends and the rest ------------------------------------------------------------------
st.divider()
draw_trends(actor, chosen, key="therapist-trends", about=name)

st.header(_("Safety plan"))
with session_scope() as session:
    plan = safety.current(session, actor, chosen)
    look_backs = chains.for_client(session, actor, chosen)
if plan is None:
    st.caption(_("{name} has no safety plan yet.").format(name=markdown_text(name)))
else:
    st.caption(_("Version {version}, saved {when}.").format(
        version=number_text(plan.version), when=markdown_text(format_moment(plan.created_at))))
    show_plan(plan, key="therapist-plan")
st.header(_("Look-backs after a use"))
if not look_backs:
    st.caption(_("None written."))
for chain in look_backs:
    with st.expander(label_text(format_moment(chain.created_at))):
        for question_id, question in chains.QUESTIONS.items():
            if chain.answers.get(question_id):
                st.markdown(f"**{markdown_text(gettext(question))}**  \n"
                            + markdown_text(chain.answers[question_id]))

st.header(_("Flag history"))
with session_scope() as session:
    handled = [(f, by) for f, by in flags.history(session, actor, chosen)
               if f.acknowledged_at is not None]
if not handled:
    st.caption(_("No flags acknowledged yet."))
for flag, by in handled:
    st.markdown(f"{flag_markdown(flag)}  \n✅ " + _("{when} by {who} — {note}").format(
        when=markdown_text(format_moment(flag.acknowledged_at)),
        who=markdown_text(by or _("a former colleague")), note=markdown_text(flag.ack_note)))
