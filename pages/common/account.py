"""My account: who I am in the program, changing my password, and my passkeys."""
import streamlit as st

from companion import audit, export, i18n, mfa, people
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.models import Role, User
from companion.ui.downloads import download_button
from companion.i18n import _, clinic_label, gettext
from companion.ui import language
from companion.ui.gate import SIGNED_IN_AT, current_actor, mark_second_factor_done
from companion.ui.milestones import milestone_settings
from companion.ui.passkeys import manage as manage_passkeys
from companion.ui.password import password_form
from companion.ui.second_factor import enrol, show_recovery_codes
from companion.ui.text import label_text, markdown_text

actor = current_actor()
st.title(_("My account"))
with session_scope() as session:
    profile = people.own_profile(session, actor)
SHOWN_AS = {"Account": gettext, "Track": clinic_label, "Location": clinic_label}
for label, value in profile.items():
    value = SHOWN_AS.get(label, str)(value)
    st.markdown(_("**{label}:** {value}").format(label=markdown_text(gettext(label)),
                                                 value=markdown_text(value)))
st.header(_("Language"))


def _language_chosen() -> None:
    code = st.session_state.get("my-language")
    if code is None:
        return
    try:
        with session_scope() as session:
            people.set_language(session, actor, actor.id, code)
    except CompanionError as exc:
        st.toast(markdown_text(exc), icon="⚠️")
        return
    language.follow_account(code)
    st.toast(_("Saved: the app speaks {language} to you now.").format(
        language=markdown_text(i18n.LANGUAGES[code])), icon="🗣️")


st.session_state["my-language"] = i18n.current()
st.radio(_("The language the app speaks to you in"), list(i18n.LANGUAGES),
         format_func=lambda code: label_text(i18n.LANGUAGES[code]), key="my-language",
         horizontal=True, on_change=_language_chosen)
st.header(_("Change password"))
password_form(actor, forced=False)
manage_passkeys(actor)

if actor.role in (Role.CLIENT, Role.ALUMNI):
    milestone_settings(actor)
    st.header(_("My data"))
    st.caption(_("A ZIP file with everything the app holds about you — check-ins, cravings, "
                 "plans, questionnaires and more — as spreadsheet (CSV) files you can keep."))

    signed_in_at = st.session_state.get(SIGNED_IN_AT, 0.0)

    def _my_data() -> bytes:  # built only when tapped, with no page gate: re-checks the session
        with session_scope() as session:
            return export.export_for_session(session, actor, signed_in_at)

    download_button(_("Download all my data"), _my_data, file_name=export.file_name(),
                    mime="application/zip", icon="📦")

    st.header(_("Who on the staff viewed my records"))
    st.caption(_("Every time a staff member opens your records, it's written down. Only your "
                 "own therapist (and admins, for your account details) can open them."))
    with session_scope() as session:
        views = audit.views_of_me(session, actor)
    if views.empty:
        st.caption(_("No one yet."))
    for row in views.itertuples():
        line = (_("{when} — {who} ({role}) viewed: {what}") if row.Action == "viewed" else
                _("{when} — {who} ({role}) changed: {what}"))
        st.markdown(markdown_text(line.format(
            when=row.When, who=row.Who,
            role=gettext(people.ROLE_LABELS.get(row.Role, row.Role)).lower(),
            what=gettext(audit.RECORD_NAMES.get(row.Kind, row.What)))))

if actor.role in (Role.CLIENT, Role.ALUMNI):
    st.header(_("Two-step sign-in"))
    with session_scope() as session:
        me = session.get(User, actor.id)
    if st.session_state.get("_recovery_codes"):
        if show_recovery_codes():
            mark_second_factor_done()
            st.rerun()
    elif mfa.enrolled(me):
        st.caption(_("On: you give a code from your authenticator app when you sign in."))
        with st.form("turn-off-2fa"):
            off_code = st.text_input(_("Current code, to turn it off"))
            if st.form_submit_button(_("Turn off two-step sign-in"), width="stretch"):
                try:
                    with session_scope() as session:
                        mfa.turn_off(session, actor, off_code)
                    st.success(_("Turned off."))
                except CompanionError as exc:
                    st.error(markdown_text(exc))
    else:
        st.caption(_("Optional: protect your account with a code from an authenticator "
                     "app."))
        with st.expander(_("Turn on two-step sign-in")):
            if enrol(actor, me):
                st.rerun()
