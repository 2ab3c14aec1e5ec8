"""Group-session widgets shared by pages: the client's home card, a session's words, the
calendar download, the schedule editor (admins) and the schedule view (therapists: read-only,
with changes to one session of the groups they lead)."""
from __future__ import annotations

from datetime import time, timedelta

import streamlit as st

from companion import groups
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.models import Role
from companion.core.timeutil import clinic_today, to_clinic, utcnow
from companion.ui.confirm import confirmed
from companion.ui.downloads import download_button
from companion.ui.forms import (clear_failure, errors_for, field_message, remember_failure,
                                show_failure)
from companion.i18n import _, format_time, group_text, weekday_name
from companion.ui.text import (label_text, markdown_text, number_text, option_text,
                               table_text)


def place(occ: groups.Occurrence) -> str:
    return get_clinic().location_label(occ.series.location)


def headline_markdown(occ: groups.Occurrence) -> str:
    """"**Mon Nov 30, 9 AM–12 PM** · Morning process group · North site" (title escaped)."""
    return (f"**{markdown_text(groups.when(occ))}** · {markdown_text(group_text(occ.title))} · "
            f"{markdown_text(place(occ))}")


def status_line(occ: groups.Occurrence) -> None:
    if occ.cancelled:
        st.warning(_("Cancelled — {note}").format(note=markdown_text(occ.note)), icon="🚫")
    elif occ.status == groups.MOVED:
        usual = _("{weekday} {time}").format(
            weekday=weekday_name(to_clinic(occ.occurrence_at).date(), width="abbreviated"),
            time=format_time(occ.occurrence_at))
        st.info(_("New time (usually {usual}) — {note}").format(
            usual=markdown_text(usual), note=markdown_text(occ.note)), icon="🔁")


def calendar_download(actor: Actor, label: str, key: str | None, discreet: bool,
                      button_key: str) -> None:
    """An .ics download, built only when tapped (no cost on a rerun)."""
    def build() -> bytes:
        with session_scope() as session:
            return groups.calendar_file(session, actor, key, discreet)

    download_button(label, build, file_name="group-session.ics" if key
                    else "my-group-schedule.ics", mime="text/calendar", key=button_key,
                    width="stretch", icon="📅")


def home_card(actor: Actor) -> None:
    """The next group session, progress and, after a missed session, a kind word."""
    if actor.role != Role.CLIENT:
        return
    with session_scope() as session:
        upcoming = groups.next_for_client(session, actor)
        progress = groups.progress(session, actor, actor.id)
        missed = groups.missed_note(session, actor)
    if missed is not None:
        st.info(_("We missed you at {session}. We hope you're okay — life gets in the way "
                  "sometimes, and you're always welcome back.").format(
                      session=markdown_text(missed.missed)), icon="💛")
    with st.container(border=True):
        if upcoming is None:
            st.markdown(_("**No group sessions in the next two weeks.**"))
        else:
            occ = upcoming.occurrence
            answer = (" · " + _("you're going ✅") if upcoming.is_going else
                      " · " + _("you can't make it") if upcoming.rsvp else "")
            st.markdown(_("**Next group:** {session}").format(session=headline_markdown(occ))
                        + answer)
            status_line(occ)
        progress_line(progress)
        st.page_link("pages/client/groups.py", label=_("Groups: answer and add to calendar"),
                     icon="👥")


def progress_line(p: groups.Progress) -> None:
    st.caption(_("Week {week} of your program · {attended} of {scheduled} sessions attended · "
                 "{hours} of {weekly} hours this week").format(
                     week=number_text(p.week), attended=number_text(p.attended),
                     scheduled=number_text(p.scheduled), hours=number_text(p.hours_this_week, "g"),
                     weekly=number_text(p.weekly_hours, "g")))
    st.progress(min(1.0, p.hours_this_week / p.weekly_hours) if p.weekly_hours else 0.0)


# --- Schedule editor (admins) and view (therapists) --------------------------------------------

NEW = "group-new"
EDIT = "group-edit"
ONE = "group-one"


def _day_names(d: int) -> str:
    return option_text(groups.WEEKDAY_NAMES[d][:3])


def _series_option(series, who: dict[int, str]) -> str:
    clinic = get_clinic()
    return option_text(f"{series.title} · {clinic.track_label(series.track)} · "
                       f"{clinic.location_label(series.location)} · "
                       f"{who.get(series.facilitator_id, '')}")


def _fortnight(actor: Actor) -> None:
    clinic = get_clinic()
    with session_scope() as session:
        occs = groups.schedule(session, actor)
        counts = groups.going_counts(session, occs)
        who = groups.names(session, [o.series.facilitator_id for o in occs])
    st.header("The next two weeks")
    if not occs:
        st.caption("Nothing scheduled yet.")
        return
    rows = [{"When": groups.when(o), "Group": o.title,
             "Track": clinic.track_label(o.series.track), "Where": place(o),
             "Leads": who.get(o.series.facilitator_id, ""),
             "Going": f"{counts.get((o.series.id, o.occurrence_at), 0)}/{o.series.capacity}",
             "Status": {"cancelled": "Cancelled", "moved": "Moved"}.get(o.status, "")}
            for o in occs]
    st.dataframe(table_text(rows), hide_index=True, width="stretch")


def _details_fields(form: str, facilitators: dict[int, str], series=None) -> dict:
    """Title, topic, track, location, link, facilitator, capacity: shared by both forms."""
    clinic = get_clinic()
    tracks = [t.key for t in clinic.tracks]
    sites = [loc.key for loc in clinic.locations]
    values = {}
    values["title"] = st.text_input("Title", value=series.title if series else "",
                                    key=f"{form}-title")
    field_message(form, "title")
    values["topic"] = st.text_area("Topic (shown to clients)",
                                   value=series.topic if series else "", key=f"{form}-topic")
    field_message(form, "topic")
    cols = st.columns(2)
    with cols[0]:
        values["track"] = st.selectbox("Track", tracks,
                                       format_func=lambda k: option_text(clinic.track_label(k)),
                                       index=tracks.index(series.track) if series else 0,
                                       key=f"{form}-track")
        field_message(form, "track")
    with cols[1]:
        values["location"] = st.selectbox("Where", sites, format_func=lambda k: option_text(
                                              clinic.location_label(k)),
                                          index=sites.index(series.location) if series else 0,
                                          key=f"{form}-location")
        field_message(form, "location")
    values["link"] = st.text_input("Telehealth link (for telehealth groups)",
                                   value=series.link if series else "", key=f"{form}-link",
                                   placeholder="https://…")
    field_message(form, "link")
    ids = list(facilitators)
    current = series.facilitator_id if series else None
    values["facilitator_id"] = st.selectbox(
        "Facilitator", ids, format_func=lambda i: option_text(facilitators[i]),
        key=f"{form}-facilitator",
        index=ids.index(current) if current in ids else None, placeholder="Choose a therapist")
    field_message(form, "facilitator_id")
    values["capacity"] = int(st.number_input("Capacity (seats)", min_value=1,
                                             max_value=groups.CAPACITY_MAX, step=1,
                                             value=series.capacity if series else 12,
                                             key=f"{form}-capacity"))
    field_message(form, "capacity")
    return values


def _new_group(actor: Actor, facilitators: dict[int, str]) -> None:
    saved = st.session_state.pop("_group_created", None)
    if saved:
        st.success(f"Scheduled: {markdown_text(saved)}.")
    with st.expander("➕ Schedule a new group", expanded=bool(errors_for(NEW))):
        show_failure(NEW)
        with st.form(NEW, border=False):
            values = _details_fields(NEW, facilitators)
            first = st.date_input("First day", value=clinic_today(), key=f"{NEW}-first")
            field_message(NEW, "first_day")
            cols = st.columns(2)
            start = cols[0].time_input("Starts", value=time(18), step=900, format="12h",
                                       key=f"{NEW}-start")
            end = cols[1].time_input("Ends", value=time(19, 30), step=900, format="12h",
                                     key=f"{NEW}-end")
            field_message(NEW, "start")
            field_message(NEW, "end")
            days = st.multiselect("Every week on", list(range(7)), format_func=_day_names,
                                  key=f"{NEW}-days", placeholder="Choose days")
            field_message(NEW, "weekdays")
            every = int(st.number_input("Repeat every … weeks", min_value=1, max_value=4,
                                        value=1, step=1, key=f"{NEW}-every"))
            field_message(NEW, "every_weeks")
            until = st.date_input("Last day (optional)", value=None, key=f"{NEW}-until")
            field_message(NEW, "until")
            submitted = st.form_submit_button("Schedule group", type="primary",
                                              width="stretch")
    if submitted:
        data = groups.SeriesInput(**values, first_day=first, start=start, end=end,
                                  weekdays=days, every_weeks=every, until=until)
        try:
            with session_scope() as session:
                series = groups.schedule_series(session, actor, data)
                words = f"{series.title}, {groups.describe(series)}"
        except CompanionError as exc:
            remember_failure(NEW, exc)
        else:
            clear_failure(NEW)
            st.session_state["_group_created"] = words
        st.rerun()


def _edit_group(actor: Actor, series, facilitators: dict[int, str]) -> None:
    form = f"{EDIT}-{series.id}"
    st.caption(markdown_text(groups.describe(series)) + " · " + markdown_text(series.rrule))
    if message := st.session_state.pop(f"_saved_{form}", None):
        st.success(markdown_text(message))
    show_failure(form)
    with st.form(form, border=False):
        values = _details_fields(form, facilitators, series)
        until = st.date_input("Last day (optional; to change the day or time, give this "
                              "group a last day and schedule the new time as a new group)",
                              value=groups.rule_until(series), key=f"{form}-until")
        field_message(form, "until")
        submitted = st.form_submit_button("Save changes", type="primary", width="stretch")
    if submitted:
        try:
            with session_scope() as session:
                groups.update_series(session, actor, series.id,
                                     groups.SeriesInput(**values, until=until))
        except CompanionError as exc:
            remember_failure(form, exc)
        else:
            clear_failure(form)
            st.session_state[f"_saved_{form}"] = "Saved."
        st.rerun()


def _one_session(actor: Actor, series) -> None:
    """Cancel, move or restore one occurrence, with a note clients see."""
    st.markdown("**Change one session**")
    start = utcnow()
    with session_scope() as session:
        coming = [o for o in groups.occurrences(session, start, start + timedelta(days=56),
                                                series_ids=[series.id])
                  if o.occurrence_at > start]
    if not coming:
        st.caption("No sessions ahead.")
        return
    keys = [o.key for o in coming]
    by_key = {o.key: o for o in coming}
    chosen = st.selectbox("Session", keys, key=f"{ONE}-{series.id}-pick",
                          format_func=lambda k: option_text(groups.when(by_key[k]) + {
                              "cancelled": " (cancelled)", "moved": " (moved)"}.get(
                              by_key[k].status, "")))
    occ = by_key[chosen]
    form = f"{ONE}-{series.id}"
    if message := st.session_state.pop(f"_saved_{form}", None):
        st.success(markdown_text(message))
    show_failure(form)
    st.text_input("Note for clients", value=occ.note,
                         key=f"{form}-note-{chosen}",
                         placeholder="e.g. Clinic closed for training — see you Wednesday")
    field_message(form, "note")
    local = to_clinic(occ.starts_at)
    cols = st.columns(3)
    cols[0].date_input("New day", value=local.date(), key=f"{form}-day-{chosen}")
    cols[1].time_input("Starts", value=local.time(), step=900, format="12h",
                                   key=f"{form}-start-{chosen}")
    cols[2].time_input("Ends", value=to_clinic(occ.ends_at).time(), step=900, format="12h",
                                 key=f"{form}-end-{chosen}")
    field_message(form, "end")

    def run(what: str) -> None:
        ss = st.session_state
        series_id, at = groups.parse_key(chosen)
        note = ss.get(f"{form}-note-{chosen}", "")
        try:
            with session_scope() as session:
                if what == "cancel":
                    groups.cancel_occurrence(session, actor, series_id, at, note)
                elif what == "move":
                    groups.move_occurrence(session, actor, series_id, at,
                                           ss.get(f"{form}-day-{chosen}"),
                                           ss.get(f"{form}-start-{chosen}"),
                                           ss.get(f"{form}-end-{chosen}"), note)
                else:
                    groups.restore_occurrence(session, actor, series_id, at)
        except CompanionError as exc:
            remember_failure(form, exc)
        else:
            clear_failure(form)
            st.session_state[f"_saved_{form}"] = {
                "cancel": "Cancelled; clients see your note.",
                "move": "Moved; clients see the new time and your note.",
                "restore": "Back to its usual time."}[what]

    b = st.columns(3)
    b[0].button("Cancel this session", key=f"{form}-cancel", on_click=run, args=("cancel",),
                width="stretch")
    b[1].button("Move it", key=f"{form}-move", on_click=run, args=("move",), width="stretch")
    b[2].button("Restore", key=f"{form}-restore", on_click=run, args=("restore",),
                width="stretch", disabled=occ.status == groups.SCHEDULED)


def _service_button(label: str, key: str, call, done=None, ask: str | None = None) -> None:
    """A button whose callback runs one service call; a refusal shows under it. With `ask`,
    the button first asks that question, and "Yes" runs the call."""
    error_key = f"_error_{key}"

    def run() -> None:
        try:
            with session_scope() as session:
                call(session)
        except CompanionError as exc:
            st.session_state[error_key] = str(exc)
        else:
            if done is not None:
                done()

    if ask:
        confirmed(label, key, ask, yes="Yes, delete", on_yes=run)
    else:
        st.button(label_text(label), key=key, on_click=run, width="stretch")
    if message := st.session_state.pop(error_key, None):
        st.error(markdown_text(message))


def _confirm_facilitator(actor: Actor, series, who: dict[int, str]) -> None:
    """A group whose facilitator no admin assigned (made by a therapist before admins alone
    scheduled): its facilitator sees only their own clients until an admin confirms."""
    if series.facilitator_assigned_by is not None:
        return
    name = who.get(series.facilitator_id, "")
    st.warning(f"No admin has confirmed {markdown_text(name)} as this group's facilitator, so they "
               "see only their own clients at it. Confirm them, or choose another facilitator "
               "and save.", icon="⚠️")
    _service_button("Confirm the facilitator", f"group-confirm-{series.id}",
                    lambda session: groups.confirm_facilitator(session, actor, series.id))


def schedule_editor(actor: Actor) -> None:
    """The whole schedule, for admins: the next two weeks, a new group, and one group to
    change."""
    with session_scope() as session:
        facilitators = groups.facilitators(session, actor)
        series_list = groups.all_series(session, actor)
    _fortnight(actor)
    if not facilitators:
        st.info("Add a therapist first (People page): every group needs a facilitator.")
        return
    _new_group(actor, facilitators)
    if not series_list:
        return
    st.header("Change a group")
    by_id = {s.id: s for s in series_list}
    with session_scope() as session:
        who = groups.names(session, [s.facilitator_id for s in series_list])
    chosen = st.selectbox("Group", list(by_id), format_func=lambda i: _series_option(by_id[i], who),
                          index=None, placeholder="Choose a group", key="group-pick")
    if chosen is None:
        return
    series = by_id[chosen]
    _confirm_facilitator(actor, series, who)
    _edit_group(actor, series, facilitators)
    _one_session(actor, series)

    def forget() -> None:
        st.session_state["group-pick"] = None

    _service_button("Delete this group (only if nobody has answered or attended)",
                    f"group-delete-{series.id}",
                    lambda session: groups.delete_series(session, actor, series.id), forget,
                    ask=f"Delete {series.title}? Every session of it goes from the schedule "
                        "and from clients' calendars.")


def schedule_view(actor: Actor) -> None:
    """The schedule for a therapist: the next two weeks to read, and the sessions of the
    groups an admin assigned them to lead, to cancel, move or restore with a note."""
    _fortnight(actor)
    with session_scope() as session:
        mine = groups.led_series(session, actor)
    st.header("Change one of your sessions")
    if not mine:
        st.caption("You don't lead any groups yet. An admin schedules groups and assigns who "
                   "leads them.")
        return
    by_id = {s.id: s for s in mine}
    with session_scope() as session:
        who = groups.names(session, [actor.id])
    chosen = st.selectbox("Group", list(by_id), format_func=lambda i: _series_option(by_id[i], who),
                          key="group-mine-pick")
    _one_session(actor, by_id[chosen])
