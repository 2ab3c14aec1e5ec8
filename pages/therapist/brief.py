"""Pre-session brief: one client since a date — check-ins, cravings, triggers, what helped,
measures, plan changes, flags and how they were handled. Printable."""
from datetime import timedelta

import streamlit as st

from companion import brief as briefs
from companion import caseload
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today, show
from companion.ui.charts import draw
from companion.ui.downloads import download_button
from companion.ui.flags import flag_markdown
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.text import file_text, markdown_text, number_text, option_text

actor = current_actor()
st.title("Pre-session brief")
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info("No clients are assigned to you yet.")
    st.stop()
cols = st.columns([3, 2])
chosen = cols[0].selectbox("Client", list(clients), format_func=lambda i: option_text(clients[i]),
                           index=None,
                           placeholder="Choose a client", key="brief-client")
since = cols[1].date_input("Since", clinic_today() - timedelta(days=7),
                           max_value=clinic_today())
if chosen is None:
    st.stop()

with session_scope() as session:
    b = briefs.for_client(session, actor, chosen, since)
download_button("Download to print", file_text(briefs.as_text(b)),
                file_name=f"brief-{since}.txt", mime="text/plain", width="stretch",
                help="Carries the 42 CFR Part 2 notice prohibiting re-disclosure.")

st.subheader(f"{markdown_text(b.client_name)} · {number_text(b.days)} days")
d = b.daily
if d.empty:
    st.caption("No check-ins in this period.")
else:
    st.markdown(f"**{number_text(len(d))}** check-ins in {number_text(b.days)} days · mood avg "
                f"**{number_text(d['mood'].mean(), '.1f')}** · craving avg "
                f"**{number_text(d['craving'].mean(), '.1f')}** · stress avg "
                f"**{number_text(d['stress'].mean(), '.1f')}**")
    draw("daily_trends", d, b.days)
st.markdown("**Triggers that came back**")
recurring = b.recurring_triggers()
st.markdown(markdown_text(", ".join(f"{t} ({n}×)" for t, n in recurring)) if recurring
            else "None.")
draw("craving_outcomes", b.outcomes, empty="No craving endings noted.")
st.markdown("**Skills and how they helped**")
draw("what_works", b.works, empty="No follow-ups answered yet.")
st.markdown("**Measures**")
measure_trends(actor, chosen)
st.markdown(f"**Safety plan:** {number_text(len(b.plan_versions))} change(s) in this period · "
            f"**Look-backs:** {number_text(len(b.look_backs))}")
st.markdown("**Flags and how they were handled**")
if not b.flags:
    st.caption("No flags in this period.")
for f in b.flags:
    handled = (f"✅ {show(f.acknowledged_at)} — " + markdown_text(f.ack_note)) \
        if f.acknowledged_at else "⏳ still open"
    st.markdown(f"{flag_markdown(f)}  \n{handled}")
