"""My caseload: assigned clients only."""
import streamlit as st

from companion import caseload
from companion.db import session_scope
from companion.ui.gate import current_actor

actor = current_actor()
st.title("My caseload")
with session_scope() as session:
    frame = caseload.for_therapist(session, actor)
if frame.empty:
    st.info("No clients are assigned to you yet. An admin assigns clients on the People page.")
else:
    st.dataframe(frame.drop(columns=["client_id"]), hide_index=True, width="stretch")
