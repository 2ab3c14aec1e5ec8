"""My trends: mood, craving and stress, triggers, when cravings come, how they end,
what works for me, and the days I checked in. No streaks that reset."""
import streamlit as st

from companion.i18n import _
from companion.ui.gate import current_actor
from companion.ui.trends import draw_trends

actor = current_actor()
st.title(_("My trends"))
draw_trends(actor, actor.id)
