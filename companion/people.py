"""Accounts and enrolment: created by admins (no self-registration), one first admin at setup."""
from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func
from sqlmodel import Session, col, select

from companion import audit, calendar_feed, passwords, run_context
from companion.access import (Action, RecordKind, authorize, require_current, require_role,
                              require_sign_in_complete)
from companion.actors import Actor
from companion.clinic import get_clinic
from companion.core import textrules
from companion.core.errors import AccessDenied, InvalidInput, NotFound
from companion.i18n import _
from companion.models import CLIENT_ROLES, Enrolment, LoginThrottle, Role, User
from companion.core.timeutil import show, utcnow
from companion.i18n import N_, _, format_day

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,39}$")


@dataclass(frozen=True)
class NewAccount:
    user: User
    temporary_password: str


def clean_username(username: str) -> str:
    name = (username or "").strip().lower()
    if not USERNAME_RE.match(name):
        raise InvalidInput(_("A username is 3–40 characters: lowercase letters, digits, "
                             "dots, dashes or underscores, starting with a letter or digit."))
    return name


def _clean_name(display_name: str) -> str:
    name = " ".join(textrules.require((display_name or "").strip(), subject=_("The name")).split())
    if not 1 <= len(name) <= 120:
        raise InvalidInput(_("Please give a name of 1–120 characters."))
    return name


def user_count(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


_SET_UP: set[str] = set()  # databases known to hold an account: that never goes back


def clinic_is_set_up(session: Session) -> bool:
    """Whether any account exists (then the first-run page is gone for good); asked of the
    database only until the answer is yes."""
    url = str(session.get_bind().url)
    if url not in _SET_UP and user_count(session) > 0:
        _SET_UP.add(url)
    return url in _SET_UP


def create_first_admin(session: Session, username: str, display_name: str,
                       password: str) -> User:
    """Only while the clinic has no account at all; never again after."""
    if user_count(session):
        raise AccessDenied("The clinic is already set up. Ask an admin for an account.")
    username = clean_username(username)
    pw = passwords.check_new_password(password, (username, display_name))
    admin = User(username=username, display_name=_clean_name(display_name), role=Role.ADMIN,
                 password_hash=passwords.hash_password(pw), must_change_password=False)
    session.add(admin)
    session.flush()
    audit.account_event(session, Actor.of(admin), admin, "first admin account created at set-up")
    return admin


def _user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("No such account.")
    return user


def _check_enrolment(session: Session, therapist_id: int | None, track: str | None,
                     location: str | None) -> None:
    clinic = get_clinic()
    if track is not None and track not in {t.key for t in clinic.tracks}:
        raise InvalidInput(_("Unknown track {track}.").format(track=repr(track)))
    if location is not None and location not in {loc.key for loc in clinic.locations}:
        raise InvalidInput(_("Unknown location {location}.").format(location=repr(location)))
    if therapist_id is not None:
        therapist = session.get(User, therapist_id)
        if therapist is None or therapist.role != Role.THERAPIST or not therapist.is_active:
            raise InvalidInput(_("Choose an active therapist."))


def create_user(session: Session, actor: Actor, username: str, display_name: str, role: Role,
                *, therapist_id: int | None = None, track: str | None = None,
                location: str | None = None, language: str = "en") -> NewAccount:
    """An admin enrols a person; they get a one-time password to change at first login.
    `language`: the language the app starts speaking to them in (a client's; staff and the
    client change it on My account)."""
    from companion import i18n

    require_role(session, actor, Role.ADMIN)
    require_current(session, actor)
    role = Role(role)
    username = clean_username(username)
    display_name = _clean_name(display_name)
    if role in CLIENT_ROLES:
        if therapist_id is None or track is None or location is None:
            raise InvalidInput(_("A client needs a therapist, a track and a location."))
        _check_enrolment(session, therapist_id, track, location)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise InvalidInput(_("That username is taken. Please choose another."))
    if i18n.normalise(language) != language:
        raise InvalidInput(_("Choose one of the languages offered."))
    if role not in CLIENT_ROLES and language != i18n.DEFAULT:
        raise InvalidInput(_("Staff choose their own language on My account."))
    temporary = passwords.temporary_password()
    user = User(username=username, display_name=display_name, role=role,
                password_hash=passwords.hash_password(temporary), must_change_password=True,
                language=language)
    session.add(user)
    session.flush()
    audit.account_event(session, actor, user, f"{role.value} account created")
    if role in CLIENT_ROLES:
        session.add(Enrolment(client_id=user.id, therapist_id=therapist_id, track=track,
                              location=location,
                              discharged_at=utcnow() if role == Role.ALUMNI else None))
        authorize(session, actor, user.id, RecordKind.PROFILE, Action.WRITE,
                  "enrolled: " + _assignment(session, therapist_id, track, location))
    return NewAccount(user, temporary)


def _assignment(session: Session, therapist_id: int | None, track: str | None,
                location: str | None) -> str:
    """What an assignment sets, by username (which therapist now sees this client)."""
    therapist = session.get(User, therapist_id) if therapist_id is not None else None
    parts = [f"therapist {therapist.username}" if therapist else "",
             f"track {track}" if track else "", f"location {location}" if location else ""]
    return ", ".join(p for p in parts if p) or "nothing"


def assign(session: Session, actor: Actor, client_id: int, *, therapist_id: int | None = None,
           track: str | None = None, location: str | None = None) -> Enrolment:
    enrolment = session.get(Enrolment, client_id)
    change = _assignment(session, therapist_id, track, location)
    if enrolment is not None and change != "nothing":  # what it was, so a move can be traced
        change += " (was " + _assignment(
            session, enrolment.therapist_id if therapist_id is not None else None,
            enrolment.track if track is not None else None,
            enrolment.location if location is not None else None) + ")"
    authorize(session, actor, client_id, RecordKind.PROFILE, Action.WRITE,
              "assignment changed: " + change)
    _check_enrolment(session, therapist_id, track, location)
    if therapist_id is not None:
        enrolment.therapist_id = therapist_id
    if track is not None:
        enrolment.track = track
    if location is not None:
        enrolment.location = location
    enrolment.updated_at = utcnow()
    session.add(enrolment)
    return enrolment


def discharge(session: Session, actor: Actor, client_id: int, keep_calendar: bool = False
              ) -> User:
    """Client → alumni: keeps every record, the therapist link and the alumni pages. Their
    calendar feed stops unless `keep_calendar` (then it carries the daily check-in only)."""
    authorize(session, actor, client_id, RecordKind.PROFILE, Action.WRITE, "discharged")
    client = _user(session, client_id)
    if client.role == Role.ALUMNI:
        return client  # idempotent
    client.role = Role.ALUMNI
    client.updated_at = utcnow()
    enrolment = session.get(Enrolment, client_id)
    enrolment.discharged_at = utcnow()
    session.add_all([client, enrolment])
    calendar_feed.on_leaving(session, actor, client, "discharge to alumni", keep_calendar)
    return client


def reset_password(session: Session, actor: Actor, user_id: int) -> str:
    """A new one-time password; every signed-in session of that person ends."""
    require_role(session, actor, Role.ADMIN)
    require_current(session, actor)
    user = _user(session, user_id)
    audit.account_event(session, actor, user, "password reset (one-time password issued, "
                        "every session ended)")
    temporary = passwords.temporary_password()
    user.password_hash = passwords.hash_password(temporary)
    user.must_change_password = True
    _end_sessions(user)
    _revoke_passkeys(session, actor, user, "password reset by an admin")
    session.add(user)
    throttle = session.get(LoginThrottle, user.username)
    if throttle is not None:
        session.delete(throttle)
    return temporary


def language_of(session: Session, actor: Actor, user_id: int) -> str:
    """The language an account reads (for an admin: the welcome sheet after a reset)."""
    require_role(session, actor, Role.ADMIN)
    return _user(session, user_id).language


def set_active(session: Session, actor: Actor, user_id: int, active: bool,
               keep_calendar: bool = False) -> User:
    """Deactivate or reactivate; deactivating stops their calendar feed unless kept."""
    require_role(session, actor, Role.ADMIN)
    require_current(session, actor)
    user = _user(session, user_id)
    if user.id == actor.id and not active:
        raise InvalidInput(_("You can't deactivate your own account."))
    audit.account_event(session, actor, user, "reactivated" if active else
                        "deactivated (every session ended)")
    user.is_active = active
    if not active:
        _end_sessions(user)
        _revoke_passkeys(session, actor, user, "account deactivated")
        calendar_feed.on_leaving(session, actor, user, "deactivation", keep_calendar)
    session.add(user)
    return user


def change_own_password(session: Session, actor: Actor, current: str, new: str,
                        repeat: str) -> User:
    require_current(session, actor, lock=False)  # before bcrypt; locked again below
    user = _user(session, actor.id)
    if not passwords.verify_password(current, user.password_hash):
        raise InvalidInput(_("Your current password isn't right. Nothing was changed."))
    if passwords.normalize(new) != passwords.normalize(repeat):
        raise InvalidInput(_("The two new passwords don't match. Nothing was changed."))
    pw = passwords.check_new_password(new, (user.username, user.display_name))
    if passwords.verify_password(pw, user.password_hash):
        raise InvalidInput(_("Please choose a password different from your current one."))
    hashed = passwords.hash_password(pw)
    require_current(session, actor)
    user.password_hash = hashed
    user.must_change_password = False
    _end_sessions(user)
    session.add(user)
    audit.account_event(session, actor, user, "password changed by the account holder")
    return user


def set_language(session: Session, actor: Actor, user_id: int, language: str) -> User:
    """The language the app speaks to an account: a person sets their own; an admin may set
    a client's or alumnus's (their starting language at enrolment). Nobody else's."""
    from companion import i18n

    require_current(session, actor)
    code = i18n.normalise(language)
    if code is None or code != language:
        raise InvalidInput("Choose one of the languages offered.")
    user = _user(session, user_id)
    if user.id != actor.id:
        if actor.role != Role.ADMIN or user.role not in CLIENT_ROLES:
            raise AccessDenied("You can only choose the language of your own account.")
        require_sign_in_complete(session, actor)
        audit.account_event(session, actor, user, f"language set to {code}")
    user.language = code
    user.updated_at = utcnow()
    session.add(user)
    return user


def _revoke_passkeys(session: Session, actor: Actor, user: User, why: str) -> None:
    """An admin's reset or a deactivation ends the account's passkeys too (a lost phone may
    hold one): they never sign in again; the person adds new ones once signed in."""
    from companion import passkeys

    count = passkeys.revoke_all(session, user.id, why)
    if count:
        audit.account_event(session, actor, user, f"passkeys revoked ({count}): {why}")


def _end_sessions(user: User) -> None:
    user.sessions_valid_after = utcnow()
    user.updated_at = user.sessions_valid_after


ROLE_LABELS = {Role.CLIENT: N_("Client"), Role.ALUMNI: N_("Alumni"),
               Role.THERAPIST: N_("Therapist"), Role.ADMIN: N_("Admin")}


def _day(moment) -> str:
    """'Mar 3, 2026' / '3 mar 2026': a stored time's day in the clinic's zone."""
    if moment is None:
        return "—"
    from companion import i18n
    from companion.core.timeutil import to_clinic

    if i18n.current() == i18n.DEFAULT:
        return show(moment, "%b %-d, %Y")
    return format_day(to_clinic(moment).date(), width="medium")


def own_profile(session: Session, actor: Actor) -> dict:
    """What an account page shows a person about themself."""
    user = run_context.user(session, actor.id) or _user(session, actor.id)  # loaded this run
    # Labels marked for the catalog (the page shows them with `gettext`); the values in the
    # reader's language: the clinic's track and location, dates by Babel.
    profile = {N_("Name"): user.display_name, N_("Username"): user.username,
               N_("Account"): ROLE_LABELS.get(user.role, user.role.capitalize())}
    if user.role in CLIENT_ROLES:
        enrolment = run_context.enrolment(session, user.id)
        clinic = get_clinic()
        therapist = run_context.therapist_name(session, user.id, enrolment.therapist_id)
        profile |= {N_("Therapist"): therapist or "—",
                    N_("Track"): clinic.track_label(enrolment.track),
                    N_("Location"): clinic.location_label(enrolment.location),
                    N_("In the program since"): _day(enrolment.enrolled_at)}
        if enrolment.discharged_at:
            profile[N_("Completed the program")] = _day(enrolment.discharged_at)
        profile[N_("Privacy notice read")] = _day(user.notice_acknowledged_at)
    return profile


def therapists(session: Session, actor: Actor) -> list[User]:
    require_role(session, actor, Role.ADMIN)
    stmt = select(User).where(User.role == Role.THERAPIST, col(User.is_active).is_(True))
    return list(session.exec(stmt.order_by(User.display_name)))


def people(session: Session, actor: Actor) -> pd.DataFrame:
    """Every account, for admins; reading the client list is audited."""
    require_role(session, actor, Role.ADMIN)
    therapist = User.__table__.alias("therapist")
    stmt = (select(User.id, User.username, User.display_name, User.role, User.is_active,
                   User.must_change_password, Enrolment.track, Enrolment.location,
                   therapist.c.display_name)
            .join(Enrolment, Enrolment.client_id == User.id, isouter=True)
            .join(therapist, therapist.c.id == Enrolment.therapist_id, isouter=True)
            .order_by(User.role, User.username))
    rows = session.exec(stmt).all()
    frame = pd.DataFrame(rows, columns=["id", "Username", "Name", "Role", "Active",
                                        "Must change password", "Track", "Location",
                                        "Therapist"])
    client_ids = [int(r.id) for r in frame.itertuples() if r.Role in CLIENT_ROLES]
    audit.record_many(session, actor, "read", RecordKind.PROFILE.value, client_ids,
                      "people list")
    return frame


def find_user(session: Session, username: str) -> User:
    user = session.exec(select(User).where(User.username == username.strip().lower())).first()
    if user is None:
        raise NotFound(f"No account named {username.strip().lower()!r}.")
    return user


def bootstrap_admin(session: Session, username: str, display_name: str) -> NewAccount:
    """For the server's operator (CLI) when no active admin exists: a one-time password."""
    stmt = select(User.id).where(User.role == Role.ADMIN, col(User.is_active).is_(True))
    if session.exec(stmt).first() is not None:
        raise AccessDenied("An admin already exists; create accounts as that admin.")
    username = clean_username(username)
    if session.exec(select(User.id).where(User.username == username)).first() is not None:
        raise InvalidInput("That username is taken. Please choose another.")
    temporary = passwords.temporary_password()
    admin = User(username=username, display_name=_clean_name(display_name), role=Role.ADMIN,
                 password_hash=passwords.hash_password(temporary), must_change_password=True)
    session.add(admin)
    session.flush()
    audit.account_event(session, None, admin, "first admin account created by the operator")
    return NewAccount(admin, temporary)


def operator_actor(session: Session, username: str | None = None) -> Actor:
    """The admin the CLI acts as: the one named, else the first active admin."""
    stmt = select(User).where(User.role == Role.ADMIN, col(User.is_active).is_(True))
    if username:
        stmt = stmt.where(User.username == username.strip().lower())
    admin = session.exec(stmt.order_by(User.id)).first()
    if admin is None:
        raise NotFound("No active admin account to act as. Create one first: "
                       "companion create-user NAME --role admin")
    return Actor.of(admin)
