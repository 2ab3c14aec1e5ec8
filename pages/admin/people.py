"""People: enrol clients, create staff accounts, assign, discharge, reset, deactivate."""
import streamlit as st
from streamlit import config

from companion import aftercare, calendar_feed, i18n, mfa, passkeys, people, welcome_sheet
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import _
from companion.models import Role
from companion.core.timeutil import show
from companion.ui.confirm import confirmed
from companion.ui.downloads import download_button
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


FORM_KEYS = ("new-role", "new-name", "new-username", "new-therapist", "new-track",
             "new-location", "new-language")
if st.session_state.pop("clear-create-form", False):  # set by a successful create: start blank
    for key in FORM_KEYS:
        st.session_state.pop(key, None)


def keep_for_handover(name: str, username: str, role: str, temporary: str,
                      reset: bool = False) -> None:
    """The one-time password stays on screen (with its welcome sheet) until dismissed."""
    st.session_state["handover"] = {"name": name, "username": username, "role": role,
                                    "temporary": temporary, "reset": reset}


def show_handover() -> None:
    handover = st.session_state.get("handover")
    if not handover:
        return
    with st.container(border=True, key="handover"):
        what = "New password" if handover["reset"] else "Account created"
        st.success(f"{what} for **{markdown_text(handover['name'])}** "
                   f"({markdown_text(handover['username'])}). Their one-time password (they "
                   "choose their own at first sign-in):")
        st.code(handover["temporary"], language=None)
        st.caption("Print the welcome sheet and hand it over, or read it to a telehealth "
                   "client. It stays here until you dismiss it.")
        address = welcome_sheet.app_address(st.context.url,
                                            config.get_option("server.baseUrlPath") or "")
        download_button(
            "Download the welcome sheet (PDF)",
            lambda: welcome_sheet.welcome_sheet_pdf(
                handover["name"], handover["username"], handover["temporary"], address,
                handover["role"], reset=handover["reset"]),
            file_name=f"welcome-{handover['username']}.pdf", mime="application/pdf",
            width="stretch", key="welcome-sheet")
        if st.button("Done: I've handed it over", width="stretch", key="handover-done"):
            st.session_state.pop("handover", None)
            st.rerun()


show_handover()

with st.expander("➕ Create an account", expanded=frame.empty or len(frame) < 2):
    with st.form("create_account"):
        role = st.selectbox("Account type", [Role.CLIENT, Role.THERAPIST, Role.ADMIN],
                            format_func=lambda r: option_text(r.capitalize()), key="new-role")
        name = st.text_input("Name", key="new-name")
        username = st.text_input("Username", key="new-username")
        st.caption("For clients:")
        therapist = st.selectbox("Therapist", list(therapists),
                                 format_func=lambda i: option_text(therapists[i]),
                                 index=None, placeholder="Choose a therapist",
                                 key="new-therapist")
        track = st.selectbox("Track", track_keys,
                             format_func=lambda k: option_text(clinic.track_label(k)),
                             key="new-track")
        location = st.selectbox("Location", location_keys,
                                format_func=lambda k: option_text(clinic.location_label(k)),
                                key="new-location")
        language = st.selectbox("Language the app speaks to them", list(i18n.LANGUAGES),
                                format_func=lambda c: option_text(i18n.LANGUAGES[c]),
                                key="new-language",
                                help="They can change it on My account at any time.")
        create = st.form_submit_button("Create account", type="primary",
                                       width="stretch")
    if create:
        client = role == Role.CLIENT
        try:
            with session_scope() as session:
                new = people.create_user(
                    session, actor, username, name, role,
                    therapist_id=therapist if client else None,
                    track=track if client else None, location=location if client else None,
                    language=language if client else i18n.DEFAULT)
                created = (new.user.display_name, new.user.username, new.user.role.value)
        except CompanionError as exc:
            st.error(markdown_text(exc))  # what was typed stays in the form
        else:
            keep_for_handover(*created, new.temporary_password)
            st.session_state["clear-create-form"] = True
            st.rerun()  # the list below now holds the new account

shown = frame.drop(columns=["id"]).assign(  # labels, not keys (north, morning)
    Track=[clinic.track_label(k) if isinstance(k, str) else k for k in frame["Track"]],
    Location=[clinic.location_label(k) if isinstance(k, str) else k for k in frame["Location"]])
st.dataframe(table_text(shown), hide_index=True, width="stretch")
if done := st.session_state.pop("people-done", None):  # said after the rerun that showed it
    st.success(markdown_text(done))

st.header("Manage an account")
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
            if row["Role"] == Role.CLIENT and confirmed(
                    "Discharge to alumni", f"discharge-{chosen}",
                    f"Discharge {row['Name']} to alumni? They keep their records and move to "
                    "the alumni pages; group sessions end for them."):
                with session_scope() as session:
                    people.discharge(session, actor, chosen, keep_calendar=keep_feed)
                st.session_state["people-done"] = ("Discharged: they keep their records and "
                                                   "now see the alumni pages.")
                st.rerun()  # their role and the buttons below change at once
        if confirmed("Reset two-step sign-in (lost phone)", f"reset-mfa-{chosen}",
                     f"Reset {row['Name']}'s two-step sign-in? Their authenticator codes stop "
                     "working and they set it up again at their next sign-in.",
                     yes="Yes, reset two-step sign-in"):
            with session_scope() as session:
                mfa.admin_reset(session, actor, chosen)
            st.success("Reset: they set it up again at their next sign-in. This is audited.")
        active = bool(row["Active"])
        keep_on_deactivation = active and feed.active and st.checkbox(
            "Keep their calendar subscription when deactivating", key="keep-feed-deactivate")
        cols = st.columns(2)
        with cols[0]:
            reset = confirmed("Reset password", f"reset-password-{chosen}",
                              f"Reset {row['Name']}'s password? Their current password stops "
                              "working and they are signed out everywhere.")
        if reset:
            with session_scope() as session:
                temporary = people.reset_password(session, actor, chosen)
            keep_for_handover(row["Name"], row["Username"], row["Role"], temporary, reset=True)
            st.rerun()
        with cols[1]:
            toggled = confirmed(
                "Deactivate" if active else "Reactivate", f"active-{chosen}-{active}",
                f"Deactivate {row['Name']}? They are signed out everywhere and can't sign in "
                "until reactivated; their records are kept." if active
                else f"Reactivate {row['Name']}? They can sign in again.")
        if toggled:
            with session_scope() as session:
                people.set_active(session, actor, chosen, not active,
                                  keep_calendar=bool(keep_on_deactivation))
            st.session_state["people-done"] = ("Deactivated: signed out everywhere." if active
                                               else "Reactivated.")
            st.rerun()
    except CompanionError as exc:
        st.error(markdown_text(exc))

st.header("Alumni coordinator")
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

st.header("Staff sign-in")
st.caption("Staff always give a second step after their password: a code from an "
           "authenticator app, or a passkey (their phone's fingerprint, face or screen lock). "
           "Passkeys can't be phished.")
with session_scope() as session:
    required_now = passkeys.staff_passkeys_required(session)
required = st.toggle("Staff must use a passkey (no app codes once they have one)",
                     value=required_now, key="staff-passkeys-required")
st.caption(_("With this on, a staff member without a passkey adds one right after their code "
             "at their next sign-in, before any page opens. Turn it on once you have a passkey "
             "yourself. If someone's device can't make one, turn it off for now."))
if required != required_now and st.button("Save staff sign-in rule", width="stretch"):
    try:
        with session_scope() as session:
            passkeys.set_staff_passkeys_required(session, actor, required)
        st.success("Saved.")
    except CompanionError as exc:
        st.error(markdown_text(exc))
