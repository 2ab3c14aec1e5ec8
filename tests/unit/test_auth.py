"""Sign-in: lockout in the database, equal paths for unknown names, cookie revocation."""
import dataclasses
from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlmodel import select

from companion import auth, passwords
from companion.auth import Outcome, check_login, cookie_user
from companion.core.config import get_settings
from companion.models import LoginThrottle
from companion.core.timeutil import utcnow
from tests.conftest import PASSWORD


def test_right_password_signs_in_and_clears_failures(session, users):
    user = users.client(name="robin")
    assert check_login(session, "robin", "nope").outcome is Outcome.WRONG
    result = check_login(session, "  Robin ", f"  {PASSWORD} ")
    assert result.outcome is Outcome.OK and result.user.id == user.id
    assert session.get(LoginThrottle, "robin").failed_count == 0


def test_wrong_and_unknown_say_the_same_words(session, users):
    users.client(name="robin")
    wrong = check_login(session, "robin", "not the password at all")
    unknown = check_login(session, "nobody-here", "not the password at all")
    assert wrong.outcome is unknown.outcome is Outcome.WRONG
    assert wrong.message == unknown.message == auth.WRONG
    assert "username" in wrong.message and "exist" not in wrong.message


def test_every_path_costs_one_bcrypt_check(session, users, monkeypatch):
    users.client(name="robin")
    calls = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password",
                        lambda pw, h: calls.append(h) or real(pw, h))
    for name, pw in [("robin", PASSWORD), ("robin", "wrong one"), ("ghost", "wrong one"),
                     ("", "")]:
        calls.clear()
        check_login(session, name, pw)
        assert len(calls) == 1, name


def test_five_failures_lock_for_fifteen_minutes_even_with_the_right_password(session, users):
    users.client(name="robin")
    outcomes = [check_login(session, "robin", f"wrong {i}").outcome for i in range(5)]
    assert outcomes == [Outcome.WRONG] * 4 + [Outcome.LOCKED]
    locked = check_login(session, "robin", PASSWORD)
    assert locked.outcome is Outcome.LOCKED and locked.user is None
    assert "15 minutes" in locked.message
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        assert check_login(session, "robin", PASSWORD).outcome is Outcome.OK


def test_unknown_names_lock_the_same_way(session):
    outcomes = [check_login(session, "ghost", "x" * 20).outcome for _ in range(6)]
    assert outcomes == [Outcome.WRONG] * 4 + [Outcome.LOCKED] * 2


def test_lockout_survives_a_new_session(db_url, users, session):
    """Counts live in the database, so a restart or another replica sees them."""
    from companion.core.db import session_scope

    users.client(name="robin")
    session.commit()
    for i in range(5):
        with session_scope() as s:
            check_login(s, "robin", f"wrong {i}")
    with session_scope() as s:
        assert check_login(s, "robin", PASSWORD).outcome is Outcome.LOCKED


def test_deactivated_account_cannot_sign_in(session, users):
    user = users.client(name="robin")
    user.is_active = False
    assert check_login(session, "robin", PASSWORD).outcome is Outcome.WRONG


def _token(username: str, issued: datetime | None = None, lifetime_h: float | None = None):
    lifetime = (lifetime_h or get_settings().cookie_lifetime_hours) * 3600
    issued = issued or utcnow()
    return {"username": username, "exp_date": issued.timestamp() + lifetime}


def _issued(session, user, issued: datetime | None = None, active: datetime | None = None):
    """A cookie as the sign-in gate issues it: bound to a new session of `user` (last active
    at `active`, default now)."""
    token = _token(user.username, issued=issued)
    session_id = auth.start_session(session, user)
    auth.bind_cookie(session, session_id, token["exp_date"])
    if active is not None:
        session.get(auth.UserSession, session_id).active_at = active
    session.flush()
    return token


@pytest.fixture
def seen_client(session, users):
    user = users.client(name="robin")
    user.sessions_valid_after = utcnow() - timedelta(hours=1)
    user.last_seen_at = utcnow()
    return user


def test_fresh_cookie_signs_in(session, seen_client):
    assert cookie_user(session, _issued(session, seen_client)).id == seen_client.id


def test_a_cookie_of_no_session_is_refused(session, seen_client):
    """Every cookie is issued by a session (`auth.bind_cookie`): one that names none (issued
    before sessions were kept, or made up with a stolen key) signs nobody in."""
    assert cookie_user(session, _token("robin")) is None


def test_a_browser_left_idle_stays_out_while_its_owner_is_active_elsewhere(session, seen_client):
    """Issue 14, finding 4: idle was judged by the account's last activity only, so a cookie
    left in a browser that had been idle for hours signed in again as long as its owner was
    busy on another device (or tab). Each session keeps its own clock; once idle, it has
    ended for good."""
    left = _issued(session, seen_client, issued=utcnow() - timedelta(minutes=50),
                   active=utcnow() - timedelta(minutes=40))
    phone = _issued(session, seen_client)
    seen_client.last_seen_at = utcnow()  # the owner, busy on the phone
    assert cookie_user(session, left) is None
    row = session.exec(select(auth.UserSession).where(
        auth.UserSession.cookie_exp == left["exp_date"])).one()
    assert row.ended_at is not None and row.end_reason == "idle past the limit"
    row.active_at = utcnow()  # even were its clock refreshed, an ended session stays ended
    auth.touch_session(session, row)
    check_login(session, "robin", PASSWORD)  # and a new sign-in does not reopen it
    session.commit()
    assert cookie_user(session, left) is None
    assert cookie_user(session, phone).id == seen_client.id


def test_a_cookie_refused_for_idleness_is_told_apart(session, seen_client):
    """Issue 18 item 3: a phone reloaded after the idle limit is signed out by its refused
    cookie, and the sign-in page says why; a cookie refused for another reason (signed out,
    or of no session) is not called idle."""
    idle = _issued(session, seen_client, issued=utcnow() - timedelta(minutes=50),
                   active=utcnow() - timedelta(minutes=40))
    assert not auth.cookie_went_idle(session, _issued(session, seen_client))  # it stands
    assert cookie_user(session, idle) is None
    assert auth.cookie_went_idle(session, idle)  # ended as idle by that refusal
    signed_out = _issued(session, seen_client)
    auth.end_session(session, session.exec(select(auth.UserSession).where(
        auth.UserSession.cookie_exp == signed_out["exp_date"])).one(), "signed out")
    assert cookie_user(session, signed_out) is None
    assert not auth.cookie_went_idle(session, signed_out)
    assert not auth.cookie_went_idle(session, _token("robin"))
    assert not auth.cookie_went_idle(session, {"username": "robin"})


def test_cookie_issued_before_logout_is_refused(session, seen_client):
    token = _issued(session, seen_client)
    auth.end_sessions(session, seen_client.id)
    assert cookie_user(session, token) is None


def test_cookie_with_expiry_beyond_the_lifetime_is_refused(session, seen_client):
    assert cookie_user(session, _token("robin", lifetime_h=24 * 30)) is None


def test_expired_or_malformed_cookie_is_refused(session, seen_client):
    old = _token("robin", issued=utcnow() - timedelta(hours=9))
    assert cookie_user(session, old) is None
    for bad in ({}, {"username": "robin"}, {"username": "robin", "exp_date": "soon"}):
        assert cookie_user(session, bad) is None


def test_cookie_after_idle_timeout_is_refused(session, seen_client):
    seen_client.last_seen_at = utcnow() - timedelta(minutes=16)
    assert cookie_user(session, _issued(session, seen_client)) is None


def test_signing_in_after_an_idle_spell_ends_cookies_copied_before(session, seen_client):
    """Issue 14, finding 4: the idle limit refused a copied cookie only while the owner stayed
    idle; once they signed in again with the password it worked again until it expired."""
    copied = _issued(session, seen_client, issued=utcnow() - timedelta(minutes=30))
    seen_client.last_seen_at = utcnow() - timedelta(minutes=16)
    assert cookie_user(session, copied) is None  # idle: refused
    result = check_login(session, "robin", PASSWORD)
    auth.mark_seen(session, result.user)  # as the sign-in gate does with the new session
    session.commit()
    assert cookie_user(session, copied) is None, "the owner's return revived an old cookie"
    assert cookie_user(session, _issued(session, seen_client)).id == seen_client.id  # new


def test_signing_in_while_active_keeps_the_other_sessions(session, seen_client):
    other_device = _issued(session, seen_client, issued=utcnow() - timedelta(minutes=5))
    check_login(session, "robin", PASSWORD)
    session.commit()
    assert cookie_user(session, other_device).id == seen_client.id


def test_cookie_of_deactivated_or_unknown_user_is_refused(session, seen_client):
    assert cookie_user(session, _token("ghost")) is None
    seen_client.is_active = False
    assert cookie_user(session, _issued(session, seen_client)) is None


def test_active_user_ends_a_live_session_after_revocation(session, seen_client):
    signed_in = utcnow().timestamp()
    assert auth.active_user(session, seen_client.id, signed_in) is not None
    with time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=2)):
        auth.end_sessions(session, seen_client.id)
    assert auth.active_user(session, seen_client.id, signed_in) is None


def test_mark_seen_writes_at_most_once_a_minute(session, seen_client):
    seen_client.last_seen_at = stamp = utcnow() - timedelta(seconds=30)
    auth.mark_seen(session, seen_client)
    assert seen_client.last_seen_at == stamp
    seen_client.last_seen_at = utcnow() - timedelta(seconds=90)
    auth.mark_seen(session, seen_client)
    assert utcnow() - seen_client.last_seen_at < timedelta(seconds=5)


# --- login_throttle stays small (finding 12) -------------------------------------------------

def _throttle_names(session) -> set[str]:
    session.expire_all()
    return set(session.exec(select(LoginThrottle.username)).all())


def test_failures_are_forgotten_after_a_quiet_pause_length(session, users):
    users.client(name="robin")
    for i in range(4):
        check_login(session, "robin", f"wrong {i}")
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        outcomes = [check_login(session, "robin", f"again {i}").outcome for i in range(5)]
    assert outcomes == [Outcome.WRONG] * 4 + [Outcome.LOCKED]


def test_old_rows_are_dropped_when_a_new_name_is_tried(session, users):
    users.client(name="robin")
    check_login(session, "typo-one", "x")
    check_login(session, "robin", PASSWORD)  # a success leaves a row with no failures
    for i in range(5):
        check_login(session, "paused-name", f"x{i}")
    assert _throttle_names(session) == {"typo-one", "robin", "paused-name"}
    with time_machine.travel(utcnow() + timedelta(minutes=14)):
        check_login(session, "typo-two", "x")
        assert _throttle_names(session) == {"typo-one", "robin", "paused-name", "typo-two"}
    with time_machine.travel(utcnow() + timedelta(minutes=16)):
        check_login(session, "typo-three", "x")
        assert _throttle_names(session) == {"typo-two", "typo-three"}


def test_a_flood_of_new_names_is_capped_and_keeps_every_pause(session, users):
    users.client(name="robin")
    settings = dataclasses.replace(get_settings(), login_throttle_max_rows=5)
    for i in range(5):
        check_login(session, "robin", f"wrong {i}", settings)
    for i in range(4):
        check_login(session, "target", f"wrong {i}", settings)
    for i in range(30):
        check_login(session, f"flood-{i:02d}", "x", settings)
    names = _throttle_names(session)
    # The pause stays; of the rest only the newest five: "target"'s 4 failures are forgotten,
    # the price of the cap (a flood of max_rows new names per 4 extra guesses at one name).
    assert "robin" in names and len(names) == 1 + 5
    assert {f"flood-{i:02d}" for i in range(25, 30)} <= names
    assert check_login(session, "robin", PASSWORD, settings).outcome is Outcome.LOCKED


def test_a_pause_outlives_pruning_until_it_ends(session, users):
    """Even a row untouched for longer than the window stays while its pause lasts (say the
    pause length was made longer since)."""
    users.client(name="robin")
    session.add(LoginThrottle(username="robin", failed_count=5,
                              locked_until=utcnow() + timedelta(hours=2),
                              updated_at=utcnow() - timedelta(hours=1)))
    session.commit()
    check_login(session, "someone-else", "x")
    assert "robin" in _throttle_names(session)
    assert check_login(session, "robin", PASSWORD).outcome is Outcome.LOCKED
    with time_machine.travel(utcnow() + timedelta(hours=2, minutes=1)):
        check_login(session, "another-one", "x")
        assert "robin" not in _throttle_names(session)
        assert check_login(session, "robin", PASSWORD).outcome is Outcome.OK


# --- the second factor a re-login cookie may spare (finding 8) -------------------------------

def _trusted(user, issued_hours_ago: float, settings, trust=True) -> bool:
    """A cookie issued `issued_hours_ago`; `trust`: it is the one issued right after a code."""
    token = _token(user.username, issued=utcnow() - timedelta(hours=issued_hours_ago),
                   lifetime_h=settings.cookie_lifetime_hours)
    user.mfa_cookie_exp = token["exp_date"] if trust else None
    return auth.cookie_passed_second_factor(user, token, settings)


@pytest.fixture
def day_long_cookies():
    return dataclasses.replace(get_settings(), cookie_lifetime_hours=24)


def test_a_cookie_issued_after_a_code_spares_it_for_twelve_hours(users, day_long_cookies):
    staff = users.therapist()
    assert _trusted(staff, 1, day_long_cookies)
    assert _trusted(staff, 11.9, day_long_cookies)
    assert not _trusted(staff, 12.1, day_long_cookies)
    assert not _trusted(staff, 13, day_long_cookies)


def test_a_cookie_not_issued_after_a_code_never_spares_it(users, day_long_cookies):
    staff = users.therapist()
    assert not _trusted(staff, 0, day_long_cookies, trust=False)
    token = _token(staff.username, lifetime_h=24)
    staff.mfa_cookie_exp = token["exp_date"] - 60  # the trusted one was another cookie
    assert not auth.cookie_passed_second_factor(staff, token, day_long_cookies)
    for bad in ({}, {"username": staff.username, "exp_date": "soon"}):
        assert not auth.cookie_passed_second_factor(staff, bad, day_long_cookies)


def test_the_trust_window_is_a_setting(users, day_long_cookies):
    staff = users.therapist()
    two_hours = dataclasses.replace(day_long_cookies, second_factor_trust_hours=2)
    assert _trusted(staff, 1.5, two_hours) and not _trusted(staff, 2.5, two_hours)
    assert get_settings().second_factor_trust_hours == 12
