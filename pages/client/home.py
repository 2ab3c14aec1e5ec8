"""A client's (or alumnus's) home: today's check-in, a quick craving log, trends at a glance."""
import streamlit as st

from companion import (checkins, cravings, measures, milestones, people, safety, support,
                       trends)
from companion.core.db import session_scope
from companion.models import Role
from companion.core.timeutil import clinic_today
from companion.i18n import _, clinic_label, format_time, ngettext
from companion.ui.charts import draw
from companion.ui.crisis import crisis_resources
from companion.ui.gate import current_actor
from companion.ui.groups import home_card
from companion.ui.safety_plan import show_plan
from companion.ui.text import markdown_text, number_text

actor = current_actor()
today = clinic_today()
with session_scope() as session:
    profile = people.own_profile(session, actor)
    todays = checkins.current(session, actor, actor.id, today)
    week = trends.daily(session, actor, actor.id, 7)
    pending = cravings.pending_followups(session, actor)
    due = measures.due(session, actor)
    after_risk = support.next_steps(todays)
    plan = safety.current(session, actor, actor.id) if after_risk else None
    look_forward = milestones.line(session, actor)

st.title(_("Hi, {name} 🌿").format(name=markdown_text(actor.display_name.split()[0])))
if actor.role == Role.ALUMNI:
    st.caption(_("You completed the program — welcome back. Your plan and history are here "
                 "whenever you need them."))
else:
    st.caption(_("{track} · {location} · Therapist: {therapist}").format(
        track=markdown_text(clinic_label(profile["Track"])),
        location=markdown_text(clinic_label(profile["Location"])),
        therapist=markdown_text(profile["Therapist"])))

with st.container(border=True):
    if todays is None:
        st.markdown(_("**You haven't checked in today yet.** It takes about 30 seconds, "
                      "and every check-in helps you and your therapist see how you're doing."))
        st.page_link("pages/client/checkin.py", label=_("Check in now"), icon="✅")
    else:
        st.markdown(_("**Checked in today** at {time} — mood {mood}/10, craving {craving}/10. "
                      "Thank you.").format(time=markdown_text(format_time(todays.created_at)),
                                           mood=number_text(todays.mood),
                                           craving=number_text(todays.craving)))
        st.page_link("pages/client/checkin.py", label=_("Change today's check-in"), icon="✏️")

if after_risk:  # a strong craving or a use today: what happens next, the plan, the lines
    with st.container(border=True, key="home-next-steps"):
        st.markdown(_("## 💚 What happens next"))
        st.write(markdown_text(after_risk))
        st.page_link("pages/client/cravings.py", label=_("Ride out an urge with the timer"),
                     icon="🌊")
        with st.expander(_("🛟 My safety plan")):
            show_plan(plan, key="home-plan")
        with st.expander(_("People you can reach right now"), expanded=True):
            crisis_resources()

if look_forward:  # the client's own choice (My account), never a streak
    st.markdown(f"🌱 {markdown_text(look_forward)}")

home_card(actor)  # the next group session and program progress (clients only)
st.page_link("pages/client/cravings.py", label=_("Log a craving"), icon="🌊",
             width="stretch")
if pending:
    st.info(ngettext("You have {count} craving to follow up: how strong is it now?",
                     "You have {count} cravings to follow up: how strong are they now?",
                     len(pending)).format(count=number_text(len(pending))))
    st.page_link("pages/client/cravings.py", label=_("Answer now"), icon="💬")

if due:
    names = ", ".join(dict.fromkeys(d.instrument.short for d in due))  # BAM's forms once
    st.info(_("A short questionnaire is due: {names}. It helps you and your therapist see "
              "change over time.").format(names=markdown_text(names)))
    st.page_link("pages/client/measures.py", label=_("Answer now"), icon="📝")

if not week.empty:
    st.header(_("This week"))
    cols = st.columns(2)
    for col, field, label in ((cols[0], "mood", _("Mood")), (cols[1], "craving", _("Craving"))):
        col.caption(_("{scale} · latest {value}/10").format(
            scale=markdown_text(label), value=number_text(int(week[field].iloc[-1]))))
        with col:
            draw("sparkline", week, field)
    st.page_link("pages/client/trends.py", label=_("See all my trends"), icon="📈")
