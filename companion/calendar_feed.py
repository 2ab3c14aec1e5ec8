"""Private calendar subscriptions: /calendar/<token>.ics, one feed per person (issue 17).

A phone's own calendar is the most reliable reminder a web app can reach. The person
subscribes once; their calendar app fetches the feed on its own schedule, and every move,
cancellation or RSVP reaches it without a download.

- The token is 32 random bytes (URL-safe base64, 43 characters), shown once; only its
  SHA-256 is kept (a 256-bit random secret needs no slow hash). Nothing else is in the URL.
- A client's feed: their track and site (or telehealth) for 8 weeks, their RSVPs, the daily
  check-in; a facilitator's: the sessions they run. Titles are always neutral for clients;
  the site's name and leaving out sessions they'll miss are their choices.
- Revoking clears the hash: an unknown and a revoked token take the same single indexed
  lookup and get the same 404. Deactivation and discharge to alumni revoke it unless an
  admin keeps it. Making, replacing and revoking a feed are audited; fetches are counted on
  the feed (the client sees "last updated …"), not written to the audit trail as record
  reads: a fetch by the person's own calendar is not a staff read.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from companion import i18n
from companion import audit
from companion.access import require_role
from companion.actors import Actor
from companion.core.errors import InvalidInput, NotFound
from companion.core.timeutil import utcnow
from companion.groups.calendar import (Built, Choices, build, client_sessions_ahead,
                                       facilitated_ahead)
from companion.models import (CalendarSubscription, CheckInReminder, Enrolment, Role, User)

TOKEN_BYTES = 32
AUDIT_KIND = "calendar_feed"
PATH = "/calendar/{token}.ics"
REFRESH = timedelta(hours=1)   # asked of calendar apps (most poll on their own schedule)


@dataclass(frozen=True)
class FeedStatus:
    active: bool
    show_site: bool
    skip_not_going: bool
    last_fetched_at: datetime | None
    fetch_count: int
    created_at: datetime | None


@dataclass(frozen=True)
class Feed:
    body: bytes
    etag: str
    last_modified: datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def feed_path(token: str) -> str:
    return PATH.format(token=token)


def _audit(session: Session, actor: Actor, user: User, what: str) -> None:
    client = user.id if user.role in (Role.CLIENT, Role.ALUMNI) else None
    audit.record(session, actor, "write", AUDIT_KIND, client, what, subject_id=user.id)


def _row(session: Session, user_id: int) -> CalendarSubscription | None:
    return session.get(CalendarSubscription, user_id)


def status(session: Session, actor: Actor, user_id: int | None = None) -> FeedStatus:
    """My feed (or, for an admin, anyone's): whether it is on, the choices, the last fetch."""
    user_id = actor.id if user_id is None else user_id
    if user_id != actor.id:
        require_role(session, actor, Role.ADMIN)
    row = _row(session, user_id)
    if row is None:
        return FeedStatus(False, False, False, None, 0, None)
    return FeedStatus(row.token_hash is not None, row.show_site, row.skip_not_going,
                      row.last_fetched_at, row.fetch_count, row.created_at)


def subscribe(session: Session, actor: Actor) -> str:
    """A new private feed address for me (replacing any earlier one, which stops working).
    Returns the token: shown once, never stored."""
    user = session.get(User, actor.id)
    if user is None or not user.is_active:
        raise NotFound(i18n._("That account doesn't exist."))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    row = _row(session, actor.id)
    now = utcnow()
    replaced = row is not None and row.token_hash is not None
    if row is None:
        row = CalendarSubscription(user_id=actor.id, created_at=now)
    row.token_hash, row.revoked_at, row.updated_at = token_hash(token), None, now
    row.created_at, row.last_fetched_at, row.fetch_count = now, None, 0
    row.content_etag, row.content_changed_at = "", None
    session.add(row)
    _audit(session, actor, user, "calendar feed address replaced (the old one stopped)"
           if replaced else "calendar feed address made")
    session.flush()
    return token


def set_choices(session: Session, actor: Actor, *, show_site: bool,
                skip_not_going: bool) -> None:
    row = _row(session, actor.id)
    if row is None or row.token_hash is None:
        raise InvalidInput(i18n._("Set up your calendar subscription first."))
    row.show_site, row.skip_not_going, row.updated_at = show_site, skip_not_going, utcnow()
    session.add(row)


def revoke(session: Session, actor: Actor, user_id: int | None = None, why: str = "") -> bool:
    """Stop a feed: mine, or (an admin) anyone's. True if one was on."""
    user_id = actor.id if user_id is None else user_id
    if user_id != actor.id:
        require_role(session, actor, Role.ADMIN)
    user = session.get(User, user_id)
    row = _row(session, user_id)
    if user is None or row is None or row.token_hash is None:
        return False
    _stop(row)
    session.add(row)
    by = "by the account holder" if user_id == actor.id else "by an admin"
    _audit(session, actor, user, f"calendar feed stopped {by}" + (f" ({why})" if why else ""))
    return True


def _stop(row: CalendarSubscription) -> None:
    row.token_hash, row.revoked_at = None, utcnow()
    row.updated_at = row.revoked_at


def _choices(row: CalendarSubscription, user: User) -> Choices:
    if user.role in (Role.THERAPIST, Role.ADMIN):
        return Choices(discreet=False, show_site=True)   # their work calendar
    return Choices(discreet=True, show_site=row.show_site, skip_not_going=row.skip_not_going)


def _build(session: Session, user: User, row: CalendarSubscription) -> Built:
    choices = _choices(row, user)
    if user.role == Role.CLIENT:
        enrolment = session.get(Enrolment, user.id)
        occs = client_sessions_ahead(session, enrolment) if enrolment is not None else []
    elif user.role in (Role.THERAPIST, Role.ADMIN):
        occs = facilitated_ahead(session, user.id)
    else:   # alumni: no group sessions, the daily check-in goes on
        occs = []
    checkin = session.get(CheckInReminder, user.id) if user.role in (Role.CLIENT,
                                                                      Role.ALUMNI) else None
    with i18n.speaking(user.language):  # the account's language: the feed is one person's
        return build(session, user.id, occs, choices, checkin,
                     calendar_name=i18n._("Group sessions") if not choices.discreet else None,
                     refresh=REFRESH)


def fetch(session: Session, token: str) -> Feed | None:
    """The feed for `token`, or None (unknown or revoked: the caller answers 404 either way).
    Counts the fetch and keeps the feed's ETag and the moment its content last changed."""
    row = session.exec(select(CalendarSubscription).where(
        CalendarSubscription.token_hash == token_hash(token))).first()
    if row is None:
        return None
    user = session.get(User, row.user_id)
    built = _build(session, user, row)
    etag = hashlib.sha256(built.body).hexdigest()
    now = utcnow()
    if etag != row.content_etag or row.content_changed_at is None:
        row.content_etag, row.content_changed_at = etag, now
    row.last_fetched_at, row.fetch_count = now, row.fetch_count + 1
    session.add(row)
    return Feed(built.body, f'"{etag[:32]}"', row.content_changed_at)


def on_leaving(session: Session, actor: Actor, user: User, why: str, keep: bool) -> None:
    """Deactivation or discharge: the feed stops unless the admin chose to keep it."""
    if keep:
        row = _row(session, user.id)
        if row is not None and row.token_hash is not None:
            _audit(session, actor, user, f"calendar feed kept on {why}")
        return
    revoke(session, actor, user.id, why)
