"""Program outcomes by month: the whole program, each track, each site — counts only,
any count under 11 clients withheld."""
import streamlit as st

from companion.i18n import _
from companion.ui.gate import current_actor
from companion.ui.outcomes import program_outcomes

actor = current_actor()
st.title(_("Program outcomes"))
program_outcomes(actor)
