"""Sign-in rules without Streamlit: credential checks with database-held lockout and equal
timing, and acceptance of the login library's re-login cookie with server-side revocation.
"""
from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

import jwt
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from companion import audit, passwords
from companion.actors import Actor
from companion.core.config import Settings, get_settings
from companion.i18n import N_
from companion.models import LoginThrottle, User, UserSession
from companion.core.timeutil import UTCDateTime, utcnow

WRONG = N_("That username and password don't match. Please check and try again. "
            "After 5 unsuccessful tries, sign-in pauses for 15 minutes.")
LOCKED = N_("Sign-in for this account is paused for 15 minutes after 5 unsuccessful tries. "
            "Please wait, or ask the clinic's staff to reset your password.")
IDLE = N_("You were signed out after a while without activity, to keep your information "
          "private.")
SESSION_ENDED = N_("Your session has ended. Please sign in again.")
LAST_SEEN_EVERY = timedelta(seconds=60)  # how stale `users.last_seen_at` may get before a write
log = logging.getLogger(__name__)


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


@dataclass(frozen=True)
class Claim:
    """One attempt, counted before it is checked."""

    allowed: bool  # may be checked: the name was not paused when this attempt was counted
    last: bool = False  # it was the last try before the pause: failing it pauses the name


_THROTTLE = LoginThrottle.__table__


def _insert(session: Session):
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - the app runs on SQLite or PostgreSQL only
        raise RuntimeError(f"no upsert for {dialect}")
    return insert(_THROTTLE)


def _moment(value):
    """A time as a bound value of the table's UTC type (inside CASE it has no column type)."""
    return sa.literal(value, UTCDateTime())


def claim_attempt(session: Session, name: str, settings: Settings | None = None) -> Claim:
    """Count one attempt for `name` as a failure *before* it is checked, atomically, and say
    whether it may be checked at all. COMMITS the session: the count must stand even if the
    caller's work is rolled back, and SQLite's write lock must not be held through bcrypt
    (holding it made concurrent sign-ins fail with "database is locked", bench/load.py).

    One statement claims the try (an upsert), so parallel attempts from tabs or replicas each
    get their own number: the `max_failed_logins`-th claim pauses the name for
    `lockout_minutes`, and claims while it is paused change nothing and are refused. Failures
    are forgotten after `lockout_minutes` without one, and after a pause ends.
    """
    settings = settings or get_settings()
    now = utcnow()
    limit = settings.max_failed_logins
    pause_ends = now + timedelta(minutes=settings.lockout_minutes)
    t = _THROTTLE
    paused = sa.and_(t.c.locked_until.is_not(None), t.c.locked_until > now)
    starts_over = sa.or_(t.c.locked_until.is_not(None),
                         t.c.updated_at < now - timedelta(minutes=settings.lockout_minutes))
    count = sa.case((starts_over, 1), else_=t.c.failed_count + 1)
    stmt = _insert(session).values(
        username=name, failed_count=1, updated_at=now,
        locked_until=pause_ends if limit <= 1 else None)
    stmt = stmt.on_conflict_do_update(
        index_elements=[t.c.username],
        set_={"failed_count": count,
              "locked_until": sa.case((count >= limit, _moment(pause_ends)), else_=sa.null()),
              "updated_at": now},
        where=sa.not_(paused),
    ).returning(t.c.failed_count)
    claimed = session.execute(stmt).scalar_one_or_none()
    session.commit()
    if claimed is None:  # the row exists and is paused: nothing was changed
        return Claim(allowed=False)
    if claimed == 1:  # a name new to the table (or starting over): the table may have grown
        prune_throttle(session, settings)
    return Claim(allowed=True, last=claimed >= limit)


def prune_throttle(session: Session, settings: Settings | None = None) -> None:
    """Bound `login_throttle`: drop rows with no failure within `lockout_minutes` and no active
    pause; past `login_throttle_max_rows` such rows, drop the oldest of them. Active pauses are
    always kept, so pruning never lifts one. Best effort, in its own short transaction: rows
    another transaction holds are skipped (PostgreSQL), and a failure only leaves the rows."""
    settings = settings or get_settings()
    now = utcnow()
    t = _THROTTLE
    unpaused = sa.or_(t.c.locked_until.is_(None), t.c.locked_until <= now)
    quiet = sa.and_(unpaused,
                    t.c.updated_at < now - timedelta(minutes=settings.lockout_minutes))
    stale = sa.select(t.c.username).where(quiet).with_for_update(skip_locked=True)
    beyond_cap = (sa.select(t.c.username).where(unpaused)
                  .order_by(t.c.updated_at.desc(), t.c.username)
                  .offset(settings.login_throttle_max_rows)
                  .with_for_update(skip_locked=True))
    try:
        session.execute(sa.delete(t).where(t.c.username.in_(stale), quiet))
        session.execute(sa.delete(t).where(t.c.username.in_(beyond_cap), unpaused))
        session.commit()
    except DBAPIError:
        session.rollback()
        log.warning("login_throttle prune skipped", exc_info=True)


def check_login(session: Session, username: str, password: str,
                settings: Settings | None = None) -> LoginResult:
    """Check a username and password. Every path costs one bcrypt check and says the same
    words whether or not the username exists; failures count per typed name.

    The try is claimed first (`claim_attempt`, committed), so parallel attempts cannot read
    the same count: at most `max_failed_logins` of them are ever checked against the real
    hash. Nothing is held in the database while bcrypt runs. Commits the session.

    A sign-in after the idle limit (`last_seen_at` older than `idle_timeout_minutes`) ends
    every older session first: a re-login cookie copied while the owner was away is refused
    from then on, instead of working again once the owner's activity refreshes `last_seen_at`
    (the caller commits that, with the new session)."""
    settings = settings or get_settings()
    name = (username or "").strip().lower()[:200]
    claim = claim_attempt(session, name, settings)
    user = session.exec(select(User).where(User.username == name)).first() if name else None
    session.commit()  # hand the connection back: none is held through bcrypt
    usable = claim.allowed and user is not None and user.is_active
    matches = passwords.verify_password(password, user.password_hash if usable
                                        else passwords.dummy_hash())
    if not claim.allowed:
        audit.sign_in(session, user, "password not checked: sign-in paused"
                      + ("" if user is not None else ", no such account"), passed=False)
        return LoginResult(Outcome.LOCKED)
    if usable and matches:
        clear_failures(session, name)
        if idle_expired(user, settings):  # back after the idle limit: older cookies end
            end_sessions(session, user.id)
        audit.sign_in(session, user, "signed in with password", passed=True)
        return LoginResult(Outcome.OK, user)
    why = ("no such account" if user is None else "wrong password" if user.is_active
           else "account deactivated")
    audit.sign_in(session, user, why + (", sign-in now paused" if claim.last else ""),
                  passed=False)
    return LoginResult(Outcome.LOCKED if claim.last else Outcome.WRONG)


def clear_failures(session: Session, name: str) -> None:
    """A success: the name starts again from no failures and no pause."""
    session.execute(sa.update(_THROTTLE).where(_THROTTLE.c.username == name).values(
        failed_count=0, locked_until=None, updated_at=utcnow()))


def cookie_user(session: Session, token: dict, settings: Settings | None = None) -> User | None:
    """The user a re-login cookie may sign in, or None.

    The library's token holds only the username and an expiry. We refuse it when its expiry
    lies further ahead than the configured lifetime allows, when it was issued before the
    user's sessions were ended (logout, password change, deactivation), and when the user
    has been idle longer than the idle timeout.
    """
    standing = standing_cookie(session, token, settings)
    if standing is None:
        return None
    user = standing[0]
    audit.sign_in(session, user, "signed in with re-login cookie", passed=True)
    return user


def standing_cookie(session: Session, token: dict, settings: Settings | None = None
                    ) -> tuple[User, UserSession] | None:
    """The account and session a re-login cookie stands for (the checks of `cookie_user`,
    without its audit row: the passkey routes ask who is signed in), or None."""
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
    row = cookie_session(session, user, expires, settings)
    if row is None:
        return None
    return user, row


def cookie_went_idle(session: Session, token: dict, settings: Settings | None = None) -> bool:
    """Whether a re-login cookie `cookie_user` refused was issued by a session that went idle
    past the limit (a phone put down, then reloaded): the sign-in page says why, as an open
    tab's idle sign-out does. It signs nobody in."""
    settings = settings or get_settings()
    try:
        name, expires = str(token["username"]), float(token["exp_date"])
    except (KeyError, TypeError, ValueError):
        return False
    user = session.exec(select(User).where(User.username == name)).first()
    row = user and session.exec(select(UserSession).where(
        UserSession.user_id == user.id, UserSession.cookie_exp == expires)).first()
    if not row:
        return False
    return (row.end_reason == "idle past the limit"
            or (row.ended_at is None and _idle(row, settings)))


def read_cookie(value: str | None, settings: Settings | None = None) -> dict | None:
    """The re-login cookie's token (the login library's JWT), if its signature holds."""
    settings = settings or get_settings()
    if not value:
        return None
    try:
        token = jwt.decode(value, settings.cookie_key, algorithms=["HS256"])
    except jwt.PyJWTError:
        return None
    return token if isinstance(token, dict) else None


def issue_cookie(session: Session, user: User, session_id: str,
                 settings: Settings | None = None) -> tuple[str, float]:
    """A re-login cookie for `user`, in the login library's own format (a JWT of the name
    and an expiry, signed with the cookie key), bound to the session `session_id`: what a
    sign-in outside the login form (a passkey) hands the app. Returns (value, expiry)."""
    settings = settings or get_settings()
    expires = time.time() + settings.cookie_lifetime_hours * 3600
    bind_cookie(session, session_id, expires)
    value = jwt.encode({"username": user.username, "exp_date": expires}, settings.cookie_key,
                       algorithm="HS256")
    return value, expires


# Sessions: one row per signed-in browser (`UserSession`). A password sign-in starts one; the
# re-login cookie it issues is bound to it (by the cookie's expiry, all the library's token
# holds besides the name), so the browser's other tabs join that session, with its idle
# clock. Once a session has ended it stays ended: nothing sets `ended_at` back, and a new
# sign-in, in this tab or another, starts a new session with a new id.

def start_session(session: Session, user: User) -> str:
    """A new session for `user` (a password sign-in); its id."""
    now = utcnow()
    row = UserSession(id=secrets.token_urlsafe(24), user_id=user.id, started_at=now,
                      active_at=now)
    session.add(row)
    session.flush()
    return row.id


def bind_cookie(session: Session, session_id: str | None, expires: float | None) -> None:
    """The re-login cookie just issued by this session (identified by its expiry)."""
    row = session.get(UserSession, session_id) if session_id else None
    if row is not None and row.ended_at is None and expires is not None:
        row.cookie_exp = float(expires)
        session.add(row)


def _idle(row: UserSession, settings: Settings) -> bool:
    """Idle past the limit, allowing for `active_at` being refreshed only every minute."""
    limit = timedelta(minutes=settings.idle_timeout_minutes) + LAST_SEEN_EVERY
    return utcnow() - row.active_at > limit


def end_session(session: Session, row: UserSession | str | None, reason: str) -> None:
    """End one session, for good (a no-op if it has ended already)."""
    if isinstance(row, str):
        row = session.get(UserSession, row)
    if row is not None and row.ended_at is None:
        row.ended_at, row.end_reason = utcnow(), reason[:64]
        session.add(row)


def live_session(session: Session, session_id: str | None, user_id: int,
                 settings: Settings | None = None, loaded: UserSession | None = None
                 ) -> tuple[UserSession | None, str | None]:
    """The session row if it still stands, else (row or None, why it ended). A session found
    idle past the limit is ended here, so it cannot come back however active its account.
    `loaded`: the row as this transaction already read it (the gate's one statement)."""
    settings = settings or get_settings()
    row = loaded if loaded is not None and loaded.id == session_id else (
        session.get(UserSession, session_id, populate_existing=True) if session_id else None)
    if row is None or row.user_id != user_id:
        return None, "no such session"
    if row.ended_at is not None:
        return row, f"session ended ({row.end_reason or 'signed out'})"
    if _idle(row, settings):
        end_session(session, row, "idle past the limit")
        return row, "idle past the limit"
    return row, None


def cookie_session(session: Session, user: User, expires: float,
                   settings: Settings | None = None) -> UserSession | None:
    """The standing session a re-login cookie was issued by, or None (a cookie of an ended
    or idle session, or of none: issued before sessions were kept)."""
    row = session.exec(select(UserSession).where(UserSession.user_id == user.id,
                                                 UserSession.cookie_exp == float(expires))
                       ).first()
    if row is None:
        return None
    row, ended = live_session(session, row.id, user.id, settings)
    return None if ended else row


def touch_session(session: Session, row: UserSession) -> None:
    """Note activity, at most once a minute (like `mark_seen`)."""
    now = utcnow()
    if row.ended_at is None and now - row.active_at > LAST_SEEN_EVERY:
        row.active_at = now
        session.add(row)


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


def end_sessions(session: Session, user_id: int, reason: str = "signed out everywhere"
                 ) -> None:
    """End every session of the account and refuse every re-login cookie issued until now
    (sign-out, a return after the idle limit)."""
    user = session.get(User, user_id)
    if user is not None:
        user.sessions_valid_after = utcnow()
        session.add(user)
        sessions = UserSession.__table__
        session.execute(sa.update(sessions).where(
            sessions.c.user_id == user_id, sessions.c.ended_at.is_(None)).values(
            ended_at=user.sessions_valid_after, end_reason=reason[:64]))


def active_user(session: Session, user_id: int, signed_in_at: float) -> User | None:
    """The signed-in user if their session still stands (not deactivated or revoked since)."""
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if user.sessions_valid_after.timestamp() > signed_in_at:
        return None
    return user


def session_ended(user: User | None, actor: Actor, settings: Settings | None = None,
                  session_row: UserSession | None = None) -> str | None:
    """Why `actor`'s session no longer stands, in a few words for the audit trail, or None.

    The account must exist, be active and hold the role the session began with; its
    sessions must not have been ended since the session signed in. An actor of a browser
    session (`actor.session_id`, its row `session_row`) needs that session standing: not
    ended, and not idle by its own clock, whatever the account does elsewhere. A browser session
    (`actor.active_at` set) must not be idle past `idle_timeout_minutes`: neither its own
    last page run nor the account's `last_seen_at`, which `mark_seen` refreshes at most every
    `LAST_SEEN_EVERY` (allowed for here, so a session the gate keeps is not refused)."""
    settings = settings or get_settings()
    if user is None or not user.is_active:
        return "account deactivated"
    if user.role != actor.role:
        return "role changed"
    if user.sessions_valid_after.timestamp() > actor.signed_in_at:
        return "sessions ended since sign-in"
    if actor.session_id is not None:
        row = session_row
        if row is None or row.user_id != user.id:
            return "no such session"
        if row.ended_at is not None:
            return f"session ended ({row.end_reason or 'signed out'})"
        if _idle(row, settings):
            return "idle past the limit"
    if actor.active_at is None:
        return None
    now, limit = utcnow().timestamp(), settings.idle_timeout_minutes * 60
    if now - actor.active_at > limit:
        return "idle past the limit"
    seen = user.last_seen_at
    if seen is not None and now - seen.timestamp() > limit + LAST_SEEN_EVERY.total_seconds():
        return "idle past the limit"
    return None


def actor_for(user: User) -> Actor:
    return Actor.of(user)


def trust_cookie(session: Session, user_id: int, expires: float) -> None:
    """Remember the cookie issued right after a passed second factor (by its expiry)."""
    user = session.get(User, user_id)
    if user is not None:
        user.mfa_cookie_exp = expires
        session.add(user)


def cookie_passed_second_factor(user: User, token: dict,
                                settings: Settings | None = None) -> bool:
    """Whether this re-login cookie spares the second factor: only the cookie issued right
    after a verified code (`trust_cookie`), and only within `second_factor_trust_hours` of
    its issue (its expiry less the cookie lifetime), whatever the cookie's own lifetime."""
    settings = settings or get_settings()
    try:
        expires = float(token["exp_date"])
    except (KeyError, TypeError, ValueError):
        return False
    if user.mfa_cookie_exp is None or expires != user.mfa_cookie_exp:
        return False
    issued = expires - settings.cookie_lifetime_hours * 3600
    return utcnow().timestamp() - issued <= settings.second_factor_trust_hours * 3600
