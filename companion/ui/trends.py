"""The trends charts, shared by a client's own page and their therapist's view."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from companion import checkins, trends
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today
from companion.ui.charts import draw
from companion.ui.text import markdown_text

WINDOWS = {"7 days": 7, "30 days": 30, "90 days": 90}


def draw_trends(actor: Actor, client_id: int, key: str = "trends",
                about: str | None = None) -> None:
    """The trends charts; `about`: the client's name on staff screens, which speak about the
    client ("What works for Avery"), never in the client's own voice."""
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
        start = today - timedelta(days=days - 1)  # the calendar covers the chosen window
        period_days = checkins.days_with_checkin(session, actor, client_id, start, today)
    if about is None:
        draw("daily_trends", daily, days, empty="Check-ins will draw your lines here.")
        st.markdown("**What works for me**")
        st.caption("How much a craving fell by the time you answered “how strong is it now?”.")
        draw("what_works", works, empty="Log a craving with what you did, answer the follow-up "
                                         "later, and your own results appear here.")
    else:
        draw("daily_trends", daily, days, empty=f"No check-ins from {about} in this window.")
        st.markdown(f"**What works for {markdown_text(about)}**")
        st.caption(markdown_text(f"How much a craving fell by the time {about} answered "
                                 "“how strong is it now?”."))
        draw("what_works", works, empty=f"{about} hasn't answered a craving follow-up yet.")
    draw("trigger_counts", triggers, empty="No triggers noted in this window.")
    draw("craving_heatmap", heat, empty="No cravings logged in this window.")
    draw("craving_outcomes", outcomes, empty="No endings noted in this window.")
    draw("checkin_calendar", period_days, today, start,
         empty="No check-ins in this window yet." if about is None
         else f"No check-ins from {about} in this window.")
