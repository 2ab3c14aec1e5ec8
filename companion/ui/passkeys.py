"""Passkeys on My account, the sign-in page and the second step. The ceremonies themselves
run on the app's passkey page (companion/web/passkey_routes.py: page JavaScript, a file),
opened from the buttons here; the sign-in page's Username field also offers the phone's
passkeys among its suggestions where the browser can (conditional UI: a small packaged
component, static/passkey_autofill, using the same calls).

WebAuthn works only in a secure context (HTTPS, or `localhost` for a local run) and only at
the relying party's own origins (`PASSKEY_ORIGINS`). Where the page's address is not one of
them, the app says so instead of drawing a button that could only fail; where the browser
can't do passkeys, the button's own component says so (`same_tab_link(unavailable=…)`)."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit

import streamlit as st
import streamlit.components.v1 as components

from companion import i18n, passkeys
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


def here() -> str:
    """This page's address relative to the app's root ("client?client=12"; "" for home): a
    stand-in step answers at the address that was asked for (companion/ui/navigation.py), so
    once the step is done that page opens. Only the app's own page names are kept."""
    from companion.ui.navigation import every_url_path

    path = urlsplit(st.context.url or "").path.rstrip("/").rsplit("/", 1)[-1]
    if path not in every_url_path():
        path = ""
    query = urlencode(st.query_params.to_dict())
    return path + (f"?{query}" if query else "")


def required_register_url() -> str:
    """The passkey page, to add the passkey the clinic's rule asks for, coming back here."""
    return in_language(REGISTER_URL + "&next=" + quote(here(), safe=""))


def required_register_button() -> bool:
    """The forced step's button; False (and why) where passkeys can't be made here."""
    if not available_here():
        st.warning(markdown_text(_not_here()), icon="🔒")
        return False
    same_tab_link(_("Add a passkey on this device"), required_register_url(), icon="🔑",
                  key="passkey-required-add", unavailable=_browser_cannot())
    return True


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


def available_at(url: str | None, origins: tuple[str, ...]) -> bool:
    """Whether passkeys can work at the page address `url`: one of the relying party's
    `origins` (the server refuses any other), in a secure context (HTTPS, or a local
    address). Unknown (no browser address, as in tests): yes, and the passkey page itself
    says if not."""
    if not url:
        return True
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    secure = parts.scheme == "https" or host in _LOCAL_HOSTS or host.endswith(".localhost")
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    return secure and origin in {o.lower().rstrip("/") for o in origins}


def available_here() -> bool:
    return available_at(st.context.url, passkeys.relying_party().origins)


def _not_here() -> str:
    return _("Passkeys work only at the clinic's secure address (one starting with https://), "
             "so they are off at this one.")


def _browser_cannot() -> str:
    return _("This browser can't use passkeys, so the password is the way in here.")


_AUTOFILL = components.declare_component(
    "passkey_autofill", path=str(Path(__file__).resolve().parent / "static" / "passkey_autofill"))


def autofill(field_label: str) -> None:
    """Conditional UI: the Username field (labelled `field_label`) offers this phone's
    passkeys among its suggestions where the browser can; choosing one signs in. Nothing is
    drawn unless that passkey didn't work (then why, in the server's words)."""
    _AUTOFILL(field=field_label, base="passkey/", lang=i18n.current(),
              checking=_("Checking your passkey…"),
              failed=_("That passkey didn't work here. Please try again, or sign in with your "
                       "password."), key="passkey-autofill", default=None)


def in_language(url: str) -> str:
    """A passkey page address, in the language the app speaks now (English: as it is)."""
    language = i18n.current()
    return url if language == i18n.DEFAULT else f"{url}&lang={language}"


def sign_in_button(field_label: str, draft_kept: bool = False) -> None:
    """"Sign in with a passkey", and the Username field's passkey suggestions. A passkey
    sign-in opens the app anew, so while what was typed before an idle sign-out is kept
    (`draft_kept`: it comes back only after a password sign-in in this tab) the field offers
    none, and the page says to use the password this time."""
    if not available_here():
        st.caption(markdown_text(_not_here()))
        return
    same_tab_link(_("Sign in with a passkey"), in_language(SIGN_IN_URL), icon="🔑",
                  key="passkey-sign-in",
                  unavailable=_browser_cannot())
    if draft_kept:
        st.caption(_("To get back what you were typing, sign in with your password this "
                     "time."))
        return
    st.caption(_("A passkey is your phone's fingerprint, face or screen lock, set up on "
                 "My account after you sign in with your password."))
    autofill(field_label)


def second_factor_button(actor: Actor) -> bool:
    """A button to pass the second step with a passkey, if the account has one."""
    with session_scope() as session:
        has = passkeys.has_passkey(session, actor.id)
    if has and not available_here():
        st.caption(markdown_text(_not_here()))
    elif has:
        same_tab_link(_("Use my passkey instead"), in_language(SECOND_FACTOR_URL), icon="🔑",
                      key="passkey-second-factor", unavailable=_browser_cannot())
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
    if available_here():
        same_tab_link(gettext(ADD_LABEL) if actor.is_client_side
                      else _("Add a passkey on this device"),
                      in_language(REGISTER_URL), icon="➕", key="passkey-add",
                      unavailable=_browser_cannot())
    else:
        st.caption(markdown_text(_not_here()))
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
        st.error(markdown_text(i18n.gettext(str(exc))))
        return
    st.toast(markdown_text(done))
    st.rerun()
