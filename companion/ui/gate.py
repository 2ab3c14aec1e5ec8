"""Streamlit side of sign-in: wires streamlit-authenticator to `companion.auth`.

The library draws the login form and writes or deletes its re-login cookie through a browser
component drawn in the same run, so nothing here calls `st.rerun()` after `login()` or
`logout()` (an immediate rerun drops the cookie write or delete). Its credential check and
cookie read are replaced on our instance by database-backed versions: lockout held in the
database, equal timing for unknown names, and server-side revocation of old cookies. Its
cookie write gets the Secure flag when the page is served over HTTPS.
"""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import date, datetime, time as dt_time
from functools import partial

import streamlit as st
import streamlit_authenticator as stauth
from sqlmodel import select

from companion import access, auth, run_context
from companion.actors import Actor
from companion.core.config import get_settings
from companion.core.db import session_scope
from companion.i18n import _
from companion.models import User, UserSession
from companion.ui import drafts, language

AUTH_KEY = "_authenticator"
MFA_OK = "_mfa_ok"
SIGNED_IN_AT = "_signed_in_at"
SESSION_ID = "_session_id"  # this tab's `UserSession`: started by a sign-in, joined by cookie
LAST_ACTIVITY = "_last_activity"
NOTICE = "_auth_notice"
SIGNED_OUT_WHY = "_signed_out_why"  # shown on the sign-in page until someone signs in again
DRAFT = "_idle_draft"  # (username, {widget key: value}) kept across an idle sign-out
RESTORED = "_draft_restored"
RECHECK = "_recheck_signed_in"  # a change was refused as the session had ended: gate again
# Widget keys whose values are never kept in a draft (passwords, codes).
_SECRET_WORDS = ("password", "code", "secret", "totp", "recovery")


def _library_entry(user: User) -> dict:
    return {"name": user.display_name, "roles": [user.role], "email": None, "password": "*"}


def _check_credentials(model, username: str, password: str) -> bool:
    with session_scope() as session:
        result = auth.check_login(session, username, password)
        if result.user is not None:
            auth.mark_seen(session, result.user)
            session_id = auth.start_session(session, result.user)
    if result.user is None:
        st.session_state[NOTICE] = result.message
        return False
    model.credentials["usernames"][result.user.username] = _library_entry(result.user)
    st.session_state[SIGNED_IN_AT] = time.time()
    st.session_state.pop(SIGNED_OUT_WHY, None)
    st.session_state[SESSION_ID] = session_id  # a new id: an ended one is never reused
    return True


def _checked_cookie(read_cookie, model):
    token = read_cookie()
    if not token:
        return token
    with session_scope() as session:
        user = auth.cookie_user(session, token)
        if user is not None:
            auth.mark_seen(session, user)
            row = auth.cookie_session(session, user, float(token["exp_date"]))
            session_id = row.id if row is not None else None
        elif auth.cookie_went_idle(session, token):  # reloaded after the idle limit: say so
            st.session_state[SIGNED_OUT_WHY] = auth.IDLE
    if user is None or session_id is None:
        return None
    model.credentials["usernames"][user.username] = _library_entry(user)
    st.session_state[SIGNED_IN_AT] = time.time()
    st.session_state[SESSION_ID] = session_id  # this browser's session, which issued it
    if auth.cookie_passed_second_factor(user, token):
        st.session_state[MFA_OK] = True
    return token


def served_over_https() -> bool:
    """Whether the browser reached the app over HTTPS (behind the TLS proxy): the page's own
    URL, as the browser reports it. Plain http://localhost runs say no."""
    url = st.context.url
    return bool(url) and url.lower().startswith("https://")


def _secure_when_https(set_cookie, cookies, *args, **kwargs):
    """The library writes its cookie from JavaScript with SameSite=Strict and no Secure flag;
    over HTTPS add Secure (over http a Secure cookie would not be kept by every browser).
    Every cookie issued is bound to this tab's session, so other tabs join that session."""
    if served_over_https():
        kwargs["secure"] = True
    with session_scope() as session:
        auth.bind_cookie(session, st.session_state.get(SESSION_ID), cookies.exp_date)
    return set_cookie(*args, **kwargs)


def build_authenticator() -> stauth.Authenticate:
    """One per script run (it draws the cookie component)."""
    settings = get_settings()
    authenticator = stauth.Authenticate(
        {"usernames": {}}, cookie_name=settings.cookie_name, cookie_key=settings.cookie_key,
        cookie_expiry_days=settings.cookie_lifetime_hours / 24, auto_hash=False,
        login_sleep_time=0)
    model = authenticator.authentication_controller.authentication_model
    model.check_credentials = partial(_check_credentials, model)
    cookies = authenticator.cookie_controller.cookie_model
    cookies.get_cookie = partial(_checked_cookie, cookies.get_cookie, model)
    manager = cookies.cookie_manager
    manager.set = partial(_secure_when_https, manager.set, cookies)
    st.session_state[AUTH_KEY] = authenticator
    return authenticator


def authenticator() -> stauth.Authenticate:
    return st.session_state[AUTH_KEY]


def signed_in() -> bool:
    return bool(st.session_state.get("authentication_status"))


def _end_sessions_of(username: str | None) -> None:
    if not username:
        return
    with session_scope() as session:
        user = session.exec(select(User).where(User.username == username)).first()
        if user is not None:
            auth.end_sessions(session, user.id)


def mark_second_factor_done(user_id: int | None = None) -> None:
    """This session passed the second factor. With `user_id`, also issue a fresh re-login
    cookie and trust it for the second factor, so a reload needs no new code. No rerun after
    this: the cookie is written by this very run."""
    st.session_state[MFA_OK] = True
    if user_id is not None:
        cookies = authenticator().cookie_controller
        cookies.set_cookie()
        with session_scope() as session:
            auth.trust_cookie(session, user_id, cookies.cookie_model.exp_date)


def second_factor_done() -> bool:
    return bool(st.session_state.get(MFA_OK))


def _forget_session() -> None:
    for key in (SIGNED_IN_AT, SESSION_ID, LAST_ACTIVITY, "actor", MFA_OK, "_totp_secret",
                "_recovery_codes", language.ACCOUNT_KEY):
        st.session_state.pop(key, None)


def _end_this_session(reason: str) -> None:
    session_id = st.session_state.get(SESSION_ID)
    if session_id:
        with session_scope() as session:
            auth.end_session(session, session_id, reason)


def sign_out(notice: str = "", *, everywhere: bool = True, reason: str = "signed out") -> None:
    """End this session (with `everywhere`, every session of the account) and its cookie: no
    rerun after (the cookie delete needs this run). This session's id stays ended for good."""
    _end_this_session(reason)
    if everywhere:
        _end_sessions_of(st.session_state.get("username"))
        drafts.forget_all()  # signed out on purpose: nothing typed stays in this tab
    if signed_in():
        authenticator().logout(location="unrendered")
    _forget_session()
    if notice:
        st.session_state[NOTICE] = notice


def _on_logout(details: dict) -> None:
    _end_this_session("signed out")
    _end_sessions_of(details.get("username"))
    _forget_session()
    drafts.forget_all()  # nothing typed stays in this tab for whoever picks up the phone


def logout_button() -> None:
    authenticator().logout(_("Sign out"), location="sidebar", key="sign_out",
                           callback=_on_logout, use_container_width=True)


def passkey_first(actor: Actor | None) -> bool:
    """Staff under the clinic's passkey rule with no passkey yet: past their code, the sign-in
    goes on to "Add a passkey" and nothing else opens (`access.passkey_pending`, which every
    staff service checks too). Read from what the gate loaded this run: no statement."""
    if actor is None or not actor.is_staff:
        return False
    with session_scope() as session:
        return access.passkey_pending(session, actor)


def _idle_too_long(last: float | None, now: float | None = None) -> bool:
    return last is not None and ((now or time.time()) - last
                                 > get_settings().idle_timeout_minutes * 60)


def _typed_values() -> dict:
    """What the person had in this run's keyed widgets (the form they were filling in),
    without passwords or codes."""
    from streamlit.runtime.state import get_session_state

    state = get_session_state()._state  # SafeSessionState -> SessionState (Streamlit 1.67)
    metadata = state._new_widget_state.widget_metadata
    kept = {}
    for widget_id, key in state._key_id_mapper.id_key_mapping.items():
        kind = getattr(metadata.get(widget_id), "value_type", None) or "trigger_value"
        if (kind.endswith("trigger_value") or kind.startswith("file_uploader")
                or key.startswith("_") or any(word in key.lower() for word in _SECRET_WORDS)):
            continue  # buttons cannot be set; files and secrets are not kept
        try:
            value = st.session_state[key]
        except KeyError:
            continue
        if isinstance(value, (str, int, float, list, tuple, date, datetime, dt_time)):
            kept[key] = value
    return kept


def _keep_draft(username: str | None) -> None:
    values = _typed_values()
    if username and values:
        st.session_state[DRAFT] = (username, values)


def restore_draft(username: str) -> bool:
    """After signing in again as the same person, put back what they were typing when the
    idle sign-out came (before the page draws its widgets). Another person gets nothing."""
    held = st.session_state.pop(DRAFT, None)
    if not held or held[0] != username:
        return False
    for key, value in held[1].items():
        st.session_state[key] = value
    st.session_state[RESTORED] = True
    return True


def gate() -> tuple[Actor | None, User | None]:
    """Sign in from the cookie if it stands, then check the session still holds."""
    st.session_state.pop(RECHECK, None)  # this is the gate a refused change asked for
    build_authenticator().login(location="unrendered")
    if not signed_in():
        return None, None
    now = time.time()
    if _idle_too_long(st.session_state.get(LAST_ACTIVITY), now):
        _keep_draft(st.session_state.get("username"))
        sign_out(auth.IDLE, everywhere=False, reason="idle past the limit")
        st.session_state[SIGNED_OUT_WHY] = auth.IDLE
        return None, None
    signed_in_at = st.session_state.get(SIGNED_IN_AT, 0.0)
    session_id = st.session_state.get(SESSION_ID)
    with session_scope() as session:  # the person, enrolment and data version: one statement
        loaded = run_context.load_signed_in(session, st.session_state["username"], session_id)
        user = loaded and auth.active_user(session, loaded.user.id, signed_in_at)
        row, ended = (auth.live_session(session, session_id, user.id, loaded=loaded.user_session)
                      if user else (None, ""))
        if user is not None and ended is None:
            auth.mark_seen(session, user)
            auth.touch_session(session, row)
    before = st.session_state.get("actor")
    if user is None or ended is not None or (before is not None and before.id == user.id
                                             and before.role != user.role):
        # This tab's session only: a session ended elsewhere, or idle, must not take down a
        # newer sign-in in another tab. A session holds one role: a discharge signs in again.
        notice = auth.IDLE if ended == "idle past the limit" else auth.SESSION_ENDED
        sign_out(notice, everywhere=False, reason=ended or "refused by the sign-in gate")
        return None, None
    run_context.begin(loaded)  # checked this run; router.py forgets it when the run ends
    st.session_state[LAST_ACTIVITY] = now
    restore_draft(user.username)
    # What every change made from this page run (its widget callbacks too, which run before
    # the next gate) re-checks in its own transaction: `access.require_current`.
    actor = Actor.of(user, signed_in_at=signed_in_at, active_at=now, session_id=session_id)
    st.session_state["actor"] = actor
    language.follow_account(user.language)  # this run speaks the account's language
    return actor, user


def in_fragment_run() -> bool:
    """Whether this run reruns only a fragment (`st.fragment`): router.py and its gate did
    not run, the page's fragment alone did."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return bool(ctx is not None and ctx.fragment_ids_this_run)


def fragment_gate() -> None:
    """First in a fragment that saves: a fragment's own run skips the gate, so when the gate
    would not let this run through (signed out, past the idle limit, whose Save callbacks are
    skipped; or a change this run was refused because the session ended), rerun the whole
    page instead: the gate signs out as on any page, keeping what was typed after idle."""
    if not in_fragment_run():
        return
    recheck = st.session_state.pop(RECHECK, False)
    if recheck or not signed_in() or _idle_too_long(st.session_state.get(LAST_ACTIVITY)):
        st.rerun()


def recheck_after(exc: Exception) -> None:
    """A change was refused: if because the session ended, the next run must go through the
    gate (`fragment_gate`)."""
    from companion.core.errors import AccessDenied

    if isinstance(exc, AccessDenied):
        st.session_state[RECHECK] = True


def note_activity(session) -> None:
    """In the transaction of a change made from a fragment's run: what the gate's run notes
    (this tab active now, in the session and in the database, at most once a minute there).
    The change itself was checked by `access.require_current`, which loaded both rows."""
    actor = st.session_state.get("actor")
    if actor is None:
        return
    now = time.time()
    user = session.get(User, actor.id)
    row = session.get(UserSession, actor.session_id) if actor.session_id else None
    if user is not None:
        auth.mark_seen(session, user)
    if row is not None:
        auth.touch_session(session, row)
    st.session_state[LAST_ACTIVITY] = now
    st.session_state["actor"] = replace(actor, active_at=now)


def restart_session_after_password_change() -> None:
    """A password change ends every older session; keep this one with a fresh cookie (and
    the actor of this run, which later callbacks use, as signed in now)."""
    st.session_state[SIGNED_IN_AT] = time.time()
    if (actor := st.session_state.get("actor")) is not None:
        st.session_state["actor"] = replace(actor, signed_in_at=st.session_state[SIGNED_IN_AT])
    authenticator().cookie_controller.set_cookie()


def current_actor() -> Actor:
    """The signed-in actor (pages run only after the gate let them through)."""
    actor = st.session_state.get("actor")
    if actor is None:
        st.stop()
    return actor


def pop_notice() -> str | None:
    return st.session_state.pop(NOTICE, None)


def signed_out_why() -> str | None:
    """Why this browser was signed out (idle), kept until the next sign-in: the sign-out's
    own cookie rerun must not wipe the message before the person has read it."""
    return st.session_state.get(SIGNED_OUT_WHY)


def pop_restored() -> bool:
    return bool(st.session_state.pop(RESTORED, False))


def _skip_callbacks_when_idle() -> None:
    """Widget callbacks (every Save) run before router.py, so before the idle check: a form
    submitted after the idle limit would be saved by whoever picked up the phone. Skip them
    for an idle session; the values stay in the session and become the draft above."""
    from streamlit.runtime.state.session_state import SessionState

    original = SessionState._call_callbacks
    if getattr(original, "_idle_guard", False):
        return

    def call_callbacks_unless_idle(self, *args, **kwargs):
        try:
            idle = (bool(self["authentication_status"])
                    and _idle_too_long(self[LAST_ACTIVITY]))
        except KeyError:
            idle = False
        if idle:
            return None
        return original(self, *args, **kwargs)

    call_callbacks_unless_idle._idle_guard = True
    SessionState._call_callbacks = call_callbacks_unless_idle


_skip_callbacks_when_idle()
