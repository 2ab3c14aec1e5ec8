"""A client's (or alumnus's) home: a warm start; features add their cards here."""
import streamlit as st

from companion import people
from companion.db import session_scope
from companion.models import Role
from companion.ui.gate import current_actor

actor = current_actor()
with session_scope() as session:
    profile = people.own_profile(session, actor)
first_name = actor.display_name.split()[0]
st.title(f"Hi, {first_name} 🌿")
if actor.role == Role.ALUMNI:
    st.write("You completed the program — welcome back. Your plan and history are here "
             "whenever you need them.")
else:
    st.write(f"{profile['Track']} · {profile['Location']} · Therapist: {profile['Therapist']}")
st.info("Every day you show up for yourself counts. If things feel heavy, the "
        "**Need help now?** button at the top is always one tap away.")
