"""Pre-session brief: one client since their last session (or a chosen date) — sessions,
what they wrote, check-ins, cravings, triggers, what helped, measures, plan changes, flags
and how they were handled. Printable. Records that a session took place."""
import streamlit as st

from companion import brief as briefs
from companion import caseload, pdf, sessions
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.core.timeutil import clinic_today
from companion.i18n import _, clinic_label, format_moment, format_short_day, gettext, ngettext
from companion.ui.charts import draw
from companion.ui.client_pick import pick_client
from companion.ui.downloads import download_button
from companion.ui.flags import flag_markdown
from companion.ui.gate import current_actor
from companion.ui.measures import measure_trends
from companion.ui.outcomes import client_outcomes
from companion.ui.text import file_text, markdown_text, number_text

actor = current_actor()
st.title(_("Pre-session brief"))
with session_scope() as session:
    clients = caseload.client_choices(session, actor)
if not clients:
    st.info(_("No clients are assigned to you yet."))
    st.stop()
cols = st.columns([3, 2])
with cols[0]:
    chosen = pick_client(clients, key="brief-client")  # ?client= carries across pages
if chosen is None:
    st.stop()
with session_scope() as session:
    default_since = briefs.default_since(session, actor, chosen)
since = cols[1].date_input(_("Since"), default_since, max_value=clinic_today(),
                           key=f"brief-since-{chosen}",
                           help=_("From the last recorded session, or the last 7 days"))


def record_session(client_id: int) -> None:
    prefix = f"session-{client_id}"
    try:
        with session_scope() as session:
            sessions.record(session, actor, client_id, st.session_state[f"{prefix}-day"],
                            st.session_state[f"{prefix}-kind"],
                            st.session_state.get(f"{prefix}-step", ""))
    except CompanionError as exc:  # what was typed stays in the form
        st.session_state[f"_{prefix}-error"] = str(exc)
        return
    st.session_state[f"_{prefix}-saved"] = True
    st.session_state.pop(f"brief-since-{client_id}", None)  # the period starts at it now
    st.session_state[f"{prefix}-step"] = ""


with st.expander(_("Record a session that took place")):
    prefix = f"session-{chosen}"
    st.date_input(_("Day"), clinic_today(), max_value=clinic_today(), key=f"{prefix}-day")
    st.radio(_("Kind"), list(sessions.KINDS),
             format_func=lambda k: markdown_text(gettext(sessions.KINDS[k])),
             horizontal=True, key=f"{prefix}-kind")
    st.text_input(_("Agreed next step (optional, one line)"), key=f"{prefix}-step",
                  placeholder=_("e.g. Call sponsor before Friday's shift"))
    st.caption(_("Clinical notes stay in the clinic's record system."))
    if message := st.session_state.pop(f"_{prefix}-error", None):
        st.error(markdown_text(message))
    st.button(_("Save session"), key=f"{prefix}-save", on_click=record_session, args=(chosen,))
if st.session_state.pop(f"_session-{chosen}-saved", False):
    st.success(_("Session recorded. The brief now starts from it."))

with session_scope() as session:
    b = briefs.for_client(session, actor, chosen, since)
brief_text = briefs.as_text(b)
downloads = st.columns(2)
NOTICE_HELP = _("Carries the 42 CFR Part 2 notice prohibiting re-disclosure.")
download_button(_("Download PDF to print"), lambda: pdf.brief_pdf(b.client_name, brief_text),
                file_name=f"brief-{since}.pdf", mime="application/pdf", width="stretch",
                where=downloads[0], help=NOTICE_HELP)
download_button(_("Download as text"), file_text(brief_text), file_name=f"brief-{since}.txt",
                mime="text/plain", width="stretch", where=downloads[1], help=NOTICE_HELP)

st.header(ngettext("{name} · {n} day", "{name} · {n} days", b.days).format(
    name=markdown_text(b.client_name), n=number_text(b.days)))
st.markdown(_("**Sessions in this period**"))
if not b.sessions:
    st.caption(_("None recorded in this period."))
for held in b.sessions:
    step = (_(" — next step: {step}").format(step=markdown_text(held.next_step))
            if held.next_step else "")
    st.markdown(f"- {markdown_text(format_short_day(held.day))} · "
                f"{markdown_text(gettext(sessions.KINDS.get(held.kind, held.kind)))}{step}")
st.markdown(_("**In their own words**"))
if not b.journal:
    st.caption(_("No notes, use details or \"bring to group\" lines in this period."))
for line in b.journal:
    st.markdown(f"- {markdown_text(format_short_day(line.day))} · "
                f"**{markdown_text(gettext(line.kind))}:** " + markdown_text(line.text))
d = b.daily
if d.empty:
    st.caption(_("No check-ins in this period."))
else:
    st.markdown(_("**{count}** check-ins in {days} days · mood avg **{mood}** · craving avg "
                  "**{craving}** · stress avg **{stress}**").format(
        count=number_text(len(d)), days=number_text(b.days),
        mood=number_text(d['mood'].mean(), '.1f'), craving=number_text(d['craving'].mean(), '.1f'),
        stress=number_text(d['stress'].mean(), '.1f')))
    draw("daily_trends", d, b.days)
st.markdown(_("**Triggers that came back**"))
recurring = b.recurring_triggers()
st.markdown(markdown_text(", ".join(f"{clinic_label(t)} ({n}×)" for t, n in recurring))
            if recurring else _("None."))
draw("craving_outcomes", b.outcomes, empty=_("No craving endings noted."))
st.markdown(_("**Skills and how they helped**"))
draw("what_works", b.works, empty=_("No follow-ups answered yet."))
st.markdown(_("**Measures**"))
client_outcomes(actor, chosen)
measure_trends(actor, chosen, days=b.days)
st.markdown(_("**Safety plan:** {changes} change(s) in this period · **Look-backs:** "
              "{looks}").format(changes=number_text(len(b.plan_versions)),
                                looks=number_text(len(b.look_backs))))
st.markdown(_("**Flags and how they were handled**"))
if not b.flags:
    st.caption(_("No flags in this period."))
for f in b.flags:
    handled = ("✅ " + _("{when} — {note}").format(
        when=markdown_text(format_moment(f.acknowledged_at)), note=markdown_text(f.ack_note))
               if f.acknowledged_at else _("⏳ still open"))
    st.markdown(f"{flag_markdown(f)}  \n{handled}")
