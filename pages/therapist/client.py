"""One assigned client's check-ins, cravings and trends (each look is audited)."""
import streamlit as st

from companion import caseload, chains, checkins, cravings, flags, safety
from companion.cravings import OUTCOMES
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today, show
from companion.ui.flags import flag_markdown
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.safety_plan import show_plan
from companion.ui.text import markdown_text, number_text, option_text
from companion.ui.trends import draw_trends

actor = current_actor()
st.title("Client record")
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info("No clients are assigned to you yet.")
    st.stop()
chosen = st.selectbox("Client", list(clients), format_func=lambda i: option_text(clients[i]),
                      index=None, placeholder="Choose a client", key="record-client")
if chosen is None:
    st.stop()

with session_scope() as session:
    open_flags = flags.for_client(session, actor, chosen, include_acknowledged=False)
if open_flags:  # most urgent tier first, the longest-waiting first
    st.subheader(f"Open flags ({number_text(len(open_flags))})")
    for flag in open_flags:
        st.markdown(flag_markdown(flag))
    st.caption("Acknowledge them with a note on My caseload.")

with session_scope() as session:
    today = checkins.current(session, actor, chosen, clinic_today())
    recent = cravings.recent(session, actor, chosen, limit=15)
st.subheader("Today's check-in")
if today is None:
    st.caption("No check-in yet today.")
else:
    st.markdown(f"Mood **{number_text(today.mood)}**/10 · craving "
                f"**{number_text(today.craving)}**/10 · stress **{number_text(today.stress)}**/10 "
                f"· sleep {number_text(today.sleep_hours, 'g')} h · used: "
                f"**{markdown_text(checkins.USED_CHOICES[today.used])}**")
    if today.bring_to_group:
        st.markdown("**Wants to bring to group:** " + markdown_text(today.bring_to_group))
    if today.note:
        st.markdown("**Note:** " + markdown_text(today.note))
st.subheader("Recent cravings")
for c in recent:
    ended = OUTCOMES.get(c.outcome, "not noted") if c.outcome else "not noted"
    after = (f" → {number_text(c.followup_intensity)}/10 later"
             if c.followup_intensity is not None else "")
    st.markdown(f"**{number_text(c.intensity)}/10**{after} · {show(c.at)} · "
                f"{markdown_text(ended)}")
if not recent:
    st.caption("No cravings logged.")
st.divider()
draw_trends(actor, chosen, key="therapist-trends")

st.divider()
st.subheader("Questionnaires")
measure_trends(actor, chosen)
st.subheader("Safety plan")
with session_scope() as session:
    plan = safety.current(session, actor, chosen)
    look_backs = chains.for_client(session, actor, chosen)
if plan is None:
    st.caption("No safety plan yet.")
else:
    st.caption(f"Version {number_text(plan.version)}, saved {show(plan.created_at)}.")
    show_plan(plan, key="therapist-plan")
st.subheader("Look-backs after a use")
if not look_backs:
    st.caption("None written.")
for chain in look_backs:
    with st.expander(f"{show(chain.created_at)}"):
        for name, question in chains.QUESTIONS.items():
            if chain.answers.get(name):
                st.markdown(f"**{markdown_text(question)}**  \n"
                            + markdown_text(chain.answers[name]))
