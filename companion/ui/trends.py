"""The trends charts, shared by a client's own page and their therapist's view."""
from __future__ import annotations

import streamlit as st

from companion import checkins, trends
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today
from companion.ui.charts import draw

WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90}


def draw_trends(actor: Actor, client_id: int, key: str = "trends") -> None:
    label = st.segmented_control("Window", list(WINDOWS), default="30 days", key=f"{key}-win",
                                 label_visibility="collapsed") or "30 days"
    days = WINDOWS[label]
    today = clinic_today()
    with session_scope() as session:
        daily = trends.daily(session, actor, client_id, days)
        triggers = trends.trigger_counts(session, actor, client_id, days)
        heat = trends.craving_heatmap(session, actor, client_id, days)
        outcomes = trends.craving_outcomes(session, actor, client_id, days)
        works = trends.what_works(session, actor, client_id)
        month_days = checkins.days_with_checkin(session, actor, client_id,
                                                today.replace(day=1), today)
    draw("daily_trends", daily, days, empty="Check-ins will draw your lines here.")
    st.markdown("**What works for me**")
    st.caption("How much a craving fell by the time you answered “how strong is it now?”.")
    draw("what_works", works, empty="Log a craving with what you did, answer the follow-up "
                                     "later, and your own results appear here.")
    draw("trigger_counts", triggers, empty="No triggers noted in this window.")
    draw("craving_heatmap", heat, empty="No cravings logged in this window.")
    draw("craving_outcomes", outcomes, empty="No endings noted in this window.")
    draw("checkin_calendar", month_days, today, empty="No check-ins yet this month.")
