"""The trends charts, shared by a client's own page and their therapist's view."""
from __future__ import annotations

import streamlit as st

from companion import charts, checkins, trends
from companion.actors import Actor
from companion.db import session_scope
from companion.timeutil import clinic_today

WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90}


def _chart(chart, empty: str) -> None:
    if chart is None:
        st.caption(empty)
    else:
        st.altair_chart(chart, width="stretch")


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
    _chart(charts.daily_trends(daily, days), "Check-ins will draw your lines here.")
    st.markdown("**What works for me**")
    st.caption("How much a craving fell by the time you answered “how strong is it now?”.")
    _chart(charts.what_works(works), "Log a craving with what you did, answer the follow-up "
                                     "later, and your own results appear here.")
    _chart(charts.trigger_counts(triggers), "No triggers noted in this window.")
    _chart(charts.craving_heatmap(heat), "No cravings logged in this window.")
    _chart(charts.craving_outcomes(outcomes), "No endings noted in this window.")
    _chart(charts.checkin_calendar(month_days, today), "No check-ins yet this month.")
