"""Group schedule: weekly groups on each track and site, one-off cancellations and moves."""
import streamlit as st

from companion.i18n import _
from companion.ui.gate import current_actor
from companion.ui.groups import schedule_editor

actor = current_actor()
st.title(_("Group schedule"))
st.caption(_("Times are the clinic's local time; a weekly group keeps its local time across "
             "daylight-saving changes. Admins see how many are going, never who."))
schedule_editor(actor)
