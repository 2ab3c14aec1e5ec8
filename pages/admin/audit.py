"""The audit trail: every staff read or change of a client's records."""
import streamlit as st

from companion import audit
from companion.db import session_scope
from companion.ui.gate import current_actor

actor = current_actor()
st.title("Audit trail")
st.caption("Every time staff open or change a client's records, it is written here. "
           "Rows are never edited or deleted.")
limit = st.selectbox("Show the newest", [100, 500, 2000], index=0)
with session_scope() as session:
    frame = audit.events(session, actor, limit=limit)
st.dataframe(frame, hide_index=True, width="stretch")
