"""One assigned client's record, in the order a therapist acts on it: open flags (acknowledge
right here, one note for several), since the last session, questionnaires with their answers,
then trends, safety plan, look-backs and the flag history. Each look is audited."""

import streamlit as st

from companion import (brief, caseload, chains, checkins, cravings, flags, instruments, measures,
                       safety, sessions)
from companion.cravings import OUTCOMES
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today, show
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
st.title("Client record")
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info("No clients are assigned to you yet.")
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
st.header(f"Open flags ({number_text(len(open_flags))})")
if not open_flags:
    st.caption(markdown_text(f"No open flags for {name}."))


def acknowledge_ticked(ids: list[int]) -> None:
    ticked = [i for i in ids if st.session_state.get(f"rec-tick-{i}")]
    if acknowledge_flags(actor, ticked, st.session_state.get("rec-ack-note", ""), name,
                         "_rec_ack_error"):
        st.session_state["rec-ack-note"] = ""


if open_flags:  # most urgent tier first, the longest-waiting first
    with st.container(border=True):
        for flag in open_flags:
            st.checkbox(label_text(f"{flags.tier_of(flag).icon} {flags.tier_of(flag).word} — "
                                   f"{flags.label_of(flag)}"),
                        value=True, key=f"rec-tick-{flag.id}")
            st.markdown(flag_markdown(flag))
        st.text_input("What I did or will do (one note for the ticked flags)",
                      key="rec-ack-note",
                      placeholder="e.g. Called, safety plan reviewed, seeing them tomorrow")
        if message := st.session_state.pop("_rec_ack_error", None):
            st.error(markdown_text(message))
        st.button("Acknowledge ticked flags", key="rec-ack", type="primary", width="stretch",
                  on_click=acknowledge_ticked, args=([f.id for f in open_flags],))

# --- 2. Since last session -------------------------------------------------------------------
with session_scope() as session:   # the brief's period: from the last recorded session
    last_session = sessions.last_day(session, actor, chosen)
    since = brief.default_since(session, actor, chosen, last_session)
    period = checkins.in_period(session, actor, chosen, since)
    recent = cravings.recent(session, actor, chosen, limit=15)
st.header("Since last session")
st.caption(markdown_text(
    f"From the last session, {since:%a %b %-d} (as the pre-session brief)." if last_session
    else f"No session recorded yet: the last {brief.DEFAULT_DAYS} days, from "
         f"{since:%a %b %-d}."))
today = period[0] if period and period[0].day == clinic_today() else None
if today is None:
    st.markdown(markdown_text(f"No check-in from {name} yet today."))
else:
    st.markdown(f"**Today:** Mood **{number_text(today.mood)}**/10 · craving "
                f"**{number_text(today.craving)}**/10 · stress **{number_text(today.stress)}**/10 "
                f"· sleep {number_text(today.sleep_hours, 'g')} h · used: "
                f"**{markdown_text(checkins.USED_CHOICES[today.used])}**")
used = [c for c in period if c.used == "yes"]
st.markdown(f"{number_text(len(period))} check-in{'s' if len(period) != 1 else ''} · "
            f"use reported on {number_text(len(used))} day{'s' if len(used) != 1 else ''}")
for c in period:
    day = markdown_text(f"{c.day:%a %b %-d}")
    if c.bring_to_group:
        st.markdown(f"**{day} · wants to bring to group:** " + markdown_text(c.bring_to_group))
    if c.used == "yes" and c.use_details:
        st.markdown(f"**{day} · use:** " + markdown_text(c.use_details))
    if c.note:
        st.markdown(f"**{day} · note:** " + markdown_text(c.note))


def craving_line(c) -> None:
    ended = OUTCOMES.get(c.outcome, "not noted") if c.outcome else "not noted"
    after = (f" → {number_text(c.followup_intensity)}/10 later"
             if c.followup_intensity is not None else "")
    st.markdown(f"**{number_text(c.intensity)}/10**{after} · {show(c.at)} · "
                f"{markdown_text(ended)}")


st.markdown("**Recent cravings**")
for c in recent[:RECENT_CRAVINGS]:
    craving_line(c)
if len(recent) > RECENT_CRAVINGS:
    with st.expander(f"{number_text(len(recent) - RECENT_CRAVINGS)} earlier"):
        for c in recent[RECENT_CRAVINGS:]:
            craving_line(c)
if not recent:
    st.caption("No cravings logged.")

# --- 3. Questionnaires: the latest answers item by item (a risk item marked), then history ---
st.header("Questionnaires")
for instrument in instruments.load_all().values():
    with session_scope() as session:
        latest = measures.latest_answers(session, actor, chosen, instrument.id)
    if latest is None:
        continue
    with st.expander(f"{label_text(instrument.title)} answers, {show(latest.completed_at)}",
                     expanded=any(i.risk and (latest.answers.get(i.id) or 0) > 0
                                  for i in instrument.items(latest.form))):
        for item in instrument.items(latest.form):
            answer = latest.answers.get(item.id)
            shown = next((o.label for o in item.options if o.score == answer), None)
            mark = "🚩 " if item.risk else ""
            words = "left blank" if answer is None else f"{shown or answer}"
            st.markdown(f"{mark}**{markdown_text(item.id)}.** {markdown_text(item.text)} — "
                        f"**{markdown_text(words)}**"
                        + (" (risk item)" if item.risk else ""))
client_outcomes(actor, chosen)
measure_trends(actor, chosen, about=name)

# --- 4. Trends and the rest ------------------------------------------------------------------
st.divider()
draw_trends(actor, chosen, key="therapist-trends", about=name)

st.header("Safety plan")
with session_scope() as session:
    plan = safety.current(session, actor, chosen)
    look_backs = chains.for_client(session, actor, chosen)
if plan is None:
    st.caption(markdown_text(f"{name} has no safety plan yet."))
else:
    st.caption(f"Version {number_text(plan.version)}, saved {show(plan.created_at)}.")
    show_plan(plan, key="therapist-plan")
st.header("Look-backs after a use")
if not look_backs:
    st.caption("None written.")
for chain in look_backs:
    with st.expander(f"{show(chain.created_at)}"):
        for question_id, question in chains.QUESTIONS.items():
            if chain.answers.get(question_id):
                st.markdown(f"**{markdown_text(question)}**  \n"
                            + markdown_text(chain.answers[question_id]))

st.header("Flag history")
with session_scope() as session:
    handled = [(f, by) for f, by in flags.history(session, actor, chosen)
               if f.acknowledged_at is not None]
if not handled:
    st.caption("No flags acknowledged yet.")
for flag, by in handled:
    st.markdown(f"{flag_markdown(flag)}  \n✅ {show(flag.acknowledged_at)} by "
                f"{markdown_text(by or 'a former colleague')} — {markdown_text(flag.ack_note)}")
