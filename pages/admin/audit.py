"""The audit trail: every staff read or change of a client's records, filterable, exportable,
and checked for tampering."""
from datetime import timedelta

import streamlit as st

from companion import audit, people
from companion.core.db import session_scope
from companion.models import Role
from companion.core.timeutil import clinic_today
from companion.ui.downloads import download_button
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, option_text, table_text

actor = current_actor()
st.title("Audit trail")
st.caption("Every time staff open or change a client's records, it is written here: what was "
           "opened, never its content. Rows are chained with hashes, so any change or removal "
           "shows up in the check below.")

with session_scope() as session:
    everyone = people.people(session, actor)
staff = everyone[everyone["Role"].isin([Role.THERAPIST, Role.ADMIN])]
clients = everyone[everyone["Role"].isin([Role.CLIENT, Role.ALUMNI])]
staff_names = dict(zip(staff["id"], staff["Username"]))
client_names = dict(zip(clients["id"], clients["Username"]))
cols = st.columns(2)
staff_id = cols[0].selectbox("Staff member", [None, *staff["id"].tolist()],
                             format_func=lambda i: "Anyone" if i is None
                             else option_text(staff_names[i]))
client_id = cols[1].selectbox("Client", [None, *clients["id"].tolist()],
                              format_func=lambda i: "Any client" if i is None
                              else option_text(client_names[i]))
today = clinic_today()
period = st.date_input("Dates", (today - timedelta(days=30), today), max_value=today)
start, end = (period if isinstance(period, tuple) and len(period) == 2 else (None, None))
limit = st.selectbox("Show the newest", [100, 500, 2000], index=1)
with session_scope() as session:
    frame = audit.events(session, actor, staff_id=staff_id and int(staff_id),
                         client_id=client_id and int(client_id), start=start, end=end,
                         limit=limit)
st.dataframe(table_text(frame), hide_index=True, width="stretch")
download_button("Download as CSV", audit.as_csv(frame), file_name="audit-trail.csv",
                mime="text/csv", width="stretch",
                help="Carries the 42 CFR Part 2 notice prohibiting re-disclosure.")
if st.button("Check the trail for tampering", width="stretch"):
    with session_scope() as session:
        verdict = audit.verify(session)
    (st.success if verdict.ok else st.error)(markdown_text(verdict.message))
