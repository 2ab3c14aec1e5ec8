"""People: enrol clients, create staff accounts, assign, discharge, reset, deactivate."""
import streamlit as st
from streamlit import config

from companion import aftercare, calendar_feed, i18n, mfa, passkeys, people, welcome_sheet
from companion.clinic import get_clinic
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.models import Role
from companion.i18n import N_, _, clinic_label, format_moment, gettext
from companion.ui.confirm import confirmed
from companion.ui.downloads import download_button
from companion.ui.gate import current_actor
from companion.ui.text import markdown_text, option_text, table_text

actor = current_actor()
clinic = get_clinic()
st.title(_("People"))
# Account types in the reader's language (the keys stay the stored roles).
ROLE_WORDS = {Role.CLIENT: N_("Client"), Role.THERAPIST: N_("Therapist"), Role.ADMIN: N_("Admin"),
              Role.ALUMNI: N_("Alumni")}
# The list's column headings in the reader's language (the frame keeps the service's names).
COLUMN_WORDS = {"Username": N_("Username"), "Name": N_("Name"), "Role": N_("Role"),
                "Active": N_("Active"), "Must change password": N_("Must change password"),
                "Track": N_("Track"), "Location": N_("Location"), "Therapist": N_("Therapist")}


def role_word(role) -> str:
    return gettext(ROLE_WORDS.get(role, str(role)))


def role_shown(role) -> str:
    """The list's and the picker's role: the stored key in English (as it always was), the
    word in another language."""
    return str(role) if i18n.current() == i18n.DEFAULT else role_word(role)

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
                      reset: bool = False, language: str = i18n.DEFAULT) -> None:
    """The one-time password stays on screen (with its welcome sheet, in the account's
    language) until dismissed."""
    st.session_state["handover"] = {"name": name, "username": username, "role": role,
                                    "temporary": temporary, "reset": reset,
                                    "language": language}


def show_handover() -> None:
    handover = st.session_state.get("handover")
    if not handover:
        return
    with st.container(border=True, key="handover"):
        st.success((_("New password for **{name}** ({username}). Their one-time password (they "
                      "choose their own at first sign-in):") if handover["reset"]
                    else _("Account created for **{name}** ({username}). Their one-time "
                           "password (they choose their own at first sign-in):")).format(
            name=markdown_text(handover['name']), username=markdown_text(handover['username'])))
        st.code(handover["temporary"], language=None)
        st.caption(_("Print the welcome sheet and hand it over, or read it to a telehealth "
                     "client. It stays here until you dismiss it."))
        address = welcome_sheet.app_address(st.context.url,
                                            config.get_option("server.baseUrlPath") or "")
        download_button(
            _("Download the welcome sheet (PDF)"),
            lambda: welcome_sheet.welcome_sheet_pdf(
                handover["name"], handover["username"], handover["temporary"], address,
                handover["role"], reset=handover["reset"],
                language=handover.get("language")),
            file_name=f"welcome-{handover['username']}.pdf", mime="application/pdf",
            width="stretch", key="welcome-sheet")
        if st.button(_("Done: I've handed it over"), width="stretch", key="handover-done"):
            st.session_state.pop("handover", None)
            st.rerun()


show_handover()

with st.expander(_("➕ Create an account"), expanded=frame.empty or len(frame) < 2):
    with st.form("create_account"):
        role = st.selectbox(_("Account type"), [Role.CLIENT, Role.THERAPIST, Role.ADMIN],
                            format_func=lambda r: option_text(role_word(r)), key="new-role")
        name = st.text_input(_("Name"), key="new-name")
        username = st.text_input(_("Username"), key="new-username")
        st.caption(_("For clients:"))
        therapist = st.selectbox(_("Therapist"), list(therapists),
                                 format_func=lambda i: option_text(therapists[i]),
                                 index=None, placeholder=_("Choose a therapist"),
                                 key="new-therapist")
        track = st.selectbox(_("Track"), track_keys,
                             format_func=lambda k: option_text(clinic_label(clinic.track_label(k))),
                             key="new-track")
        location = st.selectbox(_("Location"), location_keys,
                                format_func=lambda k: option_text(
                                    clinic_label(clinic.location_label(k))),
                                key="new-location")
        language = st.selectbox(_("Language the app speaks to them"), list(i18n.LANGUAGES),
                                format_func=lambda c: option_text(i18n.LANGUAGES[c]),
                                key="new-language",
                                help=_("They can change it on My account at any time."))
        create = st.form_submit_button(_("Create account"), type="primary",
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
                spoken = new.user.language
        except CompanionError as exc:
            st.error(markdown_text(exc))  # what was typed stays in the form
        else:
            keep_for_handover(*created, new.temporary_password, language=spoken)
            st.session_state["clear-create-form"] = True
            st.rerun()  # the list below now holds the new account

shown = frame.drop(columns=["id"]).assign(  # labels, not keys (north, morning)
    Role=[role_shown(r) for r in frame["Role"]],
    Track=[clinic_label(clinic.track_label(k)) if isinstance(k, str) else k
           for k in frame["Track"]],
    Location=[clinic_label(clinic.location_label(k)) if isinstance(k, str) else k
              for k in frame["Location"]])
shown = shown.rename(columns={k: gettext(v) for k, v in COLUMN_WORDS.items()})
st.dataframe(table_text(shown), hide_index=True, width="stretch")
if done := st.session_state.pop("people-done", None):  # said after the rerun that showed it
    st.success(markdown_text(done))

st.header(_("Manage an account"))
ids = frame["id"].tolist()
labels = {int(r.id): f"{r.Name} ({r.Username}, {role_shown(r.Role)})"
          for r in frame.itertuples()}
chosen = st.selectbox(_("Account"), ids, format_func=lambda i: option_text(labels[int(i)]),
                      index=None, placeholder=_("Choose an account"))
if chosen is not None:
    row = frame.set_index("id").loc[chosen]
    chosen = int(chosen)
    try:
        with session_scope() as session:
            feed = calendar_feed.status(session, actor, chosen)
        if feed.active:
            st.caption(_("Calendar subscription: on (last fetched {when}).").format(
                when=markdown_text(format_moment(feed.last_fetched_at)))
                if feed.last_fetched_at else _("Calendar subscription: on (not fetched yet)."))
            if st.button(_("Stop their calendar subscription"), width="stretch",
                         key="feed-revoke"):
                with session_scope() as session:
                    calendar_feed.revoke(session, actor, chosen, "lost or shared address")
                st.success(_("Stopped: the address no longer works. This is audited."))
        if row["Role"] in (Role.CLIENT, Role.ALUMNI):
            with st.form("assign"):
                names = list(therapists)
                current = next((i for i, n in therapists.items() if n == row["Therapist"]), None)
                new_therapist = st.selectbox(_("Therapist"), names,
                                             format_func=lambda i: option_text(therapists[i]),
                                             index=names.index(current) if current in names
                                             else None)
                new_track = st.selectbox(_("Track"), track_keys,
                                         format_func=lambda k: option_text(
                                             clinic_label(clinic.track_label(k))),
                                         index=track_keys.index(row["Track"]))
                new_location = st.selectbox(_("Location"), location_keys,
                                            format_func=lambda k: option_text(
                                                clinic_label(clinic.location_label(k))),
                                            index=location_keys.index(row["Location"]))
                if st.form_submit_button(_("Save assignment"), width="stretch"):
                    with session_scope() as session:
                        people.assign(session, actor, chosen, therapist_id=new_therapist,
                                      track=new_track, location=new_location)
                    st.success(_("Assignment saved."))
            keep_feed = False
            if row["Role"] == Role.CLIENT and feed.active:
                keep_feed = st.checkbox(_("Keep their calendar subscription after discharge"),
                                        key="keep-feed-discharge",
                                        help=_("Alumni keep the daily check-in in it."))
            if row["Role"] == Role.CLIENT and confirmed(
                    _("Discharge to alumni"), f"discharge-{chosen}",
                    _("Discharge {name} to alumni? They keep their records and move to the "
                      "alumni pages; group sessions end for them.").format(name=row['Name']),
                    yes=_("Yes, discharge to alumni")):
                with session_scope() as session:
                    people.discharge(session, actor, chosen, keep_calendar=keep_feed)
                st.session_state["people-done"] = _("Discharged: they keep their records and "
                                                    "now see the alumni pages.")
                st.rerun()  # their role and the buttons below change at once
        if confirmed(_("Reset two-step sign-in (lost phone)"), f"reset-mfa-{chosen}",
                     _("Reset {name}'s two-step sign-in? Their authenticator codes stop "
                       "working and they set it up again at their next sign-in.").format(
                         name=row['Name']),
                     yes=_("Yes, reset two-step sign-in")):
            with session_scope() as session:
                mfa.admin_reset(session, actor, chosen)
            st.success(_("Reset: they set it up again at their next sign-in. This is audited."))
        active = bool(row["Active"])
        keep_on_deactivation = active and feed.active and st.checkbox(
            _("Keep their calendar subscription when deactivating"), key="keep-feed-deactivate")
        cols = st.columns(2)
        with cols[0]:
            reset = confirmed(_("Reset password"), f"reset-password-{chosen}",
                              _("Reset {name}'s password? Their current password stops "
                                "working and they are signed out everywhere.").format(
                                    name=row['Name']),
                              yes=_("Yes, reset password"))
        if reset:
            with session_scope() as session:
                temporary = people.reset_password(session, actor, chosen)
                spoken = people.language_of(session, actor, chosen)
            keep_for_handover(row["Name"], row["Username"], row["Role"], temporary, reset=True,
                              language=spoken)
            st.rerun()
        with cols[1]:
            toggled = confirmed(
                _("Deactivate") if active else _("Reactivate"), f"active-{chosen}-{active}",
                _("Deactivate {name}? They are signed out everywhere and can't sign in until "
                  "reactivated; their records are kept.").format(name=row['Name']) if active
                else _("Reactivate {name}? They can sign in again.").format(name=row['Name']),
                yes=_("Yes, deactivate") if active else _("Yes, reactivate"))
        if toggled:
            with session_scope() as session:
                people.set_active(session, actor, chosen, not active,
                                  keep_calendar=bool(keep_on_deactivation))
            st.session_state["people-done"] = (_("Deactivated: signed out everywhere.")
                                               if active else _("Reactivated."))
            st.rerun()
    except CompanionError as exc:
        st.error(markdown_text(exc))

st.header(_("Alumni coordinator"))
st.caption(_("Who reviews alumni's aftercare plans. If no one is set, each alumnus's former "
             "therapist does."))
with session_scope() as session:
    current_coordinator = aftercare.coordinator_id(session)
options = [None, *therapists]
pick = st.selectbox(_("Alumni coordinator"), options,
                    index=options.index(current_coordinator)
                    if current_coordinator in options else 0,
                    format_func=lambda i: _("Former therapist") if i is None
                    else option_text(therapists[i]))
if pick != current_coordinator and st.button(_("Save coordinator"), width="stretch"):
    with session_scope() as session:
        aftercare.set_coordinator(session, actor, pick)
    st.success(_("Saved."))

st.header(_("Staff sign-in"))
st.caption(_("Staff always give a second step after their password: a code from an "
             "authenticator app, or a passkey (their phone's fingerprint, face or screen "
             "lock). Passkeys can't be phished."))
with session_scope() as session:
    required_now = passkeys.staff_passkeys_required(session)
required = st.toggle(_("Staff must use a passkey (no app codes once they have one)"),
                     value=required_now, key="staff-passkeys-required")
st.caption(_("With this on, a staff member without a passkey adds one right after their code "
             "at their next sign-in, before any page opens. Turn it on once you have a passkey "
             "yourself. If someone's device can't make one, turn it off for now."))
if required != required_now and st.button(_("Save staff sign-in rule"), width="stretch"):
    try:
        with session_scope() as session:
            passkeys.set_staff_passkeys_required(session, actor, required)
        st.success(_("Saved."))
    except CompanionError as exc:
        st.error(markdown_text(exc))
