"""My account: who I am in the program, and changing my password."""
import streamlit as st

from companion import audit, people
from companion.db import session_scope
from companion.models import Role
from companion.ui.gate import current_actor
from companion.ui.text import plain
from companion.ui.password import password_form

actor = current_actor()
st.title("My account")
with session_scope() as session:
    profile = people.own_profile(session, actor)
for label, value in profile.items():
    st.markdown(f"**{label}:** {value}")
st.subheader("Change password")
password_form(actor, forced=False)

if actor.role in (Role.CLIENT, Role.ALUMNI):
    st.subheader("Who on the staff viewed my records")
    st.caption("Every time a staff member opens your records, it's written down. Only your "
               "own therapist (and admins, for your account details) can open them.")
    with session_scope() as session:
        views = audit.views_of_me(session, actor)
    if views.empty:
        st.caption("No one yet.")
    for row in views.itertuples():
        st.markdown(plain(f"{row.When} — {row.Who} ({row.Role}) {row.Action} your {row.What}"))
