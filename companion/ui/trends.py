"""The trends charts, shared by a client's own page and their therapist's view."""
from __future__ import annotations

from datetime import timedelta

import streamlit as st

from companion import checkins, trends
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.timeutil import clinic_today
from companion.i18n import _, ngettext
from companion.ui.charts import draw
from companion.ui.text import label_text, markdown_text, number_text

WINDOWS = (7, 30, 90)  # days


def _window_label(days: int) -> str:
    return ngettext("{n} day", "{n} days", days).format(n=number_text(days))


def draw_trends(actor: Actor, client_id: int, key: str = "trends",
                about: str | None = None) -> None:
    """The trends charts; `about`: the client's name on staff screens, which speak about the
    client ("What works for Avery"), never in the client's own voice."""
    labels = {days: _window_label(days) for days in WINDOWS}  # in this run's language
    days = st.segmented_control(_("Window"), WINDOWS, default=30, key=f"{key}-win",
                                format_func=lambda d: label_text(labels[d]),
                                label_visibility="collapsed") or 30
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
        draw("daily_trends", daily, days, empty=_("Check-ins will draw your lines here."))
        st.markdown(_("**What works for me**"))
        st.caption(_("How much a craving fell by the time you answered “how strong is it "
                     "now?”."))
        draw("what_works", works, empty=_("Log a craving with what you did, answer the "
                                          "follow-up later, and your own results appear here."))
    else:
        draw("daily_trends", daily, days,
             empty=_("No check-ins from {name} in this window.").format(name=about))
        st.markdown(_("**What works for {name}**").format(name=markdown_text(about)))
        st.caption(markdown_text(_("How much a craving fell by the time {name} answered “how "
                                   "strong is it now?”.").format(name=about)))
        draw("what_works", works,
             empty=_("{name} hasn't answered a craving follow-up yet.").format(name=about))
    draw("trigger_counts", triggers, empty=_("No triggers noted in this window."))
    draw("craving_heatmap", heat, empty=_("No cravings logged in this window."))
    draw("craving_outcomes", outcomes, empty=_("No endings noted in this window."))
    draw("checkin_calendar", period_days, today, start,
         empty=_("No check-ins in this window yet.") if about is None
         else _("No check-ins from {name} in this window.").format(name=about))
