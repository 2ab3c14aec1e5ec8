"""Groups for therapists: take attendance, look over who is coming before a group, and see
the schedule (admins schedule groups; a therapist cancels or moves sessions of the groups
they were assigned to lead, with a note)."""
from datetime import timedelta

import streamlit as st

from companion import groups
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.core.timeutil import utcnow
from companion.i18n import _, format_moment, gettext, ngettext, weekday_name
from companion.ui.charts import draw
from companion.ui.flags import flag_markdown
from companion.ui.gate import current_actor
from companion.ui.groups import headline_markdown, schedule_view, status_line
from companion.ui.subscription import subscription_panel
from companion.ui.text import label_text, markdown_text, number_text, option_text

VIEWS = {"Attendance": _("Attendance"), "Before group": _("Before group"),
         "Schedule": _("Schedule")}
RSVP_WORDS = {groups.GOING: _("RSVP: going"), groups.NOT_GOING: _("RSVP: can't make it"),
              None: _("no RSVP yet")}


def attendance_word(mark) -> str:
    return gettext(groups.ATTENDANCE_LABELS[mark])


actor = current_actor()
st.title(_("Groups"))
view = st.segmented_control(_("View"), list(VIEWS), default="Attendance", key="groups-view",
                            format_func=VIEWS.get,
                            label_visibility="collapsed", width="stretch") or "Attendance"

if view == "Schedule":
    schedule_view(actor)
    st.header(_("My calendar"))
    st.caption(_("The sessions you facilitate, in your phone's calendar, kept up to date."))
    subscription_panel(actor)
    st.stop()

now = utcnow()
with session_scope() as session:
    if view == "Attendance":
        occs = [o for o in groups.my_sessions(session, actor, now - timedelta(days=7),
                                              now + timedelta(minutes=60))
                if not o.cancelled
                and o.starts_at - timedelta(minutes=groups.MARK_EARLY_MINUTES) <= now]
        occs.reverse()  # the latest first
    else:
        occs = [o for o in groups.my_sessions(session, actor, now, now + timedelta(days=7))
                if not o.cancelled and o.ends_at > now]
if not occs:
    st.info(_("No sessions of yours in the last week.") if view == "Attendance"
            else _("No sessions of yours in the coming week."))
    st.stop()
occs.sort(key=lambda o: not groups.leads(actor, o.series))  # the ones I lead first
opened = 0
if view == "Before group":  # soonest first, opened on the next one my clients are expected at
    occs.sort(key=lambda o: o.starts_at)
    with session_scope() as session:
        mine = groups.my_clients_expected(session, actor, occs)
    opened = next((n for n, o in enumerate(occs) if mine[o.key]), 0)
by_key = {o.key: o for o in occs}
chosen = st.selectbox(_("Session"), list(by_key), key=f"groups-{view}-session", index=opened,
                      format_func=lambda k: option_text(
                          groups.when(by_key[k]) + " · " + by_key[k].title
                          + (" · " + _("you lead") if groups.leads(actor, by_key[k].series)
                             else "")))
occ = by_key[chosen]
if view == "Before group" and mine.get(occ.key) and occ.key == occs[opened].key:
    count = mine[occ.key]
    st.caption(markdown_text(ngettext(
        "The next session where your clients are expected: {when} · {title} ({n} of your "
        "client).",
        "The next session where your clients are expected: {when} · {title} ({n} of your "
        "clients).", count).format(when=groups.when(occ), title=occ.title, n=count)))
st.markdown(headline_markdown(occ))
status_line(occ)

@st.fragment
def marks_sheet(sheet: list, keys: dict[int, str]) -> None:
    """One card a client: their RSVP, the mark being set, and whether it is saved (by whom,
    when) or not yet. A tap reruns only this list, so "not saved yet" shows at once."""
    unsaved = 0
    for row in sheet:
        with st.container(border=True):
            answer = RSVP_WORDS[row.rsvp] + (f" — {markdown_text(row.reason)}" if row.reason
                                             else "")
            st.markdown(f"**{markdown_text(row.name)}** · {answer}")
            st.segmented_control(
                _("Attendance for {name}").format(name=label_text(row.name)),
                list(groups.ATTENDANCE_LABELS),
                format_func=lambda mark: label_text(attendance_word(mark)),
                default=row.mark, key=keys[row.client_id], label_visibility="collapsed",
                width="stretch")
            picked = st.session_state.get(keys[row.client_id])
            if picked is not None and picked != row.mark:
                unsaved += 1
                was = (" " + _("(saved: {mark})").format(
                    mark=markdown_text(attendance_word(row.mark))) if row.mark else "")
                st.markdown(_(":orange-badge[Not saved yet] {mark}").format(
                    mark=markdown_text(attendance_word(picked))) + was)
            elif row.mark is not None:
                st.caption(_(":green-badge[Saved] {mark} · by {who}, {when}").format(
                    mark=markdown_text(attendance_word(row.mark)),
                    who=markdown_text(row.marked_by or _("someone")),
                    when=markdown_text(format_moment(row.marked_at))))
            else:
                st.caption(_("Not marked yet."))
    if unsaved:
        st.warning(ngettext("{n} mark not saved yet: tap Save attendance.",
                            "{n} marks not saved yet: tap Save attendance.",
                            unsaved).format(n=number_text(unsaved)))


if view == "Attendance":
    with session_scope() as session:
        sheet = groups.attendance_sheet(session, actor, occ)
    if not sheet:
        st.info(_("No clients you can mark are expected at this session."))
        st.stop()
    keys = {row.client_id: f"mark-{chosen}-{row.client_id}" for row in sheet}

    def everyone_present() -> None:
        for key in keys.values():
            if not st.session_state.get(key):
                st.session_state[key] = groups.PRESENT

    def save() -> None:
        marks = {cid: st.session_state[k] for cid, k in keys.items() if st.session_state.get(k)}
        try:
            with session_scope() as session:
                saved = groups.mark_attendance(session, actor, occ, marks)
        except CompanionError as exc:
            st.session_state["_attendance_error"] = str(exc)
        else:
            absent = sum(1 for r in saved if r.status == groups.ABSENT)
            st.session_state["_attendance_saved"] = (
                ngettext("Saved {n} change.", "Saved {n} changes.", len(saved)).format(
                    n=len(saved))
                + (" " + ngettext("{n} unexcused absence flagged for their therapists.",
                                  "{n} unexcused absences flagged for their therapists.",
                                  absent).format(n=absent) if absent else "")
                if saved else _("No changes to save."))

    if message := st.session_state.pop("_attendance_saved", None):
        st.success(markdown_text(message))
    if message := st.session_state.pop("_attendance_error", None):
        st.error(markdown_text(message))
    st.button(_("Everyone not yet marked: present"), key="attendance-all",
              on_click=everyone_present, width="stretch")
    marks_sheet(sheet, keys)
    st.button(_("Save attendance"), key="attendance-save", on_click=save, type="primary",
              width="stretch")
    st.caption(_("An unexcused absence flags the client's therapist and shows the client a "
                 "kind note with their next sessions. A correction keeps the earlier mark."))
    st.stop()

# Before group: one screen with everyone expected (each look is audited).
with session_scope() as session:
    rows = groups.pregroup(session, actor, occ)
if not rows:
    st.info(_("No clients you can see are expected at this session."))
    st.stop()
going = sum(1 for r in rows if r.rsvp is not None and r.rsvp.status == groups.GOING)
st.caption(_("{expected} expected · {going} said they're going").format(
    expected=number_text(len(rows)), going=number_text(going)))
for row in rows:
    with st.container(border=True):
        status = row.rsvp.status if row.rsvp else None
        reason = f" — {markdown_text(row.rsvp.reason)}" if row.rsvp and row.rsvp.reason else ""
        st.markdown(f"**{markdown_text(row.name)}** · {RSVP_WORDS[status]}{reason}")
        if row.bring:
            day = markdown_text(weekday_name(row.bring_day, width="abbreviated"))
            st.markdown(_("**Wants to bring to group** ({day}):").format(day=day) + " "
                        + markdown_text(row.bring))
        if not row.on_caseload:
            st.caption(_("Not on your caseload: mood, craving and flags stay with their own "
                         "therapist."))
            continue
        week = row.week
        if week is None or week.empty:
            st.caption(_("No check-ins this week."))
        else:
            cols = st.columns(2)
            for col, name, label in ((cols[0], "mood", _("Mood")),
                                     (cols[1], "craving", _("Craving"))):
                col.caption(_("{measure} · latest {n}/10").format(
                    measure=markdown_text(label), n=number_text(int(week[name].iloc[-1]))))
                with col:
                    draw("sparkline", week, name)
        for flag in row.open_flags or []:
            st.markdown(flag_markdown(flag))
