"""People: enrol clients, create staff accounts, assign, discharge, reset, deactivate."""
import streamlit as st

from companion import aftercare, calendar_feed, mfa, people
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.models import Role
from companion.core.timeutil import show
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, option_text, table_text

actor = current_actor()
clinic = get_clinic()
st.title("People")

with session_scope() as session:
    frame = people.people(session, actor)
    therapists = {t.id: t.display_name for t in people.therapists(session, actor)}

track_keys = [t.key for t in clinic.tracks]
location_keys = [loc.key for loc in clinic.locations]


def show_temporary(username: str, temporary: str) -> None:
    st.success(f"One-time password for **{markdown_text(username)}** (shown once — give it to "
               "them in person; they choose their own at first sign-in):")
    st.code(temporary, language=None)


with st.expander("➕ Create an account", expanded=frame.empty or len(frame) < 2):
    with st.form("create_account"):
        role = st.selectbox("Account type", [Role.CLIENT, Role.THERAPIST, Role.ADMIN],
                            format_func=lambda r: option_text(r.capitalize()))
        name = st.text_input("Name")
        username = st.text_input("Username")
        st.caption("For clients:")
        therapist = st.selectbox("Therapist", list(therapists),
                                 format_func=lambda i: option_text(therapists[i]),
                                 index=None, placeholder="Choose a therapist")
        track = st.selectbox("Track", track_keys,
                             format_func=lambda k: option_text(clinic.track_label(k)))
        location = st.selectbox("Location", location_keys,
                                format_func=lambda k: option_text(clinic.location_label(k)))
        create = st.form_submit_button("Create account", type="primary",
                                       width="stretch")
    if create:
        client = role == Role.CLIENT
        try:
            with session_scope() as session:
                new = people.create_user(
                    session, actor, username, name, role,
                    therapist_id=therapist if client else None,
                    track=track if client else None, location=location if client else None)
        except CompanionError as exc:
            st.error(markdown_text(exc))
        else:
            show_temporary(new.user.username, new.temporary_password)

st.dataframe(table_text(frame.drop(columns=["id"])), hide_index=True, width="stretch")

st.subheader("Manage an account")
ids = frame["id"].tolist()
labels = {int(r.id): f"{r.Name} ({r.Username}, {r.Role})" for r in frame.itertuples()}
chosen = st.selectbox("Account", ids, format_func=lambda i: option_text(labels[int(i)]), index=None,
                      placeholder="Choose an account")
if chosen is not None:
    row = frame.set_index("id").loc[chosen]
    chosen = int(chosen)
    try:
        with session_scope() as session:
            feed = calendar_feed.status(session, actor, chosen)
        if feed.active:
            st.caption("Calendar subscription: on" + (
                f" (last fetched {show(feed.last_fetched_at)})" if feed.last_fetched_at
                else " (not fetched yet)") + ".")
            if st.button("Stop their calendar subscription", width="stretch",
                         key="feed-revoke"):
                with session_scope() as session:
                    calendar_feed.revoke(session, actor, chosen, "lost or shared address")
                st.success("Stopped: the address no longer works. This is audited.")
        if row["Role"] in (Role.CLIENT, Role.ALUMNI):
            with st.form("assign"):
                names = list(therapists)
                current = next((i for i, n in therapists.items() if n == row["Therapist"]), None)
                new_therapist = st.selectbox("Therapist", names,
                                             format_func=lambda i: option_text(therapists[i]),
                                             index=names.index(current) if current in names
                                             else None)
                new_track = st.selectbox("Track", track_keys,
                                         format_func=lambda k: option_text(clinic.track_label(k)),
                                         index=track_keys.index(row["Track"]))
                new_location = st.selectbox("Location", location_keys,
                                            format_func=lambda k: option_text(
                                                clinic.location_label(k)),
                                            index=location_keys.index(row["Location"]))
                if st.form_submit_button("Save assignment", width="stretch"):
                    with session_scope() as session:
                        people.assign(session, actor, chosen, therapist_id=new_therapist,
                                      track=new_track, location=new_location)
                    st.success("Assignment saved.")
            keep_feed = False
            if row["Role"] == Role.CLIENT and feed.active:
                keep_feed = st.checkbox("Keep their calendar subscription after discharge",
                                        key="keep-feed-discharge",
                                        help="Alumni keep the daily check-in in it.")
            if row["Role"] == Role.CLIENT and st.button("Discharge to alumni",
                                                        width="stretch"):
                with session_scope() as session:
                    people.discharge(session, actor, chosen, keep_calendar=keep_feed)
                st.success("Discharged: they keep their records and now see the alumni pages.")
        if st.button("Reset two-step sign-in (lost phone)", width="stretch"):
            with session_scope() as session:
                mfa.admin_reset(session, actor, chosen)
            st.success("Reset: they set it up again at their next sign-in. This is audited.")
        active = bool(row["Active"])
        keep_on_deactivation = active and feed.active and st.checkbox(
            "Keep their calendar subscription when deactivating", key="keep-feed-deactivate")
        cols = st.columns(2)
        if cols[0].button("Reset password", width="stretch"):
            with session_scope() as session:
                temporary = people.reset_password(session, actor, chosen)
            show_temporary(row["Username"], temporary)
        if cols[1].button("Deactivate" if active else "Reactivate", width="stretch"):
            with session_scope() as session:
                people.set_active(session, actor, chosen, not active,
                                  keep_calendar=bool(keep_on_deactivation))
            st.success("Deactivated: signed out everywhere." if active else "Reactivated.")
    except CompanionError as exc:
        st.error(markdown_text(exc))

st.subheader("Alumni coordinator")
st.caption("Who reviews alumni's aftercare plans. If no one is set, each alumnus's former "
           "therapist does.")
with session_scope() as session:
    current_coordinator = aftercare.coordinator_id(session)
options = [None, *therapists]
pick = st.selectbox("Alumni coordinator", options,
                    index=options.index(current_coordinator)
                    if current_coordinator in options else 0,
                    format_func=lambda i: "Former therapist" if i is None
                    else option_text(therapists[i]))
if pick != current_coordinator and st.button("Save coordinator", width="stretch"):
    with session_scope() as session:
        aftercare.set_coordinator(session, actor, pick)
    st.success("Saved.")
