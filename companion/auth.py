"""Sign-in rules without Streamlit: credential checks with database-held lockout and equal
timing, and acceptance of the login library's re-login cookie with server-side revocation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from companion import passwords
from companion.actors import Actor
from companion.core.config import Settings, get_settings
from companion.models import LoginThrottle, User
from companion.core.timeutil import utcnow

WRONG = ("That username and password don't match. Please check and try again. "
         "After 5 unsuccessful tries, sign-in pauses for 15 minutes.")
LOCKED = ("Sign-in for this account is paused for 15 minutes after 5 unsuccessful tries. "
          "Please wait, or ask the clinic's staff to reset your password.")
IDLE = "You were signed out after a while without activity, to keep your information private."
LAST_SEEN_EVERY = timedelta(seconds=60)  # how stale `users.last_seen_at` may get before a write


class Outcome(Enum):
    OK = "ok"
    WRONG = "wrong"
    LOCKED = "locked"


@dataclass(frozen=True)
class LoginResult:
    outcome: Outcome
    user: User | None = None

    @property
    def message(self) -> str:
        return {Outcome.OK: "", Outcome.WRONG: WRONG, Outcome.LOCKED: LOCKED}[self.outcome]


def _throttle(session: Session, name: str) -> LoginThrottle:
    row = session.get(LoginThrottle, name)
    if row is None:
        row = LoginThrottle(username=name)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another replica inserted it first
            row = session.get(LoginThrottle, name)
    return row


def check_login(session: Session, username: str, password: str,
                settings: Settings | None = None) -> LoginResult:
    """Check a username and password. Every path costs one bcrypt check and says the same
    words whether or not the username exists; failures count per typed name."""
    settings = settings or get_settings()
    name = (username or "").strip().lower()[:200]
    now = utcnow()
    # Read only until bcrypt is done: creating the throttle row here would hold SQLite's
    # write lock through the slow hash check, and concurrent sign-ins then failed with
    # "database is locked" (bench/load.py, 60 at once). The row is made when counted.
    throttle = session.get(LoginThrottle, name)
    locked = (throttle is not None and throttle.locked_until is not None
              and throttle.locked_until > now)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    usable = user is not None and user.is_active
    matches = passwords.verify_password(password, user.password_hash if usable
                                        else passwords.dummy_hash())
    if locked:
        return LoginResult(Outcome.LOCKED)
    if usable and matches:
        clear_failures(session, name)
        return LoginResult(Outcome.OK, user)
    return LoginResult(count_failure(session, name, settings))


def clear_failures(session: Session, name: str) -> None:
    throttle = _throttle(session, name)
    throttle.failed_count, throttle.locked_until, throttle.updated_at = 0, None, utcnow()
    session.add(throttle)


def count_failure(session: Session, name: str, settings: Settings | None = None) -> Outcome:
    """One more failure for this name; the fifth pauses it for 15 minutes."""
    settings = settings or get_settings()
    throttle = _throttle(session, name)
    now = utcnow()
    throttle.failed_count += 1
    throttle.updated_at = now
    outcome = Outcome.WRONG
    if throttle.failed_count >= settings.max_failed_logins:
        throttle.failed_count = 0
        throttle.locked_until = now + timedelta(minutes=settings.lockout_minutes)
        outcome = Outcome.LOCKED
    session.add(throttle)
    return outcome


def cookie_user(session: Session, token: dict, settings: Settings | None = None) -> User | None:
    """The user a re-login cookie may sign in, or None.

    The library's token holds only the username and an expiry. We refuse it when its expiry
    lies further ahead than the configured lifetime allows, when it was issued before the
    user's sessions were ended (logout, password change, deactivation), and when the user
    has been idle longer than the idle timeout.
    """
    settings = settings or get_settings()
    try:
        name, expires = str(token["username"]), float(token["exp_date"])
    except (KeyError, TypeError, ValueError):
        return None
    now = utcnow().timestamp()
    lifetime = settings.cookie_lifetime_hours * 3600
    if not now < expires <= now + lifetime + 5:
        return None
    user = session.exec(select(User).where(User.username == name)).first()
    if user is None or not user.is_active:
        return None
    issued = expires - lifetime
    if issued <= user.sessions_valid_after.timestamp():
        return None
    if user.last_seen_at is None or idle_expired(user, settings):
        return None
    return user


def idle_expired(user: User, settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    if user.last_seen_at is None:
        return False
    return utcnow() - user.last_seen_at > timedelta(minutes=settings.idle_timeout_minutes)


def mark_seen(session: Session, user: User) -> None:
    """Note activity, at most once a minute, so idle checks hold across replicas."""
    now = utcnow()
    if user.last_seen_at is None or now - user.last_seen_at > LAST_SEEN_EVERY:
        user.last_seen_at = now
        session.add(user)


def end_sessions(session: Session, user_id: int) -> None:
    """Refuse every re-login cookie issued until now (logout, idle timeout)."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = utcnow()
        session.add(user)


def active_user(session: Session, user_id: int, signed_in_at: float) -> User | None:
    """The signed-in user if their session still stands (not deactivated or revoked since)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if user.sessions_valid_after.timestamp() > signed_in_at:
        return None
    return user


def actor_for(user: User) -> Actor:
    return Actor.of(user)


def trust_cookie(session: Session, user_id: int, expires: float) -> None:
    """Remember the cookie issued after a passed second factor (by its expiry)."""
    user = session.get(User, user_id)
    if user is not None:
        user.mfa_cookie_exp = expires
        session.add(user)


def cookie_passed_second_factor(user: User, token: dict) -> bool:
    try:
        return user.mfa_cookie_exp is not None and float(token["exp_date"]) == user.mfa_cookie_exp
    except (KeyError, TypeError, ValueError):
        return False
