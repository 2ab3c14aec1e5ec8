"""My account: who I am in the program, and changing my password."""
import streamlit as st

from companion import people
from companion.db import session_scope
from companion.ui.gate import current_actor
from companion.ui.password import password_form

actor = current_actor()
st.title("My account")
with session_scope() as session:
    profile = people.own_profile(session, actor)
for label, value in profile.items():
    st.markdown(f"**{label}:** {value}")
st.subheader("Change password")
password_form(actor, forced=False)
