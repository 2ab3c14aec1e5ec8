"""Outcomes across my caseload: counts only, small cells withheld (each client audited)."""
import streamlit as st

from companion.i18n import _
from companion.ui.gate import current_actor
from companion.ui.outcomes import caseload_outcomes

actor = current_actor()
st.title(_("Caseload outcomes"))
caseload_outcomes(actor)
