"""What one script run loads once: the signed-in person's row, their enrolment (with their
therapist's name), the version of the clinic-wide data and whether the clinic's passkey rule
still waits for their passkey (staff), in one statement at the gate.

router.py clears it at the start and at the end of every run, so nothing here outlives a
run: the next run loads and checks the person again (`companion.ui.gate`), and a deactivated
or revoked account is refused from that run on, as before. Services ask `user` / `enrolment`
for a row by id and get the one loaded this run when it is the signed-in person's, else
`session.get` as before. A write this run to that user or enrolment row, or to clinic-wide
data, drops what it changed from the context (later reads in the run go to the database).
Outside a script run (CLI, tests, other threads) there is no context: every read is direct.

Clinic-wide lookups (group series and exceptions, facilitators' names, clinic settings) are
cached across runs and processes' sessions with `st.cache_data`, keyed on `data_version`: a
token in the `settings` table that every ORM write to those tables replaces in the same
transaction (`_bump_on_write`), so every replica sees a change at its next run.
"""
from __future__ import annotations

import secrets
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, TypeVar

from sqlalchemy import and_, event, exists, inspect, select as sa_select
from sqlalchemy.orm import Session as OrmSession, aliased
from sqlmodel import Session, select

from companion.models import (STAFF_ROLES, Enrolment, GroupException, GroupSeries,
                              HomeMilestone, PasskeyCredential, Setting, User, UserSession)

VERSION_KEY = "clinic_data_version"  # a Setting row; absent until the first change
STAFF_PASSKEY_RULE = "staff_passkeys_required"  # the Setting `access.passkey_pending` reads
T = TypeVar("T")


@dataclass
class RunContext:
    user: User | None
    enrolment: Enrolment | None
    therapist_name: str | None
    data_version: str | None  # None: clinic-wide lookups read the database this run
    user_session: UserSession | None = None  # this tab's sign-in session, when asked for
    milestone: HomeMilestone | None = None   # the home's look-forward line (None: off)
    # Staff under the clinic's passkey rule with no passkey yet (`access.passkey_pending`);
    # None: not loaded, ask the database.
    passkey_pending: bool | None = None


_current: ContextVar[RunContext | None] = ContextVar("companion_run_context", default=None)


def reset() -> None:
    """Forget everything: called by router.py when a run starts and when it ends."""
    _current.set(None)


def current() -> RunContext | None:
    return _current.get()


def load_signed_in(session: Session, username: str,
                   session_id: str | None = None) -> RunContext | None:
    """The person's row, enrolment, therapist's name, the data version, their home's
    look-forward choice, whether the passkey rule waits for them (staff) and (with
    `session_id`) this tab's sign-in session row, in one statement. Not yet this run's
    context: the gate calls `begin` once it has checked the person."""
    therapist = aliased(User)
    version = (sa_select(Setting.value).where(Setting.key == VERSION_KEY)
               .scalar_subquery())
    rule = (sa_select(Setting.value).where(Setting.key == STAFF_PASSKEY_RULE)
            .scalar_subquery())
    has_passkey = exists().where(and_(PasskeyCredential.user_id == User.id,
                                      PasskeyCredential.revoked_at.is_(None)))
    row = session.exec(
        select(User, Enrolment, therapist.display_name, version, UserSession, HomeMilestone,
               rule, has_passkey)
        .outerjoin(Enrolment, Enrolment.client_id == User.id)
        .outerjoin(therapist, therapist.id == Enrolment.therapist_id)
        .outerjoin(UserSession, (UserSession.id == (session_id or ""))
                   & (UserSession.user_id == User.id))
        .outerjoin(HomeMilestone, HomeMilestone.client_id == User.id)
        .where(User.username == username)).first()
    if row is None:
        return None
    user, enrolment, therapist_name, token, user_session, milestone, rule, has = row
    pending = user.role in STAFF_ROLES and rule == "yes" and not has
    return RunContext(user, enrolment, therapist_name, token or "", user_session, milestone,
                      pending)


def begin(context: RunContext) -> None:
    _current.set(context)


def user(session: Session, user_id: int) -> User | None:
    """The user row: this run's own for the signed-in person, else from the session."""
    ctx = _current.get()
    if ctx is not None and ctx.user is not None and ctx.user.id == user_id:
        return ctx.user
    return session.get(User, user_id)


def enrolment(session: Session, client_id: int) -> Enrolment | None:
    ctx = _current.get()
    if ctx is not None and ctx.user is not None and ctx.user.id == client_id \
            and (ctx.enrolment is None or ctx.enrolment.client_id == client_id):
        return ctx.enrolment
    return session.get(Enrolment, client_id)


def milestone(session: Session, client_id: int) -> HomeMilestone | None:
    """The client's look-forward choice: this run's own for the signed-in person."""
    ctx = _current.get()
    if ctx is not None and ctx.user is not None and ctx.user.id == client_id:
        return ctx.milestone
    return session.get(HomeMilestone, client_id)


def therapist_name(session: Session, client_id: int, therapist_id: int | None) -> str | None:
    ctx = _current.get()
    if ctx is not None and ctx.user is not None and ctx.user.id == client_id \
            and ctx.enrolment is not None:
        return ctx.therapist_name
    therapist = session.get(User, therapist_id) if therapist_id else None
    return therapist.display_name if therapist else None


def data_version() -> str | None:
    ctx = _current.get()
    return ctx.data_version if ctx is not None else None


def cached(name: str, key: tuple, load: Callable[[], T], session: Session) -> T:
    """`load()`, cached under (name, key) for this data version (a copy each time); direct
    outside a run, and while `session` holds unflushed changes (the query would see them)."""
    version = data_version()
    if version is None or session.new or session.dirty or session.deleted:
        return load()
    return _cache()(name, version, key, load)


def _cached_impl(name: str, version: str, key: tuple, _load: Callable[[], Any]) -> Any:
    return _load()


@lru_cache(maxsize=1)
def _cache() -> Callable[..., Any]:
    """st.cache_data, made at first use (inside a script run, where its storage lives)."""
    import streamlit as st

    return st.cache_data(max_entries=256, show_spinner=False)(_cached_impl)


# --- writes: a new version for clinic-wide data, and what this run loaded dropped ----------

def _name_changed(obj: User) -> bool:
    return inspect(obj).attrs.display_name.history.has_changes()


def _bump_on_write(session: OrmSession, _flush_context, _instances) -> None:
    changed = [*session.new, *session.dirty, *session.deleted]
    ctx = _current.get()
    if ctx is not None and ctx.user is not None:
        for obj in changed:
            if (isinstance(obj, User) and obj.id == ctx.user.id) or (
                    isinstance(obj, Enrolment) and obj.client_id == ctx.user.id):
                ctx.user, ctx.enrolment = None, None  # read again from the database
    clinic_wide = any(isinstance(obj, (GroupSeries, GroupException))
                      or (isinstance(obj, Setting) and obj.key != VERSION_KEY)
                      or (isinstance(obj, User) and obj in session.dirty and _name_changed(obj))
                      for obj in changed)
    if not clinic_wide:
        return
    bump(session)
    if ctx is not None:
        ctx.data_version = None  # this run reads what it just wrote


def bump(session: OrmSession) -> None:
    """A new clinic-data version in the caller's transaction (one upsert, no read)."""
    conn = session.connection()
    token = secrets.token_hex(8)
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    from companion.core.timeutil import utcnow

    table = Setting.__table__
    stmt = insert(table).values(key=VERSION_KEY, value=token, updated_at=utcnow())
    conn.execute(stmt.on_conflict_do_update(
        index_elements=[table.c.key], set_={"value": token, "updated_at": utcnow()}))


event.listen(OrmSession, "before_flush", _bump_on_write)
