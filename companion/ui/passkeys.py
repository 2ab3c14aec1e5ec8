"""Passkeys on My account, the sign-in page and the second step. The ceremonies themselves
run on the app's passkey page (companion/web/passkey_routes.py: page JavaScript, a file),
opened from the buttons here."""
from __future__ import annotations

import streamlit as st

from companion import passkeys
from companion.actors import Actor
from companion.core.db import session_scope
from companion.core.errors import CompanionError
from companion.i18n import N_, _, format_moment, gettext
from companion.ui.confirm import confirmed
from companion.ui.scroll import same_tab_link
from companion.ui.text import markdown_text

# Relative to the page's own address (/, /account, /checkin…): /passkey/…
SIGN_IN_URL = "passkey/?do=sign-in&start=1"
REGISTER_URL = "passkey/?do=register"
SECOND_FACTOR_URL = "passkey/?do=second-factor&start=1"
ADD_LABEL = N_("Sign in with this phone's fingerprint or face next time")


def sign_in_button() -> None:
    same_tab_link(_("Sign in with a passkey"), SIGN_IN_URL, icon="🔑", key="passkey-sign-in")
    st.caption(_("A passkey is your phone's fingerprint, face or screen lock, set up on "
                 "My account after you sign in with your password."))


def second_factor_button(actor: Actor) -> bool:
    """A button to pass the second step with a passkey, if the account has one."""
    with session_scope() as session:
        has = passkeys.has_passkey(session, actor.id)
    if has:
        same_tab_link(_("Use my passkey instead"), SECOND_FACTOR_URL, icon="🔑",
                      key="passkey-second-factor")
    return has


def manage(actor: Actor) -> None:
    """The account's passkeys: add one on this phone, remove one, or remove all."""
    st.header(_("Passkeys"))
    with session_scope() as session:
        mine = passkeys.own_passkeys(session, actor)
    if actor.is_client_side:
        st.caption(_("Sign in with your phone's fingerprint, face or screen lock instead of "
                     "typing your password. Your password keeps working too."))
    else:
        st.caption(_("Use a passkey instead of a code from your authenticator app for the "
                     "second step of signing in."))
    same_tab_link(gettext(ADD_LABEL) if actor.is_client_side
                  else _("Add a passkey on this device"),
                  REGISTER_URL, icon="➕", key="passkey-add")
    if not mine:
        st.caption(_("No passkeys yet."))
        return
    for row in mine:
        added = markdown_text(format_moment(row.created_at))
        line = (_("🔑 **{name}** — added {added}, last used {used}").format(
                    name=markdown_text(row.label), added=added,
                    used=markdown_text(format_moment(row.last_used_at)))
                if row.last_used_at else
                _("🔑 **{name}** — added {added}, not used yet").format(
                    name=markdown_text(row.label), added=added))
        st.markdown(line)
        if confirmed(_("Remove “{name}”").format(name=row.label), f"remove-passkey-{row.id}",
                     _("Remove the passkey “{name}”? It will not sign you in again.").format(
                         name=row.label),
                     yes=_("Yes, remove it")):
            _act(lambda s, pid=row.id: passkeys.remove(s, actor, pid), _("Passkey removed."))
    if len(mine) > 1 and confirmed(_("Remove all passkeys"), "remove-all-passkeys",
                                   _("Remove every passkey of your account? You will sign in "
                                     "with your password."), yes=_("Yes, remove them all")):
        _act(lambda s: passkeys.remove_all(s, actor), _("All passkeys removed."))


def _act(work, done: str) -> None:
    try:
        with session_scope() as session:
            work(session)
    except CompanionError as exc:
        st.error(markdown_text(exc))
        return
    st.toast(markdown_text(done))
    st.rerun()
